import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@chancery/database';
import { ALL_MIGRATIONS } from '@chancery/migrations';
import { createEmptyTestDatabase } from '../../../test/support/test-database.js';

/** Escalation notices stored before they went to the front office alone are given its role; no other notice changes. */
describe('escalation notices stored before they were for the front office alone', () => {
  let database: Awaited<ReturnType<typeof createEmptyTestDatabase>>;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    database = await createEmptyTestDatabase('escalation_notices');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database.drop();
  });

  it('addresses them to the bureau’s leadership, and leaves the others as they were', async () => {
    const before = ALL_MIGRATIONS.findIndex((m) => m.name === 'EscalationNoticesToLeadership1795910431000');
    expect(before).toBeGreaterThan(0);
    const old = await new DataSource({ ...dataSourceOptions(database.target), migrations: ALL_MIGRATIONS.slice(0, before) }).initialize();
    await old.runMigrations({ transaction: 'all' });
    const notice = (kind: string, officeRole: string | null) =>
      old.query(
        `INSERT INTO notifications (id, global_position, kind, record_type, record_id, user_ids, offices, office_role, posts, detail, occurred_at)
         VALUES ($1, 1, $2, 'followup', $3, '{}', '{EAP}', $4, '{}', '{}'::jsonb, now())`,
        [randomUUID(), kind, randomUUID(), officeRole],
      );
    await notice('follow-up-escalated', null);
    await notice('follow-up-overdue', null);
    await notice('clearance-requested', 'clearer');
    await old.destroy();

    dataSource = await new DataSource(dataSourceOptions(database.target)).initialize();
    await dataSource.runMigrations({ transaction: 'all' });
    const rows = await dataSource.query<{ kind: string; office_role: string | null }[]>('SELECT kind, office_role FROM notifications ORDER BY kind');
    expect(rows).toEqual([
      { kind: 'clearance-requested', office_role: 'clearer' },
      { kind: 'follow-up-escalated', office_role: 'leadership' },
      { kind: 'follow-up-overdue', office_role: null },
    ]);
  });
});
