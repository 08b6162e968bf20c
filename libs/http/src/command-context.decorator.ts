import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { type Actor, ANONYMOUS_ACTOR, type CallerStanding, ChanceryError, type CommandContext, ErrorCode, type IdempotencyClaim } from '@chancery/common';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by authentication. */
    actor?: Actor;
    /** Set by authentication: the standing the request is authorized under. */
    authorizedAs?: CallerStanding;
    /** Set by the IdempotencyInterceptor when the request carries a key. */
    idempotency?: IdempotencyClaim;
  }
}

/** A version as an ETag writes it (`"0"`, `"12"`): no leading zero. */
const ETAG_VERSION = /^(0|[1-9]\d*)$/;

/**
 * `If-Match: "7"` (or 7) is version 7; a list (`"7", "8"`, RFC 9110 §13.1.1) is any of its versions;
 * `*` or no header means no precondition (every route acts on a record that exists). A weak tag
 * (`W/"7"`) never matches: RFC 9110 §13.1.1 compares `If-Match` strongly, and Chancery's ETags are all
 * strong, so a header of weak tags alone is a precondition no record meets (412, nothing written).
 * Strong comparison is character for character, so a version spelled otherwise than an ETag gives it
 * (`"07"`) names none either: it is not read as 7.
 */
export function parseIfMatch(header: string | string[] | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  // Empty elements of a list are skipped (RFC 9110 §5.6.1).
  const tags = value.split(',').map((tag) => tag.trim()).filter(Boolean);
  // A tag's quotes come in pairs (a bare version, `3`, is read as `"3"`); a weak tag is quoted.
  const parsed = tags.map((tag) => /^(W\/)?("?)(\d{1,9})\2$/.exec(tag)).map((match) => (match && match[1] && !match[2] ? null : match));
  if (tags.length === 0 || parsed.some((match) => match === null)) {
    throw new ChanceryError(ErrorCode.InvalidHeader, 'If-Match must be a version, like "3", or a list of them, like "3", "4"', { header: 'If-Match' });
  }
  return parsed.filter((match) => !match![1] && ETAG_VERSION.test(match![3])).map((match) => Number(match![3]));
}

/** The command context of an HTTP request: actor, request id, If-Match, idempotency claim, the standing it was authorized under. */
export function commandContextOf(request: Request): CommandContext {
  return {
    actor: request.actor ?? ANONYMOUS_ACTOR,
    requestId: String(request.id),
    expectedVersions: parseIfMatch(request.headers['if-match']),
    ifMatch: request.headers['if-match'] !== undefined,
    idempotency: request.idempotency,
    authorizedAs: request.authorizedAs,
  };
}

export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext =>
  commandContextOf(context.switchToHttp().getRequest<Request>()),
);
