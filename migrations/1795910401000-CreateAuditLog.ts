import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The hash-chained audit log and the single row that holds the chain's head. */
export class CreateAuditLog1795910401000 implements MigrationInterface {
  name = 'CreateAuditLog1795910401000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_log (
        seq          bigint PRIMARY KEY,
        entry_id     uuid NOT NULL UNIQUE,
        recorded_at  timestamptz NOT NULL,
        actor_id     text NOT NULL,
        actor_role   text NOT NULL,
        action       text NOT NULL,
        stream_id    text,
        stream_type  text,
        from_version integer,
        to_version   integer,
        request_id   text,
        details      jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash    char(64) NOT NULL,
        hash         char(64) NOT NULL
      )`);
    await db.query('CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq)');
    await db.query('CREATE INDEX audit_log_stream_idx ON audit_log (stream_id, seq)');
    await db.query('CREATE INDEX audit_log_time_idx ON audit_log (recorded_at)');
    await db.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION chancery_refuse_mutation()`);
    await db.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION chancery_refuse_mutation()`);

    // Appending locks this row, which puts concurrent writers in one chain order.
    await db.query(`
      CREATE TABLE audit_chain_head (
        id   boolean PRIMARY KEY DEFAULT true CHECK (id),
        seq  bigint NOT NULL,
        hash char(64) NOT NULL
      )`);
    await db.query("INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64))");
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE audit_chain_head');
    await db.query('DROP TABLE audit_log');
  }
}
