import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which way an Idempotency-Key answer's request was fingerprinted: `2`, as this release does (the
 * path as routes read it, the If-Match included), written by every insert; `1`, a row written before
 * the column, by a release that may have fingerprinted the older way (releases before 2026-12-01
 * took the path as sent and left the If-Match out). A retry across the upgrade of a request an older
 * release answered is tried both ways against a row of `1`, so it is replayed rather than refused
 * as "a different request". (The default stays `1`, so an older process's insert is tried both
 * ways too; the README's upgrade stops every older process first.)
 */
export class AddIdempotencyFingerprint1795910430000 implements MigrationInterface {
  name = 'AddIdempotencyFingerprint1795910430000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE idempotency_keys ADD COLUMN fingerprint smallint NOT NULL DEFAULT 1');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE idempotency_keys DROP COLUMN fingerprint');
  }
}
