import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SingleBar, Presets } from 'cli-progress';
import { AuditLog } from '@chancery/audit';
import { type AppConfig, ConfigurationError, exitForFailedStart, isNamedFailure, loadConfigOrExit } from '@chancery/config';
import { migrate, openDatabase, StartRefusal } from '@chancery/database';
import { systemContext } from '@chancery/common';
import { ProjectionRegistry, ProjectionRunner } from '@chancery/event-store';
import { RedriveProjection } from '@chancery/platform';
import { auditVerify, type AuditVerifyOptions } from './audit-verify.js';
import { WorkerModule } from './worker.module.js';

const USAGE = `Usage: node dist/apps/worker/src/cli.js <command>

Commands:
  migrate                      apply pending database migrations
  projections:rebuild [name]   replay the whole event log into one read model, or into all of them;
                               exit 1 if an event had to be parked
  projections:status           state, checkpoint, lag, dead letters and failure of every projection;
                               exit 1 if a reaction has stopped
  projections:redrive <name>   a stopped reaction retries the event it stopped at; a read model
                               applies its parked events again (keeping those that still fail)
  audit:verify [--head <file>] [--export-head <file>]
                               re-compute the audit log's Merkle tree and check it against its signed
                               heads and the heads file (AUDIT_HEADS_FILE); with --head, check that
                               today's log extends a head saved earlier; exit 1 at the first discrepancy.
                               --export-head saves the current signed head to a file

  --help, -h                   this text

In embedded mode (no DATABASE_URL) stop the server first: the embedded database has one owner.`;

/** Progress on stderr; where that is no terminal (a log, a CI job), a line every 2 s instead of a bar redrawn. */
function progressBar(label: string): SingleBar {
  return new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 }, Presets.shades_classic);
}

async function withContext<T>(config: AppConfig, work: (get: <S>(type: new (...args: never[]) => S) => S) => Promise<T>): Promise<T> {
  // Logs are held until the context is up: a data folder in use is said in one line (main's), not
  // after Nest's report of the failed provider; any other failure is said with what was logged.
  // An operations command reads the database as it is: a schema behind this release is said, not upgraded on the way.
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, runProjections: false, migrates: false }), {
    logger: ['warn'], abortOnError: false, bufferLogs: true, autoFlushLogs: false,
  }).catch((error: unknown) => {
    if (!(error instanceof StartRefusal) && !isNamedFailure(error)) Logger.flush();
    throw error;
  });
  app.flushLogs();
  try {
    return await work((type) => app.get(type));
  } finally {
    await app.close();
  }
}

/**
 * A projection name no projection has is a wrong argument (exit 2), said with the names there are:
 * for a rebuild, the read models (a reaction is never rebuilt), the reactions named apart.
 */
function unknownProjection(registry: ProjectionRegistry, name: string | undefined, command: 'rebuild' | 'redrive'): boolean {
  if (name === undefined || registry.all.some((p) => p.name === name)) return false;
  const names = (kind: string) => registry.all.filter((p) => p.kind === kind).map((p) => p.name).join(', ') || 'none';
  console.error(command === 'rebuild'
    ? `No projection named ${name}; read models, which it rebuilds: ${names('read-model')} (reactions, which are redriven, never rebuilt: ${names('reaction')})`
    : `No projection named ${name}; known: ${registry.all.map((p) => p.name).join(', ') || 'none'}`);
  return true;
}

