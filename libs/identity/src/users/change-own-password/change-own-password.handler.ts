import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { verify } from '@node-rs/argon2';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { storePasswordHash } from '../passwords/credentials.js';
import { hashPassword, requireStrongPassword } from '../passwords/password-policy.js';
import { toUserView } from '../user-view.js';
import { UsersQuery, type UserView } from '../users.query.js';
import { ChangeOwnPasswordCommand } from './change-own-password.command.js';

@CommandHandler(ChangeOwnPasswordCommand)
export class ChangeOwnPasswordHandler implements ICommandHandler<ChangeOwnPasswordCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly query: UsersQuery,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, currentPassword, newPassword }: ChangeOwnPasswordCommand): Promise<UserView> {
    const found = await this.query.withCredentials(context.actor.username);
    if (!found || found.user.id !== context.actor.id || !(await verify(found.passwordHash, currentPassword))) {
      throw new ChanceryError(ErrorCode.RuleViolated, 'The current password is not right', { errors: [{ field: 'currentPassword', message: 'currentPassword is not right' }] });
    }
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
        user.changePassword();
        await storePasswordHash(tx, user.id, passwordHash);
      },
      toUserView,
    );
  }
}
