import { pgError } from '@chancery/database';

/**
 * SQLSTATEs that say "try again later", not "this event is wrong": deadlock, serialization failure,
 * lock not available, statement/lock timeout or cancel, the server shutting down or out of
 * connections or memory. Class 08 (connection exceptions) is matched by prefix.
 */
const TRANSIENT_CODES = new Set(['40P01', '40001', '55P03', '57014', '57P01', '57P02', '57P03', '53000', '53100', '53200', '53300', '53400']);
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const TRANSIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Query runner already released/i;

/** Whether a failure is worth retrying as it is (the database or its locks), rather than a poison event. */
export function isTransient(error: unknown): boolean {
  const code = pgError(error)?.code ?? (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || TRANSIENT_SOCKET_CODES.has(code) || code.startsWith('08'))) return true;
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && TRANSIENT_MESSAGES.test(message);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
