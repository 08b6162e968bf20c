import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig } from '@chancery/config';
import { type DatabaseRuntime, dataSourceOptions } from '@chancery/database';
import { ALL_MIGRATIONS } from '@chancery/migrations';
import { testAuditEnv } from '../../../test/support/audit-key.js';
import { createEmptyTestDatabase } from '../../../test/support/test-database.js';
import { AuditLog } from './audit-log.js';
import { AuditSealer } from './audit-sealer.js';

/** Entries written under the hash chain are sealed into the tree, once, in their order. */
describe('migrating the hash-chained audit log into the Merkle tree', () => {
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createEmptyTestDatabase('audit_migration');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  it('numbers the old entries as they were, then goes on after them', async () => {
    const before = ALL_MIGRATIONS.findIndex((m) => m.name === 'AuditMerkleLog1795910412000');
    const old = await new DataSource({ ...dataSourceOptions(database.target), migrations: ALL_MIGRATIONS.slice(0, before) }).initialize();
    await old.runMigrations({ transaction: 'each' });
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

    dataSource = await new DataSource(dataSourceOptions(database.target)).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const audit = new AuditLog(dataSource);
    await audit.append({ actorId: 'u2', actorRole: 'drafter', action: 'AfterTheMigration' });
    const config = loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'x'.repeat(32), ...testAuditEnv() });
    const sealer = new AuditSealer(dataSource, config, { target: database.target } as DatabaseRuntime, false, audit);
    expect(await sealer.catchUp()).toBe(6);

    const { items } = await audit.list();
    expect(items.map((item) => [item.seq, item.id, item.action])).toEqual([
      ...ids.map((id, i) => [i + 1, id, `Action${i + 1}`]),
      [6, expect.any(String), 'AfterTheMigration'],
    ]);
    expect(await audit.verify()).toMatchObject({ valid: true, entries: 6, treeSize: 6 });
  });
});
