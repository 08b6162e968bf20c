import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';

/** The approver sends a cable back to its drafter, with its clearances and the reason. */
export class ReturnCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly reason: string,
  ) {}
}
