import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { Alarm, ChanceryError, ErrorCode } from '@chancery/common';
import { isContentionError, pgError, sql } from '@chancery/database';
import { checkpointOf, EventStore } from '../store/event-store.js';
import { type Checkpoint, type RecordedEvent, START_OF_FEED } from '../store/event-store.types.js';
import { FEED_CHANNEL } from './feed-notifier.js';
import { handlesType, type Projection, type ProjectionKind, type Reaction, type ReadModel, relevantTo, type Replay } from './projection.js';
import { ProjectionRegistry } from './projection.registry.js';
import { createShadowIndexes, createShadowTables, DEAD_LETTERS, setLogged, shadowSchemaOf, swapInShadowTables } from './shadow-tables.js';
import { ShadowWriter } from './shadow-writer.js';
import { isTransient, messageOf } from './transient-errors.js';

export interface ProjectionRunnerOptions {
  batchSize: number;
  pollMs: number;
  /** Where to LISTEN for new events; absent in embedded mode (PGlite has one connection). */
  listenUrl?: string;
  /** How often a failing event is tried: a read model then parks it, a reaction stops at it. */
  maxAttempts?: number;
  /** First pause after a failed batch, doubled at each failure in a row up to a minute. */
  retryBaseMs?: number;
  /** A rebuild reads its next page, and a replay writes, on other connections while it folds a page (default: pool > 1). */
  readAhead?: boolean;
  /** Events a rebuild reads and folds at a time (default 5,000). */
  rebuildBatch?: number;
  /** The connection speaks COPY FROM STDIN, which a replay writes with (not PGlite's socket; default: pool > 1). */
  copy?: boolean;
  /** A rebuild's shadow tables are UNLOGGED while replaying, and made LOGGED before the swap. */
  unloggedRebuild?: boolean;
  /** Fill factor of a rebuild's shadow tables while replaying (default 70: room for HOT updates); the live table's after. */
  rebuildFillfactor?: number;
  /** How long a rebuild's swap waits for its tables' locks before it backs off and tries again. */
  swapLockTimeoutMs?: number;
  /**
   * After a round that found events (and did not fill a batch), the loop waits this long before the
   * next, appends or no (default 50 ms): under a stream of commands it takes their events in batches
   * instead of running a round (two statements and a commit for each reaction) for every few.
   */
  settleMs?: number;
}

export type ProjectionState = 'running' | 'caught-up' | 'stopped';

/** The event a projection last failed on, and whether that stopped it. */
export interface ProjectionFailure {
  error: string;
  attempts: number;
  globalPosition: number;
  eventId: string;
  eventType: string;
  failedAt: Date;
  stoppedAt: Date | null;
}

export interface ProjectionStatus {
  name: string;
  kind: ProjectionKind;
  mode: 'async' | 'inline';
  state: ProjectionState;
  checkpoint: Checkpoint;
  lag: number;
  deadLetters: number;
  updatedAt: Date | null;
  /** Set while a reaction is failing (retried) or stopped; null otherwise. */
  failure: ProjectionFailure | null;
}

export interface RebuildResult {
  /** Events of the types it folds, replayed into the new tables. */
  replayed: number;
  /** Events parked as dead letters in the new tables' run (they failed, or could not be upcast). */
  parked: number;
}

export interface RedriveResult {
  name: string;
  kind: ProjectionKind;
  /** A reaction: whether it was stopped (it now retries the event it stopped at). */
  resumed?: boolean;
  /** A read model: dead letters that applied this time (removed), and those still failing (kept). */
  applied?: number;
  stillParked?: number;
}

/** A reaction failed on an event; the failure is recorded on its checkpoint row, committed. */
export class ReactionFailedError extends Error {
  constructor(
    readonly projection: string,
    readonly event: RecordedEvent,
    readonly attempts: number,
    readonly stopped: boolean,
    cause: string,
  ) {
    super(`${projection} failed on event ${event.globalPosition} (${event.type}), attempt ${attempts}${stopped ? ', stopped' : ''}: ${cause}`);
  }
}

interface CheckpointRow {
  transaction_id: string;
  global_position: string;
  attempts: number;
  error_position: string | null;
  stopped_at: Date | null;
}

interface StatusRow {
  name: string;
  transaction_id: string;
  global_position: string;
  updated_at: Date;
  lag: number;
  dead: number;
  attempts: number;
  error: string | null;
  error_position: string | null;
  error_event_id: string | null;
  error_event_type: string | null;
  failed_at: Date | null;
  stopped_at: Date | null;
}

interface DeadLetterRow {
  id: string;
  global_position: string;
  event_id: string;
  stream_id: string;
}

