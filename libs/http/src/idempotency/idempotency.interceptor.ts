import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import canonicalize from 'canonicalize';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, Observable, of } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { IdempotencyRaceError, IdempotencyStore, type StoredAnswer } from './idempotency.store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on a POST or PATCH: the same key with the same request answers the first answer
 * again and writes nothing; the same key with another request is refused with 422.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    // Keys are scoped to an authenticated actor: a public route (logging in) ignores them, so that
    // no answer of one (a token) is ever stored or replayed.
    if (key === undefined || !request.actor || !['POST', 'PATCH', 'DELETE'].includes(request.method)) return next.handle();
    if (typeof key !== 'string' || !KEY_SHAPE.test(key)) {
      throw new ChanceryError(ErrorCode.InvalidHeader, 'Idempotency-Key must be 1 to 255 printable ASCII characters', { header: 'Idempotency-Key' });
    }
    const actorId = request.actor.id;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.path}\n${canonicalize(request.body ?? null) ?? ''}`)
      .digest('hex');
    const replay = (stored: StoredAnswer | undefined): unknown => {
      if (!stored) throw new ChanceryError(ErrorCode.IdempotencyKeyInFlight, 'A request with this Idempotency-Key is still being processed');
      if (stored.requestHash !== requestHash) {
        throw new ChanceryError(ErrorCode.IdempotencyKeyReused, 'This Idempotency-Key was used with a different request', { key });
      }
      response.status(stored.statusCode).setHeader('Idempotent-Replayed', 'true');
      return stored.response;
    };

    return from(this.store.find(actorId, key)).pipe(
      mergeMap((stored) => {
        if (stored) return of(replay(stored));
        const method = request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK;
        const statusCode = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? method;
        const claim = { key, requestHash, statusCode, recorded: false };
        request.idempotency = claim;
        return next.handle().pipe(
          mergeMap(async (body) => {
            // A request that saved no events is remembered on its own.
            if (!claim.recorded && !(await this.store.insert(actorId, claim, body))) return replay(await this.store.find(actorId, key));
            return body;
          }),
          catchError(async (error) => {
            if (error instanceof IdempotencyRaceError) return replay(await this.store.find(actorId, key));
            throw error;
          }),
        );
      }),
    );
  }
}
