import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-app.js';
import { API_MAIN, loginTo, readModels, rebuildAll, releaseInstruction, type Running, startProcess, stopProcess, userOn, waitFor, WORKER_MAIN } from './processes.js';

const CABLES = 12;

describe('a projection worker killed in the middle of a batch', () => {
  let database: TestDatabase;
  let api: Running;
  let db: pg.Client;
  const count = async (sql: string) => (await db.query(sql)).rows[0].n as number;

  beforeAll(async () => {
    database = await createTestDatabase();
    // The API leaves the async projections (here: the campaign opener) to the worker.
    api = await startProcess(API_MAIN, database.target.url, { SEED_POSTS: 'true', PROJECTIONS_INLINE: 'false' });
    db = new pg.Client({ connectionString: database.target.url });
    await db.connect();
  });
  const workers: Running[] = [];
  afterAll(async () => {
    for (const worker of workers) await stopProcess(worker, 'SIGKILL');
    await db.end();
    await stopProcess(api);
    await database.drop();
  });

  it('leaves nothing half-applied: restarted, it ends where a full rebuild ends', async () => {
    const admin = await loginTo(api.base, 'admin', TEST_ADMIN_PASSWORD);
    const drafter = await userOn(api.base, admin, { username: 'kill.drafter', roles: ['drafter'], office: 'EAP/CM' });
    const approver = await userOn(api.base, admin, { username: 'kill.approver', roles: ['approver'], office: 'EAP' });
    for (let i = 0; i < CABLES; i++) await releaseInstruction(api.base, drafter, approver, ['ALDAC'], `Kill test ${i}`, admin);
    const posts = await count(`SELECT count(*)::int AS n FROM posts WHERE status = 'OPEN'`);

    // The first batch is made to stop half-way: a lock on demarche_counts, held by this test, blocks
    // it after it has written the campaign's events and delivery rows. Then the worker is killed.
    const env = { PROJECTIONS_BATCH_SIZE: '4', PROJECTIONS_POLL_MS: '50' };
    const opened = () => count(`SELECT count(*)::int AS n FROM events WHERE type = 'CampaignOpened'`);
    const locker = new pg.Client({ connectionString: database.target.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE demarche_counts IN EXCLUSIVE MODE');
    let worker = await startProcess(WORKER_MAIN, database.target.url, env);
    workers.push(worker);
    await waitFor(
      async () => (await count(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%demarche_counts%'`)) > 0,
      30_000,
      () => `the worker never reached the locked table:\n${worker.output()}`,
    );
    await stopProcess(worker, 'SIGKILL');
    await locker.query('ROLLBACK');
    await locker.end();
    // Its transaction dies with it: no campaign, no delivery row, no checkpoint moved.
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) === 0, 10_000);
    expect(await opened()).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM demarche_deliveries')).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM projection_checkpoints
      WHERE name = 'campaign-opener' AND global_position >= (SELECT min(global_position) FROM events WHERE type = 'CableReleased')`)).toBe(0);

    worker = await startProcess(WORKER_MAIN, database.target.url, env);
    workers.push(worker);
    await waitFor(async () => (await opened()) === CABLES, 120_000, () => `only ${CABLES} campaigns expected:\n${worker.output()}`);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM projection_checkpoints c WHERE c.name = 'campaign-opener' AND c.global_position >= (SELECT max(global_position) FROM events WHERE type = 'CableReleased')`)) === 1, 30_000);
    await stopProcess(worker);

    expect(await count(`SELECT count(DISTINCT stream_id)::int AS n FROM events WHERE type = 'CampaignOpened'`)).toBe(CABLES);
    expect(await count('SELECT count(*)::int AS n FROM demarche_deliveries')).toBe(CABLES * posts);
    const live = await readModels(database.target.url);
    await rebuildAll(database.target.url);
    expect(await readModels(database.target.url)).toEqual(live);
  });
});
