import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';
import type { ClearanceDecision } from '../domain/cable.aggregate.js';
import type { CableDraft } from '../domain/cable-format.js';

export class DraftCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly draft: CableDraft,
  ) {}
}

export type CableAction =
  | { kind: 'edit'; changes: Partial<CableDraft> }
  | { kind: 'requestClearances'; offices: string[] }
  | { kind: 'decideClearance'; office: string; decision: ClearanceDecision; comments: string | null }
  | { kind: 'submit' }
  | { kind: 'approve' }
  | { kind: 'return'; reason: string }
  | { kind: 'cancel'; reason: string };

/** Every step of a cable's life but drafting and release: load it, let it decide, save. */
export class ActOnCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
    readonly action: CableAction,
  ) {}
}

export class ReleaseCableCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly cableId: string,
  ) {}
}
