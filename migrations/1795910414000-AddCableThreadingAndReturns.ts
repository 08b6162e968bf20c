import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Threading and returns on the cables read model: the posts a released cable went to for action
 * and for information (a post's incoming traffic, `?addressee=&role=`), an index on the MRNs a
 * cable cites (`?ref=`, a cable's replies), and the latest return (the drafter's `returned[]`).
 * Filled from the stored events for cables released or returned before it.
 */
export class AddCableThreadingAndReturns1795910414000 implements MigrationInterface {
  name = 'AddCableThreadingAndReturns1795910414000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE cables
        ADD COLUMN action_posts text[] NOT NULL DEFAULT '{}',
        ADD COLUMN info_posts text[] NOT NULL DEFAULT '{}',
        ADD COLUMN returned_at timestamptz,
        ADD COLUMN return_reason text,
        ADD COLUMN returned_by text`);
    await db.query(`
      UPDATE cables c SET
        action_posts = ARRAY(SELECT jsonb_array_elements_text(e.data->'distribution'->'action')),
        info_posts = ARRAY(SELECT jsonb_array_elements_text(e.data->'distribution'->'info'))
      FROM events e WHERE e.type = 'CableReleased' AND e.stream_id = 'cable-' || c.id::text`);
    await db.query(`
      UPDATE cables c SET returned_at = r.at, return_reason = r.reason, returned_by = r.by
      FROM (SELECT DISTINCT ON (stream_id) stream_id, recorded_at AS at, data->>'reason' AS reason, data->'by'->>'id' AS by
            FROM events WHERE type = 'CableReturned' ORDER BY stream_id, global_position DESC) r
      WHERE r.stream_id = 'cable-' || c.id::text`);
    await db.query('CREATE INDEX cables_reference_mrns_idx ON cables USING gin (reference_mrns)');
    await db.query('CREATE INDEX cables_action_posts_idx ON cables USING gin (action_posts)');
    await db.query('CREATE INDEX cables_info_posts_idx ON cables USING gin (info_posts)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX cables_info_posts_idx');
    await db.query('DROP INDEX cables_action_posts_idx');
    await db.query('DROP INDEX cables_reference_mrns_idx');
    await db.query('ALTER TABLE cables DROP COLUMN returned_by, DROP COLUMN return_reason, DROP COLUMN returned_at, DROP COLUMN info_posts, DROP COLUMN action_posts');
  }
}
