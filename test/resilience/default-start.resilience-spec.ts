import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_MAIN, CLI_MAIN, freePort, runToEnd, type Running, waitFor, WORKER_MAIN } from './processes.js';
import { missingFromOpenApi, type OpenApiDocument } from '../support/openapi.js';

/**
 * The start every new user meets: `npm start` with no DATABASE_URL (embedded PGlite, pool of one),
 * every setting at its default (the overdue scheduler on, the projections inline, the demo), only
 * the scan interval and the embedded database's maintenance interval shortened so that minutes of
 * traffic span many scans and rounds. It is kept busy with
 * mixed traffic for SOAK_SECONDS (three minutes by default), then stopped with SIGTERM, started
 * again, killed with SIGKILL under traffic, and started once more on the same data.
 */
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const DEMO_PASSWORD = 'chancery-demo-2026';
const REQUEST_TIMEOUT_MS = 15_000;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Only what a newcomer's shell would have: no DATABASE_URL, no secrets, no test switches. */
const NEWCOMER_HOST = '127.0.0.2';

function newcomerEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  // A newcomer east of UTC (their machine's zone): calendar dates must not move a day. Bound to one
  // address of the machine that is not `localhost`'s (HOST): the demo, told through the API, calls it there.
  return { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'Asia/Tokyo', PORT: String(port), HOST: NEWCOMER_HOST, CHANCERY_DATA_DIR: dataDir, OVERDUE_SCAN_MS: '2000', EMBEDDED_MAINTENANCE_MS: '30000' };
}

/** Starts the real entry point; `daysLater` runs its clock that many days ahead (test/resilience/days-later.mjs). */
/** A start of the real entry point, as `start` answers it. */
type Started = Running & { start: () => string; maintenance: string[]; healthSeen: number[] };

