import { Global, Inject, Injectable, Logger, type LoggerService, Module } from '@nestjs/common';
import type { DestinationStream, Logger as Pino } from 'pino';
import { type HttpLogger, pinoHttp } from 'pino-http';
import { loggedUrl } from '@chancery/common';
import { APP_CONFIG, type AppConfig } from '@chancery/config';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** What a request's log line says of it: never its headers (a bearer token, a cookie) or its body. */
interface LoggedRequest {
  method?: string;
  url?: string;
  remoteAddress?: string;
  userAgent?: string;
}

type IncomingRequest = { method?: string; url?: string; originalUrl?: string; headers: Record<string, unknown>; socket?: { remoteAddress?: string } };

/** The error pino-http makes for a 5xx answer no error came with. */
const isMadeUp = (response: { statusCode: number; err?: unknown }, error: Error) => response.err === undefined && error.message === `failed with status code ${response.statusCode}`;

/**
 * pino-http as Chancery logs requests: one line each, naming the request's id (`requestId`), method,
 * address (the live feed's ticket left out), client, status and time. Only those fields are taken
 * from the request, so that no credential can reach the log and nothing is redacted after the fact
 * (serialising every header and then redacting some, pino-http's default, was a measurable part of
 * what answering `GET /auth/me` costs: README, bench:http). `destination`: stdout unless given (tests).
 */
export function requestLogging(level: string, destination?: DestinationStream): HttpLogger {
  return pinoHttp(
    {
      level,
      genReqId: (request) => String(request.id),
      customAttributeKeys: { reqId: 'requestId' },
      quietReqLogger: true,
      wrapSerializers: false,
      serializers: {
        req: (request: IncomingRequest): LoggedRequest => ({
          method: request.method,
          url: loggedUrl(request.originalUrl ?? request.url ?? ''),
          remoteAddress: request.socket?.remoteAddress,
          userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      autoLogging: { ignore: (request) => request.url === '/health' },
      // A 5xx answer (a 503 while stopping, the database unreachable) is logged as the answer it is:
      // its status, not an error pino-http makes up for it ("failed with status code 503", with a
      // stack of its own code). An error the request really raised is kept.
      customErrorObject: (_request, response, error, logged) => (isMadeUp(response, error) ? { res: logged.res, responseTime: logged.responseTime } : logged),
      customErrorMessage: (_request, response, error) => (isMadeUp(response, error) ? 'request completed' : 'request errored'),
    },
    destination,
  );
}

/**
 * JSON logs through pino, one line per request (pino-http, with its request id) and Nest's own log
 * calls with their context. Written here rather than taken from nestjs-pino, whose releases for
 * NestJS 12 need Node.js 22; this is the part of it Chancery used. A log call made while a request
 * is handled names the request's id itself (`{ requestId }`): the logger does not find it on its own
 * through AsyncLocalStorage, whose promise hooks cost every request ~5% of the API's CPU (bench:http).
 */
@Injectable()
export class JsonLogger implements LoggerService {
  /** The request logging middleware (Express); its logger is the process's root logger. */
  readonly http: HttpLogger;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.http = requestLogging(config.logLevel);
  }

  get pino(): Pino {
    return this.http.logger;
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes the context last; an error's stack, when Nest's own handlers log one, before it. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length > 0) {
      fields.context = params[params.length - 1];
      rest = params.slice(0, -1);
    }
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, ...(rest as []));
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message }, ...(rest as []));
    } else if (level === 'error' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      const err = new Error(String(message));
      err.stack = rest[0];
      this.pino[level]({ ...fields, err });
    } else {
      this.pino[level](fields, String(message), ...(rest as []));
    }
  }
}

/**
 * Provides JsonLogger. Its request logging (`http`) is mounted by the API's `configureApp` ahead of
 * the body parser, so that a request refused before any route (a body that is not JSON, one too
 * large, one come while the server stops) gets its line too.
 */
@Global()
@Module({ providers: [JsonLogger], exports: [JsonLogger] })
export class JsonLoggerModule {}

/**
 * A start that failed before the app's logger was in place: what Nest held back (the database
 * chosen, the migrations applied, its report of the failure) written as the JSON lines the running
 * process writes, not in Nest's own multi-line format.
 */
export function flushHeldLogsAsJson(config: AppConfig): void {
  Logger.overrideLogger(new JsonLogger(config));
  Logger.flush();
}

