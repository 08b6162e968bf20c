import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { toUserView } from '../user-view.js';
import type { UserView } from '../users.query.js';
import { SetUserEnabledCommand } from './set-user-enabled.command.js';

@CommandHandler(SetUserEnabledCommand)
export class SetUserEnabledHandler implements ICommandHandler<SetUserEnabledCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(repositories: AggregateRepositoryFactory) {
    this.users = repositories.for(userDefinition);
  }

  execute({ context, userId, enabled, reason }: SetUserEnabledCommand): Promise<UserView> {
    return this.users.update(
      context,
      enabled ? 'EnableUser' : 'DisableUser',
      userId,
      (user) => (enabled ? user.enable() : user.disable(reason, context.actor.id)),
      toUserView,
    );
  }
}
