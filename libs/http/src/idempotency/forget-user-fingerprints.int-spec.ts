import pg from 'pg';
import { DataSource } from 'typeorm';
import { type DatabaseTarget, dataSourceOptions } from '@chancery/database';
import { ALL_MIGRATIONS } from '@chancery/migrations';
import { TEST_DATABASE_URL } from '../../../../test/support/test-database.js';

/** Keys stored before the routes that carry a password ignored them: their fingerprints are forgotten, the others kept. */
describe('forgetting the fingerprints of requests that carried a password', () => {
  const name = `chancery_test_f_${process.pid}_forget_fingerprints`;
  const url = Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${name}` }).toString();
  const target: DatabaseTarget = { url, embedded: false, poolSize: 2 };
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  let dataSource: DataSource | undefined;

  beforeAll(() => admin(`CREATE DATABASE ${name}`));
  afterAll(async () => {
    await dataSource?.destroy();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('deletes the keys that answered a user, and keeps every other', async () => {
    const before = ALL_MIGRATIONS.findIndex((m) => m.name === 'ForgetUserRequestFingerprints1795910426000');
    expect(before).toBeGreaterThan(0);
    const old = await new DataSource({ ...dataSourceOptions(target), migrations: ALL_MIGRATIONS.slice(0, before) }).initialize();
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

    dataSource = await new DataSource(dataSourceOptions(target)).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const left = await dataSource.query<{ key: string }[]>('SELECT key FROM idempotency_keys ORDER BY key');
    expect(left.map((row) => row.key)).toEqual(['cable', 'list', 'logout']);
  });
});
