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

/**
 * The requests a process is serving, as a stop sees them: `settled()` resolves once those being
 * served when it is first asked have finished (or a bound has passed). A background loop whose
 * last work must follow every answered command (the audit sealer's last seal) waits for it.
 */
export abstract class RequestsInFlight {
  abstract settled(): Promise<void>;
}
