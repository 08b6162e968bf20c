import type { MigrationInterface, QueryRunner } from 'typeorm';

/** First answers to requests that carried an Idempotency-Key, written with the command's events. */
export class CreateIdempotencyKeys1795910402000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1795910402000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE idempotency_keys (
        actor_id     text NOT NULL,
        key          text NOT NULL,
        request_hash char(64) NOT NULL,
        status_code  integer NOT NULL,
        response     jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_id, key)
      )`);
    await db.query('CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE idempotency_keys');
  }
}
