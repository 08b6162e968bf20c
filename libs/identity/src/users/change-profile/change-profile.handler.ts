import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { UserPlacement } from '../user-placement.js';
import { AdministratorStanding } from '../administrator-standing.js';
import { UsersQuery, type UserView } from '../users.query.js';
import { ChangeProfileCommand } from './change-profile.command.js';

@CommandHandler(ChangeProfileCommand)
export class ChangeProfileHandler implements ICommandHandler<ChangeProfileCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly placement: UserPlacement,
    private readonly administrator: AdministratorStanding,
    private readonly usersQuery: UsersQuery,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, userId, changes }: ChangeProfileCommand): Promise<UserView> {
    // Only a place the user moves to must be open: one they are at already (a post suspended since)
    // is no change, as a client sending back their profile with one field changed sends it. (Read
    // before the command's transaction: its check reads on connections of its own.)
    const [current] = await this.usersQuery.standingOf([userId]);
    await this.placement.requireValid({
      office: current && changes.office === current.office ? undefined : changes.office,
      postCode: current && changes.postCode === current.postCode ? undefined : changes.postCode,
    });
    return this.administrator.update(this.users, context, 'ChangeUserProfile', userId, (user) => user.changeProfile(changes, context.actor.id));
  }
}
