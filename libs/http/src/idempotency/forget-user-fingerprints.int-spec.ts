import { migrationUnderTest } from '../../../../test/support/migrations.js';

/** Keys stored before the routes that carry a password ignored them: their fingerprints are forgotten, the others kept. */
describe('forgetting the fingerprints of requests that carried a password', () => {
  const migration = migrationUnderTest('forget_fingerprints', 'ForgetUserRequestFingerprints1795910426000');

  it('deletes the keys that answered a user, and keeps every other', async () => {
    const old = await migration.before();
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

    const upgraded = await migration.upgrade();
    const left = await upgraded.query<{ key: string }[]>('SELECT key FROM idempotency_keys ORDER BY key');
    expect(left.map((row) => row.key)).toEqual(['cable', 'list', 'logout']);
  });
});
