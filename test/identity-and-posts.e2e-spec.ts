import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccessFixtureModule } from './fixtures/access.fixture.js';
import { createTestApp, createUser, login, loginAsAdmin, TEST_JWT_SECRET } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

type Role = 'drafter' | 'clearer' | 'approver' | 'post_officer' | 'leadership' | 'auditor' | 'admin';
const ROLES: Role[] = ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'];
const EVERYONE = ROLES;

describe('identity, access control and posts', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  const tokens = {} as Record<Role, string>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' }, imports: [AccessFixtureModule] }));
    dataSource = app.get(DataSource);
    tokens.admin = await loginAsAdmin(app);
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const user = await createUser(app, tokens.admin, {
        username: `matrix.${role.replace('_', '')}`,
        roles: [role],
        office: role === 'post_officer' ? undefined : 'EAP/CM',
        postCode: role === 'post_officer' ? 'BEIJING' : undefined,
      });
      tokens[role] = user.token;
    }
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  describe('the seeded network', () => {
    it('lists at least 250 posts with their codes, countries, TAGS and bureaus', async () => {
      const all = await http().get('/posts?limit=500').set('Authorization', `Bearer ${tokens.drafter}`).expect(200);
      expect(all.body.total).toBeGreaterThanOrEqual(250);
      expect(all.body.items).toHaveLength(all.body.total);
      const beijing = all.body.items.find((p: { code: string }) => p.code === 'BEIJING');
      expect(beijing).toMatchObject({ name: 'Embassy Beijing', kind: 'EMBASSY', country: 'CN', countryTag: 'CH', bureau: 'EAP', status: 'OPEN', addressDesignator: 'AMEMBASSY BEIJING' });
      const kinds = new Set(all.body.items.map((p: { kind: string }) => p.kind));
      expect(kinds).toEqual(new Set(['EMBASSY', 'CONSULATE_GENERAL', 'CONSULATE', 'MISSION']));
      const usun = await http().get('/posts/USUNNEWYORK').set('Authorization', `Bearer ${tokens.drafter}`).expect(200);
      expect(usun.body).toMatchObject({ kind: 'MISSION', bureau: 'IO', addressDesignator: 'USMISSION USUN NEW YORK' });
      await http().get('/posts/ATLANTIS').set('Authorization', `Bearer ${tokens.drafter}`).expect(404);
      // A code is read in any case, as record ids are; one that could be no post's is a 400.
      const lower = await http().get('/posts/usunNewYork').set('Authorization', `Bearer ${tokens.drafter}`).expect(200);
      expect(lower.body.code).toBe('USUNNEWYORK');
      const malformed = await http().get('/posts/USUN-1').set('Authorization', `Bearer ${tokens.drafter}`).expect(400);
      expect(malformed.body.errors).toEqual([{ field: 'code', message: 'must be a post code such as BEIJING' }]);
    });

    it('filters by bureau, kind, country and status', async () => {
      const auth = { Authorization: `Bearer ${tokens.leadership}` };
      const china = await http().get('/posts?country=CN').set(auth).expect(200);
      expect(china.body.items.map((p: { code: string }) => p.code).sort()).toEqual(['BEIJING', 'CHENGDU', 'GUANGZHOU', 'SHANGHAI', 'SHENYANG', 'WUHAN']);
      const suspended = await http().get('/posts?status=SUSPENDED&limit=500').set(auth).expect(200);
      expect(suspended.body.items.map((p: { code: string }) => p.code)).toEqual(expect.arrayContaining(['KABUL', 'KHARTOUM', 'SANAA']));
      const io = await http().get('/posts?bureau=IO&kind=MISSION').set(auth).expect(200);
      expect(io.body.items.every((p: { bureau: string; kind: string }) => p.bureau === 'IO' && p.kind === 'MISSION')).toBe(true);
      // A bureau or a country is read in any case, as the other lists' filters are.
      expect((await http().get('/posts?country=cn').set(auth).expect(200)).body.items).toEqual(china.body.items);
      const eap = await http().get('/posts?bureau=EAP&limit=500').set(auth).expect(200);
      expect((await http().get('/posts?bureau=eap&limit=500').set(auth).expect(200)).body.items).toEqual(eap.body.items);
      expect((await http().get('/posts?bureau=Eap&country=Jp').set(auth).expect(200)).body.items.map((p: { code: string }) => p.code)).toContain('TOKYO');
      const bad = await http().get('/posts?bureau=MARS').set(auth).expect(400);
      expect(bad.body.errors[0].field).toBe('bureau');
    });

    it('keeps suspended and closed posts out of ALDAC and the regional collectives', async () => {
      const auth = { Authorization: `Bearer ${tokens.post_officer}` };
      const aldac = await http().get('/collectives/ALDAC').set(auth).expect(200);
      const open = await http().get('/posts?status=OPEN&limit=500').set(auth).expect(200);
      expect(aldac.body.members).toHaveLength(open.body.total);
      expect(aldac.body.members).not.toContain('KHARTOUM');
      expect(aldac.body.members).not.toContain('CHENGDU');
      const eap = await http().get('/collectives/EAP_POSTS').set(auth).expect(200);
      expect(eap.body.members).toContain('BEIJING');
      expect(eap.body.members).not.toContain('LONDON');
      const list = await http().get('/collectives').set(auth).expect(200);
      expect(list.body.items.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(['ALDAC', 'ALLDP', 'AF_POSTS', 'WHA_POSTS', 'IO_POSTS']));
      await http().get('/collectives/NOPE').set(auth).expect(404);
      expect((await http().get('/collectives/eap_posts').set(auth).expect(200)).body.members).toEqual(eap.body.members);
      await http().get('/collectives/ALL-DP').set(auth).expect(400);
    });

    it('records a post’s lifecycle as events, and a suspended post drops out of ALDAC', async () => {
      const admin = { Authorization: `Bearer ${tokens.admin}` };
      const blank = await http().post('/posts/TOKYO/suspend').set(admin).send({ reason: ' \n ' }).expect(422);
      expect(blank.body.errors).toEqual([{ field: 'reason', message: 'say why the post is suspended' }]);
      const tokyo = (await http().post('/users').set(admin).send({ username: 'tk.stays', password: 'another-long-password', displayName: 'Tokyo Officer', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' }).expect(201)).body as { id: string };
      await http().post('/posts/TOKYO/suspend').set(admin).send({ reason: 'Typhoon' }).expect(200);
      expect((await http().get('/collectives/ALDAC').set(admin)).body.members).not.toContain('TOKYO');
      // Its officers stay, and their profile may be sent back with the post they are at: no change of
      // place, so not refused; a move to the suspended post is.
      await http().patch(`/users/${tokyo.id}`).set(admin).send({ postCode: 'TOKYO', displayName: 'Tokyo Officer, Typhoon' }).expect(200);
      const mover = (await http().post('/users').set(admin).send({ username: 'bj.mover', password: 'another-long-password', displayName: 'Beijing Officer', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' }).expect(201)).body as { id: string };
      const moved = await http().patch(`/users/${mover.id}`).set(admin).send({ postCode: 'TOKYO' }).expect(422);
      expect(moved.body.errors).toEqual([{ field: 'postCode', message: 'TOKYO is not an open post' }]);
      const again = await http().post('/posts/TOKYO/suspend').set(admin).send({ reason: 'Twice' }).expect(409);
      expect(again.body.code).toBe('INVALID_TRANSITION');
      const reopened = await http().post('/posts/TOKYO/reopen').set(admin).expect(200);
      expect(reopened.body).toMatchObject({ status: 'OPEN', version: 3 });
      expect((await http().get('/collectives/ALDAC').set(admin)).body.members).toContain('TOKYO');
      const events = await dataSource.query(`SELECT type FROM events WHERE stream_id = 'post-TOKYO' ORDER BY stream_version`);
      expect(events.map((e: { type: string }) => e.type)).toEqual(['PostEstablished', 'PostSuspended', 'PostReopened']);
      const duplicate = await http().post('/posts').set(admin).send({ code: 'TOKYO', name: 'Embassy Tokyo', kind: 'EMBASSY', city: 'Tokyo', country: 'JP', countryTag: 'JA', bureau: 'EAP' }).expect(409);
      expect(duplicate.body).toMatchObject({ code: 'ALREADY_EXISTS', detail: 'Post TOKYO exists' });
      // One name, one thing: no post takes the Department's or a collective's name, or an office's, and its country is a country.
      const post = { name: 'Embassy Nowhere', kind: 'EMBASSY', city: 'Nowhere', country: 'TV', countryTag: 'TV', bureau: 'EAP' };
      for (const code of ['ALDAC', 'SECSTATE', 'STATE']) {
        expect((await http().post('/posts').set(admin).send({ ...post, code }).expect(422)).body.errors[0].field).toBe('code');
      }
      expect((await http().post('/posts').set(admin).send({ ...post, code: 'ISN' }).expect(422)).body.errors).toEqual([{ field: 'code', message: "an office's symbol" }]);
      expect((await http().post('/posts').set(admin).send({ ...post, code: 'NOWHERE', country: 'XX' }).expect(422)).body.errors[0].field).toBe('country');
      // Its TAGS country tag is its country's (FIPS 10-4: France is FR, China CH), and its designator its own.
      for (const [countryTag, message] of [['CH', 'countryTag must be FR, the TAGS country tag of FR'], ['QQ', 'countryTag must be FR, the TAGS country tag of FR']]) {
        const refused = await http().post('/posts').set(admin).send({ ...post, code: 'LILLE', name: 'Consulate Lille', kind: 'CONSULATE', city: 'Lille', country: 'FR', countryTag, bureau: 'EUR' }).expect(422);
        expect(refused.body.errors).toEqual([{ field: 'countryTag', message }]);
      }
      const namesake = await http().post('/posts').set(admin).send({ code: 'TOKYOTWO', name: 'Embassy Tokyo', kind: 'EMBASSY', city: 'Tokyo', country: 'JP', countryTag: 'JA', bureau: 'EAP' }).expect(409);
      expect(namesake.body).toMatchObject({ detail: 'TOKYO is addressed as AMEMBASSY TOKYO already', errors: [{ field: 'city', message: "AMEMBASSY TOKYO is TOKYO's designator" }] });
      // Two admins establishing namesakes at the same moment: one post is established, the other
      // refused with nothing written (the designator is checked under its lock, in the transaction).
      const twins = ['NAMESAKEA', 'NAMESAKEB'].map((code) => ({ code, name: 'Consulate General Nagoya-Kita', kind: 'CONSULATE_GENERAL', city: 'Nagoya-Kita', country: 'JP', countryTag: 'JA', bureau: 'EAP' }));
      const [a, b] = await Promise.all(twins.map((twin) => http().post('/posts').set(admin).send(twin)));
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.errors).toEqual([{ field: 'city', message: expect.stringMatching(/^AMCONSUL NAGOYA KITA is NAMESAKE[AB]'s designator$/) }]);
      const written = await dataSource.query(`SELECT stream_id FROM events WHERE stream_id IN ('post-NAMESAKEA', 'post-NAMESAKEB')`);
      expect(written).toEqual([{ stream_id: `post-${(a.status === 201 ? a : b).body.code}` }]);
      expect((await http().post('/offices').set(admin).send({ symbol: 'BEIJING', name: 'Office of Beijing' }).expect(422)).body.errors).toEqual([{ field: 'symbol', message: "a post's code" }]);
      for (const symbol of ['ALDAC', 'SECSTATE']) expect((await http().post('/offices').set(admin).send({ symbol, name: 'Reserved' }).expect(422)).body.errors[0].field).toBe('symbol');
    });

    it('refuses a city its telegram designator cannot carry, and finds a namesake whatever letters write its city', async () => {
      const admin = { Authorization: `Bearer ${tokens.admin}` };
      const post = { code: 'TOKYOBIS', name: 'Embassy Tokyo', kind: 'EMBASSY', country: 'JP', countryTag: 'JA', bureau: 'EAP' };
      // A Cyrillic о, a zero-width space, a byte order mark, a symbol: each a 400 naming the character.
      for (const [city, message] of [
        ['T\u043ekyo', 'city must be written in Latin letters, as its telegram designator is: "\u043e" (U+043E) is not one'],
        ['To\u200bkyo', 'city must not hold the invisible character U+200B: a telegram designator cannot carry it'],
        ['\ufeffTokyo', 'city must not hold the invisible character U+FEFF: a telegram designator cannot carry it'],
        ['Tokyo \u{1f5fc}', `city must not hold "\u{1f5fc}" (U+1F5FC): a telegram designator carries letters A to Z (accented or not), digits, spaces and . , ' - ( ) only`],
      ]) {
        const refused = await http().post('/posts').set(admin).send({ ...post, city }).expect(400);
        expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'city', message }] });
      }
      // Full-width letters are Tokyo's: the designator is Tokyo's, and Tokyo has it.
      const fullWidth = await http().post('/posts').set(admin).send({ ...post, city: '\uff34\uff4f\uff4b\uff59\uff4f' }).expect(409);
      expect(fullWidth.body).toMatchObject({ detail: 'TOKYO is addressed as AMEMBASSY TOKYO already', errors: [{ field: 'city', message: "AMEMBASSY TOKYO is TOKYO's designator" }] });
      expect(await dataSource.query(`SELECT stream_id FROM events WHERE stream_id = 'post-TOKYOBIS'`)).toEqual([]);
    });
  });

  describe('route-by-role matrix', () => {
    const establish = { code: 'MATRIXPOST', name: 'Embassy Matrix', kind: 'EMBASSY', city: 'Matrix', country: 'TV', countryTag: 'TV', bureau: 'EUR' };
    // In order: for the admin each row must succeed, so the post goes through a valid lifecycle.
    const routes: { method: 'get' | 'post' | 'patch'; path: string; body?: () => object; allowed: readonly Role[]; success: number }[] = [
      { method: 'get', path: '/auth/me', allowed: EVERYONE, success: 200 },
      { method: 'get', path: '/users', allowed: ['admin'], success: 200 },
      { method: 'post', path: '/users', body: () => ({ username: `u${Date.now()}${Math.floor(Math.random() * 1e6)}`, password: 'a-long-enough-password', displayName: 'New', roles: ['drafter'], office: 'EAP/CM', clearance: 'UNCLASSIFIED' }), allowed: ['admin'], success: 201 },
      { method: 'get', path: '/posts', allowed: EVERYONE, success: 200 },
      { method: 'get', path: '/posts/BEIJING', allowed: EVERYONE, success: 200 },
      { method: 'post', path: '/posts', body: () => establish, allowed: ['admin'], success: 201 },
      { method: 'patch', path: '/posts/MATRIXPOST', body: () => ({ name: 'Embassy Matrix City' }), allowed: ['admin'], success: 200 },
      { method: 'post', path: '/posts/MATRIXPOST/suspend', body: () => ({ reason: 'drill' }), allowed: ['admin'], success: 200 },
      { method: 'post', path: '/posts/MATRIXPOST/reopen', allowed: ['admin'], success: 200 },
      { method: 'post', path: '/posts/MATRIXPOST/close', body: () => ({ reason: 'drill over' }), allowed: ['admin'], success: 200 },
      { method: 'get', path: '/collectives', allowed: EVERYONE, success: 200 },
      { method: 'get', path: '/collectives/ALDAC', allowed: EVERYONE, success: 200 },
    ];

    it.each(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s answers each role as it should', async (_name, route) => {
      const anonymous = await http()[route.method](route.path).send(route.body?.() ?? {});
      expect(anonymous.status).toBe(401);
      for (const role of ROLES) {
        const response = await http()[route.method](route.path).set('Authorization', `Bearer ${tokens[role]}`).send(route.body?.() ?? {});
        const expected = route.allowed.includes(role) ? route.success : 403;
        expect({ role, status: response.status }).toEqual({ role, status: expected });
        if (expected === 403) expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    });

    it('writes every denial to the audit log', async () => {
      const denials = await dataSource.query(`SELECT actor_role, details FROM audit_log WHERE action = 'AccessDenied'`);
      const expected = routes.reduce((n, r) => n + ROLES.filter((role) => !r.allowed.includes(role)).length, 0);
      expect(denials.length).toBeGreaterThanOrEqual(expected);
      expect(denials[0].details).toMatchObject({ attempted: expect.any(String), reason: expect.any(String) });
    });
  });

  describe('users', () => {
    it('creates users with roles, office, post and clearance, and refuses what does not fit', async () => {
      const admin = { Authorization: `Bearer ${tokens.admin}` };
      const officer = await http()
        .post('/users')
        .set(admin)
        .send({ username: 'jdoe', password: 'correct-horse-battery', displayName: 'Jane Doe', roles: ['post_officer'], postCode: 'SHANGHAI', clearance: 'SECRET' })
        .expect(201);
      expect(officer.body).toMatchObject({ username: 'jdoe', roles: ['post_officer'], postCode: 'SHANGHAI', clearance: 'SECRET', version: 1 });
      expect(JSON.stringify(officer.body)).not.toMatch(/password|argon/);
      const [credential] = await dataSource.query('SELECT password_hash FROM user_credentials WHERE user_id = $1', [officer.body.id]);
      expect(credential.password_hash).toMatch(/^\$argon2id\$/);
      const events = await dataSource.query(`SELECT data FROM events WHERE stream_id = $1`, [`user-${officer.body.id}`]);
      expect(JSON.stringify(events)).not.toMatch(/argon|correct-horse/);

      const taken = await http().post('/users').set(admin).send({ username: 'jdoe', password: 'another-long-password', displayName: 'J', roles: ['drafter'], office: 'EAP/CM', clearance: 'UNCLASSIFIED' }).expect(409);
      expect(taken.body).toMatchObject({ code: 'ALREADY_EXISTS', errors: [{ field: 'username', message: 'the username jdoe is taken' }] });
      const noPost = await http().post('/users').set(admin).send({ username: 'nopost', password: 'another-long-password', displayName: 'N', roles: ['post_officer'], clearance: 'UNCLASSIFIED' }).expect(422);
      expect(noPost.body.errors[0].field).toBe('postCode');
      const closedPost = await http().post('/users').set(admin).send({ username: 'chengdu.officer', password: 'another-long-password', displayName: 'C', roles: ['post_officer'], postCode: 'CHENGDU', clearance: 'UNCLASSIFIED' }).expect(422);
      expect(closedPost.body.detail).toMatch(/CHENGDU is not an open post/);
      // A post's officer acts for the post: a Department office as well would make them a desk (its drafts, other posts' cables).
      const both = await http().post('/users').set(admin).send({ username: 'bj.desk', password: 'another-long-password', displayName: 'B', roles: ['post_officer'], postCode: 'BEIJING', office: 'EAP/CM', clearance: 'SECRET' }).expect(422);
      expect(both.body.errors).toEqual([{ field: 'office', message: 'a user bound to a post has no Department office: give an office or a post, not both' }]);
      await http().patch(`/users/${officer.body.id}`).set(admin).send({ office: 'EAP/CM' }).expect(422);
      // Leadership are the Department's principals: a post's officer made leadership would read every post's NODIS traffic.
      const principal = await http().post('/users').set(admin).send({ username: 'bj.lead', password: 'another-long-password', displayName: 'L', roles: ['post_officer', 'leadership'], postCode: 'BEIJING', clearance: 'SECRET' }).expect(422);
      expect(principal.body.errors).toEqual([{ field: 'roles', message: "leadership are the Department's principals, not bound to a post: give leadership to a user of a Department office" }]);
      await http().patch(`/users/${officer.body.id}`).set(admin).send({ roles: ['post_officer', 'leadership'] }).expect(422);
      const weak = await http().post('/users').set(admin).send({ username: 'weak', password: 'short', displayName: 'W', roles: ['bogus'], clearance: 'COSMIC' }).expect(400);
      expect(weak.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['clearance', 'password', 'roles']);

      const me = await http().get('/auth/me').set('Authorization', `Bearer ${await login(app, 'jdoe', 'correct-horse-battery')}`).expect(200);
      expect(me.body).toEqual({ id: officer.body.id, username: 'jdoe', displayName: 'Jane Doe', roles: ['post_officer'], office: null, postCode: 'SHANGHAI', clearance: 'SECRET', departmentTimeZone: 'UTC' });
      const list = await http().get('/users?limit=100').set(admin).expect(200);
      expect(list.body.items.map((u: { username: string }) => u.username)).toContain('jdoe');
      // Found by any part of their username, display name, office or post, in any case; the total is of those found.
      for (const q of ['JDO', 'jane d', 'shanghai']) {
        const found = await http().get('/users').query({ q, limit: 1 }).set(admin).expect(200);
        expect(found.body).toMatchObject({ total: 1, items: [{ username: 'jdoe' }] });
      }
      expect((await http().get('/users').query({ q: 'no such person %_' }).set(admin).expect(200)).body).toEqual({ items: [], total: 0 });
      const blank = await http().get('/users').query({ q: '  ' }).set(admin).expect(400);
      expect(blank.body.errors).toEqual([{ field: 'q', message: 'q must hold something to look for' }]);
      // An id that is a UUID of another version names nobody (404); one that is no UUID is refused (400, the field named).
      const nobody = await http().patch('/users/00000000-0000-0000-0000-000000000000').set(admin).send({ displayName: 'Nobody' }).expect(404);
      expect(nobody.body.code).toBe('NOT_FOUND');
      const malformed = await http().patch('/users/not-a-uuid').set(admin).send({ displayName: 'Nobody' }).expect(400);
      expect(malformed.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'id', message: 'must be a UUID' }] });
    });
  });

  describe('tokens and logins', () => {
    it('refuses tampered, foreign, expired and orphaned tokens with 401', async () => {
      const [header, payload, signature] = tokens.drafter.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: (await http().get('/auth/me').set('Authorization', `Bearer ${tokens.admin}`)).body.id })).toString('base64url');
      const cases = {
        tampered: `${header}.${forged}.${signature}`,
        'signed with another key': new JwtService({ secret: 'some-other-key-that-is-long-enough-too' }).sign(claims),
        expired: new JwtService({ secret: TEST_JWT_SECRET }).sign({ sub: claims.sub, username: claims.username, exp: Math.floor(Date.now() / 1000) - 60 }),
        'for no user': new JwtService({ secret: TEST_JWT_SECRET }).sign({ sub: '00000000-0000-4000-8000-000000000000', username: 'ghost' }),
        garbage: 'not-a-token',
        'a good token and more': `${tokens.drafter} junk`,
      };
      for (const [name, token] of Object.entries(cases)) {
        const response = await http().get('/auth/me').set('Authorization', `Bearer ${token}`);
        expect({ name, status: response.status }).toEqual({ name, status: 401 });
        expect(response.body.code).toBe('UNAUTHENTICATED');
      }
      const expired = await http().get('/auth/me').set('Authorization', `Bearer ${cases.expired}`);
      expect(expired.body.detail).toMatch(/expired/);
    });

    it('answers wrong credentials with 401, and the twenty-first rapid failed login with 429, in every API process and after a restart', async () => {
      await createUser(app, tokens.admin, { username: 'target', roles: ['drafter'], office: 'EAP/CM' });
      for (let attempt = 1; attempt <= 20; attempt++) {
        const response = await http().post('/auth/login').send({ username: 'target', password: `guess-${attempt}` });
        expect({ attempt, status: response.status }).toEqual({ attempt, status: 401 });
      }
      const limited = await http().post('/auth/login').send({ username: 'target', password: 'guess-21' }).expect(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Even the right password waits now.
      await http().post('/auth/login').send({ username: 'target', password: 'target-password-123' }).expect(429);
      // Counted in the database: another API process, or this one restarted, refuses it too.
      const { app: second } = await createTestApp(database, { env: { SEED_POSTS: 'true' } });
      try {
        await request(second.getHttpServer()).post('/auth/login').send({ username: 'target', password: 'target-password-123' }).expect(429);
      } finally {
        await second.close();
      }
      const failures = await dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'LoginFailed' AND details->>'username' = 'target'`);
      expect(failures[0].n).toBe(20);
      // A name no user has is kept out of the log for good: it is as often a password typed into the wrong box.
      const mistyped = await http().post('/auth/login').send({ username: 'walnut-glacier-sonnet-8', password: 'target' }).expect(401);
      const [unknown] = await dataSource.query(`SELECT actor_id, details FROM audit_log WHERE action = 'LoginFailed' AND request_id = $1`, [mistyped.headers['x-request-id']]);
      expect(unknown).toEqual({ actor_id: 'anonymous', details: { username: null, unknownUsername: true, client: expect.any(String) } });
      expect(JSON.stringify(await dataSource.query('SELECT details FROM audit_log'))).not.toContain('walnut-glacier-sonnet-8');
      // Nor in the login limits' counts, which name the name tried by a digest.
      expect(JSON.stringify(await dataSource.query('SELECT key FROM login_limits'))).not.toContain('walnut-glacier-sonnet-8');
      // The tries refused unheard are audited too, under the account they were aimed at: the first of the window, once.
      for (let i = 0; i < 3; i++) await http().post('/auth/login').send({ username: 'target', password: `more-${i}` }).expect(429);
      const refused = await dataSource.query(`SELECT actor_id, details FROM audit_log WHERE action = 'LoginRefused' AND details->>'username' = 'target'`);
      const [target] = await dataSource.query(`SELECT id FROM users WHERE username = 'target'`);
      expect(refused.map((r: { actor_id: string; details: { why: string } }) => [r.actor_id, r.details.why])).toEqual([[target.id, 'too many failed password tries']]);
      // The locked-out user asks an administrator, who resets the password: it works at once.
      await http().post(`/users/${target.id}/password`).set('Authorization', `Bearer ${tokens.admin}`).send({ password: 'amber-lantern-orchard-41' }).expect(200);
      await http().post('/auth/login').send({ username: 'target', password: 'amber-lantern-orchard-41' }).expect(200);
    });
    it('counts failed logins by account, whatever spelling of the name reached it: a name written with look-alike letters gets no count of its own', async () => {
      await createUser(app, tokens.admin, { username: 'iris.kent', roles: ['drafter'], office: 'EAP/CM' });
      for (let attempt = 1; attempt <= 20; attempt++) {
        // Any case reaches the account; so may letters whose lower case is ASCII (K, the Kelvin sign).
        const username = ['iris.kent', 'IRIS.KENT', 'Iris.\u212Aent'][attempt % 3];
        const response = await http().post('/auth/login').send({ username, password: `guess-${attempt}` });
        expect({ attempt, status: response.status }).toEqual({ attempt, status: 401 });
      }
      // Locked out under every spelling, the right password included; a spelling that is no user's
      // name (İ, which JavaScript lowers to i and a combining dot) reaches no account at all.
      for (const username of ['iris.kent', 'IRIS.kent', 'iris.\u212Aent', '\u0130ris.kent', 'ir\u0130s.kent', ' iris.kent ']) {
        const response = await http().post('/auth/login').send({ username, password: 'iris.kent-password-123' });
        expect({ username, status: response.status }).toEqual({ username, status: username.includes('\u0130') ? 401 : 429 });
      }
    });
  });

  describe('what each user may act on and read', () => {
    it('lets a post officer act for their own post only', async () => {
      await http().post('/fixture/posts/BEIJING/act').set('Authorization', `Bearer ${tokens.post_officer}`).expect(200);
      const other = await http().post('/fixture/posts/TOKYO/act').set('Authorization', `Bearer ${tokens.post_officer}`).expect(403);
      expect(other.body.detail).toMatch(/officer of BEIJING, not TOKYO/);
      await http().post('/fixture/posts/BEIJING/act').set('Authorization', `Bearer ${tokens.drafter}`).expect(403);
    });

    it('never gives an UNCLASSIFIED user a CONFIDENTIAL object, in a list or alone', async () => {
      const unclassified = { Authorization: `Bearer ${tokens.drafter}` };
      const list = await http().get('/fixture/documents').set(unclassified).expect(200);
      expect(list.body.items.map((d: { classification: string }) => d.classification)).toEqual(['UNCLASSIFIED', 'SBU']);
      for (const id of ['confidential', 'secret', 'nodis']) {
        const response = await http().get(`/fixture/documents/${id}`).set(unclassified).expect(403);
        expect(JSON.stringify(response.body)).not.toMatch(/Demarche instructions|Assessment|Principals only/);
      }
    });

    it('gives a released cable to its working party (leadership too, NODIS or not) and the posts it went to, within their clearance', async () => {
      const admin = { Authorization: `Bearer ${tokens.admin}` };
      const cleared = await createUser(app, tokens.admin, { username: 'secret.reader', roles: ['leadership'], clearance: 'SECRET' });
      const outsider = await createUser(app, tokens.admin, { username: 'secret.clearer', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
      const beijing = await createUser(app, tokens.admin, { username: 'beijing.cleared', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'CONFIDENTIAL' });
      const readerList = await http().get('/fixture/documents').set('Authorization', `Bearer ${cleared.token}`).expect(200);
      expect(readerList.body.items.map((d: { id: string }) => d.id)).toEqual(['open', 'sbu', 'confidential', 'secret', 'nodis']);
      const outsiderList = await http().get('/fixture/documents').set('Authorization', `Bearer ${outsider.token}`).expect(200);
      expect(outsiderList.body.items).toEqual([]);
      const refused = await http().get('/fixture/documents/nodis').set('Authorization', `Bearer ${outsider.token}`).expect(403);
      expect(JSON.stringify(refused.body)).not.toMatch(/NODIS|CONFIDENTIAL|RELEASED/);
      await http().get('/fixture/documents/nodis').set('Authorization', `Bearer ${beijing.token}`).expect(200);
      await http().get('/fixture/documents/secret').set('Authorization', `Bearer ${beijing.token}`).expect(403);
      await http().get('/users').set(admin).expect(200);
    });
  });
});
