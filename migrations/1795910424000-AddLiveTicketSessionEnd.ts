import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the access token a live-stream ticket was issued under expires: the stream the ticket opens
 * ends then, as one opened with the token itself does. Tickets live 30 seconds; those issued before
 * have none (null), and their streams end as before (logout, disabling, a password change).
 */
export class AddLiveTicketSessionEnd1795910424000 implements MigrationInterface {
  name = 'AddLiveTicketSessionEnd1795910424000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE live_tickets ADD COLUMN session_ends_at timestamptz');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE live_tickets DROP COLUMN session_ends_at');
  }
}
