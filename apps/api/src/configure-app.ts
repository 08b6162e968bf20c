import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@chancery/config';
import { createValidationPipe, jsonBodyParser, requestId } from '@chancery/http';

/**
 * The one bootstrap: main.ts and every e2e test run the app through here, so tests exercise what
 * users run. The app must be created with `{ bodyParser: false, bufferLogs: true }`.
 */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
  app.useLogger(app.get(Logger));
  app.use(requestId);
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(...jsonBodyParser(config.bodyLimit));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Chancery')
      .setDescription('Cables, clearances, demarche campaigns and follow-up actions, with every change stored as an event.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
