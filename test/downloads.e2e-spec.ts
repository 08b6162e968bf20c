import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A document's download as its clients take it: a HEAD request reads none of its bytes and
 * records no download; on the server's own socket (HTTP_IDLE_TIMEOUT_MS here 3 s), a client that
 * stops reading is cut off and no more of the document is read for it, one that reads slowly but
 * steadily gets the whole document, as does one whose next chunk the server is slow to read, and a request the server works on for longer than the limit
 * before answering is answered, not cut.
 */
describe('downloads and the clients that take them', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  let path: string;
  let token: string;
  const document = Buffer.alloc(6 * 1024 * 1024, 'The aide-memoire as handed over. ');
  const CHUNKS = 6; // the reader's 1 MB chunks
  let chunkReads = 0;
  /** While set, every read of a document's bytes waits for it: a read the database never answers. */
  let stall: Promise<void> | undefined;
  let folder: string;
  let socketPath: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true', HTTP_IDLE_TIMEOUT_MS: '3000', LIVE_HEARTBEAT_MS: '500', DB_POOL_SIZE: '3' } }));
    dataSource = app.get(DataSource);
    // Every read of a document's bytes, counted as the statements go out.
    const createRunner = dataSource.createQueryRunner.bind(dataSource);
    jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
      const runner = createRunner(...args);
      const query = runner.query.bind(runner);
      runner.query = (async (text: string, ...rest: unknown[]) => {
        if (text.includes('substring(content FROM')) {
          chunkReads++;
          await stall;
        }
        return (query as (...a: unknown[]) => unknown)(text, ...rest);
      }) as typeof runner.query;
      return runner;
    });
    folder = await mkdtemp(join(tmpdir(), 'chancery-downloads-'));
    socketPath = join(folder, 'api.sock');
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const approver = (await createUser(app, admin, { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    token = (await createUser(app, admin, { username: 'bjpol', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const id = await releaseCable(app, drafter, approver, {
      kind: 'INSTRUCTION', subject: 'Distillation', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Raise it.' }],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    });
    expect((await awaitCampaign(app, drafter, id)).status).toBe(200);
    const delivery = `/demarches/${id}/deliveries/BEIJING`;
    const uploaded = await request(app.getHttpServer()).post(`${delivery}/documents`).set('Authorization', `Bearer ${token}`).field('kind', 'AIDE_MEMOIRE').attach('file', document, { filename: 'handed.txt' }).expect(201);
    path = `${delivery}/documents/${uploaded.body.id}`;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const downloadsAudited = async () => (await dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'DownloadDocument'`))[0].n as number;

  it('answers HEAD with the download\'s headers, reading none of its bytes and recording no download', async () => {
    const before = { chunkReads, downloads: await downloadsAudited() };
    const head = await request(app.getHttpServer()).head(path).set('Authorization', `Bearer ${token}`).expect(200);
    expect(head.headers['content-length']).toBe(String(document.length));
    expect(head.headers['content-disposition']).toContain('handed.txt');
    expect({ chunkReads, downloads: await downloadsAudited() }).toEqual(before);
    // The same route's GET does read them (the count is of real reads).
    await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`).expect(200);
    expect({ chunkReads, downloads: await downloadsAudited() }).toEqual({ chunkReads: before.chunkReads + CHUNKS, downloads: before.downloads + 1 });
    // Still under the campaign's reading rights: another post's officer may not even ask.
    const admin = await loginAsAdmin(app);
    const paris = (await createUser(app, admin, { username: 'papol', roles: ['post_officer'], postCode: 'PARIS', clearance: 'SECRET' })).token;
    await request(app.getHttpServer()).head(path).set('Authorization', `Bearer ${paris}`).expect(403);
  });

  /** A raw client over the server's socket asking for the document; it counts what comes. */
  function client(): { socket: Socket; received: () => number; closed: Promise<void> } {
    const socket = connect(socketPath);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: chancery\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return { socket, received: () => received, closed };
  }

  const connections = () => new Promise<number>((resolve, reject) => app.getHttpServer().getConnections((error: Error | null, count: number) => (error ? reject(error) : resolve(count))));

  it('closes the connection of a client that stops reading', async () => {
    // From here on over a unix socket: its kernel buffers are small and fixed (TCP's grow to
    // megabytes on loopback, and would take the whole document in).
    await new Promise<void>((resolve) => app.getHttpServer().listen(socketPath, resolve));
    const readsBefore = chunkReads;
    const stalled = client();
    // It takes the headers and a little, then stops reading.
    await new Promise<void>((resolve) => stalled.socket.once('data', () => resolve()));
    stalled.socket.pause();
    // The server closes it. (Without the idle limit, it would hold it until jest gives up.)
    while ((await connections()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const readsAtClose = chunkReads;
    // What was under way comes out of the buffers, and then the end: the document cut short.
    stalled.socket.resume();
    await stalled.closed;
    expect(stalled.received()).toBeLessThan(document.length);
    // And no more of it is read for the client that went: its stream was destroyed with the connection.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(chunkReads).toBe(readsAtClose);
    expect(readsAtClose - readsBefore).toBeLessThan(CHUNKS);
  }, 30_000);

  it('lets a client that reads slowly but steadily take the whole document', async () => {
    const slow = connect(socketPath);
    slow.write(`GET ${path} HTTP/1.1\r\nHost: chancery\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    // At most 128 KB every 100 ms: each pause well under the idle limit, the whole longer than it.
    const chunks: Buffer[] = [];
    const body = () => {
      const all = Buffer.concat(chunks);
      return all.subarray(all.indexOf('\r\n\r\n') + 4);
    };
    const started = Date.now();
    while (body().length < document.length && Date.now() - started < 25_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const chunk = (slow.read(128 * 1024) ?? slow.read()) as Buffer | null;
      if (chunk) chunks.push(chunk);
    }
    slow.destroy();
    expect(Buffer.concat(chunks).toString('latin1')).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(Buffer.compare(body(), document)).toBe(0);
    // It did take longer than the limit: the limit is on a pause, not on a download.
    expect(Date.now() - started).toBeGreaterThan(3000);
  }, 30_000);

  it('lets a client take the whole document when the server is slower than the idle limit to read a later chunk', async () => {
    const reader = connect(socketPath);
    const chunks: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    reader.write(`GET ${path} HTTP/1.1\r\nHost: chancery\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    await new Promise<void>((resolve) => reader.once('data', () => resolve()));
    // Its three pooled connections busy for 4 s as the first chunks go out: the next chunk's read
    // waits its turn longer than the 3 s limit, while the client has taken all it was sent.
    const busy = Promise.all([1, 2, 3].map(() => dataSource.query('SELECT pg_sleep(4)')));
    await busy;
    await closed;
    const all = Buffer.concat(chunks);
    expect(all.toString('latin1')).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(Buffer.compare(all.subarray(all.indexOf('\r\n\r\n') + 4), document)).toBe(0);
  }, 30_000);

  it('closes a download stuck on the server\'s side once it has stood still for five idle limits in a row', async () => {
    // A later chunk's read waits for good, the client having taken all. (Stalled in the query runner,
    // not by a table lock: a lock would give a transaction id, which holds the event feed back for
    // every database on the server, and other test files run beside this one.)
    let unstall = () => undefined as void;
    try {
      const reader = connect(socketPath);
      let received = 0;
      reader.on('data', (chunk: Buffer) => (received += chunk.length));
      const closed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
      reader.write(`GET ${path} HTTP/1.1\r\nHost: chancery\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
      await new Promise<void>((resolve) => reader.once('data', () => resolve()));
      stall = new Promise<void>((resolve) => (unstall = resolve));
      const lockedAt = Date.now();
      await closed;
      // Cut short, and not at the first quiet spell: that one was the server's (3 s here; five make 15 s).
      expect(received).toBeLessThan(document.length);
      expect(Date.now() - lockedAt).toBeGreaterThan(2 * 3000);
    } finally {
      stall = undefined;
      unstall();
    }
  }, 45_000);

  it('answers a request the server works on for longer than the idle limit before answering', async () => {
    // Its three pooled connections busy for 4 s: a read waits its turn, longer than the 3 s limit.
    const busy = Promise.all([1, 2, 3].map(() => dataSource.query('SELECT pg_sleep(4)')));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const slow = connect(socketPath);
    let answer = '';
    slow.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => slow.on('close', () => resolve()));
    slow.write(`GET ${path.replace(/\/documents\/.*$/, '')} HTTP/1.1\r\nHost: chancery\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    await busy;
    await closed;
    expect(answer).toMatch(/^HTTP\/1.1 200 OK\r\n/);
  }, 30_000);
});
