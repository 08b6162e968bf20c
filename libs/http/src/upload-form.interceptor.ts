import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { catchError, type Observable } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { objectMachineryIn } from './body-parsing.js';

/** The metadata naming an upload route's file field (`IdempotentUpload`). */
export const UPLOAD_FIELD = 'chancery:upload-field';

/**
 * A part named as the file but sent without a file name (`filename=""`, or none), which the form
 * parser reads as a text field of that name: the file is missing, said so (the field DTO said
 * "property file should not exist"). `nameless`: such a part came; else none named so did.
 */
function missingFile(field: string, nameless: boolean): ChanceryError {
  const detail = nameless
    ? `${field} is missing: the part named "${field}" came without a file name (filename="" or none), so it was read as text, not as a file; send the file with its name`
    : `${field} is missing: send the file as the multipart field "${field}"`;
  return new ChanceryError(ErrorCode.ValidationFailed, detail, { errors: [{ field, message: `${field} is missing: it needs a value` }] });
}

/**
 * A multipart upload's form, once its file interceptor has parsed it, before its fields are
 * validated: held to what a JSON body is. A field named as JavaScript's object machinery
 * (`toString`, `__proto__`, at any depth: `note[toString]`), which the field DTO would pass over
 * unseen, is refused with 400 naming it (the JSON parser's own check never sees a form). The file
 * is required: without it, or with its part sent as text (`missingFile`), the file is missing (400).
 */
@Injectable()
export class UploadFormInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const machinery = objectMachineryIn(request.body);
    if (machinery) {
      throw new ChanceryError(ErrorCode.ValidationFailed, `${machinery} is not a field of any request.`, { errors: [{ field: machinery, message: 'property should not exist' }] });
    }
    const field = this.reflector.get<string>(UPLOAD_FIELD, context.getHandler());
    if (!(request as Request & { file?: unknown }).file) throw missingFile(field, Object.hasOwn((request.body ?? {}) as object, field));
    return next.handle();
  }
}

/**
 * Outside the file interceptor: a part named as the file but sent without a file name, and longer
 * than a text field may be (multer's "Field value too long - file"), is the file missing too, said
 * as `UploadFormInterceptor` says it of a shorter one.
 */
@Injectable()
export class NamelessFileInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const field = this.reflector.get<string>(UPLOAD_FIELD, context.getHandler());
    return next.handle().pipe(
      catchError((error: unknown) => {
        // Nest's refusal keeps multer's error, with its code and field, as its cause.
        const cause = (error as { cause?: { code?: unknown; field?: unknown } } | null)?.cause;
        throw cause?.code === 'LIMIT_FIELD_VALUE' && cause.field === field ? missingFile(field, true) : error;
      }),
    );
  }
}