async function start(dataDir: string, daysLater = 0): Promise<Started> {
  const port = await freePort();
  const args = daysLater ? ['--import', new URL('./days-later.mjs', import.meta.url).pathname, API_MAIN] : [API_MAIN];
  const env = { ...newcomerEnv(dataDir, port), ...(daysLater ? { DAYS_LATER: String(daysLater) } : {}) };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The beginning (the logins and the admin's password) and the latest part; requests are logged in between.
  let first = '';
  let output = '';
  /** The embedded database's maintenance rounds as the log says them (the rest of the log scrolls past). */
  const maintenance: string[] = [];
  const keep = (chunk: Buffer) => {
    if (first.length < 50_000) first += chunk;
    output = (output + chunk).slice(-200_000);
    maintenance.push(...(String(chunk).match(/Embedded database maintenance[^"]*/g) ?? []));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const running = { child, base: `http://${NEWCOMER_HOST}:${port}`, output: () => output, start: () => first, maintenance, healthSeen: [] as number[] };
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}) while starting:\n${output}`);
      const status = (await fetch(`${running.base}/health`).catch(() => null))?.status ?? 0;
      running.healthSeen.push(status);
      return status === 200;
    },
    600_000, // the first start loads the demo through the API: a minute here, more on a busy machine
    () => `the API did not become ready:\n${output.slice(-3000)}`,
  );
  return running;
}

const alive = (running: Running) => () => running.child.exitCode === null && running.child.signalCode === null;

/** Sends `signal` and answers how the process ended and how long it took. */
function stop(running: Running, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    running.child.once('exit', (code, endedBy) => resolve({ code, signal: endedBy, ms: Date.now() - started }));
    running.child.kill(signal);
  });
}

interface Outcome {
  method: string;
  route: string;
  status: number;
  ms: number;
}

/** A client that records every answer: its status (0 when none came within the timeout) and time. */
function recorder(base: string, outcomes: Outcome[]) {
  return async (token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const started = Date.now();
    const route = path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\?.*/, '');
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      outcomes.push({ method, route, status: response.status, ms: Date.now() - started });
      let json: any = text;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        // text/plain (the telegram) or HTML (the web app)
      }
      return { status: response.status, body: json };
    } catch {
      outcomes.push({ method, route, status: 0, ms: Date.now() - started });
      return { status: 0, body: null };
    }
  };
}

/**
 * Desk officers drafting, clearing and releasing cables with demarches, a post delivering and
 * answering, leadership and auditors reading, follow-ups opened and commented, the web app loaded:
 * `workers` loops while `going()`, answers how many cables it released.
 */
async function traffic(base: string, outcomes: Outcome[], going: () => boolean, workers = 3): Promise<number> {
  const call = recorder(base, outcomes);
  const token = async (username: string) => (await call(undefined, 'POST', '/auth/login', { username, password: DEMO_PASSWORD })).body?.accessToken as string;
  const [desk, legal, approver, lead, auditor, beijing] = await Promise.all(['jdoe', 'lclear', 'dsec', 'lead', 'auditor', 'pol.beijing'].map(token));
  let released = 0;
  let serial = 0;

  const story = async () => {
    const n = ++serial;
    const draft = await call(desk, 'POST', '/cables', {
      kind: 'INSTRUCTION', subject: `Soak ${n}: raise the AI distillation concerns`, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE',
      tags: ['PREL', 'TSPL'], actionAddressees: ['BEIJING'], infoAddressees: [], references: [],
      paragraphs: [{ marking: 'U', text: `Soak test instruction ${n}.` }], demarche: { reportBy: day(7), targets: 'MFA', points: [1] },
    });
    if (draft.status !== 201) return;
    const id = draft.body.id as string;
    await call(desk, 'POST', `/cables/${id}/clearance-requests`, { offices: ['L'] });
    await call(legal, 'POST', `/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' });
    await call(desk, 'PATCH', `/cables/${id}`, { subject: `Soak ${n}: raise the AI model distillation concerns` });
    await call(legal, 'POST', `/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' });
    await call(desk, 'POST', `/cables/${id}/submit`);
    await call(approver, 'POST', `/cables/${id}/approve`);
    if ((await call(approver, 'POST', `/cables/${id}/release`)).status === 200) released++;
    await call(desk, 'GET', `/cables/${id}/telegram`);
    await call(desk, 'GET', `/cables/${id}/history`);
    // The campaign opens from the release in the background; the post then reports.
    for (let i = 0; i < 20 && (await call(beijing, 'GET', `/demarches/${id}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 250));
    await call(beijing, 'POST', `/demarches/${id}/deliveries/BEIJING/delivery`, {
      deliveredOn: day(0), level: 'DIRECTOR', method: 'IN_PERSON', counterpart: { name: 'Li Wei', title: 'Director', organization: 'MFA' },
    });
    await call(beijing, 'POST', `/demarches/${id}/deliveries/BEIJING/response`, { receivedOn: day(0), position: 'REJECTED', summary: 'Baseless, they said.', quotes: [] });
    const followUp = await call(desk, 'POST', '/follow-ups', { title: `Soak ${n}: second approach`, owner: { post: 'BEIJING' }, dueOn: day(14), demarcheId: id, post: 'BEIJING' });
    if (followUp.status === 201) await call(beijing, 'POST', `/follow-ups/${followUp.body.id}/comments`, { text: 'Asked for a meeting.' });
  };
  const reads = async () => {
    await call(undefined, 'GET', '/');
    await call(undefined, 'GET', '/health');
    await call(desk, 'GET', '/inbox');
    await call(desk, 'GET', '/cables?limit=20');
    await call(beijing, 'GET', '/inbox');
    await call(lead, 'GET', '/dashboard');
    await call(lead, 'GET', '/demarches');
    await call(lead, 'GET', '/follow-ups?overdue=true');
    await call(auditor, 'GET', '/audit?limit=20');
    await call(undefined, 'POST', '/auth/login', { username: 'jdoe', password: DEMO_PASSWORD });
  };

  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (going()) await (worker === 0 ? story() : reads());
    }),
  );
  return released;
}

