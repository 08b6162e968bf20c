import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProjectionRegistry, ProjectionRunner } from '@chancery/event-store';
import { AddUserPlacedAt1795910428000 } from '../migrations/1795910428000-AddUserPlacedAt.js';
import { AddUserRolesSince1795910429000 } from '../migrations/1795910429000-AddUserRolesSince.js';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { READ_MODEL_TABLES, rebuildEach } from './support/read-models.js';

/** Meetings and answers are dated the day they are logged, after their campaign opened (the app runs on the real clock). */
const today = () => new Date().toISOString().slice(0, 10);

describe('rebuilding every read model', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    dataSource = app.get(DataSource);
    // A little of everything, through the API.
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const { id: approverId, token: approver } = await createUser(app, admin, { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' });
    const tokyo = (await createUser(app, admin, { username: 'tkpol', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' })).token;
    await authed(app, admin).post('/posts/KYIV/suspend', { reason: 'drill' }).expect(200);
    const cableId = await releaseCable(app, drafter, approver, {
      kind: 'INSTRUCTION', subject: 'Rebuild check', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['EAP_POSTS'], paragraphs: [{ marking: 'U', text: 'Deliver the points.' }],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    });
    await awaitCampaign(app, drafter, cableId);
    await authed(app, tokyo).post(`/demarches/${cableId}/deliveries/TOKYO/delivery`, {
      deliveredOn: today(), counterpart: { name: 'Sato', title: 'DG', organization: 'MOFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON',
    }).expect(201);
    // A delivery kept over time: another contact, two responses (quoted, then corrected), a document.
    const tk = `/demarches/${cableId}/deliveries/TOKYO`;
    await authed(app, tokyo).post(`${tk}/contacts`, { on: today(), counterpart: { name: 'Sato', title: 'DG', organization: 'MOFA' }, level: 'DIRECTOR_GENERAL', method: 'PHONE' }).expect(201);
    await authed(app, tokyo).post(`${tk}/response`, { receivedOn: today(), position: 'RECEPTIVE', summary: 'Will study.', quotes: [{ text: '検討します。', language: 'ja', translation: 'We will study it.' }] }).expect(201);
    await authed(app, tokyo).post(`${tk}/response`, { receivedOn: today(), position: 'SUPPORTIVE', summary: 'Supports.', corrects: 1 }).expect(201);
    await request(app.getHttpServer()).post(`${tk}/documents`).set('Authorization', `Bearer ${tokyo}`).field('kind', 'AIDE_MEMOIRE').attach('file', Buffer.from('Aide-memoire'), { filename: 'am.txt' }).expect(201);
    const { body: followUp } = await authed(app, drafter).post('/follow-ups', { title: 'Check back', owner: { post: 'TOKYO' }, dueOn: '2099-12-01', demarcheId: cableId }).expect(201);
    await authed(app, tokyo).post(`/follow-ups/${followUp.id}/comments`, { text: 'Will do' }).expect(201);
    // Notifications: the release told Tokyo; one is read, then all.
    const { body: notices } = await authed(app, tokyo).get('/notifications').expect(200);
    expect(notices.total).toBeGreaterThan(0);
    await authed(app, tokyo).post(`/notifications/${notices.items[0].id}/read`).expect(200);
    await authed(app, tokyo).post('/notifications/read-all').expect(200);
    // A user moved to another office (placed there anew), and renamed (which places no one).
    await authed(app, admin).patch(`/users/${approverId}`, { office: 'EUR' }).expect(200);
    await authed(app, admin).patch(`/users/${approverId}`, { displayName: 'Moved and renamed' }).expect(200);
    // Then given a role, and another taken away and given back: each held since it was last given.
    for (const roles of [['approver', 'clearer'], ['clearer'], ['clearer', 'approver']]) await authed(app, admin).patch(`/users/${approverId}`, { roles }).expect(200);
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('gives every projection the same content after a rebuild from zero', async () => {
    const runner = app.get(ProjectionRunner);
    const registered = app.get(ProjectionRegistry).all.map((p) => p.name);
    expect(registered).toEqual(expect.arrayContaining(Object.keys(READ_MODEL_TABLES)));
    // The swapped-in tables keep the live ones' indexes and constraints, by name (migrations and
    // error handlers name them), their checks and defaults; no shadow schema is left behind.
    const schema = () =>
      dataSource.query(`SELECT t.relname AS table, (SELECT array_agg(indexrelid::regclass::text || ' ' || pg_get_indexdef(indexrelid) ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = t.oid) AS indexes,
                          (SELECT array_agg(conname || ' ' || pg_get_constraintdef(c.oid) ORDER BY conname) FROM pg_constraint c WHERE conrelid = t.oid) AS constraints,
                          (SELECT array_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') ORDER BY attnum)
                           FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE attrelid = t.oid AND attnum > 0 AND NOT attisdropped) AS columns,
                          t.relpersistence AS persistence, t.reloptions AS options
                        FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND t.relkind = 'r' ORDER BY 1`);
    const before = await schema();
    for (const { name, before, after } of await rebuildEach(dataSource, runner)) {
      expect((before as unknown[][]).some((rows) => rows.length > 0)).toBe(true);
      expect({ name, after }).toEqual({ name, after: before });
    }
    expect(await schema()).toEqual(before);
    expect(await dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`)).toEqual([]);
    // The process manager is a reaction: replaying it would send its commands again, so it is refused.
    await expect(runner.rebuild('campaign-opener')).rejects.toThrow(/campaign-opener is a reaction/);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'CampaignOpened'`);
    expect(n).toBe(1);
  });

  it('gives users stored before placed_at was recorded the placement their events give, as the read model records it', async () => {
    const placements = () => dataSource.query('SELECT id, created_at, placed_at FROM users ORDER BY id');
    const live = (await placements()) as { created_at: Date; placed_at: Date }[];
    expect(live.filter((u) => u.placed_at.getTime() > u.created_at.getTime())).toHaveLength(1); // the one moved
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('ALTER TABLE users DROP COLUMN placed_at');
      await new AddUserPlacedAt1795910428000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await placements()).toEqual(live);
  });

  it('gives users stored before roles_since was recorded the moments their events give, as the read model records them', async () => {
    const held = () => dataSource.query('SELECT id, placed_at, roles, roles_since FROM users ORDER BY id');
    const live = (await held()) as { id: string; placed_at: Date; roles: string[]; roles_since: Record<string, string> }[];
    for (const user of live) expect(Object.keys(user.roles_since).sort()).toEqual([...user.roles].sort());
    const moments = (user: (typeof live)[number]) => new Set(Object.values(user.roles_since).map((at) => new Date(at).getTime()));
    const changed = live.filter((u) => [...moments(u)].some((at) => at > u.placed_at.getTime()));
    expect(changed.map((u) => moments(u).size)).toEqual([2]); // the one given roles after their move, at two moments
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('ALTER TABLE users DROP COLUMN roles_since');
      await new AddUserRolesSince1795910429000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await held()).toEqual(live);
  });
});
