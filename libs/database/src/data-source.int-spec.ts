import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { migrate } from './data-source.js';

/**
 * DB_ACQUIRE_TIMEOUT_MS bounds a wait behind other users of the pool, and is set short where a quick
 * "busy" answer matters. The migrator's connection has no one to wait behind: a short setting must not
 * make a start fail because its first connection opened slowly (as on a loaded machine).
 */
describe('applying migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(1);
  });
  afterAll(() => database?.drop());

  it('opens its connection without the pool-wait bound, however short DB_ACQUIRE_TIMEOUT_MS is', async () => {
    // One millisecond: no connection to a server opens that fast, so the bound would have failed it.
    await expect(migrate({ ...database.target, acquireTimeoutMs: 1 })).resolves.toEqual([]);
  });
});
