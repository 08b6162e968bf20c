import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { normalizeUsername, User, userDefinition } from '../../domain/user.aggregate.js';
import { hashPassword, requireStrongPassword } from '../passwords/password-policy.js';
import { AdministratorStanding } from '../administrator-standing.js';
import { toUserView } from '../user-view.js';
import { UserPlacement } from '../user-placement.js';
import type { UserView } from '../users.query.js';
import { RegisterUserCommand } from './register-user.command.js';

@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler implements ICommandHandler<RegisterUserCommand, UserView> {
  private readonly users: AggregateRepository<User>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly placement: UserPlacement,
    private readonly administrator: AdministratorStanding,
  ) {
    this.users = repositories.for(userDefinition);
  }

  async execute({ context, profile, password }: RegisterUserCommand): Promise<UserView> {
    await this.placement.requireValid(profile);
    requireStrongPassword('password', password, { ...profile, username: normalizeUsername(profile.username) });
    const passwordHash = await hashPassword(password);
    const id = randomUUID();
    return this.administrator.run(context, 'RegisterUser', this.users.streamId(id), () =>
      this.users.create(
        context,
        'RegisterUser',
        () => User.register(id, profile),
        toUserView,
        {
          // Queued behind any other administration of users before anything is written, as the other user commands are.
          before: (tx) => this.administrator.hold(tx, context),
          after: async (tx) => {
            await tx.query('INSERT INTO user_credentials (user_id, password_hash) VALUES ($1, $2)', [id, passwordHash]);
          },
        },
      ),
    );
  }
}
