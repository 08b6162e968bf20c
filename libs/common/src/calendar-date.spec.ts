import { ChanceryError } from './errors.js';
import { calendarDateMessage, ensureCalendarDate, isCalendarDate } from './calendar-date.js';

describe('calendar dates', () => {
  it('takes YYYY-MM-DD naming a day that exists, leap days included, from the first year of the era to 9999', () => {
    for (const date of ['2026-11-29', '2026-12-31', '2026-01-31', '2026-04-30', '2028-02-29', '2000-02-29', '0100-01-01', '9999-12-31', '0001-01-01', '0099-12-31', '0004-02-29', '0400-02-29']) {
      expect({ date, valid: isCalendarDate(date) }).toEqual({ date, valid: true });
    }
  });

  it('refuses a day the calendar does not have, and anything not written YYYY-MM-DD', () => {
    const refused = [
      '2026-02-30', '2026-04-31', '2026-11-31', '2027-02-29', '2100-02-29', '2027-13-01', '2027-00-10', '2027-01-00', '2026-12-32', '0000-01-01', '0100-02-29', '0001-02-29',
      '2026-1-01', '26-11-29', '2026-11-29T00:00:00Z', ' 2026-11-29', '2026/11/29', '２０２６-11-29', '', 'soon',
    ];
    for (const date of refused) expect({ date, valid: isCalendarDate(date) }).toEqual({ date, valid: false });
    for (const value of [null, undefined, 20261129, new Date('2026-11-29'), ['2026-11-29']]) expect(isCalendarDate(value)).toBe(false);
  });

  it('is ensured with a rule that names the field, as the edge says it', () => {
    expect(() => ensureCalendarDate('2026-11-29', 'dueOn')).not.toThrow();
    let caught: unknown;
    try {
      ensureCalendarDate('2026-02-30', 'dueOn');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ChanceryError);
    expect(caught).toMatchObject({ code: 'RULE_VIOLATED', details: { errors: [{ field: 'dueOn', message: 'dueOn: 2026-02-30 is no day of the calendar' }] } });
    expect(calendarDateMessage('receivedOn')).toBe('receivedOn must be a date, YYYY-MM-DD');
    expect(calendarDateMessage('receivedOn', '2026-1-1')).toBe('receivedOn must be a date, YYYY-MM-DD');
    expect(calendarDateMessage('receivedOn', '2027-02-29')).toBe('receivedOn: 2027-02-29 is no day of the calendar');
  });
});
