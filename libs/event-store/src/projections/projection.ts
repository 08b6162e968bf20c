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
  /**
   * A rebuild's own way through the feed, for a read model whose `apply` would write each row many
   * times over. Nothing else reads the shadow tables until the swap, so a replay may keep rows in
   * memory across pages and write them once, through `writer`; after `flush` the tables must be
   * what `apply` would have made of the same events. Without it, a rebuild calls `apply` page by page.
   */
  replay?(writer: ReplayWriter): Replay;
}

/**
 * One rebuild's replay (see `ReadModel.replay`). `apply` folds a page of the events the read model
 * handles (readable ones, in feed order) and answers the events it could not fold, which the
 * rebuild parks as `apply`'s would be: the others are folded as if those had never been. `tx` is
 * the page's transaction, for reading back what the writer wrote. A thrown error fails the rebuild
 * (the live tables stay as they were).
 */
export interface Replay {
  apply(tx: EntityManager, events: RecordedEvent[]): Promise<Unfolded[]>;
  /** Writes what is still held in memory; called once, after the last page. */
  flush(tx: EntityManager): Promise<void>;
}

/**
 * Where a replay writes: into the shadow tables, each piece of work in a transaction of its own. With
 * a second connection to spare, the work runs there while the rebuild reads and folds the next
 * pages (one piece at a time: `write` waits for the one before); without one (embedded PGlite),
 * `write` runs it on the rebuild's own connection before it returns.
 */
export interface ReplayWriter {
  /** The connection speaks COPY FROM STDIN (PGlite's socket does not). */
  readonly copy: boolean;
  write(work: (tx: EntityManager) => Promise<void>): Promise<void>;
  /** Waits until everything written has committed; throws what failed. */
  drain(): Promise<void>;
}

/** An event a replay could not fold, and why. */
export interface Unfolded {
  event: RecordedEvent;
  error: unknown;
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

/** Each projection's `handles` as a set: asked once per event per projection in a rebuild. */
const handled = new WeakMap<Projection, ReadonlySet<string>>();

export function handlesType(projection: Projection, type: string): boolean {
  if (!projection.handles) return true;
  let types = handled.get(projection);
  if (!types) handled.set(projection, (types = new Set(projection.handles)));
  return types.has(type);
}

export function relevantTo(projection: Projection, events: RecordedEvent[]): RecordedEvent[] {
  return projection.handles ? events.filter((event) => handlesType(projection, event.type)) : events;
}
