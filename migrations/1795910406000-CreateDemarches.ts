import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Demarche campaigns and one row per post's delivery; summaries are counted from the rows. */
export class CreateDemarches1795910406000 implements MigrationInterface {
  name = 'CreateDemarches1795910406000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE demarche_campaigns (
        id                   uuid PRIMARY KEY,
        cable_id             uuid NOT NULL UNIQUE,
        mrn                  text NOT NULL,
        subject              text NOT NULL,
        classification       text NOT NULL,
        classification_level smallint NOT NULL,
        captions             text[] NOT NULL,
        narrowed             boolean NOT NULL,
        working_party        text[] NOT NULL,
        posts                text[] NOT NULL,
        report_by            date NOT NULL,
        targets              text NOT NULL,
        opened_at            timestamptz NOT NULL,
        version              integer NOT NULL
      )`);
    await db.query(`
      CREATE TABLE demarche_deliveries (
        campaign_id          uuid NOT NULL,
        post                 text NOT NULL,
        status               text NOT NULL,
        delivered_on         date,
        counterpart          jsonb,
        level                text,
        method               text,
        received_on          date,
        position             text,
        summary              text,
        quotes               text[],
        reporting_cable_id   uuid,
        not_delivered_reason text,
        overdue_since        timestamptz,
        version              integer NOT NULL,
        updated_at           timestamptz NOT NULL,
        PRIMARY KEY (campaign_id, post)
      )`);
    // Deliveries counted by campaign, bureau, status and position, kept with every write, so that
    // the dashboard reads a few rows per campaign instead of every delivery.
    await db.query(`
      CREATE TABLE demarche_counts (
        campaign_id uuid NOT NULL,
        bureau      text NOT NULL,
        status      text NOT NULL,
        position    text NOT NULL DEFAULT '',
        count       integer NOT NULL,
        PRIMARY KEY (campaign_id, bureau, status, position)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE demarche_counts');
    await db.query('DROP TABLE demarche_deliveries');
    await db.query('DROP TABLE demarche_campaigns');
  }
}
