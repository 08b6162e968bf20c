import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Db } from '@chancery/database';
import { CommandCommitter } from '@chancery/event-store';
import { type FollowUpAccess, mayReadFollowUp, type Principal } from '@chancery/identity/domain';
import type { FollowUp } from '../domain/follow-up.aggregate.js';
import { FollowUpReader, type FollowUpView } from '../follow-up-reader.js';

/** What a follow-up command answers: the follow-up as its sender reads it, or only its id and version if they may not. */
export type FollowUpAnswer = FollowUpView | { id: string; version: number };

interface Unanswered {
  actor: Principal;
  followUp: FollowUp;
  access: FollowUpAccess;
}

/**
 * A follow-up command answers what `GET /follow-ups/:id` shows its sender right after it (the
 * classification and captions of what it is linked to, allowedActions, history), built by the
 * reader's own `view`. That view reads the follow-up's row and stream as the command wrote them
 * (recorded times included), which only exist once its events are appended: so the repository gets
 * an empty answer (`pending`), which a commit participant fills in the command's transaction, after
 * the inline projections and before the idempotency record stores it for replays. A command that
 * wrote nothing (a PATCH to the same date) has no commit: `settle` fills its answer afterwards.
 */
@Injectable()
export class FollowUpAnswers implements OnModuleInit {
  private readonly unanswered = new WeakMap<object, Unanswered>();

  constructor(
    private readonly committer: CommandCommitter,
    private readonly reader: FollowUpReader,
  ) {}

  onModuleInit(): void {
    // After the inline projections (order 10), before the idempotency record (50).
    this.committer.register({ name: 'follow-up-answers', order: 20, onCommit: (tx, commit) => this.fill(commit.result, tx) });
  }

  /** The repository's answer to a command by `actor`, on `followUp` as it decided it, read under `access`. */
  pending(actor: Principal, followUp: FollowUp, access: FollowUpAccess): FollowUpAnswer {
    const answer = {} as FollowUpAnswer;
    this.unanswered.set(answer, { actor, followUp, access });
    return answer;
  }

  /** The answer once the command is over: filled in its transaction, or now if it wrote nothing. */
  async settle(answer: FollowUpAnswer): Promise<FollowUpAnswer> {
    await this.fill(answer);
    return answer;
  }

  private async fill(answer: unknown, db?: Db): Promise<void> {
    const unanswered = typeof answer === 'object' && answer !== null ? this.unanswered.get(answer) : undefined;
    if (!unanswered) return; // another command's result, or an answer filled already
    this.unanswered.delete(answer as object);
    const { actor, followUp, access } = unanswered;
    // The sender may read it (checked before acting); never answer more than they may, all the same.
    const view = mayReadFollowUp(actor, access).allowed ? await this.reader.view(actor, followUp, access, db) : { id: followUp.id, version: followUp.version };
    Object.assign(answer as object, view);
  }
}
