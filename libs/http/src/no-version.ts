import { applyDecorators, type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { parseIfMatch } from './command-context.decorator.js';

/** The OpenAPI extension that tells the document's conventions not to offer `If-Match` on the route. */
export const NO_VERSION_EXTENSION = 'x-changes-no-versioned-record';

/**
 * Refuses `If-Match` on a route that changes no record whose version its answers give (a stream
 * ticket, marking every notification read, a projection redriven): there is nothing the tags could match, and a
 * precondition a server cannot evaluate is not to be ignored (RFC 9110 §13.1.1: the method is not
 * performed when the condition is false). A malformed header is a 400, as on every route; any tag
 * (a list, `*`) is a 412 saying so, and nothing is done.
 */
@Injectable()
class RefuseIfMatch implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const header = context.switchToHttp().getRequest<Request>().headers['if-match'];
    if (header === undefined) return next.handle();
    parseIfMatch(header);
    throw new ChanceryError(ErrorCode.PreconditionFailed, 'This route takes no If-Match: it changes no record whose version its answers give, so the tags have nothing to match (RFC 9110 §13.1.1); send it without If-Match', {
      header: 'If-Match',
    });
  }
}

/** Marks a route that changes no versioned record: `If-Match` is refused (`RefuseIfMatch`) and not offered in the OpenAPI document. */
export const ChangesNoVersionedRecord = (): MethodDecorator => applyDecorators(UseInterceptors(RefuseIfMatch), ApiExtension(NO_VERSION_EXTENSION, true));
