import { randomUUID } from 'node:crypto';
import { migrationUnderTest } from '../../../test/support/migrations.js';

/** Notices stored with one office role or none are given the list of roles the rule now writes. */
describe('notices to an office stored before they named a list of roles', () => {
  const migration = migrationUnderTest('notice_office_roles', 'NotificationOfficeRoles1795910432000');

  it('keeps a role they named, gives an overdue notice to an office its working roles, and none to a notice of no office', async () => {
    const old = await migration.before();
    const notice = (kind: string, offices: string[], officeRole: string | null, posts: string[] = []) =>
      old.query(
        `INSERT INTO notifications (id, global_position, kind, record_type, record_id, user_ids, offices, office_role, posts, detail, occurred_at)
         VALUES ($1, 1, $2, 'followup', $3, '{creator}', $4, $5, $6, '{}'::jsonb, now())`,
        [randomUUID(), kind, randomUUID(), offices, officeRole, posts],
      );
    await notice('clearance-requested', ['L'], 'clearer');
    await notice('follow-up-escalated', ['EAP'], 'leadership');
    await notice('follow-up-overdue', ['EAP/CM'], null);
    await notice('follow-up-overdue', [], null, ['BEIJING']);
    await old.destroy();

    const upgraded = await migration.upgrade();
    const rows = await upgraded.query<{ kind: string; offices: string[]; office_roles: string[] }[]>(
      'SELECT kind, offices, office_roles FROM notifications ORDER BY kind, cardinality(offices) DESC',
    );
    expect(rows).toEqual([
      { kind: 'clearance-requested', offices: ['L'], office_roles: ['clearer'] },
      { kind: 'follow-up-escalated', offices: ['EAP'], office_roles: ['leadership'] },
      { kind: 'follow-up-overdue', offices: ['EAP/CM'], office_roles: ['drafter', 'clearer', 'approver', 'leadership'] },
      { kind: 'follow-up-overdue', offices: [], office_roles: [] },
    ]);
    const [column] = await upgraded.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'notifications' AND column_name = 'office_role'`,
    );
    expect(column.n).toBe(0);
  });
});
