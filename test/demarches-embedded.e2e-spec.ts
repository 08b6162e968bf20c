import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OverdueScheduler } from '@chancery/demarches';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { listening } from './support/sse.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';
import { docx } from './support/zip.js';

/**
 * Issue #16 on the embedded database (PGlite, one pooled connection): a scoped campaign opened by
 * the runner, repeated responses, a reporting cable checked and a document stored inside their
 * commands' transactions, a download, a follow-up escalated and reassigned. A command that took a
 * second connection while holding the first would hang here.
 */
/** supertest's parser for a body kept as its bytes (a document as downloaded). */
function asBytes(response: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('demarches kept over time, on the embedded database', () => {
  let dataDir: string;
  let app: INestApplication;
  /** Beijing's delivery of the campaign the first test opens, and its officer's token. */
  let beijingDelivery: { path: string; token: string } | undefined;
  const clock = new TestClock(new Date('2026-11-29T09:00:00Z'));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chancery-demarches-embedded-'));
    ({ app } = await createTestApp(undefined, { env: { CHANCERY_DATA_DIR: dataDir, JWT_SECRET: '', SEED_POSTS: 'true' }, clock }));
  });
  afterAll(async () => {
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('records, checks, stores and escalates on one connection', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const approver = (await createUser(app, admin, { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    const beijing = (await createUser(app, admin, { username: 'bjpol', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const beijingApprover = (await createUser(app, admin, { username: 'bjdcm', roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const frontOffice = (await createUser(app, admin, { username: 'eap.fo', roles: ['leadership'], office: 'EAP', clearance: 'SECRET' })).token;
    const id = await releaseCable(app, drafter, approver, {
      kind: 'INSTRUCTION', subject: 'Distillation', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING', 'SHANGHAI'], paragraphs: [{ marking: 'U', text: 'Raise it.' }],
      demarche: { reportBy: '2026-12-15', targets: 'MFA', points: [1], scope: { kinds: ['EMBASSY'] } },
    });
    const campaign = (await awaitCampaign(app, drafter, id)).body;
    expect(campaign.deliveries.map((d: { post: string }) => d.post)).toEqual(['BEIJING']);

    const path = `/demarches/${id}/deliveries/BEIJING`;
    beijingDelivery = { path, token: beijing };
    await authed(app, beijing).post(`${path}/delivery`, { deliveredOn: '2026-11-29', counterpart: { name: 'Li Wei', title: 'DG', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' }).expect(201);
    await authed(app, beijing).post(`${path}/response`, { receivedOn: '2026-11-29', position: 'NONCOMMITTAL', summary: 'Will study.' }).expect(201);
    const reply = await releaseCable(app, beijing, beijingApprover, {
      kind: 'REPORTING', subject: 'PRC answers', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn: campaign.mrn }], paragraphs: [{ marking: 'U', text: 'Baseless, they said.' }],
    });
    const answered = await authed(app, beijing).post(`${path}/response`, {
      receivedOn: '2026-11-29', position: 'REJECTED', summary: 'Baseless.', quotes: [{ text: '毫无根据', language: 'zh', translation: 'Baseless' }], reportingCableId: reply,
    }).expect(201);
    expect(answered.body).toMatchObject({ position: 'REJECTED', positionChanged: true, reportingCables: [{ response: 2, cableId: reply, mrn: expect.stringMatching(/BEIJING/) }] });

    const file = docx('Non-paper');
    const uploaded = await request(app.getHttpServer()).post(`${path}/documents`).set('Authorization', `Bearer ${beijing}`).field('kind', 'NON_PAPER').attach('file', file, { filename: 'non-paper.docx' }).expect(201);
    expect(uploaded.body.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    const got = await request(app.getHttpServer()).get(`${path}/documents/${uploaded.body.id}`).set('Authorization', `Bearer ${drafter}`).buffer(true)
      .parse(asBytes as never)
      .expect(200);
    expect(Buffer.compare(got.body as Buffer, file)).toBe(0);

    const followUp = (await authed(app, drafter).post('/follow-ups', { title: 'Answer it', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', demarcheId: id, post: 'BEIJING', response: 2 }).expect(201)).body;
    clock.set('2026-12-03T09:00:00Z');
    await app.get(OverdueScheduler).scan();
    expect((await authed(app, frontOffice).get('/inbox').expect(200)).body.escalated.map((f: { followUpId: string }) => f.followUpId)).toEqual([followUp.id]);
    // Answered as read, within the command's transaction; a PATCH that writes nothing, after it.
    const redated = await authed(app, frontOffice).patch(`/follow-ups/${followUp.id}`, { dueOn: '2026-12-10' }).expect(200);
    expect(redated.body).toEqual((await authed(app, frontOffice).get(`/follow-ups/${followUp.id}`).expect(200)).body);
    const unchanged = await authed(app, drafter).patch(`/follow-ups/${followUp.id}`, { dueOn: '2026-12-10' }).expect(200);
    expect(unchanged.body).toEqual((await authed(app, drafter).get(`/follow-ups/${followUp.id}`).expect(200)).body);
    expect((await authed(app, frontOffice).get('/inbox').expect(200)).body.escalated).toEqual([]);
  }, 120_000);

  it('answers other requests promptly while many large documents are downloaded at once', async () => {
    const { path, token } = beijingDelivery!;
    const large = Buffer.alloc(8 * 1024 * 1024, 'The points as delivered, and the answer given. ');
    const uploaded = await request(app.getHttpServer()).post(`${path}/documents`).set('Authorization', `Bearer ${token}`).field('kind', 'AIDE_MEMOIRE').attach('file', large, { filename: 'points.txt' }).expect(201);
    const base = await listening(app);
    let finished = 0;
    const downloads = Array.from({ length: 24 }, async () => {
      const response = await fetch(`${base}${path}/documents/${uploaded.body.id}`, { headers: { Authorization: `Bearer ${token}` } });
      const body = Buffer.from(await response.arrayBuffer());
      finished++;
      return { status: response.status, retryAfter: response.headers.get('retry-after'), intact: Buffer.compare(body, large) === 0 };
    });
    // Meanwhile, the readiness check and a signed-in read, one after another.
    for (let i = 0; i < 5; i++) {
      await request(app.getHttpServer()).get('/health').expect(200);
      await authed(app, token).get('/auth/me').expect(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Read all at once, the downloads kept the one connection from the others until nearly all of
    // them were read (the first /health waited behind every read). Now the others get in between
    // two chunks: they are all answered while most downloads are still under way. (An order, not
    // a time, so that it holds on a busy machine.)
    const finishedBeforeOthers = finished;
    const answered = await Promise.all(downloads);
    // Every download whole, or refused with a time to come back: never a truncated document.
    for (const answer of answered) expect(answer.status === 200 ? answer.intact : answer.status === 503 && answer.retryAfter === '2').toBe(true);
    expect(finishedBeforeOthers).toBeLessThan(12);
  }, 60_000);

  it('streams a document as its client takes it, so that clients that stop reading hold neither the database nor whole documents', async () => {
    const { path, token } = beijingDelivery!;
    const document = Buffer.alloc(10 * 1024 * 1024 - 4096, 'What the counterpart was handed. ');
    const uploaded = await request(app.getHttpServer()).post(`${path}/documents`).set('Authorization', `Bearer ${token}`).field('kind', 'AIDE_MEMOIRE').attach('file', document, { filename: 'handed.txt' }).expect(201);
    // Every chunk read of a document's bytes, counted as the statements go out.
    const dataSource = app.get(DataSource);
    const createRunner = dataSource.createQueryRunner.bind(dataSource);
    let chunkReads = 0;
    let failOnce = false; // the next read of a chunk after the first fails as a busy database does
    const spy = jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
      const runner = createRunner(...args);
      const query = runner.query.bind(runner);
      runner.query = ((text: string, ...rest: unknown[]) => {
        if (text.includes('substring(content FROM')) {
          chunkReads++;
          if (failOnce && (rest[0] as unknown[])[1] !== 1) {
            failOnce = false;
            return Promise.reject(Object.assign(new Error('could not serialize access'), { driverError: { code: '40001' } }));
          }
        }
        return (query as (...a: unknown[]) => unknown)(text, ...rest);
      }) as typeof runner.query;
      return runner;
    });
    // Over a unix socket: its kernel buffers are small and fixed (TCP's grow to megabytes on loopback).
    const folder = await mkdtemp(join(tmpdir(), 'chancery-download-'));
    const server = createServer(app.getHttpAdapter().getInstance());
    await new Promise<void>((resolve) => server.listen(join(folder, 'api.sock'), resolve));
    const stalled = Array.from({ length: 6 }, () => {
      const client = connect(join(folder, 'api.sock'));
      client.write(`GET ${path}/documents/${uploaded.body.id} HTTP/1.1\r\nHost: chancery\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      client.pause(); // and never reads
      return client;
    });
    try {
      // Each has read its first chunk (a busy machine may take a while), and had time to read on.
      for (const deadline = Date.now() + 15_000; chunkReads < 6 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const whileStalled = chunkReads;
      // Read whole before sending, as they were, the six would have read all ten chunks each.
      expect(whileStalled).toBeGreaterThanOrEqual(6);
      expect(whileStalled).toBeLessThanOrEqual(6 * 3);
      // Meanwhile, another download goes through whole.
      const whole = await request(app.getHttpServer()).get(`${path}/documents/${uploaded.body.id}`).set('Authorization', `Bearer ${token}`).buffer(true)
        .parse(asBytes as never)
        .expect(200);
      expect(whole.headers['content-length']).toBe(String(document.length));
      expect(Buffer.compare(whole.body as Buffer, document)).toBe(0);
      // A chunk after the first, refused once by a busy database, is read again: the download is whole.
      failOnce = true;
      const retried = await request(app.getHttpServer()).get(`${path}/documents/${uploaded.body.id}`).set('Authorization', `Bearer ${token}`).buffer(true)
        .parse(asBytes as never)
        .expect(200);
      expect(failOnce).toBe(false);
      expect(Buffer.compare(retried.body as Buffer, document)).toBe(0);
    } finally {
      for (const client of stalled) client.destroy();
      spy.mockRestore();
      await new Promise((resolve) => server.close(resolve));
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
