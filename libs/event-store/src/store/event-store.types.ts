/** An event to append. `eventId` makes a retried append harmless; one is generated when absent. */
export interface NewEvent<D = unknown> {
  eventId?: string;
  type: string;
  schemaVersion?: number;
  data: D;
  metadata?: EventMetadata;
}

export interface EventMetadata {
  actorId?: string;
  actorRole?: string;
  requestId?: string;
  correlationId?: string;
  causationId?: string;
  idempotencyKey?: string;
  [key: string]: unknown;
}

/**
 * An event as stored, after upcasting to its newest shape. When an upcaster failed on the global
 * feed (readAll), the event is as stored (data and schemaVersion untouched) and `upcastError` says
 * why; reading a single stream throws instead.
 */
export interface RecordedEvent<D = unknown> {
  globalPosition: number;
  transactionId: string;
  eventId: string;
  streamId: string;
  streamType: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: D;
  metadata: EventMetadata;
  recordedAt: Date;
  /** Set by the feed when an upcaster threw: the event is as stored (data, schemaVersion), not upcast. */
  upcastError?: string;
}

/**
 * What the caller believes about the stream before appending:
 * `'any'` no belief, `'no_stream'` it does not exist yet, or the exact current version.
 */
export type ExpectedVersion = 'any' | 'no_stream' | number;

export interface AppendResult {
  streamId: string;
  /** The stream's version before and after the append. */
  fromVersion: number;
  nextVersion: number;
  events: RecordedEvent[];
  /** True when every event id was already stored: a retry of an append that had succeeded. */
  duplicate: boolean;
}

export interface ReadStreamOptions {
  /** First version to read (inclusive), default 1. */
  fromVersion?: number;
  /** Last version to read (inclusive). */
  toVersion?: number;
  /**
   * Only events recorded at or before this instant: the stream as it stood then. The store keeps
   * microseconds and the API speaks milliseconds, so the instant names its whole millisecond: an
   * event's own `at`, as the API gives it, includes that event.
   */
  asOf?: Date;
}

/** A place in the global feed: the commit-ordered pair (transaction id, global position). */
export interface Checkpoint {
  transactionId: string;
  globalPosition: number;
}

export const START_OF_FEED: Checkpoint = Object.freeze({ transactionId: '0', globalPosition: 0 });
