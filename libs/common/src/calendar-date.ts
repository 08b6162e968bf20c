import { ensure } from './rules.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether a value is a date-only field's value: YYYY-MM-DD naming a day the (Gregorian) calendar
 * has, leap days included, from 0001-01-01 to 9999-12-31. 2026-02-30, 2027-02-29, 2027-13-01 are
 * not, and neither is 0000-01-01: there was no year 0 (and PostgreSQL refuses it). A day long past
 * (0001-01-01) is a day: the rule that wants a later one says so. (validator.js's strict ISO 8601
 * check, used before, took no year before 100.)
 */
export function isCalendarDate(value: unknown): value is string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);
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
