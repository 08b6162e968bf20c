import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { objectMachineryIn } from './body-parsing.js';

/**
 * A multipart upload's form, once its file interceptor has parsed it, before its fields are
 * validated: held to what a JSON body is. A field named as JavaScript's object machinery
 * (`toString`, `__proto__`, at any depth: `note[toString]`), which the field DTO would pass over
 * unseen, is refused with 400 naming it (the JSON parser's own check never sees a form).
 */
@Injectable()
export class UploadFormInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const machinery = objectMachineryIn(request.body);
    if (machinery) {
      throw new ChanceryError(ErrorCode.ValidationFailed, `${machinery} is not a field of any request.`, { errors: [{ field: machinery, message: 'property should not exist' }] });
    }
    return next.handle();
  }
}
