import type { CommandContext } from '@chancery/common';

/** A user changes their own password, proving they know the current one. */
export class ChangeOwnPasswordCommand {
  constructor(
    readonly context: CommandContext,
    readonly currentPassword: string,
    readonly newPassword: string,
    /** The caller's address: tries of the current password are limited per address and username, as logins are. */
    readonly client: string,
  ) {}
}
