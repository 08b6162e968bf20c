/**
 * Every failure a caller can cause has a code here. The HTTP layer maps each code to a status in an
 * exhaustive switch, so a new code without a mapping does not compile.
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  InvalidHeader: 'INVALID_HEADER',
  NotFound: 'NOT_FOUND',
  StreamNotFound: 'STREAM_NOT_FOUND',
  WrongExpectedVersion: 'WRONG_EXPECTED_VERSION',
  ConcurrencyConflict: 'CONCURRENCY_CONFLICT',
  PreconditionFailed: 'PRECONDITION_FAILED',
  DuplicateEvent: 'DUPLICATE_EVENT',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyKeyInFlight: 'IDEMPOTENCY_KEY_IN_FLIGHT',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  RateLimited: 'RATE_LIMITED',
  AlreadyExists: 'ALREADY_EXISTS',
  InvalidTransition: 'INVALID_TRANSITION',
  RuleViolated: 'RULE_VIOLATED',
  /** An upload larger than its route takes. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** An upload whose bytes are not of a type its route takes. */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** The database asked for the transaction to be retried (deadlock, lock timeout, restart) too often. */
  DatabaseBusy: 'DATABASE_BUSY',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldError {
  field: string;
  message: string;
}

/** A failure with a stable code and a message meant for the person who caused it. */
export class ChanceryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
