import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@chancery/config';
import { exitWithinAfterSignal } from '@chancery/platform';
import { WorkerModule } from './worker.module.js';

/** Runs the async projections (any number of workers may run; advisory locks share the work). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  exitWithinAfterSignal(10_000);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, runProjections: true }), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.get(Logger).log('Chancery worker running the async projections');
}

void main();
