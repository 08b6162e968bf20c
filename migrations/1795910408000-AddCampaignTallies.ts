import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each campaign keeps its delivery counts and its unanswered posts as ready-made JSON, so that the
 * leadership dashboard reads one row per campaign instead of aggregating thousands on every load.
 * Existing campaigns are filled in from the tables the projection already keeps.
 */
export class AddCampaignTallies1795910408000 implements MigrationInterface {
  name = 'AddCampaignTallies1795910408000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE demarche_campaigns
        ADD COLUMN counts json NOT NULL DEFAULT '[]',
        ADD COLUMN unanswered_posts json NOT NULL DEFAULT '[]'`);
    await db.query(`
      UPDATE demarche_campaigns c SET
        counts = (SELECT coalesce(json_agg(json_build_array(n.bureau, n.status, nullif(n.position, ''), n.count)
                                           ORDER BY n.bureau, n.status, n.position), '[]')
                  FROM demarche_counts n WHERE n.campaign_id = c.id AND n.count > 0),
        unanswered_posts = (SELECT coalesce(json_agg(d.post ORDER BY d.post), '[]')
                            FROM demarche_deliveries d WHERE d.campaign_id = c.id AND d.status IN ('PENDING', 'DELIVERED'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE demarche_campaigns DROP COLUMN counts, DROP COLUMN unanswered_posts');
  }
}
