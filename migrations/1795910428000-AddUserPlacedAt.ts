import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each user took their current office or post (`users.placed_at`): a notice addressed to an
 * office or a post is for those who held it when it happened, not for whoever holds it later. Users
 * stored before get it from their events, as the read model records it and a rebuild would: their
 * registration, or the last change of their office or post (the event names only what changed), to
 * the millisecond as events are read. A user with no such event (there should be none) is taken as
 * placed when created.
 */
export class AddUserPlacedAt1795910428000 implements MigrationInterface {
  name = 'AddUserPlacedAt1795910428000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE users ADD COLUMN placed_at timestamptz');
    await db.query(`
      UPDATE users u SET placed_at = coalesce((
        SELECT date_trunc('milliseconds', e.recorded_at) FROM events e
        WHERE e.stream_id = 'user-' || u.id::text
          AND (e.type = 'UserRegistered' OR (e.type = 'UserProfileChanged' AND (e.data->'changes' ? 'office' OR e.data->'changes' ? 'postCode')))
        ORDER BY e.stream_version DESC LIMIT 1), u.created_at)`);
    await db.query('ALTER TABLE users ALTER COLUMN placed_at SET NOT NULL');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE users DROP COLUMN placed_at');
  }
}
