import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Follow-up actions, with their comments, as lists and filters need them. */
export class CreateFollowUps1795910407000 implements MigrationInterface {
  name = 'CreateFollowUps1795910407000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE follow_ups (
        id            uuid PRIMARY KEY,
        title         text NOT NULL,
        description   text NOT NULL,
        owner_office  text,
        owner_post    text,
        owner_bureau  text NOT NULL,
        due_on        date NOT NULL,
        status        text NOT NULL,
        demarche_id   uuid,
        post          text,
        cable_id      uuid,
        created_by    text NOT NULL,
        comments      jsonb NOT NULL DEFAULT '[]'::jsonb,
        outcome       text,
        cancel_reason text,
        overdue_since timestamptz,
        escalated_to  text,
        version       integer NOT NULL,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX follow_ups_due_idx ON follow_ups (status, due_on)');
    await db.query('CREATE INDEX follow_ups_demarche_idx ON follow_ups (demarche_id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE follow_ups');
  }
}
