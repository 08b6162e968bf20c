import { EventEmitter } from 'node:events';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import type { Pool } from 'pg';
import { watchPool } from '@chancery/database';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { parseIfMatch } from './command-context.decorator.js';
import { problemType, statusFor } from './problem-details.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';

describe('problem details', () => {
  it('maps every error code to a 4xx status, but the database asking for a retry (503)', () => {
    expect(statusFor(ErrorCode.DatabaseBusy)).toBe(503);
    for (const code of Object.values(ErrorCode).filter((c) => c !== ErrorCode.DatabaseBusy)) {
      const status = statusFor(code);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    expect(statusFor(ErrorCode.PreconditionFailed)).toBe(412);
    expect(statusFor(ErrorCode.IdempotencyKeyReused)).toBe(422);
    expect(statusFor(ErrorCode.ConcurrencyConflict)).toBe(409);
  });

  it('names problem types by code', () => {
    expect(problemType(ErrorCode.ConcurrencyConflict)).toBe('urn:chancery:problem:concurrency-conflict');
  });
});

describe('If-Match', () => {
  it.each([
    ['"3"', [3]],
    ['W/"12"', []],
    ['7', [7]],
    ['"1", "2"', [1, 2]],
    ['"4",W/"5"', [4]],
    ['"1", , "2",', [1, 2]],
    ['*', undefined],
    // Compared character for character: a version spelled otherwise than its ETag names none.
    ['"01"', []],
    ['01', []],
    ['"0"', [0]],
    ['"01", "2"', [2]],
  ])('reads %s as %j', (header, versions) => {
    expect(parseIfMatch(header)).toEqual(versions);
  });

  it('reads a header sent twice as one list', () => {
    expect(parseIfMatch(['"1"', '"2"'])).toEqual([1, 2]);
  });

  it('is absent without the header', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it.each(['"a"', '"1", "b"', ', ,', '*, "2"', '', '-1', '"3', '3"', 'W/3', 'W/"3', '""3""'])('refuses %j', (header) => {
    expect(() => parseIfMatch(header)).toThrow(ChanceryError);
  });
});

describe('ProblemDetailsFilter', () => {
  // What the filter logs, captured instead of printed: these failures are provoked on purpose.
  let logged: { level: string; message: string }[];
  const capture = (level: string) => (first: unknown, ...rest: unknown[]) =>
    void logged.push({ level, message: typeof first === 'string' ? first : String(rest.find((r) => typeof r === 'string' && r !== 'HTTP') ?? '') });
  const captor: LoggerService = { log: capture('log'), error: capture('error'), warn: capture('warn') };
  beforeEach(() => {
    logged = [];
    Logger.overrideLogger(captor);
  });
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  const answer = (exception: unknown, requestState: object = {}) => {
    const sent: { status?: number; body?: string } = {};
    const response = {
      headersSent: false,
      setHeader: () => undefined,
      status(code: number) { sent.status = code; return this; },
      type() { return this; },
      send(body: string) { sent.body = body; return this; },
    };
    const request = { id: 'req-1', method: 'GET', originalUrl: '/x?offset=1e40', path: '/x', ...requestState };
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) };
    new ProblemDetailsFilter().catch(exception, host as never);
    return { status: sent.status, body: JSON.parse(sent.body!) };
  };

  it('answers a value PostgreSQL refuses (SQLSTATE class 22) as 400, without the SQL', () => {
    const refused = Object.assign(new Error('value "1e40" is out of range for type bigint'), { query: 'SELECT * FROM t OFFSET $1', driverError: { code: '22003' } });
    const { status, body } = answer(refused);
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', requestId: 'req-1' });
    expect(JSON.stringify(body)).not.toMatch(/SELECT|bigint|out of range for/);
    expect(logged).toEqual([{ level: 'warn', message: 'PostgreSQL refused a value on GET /x' }]);
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { driverError: { code: '57P01' } })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a new connection not opened in time', new Error('Connection terminated due to connection timeout')],
    ['a database not accepting connections', Object.assign(new Error('database "chancery" is not currently accepting connections'), { code: '55000' })],
    ['a database dropped', Object.assign(new Error('database "chancery" does not exist'), { code: '3D000' })],
    ['a login refused', Object.assign(new Error('password authentication failed for user "chancery"'), { code: '28P01' })],
    ['a host not found', Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND' })],
  ])('answers %s as 503, to be retried', (_what, exception) => {
    const { status, body } = answer(exception);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 503, retryAfter: 2 });
    expect(logged).toEqual([{ level: 'warn', message: 'Database unavailable on GET /x' }]); // an outage, not a bug
  });

  it.each([
    ['a deadlock', '40P01'],
    ['a serialization failure', '40001'],
    ['a lock timeout', '55P03'],
  ])('answers %s outside a command as 503 busy, to be retried', (_what, code) => {
    const { status, body } = answer(Object.assign(new Error('deadlock detected'), { driverError: { code } }));
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 503, retryAfter: 1, detail: 'The database is busy; try again shortly.' });
  });

  it('answers a wait for a pooled connection that passed DB_ACQUIRE_TIMEOUT_MS as 503 busy while connections are open, else as not reachable', () => {
    // pg-pool's own error, with no code. With no connection open, the wait ran out behind
    // connections that could not be opened: the database is down, not busy.
    const waited = () => answer(new Error('timeout exceeded when trying to connect'));
    expect(waited()).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE', retryAfter: 2, detail: 'The database is not reachable; try again shortly.' } });
    expect(logged).toEqual([{ level: 'warn', message: 'Database unavailable on GET /x' }]);
    logged = [];
    const pool = Object.assign(new EventEmitter(), { totalCount: 1 });
    watchPool(pool as unknown as Pool);
    const client = {};
    pool.emit('connect', client); // every connection of the pool open, and taken
    expect(waited()).toMatchObject({ status: 503, body: { code: 'DATABASE_BUSY', retryAfter: 1, detail: 'The database is busy; try again shortly.' } });
    expect(logged).toEqual([{ level: 'warn', message: 'Database busy on GET /x' }]);
    // Removed by the pool, its connection not closed yet (a silent peer): no longer counted.
    pool.totalCount = 0;
    expect(waited().body.code).toBe('SERVICE_UNAVAILABLE');
    pool.totalCount = 1;
    pool.emit('remove', client);
    expect(waited().body.code).toBe('SERVICE_UNAVAILABLE');
  });

  it.each([
    ["multer's report", new Error('Request aborted')],
    ["the request stream's own error, whose code a database error could have", Object.assign(new Error('aborted'), { code: 'ECONNRESET' })],
  ])('takes a request whose client went away before sending it whole (%s) as the client’s doing, logged as information', (_what, exception) => {
    const { status } = answer(exception, { complete: false, readableAborted: true });
    expect(status).toBe(400);
    expect(logged).toEqual([{ level: 'log', message: 'The client went away before GET /x was received whole' }]);
  });

  it('still reports a failure of ours on a request whose client went away (a guard reading the database, a bug)', () => {
    for (const exception of [new TypeError('x is undefined'), new Error('Connection terminated unexpectedly')]) {
      logged = [];
      expect(answer(exception, { complete: false, readableAborted: true }).status).toBeGreaterThanOrEqual(500);
      expect(logged.map((line) => line.level)).not.toContain('log');
    }
  });

  it('answers any other failure as 500 with only the request id to quote', () => {
    const { status, body } = answer(Object.assign(new Error('relation "secret" does not exist'), { driverError: { code: '42P01' } }));
    expect(status).toBe(500);
    expect(body.detail).toBe('An internal error occurred; quote request id req-1 when reporting it.');
    expect(logged).toEqual([{ level: 'error', message: 'Unhandled error on GET /x?offset=1e40' }]);
  });
});
