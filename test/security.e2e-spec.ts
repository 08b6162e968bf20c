import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { looksLeaky, ROLES, type Role } from './support/security.js';
import { listening, openStream } from './support/sse.js';

const ANY_USER = ROLES;
const READERS = ROLES;

/**
 * Who may call each route, at the door (the role check before anything is read). Resource-level
 * rules (its drafter, that post's officers, cleared readers) are tested with the domains. Every
 * route the OpenAPI document lists must be here, so a new route cannot slip in unchecked.
 */
const MATRIX: Record<string, readonly Role[] | 'public'> = {
  'POST /auth/login': 'public',
  'GET /auth/me': ANY_USER,
  'POST /auth/password': ANY_USER,
  'POST /auth/logout': ANY_USER,
  'GET /health': 'public',
  'POST /users': ['admin'],
  'GET /users': ['admin'],
  'GET /users/{id}': ['admin'],
  'PATCH /users/{id}': ['admin'],
  'POST /users/{id}/disable': ['admin'],
  'POST /users/{id}/enable': ['admin'],
  'POST /users/{id}/password': ['admin'],
  'GET /offices': READERS,
  'POST /offices': ['admin'],
  'GET /posts': READERS,
  'GET /posts/{code}': READERS,
  'POST /posts': ['admin'],
  'PATCH /posts/{code}': ['admin'],
  'POST /posts/{code}/suspend': ['admin'],
  'POST /posts/{code}/reopen': ['admin'],
  'POST /posts/{code}/close': ['admin'],
  'GET /collectives': READERS,
  'GET /collectives/{code}': READERS,
  'POST /cables': ['drafter', 'post_officer'],
  'GET /cables': READERS,
  'GET /cables/{id}': READERS,
  'GET /cables/{id}/history': READERS,
  'GET /cables/{id}/telegram': READERS,
  'PATCH /cables/{id}': ['drafter', 'post_officer', 'clearer', 'approver'],
  'POST /cables/{id}/clearance-requests': ['drafter', 'post_officer'],
  'DELETE /cables/{id}/clearance-requests/{office}': ['drafter', 'post_officer'],
  'POST /cables/{id}/clearances': ['clearer'],
  'POST /cables/{id}/submit': ['drafter', 'post_officer'],
  'POST /cables/{id}/approve': ['approver'],
  'POST /cables/{id}/return': ['approver'],
  'POST /cables/{id}/release': ['approver'],
  'POST /cables/{id}/cancel': ['drafter', 'post_officer', 'approver'],
  'GET /demarches': READERS,
  'GET /demarches/{id}': READERS,
  'GET /demarches/{id}/deliveries/{post}': READERS,
  'GET /demarches/{id}/history': READERS,
  'POST /demarches/{id}/deliveries/{post}/delivery': ['post_officer'],
  'POST /demarches/{id}/deliveries/{post}/response': ['post_officer'],
  'POST /demarches/{id}/deliveries/{post}/not-delivered': ['post_officer'],
  'POST /demarches/{id}/deliveries/{post}/contacts': ['post_officer'],
  'POST /demarches/{id}/deliveries/{post}/responses/{number}/reporting-cable': ['post_officer'],
  'POST /demarches/{id}/deliveries/{post}/documents': ['post_officer'],
  'GET /demarches/{id}/deliveries/{post}/documents/{docId}': READERS,
  'GET /demarches/{id}/export.csv': ['leadership', 'drafter'],
  'POST /follow-ups': ['drafter', 'post_officer', 'leadership'],
  'GET /follow-ups': READERS,
  'GET /follow-ups/export.csv': ['leadership', 'drafter'],
  'GET /follow-ups/{id}': READERS,
  'PATCH /follow-ups/{id}': READERS,
  'POST /follow-ups/{id}/start': READERS,
  'POST /follow-ups/{id}/complete': READERS,
  'POST /follow-ups/{id}/cancel': READERS,
  'POST /follow-ups/{id}/comments': READERS,
  'GET /inbox': ANY_USER,
  'GET /dashboard': ['leadership'],
  'GET /audit': ['auditor', 'admin'],
  'GET /audit/verify': ['auditor', 'admin'],
  'GET /audit/tree-head': ['auditor', 'admin'],
  'GET /audit/entries/{seq}': ['auditor', 'admin'],
  'GET /audit/entries/{seq}/proof': ['auditor', 'admin'],
  'GET /audit/consistency': ['auditor', 'admin'],
  'GET /admin/projections': ['admin'],
  'POST /admin/projections/{name}/redrive': ['admin'],
  'POST /events/ticket': ANY_USER,
  'GET /events/stream': ANY_USER,
  'GET /notifications': ANY_USER,
  'POST /notifications/read-all': ANY_USER,
  'POST /notifications/{id}/read': ANY_USER,
  'GET /admin/notifications/email': ['admin'],
};

