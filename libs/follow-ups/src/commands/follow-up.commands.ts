import type { CommandContext } from '@chancery/common';
import type { Classification, Principal } from '@chancery/identity/domain';
import type { Links, Owner } from '../domain/follow-up.aggregate.js';

export class CreateFollowUpCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly input: { title: string; description: string; owner: Owner; dueOn: string; links: Links; classification: Classification },
  ) {}
}

export type FollowUpChange =
  | { kind: 'patch'; title?: string; description?: string; owner?: Owner; dueOn?: string }
  | { kind: 'start' }
  | { kind: 'complete'; outcome: string }
  | { kind: 'cancel'; reason: string }
  | { kind: 'comment'; text: string };

export class ChangeFollowUpCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly id: string,
    readonly change: FollowUpChange,
  ) {}
}
