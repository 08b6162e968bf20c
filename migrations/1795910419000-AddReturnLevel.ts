import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The classification level a cable stood at when the approver returned it, so that the inbox shows
 * the return's reason only to a reader cleared for it (a draft can be edited down after a return).
 * Cables returned before this get it from their events: the marking of the last draft or edit
 * before their last return (as a rebuild of the read model would record it).
 */
export class AddReturnLevel1795910419000 implements MigrationInterface {
  name = 'AddReturnLevel1795910419000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE cables ADD COLUMN return_level smallint');
    await db.query(`
      UPDATE cables c SET return_level = COALESCE((
        SELECT CASE e.data->'draft'->>'classification' WHEN 'CONFIDENTIAL' THEN 1 WHEN 'SECRET' THEN 2 WHEN 'TOP_SECRET' THEN 3 ELSE 0 END
        FROM events e
        WHERE e.stream_id = 'cable-' || c.id::text AND e.type IN ('CableDrafted', 'CableEdited') AND e.data->'draft'->>'classification' IS NOT NULL
          AND e.stream_version < (SELECT max(r.stream_version) FROM events r WHERE r.stream_id = 'cable-' || c.id::text AND r.type = 'CableReturned')
        ORDER BY e.stream_version DESC LIMIT 1
      ), c.classification_level)
      WHERE c.returned_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE cables DROP COLUMN return_level');
  }
}
