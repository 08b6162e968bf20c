import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications (a read model: one row per notifying event, addressed to offices, posts or people
 * as the event states them; who has read what; the facts later notices need), the email outbox the
 * notification mailer writes and the mail sender empties, and the one-use tickets that open an
 * event stream (EventSource cannot send an Authorization header).
 */
export class CreateNotificationsAndLive1795910417000 implements MigrationInterface {
  name = 'CreateNotificationsAndLive1795910417000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notifications (
        id              uuid PRIMARY KEY,
        global_position bigint NOT NULL,
        kind            text NOT NULL,
        record_type     text NOT NULL,
        record_id       uuid NOT NULL,
        user_ids        text[] NOT NULL,
        offices         text[] NOT NULL,
        office_role     text,
        posts           text[] NOT NULL,
        except_user     text,
        detail          jsonb NOT NULL,
        occurred_at     timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX notifications_position_idx ON notifications (global_position DESC)');
    await db.query('CREATE INDEX notifications_users_idx ON notifications USING gin (user_ids)');
    await db.query('CREATE INDEX notifications_offices_idx ON notifications USING gin (offices)');
    await db.query('CREATE INDEX notifications_posts_idx ON notifications USING gin (posts)');
    await db.query(`
      CREATE TABLE notification_facts (
        record_id    uuid PRIMARY KEY,
        created_by   text NOT NULL,
        owner_office text,
        owner_post   text
      )`);
    await db.query(`
      CREATE TABLE notification_reads (
        user_id         uuid NOT NULL,
        notification_id uuid NOT NULL,
        CONSTRAINT notification_reads_pkey PRIMARY KEY (user_id, notification_id)
      )`);
    await db.query(`
      CREATE TABLE notification_read_marks (
        user_id uuid PRIMARY KEY,
        up_to   bigint NOT NULL
      )`);
    await db.query(`
      CREATE TABLE notification_emails (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id        uuid NOT NULL,
        user_id         uuid NOT NULL,
        to_address      text NOT NULL,
        subject         text NOT NULL,
        body            text NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_until   timestamptz,
        last_error      text,
        sent_at         timestamptz,
        CONSTRAINT notification_emails_once UNIQUE (event_id, user_id)
      )`);
    await db.query('CREATE INDEX notification_emails_due_idx ON notification_emails (next_attempt_at) WHERE sent_at IS NULL');
    await db.query(`
      CREATE TABLE live_tickets (
        ticket_hash      text PRIMARY KEY,
        user_id          uuid NOT NULL,
        token_generation integer NOT NULL,
        expires_at       timestamptz NOT NULL
      )`);
    // The mailer starts at the feed's end as it is now: installing it on a database with history
    // must not email everyone about everything that ever happened.
    await db.query(`
      INSERT INTO projection_checkpoints (name, transaction_id, global_position)
      SELECT 'notification-mailer', transaction_id, global_position FROM events
      ORDER BY transaction_id DESC, global_position DESC LIMIT 1
      ON CONFLICT (name) DO NOTHING`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM projection_checkpoints WHERE name = 'notification-mailer'`);
    await db.query('DROP TABLE live_tickets');
    await db.query('DROP TABLE notification_emails');
    await db.query('DROP TABLE notification_read_marks');
    await db.query('DROP TABLE notification_reads');
    await db.query('DROP TABLE notification_facts');
    await db.query('DROP TABLE notifications');
  }
}
