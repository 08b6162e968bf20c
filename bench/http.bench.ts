import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { benchAuditEnv, benchDatabaseUrl, cpuTimes, peakRssMb, pool, round, writeResult } from './support.js';

/**
 * The API as users run it (`dist/apps/api/src/main.js`, its own process) under load from autocannon
 * in this process: a command route (POST …/delivery, each request a new delivery) and a query route
 * (GET /demarches/:id, an ALDAC-sized campaign), against a bare NestJS route answering a constant,
 * and against PostgreSQL's own rate: pgbench's TPC-B (-c 8 -M prepared) on a scratch database of the
 * same server, run just before and just after the command route (their mean). The audit sealer runs
 * in the API process, as by default: its sustained rate and commit-to-seal lag under the command load
 * are read back from the tree heads it signed.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 9000);
/** The command route runs this long, unmeasured, before it is measured. */
const WARM_UP_SECONDS = 2;
/** Post officers, each delivering for their post: the campaigns task these posts. */
const OFFICERS = 30;
/** BENCH_STATEMENTS=1: PostgreSQL's statements during the command run, from pg_stat_statements (which the server must preload). */
const STATEMENTS = process.env.BENCH_STATEMENTS === '1';
/** Every bench user's password: not built on their names, which the password rule refuses. */
const USER_PASSWORD = 'quartz-harbour-lantern-1947';
const ENV: Record<string, string> = { JWT_SECRET: 'bench-only-signing-key-that-is-long-enough', ADMIN_PASSWORD: 'bench-admin-password', OVERDUE_SCAN_MS: '0' };

/** pgbench's TPC-B on a scratch database of its own (never `test` or `postgres`): transactions/s. */
async function pgbench(url: string, seconds: number): Promise<number> {
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('pgbench', [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`pgbench ${args.join(' ')} exited ${code}: ${output.slice(-500)}`))));
    });
  const output = await run(['-c', '8', '-j', '2', '-M', 'prepared', '-T', String(seconds), '-n']);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
  if (!tps) throw new Error(`pgbench said no tps: ${output.slice(-500)}`);
  return Number(tps);
}

async function pgbenchDatabase(): Promise<string> {
  const url = await benchDatabaseUrl('chancery_bench_pgbench');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('pgbench', ['-i', '-q', url], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pgbench -i exited ${code}`))));
  });
  return url;
}

/**
 * The statements PostgreSQL ran for the API's database during the command run, per command: how many
 * times each ran and its execution time (pg_stat_statements: its planning is counted apart, and not
 * at all once a prepared statement has its plan).
 */
async function statements(url: string, commands: number | null): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    if (commands === null) {
      await client.query('SELECT pg_stat_statements_reset()');
      return;
    }
    const { rows } = await client.query<{ calls: string; ms: number; query: string }>(
      `SELECT calls, total_exec_time AS ms, query FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 25`,
    );
    const calls = rows.reduce((sum, row) => sum + Number(row.calls), 0);
    console.log(`\nStatements during the command run (${commands} commands; the top 25 ran ${round(calls / commands, 2)} a command)\n`);
    console.log('| calls a command | exec ms a command | statement |\n|---:|---:|---|');
    for (const row of rows) {
      console.log(`| ${round(Number(row.calls) / commands, 2)} | ${round(row.ms / commands, 3)} | ${row.query.replace(/\s+/g, ' ').slice(0, 160).replace(/\|/g, '\\|')} |`);
    }
  } finally {
    await client.end();
  }
}

interface SealingRow {
  entries: number;
  p50_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

/** How the sealer kept up while the command route ran: entries sealed per second and commit-to-seal lag. */
async function sealing(url: string, from: Date, to: Date): Promise<{ entriesPerSecond: number; lagP50Ms: number; lagP99Ms: number; lagMaxMs: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const { rows } = await client.query<{ pending: number }>('SELECT count(*)::int AS pending FROM audit_log WHERE seq IS NULL');
      if (rows[0].pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { rows } = await client.query<SealingRow>(
      `SELECT count(*)::int AS entries,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50_ms,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99_ms, max(lag) AS max_ms
       FROM (SELECT (extract(epoch FROM (SELECT h.timestamp::timestamptz FROM audit_tree_heads h WHERE h.tree_size >= a.seq
                                         ORDER BY h.tree_size LIMIT 1) - a.recorded_at) * 1000)::float8 AS lag
             FROM audit_log a WHERE a.recorded_at BETWEEN $1 AND $2 AND a.seq IS NOT NULL) entries`,
      [from, to],
    );
    const [{ sealed }] = (
      await client.query<{ sealed: string }>(
        `SELECT coalesce((SELECT max(tree_size) FROM audit_tree_heads WHERE timestamp::timestamptz <= $2), 0)
              - coalesce((SELECT max(tree_size) FROM audit_tree_heads WHERE timestamp::timestamptz <= $1), 0) AS sealed`,
        [from, to],
      )
    ).rows;
    const seconds = (to.getTime() - from.getTime()) / 1000;
    return { entriesPerSecond: round(Number(sealed) / seconds), lagP50Ms: round(rows[0].p50_ms ?? 0), lagP99Ms: round(rows[0].p99_ms ?? 0), lagMaxMs: round(rows[0].max_ms ?? 0) };
  } finally {
    await client.end();
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const children = new Set<ChildProcess>();

async function start(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; base: string; peakRssMb: () => Promise<number> }> {
  const port = await freePort();
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the servers (NODE_OPTIONS may not).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      await fetch(`${base}/`);
      break;
    } catch {
      if (i > 300) throw new Error(`${script} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Peak RSS of the server process, from /proc (VmHWM), read before it is stopped.
  const peakRssMb = async () => {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    return round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  };
  return { child, base, peakRssMb };
}

const stop = (child: ChildProcess) => new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.kill('SIGTERM');
});

