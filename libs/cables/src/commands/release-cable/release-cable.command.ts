import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';

/** An approver for the originator transmits an approved cable. */
export class ReleaseCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
  ) {}
}
