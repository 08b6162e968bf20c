import pg from 'pg';
import { createEmptyTestDatabase, createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { migrate } from './data-source.js';
import { SchemaBehindRelease, SchemaOfNewerRelease } from './start-refusal.js';

/** One statement on the database at `url`, on a connection of its own. */
async function query<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

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

/** An upgrade, a failed one, an operations command before the upgrade, and a rollback. */
describe('the schema a release finds', () => {
  it('applies the pending migrations together or not at all: one that fails leaves the schema as it was', async () => {
    const empty = await createEmptyTestDatabase('all_or_none');
    try {
      // A table in the way of a late migration (CreateLoginLimits): the upgrade fails there.
      await query(empty.url, 'CREATE TABLE login_limits (in_the_way int)');
      await expect(migrate(empty.target)).rejects.toThrow(/login_limits/);
      // Nothing of the earlier migrations stays: the release before runs on the schema it had.
      const [state] = await query<{ events: string | null; applied: number }>(empty.url,
        "SELECT to_regclass('events')::text AS events, (SELECT count(*)::int FROM schema_migrations) AS applied");
      expect(state).toEqual({ events: null, applied: 0 });
      await query(empty.url, 'DROP TABLE login_limits');
      expect((await migrate(empty.target)).length).toBeGreaterThan(20);
    } finally {
      await empty.drop();
    }
  });

  it('refuses, only checking, a schema behind this release, and applies nothing', async () => {
    const database = await createTestDatabase(1);
    try {
      const [last] = await query<{ name: string }>(database.target.url, 'DELETE FROM schema_migrations WHERE id = (SELECT max(id) FROM schema_migrations) RETURNING name');
      const checked = migrate(database.target, 'check');
      await expect(checked).rejects.toBeInstanceOf(SchemaBehindRelease);
      await expect(checked).rejects.toThrow(`1 migration(s) not applied (${last.name}). Upgrade it first (npm run migration:run, or a start of Chancery)`);
      expect(await query(database.target.url, `SELECT name FROM schema_migrations WHERE name = '${last.name}'`)).toEqual([]);
    } finally {
      await database.drop();
    }
  });

  it('refuses a schema a newer release migrated, applying or checking, and changes nothing', async () => {
    const database = await createTestDatabase(1);
    try {
      const url = database.target.url;
      await query(url, "INSERT INTO schema_migrations (timestamp, name) VALUES (1899999999999, 'FromANewerRelease1899999999999')");
      const before = await query(url, 'SELECT name FROM schema_migrations ORDER BY id');
      for (const mode of ['apply', 'check'] as const) {
        const refused = migrate(database.target, mode);
        await expect(refused).rejects.toBeInstanceOf(SchemaOfNewerRelease);
        await expect(refused).rejects.toThrow('The database was migrated by a newer release of Chancery than this one: it has applied FromANewerRelease1899999999999');
      }
      expect(await query(url, 'SELECT name FROM schema_migrations ORDER BY id')).toEqual(before);
    } finally {
      await database.drop();
    }
  });
});
