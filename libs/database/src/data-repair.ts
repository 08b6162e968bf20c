import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProcessOptions } from '@chancery/config';
import { sql } from './sql.js';
import { whileBusy } from './while-busy.js';

/**
 * A repair of what an earlier version of Chancery stored, run once per database: in the background
 * from the start of a process that seeds (not awaited: the server answers meanwhile), over the
 * candidates a subclass finds, each repaired as the subclass says (through the event store, as a
 * command would). A candidate that fails is logged and left for the next start, and the repair is
 * then not recorded done; a run with no failure records it in `data_repairs` (`changed`: summed
 * when two processes ran it at once, each repairing what the other had not). A shutdown lets it
 * finish the candidate it is at.
 */
export abstract class DataRepair<C> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private running: Promise<number> = Promise.resolve(0);
  private stopping = false;

  protected constructor(
    /** Its name in `data_repairs`, and the request id of its audit entries. */
    readonly name: string,
    protected readonly dataSource: DataSource,
    private readonly process: ProcessOptions,
  ) {}

  /** What needs looking at: candidates, some of which `repair` may find sound. */
  protected abstract candidates(): Promise<C[]>;
  /** Repairs one candidate if it needs it; whether it did. */
  protected abstract repair(candidate: C): Promise<boolean>;
  /** A candidate named in a log line. */
  protected abstract describe(candidate: C): string;
  /** The log line for a run that repaired `count` candidates (more than none). */
  protected abstract repaired(count: number): string;

  onApplicationBootstrap(): void {
    if (!this.process.seedData) return;
    this.running = this.whileBusy(() => this.run()).catch((error: unknown) => {
      this.logger.error({ err: error }, `The ${this.name} repair failed; it runs again at the next start`);
      return 0;
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** The run that the start began, once it is over. */
  whenDone(): Promise<number> {
    return this.running;
  }

  /** Runs work again while the database is busy (with the start's own work, say), until shutdown. */
  private whileBusy<T>(work: () => Promise<T>): Promise<T> {
    return whileBusy(work, { logger: this.logger, what: `the ${this.name} repair`, stopping: () => this.stopping });
  }

  /** Runs the repair unless it ran already; answers how many candidates it repaired. */
  async run(): Promise<number> {
    const [done] = await sql(this.dataSource, 'SELECT 1 FROM data_repairs WHERE name = $1', [this.name]);
    if (done) return 0;
    let count = 0;
    let failed = 0;
    for (const candidate of await this.candidates()) {
      if (this.stopping) return count;
      try {
        if (await this.whileBusy(() => this.repair(candidate))) count++;
      } catch (error) {
        failed++;
        this.logger.error({ err: error }, `${this.describe(candidate)} could not be checked; it will be at the next start`);
      }
    }
    if (failed === 0) {
      await sql(
        this.dataSource,
        'INSERT INTO data_repairs (name, changed) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET changed = data_repairs.changed + excluded.changed',
        [this.name, count],
      );
    }
    if (count > 0) this.logger.log(this.repaired(count));
    return count;
  }
}
