import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import { from, mergeMap, Observable } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';

/**
 * Parameters through which a handler reads what was sent: a DTO, a file, or the request itself.
 * (Chancery's own parameter decorators, `Ctx` and `CurrentUser`, read headers and the principal.)
 */
const READS_BODY = new Set<number>([RouteParamtypes.BODY, RouteParamtypes.RAW_BODY, RouteParamtypes.FILE, RouteParamtypes.FILES, RouteParamtypes.REQUEST]);

/**
 * A route that takes no body (`POST /cables/:id/submit`, `…/release`, `/follow-ups/:id/start`)
 * refuses one that says something, as a DTO refuses an unknown field: a client sending
 * `{"mrn": …}` to release, or `{"status": "DONE"}` to start, learns that it was not heard (400)
 * instead of seeing its command run as if it had been. An empty object is no body. Runs after
 * the guards (a caller who may not act learns nothing more) and before idempotency.
 */
@Injectable()
export class NoBodyInterceptor implements NestInterceptor {
  private readonly takesBody = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || this.readsBody(context)) return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const body = request.body as unknown;
    const fields =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? Object.keys(body)
        : body !== undefined && body !== null && body !== ''
          ? ['(body)'] // an array or a scalar
          : body === undefined && Number(request.headers['content-length'] ?? 0) > 0
            ? ['(body)'] // content of a type the JSON parser left unread
            : [];
    if (fields.length > 0) throw refusal(fields);
    if (body === undefined && request.headers['transfer-encoding'] !== undefined) {
      // Chunked, of a type the JSON parser left unread: content only if a byte of it comes.
      return from(sendsBytes(request)).pipe(
        mergeMap((sent) => {
          if (sent) throw refusal(['(body)']);
          return next.handle();
        }),
      );
    }
    return next.handle();
  }

  private readsBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let reads = this.takesBody.get(handler);
    if (reads === undefined) {
      const params = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      reads = Object.keys(params).some((key) => READS_BODY.has(Number(key.split(':')[0])));
      this.takesBody.set(handler, reads);
    }
    return reads;
  }
}

/** The refusal of what a request to a route that takes no body sent: its fields, or `(body)`, content as such. */
function refusal(fields: string[]): ChanceryError {
  const errors = fields.map((field) => ({ field, message: field === '(body)' ? 'this request takes no body' : `property ${field} should not exist` }));
  return new ChanceryError(ErrorCode.ValidationFailed, `This request takes no body: ${errors.map((e) => e.message).join('; ')}`, { errors });
}

/**
 * Whether an unread request stream carries a byte: read until its first byte (the rest is let
 * drain, unread) or its end. A stream that fails (its client gone) counts as content: nothing runs.
 */
function sendsBytes(request: Request): Promise<boolean> {
  if (request.readableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (sent: boolean) => {
      request.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(sent);
    };
    const onData = (chunk: Buffer) => chunk.length > 0 && settle(true);
    const onEnd = () => settle(false);
    const onError = () => settle(true);
    request.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
