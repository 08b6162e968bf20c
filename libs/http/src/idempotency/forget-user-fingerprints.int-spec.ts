import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@chancery/database';
import { ALL_MIGRATIONS } from '@chancery/migrations';
import { createEmptyTestDatabase } from '../../../../test/support/test-database.js';

/** Keys stored before the routes that carry a password ignored them: their fingerprints are forgotten, the others kept. */
describe('forgetting the fingerprints of requests that carried a password', () => {
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createEmptyTestDatabase('forget_fingerprints');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  it('deletes the keys that answered a user, and keeps every other', async () => {
    const before = ALL_MIGRATIONS.findIndex((m) => m.name === 'ForgetUserRequestFingerprints1795910426000');
    expect(before).toBeGreaterThan(0);
    const old = await new DataSource({ ...dataSourceOptions(database.target), migrations: ALL_MIGRATIONS.slice(0, before) }).initialize();
    await old.runMigrations({ transaction: 'each' });
    const user = { id: 'u9', username: 'keyed.user', displayName: 'Keyed', roles: ['drafter'], office: 'EAP/CM', postCode: null, clearance: 'SECRET', disabled: false, version: 1 };
    const rows: [string, unknown][] = [
      ['created-user', user],
      ['cable', { id: 'c1', subject: 'Kept', classification: 'SECRET', version: 2 }],
      ['logout', null],
      ['list', [user]],
    ];
    for (const [key, response] of rows) {
      await old.query(`INSERT INTO idempotency_keys (actor_id, key, request_hash, status_code, response) VALUES ('admin', $1, repeat('a', 64), 200, $2::jsonb)`, [key, JSON.stringify(response)]);
    }
    await old.destroy();

    dataSource = await new DataSource(dataSourceOptions(database.target)).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const left = await dataSource.query<{ key: string }[]>('SELECT key FROM idempotency_keys ORDER BY key');
    expect(left.map((row) => row.key)).toEqual(['cable', 'list', 'logout']);
  });
});
