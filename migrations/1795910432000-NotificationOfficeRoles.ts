import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A notice to an office names the roles of it that it is for (`notifications.office_roles`), where it
 * named one or none (`office_role`, none meaning every member). The one that named none, an overdue
 * follow-up's notice to the office that owns it, reached its auditors too, who only read; it is now
 * for the office's working people (`OFFICE_WORKING_ROLES`: drafters, clearers, approvers,
 * leadership), as the rule now writes it and a rebuild of the read model would. Down: the single
 * role back where there is one, none where there were several.
 */
export class NotificationOfficeRoles1795910432000 implements MigrationInterface {
  name = 'NotificationOfficeRoles1795910432000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications ADD COLUMN office_roles text[] NOT NULL DEFAULT '{}'`);
    await db.query(`UPDATE notifications SET office_roles = ARRAY[office_role] WHERE office_role IS NOT NULL`);
    await db.query(
      `UPDATE notifications SET office_roles = '{drafter,clearer,approver,leadership}'
        WHERE office_role IS NULL AND cardinality(offices) > 0`,
    );
    await db.query(`ALTER TABLE notifications ALTER COLUMN office_roles DROP DEFAULT, DROP COLUMN office_role`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications ADD COLUMN office_role text`);
    await db.query(`UPDATE notifications SET office_role = office_roles[1] WHERE cardinality(office_roles) = 1`);
    await db.query(`ALTER TABLE notifications DROP COLUMN office_roles`);
  }
}
