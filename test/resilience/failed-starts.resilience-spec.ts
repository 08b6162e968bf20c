import { spawnSync } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres, markFirstFilling } from '@chancery/database';
import { testAuditEnv } from '../support/audit-key.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { API_MAIN, CLI_MAIN, WORKER_MAIN } from './processes.js';

/**
 * A bad or missing setting found only once a process knows more than its environment (the
 * database has no users yet, the key file's content) stops it as one found at once does: in lines
 * naming the setting, exit code 78 (EX_CONFIG), no stack.
 */
describe('a start refused for a bad setting', () => {
  let database: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    folder = await mkdtemp(join(tmpdir(), 'chancery-failed-starts-'));
  });
  afterAll(async () => {
    await database.drop();
    await rm(folder, { recursive: true, force: true });
  });

  const run = (script: string, env: Record<string, string | undefined>, args: string[] = []) => {
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', DATABASE_URL: database.target.url, SEED_POSTS: 'false', OVERDUE_SCAN_MS: '0', PORT: '0', HOST: '127.0.0.1' };
    const ran = spawnSync(process.execPath, [script, ...args], { env: Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 120_000 });
    return { status: ran.status, said: `${ran.stdout}${ran.stderr}` };
  };
  const noStack = (said: string) => !/^\s+at /m.test(said);

  it('says the setting and exits 78: no JWT_SECRET, an ADMIN_PASSWORD the password rule refuses, none at all, a key file that is no key', async () => {
    const missingSecret = run(API_MAIN, { ...testAuditEnv(), ADMIN_PASSWORD: 'a-long-enough-admin-phrase-2026' });
    expect(missingSecret).toEqual({ status: 78, said: expect.stringContaining('JWT_SECRET is required when DATABASE_URL is set') });
    expect(noStack(missingSecret.said)).toBe(true);

    const easy = run(API_MAIN, { ...testAuditEnv(), JWT_SECRET: TEST_JWT_SECRET, ADMIN_PASSWORD: 'aaaaaaaaaaaa' });
    expect(easy).toEqual({ status: 78, said: expect.stringMatching(/ADMIN_PASSWORD: The password is too easy to guess/) });
    expect(noStack(easy.said)).toBe(true);

    const none = run(API_MAIN, { ...testAuditEnv(), JWT_SECRET: TEST_JWT_SECRET });
    expect(none).toEqual({ status: 78, said: expect.stringContaining('ADMIN_PASSWORD is required when DATABASE_URL names a database with no users yet') });
    expect(none.said).toMatch(/^Chancery cannot start/m); // as any bad setting is said

    const garbage = join(folder, 'not-a-key.pem');
    await writeFile(garbage, 'this is no key\n', { mode: 0o600 });
    // The API says it before it migrates or creates anyone: the database stays as it was.
    const api = run(API_MAIN, { JWT_SECRET: TEST_JWT_SECRET, ADMIN_PASSWORD: 'a-long-enough-admin-phrase-2026', AUDIT_SIGNING_KEY_FILE: garbage });
    expect(api).toEqual({ status: 78, said: expect.stringContaining(`AUDIT_SIGNING_KEY_FILE="${garbage}": not a private key in PEM`) });
    expect(noStack(api.said)).toBe(true);
    expect(api.said).not.toContain('Created user "admin"');
    const worker = run(WORKER_MAIN, { JWT_SECRET: TEST_JWT_SECRET, AUDIT_SIGNING_KEY_FILE: garbage });
    expect(worker).toEqual({ status: 78, said: expect.stringContaining(`AUDIT_SIGNING_KEY_FILE="${garbage}": not a private key in PEM`) });
    const headsInAFolder = run(WORKER_MAIN, { JWT_SECRET: TEST_JWT_SECRET, ...testAuditEnv(), AUDIT_HEADS_FILE: folder });
    expect(headsInAFolder).toEqual({ status: 78, said: expect.stringContaining(`AUDIT_HEADS_FILE="${folder}": not a file`) });
    const headsNowhere = run(WORKER_MAIN, { JWT_SECRET: TEST_JWT_SECRET, ...testAuditEnv(), AUDIT_HEADS_FILE: join(folder, 'no-such-folder', 'heads.jsonl') });
    expect(headsNowhere).toEqual({ status: 78, said: expect.stringContaining('does not exist') });
    const withoutKey = run(WORKER_MAIN, { JWT_SECRET: TEST_JWT_SECRET, AUDIT_SIGNING_KEY_FILE: undefined });
    expect(withoutKey).toEqual({ status: 78, said: expect.stringContaining('AUDIT_SIGNING_KEY_FILE is required when DATABASE_URL is set') });
  }, 300_000);

  it('says a HOST or PORT it could not listen on before it migrates or creates anyone: a bad setting 78, a port in use 1', async () => {
    const env = { ...testAuditEnv(), JWT_SECRET: TEST_JWT_SECRET, ADMIN_PASSWORD: 'a-long-enough-admin-phrase-2026' };
    const nowhere = run(API_MAIN, { ...env, HOST: 'no-such-host.invalid' });
    expect(nowhere).toEqual({ status: 78, said: expect.stringContaining('HOST="no-such-host.invalid": no such host name (it does not resolve)') });
    // 192.0.2.1 is reserved for documentation (RFC 5737): no machine's own address.
    const elsewhere = run(API_MAIN, { ...env, HOST: '192.0.2.1' });
    expect(elsewhere).toEqual({ status: 78, said: expect.stringContaining('HOST="192.0.2.1": not an address of this machine') });
    // A port another process holds: said before the first start creates the admin and prints its password (once).
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    let taken: ReturnType<typeof run>;
    try {
      taken = run(API_MAIN, { ...env, PORT: String(port) });
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    // A port still held (the last instance stopping) may pass by itself: a failed start (1), which a supervisor tries again, not a bad setting (78).
    expect(taken).toEqual({ status: 1, said: expect.stringContaining(`Chancery cannot start: PORT=${port} on 127.0.0.1: in use by another process`) });
    for (const { said } of [nowhere, elsewhere, taken]) {
      expect(said).toMatch(/^Chancery cannot start/m);
      expect(noStack(said)).toBe(true);
      expect(said).not.toContain('Created user "admin"');
    }
  }, 120_000);

  it('says, in embedded mode too, a signing key or heads file named and unusable before it writes anything', async () => {
    const embedded = (env: Record<string, string>) => {
      const dataDir = join(folder, `embedded-${Object.keys(env).join('-')}`);
      const ran = run(API_MAIN, { DATABASE_URL: undefined, CHANCERY_DATA_DIR: dataDir, ...env });
      return { ...ran, wrote: existsSync(join(dataDir, 'pglite')) };
    };
    const key = embedded({ AUDIT_SIGNING_KEY_FILE: join(folder, 'no-such-key.pem') });
    expect(key).toEqual({ status: 78, said: expect.stringContaining('no-such-key.pem": cannot be read (ENOENT)'), wrote: false });
    const heads = embedded({ AUDIT_HEADS_FILE: join(folder, 'no-such-folder', 'heads.jsonl') });
    expect(heads).toEqual({ status: 78, said: expect.stringContaining('does not exist'), wrote: false });
    for (const { said } of [key, heads]) expect(said).not.toContain('Created user "admin"');
  }, 120_000);

  it('says a database it cannot reach in a line, after what it logged as JSON: the API and the worker, exit 1', () => {
    const env = { ...testAuditEnv(), JWT_SECRET: TEST_JWT_SECRET, ADMIN_PASSWORD: 'a-long-enough-admin-phrase-2026' };
    const missing = new URL(database.target.url);
    missing.pathname = '/chancery_no_such_database';
    const refused = new URL(database.target.url);
    refused.port = '1';
    const cases = [
      { script: API_MAIN, url: missing.href, said: 'Chancery cannot start: database "chancery_no_such_database" does not exist (PostgreSQL 3D000)' },
      { script: WORKER_MAIN, url: refused.href, said: `Chancery worker stopped: connect ECONNREFUSED ${refused.hostname}:1` },
    ];
    for (const { script, url, said } of cases) {
      const ran = spawnSync(process.execPath, [script], { env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', SEED_POSTS: 'false', PORT: '0', HOST: '127.0.0.1', ...env, DATABASE_URL: url }, encoding: 'utf8', timeout: 120_000 });
      expect({ status: ran.status, stderr: ran.stderr.trim() }).toEqual({ status: 1, stderr: said });
      // Every line before it is the JSON the running process writes, Nest's report of the failure among them.
      const lines = ran.stdout.trim().split('\n').map((line) => JSON.parse(line) as { context?: string; level: number });
      expect(lines.some((line) => line.context === 'ExceptionHandler' && line.level === 50)).toBe(true);
    }
  }, 120_000);

  it('lets an auditor verify the log without the token-signing secret: only the API holds JWT_SECRET', () => {
    const verified = run(CLI_MAIN, { ...testAuditEnv(), JWT_SECRET: undefined }, ['audit:verify']);
    expect(verified).toEqual({ status: 0, said: expect.stringContaining('Audit log intact') });
  });

  it('says a projection name no projection has as a wrong argument (exit 2), with the names there are', () => {
    const rebuilt = run(CLI_MAIN, testAuditEnv(), ['projections:rebuild', 'nosuch']);
    // A rebuild names the read models it rebuilds, and the reactions apart (they are redriven, never rebuilt).
    expect({ status: rebuilt.status, said: rebuilt.said.trim() }).toEqual({ status: 2, said: expect.stringMatching(/(^|\n)No projection named nosuch; read models, which it rebuilds: (?:(?!campaign-opener).)*cables.*\(reactions, which are redriven, never rebuilt: .*campaign-opener.*\)$/) });
    const redriven = run(CLI_MAIN, testAuditEnv(), ['projections:redrive', 'nosuch']);
    expect({ status: redriven.status, said: redriven.said.trim() }).toEqual({ status: 2, said: expect.stringMatching(/(^|\n)No projection named nosuch; known: .*campaign-opener/) });
  });

  it('says a reaction named to projections:rebuild as a wrong argument (exit 2), with what to do instead', () => {
    const ran = run(CLI_MAIN, testAuditEnv(), ['projections:rebuild', 'campaign-opener']);
    expect({ status: ran.status, said: ran.said.trim() }).toEqual({
      status: 2,
      said: expect.stringContaining('campaign-opener is a reaction: replaying it would send its commands again, so it is never rebuilt; a stopped one is retried with npm run projections:redrive campaign-opener'),
    });
  });

  it('runs no operations command on a server database no start has used: a typo in DATABASE_URL is said, no schema made there', async () => {
    const empty = await createTestDatabase();
    try {
      // A database the test makes without Chancery's schema: its migrations table dropped, as none has run there.
      const db = await empty.dataSource(1);
      await db.query('DROP TABLE schema_migrations');
      for (const command of [['audit:verify'], ['projections:status'], ['projections:rebuild']]) {
        const ran = run(CLI_MAIN, { ...testAuditEnv(), DATABASE_URL: empty.target.url }, command);
        expect({ command, ...ran }).toEqual({ command, status: 1, said: expect.stringContaining('Error: the database DATABASE_URL names holds no Chancery schema') });
      }
      expect((await db.query("SELECT to_regclass('public.schema_migrations')::text AS found"))[0].found).toBeNull();
    } finally {
      await empty.drop();
    }
  });

  it('runs no operations command on a schema behind this release (it does not upgrade on the way), and no process on a schema a newer release migrated', async () => {
    const older = await createTestDatabase();
    try {
      const db = await older.dataSource(1);
      // As the release before left it: its last migration not applied (recorded as not).
      const [{ name }] = await db.query('SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1');
      await db.query('DELETE FROM schema_migrations WHERE name = $1', [name]);
      for (const command of [['projections:status'], ['audit:verify']]) {
        const ran = run(CLI_MAIN, { ...testAuditEnv(), DATABASE_URL: older.target.url }, command);
        expect({ command, ...ran }).toEqual({ command, status: 1, said: expect.stringContaining(`Error: The database's schema is behind this release: 1 migration(s) not applied (${name}). Upgrade it first (npm run migration:run, or a start of Chancery), then run this again; nothing was changed.`) });
        expect(noStack(ran.said)).toBe(true);
      }
      expect(await db.query('SELECT name FROM schema_migrations WHERE name = $1', [name])).toEqual([]);
      // A rollback: a migration this release does not know. Every process refuses it in a line, and changes nothing.
      await db.query("INSERT INTO schema_migrations (timestamp, name) VALUES (1899999999999, 'FromANewerRelease1899999999999')");
      const newer = 'The database was migrated by a newer release of Chancery than this one: it has applied FromANewerRelease1899999999999, which this release does not know.';
      const api = run(API_MAIN, { ...testAuditEnv(), DATABASE_URL: older.target.url, JWT_SECRET: TEST_JWT_SECRET, ADMIN_PASSWORD: 'a-long-enough-admin-phrase-2026' });
      expect(api).toEqual({ status: 1, said: expect.stringContaining(`Chancery cannot start: ${newer}`) });
      const worker = run(WORKER_MAIN, { ...testAuditEnv(), DATABASE_URL: older.target.url });
      expect(worker).toEqual({ status: 1, said: expect.stringContaining(`Chancery worker cannot start: ${newer}`) });
      for (const command of [['migrate'], ['projections:status']]) {
        const ran = run(CLI_MAIN, { ...testAuditEnv(), DATABASE_URL: older.target.url }, command);
        expect({ command, ...ran }).toEqual({ command, status: 1, said: expect.stringContaining(`Error: ${newer}`) });
      }
      for (const said of [api.said, worker.said]) expect(noStack(said)).toBe(true);
      expect(await db.query('SELECT name FROM schema_migrations WHERE name = $1', [name])).toEqual([]);
    } finally {
      await older.drop();
    }
  });

  it('runs no operations command on an embedded data folder whose first filling a stopped start left unfinished: said, nothing discarded', async () => {
    const dataDir = join(folder, 'unfinished');
    const made = await EmbeddedPostgres.start(dataDir);
    await made.stop();
    const heads = join(dataDir, 'audit-heads.jsonl');
    await writeFile(heads, '');
    await markFirstFilling(dataDir, [heads]);
    for (const command of [['projections:status'], ['audit:verify'], ['migrate']]) {
      const ran = spawnSync(process.execPath, [CLI_MAIN, ...command], { env: { PATH: process.env.PATH, HOME: process.env.HOME, CHANCERY_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 120_000 });
      expect({ command, status: ran.status, said: `${ran.stdout}${ran.stderr}`.trim() }).toEqual({
        command,
        status: 1,
        said: `Error: The embedded database in ${dataDir}/pglite holds part of a first filling (the demo) that a start stopped before it finished: start Chancery (npm start), which discards that part and loads the demo again whole, then run this again.`,
      });
    }
    // Left for the start to discard, and to say so.
    expect([existsSync(join(dataDir, 'pglite.unfinished')), existsSync(heads)]).toEqual([true, true]);
  });

  it('runs no operations command on an embedded data folder no start has used: a typo is said, no empty database made', () => {
    const typo = join(folder, 'typo');
    const ran = spawnSync(process.execPath, [CLI_MAIN, 'audit:verify'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, CHANCERY_DATA_DIR: typo }, encoding: 'utf8', timeout: 120_000 });
    expect({ status: ran.status, said: `${ran.stdout}${ran.stderr}`.trim() }).toEqual({
      status: 1,
      said: `Error: no embedded database in ${typo}/pglite: CHANCERY_DATA_DIR names a folder that no start of Chancery has used (set it to the server's data folder, or DATABASE_URL)`,
    });
    expect(existsSync(typo)).toBe(false);
    // Not even migrate makes one there: the start makes and migrates the embedded database.
    const migrated = spawnSync(process.execPath, [CLI_MAIN, 'migrate'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, CHANCERY_DATA_DIR: typo }, encoding: 'utf8', timeout: 120_000 });
    expect({ status: migrated.status, said: `${migrated.stdout}${migrated.stderr}`.trim() }).toEqual({ status: 1, said: expect.stringMatching(/^Error: no embedded database in /) });
    expect(existsSync(typo)).toBe(false);
    // Its usage on asking, and what a command does not take said rather than passed over.
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI_MAIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, CHANCERY_DATA_DIR: typo }, encoding: 'utf8', timeout: 60_000 });
    const help = cli('--help');
    expect({ status: help.status, usage: help.stdout.startsWith('Usage: node dist/apps/worker/src/cli.js <command>') }).toEqual({ status: 0, usage: true });
    const twice = cli('audit:verify', '--head', 'a.json', '--head', 'b.json');
    expect({ status: twice.status, said: twice.stderr.split('\n')[0] }).toEqual({ status: 2, said: '--head is given twice: give it once' });
    const none = cli();
    expect({ status: none.status, usage: none.stderr.startsWith('Usage: node dist/apps/worker/src/cli.js <command>') }).toEqual({ status: 2, usage: true });
    const extra = cli('audit:verify', '--head', 'saved.json', 'extra');
    expect({ status: extra.status, said: extra.stderr.split('\n')[0] }).toEqual({ status: 2, said: 'audit:verify takes no argument; unexpected: extra' });
    // audit:verify's options given to another command: said, not passed over (no head saved where the auditor thinks one was).
    const misplaced = cli('projections:status', '--export-head', join(folder, 'head.json'));
    expect({ status: misplaced.status, said: misplaced.stderr.split('\n')[0] }).toEqual({ status: 2, said: 'projections:status takes no --export-head (audit:verify does)' });
    const unnamed = cli('projections:redrive');
    expect({ status: unnamed.status, said: unnamed.stderr.split('\n')[0] }).toEqual({ status: 2, said: 'projections:redrive takes the name of the projection to redrive (see projections:status)' });
    // A file named empty names no file: said, not taken for the option left out (which checks less).
    for (const args of [['--head', ''], ['--head='], ['--export-head=']]) {
      const blank = cli('audit:verify', ...args);
      expect({ status: blank.status, said: blank.stderr.split('\n')[0] }).toEqual({ status: 2, said: `--${args[0].replace(/^--|=$/g, '')} needs a file name` });
    }
    expect(existsSync(typo)).toBe(false);
  });
});
