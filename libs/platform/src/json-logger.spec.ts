import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { requestLogging } from './json-logger.js';

describe('request logging', () => {
  it('writes one line per request with no ticket, token or cookie in it', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logging = requestLogging('info', destination);
    const server = createServer((request, response) => {
      (request as typeof request & { id: string }).id = 'req-1';
      // Express parses the query; pino's serializer logs it.
      (request as typeof request & { query: object }).query = Object.fromEntries(new URL(request.url!, 'http://x').searchParams);
      logging(request, response, () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/events/stream?ticket=s3cret-ticket&since=5`, {
        headers: { authorization: 'Bearer s3cret-token', cookie: 'session=s3cret-cookie' },
      });
      expect(await answer.text()).toBe('ok');
      for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      server.close();
    }
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ requestId: 'req-1', req: { method: 'GET', url: '/events/stream?ticket=[Redacted]&since=5' }, res: { statusCode: 200 } });
    expect(typeof line.responseTime).toBe('number');
    expect(lines[0]).not.toMatch(/s3cret/);
    // Only what the line needs is taken from the request: no header but the client's name.
    expect(Object.keys(line.req).sort()).toEqual(['method', 'remoteAddress', 'url', 'userAgent']);
  });

  it('logs a 5xx answer as the answer it is, with no error made up for it; an error the request raised is kept', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logging = requestLogging('info', destination);
    const server = createServer((request, response) => {
      (request as typeof request & { id: string }).id = request.url === '/raised' ? 'req-raised' : 'req-503';
      logging(request, response, () => {
        if (request.url === '/raised') (response as typeof response & { err?: Error }).err = new Error('the handler threw');
        response.statusCode = request.url === '/raised' ? 500 : 503;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const path of ['/stopping', '/raised']) await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
      for (let i = 0; i < 50 && lines.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      server.close();
    }
    const [stopping, raised] = lines.map((line) => JSON.parse(line));
    expect(stopping).toMatchObject({ requestId: 'req-503', res: { statusCode: 503 }, msg: 'request completed' });
    expect(stopping.err).toBeUndefined();
    expect(raised).toMatchObject({ requestId: 'req-raised', res: { statusCode: 500 }, err: { message: 'the handler threw' }, msg: 'request errored' });
  });
});
