import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { type Db, PG_UNIQUE_VIOLATION, pgError, prepared, rowArrays, sql } from '@chancery/database';
import { DuplicateEventError, WrongExpectedVersionError } from './event-store.errors.js';
import type {
  AppendResult,
  Checkpoint,
  ExpectedVersion,
  NewEvent,
  ReadStreamOptions,
  RecordedEvent,
} from './event-store.types.js';
import { UpcastError, UpcasterRegistry } from './upcasting.js';

interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

type AppendedRow = Pick<EventRow, 'global_position' | 'transaction_id' | 'event_id' | 'stream_version' | 'recorded_at'>;

/** Transactions older than every one still running: their events can no longer be joined by earlier ones. */
const BELOW_WATERMARK = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

const EVENT_COLUMNS = `global_position, transaction_id::text AS transaction_id, event_id, stream_id, stream_type,
  stream_version, type, schema_version, data, metadata, recorded_at`;

/**
 * One statement per kind of expectation. It reads the stream's current version from the unique
 * (stream_id, stream_version) index and inserts only if the expectation holds; otherwise it inserts
 * nothing. Two writers that both saw version N race for version N + 1 on that unique index: the
 * second waits for the first to commit, then fails, and that failure becomes a
 * WrongExpectedVersionError. Event ids already stored are found by the unique event id index.
 * (A pre-check of the ids in the same statement made PostgreSQL's cached generic plan flip to
 * scanning the table as it grew: kept out of the hot path on purpose.)
 */
function appendStatement(condition: string): string {
  return `
    WITH input AS (
      SELECT (doc->>'eventId')::uuid AS event_id, doc->>'type' AS type, (doc->>'schemaVersion')::int AS schema_version,
             doc->'data' AS data, doc->'metadata' AS metadata, ord::int AS ord
      FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(doc, ord)
    ),
    stream AS (SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1),
    allowed AS (SELECT version FROM stream WHERE ${condition})
    INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, schema_version, data, metadata)
    SELECT i.event_id, $1, $2, a.version + i.ord, i.type, i.schema_version, i.data, i.metadata
    FROM allowed a CROSS JOIN input i
    ORDER BY i.ord
    RETURNING global_position, transaction_id::text AS transaction_id, event_id, stream_version, recorded_at`;
}

const APPEND_SQL = {
  any: appendStatement('true'),
  no_stream: appendStatement('version = 0'),
  exact: appendStatement('version = $4'),
};

/**
 * How long a read as of a past instant waits for the transactions that may still add to that instant
 * (`EventStore.settle`) before it answers 503 rather than an answer that could change.
 */
export const SETTLE_BOUND_MS = 5_000;

/** An instant at most this far ahead of the database's clock is waited for; one further ahead is not past. */
const SETTLE_AHEAD_MS = 1_000;

/**
 * The horizon before which no event can commit any more (ms since the epoch, by the database's
 * clock): the oldest start of a transaction, other than the asker's, that holds the lock an INSERT
 * into events takes (RowExclusiveLock, taken before the statement runs, so before its recorded_at
 * is, and kept to the transaction's end), or the statement's own start (taken before the locks are
 * read) if none does. A holder whose start cannot be read counts as begun long ago (-infinity).
 */
const SETTLED_SQL = `SELECT floor(extract(epoch FROM statement_timestamp()) * 1000)::float8 AS now,
  floor(extract(epoch FROM least(statement_timestamp(), (
    SELECT min(coalesce(a.xact_start, '-infinity'::timestamptz)) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.relation = 'events'::regclass AND l.mode = 'RowExclusiveLock'
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.pid <> pg_backend_pid()))) * 1000)::float8 AS horizon`;

/** Advisory-lock namespace of per-stream locks ("STRM"); the key is hashtext(stream_id). */
const STREAM_LOCK_NAMESPACE = 0x5354524d;

/** PostgreSQL event store: append-only streams, a commit-ordered global feed, upcasting on read. */
@Injectable()
export class EventStore {
  /** Emits 'appended' after an append outside a transaction, or when a committer says so. */
  readonly signals = new EventEmitter();

