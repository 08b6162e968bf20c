import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An escalation is told to the bureau's front office, its leadership (`notificationOf`), not to
 * everyone whose office is the bureau's symbol. The notices stored before say no role (any member);
 * they are given the leadership role the rule now gives, so that an approver or clearer of the
 * bureau stops being shown, and counted unread, what they could never act on (the notifications
 * read model, rebuilt, would say the same). Nothing to restore on the way down.
 */
export class EscalationNoticesToLeadership1795910431000 implements MigrationInterface {
  name = 'EscalationNoticesToLeadership1795910431000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE notifications SET office_role = 'leadership' WHERE kind = 'follow-up-escalated' AND office_role IS NULL`);
  }

  async down(): Promise<void> {
    // The notices were for the front office all along.
  }
}
