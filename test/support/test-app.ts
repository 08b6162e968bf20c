import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/configure-app.js';
import { type AppConfig, loadConfig } from '@chancery/config';
import type { TestDatabase } from './test-database.js';

export interface TestAppOptions {
  env?: Record<string, string>;
  imports?: unknown[];
  runProjections?: boolean;
}

/** The real app, configured by the same configureApp as main.ts; embedded when no database is given. */
export async function createTestApp(database: TestDatabase | undefined, options: TestAppOptions = {}): Promise<{ app: INestApplication; config: AppConfig }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env, ...(database ? { DATABASE_URL: database.target.url } : {}) });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ config, runProjections: options.runProjections ?? false }), ...((options.imports ?? []) as never[])],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  await app.init();
  return { app, config };
}