async function rebuild(config: AppConfig, name: string | undefined): Promise<number> {
  // Ctrl-C before the rebuild has begun (while the database is opened and the projections listed)
  // leaves every read model as it was, and says so, as it says what a later one leaves.
  let interrupted = () => {
    console.error('\nInterrupted before the rebuild began: no read model was rebuilt; each is as it was.');
    process.exit(130);
  };
  process.on('SIGINT', () => interrupted());
  console.error(`Rebuilding ${name ?? 'every read model'}: opening the database…`);
  // Once it has done what it does (or refused to), a Ctrl-C while the database closes is no interruption of it.
  const done = (code: number) => {
    interrupted = () => process.exit(code);
    return code;
  };
  return withContext(config, async (get) => {
    const registry = get(ProjectionRegistry);
    if (unknownProjection(registry, name, 'rebuild')) return done(2);
    // Replaying a reaction would send its commands again: a wrong argument, said with what to do instead.
    if (registry.all.some((p) => p.name === name && p.kind === 'reaction')) {
      console.error(`${name} is a reaction: replaying it would send its commands again, so it is never rebuilt; a stopped one is retried with npm run projections:redrive ${name}`);
      return done(2);
    }
    if (registry.all.length === 0) console.log('No projections are registered.');
    // Replaying a reaction would send its commands again; it is redriven, never rebuilt.
    if (!name) for (const reaction of registry.all.filter((p) => p.kind === 'reaction')) console.log(`${reaction.name}: a reaction, not rebuilt`);
    const names = name ? [name] : registry.all.filter((p) => p.kind === 'read-model').map((p) => p.name);
    if (names.length === 0) return done(0);
    // All of them in one pass over the feed: each page read once, folded into every read model.
    const bar = progressBar((name ?? `${names.length} read models`).padEnd(24));
    // Ctrl-C ends the rebuild where it stands, and says what that leaves: each read model is swapped
    // in whole, in the transaction that catches it up, or not at all.
    interrupted = () => {
      bar.stop();
      console.error('\nInterrupted. A read model is swapped in whole, at the end of its own rebuild, or not at all: those not swapped in yet are as they were. See npm run projections:status.');
      process.exit(130);
    };
    let started = false;
    const results = await get(ProjectionRunner).rebuildTogether(names, (replayed, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.setTotal(total);
      bar.update(replayed);
    });
    bar.stop();
    let parkedAny = false;
    for (const [projection, { replayed, parked }] of Object.entries(results)) {
      console.log(`${projection}: rebuilt from the ${replayed} events it folds`);
      if (parked > 0) {
        parkedAny = true;
        console.error(`${projection}: ${parked} event(s) could not be applied and are parked in projection_dead_letters;`);
        console.error(`  see npm run projections:status, fix the cause, then npm run projections:redrive ${projection}`);
      }
    }
    return done(parkedAny ? 1 : 0);
  });
}

async function status(config: AppConfig): Promise<number> {
  return withContext(config, async (get) => {
    const rows = await get(ProjectionRunner).status();
    if (rows.length === 0) console.log('No projections are registered.');
    else {
      console.table(
        rows.map((r) => ({
          name: r.name, kind: r.kind, mode: r.mode, state: r.state, position: r.checkpoint.globalPosition, lag: r.lag, deadLetters: r.deadLetters,
          failedAt: r.failure ? `${r.failure.globalPosition} (${r.failure.eventType})` : '',
        })),
      );
    }
    for (const { name, state, failure } of rows) {
      if (!failure) continue;
      const what = state === 'stopped' ? 'STOPPED' : 'retrying';
      console.error(`${name} ${what} at event ${failure.globalPosition} (${failure.eventType}, id ${failure.eventId}) after ${failure.attempts} attempt(s), ${failure.failedAt.toISOString()}:`);
      console.error(`  ${failure.error}`);
      if (state === 'stopped') console.error(`  once the cause is fixed: npm run projections:redrive ${name}`);
    }
    return rows.some((r) => r.state === 'stopped') ? 1 : 0;
  });
}

