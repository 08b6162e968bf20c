import type { CommandContext } from '@chancery/common';

/** An admin sets a user's password; the user's older tokens stop working. */
export class ResetPasswordCommand {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly password: string,
  ) {}
}
