import { spawn } from 'node:child_process';
import pg from 'pg';
import { TEST_JWT_SECRET } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { CLI_MAIN } from './processes.js';

const BATCH_LOCKS = 0x43484e43; // the projection runner's lock on a projection's batches (and its swap)

/** `projections:rebuild` stopped with Ctrl-C, as an operator stops it: it says what that leaves. */
describe('a rebuild interrupted', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(2);
  });
  afterAll(() => database?.drop());

  /**
   * `projections:rebuild cables` spawned as an operator runs it, while a held lock keeps a rebuild
   * that begins from finishing (it waits just before its swap): `interrupt` sends Ctrl-C once `ready`
   * is in what it said, and answers its exit code and all it said.
   */
  async function rebuildHeldBack(interrupt: { ready: (said: string) => boolean; afterMs?: number }): Promise<{ code: number | null; said: string }> {
    const holder = new pg.Client({ connectionString: database.target.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BATCH_LOCKS, 'cables']);
    try {
      const child = spawn(process.execPath, [CLI_MAIN, 'projections:rebuild', 'cables'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.target.url, JWT_SECRET: TEST_JWT_SECRET, SEED_POSTS: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let said = '';
      child.stdout.on('data', (chunk) => (said += chunk));
      child.stderr.on('data', (chunk) => (said += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      for (const deadline = Date.now() + 60_000; !interrupt.ready(said); ) {
        if (Date.now() > deadline) throw new Error(`the rebuild did not get so far: ${said}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (interrupt.afterMs) await new Promise((resolve) => setTimeout(resolve, interrupt.afterMs));
      child.kill('SIGINT');
      return { code: await exited, said };
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  }

  let admin: Awaited<ReturnType<TestDatabase['dataSource']>> | undefined;
  const checkpoint = async () =>
    (admin ??= await database.dataSource(1)).query(`SELECT name, global_position, updated_at::text FROM projection_checkpoints WHERE name = 'cables'`);

  it('says, on Ctrl-C, that a read model is swapped in whole or not at all, and exits 130 with the read model as it was', async () => {
    const before = await checkpoint();
    // Its progress, written as lines where there is no terminal: the rebuild is under way, and waiting on the lock now (or about to).
    const { code, said } = await rebuildHeldBack({ ready: (text) => /cables\s+\[/.test(text), afterMs: 500 });
    expect(code).toBe(130);
    expect(said).toContain('Interrupted. A read model is swapped in whole, at the end of its own rebuild, or not at all: those not swapped in yet are as they were. See npm run projections:status.');
    // Nothing was swapped in: the read model's checkpoint is as it was.
    expect(await checkpoint()).toEqual(before);
  }, 120_000);

  it('says so on Ctrl-C before the rebuild has begun too (while it opens the database): exit 130, nothing rebuilt', async () => {
    const before = await checkpoint();
    const { code, said } = await rebuildHeldBack({ ready: (text) => text.includes('Rebuilding cables: opening the database') });
    expect(code).toBe(130);
    expect(said).toMatch(/Interrupted (before the rebuild began: no read model was rebuilt; each is as it was|\. A read model is swapped in whole)/);
    expect(await checkpoint()).toEqual(before);
  }, 120_000);
});