/** Routes that answer a stream that never ends: opened, their status and headers read, closed. */
const STREAMS = ['/events/stream'];

describe('security', () => {
  let database: TestDatabase;
  let app: INestApplication;
  const tokens = {} as Record<Role, string>;
  let operations: { method: string; path: string }[];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    tokens.admin = await loginAsAdmin(app);
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const user = await createUser(app, tokens.admin, {
        username: `sec.${role.replace('_', '')}`,
        roles: [role],
        clearance: 'SECRET',
        office: role === 'post_officer' ? undefined : 'EAP/CM',
        postCode: role === 'post_officer' ? 'BEIJING' : undefined,
      });
      tokens[role] = user.token;
    }
    const document = (await http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('has a row in the matrix for every route the API serves, and none for a route it does not', () => {
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it('answers every route, for the anonymous and for each role, as the matrix says; errors leak nothing', async () => {
    const outcomes: string[] = [];
    // Logging out ends the caller's tokens: walk it last.
    const logoutLast = [...operations].sort((a, b) => Number(a.path === '/auth/logout') - Number(b.path === '/auth/logout'));
    for (const { method, path } of logoutLast) {
      const allowed = MATRIX[`${method} ${path}`];
      const url = path.replace('{id}', randomUUID()).replace('{code}', 'BEIJING').replace('{post}', 'BEIJING').replace('{office}', 'L');
      const call = async (token?: string): Promise<{ status: number; text: string; headers: Record<string, string> }> => {
        if (STREAMS.includes(url)) {
          const stream = await openStream(await listening(app), url, token ? { Authorization: `Bearer ${token}` } : {});
          stream.close();
          return { status: stream.status, text: stream.text ?? '', headers: { 'content-type': stream.contentType ?? '' } };
        }
        const req = http()[method.toLowerCase() as 'get'](url);
        if (token) req.set('Authorization', `Bearer ${token}`);
        return method === 'GET' ? req : req.send({});
      };
      const anonymous = await call();
      outcomes.push(`${method} ${path} anonymous ${anonymous.status}`);
      if (allowed !== 'public') expect({ route: `${method} ${path}`, status: anonymous.status }).toEqual({ route: `${method} ${path}`, status: 401 });
      for (const role of ROLES) {
        const response = await call(tokens[role]);
        const route = `${method} ${path} as ${role}`;
        expect({ route, serverError: response.status >= 500 }).toEqual({ route, serverError: false });
        if (allowed === 'public' || allowed.includes(role)) {
          expect({ route, refused: [401, 403].includes(response.status) }).toEqual({ route, refused: false });
        } else {
          expect({ route, status: response.status }).toEqual({ route, status: 403 });
        }
        if (response.status >= 400) {
          expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
          expect({ route, leaks: looksLeaky(response.text) }).toEqual({ route, leaks: null });
        }
      }
    }
    expect(outcomes.length).toBe(operations.length);
  });

  it('sends the security headers helmet sets, and not the framework banner', async () => {
    for (const response of [await http().get('/health'), await http().get('/inbox').set('Authorization', `Bearer ${tokens.drafter}`), await http().get('/nowhere')]) {
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringMatching(/max-age=\d+/),
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });
});
