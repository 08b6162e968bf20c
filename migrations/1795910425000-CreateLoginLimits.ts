import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The login limit's counts (rate-limiter-flexible's PostgreSQL store, its table as that library
 * reads it): failed password tries per client address and username, and the one audited refusal a
 * window, kept in the database so that a restart does not reset them and every API process counts
 * together. `expire` is in milliseconds since the epoch.
 */
export class CreateLoginLimits1795910425000 implements MigrationInterface {
  name = 'CreateLoginLimits1795910425000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE login_limits (
        key    varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    await db.query('CREATE INDEX login_limits_expire_idx ON login_limits (expire)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE login_limits');
  }
}
