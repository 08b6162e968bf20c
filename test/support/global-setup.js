// Plain JavaScript: Jest runs global setup outside its module mapper, so this avoids the TS aliases.
import pg from 'pg';

/** Drops the per-file databases that earlier, interrupted runs left behind. */
export default async function globalSetup() {
  if (process.env.CHANCERY_TEST_SETUP_DONE) return;
  process.env.CHANCERY_TEST_SETUP_DONE = '1';
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'chancery\\_test\\_f\\_%'");
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
