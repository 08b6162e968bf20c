import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { assertTestDatabase, connect, type DatabaseTarget, EmbeddedPostgres, migrate } from '@chancery/database';
import { ALL_MIGRATIONS } from '@chancery/migrations';

/** The server tests run against; its database name must say it is for tests. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Named after the migrations it holds, so a changed migration list gets a template of its own. */
export const TEMPLATE_DATABASE = `chancery_test_tpl_${createHash('sha256')
  .update(ALL_MIGRATIONS.map((m) => `${m.name}:${m.prototype.up.toString()}`).join('\n'))
  .digest('hex')
  .slice(0, 16)}`;
const TEMPLATE_LOCK = 0x74706c; // "tpl": one worker migrates the template, the others wait

function urlFor(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  assertTestDatabase(TEST_DATABASE_URL);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A migrated template that every test file clones; the first worker to need it creates it. */
async function ensureTemplate(): Promise<void> {
  await admin(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_DATABASE]);
      if (rowCount) return;
      const building = `${TEMPLATE_DATABASE}_building`;
      await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${building}`);
      await migrate({ url: urlFor(building), embedded: false, poolSize: 1 });
      await client.query(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE_DATABASE}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}

export interface TestDatabase {
  target: DatabaseTarget;
  /** A second DataSource's worth of connections, e.g. for a concurrent writer. */
  dataSource(poolSize?: number): Promise<DataSource>;
  drop(): Promise<void>;
}

/** A database of its own for one test file, cloned from the migrated template. */
export async function createTestDatabase(poolSize = 10): Promise<TestDatabase> {
  await ensureTemplate();
  // "_p_" and the pid: a global setup drops only the databases of test processes that are gone.
  const name = `chancery_test_p_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`));
  const target: DatabaseTarget = { url: urlFor(name), embedded: false, poolSize };
  const opened: DataSource[] = [];
  return {
    target,
    async dataSource(size = poolSize) {
      const ds = await connect({ ...target, poolSize: size });
      opened.push(ds);
      return ds;
    },
    async drop() {
      for (const ds of opened) if (ds.isInitialized) await ds.destroy();
      await admin(async (client) => {
        // Closed pools' backends take a moment to exit; let them, rather than kill them mid-goodbye.
        for (let i = 0; i < 40; i++) {
          const { rowCount } = await client.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1', [name]);
          if (!rowCount) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** The same, on an in-memory PGlite: one connection, as in embedded mode. */
export async function createEmbeddedTestDatabase(): Promise<TestDatabase> {
  const embedded = await EmbeddedPostgres.start();
  const target: DatabaseTarget = { url: embedded.url, embedded: true, poolSize: 1 };
  const opened: DataSource[] = [];
  return {
    target,
    async dataSource() {
      const ds = await connect(target);
      opened.push(ds);
      return ds;
    },
    async drop() {
      for (const ds of opened) if (ds.isInitialized) await ds.destroy();
      await embedded.stop();
    },
  };
}

/** An empty database (no migrations run) for a test of migrations themselves: its url, its target, and its drop. */
export async function createEmptyTestDatabase(label: string, poolSize = 2): Promise<{ url: string; target: DatabaseTarget; drop(): Promise<void> }> {
  const name = `chancery_test_f_${process.pid}_${label}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = urlFor(name);
  return {
    url,
    target: { url, embedded: false, poolSize },
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
