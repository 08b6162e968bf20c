import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@chancery/config';
import { AppModule } from './app.module.js';
import { configureApp } from './configure-app.js';
import { DEMO_PASSWORD, loadDemo } from './demo/demo.js';
import { DatabaseRuntime } from '@chancery/database';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.create(AppModule.forRoot({ config }), { bodyParser: false, bufferLogs: true, abortOnError: false }).catch(
    (error: Error) => {
      console.error(`Chancery cannot start: ${error.message}`);
      process.exit(1);
    },
  );
  configureApp(app, config);
  await app.listen(config.port, config.host);
  const base = `http://localhost:${config.port}`;
  if (config.demo && app.get(DatabaseRuntime).target.embedded) {
    const logins = await loadDemo(app, base, (line) => console.log(line));
    if (logins) {
      console.log(`\n  Demo loaded. Sign in at ${base} with the password ${DEMO_PASSWORD} as:`);
      for (const login of logins) console.log(`    ${login.username.padEnd(12)} ${login.who}`);
      console.log('  (DEMO=false starts without it.)\n');
    }
  }
  console.log(`Chancery listening on ${base}: the web app at /, the API's OpenAPI at /docs`);
}

void bootstrap();
