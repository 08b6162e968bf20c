import type { CommandContext } from '@chancery/common';

/** The caller logs out: every token they hold stops working. */
export class LogOutCommand {
  constructor(readonly context: CommandContext) {}
}
