import { Injectable } from '@nestjs/common';
import { EventPublisher } from '@nestjs/cqrs';
import { DataSource, EntityManager } from 'typeorm';
import { ChanceryError, ErrorCode, type CommandContext } from '@chancery/common';
import type { Db } from '@chancery/database';
import { CommandCommitter } from '../commit/command-committer.js';
import { WrongExpectedVersionError } from '../store/event-store.errors.js';
import { EventStore } from '../store/event-store.js';
import type { NewEvent, RecordedEvent } from '../store/event-store.types.js';
import { SnapshotStore } from '../store/snapshot-store.js';
import { type AggregateDefinition, type DomainEvent, type EventSourcedAggregate, streamIdOf } from './event-sourced.aggregate.js';

/** What a creation does in its transaction besides saving the events (see AggregateRepository.create). */
export interface CreationSteps<A> {
  before?: (tx: EntityManager) => Promise<void>;
  after?: (tx: EntityManager, aggregate: A) => Promise<void>;
}

/** A point in the past, read in whole transactions (`EventStore.readStreamAsItStood`). */
export interface LoadOptions {
  /** The aggregate as it stood after the change that wrote this version (its version may be higher). */
  version?: number;
  /** The aggregate as it stood at this instant, every change begun by then whole. */
  asOf?: Date;
}

/** Loads and saves one kind of aggregate through the event store. */
export class AggregateRepository<A extends EventSourcedAggregate> {
  constructor(
    private readonly definition: AggregateDefinition<A>,
    private readonly store: EventStore,
    private readonly snapshots: SnapshotStore,
    private readonly committer: CommandCommitter,
    private readonly publisher: EventPublisher,
    private readonly dataSource: DataSource,
  ) {
    store.upcasters.declare(definition.schemaVersions);
  }

  streamId(id: string): string {
    return streamIdOf(this.definition.streamType, id);
  }

  /** The aggregate now, or as it stood at a version or an instant; undefined if it did not exist. */
  async load(id: string, options: LoadOptions = {}, db: Db = this.dataSource): Promise<A | undefined> {
    const streamId = this.streamId(id);
    const pointInTime = options.version !== undefined || options.asOf !== undefined;
    let aggregate: A | undefined;
    let events: RecordedEvent[];
    const snapshotting = this.definition.snapshots;
    if (snapshotting && !pointInTime) {
      // The snapshot (of the schema version this code restores) and the events after it, in one statement.
      const read = await this.store.readStreamAfterSnapshot(streamId, snapshotting.schemaVersion, db);
      if (read.snapshot) {
        aggregate = snapshotting.restore(id, read.snapshot.state);
        aggregate.markSaved(read.snapshot.streamVersion);
      }
      events = read.events;
    } else {
      events = pointInTime ? await this.store.readStreamAsItStood(streamId, { toVersion: options.version, asOf: options.asOf }, db) : await this.store.readStream(streamId, {}, db);
    }
    if (!aggregate && events.length === 0) return undefined;
    aggregate ??= this.definition.blank(id);
    if (events.length > 0) aggregate.replay(events.map(toDomainEvent), events[events.length - 1].streamVersion);
    return aggregate;
  }

  /**
   * Saves a new aggregate's first events; answers `respond(aggregate)`. In the same transaction,
   * `steps.before` runs before anything is written (a lock the command queues on), and `steps.after`
   * writes what belongs with the events but is not one (a password hash).
   */
  async create<R>(context: CommandContext, command: string, make: () => A, respond: (aggregate: A) => R, steps: CreationSteps<A> = {}): Promise<R> {
    return this.committer.run(context, command, (tx) => this.createIn(tx, context, command, make, respond, steps));
  }

  /** `create` inside a transaction the caller owns (see CommandCommitter.runWithin). */
  async createWithin<R>(within: EntityManager, context: CommandContext, command: string, make: () => A, respond: (aggregate: A) => R): Promise<R> {
    return this.committer.runWithin(within, context, (tx) => this.createIn(tx, context, command, make, respond));
  }

