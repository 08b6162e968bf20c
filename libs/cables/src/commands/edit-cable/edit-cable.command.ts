import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';
import type { CableDraft } from '../../domain/cable-format.js';

/** A JSON Merge Patch (RFC 7396) of a draft: members present change, `null` removes one, objects merge. */
export type DraftPatch = Record<string, unknown>;

/**
 * A merge patch of the draft, by its drafter, a clearer of an office asked, or the approver of a
 * submitted cable. The patch is merged into the draft as it stands in the command's transaction;
 * `toDraft` is the edge's check of a whole draft (the one a new draft passes), run on the result.
 */
export class EditCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly patch: DraftPatch,
    readonly toDraft: (merged: object) => Promise<CableDraft>,
  ) {}
}
