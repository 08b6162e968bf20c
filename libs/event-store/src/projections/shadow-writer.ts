import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { ReplayWriter } from './projection.js';

/**
 * A replay's writer into its shadow schema (see `ReplayWriter`). In the background, each piece of
 * work gets a pooled connection and a transaction of its own (not waiting for the WAL flush: a
 * crash loses the shadow tables anyway); at most one runs at a time, and a failure is thrown by
 * the next `write` or `drain`. Inline, the work runs in the rebuild's page transaction, whose
 * search_path already points at the shadow schema.
 */
export class ShadowWriter implements ReplayWriter {
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    readonly copy: boolean,
    /** The rebuild's own connection, when there is no second one to write on. */
    private readonly inline?: QueryRunner,
  ) {}

  async write(work: (tx: EntityManager) => Promise<void>): Promise<void> {
    if (this.inline) return work(this.inline.manager);
    await this.pending;
    this.pending = this.run(work);
    this.pending.catch(() => undefined); // thrown by the next write or drain
  }

  drain(): Promise<void> {
    return this.pending;
  }

  private async run(work: (tx: EntityManager) => Promise<void>): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('READ COMMITTED');
      await runner.query('SET LOCAL synchronous_commit TO off');
      await runner.query(`SET LOCAL search_path TO ${this.schema}, public`);
      await work(runner.manager);
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
