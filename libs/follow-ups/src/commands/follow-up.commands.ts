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

/**
 * `classification`, on a change that writes text: the marking its author gives that text (the web
 * app sends the marking the follow-up was shown at). The follow-up is raised to it if it stands
 * lower, so that text written while a linked record stood higher stays protected even if the
 * record is marked down before the text arrives (checked by ChangeFollowUpHandler.markingGiven).
 */
export type FollowUpChange =
  | { kind: 'patch'; title?: string; description?: string; owner?: Owner; dueOn?: string; classification?: Classification }
  | { kind: 'start' }
  | { kind: 'complete'; outcome: string; classification?: Classification }
  | { kind: 'cancel'; reason: string; classification?: Classification }
  | { kind: 'comment'; text: string; classification?: Classification };

export class ChangeFollowUpCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly id: string,
    readonly change: FollowUpChange,
  ) {}
}
