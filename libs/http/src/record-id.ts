import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsUUID, isUUID } from 'class-validator';

/**
 * A record's id, wherever it is given: any UUID, in lower case. PostgreSQL compares \`uuid\` values
 * whatever their case, but stream ids are text (\`delivery-<id>:<post>\`): an id in upper case would
 * name another stream. `UuidPipe` (path parameters), the access guard and `IsRecordId` (bodies,
 * queries) all read ids through `recordId`.
 */
export function recordId(value: unknown): string | undefined {
  return typeof value === 'string' && isUUID(value) ? value.toLowerCase() : undefined;
}

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Text naming records by their ids (a stream's id, `cable-6C26B089-…`): each id in it in lower case, as `recordId` reads one. */
export function recordIdsIn(text: string): string {
  return text.replace(UUID_IN_TEXT, (id) => id.toLowerCase());
}

/** A body or query field that is a record's id: any UUID, kept in lower case (`recordId`). */
export function IsRecordId(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => recordId(value) ?? value),
    IsUUID('all'),
  );
}
