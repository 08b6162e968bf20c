import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@chancery/config';
import { ALL_MIGRATIONS } from '@chancery/migrations';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { SchemaBehindRelease, SchemaOfNewerRelease } from './start-refusal.js';

/** Where the database is: the server named by DATABASE_URL, or an embedded PGlite. */
export interface DatabaseTarget {
  url: string;
  embedded: boolean;
  poolSize: number;
  /** How long to wait for a pooled connection (DB_ACQUIRE_TIMEOUT_MS); DEFAULT_ACQUIRE_TIMEOUT_MS unless given. */
  acquireTimeoutMs?: number;
}

/** DB_ACQUIRE_TIMEOUT_MS's default, for targets made without the configuration (scripts, tests). */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 10_000;

export interface OpenedDatabase {
  target: DatabaseTarget;
  embedded?: EmbeddedPostgres;
}

/**
 * Opens the configured target; with no DATABASE_URL it starts PGlite in the data folder. Only the
 * process that fills the database (`fills`: the API, which seeds it and loads the demo) discards a
 * first filling a stopped start left unfinished; any other refuses to open it.
 */
export async function openDatabase(config: AppConfig, { fills = false }: { fills?: boolean } = {}): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    return { target: { url: config.databaseUrl, embedded: false, poolSize: config.poolSize, acquireTimeoutMs: config.acquireTimeoutMs } };
  }
  const embedded = await EmbeddedPostgres.start(config.dataDir, { unfinished: fills ? 'discard' : 'refuse' });
  return { target: { url: embedded.url, embedded: true, poolSize: 1, acquireTimeoutMs: config.acquireTimeoutMs }, embedded };
}

/** node-postgres's type parsers, but a `date` stays its text. */
export function calendarDatesAsText(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  return oid === pg.types.builtins.DATE ? (value: string) => value : (pg.types.getTypeParser(oid, format) as (value: string) => unknown);
}

/** Where a pooled connection's failure is said (`poolErrorHandler`). */
const POOL_LOGGER = new Logger('Database');

export function dataSourceOptions(target: DatabaseTarget, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: target.url,
    poolSize: target.poolSize,
    // TypeORM hands it to pg-pool as `connectionTimeoutMillis`, which bounds both the wait for a
    // pooled connection when all are taken and the opening of a new one. Without it a request
    // queued behind a stuck transaction (in embedded mode, the one connection) waits forever; with
    // it, it fails with `isPoolWaitTimeout`, answered as 503 "busy".
    connectTimeoutMS: target.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
    extra: {
      max: target.poolSize,
      application_name: 'chancery',
      // A `date` column is a calendar date, read as the text PostgreSQL sends (`2026-12-05`).
      // node-postgres's default makes it a Date at local midnight, which in a process east of UTC is
      // the previous day in UTC: report-by and due dates shown a day early, deliveries overdue on
      // their last day, wrong dates stored in events.
      types: { getTypeParser: calendarDatesAsText },
      // JIT compiles a plan for ~10 ms once its estimated cost passes 100,000: a loss for queries that
      // run in milliseconds, which all of ours do (the dashboard's doubled in time with it on).
      // A transaction left idle (a stuck client) is ended after a minute: an open transaction holds
      // back the event feed's watermark for every projection runner on the cluster.
      // PGlite has neither concern.
      ...(target.embedded ? {} : { options: '-c jit=off -c idle_in_transaction_session_timeout=60000' }),
    },
    entities,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // Pending migrations apply together or not at all: an upgrade that fails half-way (a privilege
    // missing for one of them) leaves the schema as the release before had it, which that release runs on.
    migrationsTransactionMode: 'all',
    synchronize: false,
    // Query errors are mapped or reported where they are handled; logging them here too is noise.
    logging: ['warn', 'migration'],
    // An idle pooled connection that fails (the server restarted, a session ended) is said through
    // Nest's logger, a JSON line like every other, not TypeORM's plain-text console line.
    poolErrorHandler: (error: unknown) => POOL_LOGGER.warn(`A pooled database connection failed and was dropped: ${(error as Error).message}`),
  };
}

const MIGRATION_LOCK = 0x63686d67; // "chmg": one migrator at a time across processes

/** What a process does with the schema it finds: bring it up to this release (`apply`), or only check that it is (`check`). */
export type MigrationMode = 'apply' | 'check';

/** This release's migrations, by the name `schema_migrations` records them under. */
const KNOWN_MIGRATIONS = ALL_MIGRATIONS.map((migration) => new migration().name ?? migration.name);

/** The migrations the database has applied, in order ([] for one with no schema yet). */
async function appliedMigrations(dataSource: DataSource): Promise<string[]> {
  const [{ found }] = await dataSource.query<{ found: string | null }[]>("SELECT to_regclass('schema_migrations')::text AS found");
  if (found === null) return [];
  return (await dataSource.query<{ name: string }[]>('SELECT name FROM schema_migrations ORDER BY id')).map((row) => row.name);
}

/**
 * Brings the schema up to this release (`apply`: every pending migration in one transaction) or
 * checks that it is (`check`, for a process that reads the database as it is). Either way, a schema
 * a newer release has migrated is refused before anything is done: this release would write what
 * that schema's rules never see.
 */
async function settleSchema(dataSource: DataSource, mode: MigrationMode): Promise<string[]> {
  const applied = await appliedMigrations(dataSource);
  const unknown = applied.filter((name) => !KNOWN_MIGRATIONS.includes(name));
  if (unknown.length > 0) throw new SchemaOfNewerRelease(unknown);
  const pending = KNOWN_MIGRATIONS.filter((name) => !applied.includes(name));
  if (pending.length === 0) return [];
  if (mode === 'check') throw new SchemaBehindRelease(pending);
  return (await dataSource.runMigrations()).map((m) => m.name); // in one transaction (migrationsTransactionMode)
}

/** Applies pending migrations (or checks there are none); concurrent starters wait for each other instead of racing. */
export async function runMigrations(dataSource: DataSource, target: DatabaseTarget, mode: MigrationMode = 'apply'): Promise<string[]> {
  if (target.embedded || mode === 'check') return settleSchema(dataSource, mode);
  // The lock lives on its own connection so that it works whatever the pool size.
  const lock = new pg.Client({ connectionString: target.url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await settleSchema(dataSource, mode);
  } finally {
    await lock.end();
  }
}

/**
 * Applies pending migrations over a short-lived connection of its own. Nothing else waits for that
 * connection, so DB_ACQUIRE_TIMEOUT_MS (a bound on waiting behind others, set short to answer "busy"
 * quickly) does not bound its opening: a slow first connection on a loaded machine must not stop a
 * start that a moment more would have let through.
 */
export async function migrate(target: DatabaseTarget, mode: MigrationMode = 'apply'): Promise<string[]> {
  const acquireTimeoutMs = Math.max(target.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_ACQUIRE_TIMEOUT_MS);
  const dataSource = await new DataSource(dataSourceOptions({ ...target, poolSize: 1, acquireTimeoutMs })).initialize();
  try {
    return await runMigrations(dataSource, target, mode);
  } finally {
    await dataSource.destroy();
  }
}

/** For scripts and tests: an initialized, migrated DataSource outside Nest. */
export async function connect(target: DatabaseTarget, entities: DataSourceOptions['entities'] = []): Promise<DataSource> {
  await migrate(target);
  return new DataSource(dataSourceOptions(target, entities)).initialize();
}
