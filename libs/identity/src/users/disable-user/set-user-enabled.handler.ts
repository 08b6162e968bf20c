import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { AdministratorStanding } from '../administrator-standing.js';
import type { UserView } from '../users.query.js';
import { SetUserEnabledCommand } from './set-user-enabled.command.js';

@CommandHandler(SetUserEnabledCommand)
export class SetUserEnabledHandler implements ICommandHandler<SetUserEnabledCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly administrator: AdministratorStanding,
  ) {
    this.users = repositories.for(userDefinition);
  }

  execute({ context, userId, enabled, reason }: SetUserEnabledCommand): Promise<UserView> {
    return this.administrator.update(this.users, context, enabled ? 'EnableUser' : 'DisableUser', userId, (user) => (enabled ? user.enable() : user.disable(reason, context.actor.id)));
  }
}
