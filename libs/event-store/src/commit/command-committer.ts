import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { backoff, ChanceryError, ErrorCode, type CommandContext } from '@chancery/common';
import { isContentionError, isPoolWaitTimeout, isTransientDatabaseError } from '@chancery/database';
import { WrongExpectedVersionError } from '../store/event-store.errors.js';
import { EventStore } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';

/** What one command changed, as the participants of its transaction see it. */
export interface Commit {
  context: CommandContext;
  command: string;
  streamId: string;
  streamType: string;
  fromVersion: number;
  toVersion: number;
  events: RecordedEvent[];
  /** What the command answers its caller (stored for idempotent replays). */
  result: unknown;
}

/**
 * Work that must commit or roll back with a command's events: inline projections, the idempotency
 * record, the audit entry. Lower `order` runs first; the audit log, which serializes writers on the
 * chain head, runs last so that it holds its lock for as short a time as possible.
 */
export interface CommitParticipant {
  readonly name: string;
  readonly order: number;
  onCommit(tx: EntityManager, commit: Commit): Promise<void>;
  /**
   * After a command's transaction rolled back with an error that is answered, not retried (its own
   * or a participant's): what must outlive the rollback, such as the audit entry of a refusal.
   */
  onRefused?(context: CommandContext, command: string, error: unknown): Promise<void>;
}

export interface Attempt<R> {
  result: R;
  /** Absent when the command changed nothing. */
  commit?: Omit<Commit, 'context' | 'result'>;
  /** Runs once the transaction has committed (e.g. publish the aggregate's events). */
  afterCommit?: () => void;
}

export const MAX_COMMAND_ATTEMPTS = 5;

/**
 * Runs a command's load-decide-append in one transaction with every participant, and retries it on
 * a fresh load when another writer got there first, unless the caller pinned a version (If-Match).
 * The first attempt is optimistic; retries take the stream's lock before they load, so concurrent
 * writers to one stream end up queued one behind the other rather than retrying in a storm.
 */
@Injectable()
export class CommandCommitter {
  private readonly logger = new Logger(CommandCommitter.name);
  private participants: CommitParticipant[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {}

  register(participant: CommitParticipant): void {
    if (this.participants.some((p) => p.name === participant.name)) return;
    this.participants = [...this.participants, participant].sort((a, b) => a.order - b.order);
  }

  /**
   * `attempt` gets the attempt number: from the second on, it should lock what it loads (see
   * AggregateRepository.update), so that a writer who lost one race queues instead of racing again.
   */
  /**
   * Runs a command inside a transaction someone else owns and will commit (a process manager's
   * batch, with its checkpoint): no retry, and no EventBus publication, since the commit is not ours.
   */
  async runWithin<R>(tx: EntityManager, context: CommandContext, attempt: (tx: EntityManager, attemptNo: number) => Promise<Attempt<R>>): Promise<R> {
    return (await this.attemptIn(tx, context, attempt, 1)).result;
  }

  private async attemptIn<R>(
    tx: EntityManager,
    context: CommandContext,
    attempt: (tx: EntityManager, attemptNo: number) => Promise<Attempt<R>>,
    attemptNo: number,
  ): Promise<Attempt<R>> {
    const result = await attempt(tx, attemptNo);
    if (result.commit) {
      const commit: Commit = { ...result.commit, context, result: result.result };
      for (const participant of this.participants) await participant.onCommit(tx, commit);
    }
    return result;
  }

  unregister(name: string): void {
    this.participants = this.participants.filter((p) => p.name !== name);
  }

  async run<R>(context: CommandContext, command: string, attempt: (tx: EntityManager, attemptNo: number) => Promise<Attempt<R>>): Promise<R> {
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        // READ COMMITTED, PostgreSQL's default: naming it would cost a `SET TRANSACTION` round trip a
        // command. (A server set to a stricter default still runs commands correctly; conflicts it
        // raises are retried below.)
        const outcome = await this.dataSource.transaction((tx) => this.attemptIn(tx, context, attempt, attemptNo));
        if (outcome.commit) this.store.signals.emit('appended');
        outcome.afterCommit?.();
        return outcome.result;
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          // PostgreSQL asks for the transaction again (deadlock, serialization, lock timeout, a
          // restart): the whole attempt rolled back, so running it again is safe. A wait for a
          // pooled connection that timed out is answered at once: it waited the bound already.
          if (attemptNo >= MAX_COMMAND_ATTEMPTS || isPoolWaitTimeout(error)) {
            this.logger.warn({ requestId: context.requestId }, `${command}: given up after ${attemptNo} attempt(s) (${(error as Error).message})`);
            // An outage is answered as one (503, "not reachable"); contention as "busy".
            if (!isContentionError(error)) throw error;
            throw new ChanceryError(ErrorCode.DatabaseBusy, 'The database is busy; try again shortly.', { retryAfter: 1 });
          }
          await sleep(backoff(attemptNo));
          continue;
        }
        if (!(error instanceof WrongExpectedVersionError)) {
          for (const participant of this.participants) await participant.onRefused?.(context, command, error);
          throw error;
        }
        if (context.expectedVersions) {
          throw new ChanceryError(ErrorCode.PreconditionFailed, `${error.streamId} changed since version ${context.expectedVersions.join(' or ')}`, {
            streamId: error.streamId,
          });
        }
        if (attemptNo >= MAX_COMMAND_ATTEMPTS) {
          this.logger.warn({ requestId: context.requestId }, `${command} on ${error.streamId}: still conflicting after ${attemptNo} attempts`);
          throw new ChanceryError(ErrorCode.ConcurrencyConflict, `${error.streamId} is being changed by others; try again`, {
            streamId: error.streamId,
          });
        }
        await sleep(Math.random() * 5 * attemptNo);
      }
    }
  }
}
