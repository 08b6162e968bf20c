import { randomUUID } from 'node:crypto';
import { loadConfig } from '@chancery/config';
import type { DatabaseRuntime } from '@chancery/database';
import { testAuditEnv } from '../../../test/support/audit-key.js';
import { migrationUnderTest } from '../../../test/support/migrations.js';
import { AuditLog } from './audit-log.js';
import { AuditSealer } from './audit-sealer.js';

/** Entries written under the hash chain are sealed into the tree, once, in their order. */
describe('migrating the hash-chained audit log into the Merkle tree', () => {
  const migration = migrationUnderTest('audit_migration', 'AuditMerkleLog1795910412000');

  it('numbers the old entries as they were, then goes on after them', async () => {
    const old = await migration.before();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    // Stored out of order on purpose: the order that counts is seq.
    for (const seq of [3, 1, 5, 2, 4]) {
      await old.query(
        `INSERT INTO audit_log (seq, entry_id, recorded_at, actor_id, actor_role, action, details, prev_hash, hash)
         VALUES ($1, $2, now(), 'u1', 'drafter', $3, '{"events": ["CableEdited"]}', repeat('0', 64), repeat('1', 64))`,
        [seq, ids[seq - 1], `Action${seq}`],
      );
    }
    await old.query(`UPDATE audit_chain_head SET seq = 5`);
    await old.destroy();

    const dataSource = await migration.upgrade();
    const audit = new AuditLog(dataSource);
    await audit.append({ actorId: 'u2', actorRole: 'drafter', action: 'AfterTheMigration' });
    const config = loadConfig({ DATABASE_URL: migration.url, JWT_SECRET: 'x'.repeat(32), ...testAuditEnv() });
    const sealer = new AuditSealer(dataSource, config, { target: migration.target } as DatabaseRuntime, false, audit);
    expect(await sealer.catchUp()).toBe(6);

    const { items } = await audit.list();
    expect(items.map((item) => [item.seq, item.id, item.action])).toEqual([
      ...ids.map((id, i) => [i + 1, id, `Action${i + 1}`]),
      [6, expect.any(String), 'AfterTheMigration'],
    ]);
    expect(await audit.verify()).toMatchObject({ valid: true, entries: 6, treeSize: 6 });
  });
});
