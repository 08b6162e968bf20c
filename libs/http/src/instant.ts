import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { isISO8601, ValidateBy } from 'class-validator';
import { isCalendarDate } from '@chancery/common';

/**
 * ISO 8601's extended format as JavaScript reads it exactly: a date alone (its midnight UTC), or a
 * date and time that says its offset (`Z` or `±hh:mm`; a time without one would be read in the
 * server's zone).
 */
const FORMAT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** The instants taken: the calendar's days (`isCalendarDate`), from the first of the era to the last of 9999, in UTC. */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Whether `text` is an ISO 8601 instant in `FORMAT`, its date one the calendar has (leap days
 * included). ISO 8601 counts a year 0000 (1 BC), which the range of instants taken leaves out:
 * its days are the days of year 400's, a year of the same leap rule.
 */
function isIsoInstant(text: string): boolean {
  const day = text.slice(0, 10);
  return FORMAT.test(text) && isISO8601(text, { strictSeparator: true }) && isCalendarDate(day.startsWith('0000') ? `0400${day.slice(4)}` : day);
}

/**
 * A query parameter that is an instant, written as ISO 8601 (`2026-11-30T09:00:00Z`, or a date for
 * its midnight UTC), read as a `Date`. Only ISO 8601 is taken: JavaScript's `Date` would also read
 * `-1` (as 2001) or `Monday`, and an impossible date (`2026-02-30`) as the next valid one; a time
 * must say its offset (`Z`, `+01:00`). One outside the range taken (`0000-06-01`, year 0 or 1 BC;
 * `0001-01-01T00:00:00+01:00`, an hour before the era) is told the range.
 */
export function IsInstant(field: string): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      if (typeof value !== 'string') return value;
      // A `+01:00` offset written unencoded in a query string arrives as ` 01:00` (a `+` there means
      // a space): nothing else puts a space at that place, so it is read as the `+` it was.
      const instant = value.replace(/T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?) (\d{2}:\d{2})$/, 'T$1+$2');
      if (!isIsoInstant(instant)) return value;
      const read = new Date(instant);
      return read.getTime() >= EARLIEST && read.getTime() <= LATEST ? read : instant;
    }),
    ValidateBy({
      name: 'isInstant',
      validator: {
        validate: (value) => value instanceof Date,
        defaultMessage: (args) =>
          typeof args?.value === 'string' && isIsoInstant(args.value)
            ? `${field} must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z`
            : `${field} must be an ISO 8601 instant`,
      },
    }),
  );
}
