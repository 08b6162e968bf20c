import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CapturedLog, capturingLogs } from './support/captured-logs.js';
import { createTestApp } from './support/test-app.js';

/**
 * PGlite runs PostgreSQL as a single-user backend: no autovacuum, no checkpointer. Nothing vacuums
 * the tables the commands rewrite, and nothing checkpoints, so the WAL is never recycled while the
 * process runs. The embedded runtime's maintenance loop (EMBEDDED_MAINTENANCE_MS) does both.
 */
describe('maintenance of the embedded database', () => {
  let dataDir: string;
  let app: INestApplication | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chancery-maintenance-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (maintenanceMs: string) =>
    (await createTestApp(undefined, { env: { CHANCERY_DATA_DIR: dataDir, JWT_SECRET: '', EMBEDDED_MAINTENANCE_MS: maintenanceMs } })).app;

  /** Rows rewritten through an indexed column (no HOT update, so no pruning clears them): dead rows a VACUUM must remove. */
  const churn = (table: string, rows: number, updated: number, rounds: number) =>
    [
      `CREATE TABLE ${table} (id int PRIMARY KEY, n int NOT NULL)`,
      `CREATE INDEX ON ${table} (n)`,
      `INSERT INTO ${table} SELECT g, 0 FROM generate_series(1, ${rows}) g`,
      ...Array.from({ length: rounds }, () => `UPDATE ${table} SET n = n + 1 WHERE id <= ${updated}`),
    ].join(';\n');

  interface TableRow {
    relname: string;
    n_dead_tup: number;
    vacuumed: boolean;
    analyzed: boolean;
  }
  const tables = async (dataSource: DataSource, names: string[]): Promise<Record<string, TableRow>> => {
    const rows: TableRow[] = await dataSource.query(
      `SELECT relname, n_dead_tup::int, last_vacuum IS NOT NULL AS vacuumed, last_analyze IS NOT NULL AS analyzed
       FROM pg_stat_user_tables WHERE relname = ANY($1)`,
      [names],
    );
    return Object.fromEntries(rows.map((row) => [row.relname, row]));
  };

  interface WalRow {
    checkpoint_lsn: string;
    redo_segment: string;
    current_segment: string;
    older_segments: number;
  }
  /** The last checkpoint, and the WAL segments it left that are older than its redo point's (none once recycled). */
  const wal = async (dataSource: DataSource): Promise<WalRow> =>
    (
      await dataSource.query(
        `SELECT c.checkpoint_lsn::text, pg_walfile_name(c.redo_lsn) AS redo_segment, pg_walfile_name(pg_current_wal_lsn()) AS current_segment,
           (SELECT count(*)::int FROM pg_ls_waldir() w WHERE w.name ~ '^[0-9A-F]{24}$' AND w.name < pg_walfile_name(c.redo_lsn)) AS older_segments
         FROM pg_control_checkpoint() c`,
      )
    )[0];

  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, withinMs = 30_000): Promise<T> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${withinMs} ms: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const maintenanceLines = (logs: readonly CapturedLog[]) => logs.filter((log) => log.context === 'EmbeddedMaintenance');

  it('vacuums the tables whose dead rows passed the threshold, analyzes what changed, and checkpoints so that older WAL segments are recycled', async () => {
    app = await start('300');
    const dataSource = app.get(DataSource);
    const before = await wal(dataSource);
    const { result, logs } = await capturingLogs(async () => {
      // 300 rows rewritten 5 times: some 1,500 dead rows, far past 50 + 20% of the table. The quiet
      // table's 10 are not (autovacuum's rule): it is analyzed (new rows), not vacuumed.
      await dataSource.query(`${churn('maintenance_hot', 300, 300, 5)};\n${churn('maintenance_quiet', 300, 10, 1)}`);
      // The WAL moves on to a new segment: a checkpoint can recycle the ones before it.
      await dataSource.query('SELECT pg_switch_wal()');
      const switched = await wal(dataSource);
      expect(switched.current_segment > switched.redo_segment).toBe(true);
      const vacuumed = await until(
        'a vacuum of maintenance_hot',
        () => tables(dataSource, ['maintenance_hot', 'maintenance_quiet']),
        // Counts the backend had not reported yet when the VACUUM ran may come in after it: the next round clears them.
        (found) => found.maintenance_hot?.vacuumed === true && found.maintenance_hot.n_dead_tup < 50 && found.maintenance_quiet?.analyzed === true,
      );
      const checkpointed = await until('a checkpoint', () => wal(dataSource), (now) => now.checkpoint_lsn !== before.checkpoint_lsn && now.redo_segment >= switched.current_segment);
      return { vacuumed, checkpointed };
    });
    expect(result.vacuumed.maintenance_hot).toMatchObject({ vacuumed: true, analyzed: true });
    expect(result.vacuumed.maintenance_hot.n_dead_tup).toBeLessThan(50);
    expect(result.vacuumed.maintenance_quiet).toMatchObject({ vacuumed: false, analyzed: true });
    expect(result.checkpointed.older_segments).toBe(0);
    // Said at info, what was done; nothing more.
    const lines = maintenanceLines(logs);
    expect(lines.filter((log) => log.level !== 'log')).toEqual([]);
    expect(lines.map((log) => log.message).join('\n')).toMatch(/vacuumed .*maintenance_hot/);
    expect(lines.map((log) => log.message).join('\n')).toMatch(/checkpoint/);
  }, 180_000); // two starts of the embedded database: seconds alone, a minute or more on two cores shared with other suites

  it('stops cleanly while a VACUUM is in flight: the stop waits for that statement, starts no other, and the data folder opens again whole', async () => {
    app = await start('200');
    const dataSource = app.get(DataSource);
    const names = ['maintenance_a', 'maintenance_b', 'maintenance_c', 'maintenance_d'];
    const statements: string[] = [];
    let closing: Promise<void> | undefined;
    const query = dataSource.query.bind(dataSource);
    const spy = jest.spyOn(dataSource, 'query').mockImplementation((sql: string, ...rest: unknown[]) => {
      statements.push(sql);
      // The stop begins as the first VACUUM goes out: it is in flight while the app closes.
      if (!closing && /^VACUUM/i.test(sql)) closing = app!.close();
      return query(sql, ...(rest as [unknown[]]));
    });
    // One query: the loop cannot take the connection between the tables, so all four are due at its next round.
    await dataSource.query(names.map((name) => churn(name, 200, 200, 3)).join(';\n'));
    const { logs } = await capturingLogs(async () => {
      await until('a VACUUM', async () => closing !== undefined, (begun) => begun);
      await closing;
    });
    spy.mockRestore();
    app = undefined;

    const vacuums = statements.filter((sql) => /^VACUUM/i.test(sql));
    expect(vacuums).toHaveLength(1);
    expect(statements.slice(statements.indexOf(vacuums[0]) + 1).filter((sql) => /^(VACUUM|ANALYZE|CHECKPOINT)/i.test(sql))).toEqual([]);
    expect(logs.filter((log) => log.level !== 'log')).toEqual([]);
    expect(maintenanceLines(logs).map((log) => log.message).join('\n')).toMatch(/vacuumed/);

    // The folder is whole: the next start reads every table, the one vacuumed (its visibility map set,
    // which only a VACUUM does; PGlite keeps no statistics across a restart) and the three left for later.
    app = await start('0');
    const visible: { relname: string }[] = await app.get(DataSource).query('SELECT relname FROM pg_class WHERE relname = ANY($1) AND relallvisible > 0', [names]);
    expect(visible).toHaveLength(1);
    for (const name of names) expect((await app.get(DataSource).query(`SELECT count(*)::int AS n FROM ${name}`))[0].n).toBe(200);
  }, 180_000); // two starts of the embedded database: seconds alone, a minute or more on two cores shared with other suites
});
