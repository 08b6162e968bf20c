import type { CommandContext } from '@chancery/common';
import type { ProfileChanges } from '../../domain/user.aggregate.js';

/** An admin changes a user's display name, roles, office, post or clearance. */
export class ChangeProfileCommand {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly changes: ProfileChanges,
  ) {}
}
