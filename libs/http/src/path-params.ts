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
 * search that found nothing. A number past the largest a route reads exactly (2^53 - 1) is told
 * that range: `9007199254740993` is a whole number, not one it can look up.
 */
@Injectable()
export class CountingNumberPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    const digits = /^\d+$/.test(value);
    if (digits && Number(value) >= 1 && Number.isSafeInteger(Number(value))) return Number(value);
    const message = digits && Number(value) >= 1 ? `must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}` : 'must be a whole number from 1';
    const field = data ?? 'number';
    throw new ChanceryError(ErrorCode.ValidationFailed, `${field} ${message}`, { errors: [{ field, message }] });
  }
}

/**
 * A path parameter that is a code written in capitals (a post's `BEIJING`, a collective's
 * `EAP_POSTS`): read in any case, as record ids are, so `/posts/tokyo` is Tokyo and every check
 * after the pipe (the officer's own post, the delivery's stream) sees the code as stored. One that
 * could be no such code is a 400 naming the parameter.
 */
@Injectable()
export class CapitalCodePipe implements PipeTransform<string, string> {
  constructor(
    private readonly pattern: RegExp,
    private readonly example: string,
  ) {}

  transform(value: string, { data }: ArgumentMetadata): string {
    const code = value.toUpperCase();
    if (this.pattern.test(code)) return code;
    const field = data ?? 'code';
    const message = `must be ${this.example}`;
    throw new ChanceryError(ErrorCode.ValidationFailed, `${field} ${message}`, { errors: [{ field, message }] });
  }
}

/** A post's code in a path: 3 to 24 letters (the posts' own rule), in any case. */
export const postCodeParam = new CapitalCodePipe(/^[A-Z]{3,24}$/, 'a post code such as BEIJING');
/** A collective's code in a path: ALDAC, ALLDP or a bureau's `EAP_POSTS`, in any case. */
export const collectiveCodeParam = new CapitalCodePipe(/^[A-Z]{2,8}(_POSTS)?$/, 'a collective such as ALDAC or EAP_POSTS');
