import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { sql } from '@chancery/database';
import { checkpointOf, EventStore } from '../store/event-store.js';
import { type Checkpoint, type RecordedEvent, START_OF_FEED } from '../store/event-store.types.js';
import { FEED_CHANNEL } from './feed-notifier.js';
import { type Projection, relevantTo } from './projection.js';
import { ProjectionRegistry } from './projection.registry.js';

export interface ProjectionRunnerOptions {
  batchSize: number;
  pollMs: number;
  /** Where to LISTEN for new events; absent in embedded mode (PGlite has one connection). */
  listenUrl?: string;
  /** How often a failing event is retried before it is parked as a dead letter. */
  maxAttempts?: number;
}

export interface ProjectionStatus {
  name: string;
  mode: 'async' | 'inline';
  checkpoint: Checkpoint;
  lag: number;
  deadLetters: number;
  updatedAt: Date | null;
}

const LOCK_NAMESPACE = 0x43484e43; // "CHNC"
/** Events per page when rebuilding: larger than a live batch, since nothing else waits on it. */
const REBUILD_BATCH = 5000;
const BUSY = -1;

/**
 * Feeds async projections from the global feed. Each batch runs in one transaction that holds the
 * projection's advisory lock, reads its checkpoint, applies the events and moves the checkpoint, so
 * two runners never apply an event twice. It wakes on NOTIFY, on in-process appends, or by polling.
 */
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private listener?: pg.Client;
  private readonly onAppended = () => this.wake?.();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly options: ProjectionRunnerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.store.signals.on('appended', this.onAppended);
    if (this.options.listenUrl) void this.listen(this.options.listenUrl);
    this.loop = this.runLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.store.signals.off('appended', this.onAppended);
    this.wake?.();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Applies one batch to a projection: the number of events read, 0 when caught up, -1 when busy. */
  async runBatch(projection: Projection): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction('READ COMMITTED');
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked', [LOCK_NAMESPACE, projection.name]);
      if (!locked) {
        await runner.rollbackTransaction();
        return BUSY;
      }
      // Read before writing anything: this transaction's own id would hold the watermark back.
      const checkpoint = await this.checkpoint(runner, projection.name);
      const events = await this.store.readAll(checkpoint, this.options.batchSize, runner.manager);
      if (events.length === 0) {
        await runner.rollbackTransaction();
        return 0;
      }
      await this.applyAndAdvance(runner, projection, events);
      await runner.commitTransaction();
      return events.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Runs batches until the projection has read everything below the watermark. */
  async catchUp(name?: string): Promise<void> {
    for (const projection of this.select(name)) {
      for (let read = await this.runBatch(projection); read !== 0; read = await this.runBatch(projection)) {
        if (read === BUSY) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /**
   * Empties a projection's tables and replays the whole feed into them, in one transaction: readers
   * see the old tables until the new ones are complete. Waits for a live runner's batch to finish.
   * It reads only the event types the projection folds, in pages of REBUILD_BATCH.
   */
  async rebuild(name: string, onProgress?: (done: number, total: number) => void): Promise<number> {
    const projection = this.registry.find(name);
    if (!projection) throw new Error(`No projection named ${name}; known: ${this.registry.all.map((p) => p.name).join(', ') || 'none'}`);
    const inline = this.registry.inline.includes(projection);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction('READ COMMITTED');
    try {
      await runner.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, projection.name]);
      const types = projection.handles ?? null;
      const [{ total }] = await runner.query('SELECT count(*)::int AS total FROM events WHERE $1::text[] IS NULL OR type = ANY($1::text[])', [types]);
      await projection.reset(runner.manager);
      await runner.query('DELETE FROM projection_dead_letters WHERE projection = $1', [projection.name]);
      const head = await this.store.lastCheckpoint(runner.manager, { watermark: !inline });
      let checkpoint = START_OF_FEED;
      let done = 0;
      onProgress?.(0, total);
      for (;;) {
        // An inline projection's writers are locked out by reset (TRUNCATE), so it takes in every
        // committed event; an async one stops at the watermark and its runner does the rest.
        const events = await this.store.readAll(checkpoint, REBUILD_BATCH, runner.manager, { watermark: !inline, types: projection.handles });
        if (events.length === 0) break;
        await this.applyAndAdvance(runner, projection, events);
        checkpoint = checkpointOf(events[events.length - 1]);
        done += events.length;
        onProgress?.(done, Math.max(total, done));
      }
      // Past the events of other types too, so that the projection shows no lag for them: up to the
      // feed's end as it was when the rebuild began. (Not as it is now: a relevant event committed
      // since the last page was read must still be read by the runner.)
      if (head && isAfter(head, checkpoint)) await this.saveCheckpoint(runner, projection.name, head);
      await runner.commitTransaction();
      return done;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    const rows = await sql<{ name: string; transaction_id: string; global_position: string; updated_at: Date; lag: number; dead: number }>(
      this.dataSource,
      `SELECT c.name, c.transaction_id::text AS transaction_id, c.global_position, c.updated_at,
              (SELECT count(*)::int FROM events e WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)) AS lag,
              (SELECT count(*)::int FROM projection_dead_letters d WHERE d.projection = c.name) AS dead
       FROM projection_checkpoints c`,
    );
    const byName = new Map(rows.map((row) => [row.name, row]));
    const [{ total }] = await sql<{ total: number }>(this.dataSource, 'SELECT count(*)::int AS total FROM events');
    return this.registry.all.map((projection) => {
      const row = byName.get(projection.name);
      const inline = this.registry.inline.includes(projection);
      return {
        name: projection.name,
        mode: inline ? 'inline' : 'async',
        checkpoint: row ? { transactionId: row.transaction_id, globalPosition: Number(row.global_position) } : START_OF_FEED,
        lag: inline ? 0 : (row?.lag ?? total),
        deadLetters: row?.dead ?? 0,
        updatedAt: row?.updated_at ?? null,
      };
    });
  }

  private select(name?: string): Projection[] {
    if (!name) return this.registry.async;
    const projection = this.registry.async.find((p) => p.name === name);
    if (!projection) throw new Error(`No async projection named ${name}`);
    return [projection];
  }

  private async checkpoint(runner: QueryRunner, name: string): Promise<Checkpoint> {
    const [row] = await runner.query('SELECT transaction_id::text AS transaction_id, global_position FROM projection_checkpoints WHERE name = $1', [name]);
    return row ? { transactionId: row.transaction_id, globalPosition: Number(row.global_position) } : START_OF_FEED;
  }

  /** Applies a batch; if it fails, applies it event by event and parks the ones that keep failing. */
  private async applyAndAdvance(runner: QueryRunner, projection: Projection, events: RecordedEvent[]): Promise<void> {
    const relevant = relevantTo(projection, events);
    if (relevant.length > 0) {
      await runner.query('SAVEPOINT projection_batch');
      try {
        await projection.apply(runner.manager, relevant);
        await runner.query('RELEASE SAVEPOINT projection_batch');
      } catch {
        await runner.query('ROLLBACK TO SAVEPOINT projection_batch');
        for (const event of relevant) await this.applyOne(runner, projection, event);
      }
    }
    await this.saveCheckpoint(runner, projection.name, checkpointOf(events[events.length - 1]));
  }

  private async saveCheckpoint(runner: QueryRunner, name: string, checkpoint: Checkpoint): Promise<void> {
    await runner.query(
      `INSERT INTO projection_checkpoints (name, transaction_id, global_position, updated_at)
       VALUES ($1, $2::xid8, $3, now())
       ON CONFLICT (name) DO UPDATE
         SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, updated_at = now()`,
      [name, checkpoint.transactionId, checkpoint.globalPosition],
    );
  }

  private async applyOne(runner: QueryRunner, projection: Projection, event: RecordedEvent): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await runner.query('SAVEPOINT projection_event');
      try {
        await projection.apply(runner.manager, [event]);
        await runner.query('RELEASE SAVEPOINT projection_event');
        return;
      } catch (error) {
        lastError = error;
        await runner.query('ROLLBACK TO SAVEPOINT projection_event');
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    this.logger.error(`${projection.name}: parked event ${event.globalPosition} (${event.type}) after ${maxAttempts} attempts: ${message}`);
    await runner.query(
      `INSERT INTO projection_dead_letters (projection, global_position, event_id, event_type, stream_id, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (projection, global_position) DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, parked_at = now()`,
      [projection.name, event.globalPosition, event.eventId, event.type, event.streamId, message, maxAttempts],
    );
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        for (const projection of this.registry.async) {
          if (!this.running) break;
          const read = await this.runBatch(projection);
          if (read >= this.options.batchSize) more = true;
        }
      } catch (error) {
        this.logger.error(`Projection batch failed, retrying after ${this.options.pollMs} ms: ${(error as Error).message}`);
      }
      if (!more && this.running) await this.sleep(this.options.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: 'chancery-projections' });
    const retry = () => {
      if (this.listener === client) this.listener = undefined;
      if (this.running) setTimeout(() => void this.listen(url), this.options.pollMs);
    };
    client.on('notification', () => this.wake?.());
    client.on('error', (error) => this.logger.warn(`LISTEN connection lost (${error.message}); polling until it is back`));
    client.on('end', retry);
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
      if (!this.running) return void (await client.end());
      this.listener = client;
    } catch (error) {
      this.logger.warn(`Cannot LISTEN (${(error as Error).message}); polling every ${this.options.pollMs} ms`);
      client.removeListener('end', retry);
      await client.end().catch(() => undefined);
      retry();
    }
  }
}

function isAfter(a: Checkpoint, b: Checkpoint): boolean {
  const [ta, tb] = [BigInt(a.transactionId), BigInt(b.transactionId)];
  return ta > tb || (ta === tb && a.globalPosition > b.globalPosition);
}
