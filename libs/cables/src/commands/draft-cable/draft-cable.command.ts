import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';
import type { CableDraft } from '../../domain/cable-format.js';

/** A drafter (for the Department) or a post officer (for their post) starts a cable. */
export class DraftCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly draft: CableDraft,
  ) {}
}
