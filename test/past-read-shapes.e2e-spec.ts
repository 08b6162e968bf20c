import type { INestApplication } from '@nestjs/common';
import { ProjectionRunner } from '@chancery/event-store';
import { authed, releaseCable } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A past read carries what the live read carried at that moment, derived from the events as of
 * then: a released instruction's campaign (`?version=` of its current version, `?asOf=`), a
 * follow-up version's overdue, response, responseCorrectedBy and history.
 */
describe('a past read is the shape of the live read then', () => {
  let database: TestDatabase;
  let app: INestApplication;
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'leader' | 'beijing' | 'tokyo', string>;
  let campaignId: string;
  const as = (token: string) => authed(app, token);
  const today = new Date().toISOString().slice(0, 10);
  const delivered = { deliveredOn: today, counterpart: { name: 'N', title: 'T', organization: 'O' }, level: 'DIRECTOR', method: 'IN_PERSON' };
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    t.admin = await loginAsAdmin(app);
    t.drafter = (await createUser(app, t.admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    t.approver = (await createUser(app, t.admin, { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    t.leader = (await createUser(app, t.admin, { username: 'lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' })).token;
    t.beijing = (await createUser(app, t.admin, { username: 'beijing.pol', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    t.tokyo = (await createUser(app, t.admin, { username: 'tokyo.pol', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' })).token;
    campaignId = await releaseCable(app, t.drafter, t.approver, {
      kind: 'INSTRUCTION', subject: 'Past shapes', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING', 'TOKYO'], paragraphs: [{ marking: 'U', text: 'Raise the concern.' }],
      demarche: { reportBy: '2099-12-10', targets: 'MFA', points: [1] },
    });
    await app.get(ProjectionRunner).catchUp();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('a released instruction read at its current version or as of an instant carries its campaign as it stood then', async () => {
    await pause();
    const beforeDelivery = new Date().toISOString();
    await pause();
    await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/delivery`, delivered).expect(201);
    const live = (await as(t.drafter).get(`/cables/${campaignId}`).expect(200)).body;
    expect(live.campaign).toEqual({ id: campaignId, summary: { total: 2, delivered: 1, responded: 0, notDelivered: 0, pending: 1, overdue: 0 } });
    const atVersion = (await as(t.drafter).get(`/cables/${campaignId}?version=${live.version}`).expect(200)).body;
    expect(atVersion.campaign).toEqual(live.campaign);
    await pause();
    const now = (await as(t.drafter).get(`/cables/${campaignId}?asOf=${encodeURIComponent(new Date().toISOString())}`).expect(200)).body;
    expect(now.campaign).toEqual(live.campaign);
    expect(Object.keys(now).sort()).toEqual(Object.keys(live).sort());
    // Before Beijing's delivery: the counts then, not now.
    const then = (await as(t.drafter).get(`/cables/${campaignId}?asOf=${encodeURIComponent(beforeDelivery)}`).expect(200)).body;
    expect(then.campaign).toEqual({ id: campaignId, summary: { total: 2, delivered: 0, responded: 0, notDelivered: 0, pending: 2, overdue: 0 } });
    // Before its release it was a draft: no campaign, as the live read of a draft.
    const drafted = (await as(t.drafter).get(`/cables/${campaignId}?version=1`).expect(200)).body;
    expect(drafted.campaign).toBeNull();
  });

  it('a follow-up’s past version carries overdue, response, responseCorrectedBy and history as they stood then', async () => {
    await as(t.tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/delivery`, delivered).expect(201);
    await as(t.tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/response`, { receivedOn: today, position: 'OPPOSED', summary: 'No.' }).expect(201);
    const { body: created } = await as(t.drafter)
      .post('/follow-ups', { title: 'Press Tokyo', owner: { post: 'TOKYO' }, dueOn: '2099-01-10', demarcheId: campaignId, post: 'TOKYO', response: 1 })
      .expect(201);
    const first = (await as(t.drafter).get(`/follow-ups/${created.id}`).expect(200)).body;
    expect(first).toMatchObject({ response: 1, responseCorrectedBy: null, overdue: false });
    await pause();
    // The response it grew out of is corrected, then the follow-up changes.
    await as(t.tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/response`, { receivedOn: today, position: 'REJECTED', summary: 'No, firmly.', corrects: 1 }).expect(201);
    const corrected = (await as(t.drafter).get(`/follow-ups/${created.id}`).expect(200)).body;
    expect(corrected.responseCorrectedBy).toBe(2);
    await as(t.drafter).patch(`/follow-ups/${created.id}`, { title: 'Press Tokyo again' }).expect(200);
    const live = (await as(t.drafter).get(`/follow-ups/${created.id}`).expect(200)).body;
    expect(live.version).toBeGreaterThan(first.version);

    // Version 1 was last read as `corrected` (the correction came while it was version 1).
    const past = (await as(t.drafter).get(`/follow-ups/${created.id}?version=${first.version}`).expect(200)).body;
    expect(Object.keys(past).sort()).toEqual(Object.keys(live).sort());
    expect({ ...past, allowedActions: undefined }).toEqual({ ...corrected, allowedActions: undefined });
    expect(past.history).toEqual(first.history);
    expect(past.allowedActions).toEqual([]);
    // Its current version is the live read.
    const current = (await as(t.drafter).get(`/follow-ups/${created.id}?version=${live.version}`).expect(200)).body;
    expect(current).toEqual(live);
  });
});
