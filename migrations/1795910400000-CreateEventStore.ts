import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only event store. A stream is its events: the unique (stream_id, stream_version) index
 * is both its optimistic-concurrency guard and the way to its current version.
 */
export class CreateEventStore1795910400000 implements MigrationInterface {
  name = 'CreateEventStore1795910400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION chancery_refuse_mutation() RETURNS trigger LANGUAGE plpgsql AS \$\$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END \$\$`);

    await db.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_type     text NOT NULL,
        stream_version  integer NOT NULL CHECK (stream_version > 0),
        type            text NOT NULL,
        schema_version  integer NOT NULL DEFAULT 1 CHECK (schema_version > 0),
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    // The global feed reads in commit order: (transaction_id, global_position).
    await db.query('CREATE INDEX events_feed_idx ON events (transaction_id, global_position)');

    await db.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION chancery_refuse_mutation()`);
    await db.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION chancery_refuse_mutation()`);

    // Snapshots are derived and replaceable: the latest one per stream.
    await db.query(`
      CREATE TABLE snapshots (
        stream_id      text PRIMARY KEY,
        stream_type    text NOT NULL,
        stream_version integer NOT NULL,
        schema_version integer NOT NULL,
        state          jsonb NOT NULL,
        taken_at       timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE snapshots');
    await db.query('DROP TABLE events');
    await db.query('DROP FUNCTION chancery_refuse_mutation()');
  }
}