describe('the default start (embedded, scheduler on) under minutes of traffic', () => {
  let dataDir: string;
  let running: (Started) | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chancery-default-start-'));
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) await stop(running, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`serves for ${SOAK_SECONDS} s, stops on SIGTERM, and comes back after SIGKILL with its data`, async () => {
    running = await start(dataDir);
    // Not ready while the demo loaded; the logins are printed once they work.
    expect(running.healthSeen).toContain(503);
    await waitFor(async () => running!.output().includes('Demo loaded'), 10_000, () => running!.output());
    expect(running.output()).toMatch(/jdoe\s+/);
    // Told where it listens, as bound.
    expect(running.output()).toContain(`Sign in at ${running.base} with the password`);
    // A request refused before any route (a body that is no JSON) gets its log line too.
    const notJson = await fetch(`${running.base}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-not-json' }, body: '{bad' });
    expect(notJson.status).toBe(400);
    await waitFor(async () => /"requestId":"req-not-json"/.test(running!.output()), 10_000, () => running!.output().slice(-3000));

    const outcomes: Outcome[] = [];
    const until = Date.now() + SOAK_SECONDS * 1000;
    const released = await traffic(running.base, outcomes, () => Date.now() < until);
    const failures = outcomes.filter((o) => o.status === 0 || o.status >= 500);
    expect(failures).toEqual([]);
    expect(released).toBeGreaterThanOrEqual(3);
    // The embedded database was maintained under the traffic (its interval cut to 30 s, as the
    // scan's is), every round whole: vacuumed and checkpointed, never stopped short.
    expect(running.maintenance.filter((line) => /stopped short/.test(line))).toEqual([]);
    expect(running.maintenance.join('\n')).toMatch(/vacuumed .*checkpoint after/);
    expect(outcomes.length).toBeGreaterThan(SOAK_SECONDS * 2);

    const call = recorder(running.base, []);

    // And it says so to an admin (the password the first start printed): scanning, nothing failing.
    const adminPassword = /created user "admin" with password (\S+)/.exec(running.start())![1];
    const admin = (await call(undefined, 'POST', '/auth/login', { username: 'admin', password: adminPassword })).body.accessToken;
    const { overdueScan } = (await call(admin, 'GET', '/admin/projections')).body;
    expect(overdueScan).toMatchObject({ enabled: true, intervalMs: 2000, failing: [] });
    expect(Date.now() - Date.parse(overdueScan.lastScanAt)).toBeLessThan(30_000);

    // The document it serves describes every body and query (the build's compiler plugin).
    expect(missingFromOpenApi((await call(undefined, 'GET', '/docs-json')).body as OpenApiDocument)).toEqual([]);
    // One schema a name: two DTOs of one name would describe one route with the other's fields.
    expect(running.output()).not.toMatch(/Duplicate DTO detected/);

    // A second start on the same folder is refused (run without blocking this process: see runToEnd) in one line naming the process that holds it.
    expect(await runToEnd([API_MAIN], newcomerEnv(dataDir, await freePort()))).toEqual({
      status: 1,
      said: `Chancery cannot start: The embedded database in ${dataDir}/pglite is in use by another Chancery process (pid ${running.child.pid}). Stop that process first, or point DATABASE_URL at a PostgreSQL server to run several.`,
    });
    // So is a worker started on it.
    expect(await runToEnd([WORKER_MAIN], newcomerEnv(dataDir, await freePort()))).toEqual({
      status: 1,
      said: `Chancery worker cannot start: The embedded database in ${dataDir}/pglite is in use by another Chancery process (pid ${running.child.pid}). Stop that process first, or point DATABASE_URL at a PostgreSQL server to run several.`,
    });
    // So is an operations command run beside it.
    expect(await runToEnd([CLI_MAIN, 'projections:status'], newcomerEnv(dataDir, await freePort()))).toEqual({
      status: 1,
      said: `Error: The embedded database in ${dataDir}/pglite is in use by another Chancery process (pid ${running.child.pid}). Stop that process first, or point DATABASE_URL at a PostgreSQL server to run several.`,
    });

    const lead = (await call(undefined, 'POST', '/auth/login', { username: 'lead', password: DEMO_PASSWORD })).body.accessToken;
    const campaignsBefore = (await call(lead, 'GET', '/demarches?limit=500')).body.total as number;

    // SIGTERM under load: out within 10 s, and not by the shutdown deadline's forced exit.
    const busy = traffic(running.base, [], alive(running), 2);
    await new Promise((r) => setTimeout(r, 3_000));
    const ended = await stop(running, 'SIGTERM');
    await busy;
    expect(ended.ms).toBeLessThan(10_000);
    expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
    expect(running.output()).not.toMatch(/did not finish within/);

    // Started again, a month later: the same data, no second demo; the scheduler finds the demo's
    // follow-ups overdue (none can be created past due) and records each once, under traffic.
    running = await start(dataDir, 30);
    expect(running.start()).not.toMatch(/Demo loaded/);
    const again = recorder(running.base, []);
    const leadAgain = (await again(undefined, 'POST', '/auth/login', { username: 'lead', password: DEMO_PASSWORD })).body.accessToken;
    expect((await again(leadAgain, 'GET', '/demarches?limit=500')).body.total).toBeGreaterThanOrEqual(campaignsBefore);
    let checking = true;
    const isUp = alive(running);
    const meanwhile = traffic(running.base, [], () => checking && isUp(), 1);
    const auditor = (await again(undefined, 'POST', '/auth/login', { username: 'auditor', password: DEMO_PASSWORD })).body.accessToken;
    let overdue: { id: string; overdueSince: string | null }[] = [];
    await waitFor(async () => {
      overdue = (await again(leadAgain, 'GET', '/follow-ups?overdue=true&limit=500')).body.items;
      return overdue.length >= 3 && overdue.every((f) => f.overdueSince !== null);
    }, 120_000, () => `overdue follow-ups not recorded: ${JSON.stringify(overdue)}`);
    for (const followUp of overdue) {
      const entries = (await again(auditor, 'GET', `/audit?streamId=followup-${followUp.id}&limit=500`)).body.items as { action: string }[];
      expect({ followUp: followUp.id, marks: entries.filter((e) => e.action === 'MarkFollowUpOverdue').length }).toEqual({ followUp: followUp.id, marks: 1 });
    }
    checking = false;
    await meanwhile;

    // Killed outright under traffic; a restart at once takes over the stale data-folder lock.
    const more = traffic(running.base, [], alive(running), 2);
    await new Promise((r) => setTimeout(r, 5_000));
    const killedPid = running.child.pid;
    await stop(running, 'SIGKILL');
    await more;
    running = await start(dataDir, 30);
    expect(running.output()).toContain(`The data folder's lock was left by pid ${killedPid}, which runs no longer (killed, or before a restart): taken over`);
    const third = recorder(running.base, []);
    const leadThird = (await third(undefined, 'POST', '/auth/login', { username: 'lead', password: DEMO_PASSWORD })).body.accessToken;
    expect((await third(leadThird, 'GET', '/demarches?limit=500')).body.total).toBeGreaterThanOrEqual(campaignsBefore);
    const health = await third(undefined, 'GET', '/health');
    expect(health.status).toBe(200);

    const last = await stop(running, 'SIGTERM');
    expect(last.ms).toBeLessThan(10_000);
  }, (SOAK_SECONDS + 1500) * 1000);
});

