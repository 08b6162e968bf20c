import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The classification level a cable stood at when the approver returned it, so that the inbox shows
 * the return's reason only to a reader cleared for it (a draft can be edited down after a return).
 * Cables returned before this are taken to stand where they stand now; a rebuild of the cables read
 * model records each return's own level.
 */
export class AddReturnLevel1795910419000 implements MigrationInterface {
  name = 'AddReturnLevel1795910419000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE cables ADD COLUMN return_level smallint');
    await db.query('UPDATE cables SET return_level = classification_level WHERE returned_at IS NOT NULL');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE cables DROP COLUMN return_level');
  }
}
