import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who heads a post (`ChiefOfMissionNamed`): the surname that signs its cables. None recorded before. */
export class AddChiefOfMission1795910418000 implements MigrationInterface {
  name = 'AddChiefOfMission1795910418000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE posts ADD COLUMN chief_of_mission text');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE posts DROP COLUMN chief_of_mission');
  }
}
