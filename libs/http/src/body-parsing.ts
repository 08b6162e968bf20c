import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, titleFor } from './problem-details.js';

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
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: titleFor(failure.status),
      status: failure.status,
      detail,
      instance: request.originalUrl,
      requestId: String(request.id ?? ''),
    };
    response.status(failure.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  };
  return [parse, refuse as unknown as RequestHandler];
}
