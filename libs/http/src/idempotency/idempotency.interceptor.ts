import { createHash } from 'node:crypto';
import { applyDecorators, CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { ModuleRef, Reflector } from '@nestjs/core';
import { FileInterceptor, type MulterModuleOptions } from '@nestjs/platform-express';
import { ApiExtension } from '@nestjs/swagger';
import canonicalize from 'canonicalize';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, Observable } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { parseIfMatch } from '../command-context.decorator.js';
import { NamelessFileInterceptor, UPLOAD_FIELD, UploadFormInterceptor } from '../upload-form.interceptor.js';
import { IdempotencyRaceError, IdempotencyStore, type StoredAnswer } from './idempotency.store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The refusals a copy of the same request, committed first, can cause this one (see `intercept`). */
const SIBLING_REFUSALS = new Set<string>([ErrorCode.InvalidTransition, ErrorCode.RuleViolated, ErrorCode.PreconditionFailed, ErrorCode.ConcurrencyConflict, ErrorCode.WrongExpectedVersion, ErrorCode.AlreadyExists]);

/** An answer replayed from the store, passed through the handler's pipe untouched. */
class Replayed {
  constructor(readonly replayed: unknown) {}
}
const isReplayed = (body: unknown): body is Replayed => body instanceof Replayed;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;
/** A UUID in a request's path: a record's id, which the routes read in any case (`recordId`). */

/** A file multer parsed into memory (the part of `Express.Multer.File` that identifies it). */
interface UploadedPart {
  fieldname: string;
  originalname: string;
  mimetype: string;
  buffer: Buffer;
}

/** Marks a route whose body is a multipart upload: its idempotency is decided once the file is parsed. */
const AFTER_UPLOAD = 'chancery:idempotency-after-upload';
const IGNORES_KEY = 'chancery:ignores-idempotency-key';
/** The OpenAPI extension that tells the document's conventions not to offer `Idempotency-Key` on the route. */
export const IGNORES_KEY_EXTENSION = 'x-ignores-idempotency-key';

/**
 * A route that ignores `Idempotency-Key`, as the public login does: a retry runs again.
 * - One whose request or answer is a credential (a password set, a new bearer token, a stream
 *   ticket): no password is kept in a key's fingerprint (a fast hash of a request whose every other
 *   part is known gives the password back to a dictionary), no credential in a stored answer. A
 *   retried password change is then refused (the current password no longer matches); a retried
 *   user creation is told the user exists.
 * - One that ends or grants sign-ins (logging out, disabling, enabling): the key's first answer,
 *   given again after the user signed in anew or was enabled since, would say it was done when it was
 *   not. Run again, it does what it says now.
 */
export const IgnoresIdempotencyKey = (): MethodDecorator =>
  applyDecorators(SetMetadata(IGNORES_KEY, true), ApiExtension(IGNORES_KEY_EXTENSION, true));

/**
 * Whether a stored answer may be given again to the caller as they stand now: an answer is what the
 * caller could read then, and a caller since cleared lower or moved (or a record since marked down,
 * whose old answer carries the old marking) must not read it again by replaying the request. The
 * application provides it (need-to-know lives there); it throws the refusal, and may audit the
 * replay as a read.
 */
export abstract class ReplayCheck {
  /** What the caller stands on now, as far as their reading goes; stored with the answer. */
  abstract standing(context: ExecutionContext): string | null;
  /** `standingThen`: `standing` when the answer was given (null: not known, an older answer). */
  abstract mayReplay(context: ExecutionContext, answer: unknown, standingThen: string | null): Promise<void>;
}

