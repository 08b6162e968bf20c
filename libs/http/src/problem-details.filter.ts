import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ChanceryError, ErrorCode, type FieldError, loggedUrl } from '@chancery/common';
import { isContentionError, isTransientDatabaseError, pgError } from '@chancery/database';
import { allowedMethods } from './allowed-methods.js';
import { bounded, boundedErrors, codeFor, PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType, statusFor, titleFor } from './problem-details.js';

/** A problem as decided, before its `type`, which follows from its `code`. */
type Answer = Omit<ProblemDetails, 'type' | 'title' | 'status' | 'detail' | 'code'> & Pick<ProblemDetails, 'title' | 'status' | 'detail' | 'code'>;

/** Answers every error as problem+json; a 5xx body never carries the cause, only the request id. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    // The type follows from the code, whoever decided the answer: one URN a code.
    const answer = this.toProblem(exception, request);
    const problem: ProblemDetails = { type: problemType(answer.code), ...answer };
    // A 503 (the database unreachable) was logged as a warning where it was recognized.
    if (problem.status === 500) {
      this.logger.error({ err: exception, requestId: request.id }, `Unhandled error on ${request.method} ${loggedUrl(request.originalUrl)}`);
    }
    if (response.headersSent) return;
    if (typeof problem.retryAfter === 'number') response.setHeader('Retry-After', String(problem.retryAfter));
    if (Array.isArray(problem.allow)) response.setHeader('Allow', problem.allow.join(', '));
    if (Array.isArray(problem.accept)) response.setHeader(problem.acceptPatch ? 'Accept-Patch' : 'Accept', problem.accept.join(', '));
    if (Array.isArray(problem.acceptEncoding)) response.setHeader('Accept-Encoding', problem.acceptEncoding.join(', '));
    delete problem.acceptPatch;
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, request: Request): Answer {
    const base = { instance: request.originalUrl, requestId: String(request.id ?? '') };
    if (exception instanceof ChanceryError) {
      const status = statusFor(exception.code);
      const { errors, ...extensions } = exception.details;
      return {
        ...extensions,
        title: titleFor(status),
        status,
        detail: bounded(exception.message),
        code: exception.code,
        ...(errors ? { errors: boundedErrors(errors as FieldError[]) } : {}),
        ...base,
      };
    }
    if (exception instanceof NotFoundException) {
      // No route took the request: if one serves its path with another method, say which (405).
      const allowed = allowedMethods(request);
      if (allowed.length > 0) {
        return {
          title: titleFor(405), status: 405, code: codeFor(405), allow: allowed,
          detail: `${request.method} is not served at ${request.path}; ${allowed.join(', ')} ${allowed.length === 1 ? 'is' : 'are'}.`, ...base,
        };
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
      // A 503 (not ready yet) is to be tried again: said so, as the database's are.
      return { title: titleFor(status), status, detail, code: codeFor(status), ...(status === 503 ? { retryAfter: 2 } : {}), ...base };
    }
    if (clientWentAway(request, exception)) {
      // Checked before the database's failures, whose socket errors (ECONNRESET) it could pass for.
      // The client closed the connection before its request had come whole (an upload abandoned
      // halfway, which multer reports as an error): no handler ran on part of a body, nothing was
      // written, and nobody waits for the answer. The client's doing, not a failure of ours.
      this.logger.log({ requestId: request.id }, `The client went away before ${request.method} ${request.path} was received whole`);
      return { title: titleFor(400), status: 400, detail: 'The request ended before it was received whole.', code: codeFor(400), ...base };
    }
    if (isTransientDatabaseError(exception)) {
      // Down, restarting, or (outside a command, which retries these itself) deadlocked: try again.
      const busy = isContentionError(exception);
      this.logger.warn({ requestId: request.id, sqlState: pgError(exception)?.code }, `Database ${busy ? 'busy' : 'unavailable'} on ${request.method} ${request.path}`);
      const detail = busy ? 'The database is busy; try again shortly.' : 'The database is not reachable; try again shortly.';
      const code = busy ? ErrorCode.DatabaseBusy : codeFor(503);
      return { title: titleFor(503), status: 503, detail, code, retryAfter: busy ? 1 : 2, ...base };
    }
    if (isDataException(exception)) {
      // A value the validators let through that PostgreSQL refuses (out of range, malformed): the
      // request's fault, and its transaction rolled back. Logged, so that the validator gets fixed.
      this.logger.warn({ requestId: request.id, sqlState: pgError(exception)?.code }, `PostgreSQL refused a value on ${request.method} ${request.path}`);
      return { title: titleFor(400), status: 400, detail: 'A value in the request is out of range or malformed.', code: ErrorCode.ValidationFailed, ...base };
    }
    return {
      title: titleFor(500),
      status: 500,
      code: codeFor(500),
      detail: `An internal error occurred; quote request id ${base.requestId} when reporting it.`,
      ...base,
    };
  }
}

/**
 * The request's own stream failed because its client closed the connection before sending it whole:
 * multer's "Request aborted", or the stream's "aborted" (ECONNRESET). Any other failure, even of a
 * request whose client has gone, is still ours to report (a guard's database error, a bug).
 */
function clientWentAway(request: Request, exception: unknown): boolean {
  if (request.complete || !request.readableAborted) return false;
  const { message, code } = (exception ?? {}) as { message?: unknown; code?: unknown };
  return message === 'Request aborted' || (message === 'aborted' && code === 'ECONNRESET');
}

/** PostgreSQL's class 22, "data exception": a value it cannot take, whatever the statement. */
function isDataException(exception: unknown): boolean {
  return pgError(exception)?.code?.startsWith('22') ?? false;
}
