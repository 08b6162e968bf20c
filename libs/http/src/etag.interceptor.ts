import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';

/**
 * A resource answered with a numeric `version` carries it as its ETag, for If-Match. The version is
 * the record's, not the answer's: what an answer shows beside the record (the caller's
 * `allowedActions` and `blockedActions`, a released instruction's campaign counts) changes without
 * it, so a conditional GET (`If-None-Match`) is answered whole, never `304 Not Modified` on it.
 */
@Injectable()
export class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    delete request.headers['if-none-match'];
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((body) => {
        const version = (body as { version?: unknown } | null)?.version;
        if (typeof version === 'number' && !response.headersSent) response.setHeader('ETag', `"${version}"`);
        return body;
      }),
    );
  }
}
