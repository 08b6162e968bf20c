import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../store/event-store.types.js';

interface ProjectionBase {
  readonly name: string;
  /** The event types it handles; the others only move its checkpoint. All when absent. */
  readonly handles?: readonly string[];
  apply(tx: EntityManager, events: RecordedEvent[]): Promise<void>;
}

/**
 * Folds events into tables it owns, inside the transaction that also moves its checkpoint. It must
 * be deterministic (a rebuild from zero gives the same tables as the incremental run) and name its
 * tables unqualified: a rebuild replays into shadow copies of `tables` by setting the search_path.
 * An event it cannot fold is parked as a dead letter and the read model goes on.
 */
export interface ReadModel extends ProjectionBase {
  readonly kind: 'read-model';
  /** The tables it owns and a rebuild replaces; they must not be written by anything else. */
  readonly tables: readonly string[];
}

/**
 * A process manager: reacts to events by writing commands. It never skips an event: a failure is
 * retried with backoff, and one that keeps failing stops it at that event until an operator
 * redrives it. It is not rebuilt (replaying would send its commands again).
 */
export interface Reaction extends ProjectionBase {
  readonly kind: 'reaction';
}

export type Projection = ReadModel | Reaction;
export type ProjectionKind = Projection['kind'];

export function handlesType(projection: Projection, type: string): boolean {
  return !projection.handles || projection.handles.includes(type);
}

export function relevantTo(projection: Projection, events: RecordedEvent[]): RecordedEvent[] {
  return projection.handles ? events.filter((event) => handlesType(projection, event.type)) : events;
}
