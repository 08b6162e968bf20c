import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the caller stood on (roles, office, post, clearance) when an Idempotency-Key answer was
 * given: a replay to a caller who stands otherwise now is refused (`ClearanceReplayCheck`). Answers
 * stored before have none (null), and are checked as before.
 */
export class AddIdempotencyStanding1795910423000 implements MigrationInterface {
  name = 'AddIdempotencyStanding1795910423000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE idempotency_keys ADD COLUMN standing text');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE idempotency_keys DROP COLUMN standing');
  }
}
