import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';

/** An approver for the originator, not the drafter, approves a submitted cable. */
export class ApproveCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
  ) {}
}
