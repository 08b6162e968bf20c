/** The time, injectable so that tests can move it. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** YYYY-MM-DD of an instant, in UTC. */
export function utcDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** YYYY-MM-DD of an instant on the calendar of an IANA time zone (`America/New_York`). */
export function dayIn(instant: Date, timeZone: string): string {
  if (timeZone === 'UTC') return utcDate(instant);
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year.padStart(4, '0')}-${parts.month}-${parts.day}`;
}

/**
 * What day it is for the Department's deadlines: a follow-up's due date, a campaign's report-by
 * date, the dates that may not be in the past. They are Washington's days (`DEPARTMENT_TIME_ZONE`),
 * not Greenwich's, which begin at 19:00 there in winter: a follow-up due today would turn overdue,
 * and escalate to its bureau, in the desk officer's evening. (What a post dates in its own day,
 * a meeting, is judged by the furthest zones instead: see the delivery handler.)
 */
export class DepartmentCalendar {
  constructor(
    private readonly clock: Clock,
    readonly timeZone: string,
  ) {}

  /** The Department's day now. */
  today(): string {
    return dayIn(this.clock.now(), this.timeZone);
  }

  /** The Department's day at an instant. */
  dayOf(instant: Date | string): string {
    return dayIn(typeof instant === 'string' ? new Date(instant) : instant, this.timeZone);
  }
}

/**
 * The requests a process is serving, as a stop sees them: `settled()` resolves once those being
 * served when it is first asked have finished (or a bound has passed). A background loop whose
 * last work must follow every answered command (the audit sealer's last seal) waits for it.
 */
export abstract class RequestsInFlight {
  abstract settled(): Promise<void>;
}
