import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';

/** The drafter sends a fully cleared draft to approval (the collective tasking rule checked here). */
export class SubmitCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
  ) {}
}
