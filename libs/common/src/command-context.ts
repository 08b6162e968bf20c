/** Who is acting, as far as the storage layer needs to know (identity fills it from the token). */
export interface Actor {
  id: string;
  username: string;
  role: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', username: 'system', role: 'system' };
export const ANONYMOUS_ACTOR: Actor = { id: 'anonymous', username: 'anonymous', role: 'anonymous' };

/** The idempotency claim of one HTTP request, recorded in the same transaction as its events. */
export interface IdempotencyClaim {
  key: string;
  requestHash: string;
  statusCode: number;
  /**
   * What the caller stood on when the answer was given (`ReplayCheck.standing`: their roles,
   * office, post, clearance), stored with it; null where the application says nothing of it.
   */
  standing: string | null;
  /** Set once the claim has been written with a command's events. */
  recorded: boolean;
}

/**
 * The caller's standing as the request was authorized under: their users row as the guard read it
 * (the token's generation, roles, office, post, clearance). A command commits only while the row
 * still says this (see CallerStandingCheck in identity).
 */
export interface CallerStanding {
  tokenGeneration: number;
  roles: readonly string[];
  office: string | null;
  postCode: string | null;
  clearance: string;
}

/** Everything a command carries besides its own arguments. */
export interface CommandContext {
  actor: Actor;
  requestId: string;
  /**
   * From `If-Match`: the versions the caller would act on (usually the one it last saw); the record
   * at any other fails instead of retrying.
   */
  expectedVersions?: readonly number[];
  /**
   * The request carried `If-Match`, whatever its value (`*` included): a precondition on a record
   * that exists. A command that creates its record meets none (RFC 9110 §13.1.1: `*` is false when
   * there is no current representation), so it refuses rather than ignores it.
   */
  ifMatch?: boolean;
  idempotency?: IdempotencyClaim;
  /** A user's request: the standing it was authorized under. Absent for the system's own commands (process managers, schedulers, seeding). */
  authorizedAs?: CallerStanding;
  correlationId?: string;
  causationId?: string;
}

export function systemContext(requestId: string): CommandContext {
  return { actor: SYSTEM_ACTOR, requestId };
}
