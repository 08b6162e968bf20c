import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which way an Idempotency-Key answer's request was fingerprinted. Releases before 2026-12-02 took
 * the path as sent and left the If-Match out (`1`); this one reads the path as routes do and
 * includes the If-Match (`2`, written by every insert). A retry across the upgrade, of a request
 * answered by an older release, is recognised by the fingerprint it was stored under, so it is
 * replayed rather than refused as "a different request". The default stays `1`: a process of an
 * older release still running beside the new ones during a rolling upgrade stores rows without the
 * column, fingerprinted the old way.
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
