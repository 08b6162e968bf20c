import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event's recorded_at is the moment its row is inserted (clock_timestamp()), not the start of
 * its transaction (now()). With now(), a long transaction's events were stamped earlier than events
 * other transactions had committed to the same stream before them, so a stream read `asOf` an
 * instant could return a later version without an earlier one. Events already stored keep theirs.
 */
export class RecordEventsAtInsert1795910410000 implements MigrationInterface {
  name = 'RecordEventsAtInsert1795910410000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE events ALTER COLUMN recorded_at SET DEFAULT clock_timestamp()');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE events ALTER COLUMN recorded_at SET DEFAULT now()');
  }
}
