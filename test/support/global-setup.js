// Plain JavaScript: Jest runs global setup outside its module mapper, so this avoids the TS aliases.
import pg from 'pg';

/** Whether the process that made a per-file database (its name carries the pid) still runs. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Drops the per-file databases that earlier, interrupted runs left behind: only those whose test
 * process is gone, so that test runs side by side on one server do not drop each other's.
 */
export default async function globalSetup() {
  if (process.env.CHANCERY_TEST_SETUP_DONE) return;
  process.env.CHANCERY_TEST_SETUP_DONE = '1';
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // chancery_test_f_* were named by an earlier version that dropped them all, whoever ran them.
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'chancery\\_test\\_p\\_%' OR datname LIKE 'chancery\\_test\\_f\\_%'");
    for (const { datname } of rows) {
      const pid = Number(/^chancery_test_[fp]_(\d+)_/.exec(datname)?.[1]);
      if (Number.isInteger(pid) && alive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
