import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';
import type { CableDraft } from '../../domain/cable-format.js';

/** A merge patch of the draft, by its drafter, a clearer of an office asked, or the approver of a submitted cable. */
export class EditCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly changes: Partial<CableDraft>,
  ) {}
}
