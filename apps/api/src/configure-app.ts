import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import helmet from 'helmet';
import onHeaders from 'on-headers';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from '@chancery/config';
import { answerClientErrors, createValidationPipe, jsonBodyParser, refuseWhileStopping, requestId } from '@chancery/http';
import { InFlightRequests, JsonLogger } from '@chancery/platform';
import { withHttpConventions } from './openapi/http-conventions.openapi.js';

/**
 * How the app is created, by main.ts and the tests alike: Nest's own body parser off (ours has
 * limits), logs buffered until pino is in place, and on shutdown new requests answered 503 (problem+json) while
 * those being served finish (InFlightRequests), then any connection left is closed.
 */
/**
 * Nest's own lines (and its record of a failed start, stack and all) are held until the JSON logger
 * takes them (`configureApp`): a start that fails before says why in one line (main.ts), not in a
 * coloured stack trace a newcomer takes for a crash.
 */
export const APP_OPTIONS = { bodyParser: false, bufferLogs: true, autoFlushLogs: false, return503OnClosing: false, forceCloseConnections: true } as const;

/**
 * The one bootstrap: main.ts and every e2e test run the app through here, so tests exercise what
 * users run. The app must be created with APP_OPTIONS.
 */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
  app.useLogger(app.get(JsonLogger));
  app.flushLogs();
  answerClientErrors(app.getHttpServer());
  // The live feed's streams end when it stops (LiveFeed.onModuleDestroy), not by themselves: they
  // hold no wait for requests in flight (the audit sealer's, before its last seal, comes first).
  app.get(InFlightRequests).ignore('/events/stream');
  app.use(app.get(InFlightRequests).middleware);
  app.use(idleLimitOnceAnswering(config.httpIdleTimeoutMs));
  app.use(requestId);
  // One line a request, whatever answers it (a route, the body parser, the stop).
  app.use(app.get(JsonLogger).http);
  // Stopping, a new request is answered 503 as problem+json (Nest's own answer would be plain text).
  const adapter = app.getHttpAdapter() as unknown as { isShuttingDown?: boolean };
  app.use(refuseWhileStopping(() => adapter.isShuttingDown === true));
  app.use(helmet({ contentSecurityPolicy: false }));
  // The web app (built into dist/web by `npm run build`): index.html at `/`, its script and styles.
  // Its screens are hash routes, so no API route is shadowed. (From dist/apps/api/src it is
  // ../../../web; from the sources, under ts-jest, ../../../dist/web; absent until built.)
  const web = ['../../../web/', '../../../dist/web/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url))).find((dir) => existsSync(dir));
  if (web) {
    // Only its own files go to the static middleware: asked every request, it would look each API
    // address up on disk first (a file-system call a request) before the API answered it.
    // (The script's source map stays out: the sources are for developers, not for every visitor.)
    const files = new Set(readdirSync(web).filter((name) => !name.endsWith('.map')));
    const serve = express.static(web, { index: 'index.html' });
    app.use((request: express.Request, response: express.Response, next: express.NextFunction) =>
      request.path === '/' || files.has(request.path.slice(1)) ? serve(request, response, next) : next(),
    );
  }
  // What the API answers is for its caller alone, and may be classified: no browser or proxy keeps
  // a copy on disk (a conditional GET with If-None-Match still gets its 304).
  app.use((request: express.Request, response: express.Response, next: express.NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    // Express tags every answer it sends (a weak ETag of its bytes), refusals too: a refusal's tag
    // would be its problem text's, which a client might send back as If-Match. Only what succeeds
    // is tagged (a record's own `"<version>"`, or Express's tag for a conditional GET's 304).
    // Nor is a change that answers no record's version (a login's token, a ticket): Express's weak tag
    // of its bytes is no version, and every ETag a change answers is one (`"<version>"`).
    onHeaders(response, () => {
      const weak = /^W\//.test(String(response.getHeader('ETag') ?? ''));
      if (response.statusCode >= 400 || (weak && request.method !== 'GET' && request.method !== 'HEAD')) response.removeHeader('ETag');
    });
    next();
  });
  app.use(...jsonBodyParser(config.bodyLimit));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = withHttpConventions(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Chancery')
      .setDescription('Cables, clearances, demarche campaigns and follow-up actions, with every change stored as an event.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  ));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** How many idle limits in a row an answer may stand still on the server's side before it is closed. */
const SERVER_QUIET_SPELLS = 5;

/**
 * A client that stops taking an answer (a download, an event stream) holds its socket, and what was
 * read for it, only until nothing has passed for `idleMs` while bytes wait for it: then the
 * connection is closed, and the answer's stream destroyed. Only the client's own stillness counts.
 * The limit starts with the answer's headers: while the server is still working on a request
 * (waiting its turn for the database, verifying the audit log) the connection is not idle on the
 * client's part. Nor is it in the middle of an answer while everything written has gone out and
 * the server is reading what comes next (a download's next chunk, waiting its turn on a busy
 * server): a quiet spell then is the server's, borne up to SERVER_QUIET_SPELLS times the limit
 * in a row. (Between requests, Node's keep-alive timeout applies; a request slow to arrive, its
 * request timeout.)
 */
function idleLimitOnceAnswering(idleMs: number) {
  return (request: express.Request, response: express.Response, next: express.NextFunction) => {
    onHeaders(response, () => {
      // With a listener of its own, the socket is not closed by the HTTP server on a quiet spell:
      // it is closed here, when the quiet is the client's (bytes waiting for it, none taken). The
      // next write restarts the count. A quiet that is the server's is borne for SERVER_QUIET_SPELLS
      // spells in a row, no byte written between them: an answer stuck for good on the server's
      // side (a read that never returns) does not hold its socket, and what was read for it, forever.
      let spells = 0;
      let written = -1;
      response.setTimeout(idleMs, () => {
        const { socket } = request;
        spells = socket.bytesWritten === written ? spells + 1 : 1;
        written = socket.bytesWritten;
        if (socket.writableLength > 0 || spells >= SERVER_QUIET_SPELLS) socket.destroy();
        else socket.setTimeout(idleMs); // counted again from now, as a write would
      });
    });
    next();
  };
}

