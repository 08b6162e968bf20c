import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Permission, Principal } from '@chancery/identity';

export const IS_PUBLIC = 'chancery:public';
export const REQUIRED_PERMISSION = 'chancery:permission';
export const READS_RECORD = 'chancery:reads-record';
export const ANSWERS_RECORD = 'chancery:answers-record';
export const SHOWS_UNDER = 'chancery:shows-under';

/** No token needed: login, health. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The permission the route needs, checked by the AccessGuard through the PolicyService. */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

/**
 * The route names a record by its `:id` (a cable, a campaign, whose id is its cable's, or a
 * follow-up): the guard checks that the caller may read it before pipes, If-Match and
 * Idempotency-Key are looked at (403, audited, saying nothing about the record).
 */
export const ReadsRecord = (kind: 'cable' | 'followup') => SetMetadata(READS_RECORD, kind);

/**
 * The route creates a record and answers it (its `id`): an Idempotency-Key replay of the answer is
 * given only to a caller who may read that record now, as `ReadsRecord` routes are guarded.
 */
export const AnswersRecord = (kind: 'cable' | 'followup') => SetMetadata(ANSWERS_RECORD, kind);

/**
 * The controller's answers show records read under the record its routes name (`ReadsRecord`), as
 * `kind`: a campaign's deliveries under the campaign, whose id is its cable's. An answer that does not
 * carry its own marking (a delivery) is replayed as a read of that record, at the record's marking now.
 */
export const ShowsUnder = (kind: 'campaign') => SetMetadata(SHOWS_UNDER, kind);

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal & { displayName: string };
  }
}

/** The authenticated caller. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request>().principal!);
