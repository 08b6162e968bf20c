import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys stored for requests that carried a password (a user created, a password set) kept a SHA-256
 * of the request, password included, from which a dictionary gives the password back. Those routes
 * now ignore keys (`@IgnoresIdempotencyKey`); the keys stored before are forgotten. The table keeps
 * no route, so they are found by their answer, a user as `toUserView` answers one (also the answers
 * of a profile change, a disabling or an enabling: forgetting those costs a retry its replay, which
 * runs again instead). Nothing to restore on the way down.
 */
export class ForgetUserRequestFingerprints1795910426000 implements MigrationInterface {
  name = 'ForgetUserRequestFingerprints1795910426000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM idempotency_keys WHERE jsonb_typeof(response) = 'object' AND response ?& array['username', 'roles', 'clearance', 'disabled']`);
  }

  async down(): Promise<void> {
    // The fingerprints forgotten are not to be had back.
  }
}