/**
 * `Idempotency-Key` on a POST or PATCH: the same key with the same request answers the first answer
 * again and writes nothing; the same key with another request is refused with 422. "The same
 * request" is the method, the path as routes read it (ids in lower case, no trailing slash), the
 * canonical JSON body, the If-Match versions, and an uploaded file's name, type and
 * SHA-256: an upload route (`IdempotentUpload`) is decided after its file interceptor has parsed the
 * form, by `UploadIdempotencyInterceptor`; the global interceptor leaves it alone. Two copies of one
 * request at once are both answered the first answer, the one that failed on what the other did
 * included. Keys expire (`IdempotencyStore`).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  /** Whether this interceptor decides the upload routes (and only them) rather than the others. */
  protected readonly afterUpload: boolean = false;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
    private readonly modules: ModuleRef,
  ) {}

  /** The application's `ReplayCheck`, if it provides one (a bare HTTP module in a test may not). */
  private replayCheck(): ReplayCheck | undefined {
    try {
      return this.modules.get(ReplayCheck, { strict: false });
    } catch {
      return undefined;
    }
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    if ((this.reflector.get<boolean>(AFTER_UPLOAD, context.getHandler()) ?? false) !== this.afterUpload) return next.handle();
    if (this.reflector.get<boolean>(IGNORES_KEY, context.getHandler())) return next.handle();
    const key = request.headers[IDEMPOTENCY_HEADER];
    // Keys are scoped to an authenticated actor: a public route (logging in) ignores them, so that
    // no answer of one (a token) is ever stored or replayed.
    if (key === undefined || !request.actor || !['POST', 'PATCH', 'DELETE'].includes(request.method)) return next.handle();
    if (typeof key !== 'string' || !KEY_SHAPE.test(key)) {
      throw new ChanceryError(ErrorCode.InvalidHeader, 'Idempotency-Key must be 1 to 255 printable ASCII characters', { header: 'Idempotency-Key' });
    }
    const actorId = request.actor.id;
    const upload = (request as Request & { file?: UploadedPart }).file;
    const file = upload ? { field: upload.fieldname, name: upload.originalname, type: upload.mimetype, sha256: createHash('sha256').update(upload.buffer).digest('hex') } : null;
    // The record named as the route reads it (routes, ids and post codes in any case, a trailing
    // slash or not), and the precondition as it parses (a malformed one is a 400 here as without a key).
    const path = request.path.replace(/\/+$/, '').toLowerCase();
    const ifMatch = parseIfMatch(request.headers['if-match']) ?? null;
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const content = `${canonicalize(request.body ?? null) ?? ''}${file ? `\n${canonicalize(file)}` : ''}`;
    const requestHash = sha256(`${request.method} ${path}\n${content}\n${canonicalize(ifMatch)}`);
    // An answer stored before fingerprints were labelled (1) may have been taken the older way (the
    // path as sent, without the If-Match): a retry across the upgrade is the same request if it matches either way.
    const olderHash = () => sha256(`${request.method} ${request.path}\n${content}`);
    const sameRequest = (stored: StoredAnswer) => stored.requestHash === requestHash || (stored.fingerprint === 1 && stored.requestHash === olderHash());
    const check = this.replayCheck();
    const replay = async (stored: StoredAnswer | undefined): Promise<unknown> => {
      if (!stored) throw new ChanceryError(ErrorCode.IdempotencyKeyInFlight, 'A request with this Idempotency-Key is still being processed');
      if (!sameRequest(stored)) {
        throw new ChanceryError(ErrorCode.IdempotencyKeyReused, 'This Idempotency-Key was used with a different request', { key });
      }
      await check?.mayReplay(context, stored.response, stored.standing);
      response.status(stored.statusCode).setHeader('Idempotent-Replayed', 'true');
      return stored.response;
    };

    return from(this.store.find(actorId, key)).pipe(
      mergeMap((stored) => {
        if (stored) return from(replay(stored));
        const method = request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK;
        const statusCode = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? method;
        const claim = { key, requestHash, statusCode, standing: check?.standing(context) ?? null, recorded: false };
        request.idempotency = claim;
        return next.handle().pipe(
          catchError(async (error) => {
            if (error instanceof IdempotencyRaceError) return new Replayed(await replay(await this.store.find(actorId, key)));
            // The same request sent twice at once: the first committed while this one ran, and this
            // one then failed on what the first did (a cable already submitted, a version moved on,
            // a record already there). It is a retry of a command that succeeded: the first answer
            // is its answer. A request that took the key meanwhile with another request (another
            // precondition, another body) is told so (422), as it would be had it come second: the
            // key is decided before the precondition. Other failures (a busy database, a refusal of
            // access) are this request's own.
            if (error instanceof ChanceryError && SIBLING_REFUSALS.has(error.code)) {
              const first = await this.store.find(actorId, key).catch(() => undefined);
              if (first) return new Replayed(await replay(first));
            }
            throw error;
          }),
          mergeMap(async (body) => {
            if (isReplayed(body)) return body.replayed;
            // A request that saved no events is remembered on its own.
            if (!claim.recorded && !(await this.store.insert(actorId, claim, body))) return replay(await this.store.find(actorId, key));
            this.store.purgeExpiredSoon();
            return body;
          }),
        );
      }),
    );
  }
}

/** The idempotency of an upload route, decided after its file interceptor (see `IdempotentUpload`). */
@Injectable()
export class UploadIdempotencyInterceptor extends IdempotencyInterceptor {
  protected override readonly afterUpload = true;
}

/**
 * A multipart upload route, of one file, required, in the field `field`: multer (Nest's
 * `FileInterceptor`, with `options`) parses the form, its fields are held to what a JSON body is and
 * the file is required (`UploadFormInterceptor`, `NamelessFileInterceptor`), then `Idempotency-Key`
 * is decided with the file in the request (the global interceptor runs before the form is parsed
 * and would see an empty body).
 */
export function IdempotentUpload(field: string, options: MulterModuleOptions): MethodDecorator {
  return applyDecorators(
    SetMetadata(AFTER_UPLOAD, true),
    SetMetadata(UPLOAD_FIELD, field),
    UseInterceptors(NamelessFileInterceptor, FileInterceptor(field, options), UploadFormInterceptor, UploadIdempotencyInterceptor),
  );
}
