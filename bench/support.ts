import { mkdir, writeFile } from 'node:fs/promises';
import pg from 'pg';

/**
 * The server benchmarks run on: DATABASE_URL's, in a database of their own, made anew unless
 * `reuse` is set and it exists (then `fresh` is false and the caller may skip its seeding).
 */
export async function benchDatabase(name = 'chancery_bench', reuse = false): Promise<{ url: string; fresh: boolean }> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  let fresh = true;
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (reuse && exists) fresh = false;
    else {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), fresh };
}

export async function benchDatabaseUrl(name = 'chancery_bench'): Promise<string> {
  return (await benchDatabase(name)).url;
}

export interface RunResult {
  operations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `writers` loops of `operation` for `seconds`, and measures throughput and latency. */
export async function runFor(seconds: number, writers: number, operation: (writer: number, n: number) => Promise<void>): Promise<RunResult> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t0 = performance.now();
        await operation(writer, n);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { operations: latencies.length, seconds: elapsed, perSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}

export async function writeResult(name: string, result: unknown): Promise<string> {
  const folder = new URL('../../bench/results/', import.meta.url);
  await mkdir(folder, { recursive: true });
  const file = new URL(`${name}.json`, folder);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file.pathname;
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** The process's peak resident set size so far, in MB. */
export const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024);

/** Runs `work` on every item, `size` at a time. */
/** Runs `work` over `items`, `size` at a time; answers the results in the items' order. */
export async function pool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at]);
    }
  }));
  return results;
}

/** The audit log's signing settings for a benchmark's server (a key of its own, outside the database). */
export async function benchAuditEnv(): Promise<{ AUDIT_SIGNING_KEY_FILE: string; AUDIT_HEADS_FILE: string }> {
  const { generateKeyPairSync } = await import('node:crypto');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const folder = await mkdtemp(join(tmpdir(), 'chancery-bench-audit-'));
  const key = join(folder, 'audit-signing-key.pem');
  await writeFile(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { AUDIT_SIGNING_KEY_FILE: key, AUDIT_HEADS_FILE: join(folder, 'audit-heads.jsonl') };
}

/**
 * CPU time (user + system, ms) used so far by the process `pid` and by every PostgreSQL process of
 * this host, read from /proc: the difference over a run, divided by its requests, is each side's
 * CPU per request. Linux only; elsewhere both read 0.
 */
export async function cpuTimes(pid: number): Promise<{ processMs: number; postgresMs: number }> {
  const { readdir, readFile } = await import('node:fs/promises');
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const used = (stat: string, children = false) => {
    // Fields after the command name (in parentheses, which may hold spaces): utime, stime, and
    // those of exited children (the postmaster's, for backends that have disconnected).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0)) * tick;
  };
  let processMs = 0;
  let postgresMs = 0;
  try {
    processMs = used(await readFile(`/proc/${pid}/stat`, 'utf8'));
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      if (stat.includes('(postgres)')) postgresMs += used(stat, true);
    }
  } catch {
    return { processMs: 0, postgresMs: 0 };
  }
  return { processMs, postgresMs };
}