  private async createIn<R>(tx: EntityManager, context: CommandContext, command: string, make: () => A, respond: (aggregate: A) => R, steps: CreationSteps<A> = {}) {
    if (context.ifMatch) {
      throw new ChanceryError(ErrorCode.PreconditionFailed, 'If-Match names a version of a record that exists; this request creates one, which has none yet (RFC 9110 §13.1.1): send it without If-Match', {
        header: 'If-Match',
      });
    }
    await steps.before?.(tx);
    const aggregate = this.publisher.mergeObjectContext(make());
    const saved = await this.saveIn(tx, context, command, aggregate, respond).catch(thereAlready);
    await steps.after?.(tx, aggregate);
    return saved;
  }

  /**
   * Loads the aggregate, lets `decide` apply its events, and saves them with the loaded version as
   * the expected one. A conflict reruns all of it on a fresh load (see CommandCommitter).
   */
  async update<R>(
    context: CommandContext,
    command: string,
    id: string,
    decide: (aggregate: A, tx: EntityManager) => void | Promise<void>,
    respond: (aggregate: A) => R,
  ): Promise<R> {
    return this.decideOn(context, command, id, decide, respond, false);
  }

  /**
   * `update` for a stream its first event starts (a post's delivery): with no stream yet, `decide`
   * gets a blank aggregate. Two first writers at once do not fail: the loser retries and finds the
   * stream the winner started.
   */
  async updateOrStart<R>(
    context: CommandContext,
    command: string,
    id: string,
    decide: (aggregate: A, tx: EntityManager) => void | Promise<void>,
    respond: (aggregate: A) => R,
  ): Promise<R> {
    return this.decideOn(context, command, id, decide, respond, true);
  }

  private decideOn<R>(
    context: CommandContext,
    command: string,
    id: string,
    decide: (aggregate: A, tx: EntityManager) => void | Promise<void>,
    respond: (aggregate: A) => R,
    orStart: boolean,
  ): Promise<R> {
    return this.committer.run(context, command, async (tx, attemptNo) => {
      if (attemptNo > 1) await this.store.lockStream(this.streamId(id), tx);
      const loaded = (await this.load(id, {}, tx)) ?? (orStart ? this.definition.blank(id) : undefined);
      if (!loaded) throw new ChanceryError(ErrorCode.NotFound, `No ${this.definition.streamType} ${id}`, { id });
      if (context.expectedVersions && !context.expectedVersions.includes(loaded.version)) {
        // Who may take the step is said before the version: someone who may not take it is told
        // that (403), whatever they last read. Anything else the step would refuse waits for a
        // look at the latest (412): its state is what the caller has not seen. Nothing decided here
        // is saved (the transaction rolls back), and the version said is the one loaded.
        const { version } = loaded;
        await this.refusedAs(ErrorCode.Forbidden, () => decide(loaded, tx));
        throw new ChanceryError(
          ErrorCode.PreconditionFailed,
          context.expectedVersions.length === 0
            ? `${this.definition.streamType} ${id} is at version ${version}; If-Match tags are compared character for character, so a weak If-Match tag never matches, nor a version spelled otherwise ("0${version}") (RFC 9110 §13.1.1): send the ETag as it was given, "${version}"`
            : `${this.definition.streamType} ${id} is at version ${version}, not ${context.expectedVersions.join(' or ')}`,
          { id, version },
        );
      }
      const aggregate = this.publisher.mergeObjectContext(loaded);
      await decide(aggregate, tx); // tx: for what must commit with the events (an MRN serial)
      return this.saveIn(tx, context, command, aggregate, respond);
    });
  }

