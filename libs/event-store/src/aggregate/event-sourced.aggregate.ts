import { AggregateRoot } from '@nestjs/cqrs';

/** A domain event as an aggregate applies it: a stable type name and a plain-data payload. */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
  /**
   * On a replayed event, the shape version it was upcast to. Not read on write: an event is stored
   * at the version its aggregate's definition declares (`schemaVersions`).
   */
  readonly schemaVersion?: number;
}

/**
 * An aggregate whose state is a fold of its events. `apply(event)` records the event and calls
 * `on<Type>(event)`; stored events are folded the same way when the aggregate is loaded.
 */
export abstract class EventSourcedAggregate<E extends DomainEvent = DomainEvent> extends AggregateRoot<E> {
  private persistedVersion = 0;

  constructor(readonly id: string) {
    super();
  }

  /** The version including changes not yet saved: what a caller sees after this command. */
  get version(): number {
    return this.persistedVersion + this.getUncommittedEvents().length;
  }

  /** The version of the stream this instance was loaded from. */
  get loadedVersion(): number {
    return this.persistedVersion;
  }

  /** Folds stored events; used by the repository when loading. */
  replay(events: readonly E[], version: number): void {
    this.loadFromHistory([...events]);
    this.persistedVersion = version;
  }

  /** Marks the stream as saved up to `version`; used by the repository after a commit. */
  markSaved(version: number): void {
    this.persistedVersion = version;
  }

  protected override getEventName(event: E): string {
    return event.type;
  }

  /**
   * Folds one event into the state. An aggregate that defines it (with an exhaustive switch on the
   * event type, so that the compiler finds a forgotten case) is folded through it; one that does not
   * is folded by `on<Type>` methods.
   */
  protected evolve?(event: E): void;

  // Typed loosely, as AggregateRoot types it, so that aggregates of any event type stay assignable.
  protected override getEventHandler(event: E): ReturnType<AggregateRoot<E>['getEventHandler']> {
    const evolve = this.evolve;
    return evolve ? ((e: E) => evolve.call(this, e)) as never : super.getEventHandler(event);
  }
}

/** The events an aggregate applies. */
export type EventOf<A> = A extends EventSourcedAggregate<infer E> ? E : never;

/** How to store one kind of aggregate. */
export interface AggregateDefinition<A extends EventSourcedAggregate<any>> {
  streamType: string;
  /**
   * The schema version each of its event types is written at now: the one place it is declared.
   * Reshaping an event's payload bumps its number here and registers an upcaster from the version
   * before (UpcasterRegistry refuses a chain that does not end here), so events written at the
   * new version are never upcast. Every event type must be listed (the compiler checks).
   */
  schemaVersions: { readonly [T in EventOf<A>['type']]: number };
  /** An empty aggregate, ready to fold its stream. */
  blank(id: string): A;
  /** Snapshots every `every` versions; a snapshot with another schemaVersion is ignored. */
  snapshots?: {
    every: number;
    schemaVersion: number;
    take(aggregate: A): unknown;
    restore(id: string, state: unknown): A;
  };
}

export function streamIdOf(streamType: string, id: string): string {
  return `${streamType}-${id}`;
}


/** The aggregate id inside a stream id made by streamIdOf. */
export function aggregateIdOf(streamType: string, streamId: string): string {
  return streamId.slice(streamType.length + 1);
}
