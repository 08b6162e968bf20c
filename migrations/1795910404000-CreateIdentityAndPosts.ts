import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read tables of users and posts (both rebuilt from their events), and users' password hashes. */
export class CreateIdentityAndPosts1795910404000 implements MigrationInterface {
  name = 'CreateIdentityAndPosts1795910404000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id           uuid PRIMARY KEY,
        username     text NOT NULL,
        display_name text NOT NULL,
        roles        text[] NOT NULL,
        office       text,
        post_code    text,
        clearance    text NOT NULL,
        version      integer NOT NULL,
        created_at   timestamptz NOT NULL,
        CONSTRAINT users_username_unique UNIQUE (username)
      )`);
    // Secrets are not events: a password hash can be replaced or erased, an event cannot.
    await db.query(`
      CREATE TABLE user_credentials (
        user_id       uuid PRIMARY KEY,
        password_hash text NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE posts (
        code        text PRIMARY KEY,
        name        text NOT NULL,
        kind        text NOT NULL,
        city        text NOT NULL,
        country     char(2) NOT NULL,
        country_tag char(2) NOT NULL,
        bureau      text NOT NULL,
        status      text NOT NULL,
        version     integer NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX posts_bureau_idx ON posts (bureau, code)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE posts');
    await db.query('DROP TABLE user_credentials');
    await db.query('DROP TABLE users');
  }
}
