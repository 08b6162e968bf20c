import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdempotencyStore } from '@chancery/http';
import { Readiness } from '@chancery/platform';
import { NotesFixtureModule } from './fixtures/notes.module.js';
import { listening } from './support/sse.js';
import { createTestApp, loginAsAdmin, TEST_ADMIN_PASSWORD } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('HTTP conventions', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  let token: string;
  let adminId: string;
  const http = () => {
    const agent = request(app.getHttpServer());
    const auth = { Authorization: `Bearer ${token}` };
    return {
      get: (url: string) => agent.get(url).set(auth),
      post: (url: string) => agent.post(url).set(auth),
      patch: (url: string) => agent.patch(url).set(auth),
      put: (url: string) => agent.put(url).set(auth),
      delete: (url: string) => agent.delete(url).set(auth),
    };
  };
  const count = async (sql: string, params: unknown[] = []) => (await dataSource.query(sql, params))[0].n as number;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { BODY_LIMIT: '4kb' }, imports: [NotesFixtureModule] }));
    dataSource = app.get(DataSource);
    token = await loginAsAdmin(app);
    adminId = (await request(app.getHttpServer()).get('/auth/me').set('Authorization', `Bearer ${token}`)).body.id;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('reports health with database readiness, and serves OpenAPI', async () => {
    const health = await http().get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    // Not ready, it says what it waits for, as problem+json to be tried again.
    app.get(Readiness).waitFor('the demo');
    try {
      const starting = await http().get('/health').expect(503);
      expect(starting.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(starting.headers['retry-after']).toBe('2');
      expect(starting.body).toMatchObject({ status: 503, detail: 'Not ready: still starting, waiting for the demo.' });
    } finally {
      app.get(Readiness).markReady();
    }
    const spec = await http().get('/docs-json').expect(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/health', '/notes', '/notes/{id}']));
    await http().get('/docs').expect(200).expect('content-type', /html/);
    // What every route shares is in the document too: its refusals as problem+json, If-Match and
    // Idempotency-Key on a change, the ETag of its answer, a PATCH's merge patch content type.
    const patch = spec.body.paths['/cables/{id}'].patch;
    for (const status of ['400', '401', '403', '404', '409', '412', '415', '422', '503']) {
      expect({ status, content: Object.keys(patch.responses[status]?.content ?? {}) }).toEqual({ status, content: ['application/problem+json'] });
    }
    expect(patch.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name)).toEqual(['If-Match', 'Idempotency-Key']);
    expect(Object.keys(patch.requestBody.content).sort()).toEqual(['application/json', 'application/merge-patch+json']);
    // A route that runs every request, keyed or not (a password set), does not offer the key.
    const reset = spec.body.paths['/users/{id}/password'].post;
    expect(reset.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name)).toEqual(['If-Match']);
    expect(reset['x-ignores-idempotency-key']).toBe(true);
    // What the document says of the routes that differ: a ticket changes no versioned record (no If-Match, no ETag offered),
    // a password change is limited as logins are, a disabling takes no body if it gives no reason, the lists' paging has defaults.
    const ticket = spec.body.paths['/events/ticket'].post;
    expect({ headers: (ticket.parameters ?? []).filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name), etag: Boolean(ticket.responses['201']?.headers?.ETag) }).toEqual({ headers: [], etag: false });
    expect(Object.keys(spec.body.paths['/auth/password'].post.responses)).toContain('429');
    // A login takes neither header: no key (no token is stored), no precondition (it changes no versioned record).
    expect((spec.body.paths['/auth/login'].post.parameters ?? []).filter((p: { in: string }) => p.in === 'header')).toEqual([]);
    expect(spec.body.paths['/users/{id}/disable'].post.requestBody.required).toBe(false);
    expect(spec.body.paths['/users'].get.parameters.filter((p: { name: string }) => ['limit', 'offset'].includes(p.name)).map((p: { required?: boolean }) => p.required ?? false)).toEqual([false, false]);
    expect(Object.values(patch.responses).some((r) => Boolean((r as { headers?: { ETag?: unknown } }).headers?.ETag))).toBe(true);
    expect(spec.body.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'code']);
    const read = spec.body.paths['/health'].get;
    expect(read.parameters?.some((p: { in: string }) => p.in === 'header') ?? false).toBe(false);
  });

  it('gives every answer a request id, its own or the caller’s', async () => {
    const mine = await http().get('/health').set('X-Request-Id', 'trace-123').expect(200);
    expect(mine.headers['x-request-id']).toBe('trace-123');
    const generated = await http().get('/health').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a command with the new version and an ETag, and audits it in the same transaction', async () => {
    const created = await http().post('/notes').set('X-Request-Id', 'req-create-1').send({ title: 'Draft' }).expect(201);
    expect(created.body).toMatchObject({ title: 'Draft', version: 1 });
    expect(created.headers.etag).toBe('"1"');
    const [entry] = await dataSource.query('SELECT * FROM audit_log WHERE request_id = $1', ['req-create-1']);
    expect(entry).toMatchObject({
      actor_id: adminId,
      actor_role: 'admin',
      action: 'CreateNote',
      stream_id: `note-${created.body.id}`,
      from_version: 0,
      to_version: 1,
    });
    const read = await http().get(`/notes/${created.body.id}`).expect(200);
    expect(read.headers.etag).toBe('"1"');
    // An answer is its caller's alone, maybe classified: no browser or proxy keeps it on disk.
    expect([created.headers['cache-control'], read.headers['cache-control']]).toEqual(['no-store', 'no-store']);
  });

  it('makes If-Match conditional: a stale version gets 412 and writes nothing', async () => {
    const { body: note } = await http().post('/notes').send({ title: 'v1' }).expect(201);
    const edited = await http().patch(`/notes/${note.id}`).set('If-Match', '"1"').send({ title: 'v2' }).expect(200);
    expect(edited.headers.etag).toBe('"2"');
    const stale = await http().patch(`/notes/${note.id}`).set('If-Match', '"1"').send({ title: 'v3' }).expect(412);
    expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(stale.body).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED', detail: expect.stringContaining('version 2') });
    // A refusal tags nothing: an ETag on it would be one of the problem's text, which a client might
    // send back as If-Match and be refused again.
    expect(stale.headers.etag).toBeUndefined();
    expect((await http().get(`/notes/${randomUUID()}`).expect(404)).headers.etag).toBeUndefined();
    // Nor is a change that answers no record's version (a token): Express's weak tag of its bytes is no version.
    expect((await request(app.getHttpServer()).post('/auth/login').send({ username: 'admin', password: TEST_ADMIN_PASSWORD }).expect(200)).headers.etag).toBeUndefined();
    await request(app.getHttpServer()).post('/auth/login').set('If-Match', '"1"').send({ username: 'admin', password: TEST_ADMIN_PASSWORD }).expect(412);
    for (const unbalanced of ['"2', 'W/2']) {
      await http().patch(`/notes/${note.id}`).set('If-Match', unbalanced).send({ title: 'v3' }).expect(400);
    }
    expect(await count('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`note-${note.id}`])).toBe(2);
    // A weak tag never matches (RFC 9110 compares If-Match strongly), even when its version is the record's.
    const weak = await http().patch(`/notes/${note.id}`).set('If-Match', 'W/"2"').send({ title: 'v3' }).expect(412);
    expect(weak.body).toMatchObject({ code: 'PRECONDITION_FAILED', detail: expect.stringContaining('weak If-Match tag never matches') });
    expect(await count('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`note-${note.id}`])).toBe(2);
    await http().patch(`/notes/${note.id}`).set('If-Match', 'W/"2", "2"').send({ title: 'v3' }).expect(200);
    // A list (RFC 9110 §13.1.1) holds when any of its versions is the record's.
    expect((await http().patch(`/notes/${note.id}`).set('If-Match', '"1", "3"').send({ title: 'v4' }).expect(200)).headers.etag).toBe('"4"');
    const staleList = await http().patch(`/notes/${note.id}`).set('If-Match', '"2", "3"').send({ title: 'v5' }).expect(412);
    expect(staleList.body).toMatchObject({ code: 'PRECONDITION_FAILED', detail: expect.stringContaining('at version 4, not 2 or 3') });
    expect(await count('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`note-${note.id}`])).toBe(4);
    const bad = await http().patch(`/notes/${note.id}`).set('If-Match', 'yesterday').send({ title: 'v4' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_HEADER', detail: expect.stringContaining('If-Match') });
  });

  it('compares If-Match character for character: "01" is not the ETag "1", and gets 412, nothing written', async () => {
    const { body: note } = await http().post('/notes').send({ title: 'v1' }).expect(201);
    const events = () => count('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`note-${note.id}`]);
    for (const tag of ['"01"', '"001"', '01', 'W/"1", "01"']) {
      const refused = await http().patch(`/notes/${note.id}`).set('If-Match', tag).send({ title: 'v2' });
      expect({ tag, status: refused.status, code: refused.body.code }).toEqual({ tag, status: 412, code: 'PRECONDITION_FAILED' });
      expect(refused.body.detail).toContain('send the ETag as it was given, "1"');
    }
    expect(await events()).toBe(1);
    // Beside the record's own tag, a list still holds.
    await http().patch(`/notes/${note.id}`).set('If-Match', '"01", "1"').send({ title: 'v2' }).expect(200);
    expect(await events()).toBe(2);
  });

  it('refuses If-Match on a request that creates its record, which has no version yet: 412, nothing written', async () => {
    const before = await count('SELECT count(*)::int AS n FROM events');
    for (const tag of ['"1"', '*', '"0"']) {
      const refused = await http().post('/notes').set('If-Match', tag).send({ title: 'created?' }).expect(412);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ code: 'PRECONDITION_FAILED', detail: expect.stringContaining('send it without If-Match') });
    }
    // Every route that creates a record (a user here; a cable, a follow-up, a post) is held to it where they all create, the aggregate repository.
    const user = await http().post('/users').set('If-Match', '*').send({ username: 'ifmatch.user', displayName: 'If Match', roles: ['drafter'], office: 'EAP/CM', clearance: 'UNCLASSIFIED', password: 'correct-horse-battery-9' }).expect(412);
    expect(user.body.detail).toContain('send it without If-Match');
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(before);
    await http().post('/notes').send({ title: 'created' }).expect(201);
  });

  it('replays the first answer for a repeated Idempotency-Key and writes nothing new', async () => {
    const first = await http().post('/notes').set('Idempotency-Key', 'key-1').send({ title: 'Once' }).expect(201);
    const events = await count('SELECT count(*)::int AS n FROM events');
    const audits = await count('SELECT count(*)::int AS n FROM audit_log');
    const again = await http().post('/notes').set('Idempotency-Key', 'key-1').send({ title: 'Once' }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.etag).toBe('"1"');
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(events);
    expect(await count('SELECT count(*)::int AS n FROM audit_log')).toBe(audits);

    const other = await http().post('/notes').set('Idempotency-Key', 'key-1').send({ title: 'Something else' }).expect(422);
    expect(other.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(events);
  });

  it('knows a repeated request however its record is named, and as its If-Match stood', async () => {
    const { body: note } = await http().post('/notes').send({ title: 'Named' }).expect(201);
    const first = await http().patch(`/notes/${note.id}`).set('Idempotency-Key', 'key-named').set('If-Match', '"1"').send({ title: 'Renamed' }).expect(200);
    // The same record in upper case, or with a trailing slash, is the same request: replayed.
    for (const path of [`/notes/${note.id.toUpperCase()}`, `/notes/${note.id}/`]) {
      const again = await http().patch(path).set('Idempotency-Key', 'key-named').set('If-Match', '"1"').send({ title: 'Renamed' }).expect(200);
      expect([again.headers['idempotent-replayed'], again.body]).toEqual(['true', first.body]);
    }
    // Another precondition is another request; one that is no precondition at all is said to be so.
    const otherVersion = await http().patch(`/notes/${note.id}`).set('Idempotency-Key', 'key-named').set('If-Match', '"7"').send({ title: 'Renamed' }).expect(422);
    expect(otherVersion.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await http().patch(`/notes/${note.id}`).set('Idempotency-Key', 'key-named').set('If-Match', 'garbage').send({ title: 'Renamed' }).expect(400);
    expect(await count('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`note-${note.id}`])).toBe(2);
  });

  it('answers a conditional GET whole: the ETag is the record\'s version, and what an answer shows beside the record changes without it', async () => {
    const { body: note } = await http().post('/notes').send({ title: 'Conditional' }).expect(201);
    const first = await http().get(`/notes/${note.id}`).expect(200);
    expect(first.headers.etag).toBe('"1"');
    const again = await http().get(`/notes/${note.id}`).set('If-None-Match', '"1"').expect(200);
    expect(again.body).toEqual(first.body);
    // Nor by Express's own validator of the body, for an answer without a version.
    const me = await http().get('/auth/me').expect(200);
    expect(me.headers.etag).toBeDefined();
    await http().get('/auth/me').set('If-None-Match', me.headers.etag).expect(200);
  });

  it('lets only one of many concurrent requests with the same key write', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => http().post('/notes').set('Idempotency-Key', 'key-race').send({ title: 'Raced' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE data->>'title' = 'Raced'`)).toBe(1);
  });

  it('forgets a key after IDEMPOTENCY_KEY_TTL_HOURS: the same key then starts a new request, and expired keys are deleted', async () => {
    const first = await http().post('/notes').set('Idempotency-Key', 'key-old').send({ title: 'Yesterday' }).expect(201);
    await http().post('/notes').set('Idempotency-Key', 'key-stale').send({ title: 'Left behind' }).expect(201);
    await dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key IN ('key-old', 'key-stale')`);
    // The same request a day later is a new one (a logout, a disable sent again does what it says).
    const again = await http().post('/notes').set('Idempotency-Key', 'key-old').send({ title: 'Yesterday' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    // And the key is remembered anew: now a retry is replayed, and another request with it refused.
    const retried = await http().post('/notes').set('Idempotency-Key', 'key-old').send({ title: 'Yesterday' }).expect(201);
    expect([retried.headers['idempotent-replayed'], retried.body.id]).toEqual(['true', again.body.id]);
    await http().post('/notes').set('Idempotency-Key', 'key-old').send({ title: 'Something else' }).expect(422);
    // Expired rows go as keys are recorded (at most once a minute; the store is asked to now).
    (app.get(IdempotencyStore) as unknown as { lastPurge: number }).lastPurge = 0;
    await http().post('/notes').set('Idempotency-Key', 'key-purging').send({ title: 'Purges' }).expect(201);
    for (let i = 0; i < 50 && (await count(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'key-stale'`)) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await count(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key IN ('key-stale', 'key-old', 'key-purging')`)).toBe(2);
  });

  it('refuses malformed JSON, unknown fields and missing fields with 400 problem+json', async () => {
    const before = await count('SELECT count(*)::int AS n FROM events');
    const malformed = await http().post('/notes').set('Content-Type', 'application/json').send('{"title": "x"').expect(400);
    expect(malformed.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(malformed.body).toMatchObject({ type: 'urn:chancery:problem:bad-request', status: 400, code: 'BAD_REQUEST', detail: expect.stringMatching(/not valid JSON/) });
    // Valid JSON, but no object: said as such, not as "not valid JSON".
    const array = await http().post('/notes').set('Content-Type', 'application/json').send('[{"title": "x"}]').expect(400);
    expect(array.body.detail).toBe('The request body must be a JSON object, not an array.');
    for (const bare of ['null', '3', '"x"', 'true']) {
      const refused = await http().post('/notes').set('Content-Type', 'application/json').send(bare).expect(400);
      expect({ bare, detail: refused.body.detail }).toEqual({ bare, detail: expect.stringMatching(/^The request body must be a JSON object, not a bare value/) });
    }

    const unknown = await http().post('/notes').send({ title: 'x', classification: 'SECRET' }).expect(400);
    expect(unknown.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'classification', message: expect.stringMatching(/should not exist/) }] });

    const missing = await http().post('/notes').send({}).expect(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['title']));

    // A merge patch is a PATCH's content only.
    const merged = await http().post('/notes').set('Content-Type', 'application/merge-patch+json').send(JSON.stringify({ title: 'x' })).expect(415);
    expect({ type: merged.body.type, detail: merged.body.detail, accept: merged.headers.accept }).toEqual({
      type: 'urn:chancery:problem:unsupported-media-type',
      detail: 'This request takes a JSON body (Content-Type: application/json); this one is application/merge-patch+json',
      accept: 'application/json',
    });
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(before);
  });

  it('answers what Node refuses before any route (headers over 16 KB) as problem+json, and a JSON body in any charset but UTF-8 with 415', async () => {
    const base = await listening(app);
    const oversized = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const sent = httpRequest(`${base}/notes?q=${'x'.repeat(20_000)}`, { headers: { Authorization: `Bearer ${token}` } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }));
      });
      sent.on('error', reject);
      sent.end();
    });
    expect(oversized.status).toBe(431);
    expect(oversized.type).toBe('application/problem+json');
    expect(JSON.parse(oversized.body)).toMatchObject({ status: 431, code: 'REQUEST_HEADERS_TOO_LARGE', detail: expect.stringContaining('16 KB') });
    const before = await count('SELECT count(*)::int AS n FROM events');
    for (const charset of ['utf-16', 'latin1', 'UTF-16LE']) {
      const body = charset.toLowerCase().startsWith('utf-16') ? Buffer.from('\ufeff{"title":"x"}', 'utf16le') : Buffer.from('{"title":"x"}', 'latin1');
      const refused = await http().post('/notes').set('Content-Type', `application/json; charset=${charset}`).send(body).expect(415);
      expect(refused.body).toMatchObject({ status: 415, detail: `A JSON body is UTF-8 (RFC 8259 §8.1): this request takes application/json with charset=utf-8, or no charset; this one says charset=${charset}.` });
    }
    await http().post('/notes').set('Content-Type', 'application/json; charset=UTF-8').send('{"title":"utf-8 said"}').expect(201);
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(before + 1);
  });

  it('takes charset=utf8 for utf-8, and names what it takes, in Accept too, when it refuses another charset', async () => {
    const before = await count('SELECT count(*)::int AS n FROM events');
    for (const said of ['utf8', 'UTF8', '"utf8"', 'Utf-8']) {
      await http().post('/notes').set('Content-Type', `application/json; charset=${said}`).send(`{"title":"charset=${said.replaceAll('"', '')}"}`).expect(201);
    }
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(before + 4);
    const refused = await http().post('/notes').set('Content-Type', 'application/json; charset=latin1').send('{"title":"x"}').expect(415);
    expect({ detail: refused.body.detail, accept: refused.headers.accept, listed: refused.body.accept }).toEqual({
      detail: 'A JSON body is UTF-8 (RFC 8259 §8.1): this request takes application/json with charset=utf-8, or no charset; this one says charset=latin1.',
      accept: 'application/json',
      listed: ['application/json'],
    });
    // A PATCH takes a merge patch too, said in Accept-Patch (RFC 5789), as for any other content it does not take.
    const { body: note } = await http().post('/notes').send({ title: 'patched' }).expect(201);
    const patch = await http().patch(`/notes/${note.id}`).set('Content-Type', 'application/merge-patch+json; charset=utf-16').send('{"title":"y"}').expect(415);
    expect({ detail: patch.body.detail, acceptPatch: patch.headers['accept-patch'] }).toEqual({
      detail: 'A JSON body is UTF-8 (RFC 8259 §8.1): this request takes application/merge-patch+json or application/json with charset=utf-8, or no charset; this one says charset=utf-16.',
      acceptPatch: 'application/merge-patch+json, application/json',
    });
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(before + 5);
  });

  it('reads a JSON body coded gzip, deflate or br, and refuses another coding with 415 and Accept-Encoding, and one that does not decode with 400', async () => {
    const before = await count('SELECT count(*)::int AS n FROM events');
    /** POST /notes with `body` as its bytes, said to be coded `coding` (supertest would serialize a Buffer as JSON). */
    const send = (coding: string, body: Buffer) =>
      http().post('/notes').set('Content-Type', 'application/json').set('Content-Encoding', coding).serialize((bytes: unknown) => bytes as string).send(body as unknown as string);
    const json = (title: string) => Buffer.from(JSON.stringify({ title }));
    for (const [coding, code] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync], ['GZIP', gzipSync], ['identity', (b: Buffer) => b]] as const) {
      expect((await send(coding, code(json(coding))).expect(201)).body.title).toBe(coding);
    }
    for (const coding of ['compress', 'zstd', 'x-gzip', 'gzip, br', 'identity, gzip']) {
      const refused = await send(coding, json('coded'));
      expect({ coding, status: refused.status, type: refused.headers['content-type'], acceptEncoding: refused.headers['accept-encoding'], detail: refused.body.detail }).toEqual({
        coding, status: 415, type: expect.stringMatching(/^application\/problem\+json/), acceptEncoding: 'gzip, deflate, br, identity',
        detail: `A JSON body is sent as it is (Content-Encoding: identity, or none) or coded gzip, deflate or br; this one says Content-Encoding: ${coding}.`,
      });
      expect(refused.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', acceptEncoding: ['gzip', 'deflate', 'br', 'identity'] });
    }
    for (const [coding, body] of [['gzip', Buffer.from('{"title":"not gzip"}')], ['gzip', gzipSync(json('cut short')).subarray(0, 20)], ['br', Buffer.from('not brotli at all')], ['deflate', Buffer.from('not deflate')]] as const) {
      const refused = await send(coding, body);
      expect({ coding, status: refused.status, type: refused.headers['content-type'], code: refused.body.code, detail: refused.body.detail }).toEqual({
        coding, status: 400, type: expect.stringMatching(/^application\/problem\+json/), code: 'BAD_REQUEST',
        detail: `The request body says Content-Encoding: ${coding}, but is not valid ${coding}: it cannot be decoded.`,
      });
    }
    // The limit (4kb here) is of the body decoded: a small gzip of a large body is refused whole.
    const swollen = await send('gzip', gzipSync(json('x'.repeat(100_000)))).expect(413);
    expect(swollen.body.detail).toBe('The request body is larger than the 4kb limit.');
    expect(await count('SELECT count(*)::int AS n FROM events')).toBe(before + 5);
  });

  it('refuses an oversized body with 413', async () => {
    const response = await http().post('/notes').send({ title: 'x'.repeat(10_000) }).expect(413);
    expect(response.body).toMatchObject({ status: 413, detail: expect.stringContaining('4kb') });
  });

  it('takes an empty chunked body for none on a route that takes no body, and refuses a chunked one with content', async () => {
    const base = await listening(app);
    /** POST /events/ticket (no body) with a chunked body of `chunks`, no Content-Type. */
    const send = (chunks: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const sent = httpRequest(`${base}/events/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' } }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        sent.on('error', reject);
        for (const chunk of chunks) sent.write(chunk);
        sent.end();
      });
    expect((await send([])).status).toBe(201);
    const refused = await send(['release ', 'it']);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).errors).toEqual([{ field: '(body)', message: 'this request takes no body' }]);
  });

  it('answers unknown routes with 404 and internal failures without their cause', async () => {
    const missing = await http().get('/no-such-route').expect(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.body.code).toBe('NOT_FOUND');
    await http().get('/notes/00000000-0000-4000-8000-000000000000').expect(404);
    // A path some route serves, asked with another method: 405, saying which methods it takes.
    const wrongMethod = await http().delete('/notes/00000000-0000-4000-8000-000000000000').expect(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, PATCH');
    expect(wrongMethod.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(wrongMethod.body).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED', allow: ['GET', 'HEAD', 'PATCH'], detail: expect.stringContaining('DELETE is not served') });
    expect((await http().put('/notes').send({ title: 'x' }).expect(405)).headers.allow).toBe('POST');
    expect((await request(app.getHttpServer()).head('/notes').set('Authorization', `Bearer ${token}`).expect(405)).headers.allow).toBe('POST');

    const failure = await http().post('/notes/explode').set('X-Request-Id', 'req-boom').send({}).expect(500);
    expect(failure.body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: 'req-boom' });
    expect(JSON.stringify(failure.body)).not.toMatch(/secret_table|SELECT|at /);
  });

  // Last: the app stops answering after it.
  it('answers a request that comes while the server stops 503 as problem+json, and closes its connection', async () => {
    (app.getHttpAdapter() as unknown as { beforeClose(): void }).beforeClose(); // as close() begins
    const refused = await http().get('/auth/me').set('X-Request-Id', 'req-late').expect(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect({ connection: refused.headers.connection, retryAfter: refused.headers['retry-after'] }).toEqual({ connection: 'close', retryAfter: '1' });
    expect(refused.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', detail: 'The server is stopping; try again shortly.', requestId: 'req-late' });
  });
});
