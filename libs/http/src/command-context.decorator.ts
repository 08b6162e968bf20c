import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { type Actor, ANONYMOUS_ACTOR, ChanceryError, type CommandContext, ErrorCode, type IdempotencyClaim } from '@chancery/common';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by authentication. */
    actor?: Actor;
    /** Set by the IdempotencyInterceptor when the request carries a key. */
    idempotency?: IdempotencyClaim;
  }
}

/**
 * `If-Match: "7"` (or 7, or leniently W/"7", which RFC 9110's strong comparison would never match)
 * is version 7; a list (`"7", "8"`, RFC 9110 §13.1.1) is any of its versions; `*` or no header means
 * no precondition (every route acts on a record that exists).
 */
export function parseIfMatch(header: string | string[] | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  // Empty elements of a list are skipped (RFC 9110 §5.6.1).
  const tags = value.split(',').map((tag) => tag.trim()).filter(Boolean);
  const versions = tags.map((tag) => /^(?:W\/)?"?(\d{1,9})"?$/.exec(tag)?.[1]);
  if (tags.length === 0 || versions.some((version) => version === undefined)) {
    throw new ChanceryError(ErrorCode.InvalidHeader, 'If-Match must be a version, like "3", or a list of them, like "3", "4"', { header: 'If-Match' });
  }
  return versions.map(Number);
}

/** The command context of an HTTP request: actor, request id, If-Match, idempotency claim. */
export function commandContextOf(request: Request): CommandContext {
  return {
    actor: request.actor ?? ANONYMOUS_ACTOR,
    requestId: String(request.id),
    expectedVersions: parseIfMatch(request.headers['if-match']),
    idempotency: request.idempotency,
  };
}

export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext =>
  commandContextOf(context.switchToHttp().getRequest<Request>()),
);
