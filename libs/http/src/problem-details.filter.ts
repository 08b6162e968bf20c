import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ChanceryError } from '@chancery/common';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType, statusFor, titleFor } from './problem-details.js';

/** Answers every error as problem+json; a 5xx body never carries the cause, only the request id. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const problem = this.toProblem(exception, request);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, requestId: request.id }, `Unhandled error on ${request.method} ${request.originalUrl}`);
    }
    if (response.headersSent) return;
    if (typeof problem.retryAfter === 'number') response.setHeader('Retry-After', String(problem.retryAfter));
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, request: Request): ProblemDetails {
    const base = { instance: request.originalUrl, requestId: String(request.id ?? '') };
    if (exception instanceof ChanceryError) {
      const status = statusFor(exception.code);
      const { errors, ...extensions } = exception.details;
      return {
        ...extensions,
        type: problemType(exception.code),
        title: titleFor(status),
        status,
        detail: exception.message,
        code: exception.code,
        ...(errors ? { errors } : {}),
        ...base,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
      return { type: 'about:blank', title: titleFor(status), status, detail, ...base };
    }
    return {
      type: 'about:blank',
      title: titleFor(500),
      status: 500,
      detail: `An internal error occurred; quote request id ${base.requestId} when reporting it.`,
      ...base,
    };
  }
}
