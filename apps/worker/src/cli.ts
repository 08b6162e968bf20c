import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { SingleBar, Presets } from 'cli-progress';
import { readFile, writeFile } from 'node:fs/promises';
import { AuditLog, auditHeadsFile, parseHeadsFile, parseSavedHead, type SignedTreeHead } from '@chancery/audit';
import { type AppConfig, loadConfigOrExit } from '@chancery/config';
import { migrate, openDatabase } from '@chancery/database';
import { ProjectionRegistry, ProjectionRunner } from '@chancery/event-store';
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

async function verifyAudit(config: AppConfig, options: { head?: string; exportHead?: string }): Promise<number> {
  return withContext(config, async (get) => {
    const audit = get(AuditLog);
    const bar = progressBar('audit log');
    let started = false;
    const onProgress = (checked: number, total: number) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.setTotal(Math.max(total, checked));
      bar.update(checked);
    };
    if (options.exportHead) {
      const head = await audit.treeHead();
      if (!head) {
        console.error('Nothing is sealed yet: there is no signed head to export.');
        return 1;
      }
      await writeFile(options.exportHead, `${JSON.stringify(head, null, 2)}\n`);
      console.log(`Saved the signed head of ${head.treeSize} entries (root ${head.rootHash}) to ${options.exportHead}`);
      if (!options.head) return 0;
    }
    if (options.head) {
      let saved: SignedTreeHead;
      try {
        saved = parseSavedHead(await readFile(options.head, 'utf8'));
      } catch (error) {
        console.error(`Cannot read a signed head from ${options.head}: ${(error as Error).message}`);
        return 2;
      }
      const discrepancy = await audit.checkAgainst(saved, onProgress);
      bar.stop();
      if (discrepancy) {
        console.error(`Audit log does NOT extend the saved head of ${saved.treeSize} entries: ${discrepancy}`);
        return 1;
      }
      const now = await audit.treeHead();
      console.log(`Audit log intact: today's head (${now?.treeSize} entries, root ${now?.rootHash}) extends the saved head of ${saved.treeSize} entries, signed by the same key, and every entry recomputes to it.`);
      return 0;
    }
    const headsFile = auditHeadsFile(config);
    const expected = headsFile ? await readFile(headsFile, 'utf8').then(parseHeadsFile, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    }) : [];
    const result = await audit.verify({ expected, onProgress });
    bar.stop();
    if (result.valid) {
      console.log(`Audit log intact: ${result.entries} entries, root ${result.head}; ${expected.length} heads from ${headsFile ?? '(no heads file)'} agree; ${result.pending} not sealed yet`);
      return 0;
    }
    console.error(`Audit log BROKEN at entry ${result.firstBroken?.seq}: ${result.firstBroken?.reason}`);
    console.error(`${result.entries} entries before it verify.`);
    return 1;
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
