import type { Pool, PoolClient, QueryArrayConfig, QueryConfig } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { holdsOpenConnections } from './pool-connections.js';

/** A database handle: the DataSource (own connection per call) or a transaction's EntityManager. */
export type Db = DataSource | EntityManager;

/** Runs one parameterized statement and answers its rows, whatever the statement kind. */
export async function sql<T = Record<string, unknown>>(db: Db, text: string, params: unknown[] = []): Promise<T[]> {
  const runner = db instanceof DataSource ? undefined : db.queryRunner;
  if (runner) {
    return (await runner.query(text, params, true)).records as T[];
  }
  const dataSource = db instanceof DataSource ? db : db.dataSource;
  const own = dataSource.createQueryRunner();
  try {
    return (await own.query(text, params, true)).records as T[];
  } finally {
    await own.release();
  }
}

/**
 * Runs a hot statement as a named prepared statement, planned once per connection instead of on
 * every call (planning can cost more than executing), on the `pg` client underneath TypeORM.
 */
export async function prepared<T = Record<string, unknown>>(db: Db, name: string, text: string, params: unknown[]): Promise<T[]> {
  return (await direct(db, { name, text, values: params })) as T[];
}

/**
 * A statement's rows as arrays of their column values, in the select list's order (`pg`'s
 * `rowMode: 'array'`): for a reader of thousands of rows, one array a row rather than an object.
 */
export async function rowArrays(db: Db, text: string, params: unknown[]): Promise<unknown[][]> {
  return (await direct(db, { text, values: params, rowMode: 'array' })) as unknown[][];
}

/** A query sent to the `pg` client underneath TypeORM: the transaction's connection for an EntityManager, any pooled one for the DataSource. */
async function direct(db: Db, query: QueryConfig | QueryArrayConfig): Promise<unknown[]> {
  const runner = db instanceof DataSource ? undefined : db.queryRunner;
  if (runner) {
    const client = (await runner.connect()) as PoolClient;
    return (await client.query(query)).rows;
  }
  const dataSource = db instanceof DataSource ? db : db.dataSource;
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query(query)).rows;
}

/** The PostgreSQL error behind a TypeORM QueryFailedError, if any. */
export function pgError(error: unknown): { code?: string; constraint?: string; message?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driverError = (error as { driverError?: unknown }).driverError ?? error;
  if (typeof driverError === 'object' && driverError !== null && 'code' in driverError) {
    return driverError as { code?: string; constraint?: string; message?: string };
  }
  return undefined;
}

export const PG_UNIQUE_VIOLATION = '23505';

/**
 * Failures PostgreSQL asks the client to retry, the whole transaction again: deadlock (40P01),
 * serialization failure (40001), lock not available / lock timeout (55P03), a connection that
 * was lost or refused (class 08, 57P01-57P05 shutdown, a database dropped or a session ended, 53300
 * too many connections), a database that cannot be reached as configured (3D000 not there, 55000
 * not accepting connections, class 28 the login refused; a host not found or not reachable), and no
 * pooled connection free in time (`isPoolWaitTimeout`). For the service all are an outage, not a
 * bug: a 503 with Retry-After, never a 500.
 */
const TRANSIENT_CODES = new Set([
  '40P01', '40001', '55P03', '57P01', '57P02', '57P03', '57P04', '57P05', '53300', '3D000', '55000', '28000', '28P01',
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
]);

export function isTransientDatabaseError(error: unknown): boolean {
  const code = pgError(error)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
  if (isPoolWaitTimeout(error)) return true;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /Connection terminated|connect ECONNREFUSED/i.test(message);
}

/**
 * The subset of transient failures that are contention, not an outage: between transactions, or
 * for this process's pooled connections (all taken for DB_ACQUIRE_TIMEOUT_MS, while it holds some
 * open: with none open, the wait ran out behind connections that could not be opened, an outage).
 */
export function isContentionError(error: unknown): boolean {
  const code = pgError(error)?.code;
  return code === '40P01' || code === '40001' || code === '55P03' || (isPoolWaitTimeout(error) && holdsOpenConnections());
}

const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

/**
 * pg-pool's failure when every pooled connection stayed taken for `connectionTimeoutMillis`
 * (DB_ACQUIRE_TIMEOUT_MS). It has no code; its message is the only sign, and differs from that of a
 * new connection that could not be opened in time ("Connection terminated due to connection
 * timeout"), an outage. The wait was the bounded one already: not worth repeating at once.
 */
export function isPoolWaitTimeout(error: unknown): boolean {
  return (error as { message?: unknown } | null)?.message === POOL_WAIT_TIMEOUT;
}
