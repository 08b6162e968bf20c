import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type CommandContext, SYSTEM_ACTOR } from '@chancery/common';
import { sql } from '@chancery/database';
import type { AggregateRepository } from '@chancery/event-store';
import type { Role } from '../domain/access.js';
import type { User } from '../domain/user.aggregate.js';
import { USER_STANDING_LOCK } from './caller-standing-check.js';
import { toUserView } from './user-view.js';
import type { UserView } from './users.query.js';
import { PolicyService } from '../policy.service.js';

/**
 * Inside a command that changes a user's standing, before it records anything: takes their standing
 * lock exclusively (see CallerStandingCheck), so it waits for their commands in flight, which hold
 * it shared to their commit, and holds off new ones, queued behind it, until the change commits.
 */
export async function holdStandingOf(tx: EntityManager, userId: string): Promise<void> {
  await sql(tx, 'SELECT pg_advisory_xact_lock($1, hashtext($2::text))', [USER_STANDING_LOCK, userId]);
}

/** Advisory-lock key of the administration of users ("USRA"): one command of it at a time. */
const USER_ADMINISTRATION_LOCK = 0x55535241;

/**
 * The administrator's standing, held through a command that administers users. The guard checked it
 * when the request came in, but two admins disabling each other (or taking each other's admin role)
 * at the same moment would each pass it, and both succeed: no admin left to manage users. So each such
 * command takes one lock for the administration of users inside its transaction and reads the
 * caller's standing again, as committed by any command before it: one disabled, or no longer an
 * admin, since their request came in is refused (403, audited) and nothing is written.
 */
@Injectable()
export class AdministratorStanding {
  constructor(private readonly policy: PolicyService) {}

  /** Runs `work`, which calls `hold` in its transaction, and audits the refusal `hold` may throw. */
  run<R>(context: CommandContext, action: string, streamId: string | undefined, work: () => Promise<R>): Promise<R> {
    const { actor } = context;
    return this.policy.auditingDenials({ id: actor.id, roles: actor.role.split('+') as Role[] }, { requestId: context.requestId, action, streamId }, work);
  }

  /** `users.update` as an administration of users: `decide` runs once `hold` has passed; the answer is the user as they stand after it. */
  update(users: AggregateRepository<User>, context: CommandContext, command: string, userId: string, decide: (user: User, tx: EntityManager) => void | Promise<void>): Promise<UserView> {
    return this.run(context, command, users.streamId(userId), () =>
      users.update(
        context,
        command,
        userId,
        async (user, tx) => {
          await this.hold(tx, context);
          await holdStandingOf(tx, user.id);
          await decide(user, tx);
        },
        toUserView,
      ),
    );
  }

  /** Inside the command's transaction: queues behind any other administration of users, then checks the caller is still an enabled admin. */
  async hold(tx: EntityManager, context: CommandContext): Promise<void> {
    if (context.actor.id === SYSTEM_ACTOR.id) return; // the start's own bootstrap of the first admin
    await sql(tx, 'SELECT pg_advisory_xact_lock($1)', [USER_ADMINISTRATION_LOCK]);
    const [caller] = await sql<{ disabled: boolean; roles: string[] }>(tx, 'SELECT disabled, roles FROM users WHERE id = $1::uuid', [context.actor.id]);
    const standing = !caller ? 'is no longer a user' : caller.disabled ? 'was disabled since the request came in' : !caller.roles.includes('admin') ? 'is no longer an admin' : undefined;
    const denial = standing && this.policy.recordDenial({ allowed: false, reason: `${context.actor.username} ${standing}` });
    if (denial) throw denial;
  }
}
