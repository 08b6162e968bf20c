import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { hash } from '@node-rs/argon2';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { User, userDefinition } from '../../domain/user.aggregate.js';
import { PostDirectory } from '../post-directory.js';
import type { UserView } from '../users.query.js';
import { RegisterUserCommand } from './register-user.command.js';

@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler implements ICommandHandler<RegisterUserCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly posts: PostDirectory,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, profile, password }: RegisterUserCommand): Promise<UserView> {
    if (profile.postCode !== null && !(await this.posts.isOpen(profile.postCode))) {
      throw new ChanceryError(ErrorCode.RuleViolated, `${profile.postCode} is not an open post`, {
        errors: [{ field: 'postCode', message: `${profile.postCode} is not an open post` }],
      });
    }
    const passwordHash = await hash(password); // argon2id
    const id = randomUUID();
    return this.users.create(
      context,
      'RegisterUser',
      () => User.register(id, profile),
      (user) => ({ id: user.id, ...user.profile, version: user.version }),
      async (tx) => {
        await tx.query('INSERT INTO user_credentials (user_id, password_hash) VALUES ($1, $2)', [id, passwordHash]);
      },
    );
  }
}
