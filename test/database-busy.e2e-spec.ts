import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource, type QueryRunner } from 'typeorm';
import { AuditSealer } from '@chancery/audit';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { OverdueScheduler } from '@chancery/demarches';
import { CommandCommitter, ProjectionRunner } from '@chancery/event-store';
import { NotesFixtureModule } from './fixtures/notes.module.js';
import { capturingLogs } from './support/captured-logs.js';
import { createTestApp, loginAsAdmin } from './support/test-app.js';

const ACQUIRE_TIMEOUT_MS = 300;

/**
 * A transaction that never ends, on the embedded database (PGlite: a pool of one connection), with
 * DB_ACQUIRE_TIMEOUT_MS short: requests that wait for the connection are answered 503 "busy" once
 * the wait passes, and the background loops (projection runner, audit sealer, overdue scan, the
 * embedded database's maintenance) give up their turn and carry on once the connection is free again.
 */
describe('a stuck transaction on the embedded database', () => {
  let dataDir: string;
  let app: INestApplication;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chancery-busy-'));
    const env = { CHANCERY_DATA_DIR: dataDir, JWT_SECRET: '', DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS), OVERDUE_SCAN_MS: '200', AUDIT_SEAL_INTERVAL_MS: '50', PROJECTIONS_POLL_MS: '100', EMBEDDED_MAINTENANCE_MS: '200' };
    ({ app } = await createTestApp(undefined, { env, imports: [NotesFixtureModule], runProjections: true }));
    token = await loginAsAdmin(app);
  });
  afterAll(async () => {
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Takes the one connection (waiting for the background loops' turns) and opens a transaction on it. */
  async function holdTheConnection(): Promise<QueryRunner> {
    for (;;) {
      const runner = app.get(DataSource).createQueryRunner();
      try {
        await runner.connect();
        await runner.startTransaction();
        return runner;
      } catch {
        await runner.release();
      }
    }
  }

  it('answers 503 busy with Retry-After instead of waiting forever, and every background loop carries on afterwards', async () => {
    const note = (await request(app.getHttpServer()).post('/notes').set('Authorization', `Bearer ${token}`).send({ title: 'Before' }).expect(201)).body;
    const dataSource = app.get(DataSource);
    const transactions = jest.spyOn(dataSource, 'transaction');
    const scansBefore = app.get(OverdueScheduler).status().lastScanAt;

    const { logs } = await capturingLogs(async () => {
      const held = await holdTheConnection();
      try {
        const started = Date.now();
        const busy = await request(app.getHttpServer()).get(`/notes/${note.id}`).set('Authorization', `Bearer ${token}`).timeout(10_000).expect(503);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(busy.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(busy.headers['retry-after']).toBe('1');
        expect(busy.body).toMatchObject({ status: 503, code: 'DATABASE_BUSY', detail: 'The database is busy; try again shortly.' });

        // A command gives up after one wait, not after a wait for each of its retries.
        transactions.mockClear();
        const context = { actor: { id: 'system', username: 'test', role: 'system' }, requestId: 'busy-command' };
        const refused = await app.get(CommandCommitter).run(context, 'Nothing', async () => ({ result: null })).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(ChanceryError);
        expect((refused as ChanceryError).code).toBe(ErrorCode.DatabaseBusy);
        expect(transactions).toHaveBeenCalledTimes(1);

        // The runner, the sealer, the scan and the maintenance meet the same wait meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 4 * ACQUIRE_TIMEOUT_MS));
      } finally {
        await held.rollbackTransaction();
        await held.release();
        transactions.mockRestore();
      }
    });
    const timedOut = logs.filter((log) => /timeout exceeded when trying to connect/.test(log.message));
    expect(new Set(timedOut.map((log) => log.context))).toEqual(new Set(['ProjectionRunner', 'AuditSealer', 'OverdueScheduler', 'EmbeddedMaintenance']));
    // A busy database is a warning, never an error.
    expect(logs.filter((log) => log.level === 'error' || log.level === 'fatal')).toEqual([]);

    // Free again: a command goes through, is sealed into the audit log and read by the projections.
    const after = await request(app.getHttpServer()).post('/notes').set('Authorization', `Bearer ${token}`).send({ title: 'After' }).expect(201);
    expect(after.body.title).toBe('After');
    const deadline = Date.now() + 20_000;
    const caughtUp = async () => {
      const pending = (await dataSource.query('SELECT count(*)::int AS n FROM audit_log WHERE seq IS NULL'))[0].n;
      const lagging = (await app.get(ProjectionRunner).status()).filter((p) => p.mode === 'async' && (p.lag > 0 || p.failure));
      const scanned = app.get(OverdueScheduler).status().lastScanAt !== scansBefore;
      return pending === 0 && lagging.length === 0 && scanned && app.get(AuditSealer).status().lastError === null;
    };
    while (!(await caughtUp())) {
      if (Date.now() > deadline) throw new Error(`the background loops did not recover: ${JSON.stringify({ sealer: app.get(AuditSealer).status(), runner: await app.get(ProjectionRunner).status() })}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);
});
