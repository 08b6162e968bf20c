import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { UserPlacement } from '../user-placement.js';
import { AdministratorStanding } from '../administrator-standing.js';
import type { UserView } from '../users.query.js';
import { ChangeProfileCommand } from './change-profile.command.js';

@CommandHandler(ChangeProfileCommand)
export class ChangeProfileHandler implements ICommandHandler<ChangeProfileCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly placement: UserPlacement,
    private readonly administrator: AdministratorStanding,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, userId, changes }: ChangeProfileCommand): Promise<UserView> {
    await this.placement.requireValid(changes);
    return this.administrator.update(this.users, context, 'ChangeUserProfile', userId, (user) => user.changeProfile(changes, context.actor.id));
  }
}
