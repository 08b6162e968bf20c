import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';

/** Its drafter or an approver cancels an unreleased cable. */
export class CancelCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly reason: string,
  ) {}
}
