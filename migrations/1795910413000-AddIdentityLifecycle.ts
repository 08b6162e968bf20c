import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The directory of offices (read table of its stream), and what a user's lifecycle needs: whether
 * they are disabled, and the generation their tokens must carry (raised by a logout, a password
 * change or reset, a disabling), read on every request so that every API process agrees at once.
 * Usernames become case-insensitive: stored lower-case, unique whatever the case.
 */
export class AddIdentityLifecycle1795910413000 implements MigrationInterface {
  name = 'AddIdentityLifecycle1795910413000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE offices (
        symbol     text PRIMARY KEY,
        name       text NOT NULL,
        bureau     text NOT NULL,
        added_at   timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX offices_bureau_idx ON offices (bureau, symbol)');
    await db.query(`
      ALTER TABLE users
        ADD COLUMN disabled boolean NOT NULL DEFAULT false,
        ADD COLUMN token_generation integer NOT NULL DEFAULT 0`);
    await db.query('UPDATE users SET username = lower(username) WHERE username <> lower(username)');
    await db.query('ALTER TABLE users DROP CONSTRAINT users_username_unique');
    await db.query('CREATE UNIQUE INDEX users_username_unique ON users (lower(username))');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX users_username_unique');
    await db.query('ALTER TABLE users ADD CONSTRAINT users_username_unique UNIQUE (username)');
    await db.query('ALTER TABLE users DROP COLUMN token_generation, DROP COLUMN disabled');
    await db.query('DROP TABLE offices');
  }
}