/** Who runs a command at a shell, for the audit log: the operating system's user and the host. */
function operatorName(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

async function redrive(config: AppConfig, name: string): Promise<number> {
  return withContext(config, async (get) => {
    if (unknownProjection(get(ProjectionRegistry), name, 'redrive')) return 2;
    const result = await get(RedriveProjection).execute(systemContext(`cli:projections:redrive:${randomUUID()}`), name, { operator: operatorName() });
    if (result.kind === 'reaction') {
      console.log(result.resumed ? `${name}: stop cleared; the running workers retry it from the event it stopped at` : `${name}: was not stopped; nothing to do`);
      return 0;
    }
    console.log(`${name}: ${result.applied} parked event(s) applied and removed, ${result.stillParked} still failing (kept)`);
    return result.stillParked ? 1 : 0;
  });
}

async function verifyAudit(config: AppConfig, options: AuditVerifyOptions): Promise<number> {
  return withContext(config, async (get) => {
    const bar = progressBar('audit log');
    let started = false;
    return auditVerify(get(AuditLog), config, options, {
      log: (line) => (bar.stop(), console.log(line)),
      error: (line) => (bar.stop(), console.error(line)),
      progress: (checked, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.setTotal(Math.max(total, checked));
        bar.update(checked);
      },
    });
  });
}

function parseCommandLine() {
  const parsed = parseArgs({
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: { head: { type: 'string' }, 'export-head': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  // An option given twice names two files: which one was meant is not guessed (parseArgs keeps the last).
  const given = parsed.tokens.flatMap((token) => (token.kind === 'option' && token.name !== 'help' ? [token.name] : []));
  const twice = given.find((name, i) => given.indexOf(name) !== i);
  if (twice) throw new Error(`--${twice} is given twice: give it once`);
  return parsed;
}

/** Whether the server's database has Chancery's schema (its migrations table). */
async function holdsChancery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, application_name: 'chancery-cli', connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<{ found: string | null }>("SELECT to_regclass('public.schema_migrations')::text AS found")).rows[0].found !== null;
  } finally {
    await client.end();
  }
}

/** The commands that read an existing database (migrate may make one). */
const USES_DATABASE = ['projections:rebuild', 'projections:status', 'projections:redrive', 'audit:verify'];

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, argument, ...extra] = positionals;
  // What a command does not take is said, not passed over (`audit:verify --head f extra`).
  const takes = command === 'projections:rebuild' || command === 'projections:redrive' ? 1 : 0;
  if (extra.length > 0 || (argument !== undefined && takes === 0)) {
    console.error(`${command} takes ${takes === 0 ? 'no argument' : 'one argument'}; unexpected: ${[...(takes === 0 ? [argument] : []), ...extra].join(' ')}\n\n${USAGE}`);
    return 2;
  }
  if (command === 'projections:redrive' && argument === undefined) {
    console.error(`projections:redrive takes the name of the projection to redrive (see projections:status)\n\n${USAGE}`);
    return 2;
  }
  // `--head` and `--export-head` are audit:verify's: given to another command they would be passed over unread.
  const options = (['head', 'export-head'] as const).filter((option) => values[option] !== undefined);
  if (command !== 'audit:verify' && options.length > 0) {
    console.error(`${command ?? 'no command'} takes no ${options.map((option) => `--${option}`).join(' or ')} (audit:verify does)\n\n${USAGE}`);
    return 2;
  }
  // A file named empty (`--head ''`, `--head=`) names no file: said, not read as no option at all.
  const empty = options.filter((option) => values[option] === '');
  if (empty.length > 0) {
    console.error(`${empty.map((option) => `--${option}`).join(' and ')} needs a file name\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfigOrExit();
  // An embedded data folder no start has used (a typo in CHANCERY_DATA_DIR) is said, not filled
  // with a new, empty database whose log then verifies as "intact". Not even by migrate: the start
  // makes and migrates the embedded database (migrate makes a server's schema, before a start).
  if ((USES_DATABASE.includes(command) || command === 'migrate') && !config.databaseUrl && !existsSync(join(config.dataDir, 'pglite'))) {
    console.error(`Error: no embedded database in ${resolve(config.dataDir, 'pglite')}: CHANCERY_DATA_DIR names a folder that no start of Chancery has used (set it to the server's data folder, or DATABASE_URL)`);
    return 1;
  }
  // So too a server's database that no start has used (a typo in DATABASE_URL): not given the schema
  // and then reported on as if it were Chancery's.
  if (USES_DATABASE.includes(command) && config.databaseUrl && !(await holdsChancery(config.databaseUrl))) {
    console.error(`Error: the database DATABASE_URL names holds no Chancery schema: no start of Chancery has used it (check DATABASE_URL; npm run migration:run makes the schema)`);
    return 1;
  }
  switch (command) {
    case 'migrate': {
      const opened = await openDatabase(config);
      try {
        const applied = await migrate(opened.target);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The schema is up to date.');
      } finally {
        await opened.embedded?.stop();
      }
      return 0;
    }
    case 'projections:rebuild':
      return rebuild(config, argument);
    case 'projections:status':
      return status(config);
    case 'projections:redrive':
      return redrive(config, argument!);
    case 'audit:verify':
      return verifyAudit(config, { head: values.head, exportHead: values['export-head'] });
    default:
      console.error(command ? `Unknown command: ${command}\n\n${USAGE}` : USAGE);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    // A bad setting is said as at any start (exit code 78); anything else in a line.
    if (error instanceof ConfigurationError) exitForFailedStart(error, 'Error');
    console.error(`Error: ${(error as Error).message}`);
    process.exit(1);
  },
);
