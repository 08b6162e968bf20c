import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reaction (process manager) never skips an event: one that keeps failing stops it there, with
 * the event and the error kept on its checkpoint row until an operator redrives it. `attempts`
 * counts the failures at `error_position` so far, whether or not it has stopped.
 */
export class AddProjectionStops1795910409000 implements MigrationInterface {
  name = 'AddProjectionStops1795910409000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE projection_checkpoints
        ADD COLUMN attempts         integer NOT NULL DEFAULT 0,
        ADD COLUMN error            text,
        ADD COLUMN error_position   bigint,
        ADD COLUMN error_event_id   uuid,
        ADD COLUMN error_event_type text,
        ADD COLUMN failed_at        timestamptz,
        ADD COLUMN stopped_at       timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE projection_checkpoints
        DROP COLUMN attempts, DROP COLUMN error, DROP COLUMN error_position, DROP COLUMN error_event_id,
        DROP COLUMN error_event_type, DROP COLUMN failed_at, DROP COLUMN stopped_at`);
  }
}
