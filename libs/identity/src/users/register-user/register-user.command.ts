import type { CommandContext } from '@chancery/common';
import type { UserProfile } from '../../domain/user.aggregate.js';

export class RegisterUserCommand {
  constructor(
    readonly context: CommandContext,
    readonly profile: UserProfile,
    readonly password: string,
  ) {}
}