const LOCK_NAMESPACE = 0x43484e43; // "CHNC": a projection's batches
const REBUILD_NAMESPACE = 0x52424c44; // "RBLD": one rebuild of a projection at a time
/** Events per page when rebuilding: larger than a live batch, since nothing else waits on it. */
const REBUILD_BATCH = 5000;
const MAX_BACKOFF_MS = 60_000;
const BUSY = -1;
/** How many events a rebuild folds between two reports of its progress. */
const PROGRESS_STEP = 500;

const CHECKPOINT_COLUMNS = 'transaction_id::text AS transaction_id, global_position, attempts, error_position, stopped_at';

/**
 * Feeds async projections from the global feed. Each batch runs in one transaction that holds the
 * projection's advisory lock, reads its checkpoint, applies the events and moves the checkpoint, so
 * two runners never apply an event twice. It wakes on NOTIFY, on in-process appends, or by polling.
 * Each projection is run and backed off on its own: one that keeps failing holds up no other.
 */
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private running = false;
  private loop?: Promise<void>;
  private readonly alarm = new Alarm();
  /** Rung only by `stop`: cuts short the settling pause between busy rounds. */
  private readonly stopping = new Alarm();
  private listener?: pg.Client;
  /** Projections whose last batch failed: failures in a row, and not to be tried before `until`. */
  private readonly backoff = new Map<string, { failures: number; until: number }>();
  private readonly onAppended = () => this.alarm.wake();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly options: ProjectionRunnerOptions,
  ) {}

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? 3;
  }

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
    this.alarm.wake();
    this.stopping.wake();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /**
   * Applies one batch to a projection: the number of events read, 0 when caught up (or stopped), -1
   * when busy. A reaction that fails on an event throws ReactionFailedError, after committing what
   * it did before that event and the failure.
   */
  async runBatch(projection: Projection): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    // READ COMMITTED, PostgreSQL's default (naming it costs a statement a batch): each statement
    // below sees what committed before it, the checkpoint read included, once the lock is ours.
    await beginOrRelease(runner);
    let failure: ReactionFailedError | undefined;
    let read: number;
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked', [LOCK_NAMESPACE, projection.name]);
      if (!locked) {
        await runner.rollbackTransaction();
        return BUSY;
      }
      // Read before writing anything: this transaction's own id would hold the watermark back.
      const state = await this.state(runner, projection.name);
      // Events of types it does not handle only move its checkpoint: they come without their data.
      const decode = projection.handles;
      const events = state.stopped_at ? [] : await this.store.readAll(checkpointFrom(state), this.options.batchSize, runner.manager, { decode });
      if (events.length === 0) {
        await runner.rollbackTransaction();
        return 0;
      }
      if (projection.kind === 'reaction') failure = await this.react(runner, projection, events, state);
      else {
        await this.fold(runner, projection, events);
        await this.saveCheckpoint(runner, projection.name, checkpointOf(events[events.length - 1]));
      }
      await runner.commitTransaction();
      read = events.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    if (failure) throw failure;
    return read;
  }

  /**
   * Runs batches until the projection has read every event committed before the call, or has
   * stopped. The watermark may hold those events back for a while: a transaction still open anywhere
   * on the server (another database's included: transaction ids are the server's) keeps the feed
   * from passing its id, so an empty batch is waited out, up to `timeoutMs`, not taken for the end.
   * Failures are retried after the runner's backoff (a transient one a bounded number of times).
   */
  async catchUp(name?: string, timeoutMs = 30_000): Promise<void> {
    const target = await this.store.lastCheckpoint(this.dataSource, { watermark: false });
    if (!target) return;
    const deadline = Date.now() + timeoutMs;
    for (const projection of this.select(name)) {
      let transientFailures = 0;
      for (;;) {
        let read: number;
        try {
          read = await this.runBatch(projection);
        } catch (error) {
          if (!(error instanceof ReactionFailedError) && !(isTransient(error) && ++transientFailures < 20)) throw error;
          await delay(this.backoffAfter(projection.name, error));
          continue;
        }
        this.backoff.delete(projection.name);
        if (read > 0) continue;
        if (read === 0 && (await this.reached(projection.name, target))) break;
        if (Date.now() > deadline) {
          throw new Error(`Projection ${projection.name} did not catch up within ${timeoutMs} ms: a transaction still open on the server holds the feed back`);
        }
        await delay(20);
      }
    }
  }

  /** Whether a projection has read up to `target`, or has stopped (it reads nothing more until redriven). */
  private async reached(name: string, target: Checkpoint): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT ${CHECKPOINT_COLUMNS} FROM projection_checkpoints WHERE name = $1`, [name]);
    if (!row) return false;
    if (row.stopped_at) return true;
    const at = checkpointFrom(row);
    const [mine, theirs] = [BigInt(at.transactionId), BigInt(target.transactionId)];
    return mine > theirs || (mine === theirs && at.globalPosition >= target.globalPosition);
  }

  /**
   * Rebuilds a read model from the whole feed without stopping the world. The events it folds are
   * replayed into shadow copies of its tables (schema `rebuild_<name>`), page by page in short
   * transactions whose search_path puts the shadow schema first, while readers read and commands
   * write the live tables, and other projections run. Then one short transaction takes the
   * projection's advisory lock and its live tables' locks (which holds its writers back for that
   * long only), applies what was committed since the last page, swaps the shadow tables in by
   * rename and saves the checkpoint. A reaction is refused: replaying would send its commands again.
   */
  async rebuild(name: string, onProgress?: (done: number, total: number) => void): Promise<RebuildResult> {
    return (await this.rebuildTogether([name], onProgress))[name];
  }

  /**
   * Rebuilds several read models (all of them when `names` is absent) reading the feed once: each
   * page is folded into every one's shadow tables in one transaction, then each catches up and is
   * swapped in on its own, as `rebuild` does. Progress counts the events read.
   */
  async rebuildTogether(names?: readonly string[], onProgress?: (done: number, total: number) => void): Promise<Record<string, RebuildResult>> {
    const targets = (names ?? this.registry.all.filter((p) => p.kind === 'read-model').map((p) => p.name)).map((name): RebuildTarget => {
      const projection = this.registry.find(name);
      if (!projection) throw new ChanceryError(ErrorCode.NotFound, `No projection named ${name}; known: ${this.registry.all.map((p) => p.name).join(', ') || 'none'}`);
      if (projection.kind === 'reaction') {
        throw new ChanceryError(ErrorCode.RuleViolated, `${name} is a reaction, not a read model: it is never rebuilt, since replaying it would send its commands again. Redrive it if it has stopped.`);
      }
      return { projection, schema: shadowSchemaOf(projection.name), replayed: 0 };
    });
    if (targets.length === 0) return {};
    try {
      return await this.rebuildTargets(targets, true, onProgress);
    } catch (error) {
      // A replay folds in memory and writes late: an event its fold took but a table refuses (a
      // malformed event) fails the whole write. `apply` parks such an event and goes on, so the
      // rebuild starts over that way rather than stay blocked.
      if (!targets.some((t) => t.projection.replay) || error instanceof ChanceryError || isTransient(error)) throw error;
      this.logger.warn(`The rebuild's replay failed (${messageOf(error)}); starting over with each read model's apply, which parks what it cannot fold`);
      for (const target of targets) Object.assign(target, { replayed: 0, replay: undefined, writer: undefined });
      return this.rebuildTargets(targets, false, onProgress);
    }
  }

  private async rebuildTargets(targets: RebuildTarget[], replays: boolean, onProgress?: (done: number, total: number) => void): Promise<Record<string, RebuildResult>> {
    const unlogged = this.options.unloggedRebuild ?? false;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const locked: RebuildTarget[] = [];
    try {
      for (const target of targets) {
        const [{ locked: mine }] = await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [REBUILD_NAMESPACE, target.projection.name]);
        if (!mine) throw new ChanceryError(ErrorCode.ConcurrencyConflict, `${target.projection.name} is being rebuilt by another process`);
        locked.push(target);
      }
      // Each DDL step in one transaction: one commit (and WAL flush) instead of one per statement.
      await inTransaction(runner, async () => {
        // Room on each page for HOT updates where `apply` updates rows in place; a replay writes each row once.
        for (const { projection, schema } of targets) await createShadowTables(runner, schema, projection.tables, unlogged, replays && projection.replay ? undefined : (this.options.rebuildFillfactor ?? 70));
      });
      const types = typesOf(targets.map((t) => t.projection));
      // How many events there are, for the progress: counted on another connection while the first
      // pages are folded when there is one (a count of a large log takes a while).
      const count = 'SELECT count(*)::int AS total FROM events WHERE $1::text[] IS NULL OR type = ANY($1::text[])';
      const progress = { done: 0, total: 0 };
      const report = () => onProgress?.(progress.done, Math.max(progress.total, progress.done));
      const counted = (this.spareConnection ? this.dataSource : runner).query(count, [types]).then(([{ total }]: { total: number }[]) => {
        progress.total = total;
        report();
      });
      if (!this.spareConnection) await counted;
      else counted.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      for (const target of targets) {
        if (!replays || !target.projection.replay) continue;
        target.writer = new ShadowWriter(this.dataSource, target.schema, this.options.copy ?? this.spareConnection, this.spareConnection ? undefined : runner);
        target.replay = target.projection.replay(target.writer);
      }
      // Replay up to the watermark (never past an event that may still be joined by a late commit).
      const checkpoint = await this.replayIntoShadow(runner, targets, START_OF_FEED, progress, report);
      await counted;
      // What the replays still hold in memory, written; from here on each read model's `apply` catches up.
      const replaying = targets.filter((target) => target.replay);
      if (replaying.length > 0) {
        await inTransaction(runner, async () => {
          await runner.query('SET LOCAL synchronous_commit TO off');
          for (const target of replaying) {
            await runner.query(`SET LOCAL search_path TO ${target.schema}, public`);
            await target.replay!.flush(runner.manager);
            target.replay = undefined;
          }
        });
      }
      for (const target of targets) {
        const { projection, schema } = target;
        await inTransaction(runner, async () => {
          await createShadowIndexes(runner, schema, projection.tables);
          if (unlogged) await setLogged(runner, schema, projection.tables);
        });
        // What was committed meanwhile, so that the swap has little left to do.
        const caughtUp = await this.replayIntoShadow(runner, [target], checkpoint, progress, report);
        await this.swap(runner, target, caughtUp, this.registry.inline.includes(projection), progress);
      }
      report();
      const results: Record<string, RebuildResult> = {};
      for (const { projection, replayed } of targets) {
        const [{ parked }] = await runner.query(`SELECT count(*)::int AS parked FROM ${DEAD_LETTERS} WHERE projection = $1`, [projection.name]);
        results[projection.name] = { replayed, parked };
      }
      return results;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      for (const { writer } of targets) await writer?.drain().catch(() => undefined);
      for (const { schema } of locked) await runner.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      throw error;
    } finally {
      for (const { projection } of locked) {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REBUILD_NAMESPACE, projection.name]).catch(() => undefined);
      }
      await runner.release();
    }
  }

  /**
   * Makes a projection try again. A reaction: its stop is cleared, so the runner retries the event it
   * stopped at. A read model: each parked event is applied again, in feed order, and removed if it
   * applies now; those that still fail stay parked with their new error.
   */
  async redrive(name: string): Promise<RedriveResult> {
    const projection = this.registry.find(name);
    if (!projection) throw new ChanceryError(ErrorCode.NotFound, `No projection named ${name}; known: ${this.registry.all.map((p) => p.name).join(', ') || 'none'}`);
    if (projection.kind === 'reaction') {
      const rows = await sql<{ stopped: boolean }>(
        this.dataSource,
        `UPDATE projection_checkpoints p SET attempts = 0, error = NULL, error_position = NULL, error_event_id = NULL, error_event_type = NULL,
           failed_at = NULL, stopped_at = NULL
         FROM (SELECT name, stopped_at IS NOT NULL AS stopped FROM projection_checkpoints WHERE name = $1 FOR UPDATE) old
         WHERE p.name = old.name RETURNING old.stopped`,
        [name],
      );
      this.backoff.delete(name);
      this.alarm.wake();
      return { name, kind: projection.kind, resumed: rows[0]?.stopped ?? false };
    }
    return this.redriveDeadLetters(projection);
  }

  async status(): Promise<ProjectionStatus[]> {
    const rows = await sql<StatusRow>(
      this.dataSource,
      `SELECT c.name, c.transaction_id::text AS transaction_id, c.global_position, c.updated_at,
              (SELECT count(*)::int FROM events e WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)) AS lag,
              (SELECT count(*)::int FROM projection_dead_letters d WHERE d.projection = c.name) AS dead,
              c.attempts, c.error, c.error_position, c.error_event_id, c.error_event_type, c.failed_at, c.stopped_at
       FROM projection_checkpoints c`,
    );
    const byName = new Map(rows.map((row) => [row.name, row]));
    const [{ total }] = await sql<{ total: number }>(this.dataSource, 'SELECT count(*)::int AS total FROM events');
    return this.registry.all.map((projection) => {
      const row = byName.get(projection.name);
      const inline = this.registry.inline.includes(projection);
      const lag = inline ? 0 : (row?.lag ?? total);
      const failure: ProjectionFailure | null =
        row?.error && row.error_position
          ? {
              error: row.error,
              attempts: row.attempts,
              globalPosition: Number(row.error_position),
              eventId: row.error_event_id ?? '',
              eventType: row.error_event_type ?? '',
              failedAt: row.failed_at ?? row.updated_at,
              stoppedAt: row.stopped_at,
            }
          : null;
      return {
        name: projection.name,
        kind: projection.kind,
        mode: inline ? 'inline' : 'async',
        state: row?.stopped_at ? 'stopped' : lag > 0 ? 'running' : 'caught-up',
        checkpoint: row ? checkpointFrom(row) : START_OF_FEED,
        lag,
        deadLetters: row?.dead ?? 0,
        updatedAt: row?.updated_at ?? null,
        failure,
      };
    });
  }

  private select(name?: string): Projection[] {
    if (!name) return this.registry.async;
    const projection = this.registry.async.find((p) => p.name === name);
    if (!projection) throw new Error(`No async projection named ${name}`);
    return [projection];
  }

  private async state(runner: QueryRunner, name: string): Promise<CheckpointRow> {
    const [row] = await runner.query(`SELECT ${CHECKPOINT_COLUMNS} FROM projection_checkpoints WHERE name = $1`, [name]);
    return row ?? { transaction_id: START_OF_FEED.transactionId, global_position: '0', attempts: 0, error_position: null, stopped_at: null };
  }

  /**
   * A reaction's batch, event by event: it never goes past an event it could not handle. On a
   * transient failure the whole batch is rolled back (the caller backs off and tries it again); on
   * another, what came before the event is kept, the failure is recorded, and after maxAttempts (at
   * once for an event that could not be upcast: trying again cannot help) the reaction stops there.
   */
  private async react(runner: QueryRunner, reaction: Reaction, events: RecordedEvent[], state: CheckpointRow): Promise<ReactionFailedError | undefined> {
    let done: Checkpoint | undefined;
    for (const event of events) {
      if (handlesType(reaction, event.type)) {
        const error = event.upcastError ? new Error(`cannot upcast the event: ${event.upcastError}`) : await this.tryApply(runner, reaction, [event], 'reaction_event');
        if (error) {
          if (isTransient(error)) throw error;
          if (done) await this.saveCheckpoint(runner, reaction.name, done);
          const sameEvent = state.error_position !== null && Number(state.error_position) === event.globalPosition;
          const attempts = event.upcastError ? this.maxAttempts : (sameEvent ? state.attempts : 0) + 1;
          const stopped = attempts >= this.maxAttempts;
          await this.recordFailure(runner, reaction.name, event, messageOf(error), attempts, stopped);
          if (stopped) this.logger.error(`${reaction.name}: STOPPED at event ${event.globalPosition} (${event.type}, ${event.eventId}) after ${attempts} attempts: ${messageOf(error)}; redrive it once fixed`);
          return new ReactionFailedError(reaction.name, event, attempts, stopped, messageOf(error));
        }
      }
      done = checkpointOf(event);
    }
    await this.saveCheckpoint(runner, reaction.name, done!);
    return undefined;
  }

  /** Applies `events` under a savepoint: the error if it failed (rolled back to the savepoint), else undefined. */
  private async tryApply(runner: QueryRunner, projection: Projection, events: RecordedEvent[], savepoint: string): Promise<unknown> {
    await runner.query(`SAVEPOINT ${savepoint}`);
    try {
      await projection.apply(runner.manager, events);
      await runner.query(`RELEASE SAVEPOINT ${savepoint}`);
      return undefined;
    } catch (error) {
      // A dropped connection cannot roll back to the savepoint: the error itself is the answer.
      await runner.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => {
        throw error;
      });
      return error;
    }
  }

  /**
   * A read model's batch: applied whole under a savepoint; if that fails, event by event, each up to
   * maxAttempts times, and the ones that still fail are parked. An event that could not be upcast
   * is parked without trying. A transient failure is thrown instead: it says nothing about the event.
   * Returns how many were parked.
   */
  private async fold(runner: QueryRunner, projection: ReadModel, events: RecordedEvent[]): Promise<number> {
    const { readable, unreadable } = await this.parkUnreadable(runner, projection, relevantTo(projection, events));
    if (readable.length === 0) return unreadable;
    const error = await this.tryApply(runner, projection, readable, 'projection_batch');
    if (!error) return unreadable;
    if (isTransient(error)) throw error;
    let parked = unreadable;
    for (const event of readable) if (!(await this.applyOne(runner, projection, event))) parked++;
    return parked;
  }

  /** Parks the events an upcaster could not read (without trying them); answers the others, and how many were parked. */
  private async parkUnreadable(runner: QueryRunner, projection: ReadModel, relevant: RecordedEvent[]): Promise<{ readable: RecordedEvent[]; unreadable: number }> {
    const unreadable = relevant.filter((event) => event.upcastError);
    for (const event of unreadable) await this.park(runner, projection.name, event, `cannot upcast the event: ${event.upcastError}`, 0);
    return { readable: unreadable.length ? relevant.filter((event) => !event.upcastError) : relevant, unreadable: unreadable.length };
  }

  private get rebuildBatch(): number {
    return this.options.rebuildBatch ?? REBUILD_BATCH;
  }

  /** A rebuild may read ahead and write in the background on connections of the pool (not with one connection: embedded PGlite). */
  private get spareConnection(): boolean {
    return this.options.readAhead ?? (this.dataSource.options as { poolSize?: number }).poolSize !== 1;
  }

  /** A rebuild's page (the events the read model handles) through its own replay: what it could not fold (or upcast) is parked. */
  private async foldReplay(runner: QueryRunner, projection: ReadModel, replay: Replay, relevant: RecordedEvent[]): Promise<void> {
    const { readable } = await this.parkUnreadable(runner, projection, relevant);
    if (readable.length === 0) return;
    // The fold is the domain's, in memory: an event it throws on fails the same way every time.
    for (const { event, error } of await replay.apply(runner.manager, readable)) await this.park(runner, projection.name, event, messageOf(error), 1);
  }

  private async applyOne(runner: QueryRunner, projection: ReadModel, event: RecordedEvent): Promise<boolean> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      lastError = await this.tryApply(runner, projection, [event], 'projection_event');
      if (!lastError) return true;
      if (isTransient(lastError)) throw lastError;
    }
    await this.park(runner, projection.name, event, messageOf(lastError), this.maxAttempts);
    return false;
  }

  /** Unqualified: during a rebuild the search_path sends it to the shadow copy of the dead letters. */
  private async park(runner: QueryRunner, name: string, event: RecordedEvent, error: string, attempts: number): Promise<void> {
    this.logger.error(`${name}: parked event ${event.globalPosition} (${event.type}) after ${attempts} attempts: ${error}`);
    await runner.query(
      `INSERT INTO ${DEAD_LETTERS} (projection, global_position, event_id, event_type, stream_id, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (projection, global_position) DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, parked_at = now()`,
      [name, event.globalPosition, event.eventId, event.type, event.streamId, error, attempts],
    );
  }

  /** Moves the checkpoint; a projection that got past an event has no failure left to show. */
  private async saveCheckpoint(runner: QueryRunner, name: string, checkpoint: Checkpoint): Promise<void> {
    await runner.query(
      `INSERT INTO public.projection_checkpoints (name, transaction_id, global_position, updated_at)
       VALUES ($1, $2::xid8, $3, now())
       ON CONFLICT (name) DO UPDATE
         SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, updated_at = now(),
             attempts = 0, error = NULL, error_position = NULL, error_event_id = NULL, error_event_type = NULL, failed_at = NULL, stopped_at = NULL`,
      [name, checkpoint.transactionId, checkpoint.globalPosition],
    );
  }

  private async recordFailure(runner: QueryRunner, name: string, event: RecordedEvent, error: string, attempts: number, stopped: boolean): Promise<void> {
    await runner.query(
      `INSERT INTO projection_checkpoints (name, attempts, error, error_position, error_event_id, error_event_type, failed_at, stopped_at)
       VALUES ($1, $2, $3, $4, $5, $6, now(), CASE WHEN $7 THEN now() END)
       ON CONFLICT (name) DO UPDATE
         SET attempts = EXCLUDED.attempts, error = EXCLUDED.error, error_position = EXCLUDED.error_position, error_event_id = EXCLUDED.error_event_id,
             error_event_type = EXCLUDED.error_event_type, failed_at = EXCLUDED.failed_at, stopped_at = EXCLUDED.stopped_at`,
      [name, attempts, error, event.globalPosition, event.eventId, event.type, stopped],
    );
  }

  /**
   * Replays the events after `from` (below the watermark) into the targets' shadow tables, one
   * short transaction a page, each target folding the page under its own search_path. With
   * readAhead the next page is read on another connection while this one is written. Answers the
   * checkpoint of the last event replayed.
   */
  private async replayIntoShadow(runner: QueryRunner, targets: RebuildTarget[], from: Checkpoint, progress: { done: number }, report: () => void): Promise<Checkpoint> {
    const readAhead = this.spareConnection;
    const reader = readAhead ? this.dataSource : runner.manager;
    const types = typesOf(targets.map((t) => t.projection)) ?? undefined;
    const page = this.rebuildBatch;
    const read = (after: Checkpoint) => this.store.readAll(after, page, reader, { types });
    // Every event up to here is final and will have been read by the time a page comes back empty:
    // the next pass need not walk the feed from `from` again past events of other types.
    const head = await this.store.lastCheckpoint(reader);
    const done = (checkpoint: Checkpoint) => (head && isAfter(head, checkpoint) ? head : checkpoint);
    let checkpoint = from;
    let next: Promise<RecordedEvent[]> | undefined = read(checkpoint);
    let heldBack = false;
    for (;;) {
      if (!next) return done(checkpoint);
      let events: RecordedEvent[] = await next;
      // A page read while our own page transaction was open may have been held back by it.
      if (events.length === 0 && heldBack) events = await read(checkpoint);
      if (events.length === 0) return done(checkpoint);
      checkpoint = checkpointOf(events[events.length - 1]);
      // A short page read with no transaction of ours open ends the pass: the feed was read past `head`.
      next = events.length < page && !heldBack ? undefined : read(checkpoint);
      next?.catch(() => undefined); // awaited on the next turn; a failed write must not leave it unhandled
      heldBack = readAhead;
      if (!readAhead) await next?.catch(() => undefined);
      await runner.startTransaction('READ COMMITTED');
      // Not waiting for the WAL flush: a crash loses the shadow tables anyway, and the rebuild starts over.
      await runner.query('SET LOCAL synchronous_commit TO off');
      // Folded a step at a time, the progress said after each: a page of a small log is the whole log.
      for (let at = 0; at < events.length; at += PROGRESS_STEP) {
        const step = events.slice(at, at + PROGRESS_STEP);
        for (const target of targets) {
          const relevant = relevantTo(target.projection, step);
          if (relevant.length === 0) continue;
          await runner.query(`SET LOCAL search_path TO ${target.schema}, public`);
          if (target.replay) await this.foldReplay(runner, target.projection, target.replay, relevant);
          else await this.fold(runner, target.projection, relevant);
          target.replayed += relevant.length;
        }
        progress.done += step.length;
        report();
      }
      await runner.commitTransaction();
    }
  }

  /**
   * The swap, in one transaction: the projection's advisory lock (a live runner's batch ends
   * first), ACCESS EXCLUSIVE on its live tables (commands writing them, and readers, wait until the
   * commit; a lock that cannot be had within swapLockTimeoutMs is let go and tried again, so that a
   * long reader does not queue everyone behind the swap), the events committed since the last page,
   * the rename, the checkpoint. An inline read model's writers are locked out here, so it takes in
   * every committed event; an async one stops at the watermark and its runner does the rest.
   */
  private async swap(runner: QueryRunner, target: RebuildTarget, from: Checkpoint, inline: boolean, progress: { done: number }): Promise<void> {
    const { projection, schema } = target;
    for (let attempt = 1; ; attempt++) {
      await runner.startTransaction('READ COMMITTED');
      try {
        await runner.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, projection.name]);
        await runner.query(`SET LOCAL lock_timeout = ${this.options.swapLockTimeoutMs ?? 5000}`);
        if (projection.tables.length) await runner.query(`LOCK TABLE ${projection.tables.map((t) => `public.${t}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        await runner.query('SET LOCAL lock_timeout = 0');
        const head = await this.store.lastCheckpoint(runner.manager, { watermark: !inline });
        await runner.query(`SET LOCAL search_path TO ${schema}, public`);
        let checkpoint = from;
        let replayed = 0;
        for (;;) {
          const events = await this.store.readAll(checkpoint, this.rebuildBatch, runner.manager, { watermark: !inline, types: projection.handles });
          if (events.length === 0) break;
          await this.fold(runner, projection, events);
          checkpoint = checkpointOf(events[events.length - 1]);
          replayed += events.length;
        }
        await runner.query('SET LOCAL search_path TO DEFAULT');
        await swapInShadowTables(runner, schema, projection.tables, projection.name);
        // Past the events of other types too, so that it shows no lag for them: up to the feed's end
        // as this transaction saw it before reading its last pages.
        await this.saveCheckpoint(runner, projection.name, head && isAfter(head, checkpoint) ? head : checkpoint);
        await runner.commitTransaction();
        progress.done += replayed;
        target.replayed += replayed;
        return;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        const code = pgError(error)?.code;
        if (attempt >= 5 || (code !== '55P03' && code !== '40P01')) throw error;
        this.logger.warn(`${projection.name}: rebuild's swap could not lock its tables (${messageOf(error)}); trying again`);
        await delay(200 * attempt);
      }
    }
  }

  /** A read model's dead letters applied again, in feed order, under its advisory lock. */
  private async redriveDeadLetters(projection: ReadModel): Promise<RedriveResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await beginOrRelease(runner, 'READ COMMITTED');
    try {
      await runner.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, projection.name]);
      const letters: DeadLetterRow[] = await runner.query(
        `SELECT id, global_position, event_id, stream_id FROM ${DEAD_LETTERS} WHERE projection = $1 ORDER BY global_position`,
        [projection.name],
      );
      let applied = 0;
      for (const letter of letters) {
        let error: unknown;
        try {
          const event = (await this.store.readStream(letter.stream_id, {}, runner.manager)).find((e) => e.eventId === letter.event_id);
          error = event ? await this.tryApply(runner, projection, [event], 'redrive_event') : new Error('the event is no longer in its stream');
        } catch (readError) {
          error = readError; // e.g. its upcaster still throws
        }
        if (error && isTransient(error)) throw error;
        if (error) await runner.query(`UPDATE ${DEAD_LETTERS} SET error = $2, attempts = attempts + 1, parked_at = now() WHERE id = $1`, [letter.id, messageOf(error)]);
        else {
          await runner.query(`DELETE FROM ${DEAD_LETTERS} WHERE id = $1`, [letter.id]);
          applied++;
        }
      }
      await runner.commitTransaction();
      return { name: projection.name, kind: projection.kind, applied, stillParked: letters.length - applied };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Records one more failure of a projection's batches and answers how long to wait before the next. */
  private backoffAfter(name: string, error: unknown): number {
    const failures = (this.backoff.get(name)?.failures ?? 0) + 1;
    const wait = Math.min((this.options.retryBaseMs ?? 500) * 2 ** (failures - 1), MAX_BACKOFF_MS);
    this.backoff.set(name, { failures, until: Date.now() + wait });
    // A busy database (its connections all taken meanwhile) is no fault of the projection's.
    const level = isContentionError(error) ? 'warn' : 'error';
    this.logger[level](`Projection ${name} failed (${failures} in a row), retrying in ${wait} ms: ${messageOf(error)}`);
    return wait;
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      let more = false;
      let found = false;
      let sleepMs = this.options.pollMs;
      for (const projection of this.registry.async) {
        if (!this.running) break;
        const held = this.backoff.get(projection.name);
        if (held && held.until > Date.now()) {
          sleepMs = Math.min(sleepMs, held.until - Date.now());
          continue;
        }
        // Each projection on its own: one that throws every time holds up none of the others.
        try {
          const read = await this.runBatch(projection);
          this.backoff.delete(projection.name);
          if (read >= this.options.batchSize) more = true;
          if (read > 0) found = true;
        } catch (error) {
          sleepMs = Math.min(sleepMs, this.backoffAfter(projection.name, error));
        }
      }
      if (more || !this.running) continue;
      // After a round with work, a pause that appends do not cut short, then another round (a wake
      // during the pause is not remembered: the round looks for what came meanwhile).
      const settleMs = Math.min(this.options.settleMs ?? 50, sleepMs);
      if (found && settleMs > 0) await this.stopping.sleep(settleMs);
      else await this.sleep(sleepMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.alarm.sleep(ms);
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: 'chancery-projections' });
    const retry = () => {
      if (this.listener === client) this.listener = undefined;
      if (this.running) setTimeout(() => void this.listen(url), this.options.pollMs);
    };
    client.on('notification', () => this.alarm.wake());
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

