import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { SingleBar, Presets } from 'cli-progress';
import { AuditLog } from '@chancery/audit';
import { type AppConfig, loadConfigOrExit } from '@chancery/config';
import { migrate, openDatabase } from '@chancery/database';
import { ProjectionRegistry, ProjectionRunner } from '@chancery/event-store';
import { auditVerify, type AuditVerifyOptions } from './audit-verify.js';
import { WorkerModule } from './worker.module.js';

const USAGE = `Usage: node dist/apps/worker/src/cli.js <command>

Commands:
  migrate                      apply pending database migrations
  projections:rebuild [name]   replay the whole event log into one read model, or into all of them
  projections:status           checkpoint, lag and dead letters of every projection
  audit:verify [--head <file>] [--export-head <file>]
                               re-compute the audit log's Merkle tree and check it against its signed
                               heads and the heads file (AUDIT_HEADS_FILE); with --head, check that
                               today's log extends a head saved earlier; exit 1 at the first discrepancy.
                               --export-head saves the current signed head to a file

In embedded mode (no DATABASE_URL) stop the server first: the embedded database has one owner.`;

function progressBar(label: string): SingleBar {
  return new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, hideCursor: true }, Presets.shades_classic);
}

async function withContext<T>(config: AppConfig, work: (get: <S>(type: new (...args: never[]) => S) => S) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, runProjections: false }), { logger: ['warn'], abortOnError: false });
  try {
    return await work((type) => app.get(type));
  } finally {
    await app.close();
  }
}

async function rebuild(config: AppConfig, name: string | undefined): Promise<number> {
  return withContext(config, async (get) => {
    const registry = get(ProjectionRegistry);
    const names = name ? [name] : registry.all.map((p) => p.name);
    if (names.length === 0) console.log('No projections are registered.');
    for (const projection of names) {
      const bar = progressBar(projection.padEnd(24));
      let started = false;
      const replayed = await get(ProjectionRunner).rebuild(projection, (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.setTotal(total);
        bar.update(done);
      });
      bar.stop();
      console.log(`${projection}: rebuilt from the ${replayed} events it folds`);
    }
    return 0;
  });
}

async function status(config: AppConfig): Promise<number> {
  return withContext(config, async (get) => {
    const rows = await get(ProjectionRunner).status();
    if (rows.length === 0) console.log('No projections are registered.');
    else console.table(rows.map((r) => ({ name: r.name, mode: r.mode, position: r.checkpoint.globalPosition, lag: r.lag, deadLetters: r.deadLetters })));
    return 0;
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

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: { head: { type: 'string' }, 'export-head': { type: 'string' } },
  });
  const [command, argument] = positionals;
  const config = loadConfigOrExit();
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
    case 'audit:verify':
      return verifyAudit(config, { head: values.head, exportHead: values['export-head'] });
    default:
      console.error(command ? `Unknown command: ${command}\n` : '', USAGE);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`Error: ${(error as Error).message}`);
    process.exit(1);
  },
);
