import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { OfficesQuery } from '../../offices/offices.query.js';
import { PostDirectory } from '../post-directory.js';
import { toUserView } from '../user-view.js';
import type { UserView } from '../users.query.js';
import { ChangeProfileCommand } from './change-profile.command.js';

@CommandHandler(ChangeProfileCommand)
export class ChangeProfileHandler implements ICommandHandler<ChangeProfileCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly offices: OfficesQuery,
    private readonly posts: PostDirectory,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, userId, changes }: ChangeProfileCommand): Promise<UserView> {
    if (changes.office) await this.offices.requireKnown('office', [changes.office]);
    if (changes.postCode && !(await this.posts.isOpen(changes.postCode))) {
      throw new ChanceryError(ErrorCode.RuleViolated, `${changes.postCode} is not an open post`, { errors: [{ field: 'postCode', message: `${changes.postCode} is not an open post` }] });
    }
    return this.users.update(context, 'ChangeUserProfile', userId, (user) => user.changeProfile(changes, context.actor.id), toUserView);
  }
}