  /**
   * Every event that will ever be recorded before this instant (ms since the epoch, by the
   * database's clock) is committed: found by `settle`, and true from then on.
   */
  private settledBefore = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dataSource: DataSource,
    readonly upcasters: UpcasterRegistry,
  ) {}

  /**
   * Waits until a read as of `asOf` (every event recorded in its millisecond or before) can no
   * longer change: until every transaction that could still commit such an event has ended. An
   * event's recorded_at is the moment its row was inserted (clock_timestamp()), after its INSERT
   * took its lock on events and after its transaction began (xact_start); so once the database's
   * clock is past `asOf` and no transaction begun by then holds that lock, none can: a transaction
   * that has not inserted into events yet stamps whatever it inserts later than now. What is found
   * holds for good, and is kept (asked outside a transaction): a read as of an instant settled
   * before (any instant long past) asks nothing. Bounded: after SETTLE_BOUND_MS a 503
   * (Retry-After), never an answer that could differ when asked again. An instant more than a
   * second ahead of the database's clock is not waited for (it is not past: answered as things
   * stand). Embedded (PGlite, one connection), no other transaction can be open while this asks:
   * it answers at once. `db`: inside a transaction, asked on it (pg_stat_activity read afresh).
   */
  async settle(asOf: Date, db: Db = this.dataSource): Promise<void> {
    const needed = asOf.getTime() + 1; // readStream's `recorded_at < asOf + 1 ms`
    if (needed <= this.settledBefore) return;
    const deadline = Date.now() + SETTLE_BOUND_MS;
    for (let attempt = 0; ; attempt++) {
      if (db !== this.dataSource) await sql(db, 'SELECT pg_stat_clear_snapshot()');
      const [{ now, horizon }] = await sql<{ now: number; horizon: number }>(db, SETTLED_SQL);
      // Not kept when asked inside a transaction: its own writes, not counted, are not committed yet.
      if (db === this.dataSource) this.settledBefore = Math.max(this.settledBefore, horizon);
      if (needed <= horizon) return;
      if (needed > now + SETTLE_AHEAD_MS) return; // not past yet: nothing to settle
      if (Date.now() >= deadline) {
        throw new ChanceryError(
          ErrorCode.DatabaseBusy,
          `A change begun by ${asOf.toISOString()} has not finished yet, so what stood then is not final; try again shortly.`,
          { retryAfter: 1 },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(5 * 2 ** attempt, 100)));
    }
  }

  /**
   * Appends events to a stream if it is at the expected version. Inside a transaction (`db` an
   * EntityManager) the events become visible when it commits; otherwise the append is one statement.
   */
  async append(
    streamId: string,
    streamType: string,
    events: NewEvent[],
    expected: ExpectedVersion = 'any',
    db: Db = this.dataSource,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < 0)) {
      throw new Error(`Expected version must be a non-negative integer, got ${expected}`);
    }
    const documents = events.map((event) => ({
      eventId: event.eventId ?? randomUUID(),
      type: event.type,
      // The version its type is written at today, as its aggregate declared it.
      schemaVersion: event.schemaVersion ?? this.upcasters.currentVersion(event.type) ?? 1,
      data: event.data ?? {},
      metadata: event.metadata ?? {},
    }));
    const kind = expected === 'any' ? 'any' : expected === 'no_stream' || expected === 0 ? 'no_stream' : 'exact';
    const params: unknown[] = [streamId, streamType, JSON.stringify(documents)];
    if (kind === 'exact') params.push(expected);
    const eventIds = documents.map((d) => d.eventId);

    let rows: AppendedRow[];
    try {
      if (kind === 'any') {
        // "Whatever the version is" must not fail for a concurrent writer: queue on the stream lock.
        rows =
          db instanceof DataSource
            ? await db.transaction(async (tx) => {
                await this.lockStream(streamId, tx);
                return prepared<AppendedRow>(tx, 'chancery_append_any', APPEND_SQL.any, params);
              })
            : await this.lockStream(streamId, db).then(() => prepared<AppendedRow>(db, 'chancery_append_any', APPEND_SQL.any, params));
      } else {
        rows = await prepared<AppendedRow>(db, `chancery_append_${kind}`, APPEND_SQL[kind], params);
      }
    } catch (error) {
      const pg = pgError(error);
      if (pg?.code === PG_UNIQUE_VIOLATION && pg.constraint === 'events_event_id_unique') {
        // Outside a transaction this may be a harmless retry of an append that succeeded.
        if (db instanceof DataSource) return this.explainRefusedAppend(streamId, expected, eventIds, db);
        throw new DuplicateEventError(eventIds);
      }
      if (pg?.code === PG_UNIQUE_VIOLATION && pg.constraint === 'events_stream_version_unique') {
        // Inside a failed transaction the current version cannot be read; outside, it can.
        const actual = db instanceof DataSource ? await this.streamVersion(streamId) : undefined;
        throw new WrongExpectedVersionError(streamId, expected, actual);
      }
      throw error;
    }

    if (rows.length === 0) {
      return this.explainRefusedAppend(streamId, expected, eventIds, db);
    }
    // The statement answers only what the database assigned; the rest is what was sent.
    const byId = new Map(documents.map((d) => [d.eventId, d]));
    const recorded = rows.map((row) => {
      const sent = byId.get(row.event_id)!;
      return this.toRecorded({ ...row, stream_id: streamId, stream_type: streamType, type: sent.type, schema_version: sent.schemaVersion, data: sent.data, metadata: sent.metadata });
    });
    const nextVersion = recorded[recorded.length - 1].streamVersion;
    if (db === this.dataSource) this.signals.emit('appended');
    return { streamId, fromVersion: nextVersion - recorded.length, nextVersion, events: recorded, duplicate: false };
  }

  /** No row was written: either every event was already stored (a harmless retry) or a conflict. */
  private async explainRefusedAppend(streamId: string, expected: ExpectedVersion, eventIds: string[], db: Db): Promise<AppendResult> {
    const stored = await sql<EventRow>(db, `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY global_position`, [eventIds]);
    if (stored.length > 0) {
      if (stored.length === eventIds.length && stored.every((row) => row.stream_id === streamId)) {
        const events = stored.map((row) => this.toRecorded(row));
        const nextVersion = events[events.length - 1].streamVersion;
        return { streamId, fromVersion: events[0].streamVersion - 1, nextVersion, events, duplicate: true };
      }
      throw new DuplicateEventError(stored.map((row) => row.event_id));
    }
    throw new WrongExpectedVersionError(streamId, expected, await this.streamVersion(streamId, db));
  }

  /**
   * Takes the stream's advisory lock until `tx` ends. Writers that take it queue one behind the
   * other; appends that do not are still kept honest by the unique version index.
   */
  async lockStream(streamId: string, tx: Db): Promise<void> {
    await sql(tx, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [STREAM_LOCK_NAMESPACE, streamId]);
  }

  /** The stream's current version; 0 when it does not exist. */
  async streamVersion(streamId: string, db: Db = this.dataSource): Promise<number> {
    const [row] = await sql<{ version: number | null }>(db, 'SELECT max(stream_version) AS version FROM events WHERE stream_id = $1', [streamId]);
    return row?.version ?? 0;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}, db: Db = this.dataSource): Promise<RecordedEvent[]> {
    if (options.asOf) await this.settle(options.asOf, db);
    // Prepared: every command reads its stream, and planning it cost more than running it.
    const rows = await prepared<EventRow>(
      db,
      'chancery_read_stream',
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE stream_id = $1 AND stream_version >= $2
         AND ($3::int IS NULL OR stream_version <= $3)
         AND ($4::timestamptz IS NULL OR recorded_at < $4::timestamptz + interval '1 millisecond')
       ORDER BY stream_version`,
      [streamId, options.fromVersion ?? 1, options.toVersion ?? null, options.asOf ?? null],
    );
    return rows.map((row) => this.toRecorded(row));
  }

  /**
   * The stream as it stood after a version or at an instant, in whole transactions: a command that
   * wrote several events (an edit, then its clearances made stale) was never seen by anyone halfway,
   * so a past read never stops halfway either. `toVersion`: up to the end of the transaction that
   * wrote that version. `asOf`: every transaction that had written any event (to any stream) by that
   * instant (its whole millisecond, as `readStream` reads it), and the stream's events before them.
   * Either way a prefix of the stream, ending where a transaction ended.
   */
  async readStreamAsItStood(streamId: string, at: { toVersion?: number; asOf?: Date }, db: Db = this.dataSource): Promise<RecordedEvent[]> {
    if (at.asOf) await this.settle(at.asOf, db);
    const rows = await sql<EventRow>(
      db,
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE stream_id = $1 AND stream_version <= coalesce((
         SELECT max(w.stream_version) FROM events w
         WHERE w.stream_id = $1 AND w.transaction_id IN (
           SELECT c.transaction_id FROM events c
           WHERE c.stream_id = $1 AND ($2::int IS NULL OR c.stream_version <= $2)
             AND ($3::timestamptz IS NULL OR EXISTS (
               SELECT 1 FROM events f WHERE f.transaction_id = c.transaction_id AND f.recorded_at < $3::timestamptz + interval '1 millisecond')))), 0)
       ORDER BY stream_version`,
      [streamId, at.toVersion ?? null, at.asOf ?? null],
    );
    return rows.map((row) => this.toRecorded(row));
  }

  /**
   * A stream's latest snapshot of this schema version (if any) and the events after it, in one
   * statement: an aggregate with snapshots loads in one round trip. The snapshot comes as the first
   * row, its state in `data`.
   */
  async readStreamAfterSnapshot(
    streamId: string,
    schemaVersion: number,
    db: Db = this.dataSource,
  ): Promise<{ snapshot?: { streamVersion: number; state: unknown }; events: RecordedEvent[] }> {
    const rows = await prepared<EventRow & { snapshot: boolean }>(
      db,
      'chancery_read_stream_after_snapshot',
      `WITH s AS (SELECT stream_version, state FROM snapshots WHERE stream_id = $1 AND schema_version = $2)
       SELECT true AS snapshot, NULL::bigint AS global_position, NULL::text AS transaction_id, NULL::uuid AS event_id, $1 AS stream_id,
              NULL::text AS stream_type, s.stream_version, NULL::text AS type, NULL::integer AS schema_version, s.state AS data,
              NULL::jsonb AS metadata, NULL::timestamptz AS recorded_at
       FROM s
       UNION ALL
       SELECT false, ${EVENT_COLUMNS} FROM events
       WHERE stream_id = $1 AND stream_version > coalesce((SELECT stream_version FROM s), 0)
       ORDER BY snapshot DESC, stream_version`,
      [streamId, schemaVersion],
    );
    const snapshot = rows[0]?.snapshot ? { streamVersion: rows[0].stream_version, state: rows[0].data } : undefined;
    return { snapshot, events: (snapshot ? rows.slice(1) : rows).map((row) => this.toRecorded(row)) };
  }

  /**
   * Events after a checkpoint, in commit order. Only transactions older than every one still running
   * are read (the snapshot's xmin), so an event that commits late is never passed over.
   * Call it before the transaction writes anything: a transaction's own id holds the watermark back.
   */
  async readAll(
    after: Checkpoint,
    limit: number,
    db: Db = this.dataSource,
    options: { watermark?: boolean; types?: readonly string[]; decode?: readonly string[] } = {},
  ): Promise<RecordedEvent[]> {
    // Without the watermark: every event visible to this statement (a rebuild that has locked out
    // the writers of its tables uses this to take in everything they had committed). With `types`,
    // only events of those types (a rebuild reads only what its projection folds). With `decode`,
    // every event, but those of other types without their data and metadata (null, not upcast):
    // a reader that handles a few types moves its checkpoint past the others without reading them
    // (the types an upcaster renames into one of `decode` are decoded too).
    const watermark = options.watermark === false ? '' : `AND ${BELOW_WATERMARK}`;
    const decoded = options.decode && new Set(this.upcasters.typesBecoming(options.decode));
    const columns = decoded
      ? EVENT_COLUMNS.replace('data, metadata', 'CASE WHEN type = ANY($5::text[]) THEN data END, CASE WHEN type = ANY($5::text[]) THEN metadata END')
      : EVENT_COLUMNS;
    // ORDER BY names the table's columns: a bare transaction_id would be the text alias of the
    // select list, sorting '10' before '9' and keeping the feed index out of use.
    // As arrays: the feed is read in pages of thousands (a rebuild reads every event).
    const rows = await rowArrays(
      db,
      `SELECT ${columns} FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         ${watermark}
         AND ($4::text[] IS NULL OR type = ANY($4::text[]))
       ORDER BY events.transaction_id, events.global_position
       LIMIT $3`,
      [after.transactionId, after.globalPosition, limit, options.types ?? null, ...(decoded ? [[...decoded]] : [])],
    );
    // One event an upcaster cannot read must not stop the feed for every reader: it comes as
    // stored, marked, and each reader decides (a projection parks it).
    return rows.map((row) => {
      const stored = storedFromArray(row);
      return !decoded || decoded.has(stored.type) ? this.upcastStored(stored, 'mark') : stored;
    });
  }

  /** The checkpoint of the feed's last event (below the watermark unless told otherwise); undefined if empty. */
  async lastCheckpoint(db: Db = this.dataSource, options: { watermark?: boolean } = {}): Promise<Checkpoint | undefined> {
    const watermark = options.watermark === false ? '' : `WHERE ${BELOW_WATERMARK}`;
    const [row] = await sql<{ transaction_id: string; global_position: string }>(
      db,
      `SELECT transaction_id::text AS transaction_id, global_position FROM events ${watermark}
       ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`,
    );
    return row ? { transactionId: row.transaction_id, globalPosition: Number(row.global_position) } : undefined;
  }

  /** The newest position in the feed that a reader may see now, for lag figures. */
  async headPosition(db: Db = this.dataSource): Promise<number> {
    const [row] = await sql<{ position: string | null }>(db, 'SELECT max(global_position) AS position FROM events');
    return Number(row?.position ?? 0);
  }

  /** The row as an event in its newest shape; an upcaster's failure throws, or with 'mark' is noted on the event as stored. */
  private toRecorded(row: EventRow, onUpcastError: 'throw' | 'mark' = 'throw'): RecordedEvent {
    return this.upcastStored(
      {
        globalPosition: Number(row.global_position),
        transactionId: row.transaction_id,
        eventId: row.event_id,
        streamId: row.stream_id,
        streamType: row.stream_type,
        streamVersion: row.stream_version,
        type: row.type,
        schemaVersion: row.schema_version,
        data: row.data,
        metadata: row.metadata,
        recordedAt: row.recorded_at,
      },
      onUpcastError,
    );
  }

  private upcastStored(stored: RecordedEvent, onUpcastError: 'throw' | 'mark'): RecordedEvent {
    try {
      return this.upcasters.upcast(stored);
    } catch (error) {
      if (onUpcastError === 'mark' && error instanceof UpcastError) return { ...stored, upcastError: error.message };
      throw error;
    }
  }
}

/** An event as stored, from a row read as an array (`EVENT_COLUMNS`' order). */
function storedFromArray(row: unknown[]): RecordedEvent {
  return {
    globalPosition: Number(row[0]),
    transactionId: row[1] as string,
    eventId: row[2] as string,
    streamId: row[3] as string,
    streamType: row[4] as string,
    streamVersion: row[5] as number,
    type: row[6] as string,
    schemaVersion: row[7] as number,
    data: row[8],
    metadata: row[9] as Record<string, unknown>,
    recordedAt: row[10] as Date,
  };
}

export function checkpointOf(event: RecordedEvent): Checkpoint {
  return { transactionId: event.transactionId, globalPosition: event.globalPosition };
}
