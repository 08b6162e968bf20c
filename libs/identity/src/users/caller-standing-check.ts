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

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The first participant of every user's command: it reads the caller's users row `FOR SHARE` in the
 * command's transaction and refuses the command unless the row still says what the request was
 * authorized under (the guard's read): enabled, the token's generation, the same roles, office,
 * post and clearance. The guard checked the user when the request came in; a command still in
 * flight when they were disabled, logged out, moved, given other roles or cleared lower would
 * otherwise commit afterwards under the standing they no longer have.
 *
 * The share lock holds the row until the command commits. A change to the user updates that row in
 * its own transaction (the users projection, inline), and an UPDATE waits for every share lock (a
 * KEY SHARE lock would not do: the UPDATE changes no key, so it takes only FOR NO KEY UPDATE, which
 * KEY SHARE does not conflict with): commands in flight commit before the change does, and every
 * command after it reads the new row and is refused. One prepared statement a command, on its
 * caller's primary key; the system's own commands (process managers, schedulers, seeding, repairs)
 * carry no standing and are not checked.
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
      'SELECT disabled, token_generation, roles, office, post_code, clearance FROM users WHERE id = $1::uuid FOR SHARE',
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
