import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where each async projection has got to in the global feed, and the events it had to park. */
export class CreateProjectionState1795910403000 implements MigrationInterface {
  name = 'CreateProjectionState1795910403000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projection_checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT '0'::xid8,
        global_position bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE projection_dead_letters (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        projection      text NOT NULL,
        global_position bigint NOT NULL,
        event_id        uuid NOT NULL,
        event_type      text NOT NULL,
        stream_id       text NOT NULL,
        error           text NOT NULL,
        attempts        integer NOT NULL,
        parked_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT projection_dead_letters_unique UNIQUE (projection, global_position)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projection_dead_letters');
    await db.query('DROP TABLE projection_checkpoints');
  }
}
