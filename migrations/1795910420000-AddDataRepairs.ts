import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One-time repairs of recorded data that run through the event store at start (events, read models
 * and audit entries alike, as a command would), and are each recorded here once done, so that a
 * restart does not run them again.
 */
export class AddDataRepairs1795910420000 implements MigrationInterface {
  name = 'AddDataRepairs1795910420000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE TABLE data_repairs (name text PRIMARY KEY, finished_at timestamptz NOT NULL DEFAULT now(), changed integer NOT NULL)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE data_repairs');
  }
}