async function inTransaction(runner: QueryRunner, work: () => Promise<void>): Promise<void> {
  await runner.startTransaction('READ COMMITTED');
  await work();
  await runner.commitTransaction();
}

function checkpointFrom(row: { transaction_id: string; global_position: string | number }): Checkpoint {
  return { transactionId: row.transaction_id, globalPosition: Number(row.global_position) };
}

/** A read model being rebuilt: where its shadow tables are, and how many events it has folded so far. */
interface RebuildTarget {
  projection: ReadModel;
  schema: string;
  replayed: number;
  /** The read model's own replay, while the first pass over the feed lasts (see `ReadModel.replay`), and where it writes. */
  replay?: Replay;
  writer?: ShadowWriter;
}

/** The event types any of these projections folds; null when one of them folds every type. */
function typesOf(projections: readonly Projection[]): string[] | null {
  if (projections.some((p) => !p.handles)) return null;
  return [...new Set(projections.flatMap((p) => p.handles ?? []))];
}

function isAfter(a: Checkpoint, b: Checkpoint): boolean {
  const [ta, tb] = [BigInt(a.transactionId), BigInt(b.transactionId)];
  return ta > tb || (ta === tb && a.globalPosition > b.globalPosition);
}

/**
 * BEGIN on a connection taken from the pool, giving it back if BEGIN fails (the database restarting):
 * the `finally` that releases it is entered only once the transaction is open, and in embedded mode
 * the pool holds a single connection, which a leak would take from everyone for good.
 */
async function beginOrRelease(runner: QueryRunner, isolation?: 'READ COMMITTED'): Promise<void> {
  try {
    await runner.startTransaction(isolation);
  } catch (error) {
    await runner.release();
    throw error;
  }
}
