import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { sql } from '@chancery/database';
import { type Principal, principalOf, UsersQuery } from '@chancery/identity';

/** How long a ticket may wait to be used. */
export const TICKET_SECONDS = 30;
const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/**
 * One-use tickets that open an event stream. A browser's EventSource cannot send an Authorization
 * header, and an access token in a URL ends up in request logs, proxies and browser history, where
 * it would work for hours on every route. A ticket is asked for with the token (POST /events/ticket),
 * works once, within 30 seconds, only to open a stream, and only while the token it was issued
 * under is still good (same token generation, user not disabled). Only its SHA-256 is stored, in
 * PostgreSQL, so any API process may redeem it.
 */
@Injectable()
export class LiveTickets {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersQuery,
  ) {}

  /** `sessionEndsAt`: when the token it is asked with expires; the stream the ticket opens ends then too. */
  async issue(principal: Principal, sessionEndsAt: Date | null): Promise<{ ticket: string; expiresIn: number }> {
    const standing = await this.users.standing(principal.id);
    if (!standing || standing.disabled) throw new ChanceryError(ErrorCode.Unauthenticated, 'This account is disabled');
    const ticket = randomBytes(32).toString('base64url');
    await sql(this.dataSource, 'DELETE FROM live_tickets WHERE expires_at < now()');
    await sql(
      this.dataSource,
      `INSERT INTO live_tickets (ticket_hash, user_id, token_generation, expires_at, session_ends_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5)`,
      [hashOf(ticket), principal.id, standing.tokenGeneration, TICKET_SECONDS, sessionEndsAt],
    );
    return { ticket, expiresIn: TICKET_SECONDS };
  }

  /** The user a ticket opens a stream for, as they stand now; the ticket is used up. 401 otherwise. */
  async redeem(ticket: string): Promise<{ principal: Principal; tokenGeneration: number; endsAt: Date | null }> {
    if (!TICKET_PATTERN.test(ticket)) throw new ChanceryError(ErrorCode.Unauthenticated, 'The ticket is not valid: ask for one at POST /events/ticket');
    const [row] = await sql<{ user_id: string; token_generation: number; expired: boolean; session_ends_at: Date | null }>(
      this.dataSource,
      'DELETE FROM live_tickets WHERE ticket_hash = $1 RETURNING user_id, token_generation, expires_at < now() AS expired, session_ends_at',
      [hashOf(ticket)],
    );
    if (!row || row.expired) throw new ChanceryError(ErrorCode.Unauthenticated, 'The ticket is not valid, used or expired: ask for one at POST /events/ticket');
    const standing = await this.users.standing(row.user_id);
    if (!standing || standing.disabled || standing.tokenGeneration !== row.token_generation) {
      throw new ChanceryError(ErrorCode.Unauthenticated, 'The ticket was issued under a token that is no longer valid; log in again');
    }
    return { principal: principalOf(standing), tokenGeneration: standing.tokenGeneration, endsAt: row.session_ends_at };
  }
}
