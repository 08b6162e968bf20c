import { IsOptional, validateSync } from 'class-validator';
import { IsCalendarDate } from './calendar-date.validator.js';

describe('IsCalendarDate', () => {
  class Dated {
    @IsCalendarDate() on: unknown;
    @IsOptional() @IsCalendarDate() dueOn?: unknown;
  }
  const problems = (value: object) => validateSync(Object.assign(new Dated(), value)).map((e) => [e.property, Object.values(e.constraints ?? {})]);

  it('validates a date-only field at the edge, saying what the domain says', () => {
    expect(problems({ on: '2028-02-29' })).toEqual([]);
    expect(problems({ on: '2026-04-31' })).toEqual([['on', ['on: 2026-04-31 is no day of the calendar']]]);
    expect(problems({ on: 20260431, dueOn: '2027-13-01' })).toEqual([['on', ['on must be a date, YYYY-MM-DD']], ['dueOn', ['dueOn: 2027-13-01 is no day of the calendar']]]);
  });
});
