import type { Logger } from '@nestjs/common';
import { backoff, ChanceryError, ErrorCode } from '@chancery/common';
import { isContentionError } from './sql.js';

/** Whether a failure was the database being busy: contention, or a command refused as busy for it. */
export function isBusy(error: unknown): boolean {
  return isContentionError(error) || (error instanceof ChanceryError && error.code === ErrorCode.DatabaseBusy);
}

export interface WhileBusyOptions {
  /** Says, once, that the work is waiting. */
  logger: Pick<Logger, 'warn'>;
  /** The work, named in that line. */
  what: string;
  /** How long to keep trying before the last busy failure is thrown (default two minutes). */
  withinMs?: number;
  /** Gives up at once, with the last failure, once true (a shutdown). */
  stopping?: () => boolean;
}

/**
 * Runs work that must be done, not answered (the start's seeding, a repair), again while the
 * database is busy: every connection taken for DB_ACQUIRE_TIMEOUT_MS, or transactions colliding.
 * A request is answered 503 so its client retries; a start has no client, and would fail for a
 * moment's contention with its own background loops. Any other failure is thrown at once.
 */
export async function whileBusy<T>(work: () => Promise<T>, options: WhileBusyOptions): Promise<T> {
  const until = Date.now() + (options.withinMs ?? 120_000);
  for (let tryNo = 1; ; tryNo++) {
    try {
      return await work();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= until || options.stopping?.()) throw error;
      if (tryNo === 1) options.logger.warn(`The database is busy; ${options.what} waits for it`);
      await new Promise((resolve) => setTimeout(resolve, backoff(tryNo, 100, 2_000)));
    }
  }
}
