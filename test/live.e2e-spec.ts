import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProjectionRunner, START_OF_FEED } from '@chancery/event-store';
import { AuthService } from '@chancery/identity';
import { LiveFeed } from '../apps/api/src/live/live-feed.js';
import { capturingLogs } from './support/captured-logs.js';
import { authed } from './support/http.js';
import { startSmtpServer } from './support/smtp.js';
import { listening, openStream, type OpenStream, type SseMessage } from './support/sse.js';
import { createTestApp, createUser, loginAsAdmin, TEST_JWT_SECRET } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const draft = (subject: string, classification: 'UNCLASSIFIED' | 'CONFIDENTIAL') => ({
  kind: 'INFORMATIONAL',
  subject,
  classification,
  captions: [],
  precedence: 'ROUTINE',
  tags: ['PREL', 'CH'],
  actionAddressees: ['BEIJING'],
  paragraphs: [{ marking: classification === 'CONFIDENTIAL' ? 'C' : 'U', text: `${subject}: the text.` }],
  ...(classification === 'CONFIDENTIAL'
    ? { classifiedBy: { name: 'Jane Doe', title: 'Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' } }
    : {}),
});

const about = (id: string) => (m: SseMessage) => m.type === 'change' && (m.data as { record: { id: string } }).record.id === id;

