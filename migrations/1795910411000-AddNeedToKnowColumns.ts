import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the need-to-know rule reads in SQL: a cable's drafting office, every office asked to clear
 * it, the posts it was released to and the MRNs it cites by REF (a reply is read by the desk that
 * tasked it); a follow-up's own classification (it is also read under
 * what it is linked to). Existing rows are filled in from the events.
 */
export class AddNeedToKnowColumns1795910411000 implements MigrationInterface {
  name = 'AddNeedToKnowColumns1795910411000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE cables
        ADD COLUMN drafting_office text,
        ADD COLUMN clearing_offices text[] NOT NULL DEFAULT '{}',
        ADD COLUMN distribution text[] NOT NULL DEFAULT '{}',
        ADD COLUMN reference_mrns text[] NOT NULL DEFAULT '{}'`);
    await db.query(`
      UPDATE cables c SET drafting_office = e.data->'drafter'->>'office'
      FROM events e WHERE e.stream_id = 'cable-' || c.id AND e.type = 'CableDrafted'`);
    await db.query(`
      UPDATE cables c SET reference_mrns = ARRAY(SELECT r->>'mrn' FROM jsonb_array_elements(e.data->'draft'->'references') AS r)
      FROM (SELECT DISTINCT ON (stream_id) stream_id, data FROM events WHERE type IN ('CableDrafted', 'CableEdited') ORDER BY stream_id, stream_version DESC) e
      WHERE e.stream_id = 'cable-' || c.id`);
    await db.query(`
      UPDATE cables c SET clearing_offices = coalesce((
        SELECT array_agg(DISTINCT office) FROM events e, jsonb_array_elements_text(e.data->'offices') AS office
        WHERE e.stream_id = 'cable-' || c.id AND e.type = 'ClearancesRequested'), '{}')`);
    await db.query(`
      UPDATE cables c SET distribution = ARRAY(
        SELECT jsonb_array_elements_text(e.data->'distribution'->'action') UNION SELECT jsonb_array_elements_text(e.data->'distribution'->'info'))
      FROM events e WHERE e.stream_id = 'cable-' || c.id AND e.type = 'CableReleased'`);
    await db.query(`ALTER TABLE follow_ups ADD COLUMN classification text NOT NULL DEFAULT 'UNCLASSIFIED'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE follow_ups DROP COLUMN classification');
    await db.query('ALTER TABLE cables DROP COLUMN drafting_office, DROP COLUMN clearing_offices, DROP COLUMN distribution, DROP COLUMN reference_mrns');
  }
}