  /** Runs `step`; rethrows its refusal if it is of `code`, and passes over whatever else it does. */
  private async refusedAs(code: ErrorCode, step: () => void | Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (error instanceof ChanceryError && error.code === code) throw error;
    }
  }

  private async saveIn<R>(tx: EntityManager, context: CommandContext, command: string, aggregate: A, respond: (aggregate: A) => R) {
    const pending = aggregate.getUncommittedEvents() as DomainEvent[];
    if (pending.length === 0) return { result: respond(aggregate) };
    const streamId = this.streamId(aggregate.id);
    const expected = aggregate.loadedVersion === 0 ? 'no_stream' : aggregate.loadedVersion;
    const appended = await this.store.append(streamId, this.definition.streamType, pending.map((e) => this.toNewEvent(e, context)), expected, tx);
    await this.maybeSnapshot(tx, aggregate, appended.fromVersion, appended.nextVersion);
    const result = respond(aggregate);
    return {
      result,
      commit: {
        command,
        streamId,
        streamType: this.definition.streamType,
        fromVersion: appended.fromVersion,
        toVersion: appended.nextVersion,
        events: appended.events,
      },
      afterCommit: () => {
        aggregate.markSaved(appended.nextVersion);
        aggregate.commit(); // publishes on the EventBus, now that the events are durable
      },
    };
  }

  /** A new event in its current shape: stored at the schema version the definition declares for its type. */
  private toNewEvent(event: DomainEvent, context: CommandContext): NewEvent {
    const schemaVersion = (this.definition.schemaVersions as Readonly<Record<string, number>>)[event.type];
    if (schemaVersion === undefined) throw new Error(`${this.definition.streamType} declares no schema version for ${event.type}`);
    return {
      type: event.type,
      schemaVersion,
      data: event.data,
      metadata: {
        actorId: context.actor.id,
        actorRole: context.actor.role,
        requestId: context.requestId,
        correlationId: context.correlationId ?? context.requestId,
        causationId: context.causationId,
        idempotencyKey: context.idempotency?.key,
      },
    };
  }

  private async maybeSnapshot(tx: EntityManager, aggregate: A, fromVersion: number, toVersion: number): Promise<void> {
    const snapshotting = this.definition.snapshots;
    if (!snapshotting || Math.floor(toVersion / snapshotting.every) === Math.floor(fromVersion / snapshotting.every)) return;
    await this.snapshots.save(
      {
        streamId: this.streamId(aggregate.id),
        streamType: this.definition.streamType,
        streamVersion: toVersion,
        schemaVersion: snapshotting.schemaVersion,
        state: snapshotting.take(aggregate),
      },
      tx,
    );
  }
}

function toDomainEvent(event: RecordedEvent): DomainEvent {
  return { type: event.type, data: event.data, schemaVersion: event.schemaVersion };
}

/** Makes repositories; inject it and call `for(definition)` once per aggregate kind. */
@Injectable()
export class AggregateRepositoryFactory {
  constructor(
    private readonly store: EventStore,
    private readonly snapshots: SnapshotStore,
    private readonly committer: CommandCommitter,
    private readonly publisher: EventPublisher,
    private readonly dataSource: DataSource,
  ) {}

  for<A extends EventSourcedAggregate>(definition: AggregateDefinition<A>): AggregateRepository<A> {
    return new AggregateRepository(definition, this.store, this.snapshots, this.committer, this.publisher, this.dataSource);
  }
}

/**
 * A new stream's append that found the stream there: trying again (as for a conflict on a stream
 * loaded) would find it there again, so it is said at once, as the record existing already.
 */
function thereAlready(error: unknown): never {
  if (error instanceof WrongExpectedVersionError && error.expected === 'no_stream') {
    throw new ChanceryError(ErrorCode.AlreadyExists, `${error.streamId} exists already`, { streamId: error.streamId });
  }
  throw error;
}

/** Whether `error` is `create`'s refusal of a stream that exists already (not a refusal of the caller's own `steps`). */
export function isStreamThereAlready(error: unknown): error is ChanceryError {
  return error instanceof ChanceryError && error.code === ErrorCode.AlreadyExists && typeof error.details.streamId === 'string';
}
