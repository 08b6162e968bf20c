import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEMO_PASSWORD, loadDemo } from '../apps/api/src/demo/demo.js';
import { authed } from './support/http.js';
import { createTestApp, login } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('the demo story', () => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' }, runProjections: true }));
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('is told through the API, so that its history is real, and only into a database without cables', async () => {
    const logins = await loadDemo(app, await app.getUrl());
    expect(logins?.map((l) => l.username)).toEqual(expect.arrayContaining(['jdoe', 'pol.beijing', 'lead']));
    const dataSource = app.get(DataSource);
    const count = async (sql: string) => (await dataSource.query(sql))[0].n as number;
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'CableReleased'`)).toBe(2);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'ClearancesMadeStale'`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'ResponseLogged'`)).toBeGreaterThanOrEqual(24);

    const lead = await login(app, 'lead', DEMO_PASSWORD);
    const { body: dashboard } = await authed(app, lead).get('/dashboard').expect(200);
    expect(dashboard.campaigns).toHaveLength(2);
    const aldac = dashboard.campaigns.find((c: { summary: { total: number } }) => c.summary.total > 200);
    expect(aldac.positions.REJECTED).toBe(1);
    expect(Object.values(aldac.positions as Record<string, number>).filter((n) => n > 0).length).toBeGreaterThanOrEqual(4);
    // Follow-ups are never created past due: some are due today, none overdue yet.
    expect(dashboard.followUps.byOwner.reduce((n: number, o: { open: number }) => n + o.open, 0)).toBe(5);
    expect(dashboard.followUps.byOwner.reduce((n: number, o: { overdue: number }) => n + o.overdue, 0)).toBe(0);
    // Beijing's record over time: two contacts, a changed position, the PRC's words in Chinese, the non-paper.
    const bj = (await authed(app, lead).get(`/demarches/${aldac.id}/deliveries/BEIJING`).expect(200)).body;
    expect(bj.contacts.length).toBeGreaterThanOrEqual(2);
    expect(bj).toMatchObject({ position: 'REJECTED', quotes: [{ text: '有关指控毫无根据。', language: 'zh', translation: 'The allegations are baseless.' }] });
    expect(bj.documents).toEqual([expect.objectContaining({ kind: 'NON_PAPER', mediaType: 'text/plain; charset=utf-8' })]);
    const other = dashboard.campaigns.find((c: { id: string }) => c.id !== aldac.id);
    expect(other.positionsChanged).toBe(1);

    // Beijing reports by cable, approved and released by its chief of mission.
    const pol = await login(app, 'pol.beijing', DEMO_PASSWORD);
    const ambassador = await login(app, 'amb.beijing', DEMO_PASSWORD);
    const { body: report } = await authed(app, pol).post('/cables', {
      kind: 'REPORTING', subject: 'MFA rejects the demarche', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn: aldac.mrn }], paragraphs: [{ marking: 'U', text: 'The MFA rejected the demarche.' }],
    }).expect(201);
    await authed(app, pol).post(`/cables/${report.id}/submit`).expect(200);
    expect((await authed(app, ambassador).get('/inbox').expect(200)).body.toApprove.map((c: { cableId: string }) => c.cableId)).toEqual([report.id]);
    await authed(app, ambassador).post(`/cables/${report.id}/approve`).expect(200);
    expect((await authed(app, ambassador).post(`/cables/${report.id}/release`).expect(200)).body.mrn).toMatch(/^\d\d BEIJING \d{6}$/);

    expect(await loadDemo(app, await app.getUrl())).toBeNull();
  });
});
