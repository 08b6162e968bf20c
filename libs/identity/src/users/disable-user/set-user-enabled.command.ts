import type { CommandContext } from '@chancery/common';

/** An admin disables a user (their tokens stop working at once) or enables them again. */
export class SetUserEnabledCommand {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly enabled: boolean,
    readonly reason: string | null = null,
  ) {}
}
