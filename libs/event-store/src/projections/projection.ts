import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../store/event-store.types.js';

/**
 * Folds events into read tables. `apply` receives events in commit order, in batches, inside the
 * transaction that also moves the projection's checkpoint; `reset` empties its tables for a rebuild.
 * It must be deterministic: a rebuild from zero gives the same tables as the incremental run.
 */
export interface Projection {
  readonly name: string;
  /** The event types it folds; the others only move its checkpoint. All when absent. */
  readonly handles?: readonly string[];
  apply(tx: EntityManager, events: RecordedEvent[]): Promise<void>;
  reset(tx: EntityManager): Promise<void>;
}

export function relevantTo(projection: Projection, events: RecordedEvent[]): RecordedEvent[] {
  const handles = projection.handles;
  return handles ? events.filter((event) => handles.includes(event.type)) : events;
}