describe('a first start stopped while it loads the demo', () => {
  let dataDir: string;
  let running: (Started) | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chancery-interrupted-demo-'));
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) await stop(running, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves no half demo: the next start discards what it wrote and loads the demo whole', async () => {
    // The newcomer's Ctrl-C a second or two into the demo's loading: some users written, some cables not.
    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      const child = spawn(process.execPath, [API_MAIN], { env: newcomerEnv(dataDir, await freePort()), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      await waitFor(async () => output.includes('Loading the demo story'), 600_000, () => output);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const ended = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      const code = await ended;
      expect(output).not.toContain('Demo loaded');
      // Ctrl-C is a stop, said in a line: no failed start, no stack.
      if (signal === 'SIGINT') {
        expect({ code, said: output.includes('Stopped (SIGINT) while the demo loaded: the next start loads it again, whole.') }).toEqual({ code: 0, said: true });
        expect(output).not.toMatch(/Chancery stopped:|^\s+at /m);
      }
    }

    running = await start(dataDir);
    await waitFor(async () => running!.output().includes('Demo loaded'), 10_000, () => running!.output());
    expect(running.start()).toContain('The last start was stopped while it loaded the demo: what it had written is discarded, and the demo is loaded again.');
    const call = recorder(running.base, []);
    // Every login works, and the story is there once, whole: its cables, its campaigns, its follow-ups.
    for (const username of ['jdoe', 'pol.beijing', 'pol.tokyo', 'amb.beijing', 'lead', 'auditor']) {
      expect({ username, status: (await call(undefined, 'POST', '/auth/login', { username, password: DEMO_PASSWORD })).status }).toEqual({ username, status: 200 });
    }
    const lead = (await call(undefined, 'POST', '/auth/login', { username: 'lead', password: DEMO_PASSWORD })).body.accessToken;
    const instructions = (await call(lead, 'GET', `/cables?q=${encodeURIComponent('extraction and distillation')}&limit=100`)).body;
    expect(instructions.items.filter((c: { subject: string }) => c.subject === 'Demarche: extraction and distillation of U.S. AI models')).toHaveLength(1);
    expect((await call(lead, 'GET', '/follow-ups?limit=100')).body.total).toBe(5);
    // Its audit log is whole and verifies: the heads signed over the discarded database went with it.
    const auditor = (await call(undefined, 'POST', '/auth/login', { username: 'auditor', password: DEMO_PASSWORD })).body.accessToken;
    await waitFor(async () => (await call(auditor, 'GET', '/audit/verify')).body?.valid === true, 30_000, () => running!.output().slice(-3000));
    // Started again, it is kept: nothing is discarded twice.
    await stop(running, 'SIGTERM');
    running = await start(dataDir);
    expect(running.start()).not.toContain('is discarded');
    expect((await recorder(running.base, [])(lead, 'GET', '/follow-ups?limit=100')).body.total).toBe(5);
    await stop(running, 'SIGTERM');
  }, 1_800_000);
});
