import { isISO8601 } from 'class-validator';
import { ensure } from './rules.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether a value is a date-only field's value: YYYY-MM-DD naming a day the calendar has (as
 * validator.js's strict ISO 8601 check judges it: leap years included, years 100 to 9999).
 * 2026-02-30, 2027-02-29, 2027-13-01 and 0000-01-01 (which PostgreSQL refuses) are not.
 */
export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && isISO8601(value, { strict: true, strictSeparator: true });
}

/**
 * What a date-only field that is not a calendar date is told, at the edge (400) and in the domain
 * (422) alike: one written as a date that names no day (2026-02-30) is told so, with its value
 * (ten characters, of digits and dashes); anything else, the form a date takes.
 */
export function calendarDateMessage(field: string, value?: unknown): string {
  return typeof value === 'string' && DATE.test(value) ? `${field}: ${value} is no day of the calendar` : `${field} must be a date, YYYY-MM-DD`;
}

/** The domain's own check of a date-only field, so that no path stores a day that does not exist. */
export function ensureCalendarDate(value: unknown, field: string): asserts value is string {
  ensure(isCalendarDate(value), field, calendarDateMessage(field, value));
}
