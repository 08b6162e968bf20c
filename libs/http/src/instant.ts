import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate, isISO8601 } from 'class-validator';

/**
 * ISO 8601's extended format as JavaScript reads it exactly: a date alone (its midnight UTC), or a
 * date and time that says its offset (`Z` or `±hh:mm`; a time without one would be read in the
 * server's zone).
 */
const FORMAT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A query parameter that is an instant, written as ISO 8601 (`2026-11-30T09:00:00Z`, or a date for
 * its midnight UTC), read as a `Date`. Only ISO 8601 is taken: JavaScript's `Date` would also read
 * `-1` (as 2001) or `Monday`, and an impossible date (`2026-02-30`) as the next valid one; a time
 * must say its offset (`Z`, `+01:00`).
 */
export function IsInstant(field: string): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      if (typeof value !== 'string') return value;
      // A `+01:00` offset written unencoded in a query string arrives as ` 01:00` (a `+` there means
      // a space): nothing else puts a space at that place, so it is read as the `+` it was.
      const instant = value.replace(/T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?) (\d{2}:\d{2})$/, 'T$1+$2');
      return FORMAT.test(instant) && isISO8601(instant, { strict: true, strictSeparator: true }) ? new Date(instant) : value;
    }),
    IsDate({ message: `${field} must be an ISO 8601 instant` }),
  );
}
