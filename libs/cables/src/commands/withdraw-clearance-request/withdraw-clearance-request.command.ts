import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';

/** The drafter withdraws a pending or non-concurring clearance request. */
export class WithdrawClearanceRequestCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly office: string,
  ) {}
}
