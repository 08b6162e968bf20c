import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery kept over time, and follow-ups that act (issue #16): its contacts, responses and documents as JSON on the
 * delivery row, whether its position moved, each campaign's count of those and its scope; and the
 * documents' bytes, which are not a read model (the events carry their SHA-256), in a table of
 * their own. Existing rows are filled in from the columns they had (one delivery, one response).
 */
export class AddDeliveryRecords1795910415000 implements MigrationInterface {
  name = 'AddDeliveryRecords1795910415000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE demarche_deliveries
        ADD COLUMN contacts jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN responses jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN documents jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN position_changed boolean NOT NULL DEFAULT false`);
    await db.query(`
      UPDATE demarche_deliveries SET
        contacts = CASE WHEN delivered_on IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
          'on', delivered_on::text, 'counterpart', counterpart, 'level', level, 'method', method, 'by', null, 'at', null)) END,
        responses = CASE WHEN received_on IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
          'number', 1, 'receivedOn', received_on::text, 'position', position, 'summary', summary,
          'quotes', (SELECT coalesce(jsonb_agg(jsonb_build_object('text', q)), '[]'::jsonb) FROM unnest(quotes) AS q),
          'reportingCableId', reporting_cable_id, 'corrects', null, 'correctedBy', null, 'by', null, 'at', null)) END`);
    await db.query(`
      ALTER TABLE demarche_campaigns
        ADD COLUMN positions_changed integer NOT NULL DEFAULT 0,
        ADD COLUMN scope jsonb`);
    await db.query(`
      CREATE TABLE demarche_documents (
        id          uuid PRIMARY KEY,
        campaign_id uuid NOT NULL,
        post        text NOT NULL,
        name        text NOT NULL,
        kind        text NOT NULL,
        media_type  text NOT NULL,
        size        integer NOT NULL,
        sha256      text NOT NULL,
        content     bytea NOT NULL,
        uploaded_by text NOT NULL,
        uploaded_at timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX demarche_documents_delivery_idx ON demarche_documents (campaign_id, post)');
    // A follow-up opened from a post's response names it; the escalation bureau's inbox looks them up.
    await db.query('ALTER TABLE follow_ups ADD COLUMN response_number integer');
    await db.query(`CREATE INDEX follow_ups_escalated_idx ON follow_ups (escalated_to) WHERE escalated_to IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX follow_ups_escalated_idx');
    await db.query('ALTER TABLE follow_ups DROP COLUMN response_number');
    await db.query('DROP TABLE demarche_documents');
    await db.query('ALTER TABLE demarche_campaigns DROP COLUMN positions_changed, DROP COLUMN scope');
    await db.query('ALTER TABLE demarche_deliveries DROP COLUMN contacts, DROP COLUMN responses, DROP COLUMN documents, DROP COLUMN position_changed');
  }
}
