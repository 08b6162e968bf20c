import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';

/** The drafter asks offices to clear (again, for one whose clearance went stale or did not concur). */
export class RequestClearancesCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly offices: string[],
  ) {}
}
