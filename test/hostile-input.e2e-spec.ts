import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { awaitDelivery } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { ProjectionRunner } from '@chancery/event-store';
import { looksLeaky, ROLES } from './support/security.js';
import { createTestApp, createUser, login, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** Text an attacker would try: SQL, script, path and format-string fragments, control characters. */
const NASTY = [
  "'; DROP TABLE events; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '%s%s%n',
  '${7*7}{{7*7}}',
  '\u0000\u0001\u202e',
  '-1',
  '9'.repeat(40),
  '{"$ne": null}',
];
const nasty = fc.constantFrom(...NASTY);
const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });

describe('hostile input', () => {
  /** Each name Object.prototype has, and `prototype`: JavaScript's own object machinery. */
  const MACHINERY = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  let token: string;
  let desk: string;
  /**
   * Whose token a request to `path` carries: the desk officer's on the cables' routes and the
   * leadership's (the dashboard, the exports), else everything's.
   */
  const tokenFor = (path: string) => (path.startsWith('/cables') || path.startsWith('/dashboard') || path.endsWith('export.csv') ? desk : token);
  let operations: { method: string; path: string; query: string[] }[];
  const ids: string[] = [];
  const eventCount = async () => (await dataSource.query('SELECT count(*)::int AS n FROM events'))[0].n as number;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    dataSource = app.get(DataSource);
    const admin = await loginAsAdmin(app);
    // So that requests get past the door to validation and the domain: one user who holds every role
    // a post's person may hold, and for the cables' and the leadership's routes a desk officer of L
    // who drafts, clears, approves and leads (drafters and clearers work for a Department office,
    // which a post's person has not, and leadership is the Department's).
    ({ token } = await createUser(app, admin, { username: 'everything', roles: ROLES.filter((role) => role !== 'clearer' && role !== 'drafter' && role !== 'leadership'), postCode: 'BEIJING', clearance: 'TOP_SECRET' }));
    desk = (await createUser(app, admin, { username: 'desk', roles: ['drafter', 'clearer', 'approver', 'leadership'], office: 'L', clearance: 'TOP_SECRET' })).token;
    const followUp = await authed(app, token).post('/follow-ups', { title: 'Real one', owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }).expect(201);
    ids.push(followUp.body.id);
    const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) })),
    );
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  /** Beijing's documents route, of a campaign released for the uploads' tests (once, by the first to ask). */
  let documents: Promise<string> | undefined;
  const documentsRoute = () =>
    (documents ??= (async () => {
      const admin = await loginAsAdmin(app);
      const drafter = (await createUser(app, admin, { username: 'upload.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      const approver = (await createUser(app, admin, { username: 'upload.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
      const campaign = await releaseCable(app, drafter, approver, {
        kind: 'INSTRUCTION', subject: 'Uploads', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'],
        paragraphs: [{ marking: 'U', text: 'Deliver the points.' }], demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
      });
      await awaitDelivery(app, token, campaign, 'BEIJING');
      return `/demarches/${campaign}/deliveries/BEIJING/documents`;
    })());
  /** A multipart request to `path`, a documents route, as the user who holds every post role. */
  const upload = (path: string) => request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${token}`);

  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty, fc.string({ maxLength: 200 }), fc.integer(), fc.constant(null));
  // Bodies: anything JSON, or objects with the field names the routes take and hostile values.
  const fields = ['title', 'description', 'owner', 'dueOn', 'subject', 'classification', 'paragraphs', 'offices', 'office', 'decision', 'reason', 'position',
    'summary', 'deliveredOn', 'counterpart', 'level', 'method', 'receivedOn', 'username', 'password', 'roles', 'code', 'name', 'text', 'outcome', 'kind', 'captions'];
  const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 8 }));
  const id = () => fc.oneof(fc.constantFrom(...ids), fc.uuid(), ascii, nasty);
  const query = fc.dictionary(fc.oneof(fc.constantFrom('status', 'asOf', 'version', 'limit', 'offset', 'q', 'owner', 'overdue', 'from', 'to', 'actor', 'streamId', 'bureau'), ascii), fc.oneof(ascii, nasty, fc.string()), { maxKeys: 4 });
  const headers = fc.record({ 'If-Match': fc.option(ascii, { nil: undefined }), 'Idempotency-Key': fc.option(ascii, { nil: undefined }), 'X-Request-Id': fc.option(ascii, { nil: undefined }) }, { requiredKeys: [] });

  it('never answers a generated request to any route with a 5xx, a leak, or a write when it refuses', async () => {
    for (const { method, path } of operations) {
      await fc.assert(
        fc.asyncProperty(id(), id(), query, body, headers, fc.boolean(), async (first, second, params, payload, extra, raw) => {
          const url = path.replace('{id}', encodeURIComponent(first)).replace(/\{(code|post)\}/, encodeURIComponent(second));
          // An event stream that opens never ends: it is given a hostile ticket, which it must refuse.
          const search = new URLSearchParams({ ...(params as Record<string, string>), ...(path === '/events/stream' ? { ticket: first } : {}) }).toString();
          const before = await eventCount();
          let req = request(app.getHttpServer())[method.toLowerCase() as 'get'](`${url}${search ? `?${search}` : ''}`).set('Authorization', `Bearer ${tokenFor(path)}`);
          for (const [name, v] of Object.entries(extra)) if (v !== undefined) req = req.set(name, v.replace(/[\r\n]/g, ''));
          if (method !== 'GET') {
            // Sent as text, so that any JSON value goes as it is, or cut short when `raw`: malformed.
            const json = JSON.stringify(payload) ?? 'null';
            req = req.set('Content-Type', 'application/json').send(raw ? json.slice(0, -1) : json);
          }
          const response = await req;
          const route = `${method} ${path}`;
          // A logout (any body will do) ends the caller's tokens: sign in again for the next request.
          if (path === '/auth/logout' && response.status < 300) token = await login(app, 'everything', 'everything-password-123');
          expect({ route, status: response.status, fiveHundred: response.status >= 500 }).toMatchObject({ route, fiveHundred: false });
          if (response.status >= 400) {
            expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
            // Every refusal carries a stable code, the framework's own (a malformed body or id) included.
            expect({ route, status: response.status, code: typeof response.body.code }).toEqual({ route, status: response.status, code: 'string' });
            expect({ route, leak: looksLeaky(response.text) }).toEqual({ route, leak: null });
            expect({ route, written: (await eventCount()) - before }).toEqual({ route, written: 0 });
          }
        }),
        { numRuns: Number(process.env.HOSTILE_RUNS ?? 12), seed: process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : undefined },
      );
    }
  });

  it('refuses a query parameter a route does not take, on every route, naming it, rather than answering as if it were heard', async () => {
    const before = await eventCount();
    for (const { method, path } of operations.filter((o) => o.path !== '/auth/logout')) {
      const url = path.replace('{id}', ids[0]).replace(/\{(code|post)\}/, 'BEIJING').replace(/\{[a-zA-Z]+\}/g, '1');
      let req = request(app.getHttpServer())[method.toLowerCase() as 'get'](`${url}?unheard=2020-01-01`).set('Authorization', `Bearer ${tokenFor(path)}`).timeout({ response: 10_000 });
      if (method !== 'GET') req = req.set('Content-Type', 'application/json').send('{}');
      const response = await req;
      const route = `${method} ${path}`;
      // Refused by the rule, or before it by a check that comes first (the record is not there, not theirs): never heard as if it had been.
      expect({ route, status: response.status, refused: [400, 401, 403, 404, 405].includes(response.status) }).toEqual({ route, status: response.status, refused: true });
      if (!path.includes('{')) {
        expect({ route, status: response.status, errors: response.body.errors }).toEqual({ route, status: 400, errors: expect.arrayContaining([{ field: 'unheard', message: expect.stringMatching(/^property unheard should not exist/) }]) });
      }
    }
    expect(await eventCount()).toBe(before);
  });

  it('refuses a query parameter that names JavaScript\'s own object machinery on every route, a query DTO\'s included, naming it', async () => {
    const cable = await authed(app, desk).post('/cables', { kind: 'INSTRUCTION', subject: 'Queries', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Text.' }] }).expect(201);
    const before = await eventCount();
    const paths = ['/cables', '/follow-ups', '/posts', '/offices', '/demarches', '/notifications', '/audit', '/inbox', `/cables/${cable.body.id}`, `/cables/${cable.body.id}/history`, `/cables/${cable.body.id}/telegram`];
    for (const [i, path] of paths.entries()) {
      for (const name of [MACHINERY[i % MACHINERY.length], 'toString', 'constructor', '__proto__']) {
        const response = await authed(app, tokenFor(path)).get(`${path}?${encodeURIComponent(name)}=1`);
        expect({ path, name, status: response.status, errors: response.body.errors }).toEqual({
          path, name, status: 400, errors: [{ field: name, message: `property ${name} should not exist (this request takes no such query parameter)` }],
        });
      }
    }
    // Beside a parameter the route takes, only the machinery is named.
    const listed = await authed(app, desk).get('/cables?limit=5&valueOf=1').expect(400);
    expect(listed.body.errors).toEqual([{ field: 'valueOf', message: 'property valueOf should not exist (this request takes no such query parameter)' }]);
    expect(await eventCount()).toBe(before);
  });

  it('refuses an oversized body on every route that takes one with 413, and writes nothing', async () => {
    const before = await eventCount();
    const huge = { title: 'x'.repeat(1_100_000) };
    for (const { method, path } of operations.filter((o) => o.method !== 'GET')) {
      const url = path.replace('{id}', ids[0]).replace(/\{(code|post)\}/, 'BEIJING');
      const response = await request(app.getHttpServer())[method.toLowerCase() as 'post'](url).set('Authorization', `Bearer ${token}`).send(huge);
      expect({ route: `${method} ${path}`, status: response.status }).toEqual({ route: `${method} ${path}`, status: 413 });
    }
    expect(await eventCount()).toBe(before);
  });

  it('answers a body declared larger than the limit with 413 at once, without waiting for it, and closes the connection', async () => {
    const server = app.getHttpServer() as import('node:http').Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer in 5 s: ${received}`)); }, 5_000);
      socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
      socket.on('close', () => { clearTimeout(timer); resolve(received); });
      socket.on('error', reject);
      // 10 GB declared, 15 bytes sent: the rest never comes.
      socket.write('POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{"username":"a"');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('larger than the');
  });

  it('refuses keys that name JavaScript\'s own object machinery, at any depth, as fields of no request', async () => {
    const before = await eventCount();
    // Each name Object.prototype has, and `prototype`, at the top and nested.
    expect(MACHINERY).toEqual(expect.arrayContaining(['__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']));
    const bodies = MACHINERY.flatMap((name) => [JSON.parse(`{"text":"hi",${JSON.stringify(name)}:1}`), JSON.parse(`{"text":"hi","nested":{"a":[{${JSON.stringify(name)}:{}}]}}`)]);
    for (const body of bodies) {
      const answer = await authed(app, token).post(`/follow-ups/${ids[0]}/comments`, body);
      expect({ body: Object.keys(body), status: answer.status, code: answer.body.code }).toEqual({ body: Object.keys(body), status: 400, code: 'VALIDATION_FAILED' });
    }
    for (const scope of ['{"__proto__":{"kinds":["EMBASSY"]}}', '{"posts":["BEIJING"],"__defineGetter__":1}']) {
      const patched = await authed(app, token).patch(`/cables/00000000-0000-4000-8000-000000000000`, JSON.parse(`{"demarche":{"scope":${scope}}}`));
      expect({ scope, status: patched.status }).toEqual({ scope, status: 400 });
    }
    const created = await authed(app, desk).post('/cables', { subject: 'x', __lookupGetter__: {} });
    expect(created.body.errors).toEqual([{ field: '__lookupGetter__', message: 'property should not exist' }]);
    expect(await eventCount()).toBe(before);
  });

  it('refuses an upload said to be in a content coding (gzip, any) with 415 and Accept-Encoding: identity, and stores nothing', async () => {
    const path = await documentsRoute();
    const before = await eventCount();
    for (const coding of ['gzip', 'br', 'x-unheard-of', 'identity, gzip']) {
      const refused = await upload(path).set('Content-Encoding', coding).field('kind', 'NON_PAPER').attach('file', Buffer.from('Points.'), { filename: 'points.txt' });
      expect({ coding, status: refused.status, acceptEncoding: refused.headers['accept-encoding'], code: refused.body.code, detail: refused.body.detail }).toEqual({
        coding, status: 415, acceptEncoding: 'identity', code: 'UNSUPPORTED_MEDIA_TYPE',
        detail: `This request takes its body as it is (Content-Encoding: identity, or none); this one says Content-Encoding: ${coding}`,
      });
    }
    expect(await eventCount()).toBe(before);
    // Sent as it is, said so or not, it is taken.
    await upload(path).set('Content-Encoding', 'Identity').field('kind', 'NON_PAPER').attach('file', Buffer.from('Points.'), { filename: 'points.txt' }).expect(201);
    await upload(path).field('kind', 'NON_PAPER').attach('file', Buffer.from('Points.'), { filename: 'points.txt' }).expect(201);
  });

  it('refuses an upload\'s form field named as JavaScript\'s own object machinery, at any depth, naming it, as a JSON body\'s', async () => {
    const path = await documentsRoute();
    const before = await eventCount();
    for (const name of MACHINERY) {
      const refused = await upload(path).field(name, '1').field('kind', 'NON_PAPER').attach('file', Buffer.from('Points.'), { filename: 'points.txt' });
      expect({ name, status: refused.status, detail: refused.body.detail, errors: refused.body.errors }).toEqual({
        name, status: 400, detail: `${name} is not a field of any request.`, errors: [{ field: name, message: 'property should not exist' }],
      });
    }
    // A field's name may nest (`note[toString]`): the machinery is named at its path.
    for (const name of ['toString', '__proto__']) {
      const nested = await upload(path).field('kind', 'NON_PAPER').field(`note[${name}]`, '1').attach('file', Buffer.from('Points.'), { filename: 'points.txt' });
      expect({ name, status: nested.status, errors: nested.body.errors }).toEqual({ name, status: 400, errors: [{ field: `note.${name}`, message: 'property should not exist' }] });
    }
    expect(await eventCount()).toBe(before);
  });

  it('refuses control characters in any field and in the address, and line breaks in names, naming the field', async () => {
    const before = await eventCount();
    const api = authed(app, token);
    const escape = await api.patch('/posts/PARIS', { chiefOfMission: 'Jean Du\u001b[2J\u0007pont' }).expect(400);
    expect(escape.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'chiefOfMission', message: 'must not contain the control character U+001B' }] });
    const nested = await api.post('/follow-ups', { title: 'Bell', owner: { office: 'EAP/CM\u0085' }, dueOn: '2099-12-31' }).expect(400);
    expect(nested.body.errors).toEqual([{ field: 'owner.office', message: 'must not contain the control character U+0085' }]);
    const address = await api.get('/cables?q=%1B%5B2J').expect(400);
    expect(address.body.errors).toEqual([{ field: '(address)', message: 'must not contain the control character U+001B' }]);
    for (const [path, field, body] of [
      ['/posts/PARIS', 'name', { name: 'Evil\nBT\nNNNN' }],
      ['/posts/PARIS', 'chiefOfMission', { chiefOfMission: 'Jean\tDupont' }],
      ['/offices', 'name', { symbol: 'EAP/XX', name: 'Office of\r\nNothing' }],
    ] as const) {
      const refused = await (path === '/offices' ? api.post(path, body) : api.patch(path, body)).expect(400);
      expect({ path, errors: refused.body.errors }).toEqual({ path, errors: [{ field, message: `${field} must be a single line (no line break or tab)` }] });
    }
    expect(await eventCount()).toBe(before);
    // Text of more than a line keeps its line breaks and tabs.
    const multiline = await api.post('/follow-ups', { title: 'Lines', description: 'First line\n\tthen an indented one', owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }).expect(201);
    expect(multiline.body.description).toBe('First line\n\tthen an indented one');
  });

  it('refuses text that shows nothing where text must say something, and bidirectional controls in a line of its own, naming the field', async () => {
    const before = await eventCount();
    const api = authed(app, token);
    // A zero-width space, a Hangul filler, a blank Braille pattern and a variation selector: nothing shows.
    const blank = '\u200b\u3164\u2800\ufe0f';
    for (const [path, body, field] of [
      ['/follow-ups', { title: blank, owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }, 'title'],
      [`/follow-ups/${ids[0]}/comments`, { text: blank }, 'text'],
      [`/follow-ups/${ids[0]}/complete`, { outcome: blank }, 'outcome'],
      [`/follow-ups/${ids[0]}/cancel`, { reason: blank }, 'reason'],
      ['/posts/PARIS/suspend', { reason: blank }, 'reason'],
    ] as const) {
      const refused = await api.post(path, body);
      expect({ path, status: refused.status, errors: refused.body.errors }).toEqual({ path, status: 422, errors: [expect.objectContaining({ field })] });
    }
    const retitled = await api.patch(`/follow-ups/${ids[0]}`, { title: blank }).expect(422);
    expect(retitled.body.errors).toEqual([expect.objectContaining({ field: 'title' })]);
    // An override turns the rest of a line around for its reader: no title or name holds one.
    const bidi = 'title must not hold a bidirectional control (U+202A to U+202E, U+2066 to U+2069)';
    expect((await api.post('/follow-ups', { title: 'Ask a\u202eb', owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }).expect(400)).body.errors).toEqual([{ field: 'title', message: bidi }]);
    const chief = await api.patch('/posts/TOKYO', { chiefOfMission: 'Rahm \u2067Emanuel' }).expect(400);
    expect(chief.body.errors).toEqual([{ field: 'chiefOfMission', message: bidi.replace('title', 'chiefOfMission') }]);
    expect(await eventCount()).toBe(before);
    // Right-to-left text needs no control, and is kept.
    expect((await api.post('/follow-ups', { title: 'جواب الوزارة', owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }).expect(201)).body.title).toBe('جواب الوزارة');
  });

  it('keeps SQL and script fragments as inert text, stored and given back exactly', async () => {
    const api = authed(app, token);
    for (const fragment of NASTY.filter((f) => !f.includes('\u0000'))) {
      const created = await api.post('/follow-ups', { title: `T ${fragment}`, description: fragment, owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }).expect(201);
      expect(created.headers['content-type']).toMatch(/application\/json/);
      const read = await api.get(`/follow-ups/${created.body.id}`).expect(200);
      expect(read.body).toMatchObject({ title: `T ${fragment}`, description: fragment });
      const search = await api.get(`/cables?q=${encodeURIComponent(fragment)}`);
      expect(search.status).toBe(200);
    }
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'events'`);
    expect(n).toBe(1);
  });

  it('never answers a 5xx to a valid body with any field removed or given another JSON shape, nested ones and list items included', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'shape.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const approver = (await createUser(app, admin, { username: 'shape.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    const cable = {
      kind: 'INSTRUCTION', subject: 'Shapes', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'],
      paragraphs: [{ marking: 'U', text: 'Deliver the points.' }], demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    };
    const campaign = await releaseCable(app, drafter, approver, cable);
    for (let attempt = 0; attempt < 50 && (await authed(app, token).get(`/demarches/${campaign}/deliveries/BEIJING`)).status !== 200; attempt++) {
      await app.get(ProjectionRunner).catchUp();
    }
    const today = new Date().toISOString().slice(0, 10);
    const counterpart = { name: 'Li Wei', title: 'Director', organization: 'MFA' };
    const delivery = `/demarches/${campaign}/deliveries/BEIJING`;
    const valid: [string, string, Record<string, unknown>][] = [
      ['post', '/cables', { ...cable, references: [{ label: 'A', mrn: '26 STATE 000001' }] }],
      ['post', '/follow-ups', { title: 'Shapes', owner: { office: 'EAP/CM' }, dueOn: '2099-12-31' }],
      ['post', `${delivery}/delivery`, { deliveredOn: today, counterpart, level: 'DIRECTOR', method: 'IN_PERSON' }],
      ['post', `${delivery}/contacts`, { on: today, counterpart, level: 'DIRECTOR', method: 'PHONE' }],
      ['post', `${delivery}/response`, { receivedOn: today, position: 'OPPOSED', summary: 'No.', quotes: [{ text: '不', language: 'zh', translation: 'No' }] }],
    ];
    const shapes: unknown[] = [undefined, null, [], {}, '', 0, true, [[]], [{}], [null]];
    /** Every way to break one place in `body`: each field (and each field of a nested object or list item) removed or reshaped. */
    const variants = (body: Record<string, unknown>): Record<string, unknown>[] =>
      Object.entries(body).flatMap(([key, v]) => {
        const at = (replacement: unknown) => (replacement === undefined ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== key)) : { ...body, [key]: replacement });
        const nested = Array.isArray(v)
          ? v.length > 0 && typeof v[0] === 'object' && v[0] !== null ? [...shapes.map((shape) => [shape]), ...variants(v[0] as Record<string, unknown>).map((item) => [item]), [v[0], v[0], 'x']] : [[...v, ...v]]
          : typeof v === 'object' && v !== null ? variants(v as Record<string, unknown>) : [];
        return [...shapes, [v], ...nested].map(at);
      });
    for (const [method, url, body] of valid) {
      for (const variant of variants(body)) {
        const before = await eventCount();
        const response = await authed(app, tokenFor(url))[method as 'post'](url, variant);
        const sent = `${method.toUpperCase()} ${url} ${JSON.stringify(variant)}`;
        expect({ sent, status: response.status, fiveHundred: response.status >= 500 }).toMatchObject({ sent, fiveHundred: false });
        if (response.status >= 400) expect({ sent, written: (await eventCount()) - before }).toEqual({ sent, written: 0 });
      }
    }
  });
});
