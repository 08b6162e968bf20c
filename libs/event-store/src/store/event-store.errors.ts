import { ChanceryError, ErrorCode } from '@chancery/common';
import type { ExpectedVersion } from './event-store.types.js';

/** The stream is not at the version the caller expected: someone else wrote first. */
export class WrongExpectedVersionError extends ChanceryError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** Unknown when the conflict was found inside a transaction that it aborted. */
    readonly actual?: number,
  ) {
    const wanted = expected === 'no_stream' ? 'no stream' : `version ${expected}`;
    super(
      ErrorCode.WrongExpectedVersion,
      actual === undefined ? `Stream ${streamId} was changed concurrently; expected ${wanted}` : `Stream ${streamId} is at version ${actual}, expected ${wanted}`,
      { streamId, expected, actual },
    );
  }
}

export class StreamNotFoundError extends ChanceryError {
  constructor(readonly streamId: string) {
    super(ErrorCode.StreamNotFound, `No stream ${streamId}`, { streamId });
  }
}

/** Some, but not all, of an append's event ids are already stored, or stored on another stream. */
export class DuplicateEventError extends ChanceryError {
  constructor(readonly eventIds: string[]) {
    super(ErrorCode.DuplicateEvent, `Event ids already stored elsewhere: ${eventIds.join(', ')}`, { eventIds });
  }
}
