import { ValidateBy, type ValidationOptions } from 'class-validator';
import { calendarDateMessage, isCalendarDate } from '@chancery/common';

/**
 * class-validator's check of a date-only field in a request: YYYY-MM-DD naming a day the calendar
 * has (`isCalendarDate`), else a 400 naming the field ("dueOn must be a date, YYYY-MM-DD").
 */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isCalendarDate', validator: { validate: (value) => isCalendarDate(value), defaultMessage: (args) => calendarDateMessage(args?.property ?? 'date', args?.value) } },
    options,
  );
}
