import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type CallerStanding, ChanceryError, type CommandContext, ErrorCode } from '@chancery/common';
import { prepared } from '@chancery/database';
import type { Commit, CommitParticipant } from '@chancery/event-store';
import type { Role } from '../domain/access.js';
import { PolicyService } from '../policy.service.js';

interface StandingRow {
  disabled: boolean;
  token_generation: number;
  roles: Role[];
  office: string | null;
  post_code: string | null;
  clearance: string;
}

/** The same roles, in whatever order each lists them. */
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((role) => b.includes(role));

/**
 * Advisory-lock namespace of a user's standing ("USER"; the key is hashtext(user id)): each of the
 * user's commands holds it shared to its commit, a change to the user exclusively (holdStandingOf).
 */
export const USER_STANDING_LOCK = 0x55534552;

/**
 * The first participant of every user's command: in the command's transaction it takes its caller's
 * standing lock shared and reads their users row, and refuses the command unless the row still says
 * what the request was authorized under (the guard's read): enabled, the token's generation, the
 * same roles (in any order), office, post and clearance. The guard checked the user when the request
 * came in; a command still in flight when they were disabled, logged out, moved, given other roles or
 * cleared lower would otherwise commit afterwards under the standing they no longer have.
 *
 * A change to the user takes the same lock exclusively before it records anything and holds it to
 * its commit (holdStandingOf): it waits for the commands already past this check, which commit (and
 * are recorded) before it, and every command after it waits for it, then reads the new row and is
 * refused. An advisory lock rather than the row's FOR SHARE, because PostgreSQL queues its waiters
 * fairly: a new shared request waits behind an exclusive one already waiting, where a row's share
 * locks let every newcomer through, so a user whose commands kept overlapping could put off their
 * own disabling indefinitely (and every other administration of users, queued behind it).
 *
 * One prepared statement a command, on its caller's primary key: the lock is taken in its WHERE,
 * and its FOR SHARE makes a row changed by a change it waited for be read as that change committed
 * it (READ COMMITTED re-reads a locked row's latest version), not as the statement's snapshot had
 * it. The system's own commands (process managers, schedulers, seeding, repairs) carry no standing
 * and are not checked.
 *
 * Answers as the guard would: 401 for a user gone, disabled, or whose tokens were revoked; 403,
 * audited, for one whose roles, office, post or clearance changed since the request came in (sent
 * again, the request is judged under the new standing).
 */
@Injectable()
export class CallerStandingCheck implements CommitParticipant {
  readonly name = 'caller-standing';
  /** First: before the inline projections and the audit entry, whose chain head it must not wait behind. */
  readonly order = 0;

  /** The 403s this check gave, which it audits once their transaction has rolled back. */
  private readonly refused = new WeakSet<Error>();

  constructor(private readonly policy: PolicyService) {}

  async onCommit(tx: EntityManager, commit: Commit): Promise<void> {
    const { actor, authorizedAs } = commit.context;
    if (!authorizedAs) return;
    const [row] = await prepared<StandingRow>(
      tx,
      'chancery_caller_standing',
      `SELECT disabled, token_generation, roles, office, post_code, clearance FROM users
        WHERE id = $1::uuid AND pg_advisory_xact_lock_shared(${USER_STANDING_LOCK}, hashtext($1::text)) IS NOT NULL
        FOR SHARE`,
      [actor.id],
    );
    const refusal = this.refusal(row, authorizedAs, actor.username);
    if (refusal) throw refusal;
  }

  async onRefused(context: CommandContext, command: string, error: unknown): Promise<void> {
    if (!(error instanceof Error) || !this.refused.has(error)) return;
    await this.policy.auditRefusal({ id: context.actor.id, roles: context.actor.role.split('+') as Role[] }, error, { requestId: context.requestId, action: command });
  }

  private refusal(row: StandingRow | undefined, then: CallerStanding, username: string): ChanceryError | undefined {
    if (!row) return new ChanceryError(ErrorCode.Unauthenticated, 'The access token names no current user');
    if (row.disabled) return new ChanceryError(ErrorCode.Unauthenticated, 'This account is disabled');
    if (row.token_generation !== then.tokenGeneration) return new ChanceryError(ErrorCode.Unauthenticated, 'The access token was revoked (logout or password change); log in again');
    // The office as the principal has it: a user bound to a post acts for it alone (principalOf).
    const office = row.post_code === null ? row.office : null;
    if (same(row.roles, then.roles) && office === then.office && row.post_code === then.postCode && row.clearance === then.clearance) return undefined;
    const denial = this.policy.recordDenial({ allowed: false, reason: `${username}'s roles, office, post or clearance changed since the request came in` });
    if (denial) this.refused.add(denial);
    return denial;
  }
}
