import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RequestsInFlight } from '@chancery/common';

/** How long shutdown waits for requests already being served; new ones get 503 meanwhile. */
const DRAIN_MS = 5_000;

/**
 * Counts the requests being served, so that shutdown lets them finish before the database closes
 * under them (the app answers new ones 503, `return503OnClosing`). Bounded: a request that hangs
 * does not hold the process past DRAIN_MS.
 */
@Injectable()
export class InFlightRequests extends RequestsInFlight implements BeforeApplicationShutdown {
  private readonly logger = new Logger(InFlightRequests.name);
  private count = 0;
  private drained?: () => void;
  /** The one wait of a stop, shared by whoever asks first (the audit sealer) and the shutdown hook. */
  private settling?: Promise<void>;

  /** Paths whose requests never end by themselves (event streams): their owner ends them at a stop, and no wait is held by them. */
  private readonly unending = new Set<string>();

  /** Leaves the requests to `path` out of the count (see `unending`). */
  ignore(path: string): void {
    this.unending.add(path);
  }

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    if (this.unending.has(request.path)) return next();
    this.count++;
    response.once('close', () => {
      this.count--;
      if (this.count === 0) this.drained?.();
    });
    next();
  };

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  settled(): Promise<void> {
    return (this.settling ??= this.drain());
  }

  private async drain(): Promise<void> {
    if (this.count === 0) return;
    const waiting = this.count;
    const finished = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), DRAIN_MS);
      this.drained = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    if (!finished) this.logger.warn(`${this.count} of ${waiting} requests still running after ${DRAIN_MS / 1000} s; closing them`);
  }
}
