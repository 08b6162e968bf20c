import { Clock, DepartmentCalendar, dayIn } from './clock.js';

class FixedClock extends Clock {
  constructor(private readonly at: string) {
    super();
  }
  now(): Date {
    return new Date(this.at);
  }
}

describe('days on a time zone’s calendar', () => {
  it('reads the day an instant falls on in the zone, across its midnight and its changes of offset', () => {
    // Washington is five hours behind Greenwich in winter, four in summer.
    expect(dayIn(new Date('2026-12-07T04:59:59Z'), 'America/New_York')).toBe('2026-12-06');
    expect(dayIn(new Date('2026-12-07T05:00:00Z'), 'America/New_York')).toBe('2026-12-07');
    expect(dayIn(new Date('2026-07-07T03:59:59Z'), 'America/New_York')).toBe('2026-07-06');
    expect(dayIn(new Date('2026-07-07T04:00:00Z'), 'America/New_York')).toBe('2026-07-07');
    expect(dayIn(new Date('2026-12-31T23:59:59Z'), 'UTC')).toBe('2026-12-31');
    // East of Greenwich, a day ahead; a year's turn too.
    expect(dayIn(new Date('2026-12-31T15:00:00Z'), 'Asia/Tokyo')).toBe('2027-01-01');
  });

  it('says the Department’s day now, and at an instant', () => {
    const calendar = new DepartmentCalendar(new FixedClock('2026-12-07T00:30:00Z'), 'America/New_York');
    expect(calendar.today()).toBe('2026-12-06');
    expect(calendar.dayOf('2026-12-07T12:00:00Z')).toBe('2026-12-07');
    expect(new DepartmentCalendar(new FixedClock('2026-12-07T00:30:00Z'), 'UTC').today()).toBe('2026-12-07');
  });
});
