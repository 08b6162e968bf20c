import type { CommandContext } from '@chancery/common';

/** A user changes their own password, proving they know the current one. */
export class ChangeOwnPasswordCommand {
  constructor(
    readonly context: CommandContext,
    readonly currentPassword: string,
    readonly newPassword: string,
  ) {}
}
