import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, titleFor } from './problem-details.js';

function sendProblem(request: Request, response: Response, status: number, detail: string, extensions: Record<string, unknown> = {}): void {
  const problem: ProblemDetails = { type: 'about:blank', title: titleFor(status), status, detail, ...extensions, instance: request.originalUrl, requestId: String(request.id ?? '') };
  response.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** Where in a parsed JSON value a NUL character hides, as a field path; null when there is none. */
function nulIn(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(body)' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = nulIn(inner, at);
    if (found) return found;
  }
  return null;
}

/**
 * Refuses NUL characters anywhere in the path, query or body with 400: PostgreSQL cannot store them
 * in text, so a request carrying one can only fail later, and less clearly.
 */
export function refuseNulCharacters(request: Request, response: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(request.originalUrl);
  } catch {
    return sendProblem(request, response, 400, 'The request address is not validly percent-encoded.');
  }
  const field = path.includes('\u0000') ? '(address)' : nulIn(request.body, '');
  if (!field) return next();
  sendProblem(request, response, 400, 'Text may not contain the NUL character (U+0000).', { code: 'VALIDATION_FAILED', errors: [{ field, message: 'must not contain U+0000' }] });
}

/** JSON bodies up to `limit`; anything the parser refuses is answered as problem+json. */
export function jsonBodyParser(limit: string): RequestHandler[] {
  const parse = express.json({ limit, strict: true });
  const refuse = (error: unknown, request: Request, response: Response, next: NextFunction) => {
    const failure = error as { status?: number; type?: string; message?: string };
    if (!failure?.type || !failure.status) return next(error);
    const detail =
      failure.type === 'entity.parse.failed'
        ? 'The request body is not valid JSON.'
        : failure.type === 'entity.too.large'
          ? `The request body is larger than the ${limit} limit.`
          : (failure.message ?? 'The request body cannot be read.');
    sendProblem(request, response, failure.status, detail);
  };
  return [parse, refuse as unknown as RequestHandler, refuseNulCharacters];
}
