import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { authed } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('audit and operations routes', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  const t = {} as Record<'admin' | 'auditor' | 'drafter', string>;
  let drafterId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database));
    dataSource = app.get(DataSource);
    t.admin = await loginAsAdmin(app);
    t.auditor = (await createUser(app, t.admin, { username: 'auditor', roles: ['auditor'] })).token;
    const drafter = await createUser(app, t.admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM' });
    t.drafter = drafter.token;
    drafterId = drafter.id;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('pages and filters the audit log for auditors and admins only', async () => {
    const all = await authed(app, t.auditor).get('/audit?limit=2').expect(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items[0]).toMatchObject({ seq: 1, action: 'RegisterUser', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const mine = await authed(app, t.admin).get(`/audit?actor=${drafterId}`).expect(200);
    expect(mine.body.items.map((e: { action: string }) => e.action)).toEqual(['Login']);
    const stream = await authed(app, t.auditor).get(`/audit?streamId=user-${drafterId}`).expect(200);
    expect(stream.body.items.map((e: { action: string }) => e.action)).toEqual(['RegisterUser']);
    const future = await authed(app, t.auditor).get('/audit?from=2999-01-01T00:00:00Z').expect(200);
    expect(future.body).toEqual({ items: [], total: 0 });
    await authed(app, t.auditor).get('/audit?from=someday').expect(400);
    await authed(app, t.drafter).get('/audit').expect(403);
    await authed(app, t.drafter).get('/audit/verify').expect(403);
  });

  it('verifies the chain, and names the first entry tampered with', async () => {
    const intact = await authed(app, t.auditor).get('/audit/verify').expect(200);
    expect(intact.body).toMatchObject({ valid: true, entries: expect.any(Number), head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await dataSource.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await dataSource.query(`UPDATE audit_log SET action = 'Nothing to see' WHERE seq = 2`);
    await dataSource.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const broken = await authed(app, t.admin).get('/audit/verify').expect(200);
    expect(broken.body).toMatchObject({ valid: false, entries: 1, firstBroken: { seq: 2, reason: expect.stringMatching(/altered/) } });
  });

  it('shows every projection with its mode, checkpoint, lag and dead letters, to admins', async () => {
    const { body } = await authed(app, t.admin).get('/admin/projections').expect(200);
    const names = body.items.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['users', 'posts', 'cables', 'demarches', 'follow-ups', 'campaign-opener']));
    expect(body.items.find((p: { name: string }) => p.name === 'campaign-opener')).toMatchObject({ mode: 'async', deadLetters: 0, lag: expect.any(Number) });
    await authed(app, t.auditor).get('/admin/projections').expect(403);
  });
});
