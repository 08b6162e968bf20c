import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { testAuditEnv } from '../support/audit-key.js';
import { collectiveClearances } from '../support/http.js';
import { TEST_ADMIN_PASSWORD, TEST_JWT_SECRET } from '../support/test-app.js';

/** The built apps, run as users run them: `npm run build` comes first (test:resilience does it). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const API_MAIN = `${ROOT}dist/apps/api/src/main.js`;
export const CLI_MAIN = `${ROOT}dist/apps/worker/src/cli.js`;
export const WORKER_MAIN = `${ROOT}dist/apps/worker/src/main.js`;

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** Starts `script` with the test environment on a free port; for an API, waits for /health. */
export async function startProcess(script: string, databaseUrl: string, env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      ...testAuditEnv(),
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      SEED_POSTS: 'false',
      OVERDUE_SCAN_MS: '0',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const running = { child, base: `http://127.0.0.1:${port}`, output: () => output };
  if (script === API_MAIN) await waitFor(async () => (await fetch(`${running.base}/health`).catch(() => null))?.status === 200, 60_000, () => `API did not become ready:\n${output}`);
  return running;
}

/**
 * Runs `args` with node to its end without blocking this process, as `spawnSync` would: a test that
 * holds keep-alive connections to a running API must keep reading them, or a connection the server
 * closed while it waited is reused unseen and the next request fails (UND_ERR_SOCKET).
 */
export function runToEnd(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ status: number | null; said: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let said = '';
    child.stdout!.on('data', (chunk) => (said += chunk));
    child.stderr!.on('data', (chunk) => (said += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, said: said.trim() }));
  });
}

export function stopProcess(running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    running.child.once('exit', () => resolve());
    running.child.kill(signal);
  });
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, explain: () => string = () => 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${explain()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A client of a running API, with the caller's token. */
export function client(base: string, token?: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, body: json };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}, headers?: Record<string, string>) => call('POST', path, body, headers),
  };
}

export async function loginTo(base: string, username: string, password: string): Promise<string> {
  const { status, body } = await client(base).post('/auth/login', { username, password });
  if (status !== 200) throw new Error(`login ${username}: ${status} ${JSON.stringify(body)}`);
  return body.accessToken;
}

/** Creates a user through the API (as admin) and answers their token. */
export async function userOn(base: string, admin: string, user: { username: string; roles: string[]; office?: string; postCode?: string }): Promise<string> {
  const password = `${user.username}-password-123`;
  const { status, body } = await client(base, admin).post('/users', { displayName: user.username, clearance: 'SECRET', password, ...user });
  if (status !== 201) throw new Error(`create ${user.username}: ${status} ${JSON.stringify(body)}`);
  return loginTo(base, user.username, password);
}

/** One clearer per office (and database), made on first use; a promise, so that parallel releases share it. */
const clearers = new Map<string, Promise<string>>();

/**
 * Drafts, submits, approves and releases an instruction cable with a demarche; answers its id and
 * MRN. The clearances the collective tasking rule needs are asked for and given by a clearer of each
 * office, whom `admin` creates on first use.
 */
export async function releaseInstruction(base: string, drafter: string, approver: string, addressees: string[], subject: string, admin: string): Promise<{ id: string; mrn: string }> {
  const asDrafter = client(base, drafter);
  const asApprover = client(base, approver);
  const draft = await asDrafter.post('/cables', {
    kind: 'INSTRUCTION', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
    actionAddressees: addressees, paragraphs: [{ marking: 'U', text: 'Deliver the points.' }],
    demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
  });
  if (draft.status !== 201) throw new Error(`draft: ${draft.status} ${JSON.stringify(draft.body)}`);
  const offices = collectiveClearances({ kind: 'INSTRUCTION', actionAddressees: addressees });
  if (offices.length > 0) {
    const asked = await asDrafter.post(`/cables/${draft.body.id}/clearance-requests`, { offices });
    if (asked.status !== 200) throw new Error(`clearance requests: ${asked.status} ${JSON.stringify(asked.body)}`);
    for (const office of offices) {
      const key = `${admin}:${office}`;
      if (!clearers.has(key)) clearers.set(key, userOn(base, admin, { username: `clr.${office.toLowerCase().replace(/[^a-z]/g, '')}`, roles: ['clearer'], office }));
      const cleared = await client(base, await clearers.get(key)!).post(`/cables/${draft.body.id}/clearances`, { office, decision: 'CLEARED' });
      if (cleared.status !== 200) throw new Error(`clearance of ${office}: ${cleared.status} ${JSON.stringify(cleared.body)}`);
    }
  }
  for (const [who, step] of [[asDrafter, 'submit'], [asApprover, 'approve'], [asApprover, 'release']] as const) {
    const answer = await who.post(`/cables/${draft.body.id}/${step}`);
    if (answer.status !== 200) throw new Error(`${step}: ${answer.status} ${JSON.stringify(answer.body)}`);
    if (step === 'release') return { id: draft.body.id, mrn: answer.body.mrn };
  }
  throw new Error('unreachable');
}

/** Every read model's tables, read over a plain connection, to compare before and after a rebuild. */
export async function readModels(databaseUrl: string): Promise<Record<string, unknown[][]>> {
  const { READ_MODEL_TABLES } = await import('../support/read-models.js');
  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const result: Record<string, unknown[][]> = {};
    for (const [name, queries] of Object.entries(READ_MODEL_TABLES)) {
      result[name] = [];
      for (const query of queries) result[name].push((await db.query(query)).rows);
    }
    return result;
  } finally {
    await db.end();
  }
}

/** `projections:rebuild` for every read model, through the operations CLI, as an operator runs it. */
export function rebuildAll(databaseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, 'projections:rebuild'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn', SEED_POSTS: 'false' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr!.on('data', (chunk) => (errors += chunk));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`projections:rebuild exited ${code}: ${errors}`))));
  });
}
