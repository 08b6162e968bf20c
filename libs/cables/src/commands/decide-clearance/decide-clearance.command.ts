import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';
import type { ClearanceDecision } from '../../domain/cable.aggregate.js';

/** A clearer answers for their office: CLEARED, CLEARED_WITH_COMMENTS or NON_CONCUR. */
export class DecideClearanceCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly office: string,
    readonly decision: ClearanceDecision,
    readonly comments: string | null,
  ) {}
}
