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

/** A path parameter that is a whole number (a response's number, an entry's seq): else 400 naming it, as validation answers. */
@Injectable()
export class WholeNumberPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    if (/^\d{1,15}$/.test(value)) return Number(value);
    const field = data ?? 'number';
    throw new ChanceryError(ErrorCode.ValidationFailed, `${field} must be a whole number`, { errors: [{ field, message: 'must be a whole number' }] });
  }
}
