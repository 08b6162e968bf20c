import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-app.js';
import { API_MAIN, client, loginTo, type Running, startProcess, stopProcess, userOn, waitFor } from './processes.js';

/** The local cluster, as the machine runs it (`pg_ctlcluster`); this test stops and starts it. */
const VERSION = process.env.PG_CLUSTER_VERSION ?? readdirSync('/etc/postgresql')[0];
const cluster = (action: 'stop' | 'start') => execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', VERSION, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'pipe' });

describe('PostgreSQL restarts under load', () => {
  let database: TestDatabase;
  let api: Running;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startProcess(API_MAIN, database.target.url, { DB_POOL_SIZE: '6' });
  });
  afterAll(async () => {
    await stopProcess(api);
    await database.drop();
  });

  it('reports not-ready while it is down, recovers by itself, and loses nothing a client was told was done', async () => {
    const admin = await loginTo(api.base, 'admin', TEST_ADMIN_PASSWORD);
    const drafter = client(api.base, await userOn(api.base, admin, { username: 'restart.drafter', roles: ['drafter'], office: 'EAP/CM' }));

    // Clients create follow-ups, each with an Idempotency-Key, and retry until they get a 2xx:
    // what a careful client does when it cannot know whether its command was applied.
    let generating = true;
    const done = new Map<string, string>(); // key -> follow-up id
    const statuses = new Set<number>();
    const clientLoop = async (n: number) => {
      for (let i = 0; generating; i++) {
        const key = `restart-${n}-${i}`;
        for (;;) {
          const answer = await drafter.post('/follow-ups', { title: `Follow-up ${key}`, owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }, { 'Idempotency-Key': key }).catch(() => ({ status: 0, body: null }));
          statuses.add(answer.status);
          if (answer.status === 201) {
            done.set(key, answer.body.id);
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    const health = async () => (await fetch(`${api.base}/health`).catch(() => null))?.status ?? 0;
    const clients = Array.from({ length: 6 }, (_, n) => clientLoop(n));

    await new Promise((r) => setTimeout(r, 1500));
    const beforeOutage = done.size;
    cluster('stop');
    try {
      await waitFor(async () => (await health()) === 503, 15_000, () => 'health never said 503 while the database was down');
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      cluster('start');
    }
    await waitFor(async () => (await health()) === 200, 60_000, () => `the API did not recover:\n${api.output()}`);
    const afterRecovery = done.size;
    await waitFor(async () => done.size > afterRecovery + 20, 30_000, () => 'commands did not succeed again after the restart');
    generating = false;
    await Promise.all(clients);

    expect(beforeOutage).toBeGreaterThan(0);
    // While it was down: 503 (or no answer at all), never an internal error or a refused token.
    expect([...statuses].filter((s) => ![201, 503, 0].includes(s))).toEqual([]);
    expect(statuses.has(503)).toBe(true);
    // The outage is told in JSON lines, as everything is: no plain-text line from the database driver.
    expect(api.output().split('\n').slice(1).filter((line) => line.trim() !== '' && !line.startsWith('{') && /pool|connection/i.test(line))).toEqual([]);
    const db = new pg.Client({ connectionString: database.target.url });
    await db.connect();
    try {
      // Every key the clients were told was done is there, once; nothing else is.
      const { rows } = await db.query(`SELECT id::text, title FROM follow_ups WHERE title LIKE 'Follow-up restart-%'`);
      expect(rows.length).toBe(done.size);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(done.values()));
      const [{ n: created }] = (await db.query(`SELECT count(*)::int AS n FROM events WHERE type = 'FollowUpCreated'`)).rows;
      expect(created).toBe(done.size);
      // No event without its audit entry.
      const [{ n: unaudited }] = (
        await db.query(`SELECT count(*)::int AS n FROM events e WHERE NOT EXISTS (
          SELECT 1 FROM audit_log a WHERE a.stream_id = e.stream_id AND e.stream_version BETWEEN a.from_version AND a.to_version)`)
      ).rows;
      expect(unaudited).toBe(0);
    } finally {
      await db.end();
    }
    const auditor = client(api.base, admin);
    expect((await auditor.get('/audit/verify')).body).toMatchObject({ valid: true });
  });
});
