import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { type Running, startProcess, stopProcess, waitFor, WORKER_MAIN } from './processes.js';

/**
 * The worker writes its logs as the API does: what it logged while it started (the database it
 * uses, the migrations), and whatever it logs after, as JSON lines; none is held back for the life
 * of the process.
 */
describe('the worker, started', () => {
  let database: TestDatabase;
  let worker: Running | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    if (worker) await stopProcess(worker);
    await database.drop();
  });

  it('writes what it logged while it started, as JSON lines, once it runs', async () => {
    worker = await startProcess(WORKER_MAIN, database.target.url, { LOG_LEVEL: 'info' });
    const lines = () => worker!.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { context?: string; msg?: string });
    await waitFor(async () => lines().some((line) => line.msg === 'Chancery worker running the async projections'), 60_000, () => worker!.output());
    // Logged by Nest while the worker started, held until its logger was in place.
    await waitFor(async () => lines().some((line) => line.context === 'InstanceLoader'), 5_000, () => worker!.output());
  }, 90_000);
});
