import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { hashPassword, requireStrongPassword } from '../passwords/password-policy.js';
import { storePasswordHash } from '../passwords/credentials.js';
import { AdministratorStanding } from '../administrator-standing.js';
import type { UserView } from '../users.query.js';
import { ResetPasswordCommand } from './reset-password.command.js';

@CommandHandler(ResetPasswordCommand)
export class ResetPasswordHandler implements ICommandHandler<ResetPasswordCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly administrator: AdministratorStanding,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, userId, password }: ResetPasswordCommand): Promise<UserView> {
    const passwordHash = await hashPassword(password);
    return this.administrator.update(this.users, context, 'ResetPassword', userId, async (user, tx) => {
      requireStrongPassword('password', password, user.profile);
      user.resetPassword(context.actor.id);
      await storePasswordHash(tx, user.id, passwordHash);
    });
  }
}
