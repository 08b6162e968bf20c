import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { AuthService, wrongCurrentPassword } from '../../auth/auth.service.js';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { holdStandingOf } from '../administrator-standing.js';
import { storePasswordHash } from '../passwords/credentials.js';
import { hashPassword, requireStrongPassword } from '../passwords/password-policy.js';
import { toUserView } from '../user-view.js';
import type { UserView } from '../users.query.js';
import { ChangeOwnPasswordCommand } from './change-own-password.command.js';

@CommandHandler(ChangeOwnPasswordCommand)
export class ChangeOwnPasswordHandler implements ICommandHandler<ChangeOwnPasswordCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly auth: AuthService,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, currentPassword, newPassword, client }: ChangeOwnPasswordCommand): Promise<UserView> {
    const found = await this.auth.verifyOwnPassword(context.actor, currentPassword, client, context.requestId);
    if (newPassword === currentPassword) {
      throw new ChanceryError(ErrorCode.RuleViolated, 'The new password is the current one', { errors: [{ field: 'newPassword', message: 'newPassword must differ from the current one' }] });
    }
    requireStrongPassword('newPassword', newPassword, found.user);
    const passwordHash = await hashPassword(newPassword);
    return this.users.update(
      context,
      'ChangeOwnPassword',
      context.actor.id,
      async (user, tx) => {
        await holdStandingOf(tx, user.id);
        // The password proved is still the password: of two changes sent together, one wins and the
        // other is refused, rather than both answering with tokens the winner has already revoked.
        const [held] = await tx.query('SELECT password_hash FROM user_credentials WHERE user_id = $1 FOR UPDATE', [user.id]);
        if (held?.password_hash !== found.passwordHash) {
          throw wrongCurrentPassword('it was changed meanwhile');
        }
        user.changePassword();
        await storePasswordHash(tx, user.id, passwordHash);
      },
      toUserView,
    );
  }
}
