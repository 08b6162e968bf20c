import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { holdStandingOf } from '../administrator-standing.js';
import { LogOutCommand } from './log-out.command.js';

@CommandHandler(LogOutCommand)
export class LogOutHandler implements ICommandHandler<LogOutCommand, void> {
  private readonly users: AggregateRepository<User>;

  constructor(repositories: AggregateRepositoryFactory) {
    this.users = repositories.for(userDefinition);
  }

  execute({ context }: LogOutCommand): Promise<void> {
    return this.users.update(
      context,
      'LogOut',
      context.actor.id,
      async (user, tx) => {
        await holdStandingOf(tx, user.id);
        user.logOut();
      },
      () => undefined,
    );
  }
}
