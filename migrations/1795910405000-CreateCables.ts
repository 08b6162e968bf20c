import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The cables read table with its full-text index, and the MRN serial counters. */
export class CreateCables1795910405000 implements MigrationInterface {
  name = 'CreateCables1795910405000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE cables (
        id                   uuid PRIMARY KEY,
        origin               text NOT NULL,
        status               text NOT NULL,
        kind                 text NOT NULL,
        subject              text NOT NULL,
        classification       text NOT NULL,
        classification_level smallint NOT NULL,
        captions             text[] NOT NULL,
        narrowed             boolean NOT NULL,
        precedence           text NOT NULL,
        tags                 text[] NOT NULL,
        drafter_id           uuid NOT NULL,
        working_party        text[] NOT NULL,
        awaiting_clearance   text[] NOT NULL DEFAULT '{}',
        addressed_posts      text[] NOT NULL,
        mrn                  text,
        released_at          timestamptz,
        drafted_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        version              integer NOT NULL,
        search               tsvector NOT NULL,
        CONSTRAINT cables_mrn_unique UNIQUE (mrn)
      )`);
    await db.query('CREATE INDEX cables_search_idx ON cables USING gin (search)');
    await db.query('CREATE INDEX cables_tags_idx ON cables USING gin (tags)');
    await db.query('CREATE INDEX cables_status_idx ON cables (status, updated_at DESC)');
    // One row per originator and year; releasing locks it, so serials are gapless and never reused.
    await db.query(`
      CREATE TABLE mrn_serials (
        originator  text NOT NULL,
        year        integer NOT NULL,
        last_serial integer NOT NULL,
        PRIMARY KEY (originator, year)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE mrn_serials');
    await db.query('DROP TABLE cables');
  }
}
