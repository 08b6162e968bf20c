import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { pgError, sql } from './sql.js';

/** What one round of maintenance did. */
interface MaintenanceRound {
  /** Tables vacuumed, each with the dead rows the statistics counted in it. */
  vacuumed: { table: string; deadRows: number }[];
  analyzed: string[];
  /** The WAL written since the previous checkpoint, in bytes, when one was taken. */
  checkpointedAfterBytes?: number;
}

/**
 * Vacuums, analyzes and checkpoints the embedded database, as autovacuum and the checkpointer do on
 * a server. PGlite runs PostgreSQL as a single-user backend, which has neither: without this, the
 * rows every command rewrites stay as dead rows for good, and the WAL is never recycled while the
 * process runs (a standalone backend never asks for a checkpoint, whatever `max_wal_size` says).
 *
 * Every EMBEDDED_MAINTENANCE_MS it reads the statistics once, then runs one short statement at a
 * time, each taking the pool's one connection and giving it back, so that requests queued for it
 * take their turns in between: a VACUUM of each table whose dead rows passed autovacuum's threshold
 * (or whose new rows did, or whose oldest transaction id grows old), an ANALYZE of each whose changed
 * rows did, then a CHECKPOINT once the WAL has moved into another segment since the last. PGlite
 * runs a statement on Node's one thread, so each also holds up the whole process while it runs.
 * VACUUM runs outside any transaction block (it cannot run in one). A failure is logged as a warning
 * and the rest waits for the next round; a stop lets the statement under way finish and starts no other.
 * `DatabaseModule` makes it with an interval of 0 (off) on a server, which has its own.
 */
export class EmbeddedMaintenance implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EmbeddedMaintenance.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    /** How often a round runs (EMBEDDED_MAINTENANCE_MS); 0: never. */
    private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.round().finally(() => (this.running = undefined));
    }, this.intervalMs);
  }

  // In the first shutdown phase, before the pool and the database close: the statement under way
  // (a VACUUM of one table at most) finishes, and no other starts.
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * What is due is done, one statement at a time, and said in one line at info when anything was.
   * Never fails: a failure is a warning, and what it left waits for the next round.
   */
  private async round(): Promise<void> {
    const round: MaintenanceRound = { vacuumed: [], analyzed: [] };
    const started = Date.now();
    try {
      for (const table of await sql<DueTableRow>(this.dataSource, DUE_TABLES)) {
        if (table.vacuum_due && (await this.run(`VACUUM ${table.name}`))) round.vacuumed.push({ table: table.name, deadRows: Number(table.dead_rows) });
        if (table.analyze_due && (await this.run(`ANALYZE ${table.name}`))) round.analyzed.push(table.name);
      }
      if (!this.stopping) {
        const [wal] = await sql<WalRow>(this.dataSource, WAL_SINCE_CHECKPOINT);
        if (wal.other_segment && (await this.run('CHECKPOINT'))) round.checkpointedAfterBytes = Number(wal.bytes);
      }
    } catch (error) {
      this.logger.warn(`Embedded database maintenance stopped short (the rest at the next round): ${(error as Error).message}`);
    }
    const done = describe(round);
    if (done) this.logger.log(`Embedded database maintenance: ${done} (${Date.now() - started} ms)`);
  }

  /** Runs one maintenance statement; false when stopping, or when its table went meanwhile (a rebuild's shadow table). */
  private async run(statement: string): Promise<boolean> {
    if (this.stopping) return false;
    try {
      await this.dataSource.query(statement);
      return true;
    } catch (error) {
      if (pgError(error)?.code === UNDEFINED_TABLE) return false;
      throw error;
    }
  }
}

const UNDEFINED_TABLE = '42P01';

/**
 * The tables autovacuum would see to now, by its own rule and settings (PostgreSQL's defaults:
 * dead rows past 50 + 20% of the table, rows inserted since the last VACUUM past 1,000 + 20%, an
 * oldest transaction id older than 200 million; changed rows past 50 + 10% for an ANALYZE), the
 * most dead rows first. Catalogs included (a rebuild's shadow tables churn them); TOAST tables are
 * vacuumed with their own table. The counts are the statistics' since this start: PGlite keeps none
 * across a restart.
 */
const DUE_TABLES = `
  WITH due AS (
    SELECT format('%I.%I', s.schemaname, s.relname) AS name, s.n_dead_tup AS dead_rows,
      s.n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8 + current_setting('autovacuum_vacuum_scale_factor')::float8 * greatest(c.reltuples, 0)
        OR s.n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float8 + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * greatest(c.reltuples, 0)
        OR age(c.relfrozenxid) > current_setting('autovacuum_freeze_max_age')::float8 AS vacuum_due,
      s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8 + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0) AS analyze_due
    FROM pg_stat_all_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE c.relkind IN ('r', 'm') AND s.schemaname <> 'pg_toast' AND s.schemaname NOT LIKE 'pg\\_temp\\_%'
  )
  SELECT name, dead_rows, vacuum_due, analyze_due FROM due WHERE vacuum_due OR analyze_due ORDER BY dead_rows DESC, name`;

interface DueTableRow {
  /** Schema-qualified and quoted as an identifier (`format('%I.%I')`). */
  name: string;
  /** bigint: text from the driver. */
  dead_rows: string;
  vacuum_due: boolean;
  analyze_due: boolean;
}

/**
 * Whether the WAL has moved into another segment since the last checkpoint's redo point: a
 * checkpoint then lets every segment before the current one be recycled.
 */
const WAL_SINCE_CHECKPOINT = `
  SELECT pg_walfile_name(pg_current_wal_lsn()) <> pg_walfile_name(c.redo_lsn) AS other_segment,
    pg_wal_lsn_diff(pg_current_wal_lsn(), c.redo_lsn)::bigint AS bytes
  FROM pg_control_checkpoint() c`;

interface WalRow {
  other_segment: boolean;
  /** bigint: text from the driver. */
  bytes: string;
}

function describe(round: MaintenanceRound): string {
  const parts: string[] = [];
  // A table vacuumed with no dead row counted was due for its new rows, or its age.
  if (round.vacuumed.length > 0) parts.push(`vacuumed ${round.vacuumed.map(({ table, deadRows }) => (deadRows > 0 ? `${table} (${deadRows} dead rows)` : table)).join(', ')}`);
  if (round.analyzed.length > 0) parts.push(`analyzed ${round.analyzed.join(', ')}`);
  if (round.checkpointedAfterBytes !== undefined) parts.push(`checkpoint after ${(round.checkpointedAfterBytes / 1_048_576).toFixed(1)} MB of WAL`);
  return parts.join('; ');
}