describe('live updates (GET /events/stream)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const tokens: Record<string, string> = {};
  const streams: OpenStream[] = [];

  const ticketFor = async (token: string) => (await authed(app, token).post('/events/ticket').expect(201)).body.ticket as string;
  const streamOf = async (user: string) => {
    const stream = await openStream(base, `/events/stream?ticket=${await ticketFor(tokens[user])}`);
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.waitFor((m) => m.type === 'ready');
    return stream;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true', LIVE_HEARTBEAT_MS: '300', PROJECTIONS_POLL_MS: '100' } }));
    base = await listening(app);
    const admin = await loginAsAdmin(app);
    for (const [username, roles, office, clearance] of [
      ['jdoe', ['drafter'], 'EAP/CM', 'SECRET'],
      ['lclear', ['clearer'], 'L', 'SECRET'],
      ['lunclass', ['clearer'], 'L', 'UNCLASSIFIED'],
      ['eur', ['drafter'], 'EUR/WE', 'SECRET'],
      ['leaver', ['drafter'], 'EUR/WE', 'SECRET'],
    ] as const) {
      tokens[username] = (await createUser(app, admin, { username, roles: [...roles], office, clearance })).token;
    }
  }, 120_000);
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await app.close();
    await database.drop();
  });

  it('refuses a stream without a good ticket or token, with 401 problem+json; a ticket works once', async () => {
    for (const path of ['/events/stream', '/events/stream?ticket=not-a-ticket', `/events/stream?ticket=${'A'.repeat(43)}`, '/events/stream?ticket=']) {
      const refused = await openStream(base, path);
      expect({ path, status: refused.status }).toEqual({ path, status: 401 });
      expect(refused.contentType).toMatch(/application\/problem\+json/);
    }
    await request(app.getHttpServer()).post('/events/ticket').expect(401);
    // A ticket is no record with a version: If-Match is refused, malformed or not.
    const asked = (ifMatch: string) => request(app.getHttpServer()).post('/events/ticket').set('Authorization', `Bearer ${tokens.jdoe}`).set('If-Match', ifMatch);
    await asked('"3').expect(400);
    await asked('"1"').expect(412);
    const ticket = await ticketFor(tokens.eur);
    const first = await openStream(base, `/events/stream?ticket=${ticket}`);
    streams.push(first);
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/text\/event-stream/);
    const again = await openStream(base, `/events/stream?ticket=${ticket}`);
    expect(again.status).toBe(401);
    // Other clients may send the bearer token instead; a bad one is refused.
    const bearer = await openStream(base, '/events/stream', { Authorization: `Bearer ${tokens.eur}` });
    streams.push(bearer);
    expect(bearer.status).toBe(200);
    expect((await openStream(base, '/events/stream', { Authorization: 'Bearer nonsense' })).status).toBe(401);
  });

  it('tells each user of the records they may read, and nothing of the others', async () => {
    const [drafter, clearer, unclassifiedClearer, outsider] = [await streamOf('jdoe'), await streamOf('lclear'), await streamOf('lunclass'), await streamOf('eur')];
    const secret = (await authed(app, tokens.jdoe).post('/cables', draft('Live secret', 'CONFIDENTIAL')).expect(201)).body.id as string;
    const notice = await drafter.waitFor(about(secret));
    // The notice names the record, never its content.
    expect(notice.data).toEqual({ eventType: 'CableDrafted', streamType: 'cable', id: secret, version: 1, record: { type: 'cable', id: secret }, mine: true });
    expect(JSON.stringify(drafter.messages)).not.toContain('Live secret');

    await authed(app, tokens.jdoe).post(`/cables/${secret}/clearance-requests`, { offices: ['L'] }).expect(200);
    const asked = await clearer.waitFor((m) => about(secret)(m) && (m.data as { eventType: string }).eventType === 'ClearancesRequested');
    expect(asked.data).toMatchObject({ notification: true });
    expect(asked.data).not.toHaveProperty('mine');
    expect(clearer.messages.filter(about(secret))).toHaveLength(1); // not its draft: L was not asked yet

    // Barriers: an event each of them may read, after the ones they may not. The feed is in
    // commit order, so by the time the barrier arrives the earlier notices would have too.
    const plain = (await authed(app, tokens.jdoe).post('/cables', draft('Live plain', 'UNCLASSIFIED')).expect(201)).body.id as string;
    await authed(app, tokens.jdoe).post(`/cables/${plain}/clearance-requests`, { offices: ['L'] }).expect(200);
    await unclassifiedClearer.waitFor(about(plain));
    const own = (await authed(app, tokens.eur).post('/cables', draft('Outsider own', 'UNCLASSIFIED')).expect(201)).body.id as string;
    await outsider.waitFor(about(own));
    expect(unclassifiedClearer.messages.filter(about(secret))).toEqual([]);
    expect(outsider.messages.filter(about(secret))).toEqual([]);
    expect(outsider.messages.filter(about(plain))).toEqual([]);
    expect(drafter.messages.filter(about(own))).toEqual([]);
  });

  it('hears of what another process writes (read from the feed, not only from in-process appends)', async () => {
    const { app: other } = await createTestApp(database);
    try {
      const stream = await streamOf('lclear');
      const token = (await request(other.getHttpServer()).post('/auth/login').send({ username: 'jdoe', password: 'jdoe-password-123' }).expect(200)).body.accessToken as string;
      const id = (await authed(other, token).post('/cables', draft('Written elsewhere', 'UNCLASSIFIED')).expect(201)).body.id as string;
      await authed(other, token).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
      await stream.waitFor((m) => about(id)(m) && (m.data as { notification?: boolean }).notification === true);
    } finally {
      await other.close();
    }
  });

  it('marks as a notification for someone only what happened while they held the office or post it was addressed to', async () => {
    const earlier = (await authed(app, tokens.jdoe).post('/cables', draft('Asked before the newcomer', 'UNCLASSIFIED')).expect(201)).body.id as string;
    await authed(app, tokens.jdoe).post(`/cables/${earlier}/clearance-requests`, { offices: ['L'] }).expect(200);
    tokens.lnewcomer = (await createUser(app, await loginAsAdmin(app), { username: 'lnewcomer', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    const [newcomer, clearer] = [await streamOf('lnewcomer'), await streamOf('lclear')];
    const asked = (id: string) => (m: SseMessage) => about(id)(m) && (m.data as { eventType: string }).eventType === 'ClearancesRequested';
    // The feed told again from its start, as a stream opened while it runs behind hears it: L's
    // clearers may read the cable, but the request was made of those in L before the newcomer came.
    await app.get(LiveFeed).rewind(START_OF_FEED);
    expect((await clearer.waitFor(asked(earlier))).data).toMatchObject({ notification: true });
    expect((await newcomer.waitFor(asked(earlier))).data).not.toHaveProperty('notification');
    const later = (await authed(app, tokens.jdoe).post('/cables', draft('Asked once the newcomer came', 'UNCLASSIFIED')).expect(201)).body.id as string;
    await authed(app, tokens.jdoe).post(`/cables/${later}/clearance-requests`, { offices: ['L'] }).expect(200);
    expect((await newcomer.waitFor(asked(later))).data).toMatchObject({ notification: true });
  });

  it('marks as a notification for someone only what happened while they held the role it was addressed to', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = await createUser(app, admin, { username: 'lpromoted', roles: ['drafter'], office: 'L', clearance: 'SECRET' });
    tokens.lpromoted = drafter.token;
    const earlier = (await authed(app, tokens.jdoe).post('/cables', draft('Asked before the drafter cleared', 'UNCLASSIFIED')).expect(201)).body.id as string;
    await authed(app, tokens.jdoe).post(`/cables/${earlier}/clearance-requests`, { offices: ['L'] }).expect(200);
    await authed(app, admin).patch(`/users/${drafter.id}`, { roles: ['drafter', 'clearer'] }).expect(200);
    const promoted = await streamOf('lpromoted');
    const asked = (id: string) => (m: SseMessage) => about(id)(m) && (m.data as { eventType: string }).eventType === 'ClearancesRequested';
    // In L all along, but made a clearer after L's clearers were asked: no notice of theirs.
    await app.get(LiveFeed).rewind(START_OF_FEED);
    expect((await promoted.waitFor(asked(earlier))).data).not.toHaveProperty('notification');
    const later = (await authed(app, tokens.jdoe).post('/cables', draft('Asked once the drafter cleared', 'UNCLASSIFIED')).expect(201)).body.id as string;
    await authed(app, tokens.jdoe).post(`/cables/${later}/clearance-requests`, { offices: ['L'] }).expect(200);
    expect((await promoted.waitFor(asked(later))).data).toMatchObject({ notification: true });
  });

  it('with SMTP_URL unset, queues no email, and the mailer still moves past what happened', async () => {
    const runner = app.get(ProjectionRunner);
    await runner.catchUp('notification-mailer');
    const dataSource = app.get(DataSource);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM notification_emails')).toEqual([{ n: 0 }]);
    const mailer = (await runner.status()).find((p) => p.name === 'notification-mailer')!;
    expect(mailer).toMatchObject({ kind: 'reaction', mode: 'async', lag: 0, failure: null });
    // Yet the same events made notifications in the app.
    expect((await authed(app, tokens.lclear).get('/notifications').expect(200)).body.total).toBeGreaterThan(0);
  });

  it('holds at most ten streams a user open at once (429 for the eleventh, until one closes)', async () => {
    const { token } = await createUser(app, await loginAsAdmin(app), { username: 'many.tabs', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    tokens['many.tabs'] = token;
    const open = [];
    for (let i = 0; i < 10; i++) open.push(await streamOf('many.tabs'));
    const refused = await openStream(base, `/events/stream?ticket=${await ticketFor(token)}`);
    streams.push(refused);
    expect({ status: refused.status, code: JSON.parse(refused.text ?? '{}').code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    open[0].close();
    for (let attempt = 0; ; attempt++) {
      const again = await openStream(base, `/events/stream?ticket=${await ticketFor(token)}`);
      streams.push(again);
      if (again.status === 200) break;
      if (attempt > 20) throw new Error('a closed stream never freed its place');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('ends the stream of a user whose clearance is lowered, so that their screens are read again under it, and not for a change that reads nothing differently', async () => {
    const admin = await loginAsAdmin(app);
    const { id } = (await authed(app, tokens.eur).get('/auth/me').expect(200)).body as { id: string };
    const stream = await streamOf('eur');
    const ended = () => Promise.race([stream.ended.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000))]);
    // A new display name reads nothing differently: the stream stays.
    await authed(app, admin).patch(`/users/${id}`, { displayName: 'Eur Renamed' }).expect(200);
    expect(await ended()).toBe(false);
    await authed(app, admin).patch(`/users/${id}`, { clearance: 'CONFIDENTIAL' }).expect(200);
    expect(await ended()).toBe(true);
    // Said as it ends, so that the web app reads the user again and says why it reads the screen afresh.
    expect(stream.messages.filter((m) => m.type === 'standing')).toHaveLength(1);
    expect(stream.messages.at(-1)?.type).toBe('standing');
  });

  it('sends heartbeats, and ends the stream of a user who logs out', async () => {
    const stream = await streamOf('leaver');
    await stream.waitFor((m) => m.type === 'comment', 3000);
    await authed(app, tokens.leaver).post('/auth/logout').expect(204);
    await Promise.race([stream.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream was not ended')), 5000))]);
  });

  it('ends a stream when the token it was opened with expires, by bearer or by a ticket asked with it, and not before', async () => {
    const me = (await authed(app, tokens.jdoe).get('/auth/me').expect(200)).body as { id: string; username: string };
    // A token of the user's that expires in two to three seconds (JWT_TTL is a minute at least: signed here).
    const shortLived = () => new JwtService({ secret: TEST_JWT_SECRET }).sign({ sub: me.id, username: me.username, gen: 0, exp: Math.floor(Date.now() / 1000) + 3 });
    const within = (stream: OpenStream, ms: number) => Promise.race([stream.ended.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('open'), ms))]);
    const byBearer = await openStream(base, '/events/stream', { Authorization: `Bearer ${shortLived()}` });
    const byTicket = await openStream(base, `/events/stream?ticket=${await ticketFor(shortLived())}`);
    streams.push(byBearer, byTicket);
    for (const stream of [byBearer, byTicket]) {
      expect(stream.status).toBe(200);
      await stream.waitFor((m) => m.type === 'ready');
    }
    // Open while the token is good; ended once it is not, by its own timer (no heartbeat needed).
    expect(await within(byBearer, 300)).toBe('open');
    expect(await Promise.all([within(byBearer, 5000), within(byTicket, 5000)])).toEqual(['ended', 'ended']);
    // The user's own 8-hour stream goes on.
    const lasting = await streamOf('jdoe');
    expect(await within(lasting, 500)).toBe('open');
    lasting.close();
  });

  it('drops a stream whose client stops reading, once a little more than MAX_UNSENT_CHARACTERS waits for it', async () => {
    const EDITS = 50;
    // A unix socket: its kernel buffers are small and fixed (TCP's grow to megabytes on loopback),
    // so what the client does not read soon waits in the server, where the limit applies.
    const { app: other } = await createTestApp(database, { env: { LIVE_HEARTBEAT_MS: '60000' } });
    const id = (await authed(other, tokens.jdoe).post('/cables', draft('Edited often', 'UNCLASSIFIED')).expect(201)).body.id as string;
    for (let i = 1; i <= EDITS; i++) await authed(other, tokens.jdoe).patch(`/cables/${id}`, { subject: `Edited often, ${i}` }).expect(200);
    const user = (await authed(other, tokens.jdoe).get('/auth/me').expect(200)).body.id as string;
    const socketPath = join(await mkdtemp(join(tmpdir(), 'chancery-live-')), 'api.sock');
    await new Promise<void>((resolve) => other.getHttpServer().listen(socketPath, resolve));
    try {
      const { logs } = await capturingLogs(async () => {
        const client = connect(socketPath);
        let received = '';
        const ended = new Promise<void>((resolve) => client.once('close', () => resolve()));
        client.on('data', (chunk) => (received += chunk));
        client.write(`GET /events/stream HTTP/1.1\r\nHost: chancery\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${tokens.jdoe}\r\n\r\n`);
        while (!received.includes('event: ready')) await new Promise((resolve) => setTimeout(resolve, 10));
        client.pause(); // and never reads again

        // Every event of the feed told again and again (its cable's among them), up to 2 MB of notices:
        // NestJS's own default, 4M characters, would not have dropped it yet.
        const feed = other.get(LiveFeed);
        let told = 0;
        while (feed.openBy(user) > 0 && told < 2 * 1024 * 1024) {
          await feed.rewind(START_OF_FEED);
          told += (EDITS + 1) * 200; // a notice is about 200 characters
        }
        expect({ dropped: feed.openBy(user) === 0, told }).toEqual({ dropped: true, told: expect.any(Number) });
        // Its connection was closed: once it reads again, the client finds the end after what was sent.
        client.resume();
        await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the connection was not closed')), 5000))]);
      });
      expect(logs.filter((log) => log.level === 'error')).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('ends open streams at shutdown, so that the app still stops at once, quietly', async () => {
    // With its background work running as by default: the audit sealer, whose last seal waits for
    // the requests in flight, is not held by a stream either.
    const { app: other } = await createTestApp(database, { env: { LIVE_HEARTBEAT_MS: '60000' }, runProjections: true });
    const otherBase = await listening(other);
    const token = (await request(other.getHttpServer()).post('/auth/login').send({ username: 'eur', password: 'eur-password-123' }).expect(200)).body.accessToken as string;
    const ticket = (await request(other.getHttpServer()).post('/events/ticket').set('Authorization', `Bearer ${token}`).expect(201)).body.ticket as string;
    const stream = await openStream(otherBase, `/events/stream?ticket=${ticket}`);
    await stream.waitFor((m) => m.type === 'ready');
    const feed = other.get(LiveFeed);
    const principal = await other.get(AuthService).authenticate(tokens.lclear);
    const { result: late, logs } = await capturingLogs(async () => {
      // Under way as the signal comes: the fan-out of the whole feed so far, and a stream that
      // opens as the first of its process (it reads the feed's checkpoint first).
      const fanningOut = feed.rewind(START_OF_FEED);
      const started = Date.now();
      const closing = other.close();
      const opening = feed.subscribe(principal, 0);
      await Promise.all([closing, fanningOut]);
      // InFlightRequests would wait 5 s for a request still open; the stream is ended first.
      expect(Date.now() - started).toBeLessThan(4500);
      return opening;
    });
    await Promise.race([stream.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream was not ended')), 2000))]);
    // The stream that opened meanwhile is ended too, and nothing went to a closed pool or the log.
    await new Promise<void>((resolve, reject) => {
      setTimeout(() => reject(new Error('the stream opened during shutdown was not ended')), 1000);
      late.subscribe({ complete: resolve });
    });
    expect(feed.size).toBe(0);
    expect(logs.filter((log) => log.level !== 'log')).toEqual([]);
  });

  it('works on the embedded database, one connection for everything: streams, the projections and the mail sender (as `npm start` runs)', async () => {
    const smtp = await startSmtpServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'chancery-live-'));
    // Not the 274 posts (seeding them on PGlite is slow on a busy machine): the one the cable goes to.
    const env = { CHANCERY_DATA_DIR: dataDir, JWT_SECRET: '', SEED_POSTS: 'false', SMTP_URL: smtp.url, MAIL_DOMAIN: 'example.gov', PROJECTIONS_POLL_MS: '100' };
    const { app: embedded } = await createTestApp(undefined, { env, runProjections: true });
    try {
      const embeddedBase = await listening(embedded);
      const admin = await loginAsAdmin(embedded);
      await authed(embedded, admin).post('/posts', { code: 'BEIJING', name: 'Embassy Beijing', kind: 'EMBASSY', city: 'Beijing', country: 'CN', countryTag: 'CH', bureau: 'EAP' }).expect(201);
      const drafter = (await createUser(embedded, admin, { username: 'emdrafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      const clearer = (await createUser(embedded, admin, { username: 'emclear', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
      const ticket = (await authed(embedded, clearer).post('/events/ticket').expect(201)).body.ticket as string;
      const stream = await openStream(embeddedBase, `/events/stream?ticket=${ticket}`);
      streams.push(stream);
      await stream.waitFor((m) => m.type === 'ready');
      const id = (await authed(embedded, drafter).post('/cables', draft('Embedded subject', 'UNCLASSIFIED')).expect(201)).body.id as string;
      await authed(embedded, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
      await stream.waitFor((m) => about(id)(m) && (m.data as { notification?: boolean }).notification === true);
      const deadline = Date.now() + 15_000;
      while (!smtp.received.some((m) => m.to.includes('emclear@example.gov')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(smtp.received.map((m) => m.subject)).toEqual(['Chancery: A cable needs your clearance (L): Embedded subject']);
      const started = Date.now();
      await embedded.close();
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await embedded.close().catch(() => undefined);
      await smtp.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
