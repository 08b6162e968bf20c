import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { auditHeadsFile, checkHeadsFilePlace, loadAuditSigner } from '@chancery/audit';
import { checkListenAddress, ConfigurationError, exitForFailedStart, loadConfigOrExit } from '@chancery/config';
import { DatabaseRuntime, StartRefusal } from '@chancery/database';
import { missingJwtSecret } from '@chancery/identity';
import { exitWithinAfterSignal, flushHeldLogsAsJson, Readiness } from '@chancery/platform';
import { AppModule } from './app.module.js';
import { APP_OPTIONS, configureApp } from './configure-app.js';
import { DEMO_PASSWORD, loadDemo } from './demo/demo.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  await checkListenAddress(config.host, config.port).catch((error: unknown) => exitForFailedStart(error, 'Chancery cannot start'));
  // Said before anything starts (no migration run, no admin created for a process that cannot serve).
  const missing = missingJwtSecret(config);
  if (missing) exitForFailedStart(missing, 'Chancery cannot start');
  // So are the audit log's key and heads file, where the API seals the log: required with a
  // database server; in embedded mode, those named (a key left unnamed is generated at start).
  if (config.projections.inline) {
    const named = config.databaseUrl || config.audit.signingKeyFile ? loadAuditSigner(config, false, { warn: false }) : config.audit.headsFile ? checkHeadsFilePlace(config.audit.headsFile) : undefined;
    await named?.catch((error: unknown) => exitForFailedStart(error, 'Chancery cannot start'));
  }
  exitWithinAfterSignal(10_000);
  const app = await NestFactory.create(AppModule.forRoot({ config }), { ...APP_OPTIONS, abortOnError: false }).catch(
    (error: Error) => {
      // A situation (another process on the data folder, a schema a newer release migrated) is said in a line; anything else a failure,
      // said with what the start logged before it (the database chosen, the migrations applied).
      if (error instanceof StartRefusal) {
        console.error(`Chancery cannot start: ${error.message}`);
        process.exit(1);
      }
      if (!(error instanceof ConfigurationError)) flushHeldLogsAsJson(config);
      exitForFailedStart(error, 'Chancery cannot start');
    },
  );
  configureApp(app, config);
  const readiness = app.get(Readiness);
  await app.listen(config.port, config.host);
  // Where it listens, as bound (PORT=0 picks a port; HOST may be one address of the machine): what
  // people are told (`base`), and what the demo, told through the API, calls (`self`).
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  const everywhere = address === '0.0.0.0' || address === '::';
  const inUrl = (host: string) => (host.includes(':') ? `[${host}]` : host);
  const base = `http://${everywhere ? 'localhost' : inUrl(config.host ?? address)}:${port}`;
  const self = `http://${everywhere ? '127.0.0.1' : inUrl(address)}:${port}`;
  const database = app.get(DatabaseRuntime);
  if (database.discardedUnfinished) console.log('The last start was stopped while it loaded the demo: what it had written is discarded, and the demo is loaded again.');
  if (config.demo && database.target.embedded) {
    // The demo is told through the HTTP API, so the server listens first; /health says 503 until
    // it is loaded, and the logins are printed only once they work. All or nothing: a start stopped
    // while it loads leaves the next start to discard the half it wrote and load it again.
    readiness.waitFor('the demo');
    const heads = auditHeadsFile(config);
    // Stopped while it loads (Ctrl-C), the demo's requests are refused: that is the stop, said in a
    // line, not a failed start; the next start discards the half written and loads it whole.
    let stopped: NodeJS.Signals | null = null;
    const noted = (signal: NodeJS.Signals) => (stopped ??= signal);
    const signals = ['SIGINT', 'SIGTERM'] as const;
    // Held until the load has ended either way, not taken once: Nest, having shut down, sends itself
    // the signal again, and that may come before the demo's refused requests have ended the load.
    for (const signal of signals) process.on(signal, noted);
    const logins = await loadDemo(app, self, (line) => console.log(line), { dataDir: config.dataDir, alsoDiscard: heads ? [heads] : [] })
      .catch((error: unknown) => {
        if (stopped === null) throw error;
        console.log(`Stopped (${stopped}) while the demo loaded: the next start loads it again, whole.`);
        // Nest sends itself the signal again once it has shut down. Taken here, the process ends as
        // the stop it is (exit 0) once everything is closed, whichever comes first; left to the
        // signal, it died of it (no exit code) when the shutdown finished before the event loop emptied.
        process.once(stopped, () => undefined);
        return 'stopped' as const;
      })
      .finally(() => signals.forEach((signal) => process.removeListener(signal, noted)));
    if (logins === 'stopped') return;
    readiness.markReady();
    if (logins) {
      console.log(`\n  Demo loaded. Sign in at ${base} with the password ${DEMO_PASSWORD} as:`);
      for (const login of logins) console.log(`    ${login.username.padEnd(12)} ${login.who}`);
      console.log('  (DEMO=false starts without it.)\n');
    }
  }
  readiness.markReady();
  console.log(`Chancery listening on ${base}: the web app at /, the API's OpenAPI at /docs`);
}

// A setting found bad once the process knows more (the database has no users yet) is said as any
// bad setting is; anything else stopped a start that had begun.
bootstrap().catch((error: Error) => exitForFailedStart(error, error instanceof ConfigurationError ? 'Chancery cannot start' : 'Chancery stopped'));
