import { DataSource, EntityManager } from 'typeorm';

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