/** A load run: requests/s and latency; `expect` is the status every answer must have (2xx by default). */
async function load(options: autocannon.Options, expect?: number) {
  // The first answer that was not as expected, to say what went wrong.
  let refused: string | undefined;
  let unexpected = 0;
  const noteAnswer = (status: number, body: string) => {
    if (expect === undefined ? status < 300 : status === expect) return;
    unexpected++;
    refused ??= `${status} ${body.slice(0, 300)}`;
  };
  const requests = (options.requests ?? [{}]).map((request) => ({ ...request, onResponse: noteAnswer }));
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options, requests });
  if (unexpected > 0 || result.errors > 0) throw new Error(`${options.url}: ${unexpected} answers were not ${expect ?? '2xx'} (first: ${refused}), ${result.errors} errors`);
  return { requestsPerSecond: round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99, requests: result.requests.total };
}

/** A load run on the API, with the API process's CPU time per request (user + system). */
async function measured(pid: number, options: autocannon.Options, expect?: number) {
  const before = await cpuTimes(pid);
  const result = await load(options, expect);
  const after = await cpuTimes(pid);
  return { ...result, apiCpuMsPerRequest: round((after.processMs - before.processMs) / result.requests, 2) };
}

async function main() {
  Object.assign(ENV, await benchAuditEnv());
  const url = await benchDatabaseUrl('chancery_bench_http');
  const pgbenchUrl = await pgbenchDatabase();

  const api = await start(new URL('../apps/api/src/main.js', import.meta.url).pathname, { ...ENV, DATABASE_URL: url });
  const call = async (method: string, path: string, body?: object, token?: string) => {
    const response = await fetch(`${api.base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const post = (path: string, body: object, token?: string) => call('POST', path, body, token);
  const user = async (admin: string, username: string, profile: object) => {
    await post('/users', { username, password: USER_PASSWORD, displayName: username, clearance: 'SECRET', ...profile }, admin);
    return (await post('/auth/login', { username, password: USER_PASSWORD })).accessToken as string;
  };
  const admin = (await post('/auth/login', { username: 'admin', password: 'bench-admin-password' })).accessToken as string;
  const posts = ((await call('GET', '/posts?status=OPEN&limit=500', undefined, admin)).items as { code: string }[]).map((p) => p.code);
  const drafter = await user(admin, 'bench.drafter', { roles: ['drafter'], office: 'EAP/CM' });
  const approver = await user(admin, 'bench.approver', { roles: ['approver'], office: 'EAP' });
  const leader = await user(admin, 'bench.lead', { roles: ['leadership'], office: 'S' });
  // Campaigns to deliver to, opened as users open them: instructions released to posts (named one
  // by one: a collective would need the bureaus' clearances), each campaign opened by the campaign
  // opener. Each request of the command route is a new delivery: a post officer's first record for
  // one of OFFICERS posts in one of the campaigns.
  const tasked = posts.slice(0, OFFICERS);
  const officers = await pool(tasked, 4, (code) => user(admin, `bench.${code.toLowerCase().replace(/[^a-z]/g, '')}`, { roles: ['post_officer'], postCode: code }));
  const release = async (subject: string, addressees: string[]) => {
    const cable = await post('/cables', {
      kind: 'INSTRUCTION', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: addressees, paragraphs: [{ marking: 'U', text: 'Deliver the points.' }], demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    }, drafter);
    await post(`/cables/${cable.id}/submit`, {}, drafter);
    await post(`/cables/${cable.id}/approve`, {}, approver);
    await post(`/cables/${cable.id}/release`, {}, approver);
    return cable.id as string;
  };
  const aldac = await release('Benchmark demarche to every post', posts);
  const campaignsNeeded = Math.ceil(DELIVERIES / OFFICERS);
  const small: string[] = [];
  for (let done = 0; done < campaignsNeeded; done += 25) {
    small.push(...(await pool(Array.from({ length: Math.min(25, campaignsNeeded - done) }, (_, i) => done + i), 4, (i) => release(`Benchmark demarche ${i}`, tasked))));
    process.stdout.write(`\rseeding: ${small.length}/${campaignsNeeded} instructions released`);
  }
  process.stdout.write('\n');
  // The opener runs after each release commits: wait until the last campaign is open.
  for (let i = 0; ; i++) {
    const response = await fetch(`${api.base}/demarches/${small[small.length - 1]}`, { headers: { authorization: `Bearer ${leader}` } });
    if (response.ok) break;
    if (i > 600) throw new Error(`the campaigns did not open: ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const delivery = JSON.stringify({ deliveredOn: new Date().toISOString().slice(0, 10), counterpart: { name: 'Wang', title: 'Director-General', organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON' });
  let nextDelivery = 0;
  const deliveries: autocannon.Options = {
    url: api.base,
    requests: [{
      method: 'POST',
      setupRequest: (request) => {
        // Consecutive requests go to different campaigns (as many campaigns are under way at once):
        // deliveries in one campaign take turns on its campaign's row while its tallies move.
        const n = nextDelivery++;
        const [campaign, officer] = [small[n % small.length], Math.floor(n / small.length)];
        return { ...request, path: `/demarches/${campaign}/deliveries/${tasked[officer]}/delivery`, headers: { ...request.headers, 'content-type': 'application/json', authorization: `Bearer ${officers[officer]}` }, body: delivery };
      },
    }],
  };
  // Warmed up first, unmeasured: V8 compiles the route's code while it runs, on both cores.
  await load({ ...deliveries, duration: WARM_UP_SECONDS });
  const pgbenchCpuFrom = await cpuTimes(process.pid);
  const tpsBefore = await pgbench(pgbenchUrl, SECONDS);
  // PostgreSQL's CPU per TPC-B transaction, to set beside its CPU per command.
  const pgbenchPostgresMs = round(((await cpuTimes(process.pid)).postgresMs - pgbenchCpuFrom.postgresMs) / (tpsBefore * SECONDS), 2);
  if (STATEMENTS) await statements(url, null);
  const commandFrom = new Date();
  const cpuBefore = await cpuTimes(api.child.pid!);
  const command = await load(deliveries);
  const commandTo = new Date();
  const cpuAfter = await cpuTimes(api.child.pid!);
  // CPU per command, each side: the API process (with its projections and sealer) and PostgreSQL.
  const commands = command.requests;
  const cpu = { apiMsPerCommand: round((cpuAfter.processMs - cpuBefore.processMs) / commands, 2), postgresMsPerCommand: round((cpuAfter.postgresMs - cpuBefore.postgresMs) / commands, 2), postgresMsPerPgbenchTransaction: pgbenchPostgresMs };
  if (STATEMENTS) await statements(url, commands);
  if (nextDelivery > DELIVERIES) throw new Error('ran out of deliveries: raise BENCH_DELIVERIES');
  const tpsAfter = await pgbench(pgbenchUrl, SECONDS);
  const tps = round((tpsBefore + tpsAfter) / 2);
  console.log(`command route: ${command.requestsPerSecond} requests/s, p99 ${command.p99Ms} ms; CPU per command: API ${cpu.apiMsPerCommand} ms, PostgreSQL ${cpu.postgresMsPerCommand} ms; pgbench ${tps} tps`);
  const sealer = await sealing(url, commandFrom, commandTo);
  const query = await load({ url: `${api.base}/demarches/${aldac}`, headers: { authorization: `Bearer ${leader}` } });
  // What a command costs before it runs: the same officer's token checked and one row read
  // (GET /auth/me), and the delivery route up to its body's validation (the token, the permission,
  // the campaign's cable read for need-to-know, then a body refused with 400).
  const pipeline = [
    { route: 'GET /auth/me (token check, one read)', ...(await measured(api.child.pid!, { url: `${api.base}/auth/me`, headers: { authorization: `Bearer ${officers[0]}` } })) },
    {
      route: 'POST …/delivery refused by validation (400)',
      ...(await measured(api.child.pid!, {
        url: `${api.base}/demarches/${small[0]}/deliveries/${tasked[0]}/delivery`, method: 'POST',
        headers: { authorization: `Bearer ${officers[0]}`, 'content-type': 'application/json' }, body: JSON.stringify({ deliveredOn: 'not a date' }),
      }, 400)),
    },
  ];
  const apiRss = await api.peakRssMb();
  await stop(api.child);

  const bareServer = await start(new URL('./servers/bare.js', import.meta.url).pathname, {});
  const bare = await load({ url: `${bareServer.base}/bare` });
  const bareRss = await bareServer.peakRssMb();
  await stop(bareServer.child);

  const rows = [
    { route: 'POST /demarches/:id/deliveries/:post/delivery (command)', ...command, ratioToBare: round(command.requestsPerSecond / bare.requestsPerSecond, 3), ratioToPgbench: round(command.requestsPerSecond / tps, 3), serverPeakRssMb: apiRss },
    { route: `GET /demarches/:id (query, ${posts.length} posts)`, ...query, ratioToBare: round(query.requestsPerSecond / bare.requestsPerSecond, 3), serverPeakRssMb: apiRss },
    { route: 'GET /bare (NestJS, a constant)', ...bare, ratioToBare: 1, serverPeakRssMb: bareRss },
  ];
  const database = { pgbenchTps: tps, pgbenchTpsBefore: round(tpsBefore), pgbenchTpsAfter: round(tpsAfter), commandRatio: round(command.requestsPerSecond / tps, 3) };
  const file = await writeResult('http', { benchmark: 'http', connections: CONNECTIONS, secondsPerRun: SECONDS, rows, pipeline, database, cpu, sealer, benchPeakRssMb: peakRssMb(), at: new Date().toISOString() });
  console.log(`\nHTTP under load (${CONNECTIONS} connections, ${SECONDS} s each; servers in their own processes)\n`);
  console.log('| route | requests/s | p50 ms | p99 ms | vs bare | server peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.route} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${(r.ratioToBare * 100).toFixed(0)}% | ${r.serverPeakRssMb} |`);
  console.log(`\npgbench TPC-B (-c 8 -M prepared, ${SECONDS} s, same server): ${tps} tps (before ${round(tpsBefore)}, after ${round(tpsAfter)})`);
  console.log(`command route / pgbench: ${database.commandRatio} (target ≥ 0.4)`);
  console.log('\n| what the API does | requests/s | API CPU ms a request |\n|---|---:|---:|');
  console.log(`| the command (a new delivery) | ${command.requestsPerSecond} | ${cpu.apiMsPerCommand} |`);
  for (const p of pipeline) console.log(`| ${p.route} | ${p.requestsPerSecond} | ${p.apiCpuMsPerRequest} |`);
  console.log(`CPU per command: API process ${cpu.apiMsPerCommand} ms, PostgreSQL ${cpu.postgresMsPerCommand} ms (user + system, /proc); PostgreSQL per pgbench transaction ${cpu.postgresMsPerPgbenchTransaction} ms`);
  console.log(`audit sealer under the command load: ${sealer.entriesPerSecond} entries/s sealed; commit-to-seal lag p50 ${sealer.lagP50Ms} ms, p99 ${sealer.lagP99Ms} ms, max ${sealer.lagMaxMs} ms`);
  console.log(`\nWritten to ${file}`);
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
