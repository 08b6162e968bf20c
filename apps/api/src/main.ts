import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@chancery/config';
import { AppModule } from './app.module.js';
import { configureApp } from './configure-app.js';

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
  console.log(`Chancery API listening on http://localhost:${config.port} (OpenAPI at /docs)`);
}

void bootstrap();
