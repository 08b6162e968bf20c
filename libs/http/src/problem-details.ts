import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { assertNever, ErrorCode, type FieldError } from '@chancery/common';

/** The HTTP status for each error code. Exhaustive: a new code without a status does not compile. */
export function statusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.ValidationFailed:
    case ErrorCode.InvalidHeader:
      return 400;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.NotFound:
    case ErrorCode.StreamNotFound:
      return 404;
    case ErrorCode.AlreadyExists:
    case ErrorCode.InvalidTransition:
    case ErrorCode.WrongExpectedVersion:
    case ErrorCode.ConcurrencyConflict:
    case ErrorCode.DuplicateEvent:
    case ErrorCode.IdempotencyKeyInFlight:
      return 409;
    case ErrorCode.PreconditionFailed:
      return 412;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.UnsupportedMediaType:
      return 415;
    case ErrorCode.IdempotencyKeyReused:
    case ErrorCode.RuleViolated:
      return 422;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.DatabaseBusy:
      return 503;
    default:
      return assertNever(code);
  }
}

/** RFC 9457 problem details, as every error leaves the API. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Stable and machine-readable on every answer: an `ErrorCode`, or `codeFor(status)` where none applies. */
  code: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** How much of a refusal's text is said: one that quotes what was sent (a 100 KB tag, a 900 KB key) says its start, not all of it again. */
export const MAX_SAID = 500;

export function bounded(text: string): string {
  const characters = [...text];
  return characters.length <= MAX_SAID ? text : `${characters.slice(0, MAX_SAID).join('')}… (cut: ${characters.length} characters in all)`;
}

/** A refusal's `errors[]` as said: each field and message `bounded`. */
export function boundedErrors(errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => ({ ...e, field: bounded(e.field), message: bounded(e.message) }));
}

export function problemType(code: string): string {
  return `urn:chancery:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Request Error');
}

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  431: 'REQUEST_HEADERS_TOO_LARGE',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * The `code` of an answer that no `ChanceryError` decided (the framework's own refusals: a route
 * that does not exist, a malformed body or path parameter; an internal error), by its status.
 */
export function codeFor(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'SERVER_ERROR' : 'REQUEST_ERROR');
}

/**
 * What Node's HTTP parser refuses before any route sees the request (an address and headers over
 * its 16 KB, a request that is not HTTP) is answered as problem+json too, rather than Node's bare
 * status line: the same shape a client reads everywhere else. The connection is closed after it.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, detail] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, "The request's address and headers are larger than the server reads (16 KB): send a shorter address (a search's words in fewer characters) or fewer headers."]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'The request did not arrive in time.']
          : [400, 'The request is not valid HTTP.'];
    const [code, title] = [codeFor(status), titleFor(status)];
    const body = JSON.stringify({ type: problemType(code), title, status, detail, code });
    socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
  });
}
