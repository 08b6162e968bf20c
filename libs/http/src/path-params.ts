import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { recordId } from './record-id.js';

/**
 * A path parameter that is a record's id: any UUID, in lower case (`recordId`; records are made
 * with v4 ids, but an id of another version names no record, so it is a 404 from the route, not a
 * malformed request). Not a UUID: 400 naming the parameter, as validation answers.
 */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, { data }: ArgumentMetadata): string {
    const id = recordId(value);
    if (id) return id;
    const field = data ?? 'id';
    throw new ChanceryError(ErrorCode.ValidationFailed, `${field} must be a UUID`, { errors: [{ field, message: 'must be a UUID' }] });
  }
}

/**
 * A path parameter that counts from 1 (a response's number, an audit entry's seq): else 400 naming
 * it, as validation answers. Nothing is numbered 0, so `responses/0` is a malformed request, not a
 * search that found nothing.
 */
@Injectable()
export class CountingNumberPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    if (/^\d{1,15}$/.test(value) && Number(value) >= 1) return Number(value);
    const field = data ?? 'number';
    throw new ChanceryError(ErrorCode.ValidationFailed, `${field} must be a whole number from 1`, { errors: [{ field, message: 'must be a whole number from 1' }] });
  }
}
