import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a follow-up's text was written while a cable it is linked to was unreleased, so that it
 * is read as that draft is (`FollowUpCreated`'s `writtenUnderDraft`, `FollowUpWrittenUnderDraft`).
 * Follow-ups stored before are recorded by a data repair through the event store
 * (`FollowUpDraftTextRepair`), so that a rebuild from the events gives the same column.
 */
export class AddFollowUpDraftText1795910422000 implements MigrationInterface {
  name = 'AddFollowUpDraftText1795910422000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE follow_ups ADD COLUMN written_under_draft boolean NOT NULL DEFAULT false');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE follow_ups DROP COLUMN written_under_draft');
  }
}
