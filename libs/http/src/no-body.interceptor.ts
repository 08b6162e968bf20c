import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import { Observable } from 'rxjs';
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
    if (context.getType() === 'http' && !this.readsBody(context)) {
      const request = context.switchToHttp().getRequest<Request>();
      const body = request.body as unknown;
      const fields =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? Object.keys(body)
          : body === null || body === '' || (body === undefined && !carriesContent(request))
            ? []
            : ['(body)']; // an array, a scalar, or content of a type the JSON parser left unread
      if (fields.length > 0) {
        const errors = fields.map((field) => ({ field, message: field === '(body)' ? 'this request takes no body' : `property ${field} should not exist` }));
        throw new ChanceryError(ErrorCode.ValidationFailed, `This request takes no body: ${errors.map((e) => e.message).join('; ')}`, { errors });
      }
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

/** Whether a request sent content (of any type), read or not. */
function carriesContent(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}
