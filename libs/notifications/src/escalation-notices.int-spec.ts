import { randomUUID } from 'node:crypto';
import { migrationUnderTest } from '../../../test/support/migrations.js';

/** Escalation notices stored before they went to the front office alone are given its role; no other notice changes. */
describe('escalation notices stored before they were for the front office alone', () => {
  const migration = migrationUnderTest('escalation_notices', 'EscalationNoticesToLeadership1795910431000');

  it('addresses them to the bureau’s leadership, and leaves the others as they were', async () => {
    const old = await migration.before();
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

    const upgraded = await migration.upgrade();
    // Read after every migration: the roles now a list (NotificationOfficeRoles, tested apart).
    const rows = await upgraded.query<{ kind: string; office_roles: string[] }[]>('SELECT kind, office_roles FROM notifications ORDER BY kind');
    expect(rows).toEqual([
      { kind: 'clearance-requested', office_roles: ['clearer'] },
      { kind: 'follow-up-escalated', office_roles: ['leadership'] },
      { kind: 'follow-up-overdue', office_roles: ['drafter', 'clearer', 'approver', 'leadership'] },
    ]);
  });
});
