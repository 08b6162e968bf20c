import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError, exitForFailedStart, loadConfigOrExit } from '@chancery/config';
import { StartRefusal } from '@chancery/database';
import { exitWithinAfterSignal, flushHeldLogsAsJson, JsonLogger } from '@chancery/platform';
import { WorkerModule } from './worker.module.js';

/** Runs the async projections (any number of workers may run; advisory locks share the work). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  exitWithinAfterSignal(10_000);
  // Logs are held until the JSON logger is in place; a failed start writes them as JSON, then its reason in a line.
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, runProjections: true }), { bufferLogs: true, autoFlushLogs: false, abortOnError: false }).catch((error: unknown) => {
    // A situation (another process on the data folder, a schema a newer release migrated) is said in a line (as the API says it).
    if (error instanceof StartRefusal) {
      console.error(`Chancery worker cannot start: ${error.message}`);
      process.exit(1);
    }
    if (!(error instanceof ConfigurationError)) flushHeldLogsAsJson(config);
    throw error;
  });
  app.useLogger(app.get(JsonLogger));
  // What was held while it started (the database chosen, the migrations), written now; and nothing held from here on.
  app.flushLogs();
  app.enableShutdownHooks();
  app.get(JsonLogger).log('Chancery worker running the async projections');
}

main().catch((error: unknown) => exitForFailedStart(error, 'Chancery worker stopped'));
