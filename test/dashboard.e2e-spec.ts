import type { INestApplication } from '@nestjs/common';
import { ProjectionRunner } from '@chancery/event-store';
import { authed, releaseCable } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('the leadership dashboard', () => {
  let database: TestDatabase;
  let app: INestApplication;
  const START = '2026-11-29T09:00:00Z';
  const clock = new TestClock(new Date(START));
  // A test that moves the clock leaves it where the others expect it, failed or not.
  afterEach(() => clock.set(START));
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'leader' | 'drafterNoDash', string>;
  const officers: Record<string, string> = {};
  let campaignId: string;
  let beforeResponse: string;
  const as = (token: string) => authed(app, token);
  const delivered = { deliveredOn: '2026-11-29', counterpart: { name: 'N', title: 'T', organization: 'O' }, level: 'DIRECTOR', method: 'IN_PERSON' };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' }, clock }));
    t.admin = await loginAsAdmin(app);
    t.drafter = (await createUser(app, t.admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    t.approver = (await createUser(app, t.admin, { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    t.leader = (await createUser(app, t.admin, { username: 'lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' })).token;
    for (const post of ['BEIJING', 'TOKYO', 'SEOUL', 'LONDON']) {
      officers[post] = (await createUser(app, t.admin, { username: `${post.toLowerCase()}.pol`, roles: ['post_officer'], postCode: post, clearance: 'SECRET' })).token;
    }
    // One instruction to two EAP posts and one EUR post.
    campaignId = await releaseCable(app, t.drafter, t.approver, {
      kind: 'INSTRUCTION', subject: 'AI model distillation', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING', 'TOKYO', 'LONDON'], paragraphs: [{ marking: 'U', text: 'Raise the concern.' }],
      demarche: { reportBy: '2026-12-10', targets: 'MFA', points: [1] },
    });
    await app.get(ProjectionRunner).catchUp();
    for (const post of ['BEIJING', 'TOKYO']) await as(officers[post]).post(`/demarches/${campaignId}/deliveries/${post}/delivery`, delivered).expect(201);
    await as(officers.LONDON).post(`/demarches/${campaignId}/deliveries/LONDON/not-delivered`, { reason: 'No appointment' }).expect(201);
    await as(officers.TOKYO).post(`/demarches/${campaignId}/deliveries/TOKYO/response`, { receivedOn: '2026-11-29', position: 'SUPPORTIVE', summary: 'Will cooperate.' }).expect(201);
    await new Promise((resolve) => setTimeout(resolve, 30));
    beforeResponse = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await as(officers.BEIJING).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, { receivedOn: '2026-11-29', position: 'REJECTED', summary: 'Baseless.' }).expect(201);
    const { body: f1 } = await as(t.drafter).post('/follow-ups', { title: 'Press Beijing again', owner: { post: 'BEIJING' }, dueOn: '2026-12-05' }).expect(201);
    await as(t.drafter).post('/follow-ups', { title: 'Brief Congress', owner: { office: 'EAP/CM' }, dueOn: '2026-12-20' }).expect(201);
    const { body: f3 } = await as(t.drafter).post('/follow-ups', { title: 'Thank Tokyo', owner: { post: 'TOKYO' }, dueOn: '2026-12-01' }).expect(201);
    await as(officers.TOKYO).post(`/follow-ups/${f3.id}/complete`, { outcome: 'Done' }).expect(201);
    expect(f1.id).toBeDefined();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('answers exact counts, positions, bureaus, overdue posts and follow-ups', async () => {
    clock.set('2026-12-11T09:00:00Z'); // past the report-by date and the first follow-up's due date
    const { body } = await as(t.leader).get('/dashboard').expect(200);
    expect(body.campaigns).toHaveLength(1);
    const [campaign] = body.campaigns;
    expect(campaign).toMatchObject({ id: campaignId, subject: 'AI model distillation', reportBy: '2026-12-10' });
    expect(campaign.summary).toEqual({ total: 3, delivered: 2, responded: 2, notDelivered: 1, pending: 0, overdue: 0 });
    expect(campaign.positions).toEqual({ SUPPORTIVE: 1, RECEPTIVE: 0, NONCOMMITTAL: 0, OPPOSED: 0, REJECTED: 1 });
    expect(campaign.byBureau).toEqual([
      { bureau: 'EAP', total: 2, delivered: 2, responded: 2, notDelivered: 0, pending: 0, overdue: 0, positions: { SUPPORTIVE: 1, RECEPTIVE: 0, NONCOMMITTAL: 0, OPPOSED: 0, REJECTED: 1 } },
      { bureau: 'EUR', total: 1, delivered: 0, responded: 0, notDelivered: 1, pending: 0, overdue: 0, positions: { SUPPORTIVE: 0, RECEPTIVE: 0, NONCOMMITTAL: 0, OPPOSED: 0, REJECTED: 0 } },
    ]);
    expect(campaign.overduePosts).toEqual([]);
    expect(body.followUps.byOwner).toEqual([
      { owner: 'BEIJING', open: 1, overdue: 1, done: 0, cancelled: 0 },
      { owner: 'EAP/CM', open: 1, overdue: 0, done: 0, cancelled: 0 },
      { owner: 'TOKYO', open: 0, overdue: 0, done: 1, cancelled: 0 },
    ]);
    expect(body.followUps.byBureau).toEqual([{ bureau: 'EAP', open: 2, overdue: 1, done: 1, cancelled: 0 }]);
  });

  it('answers as things stood at an instant: before Beijing’s response, and now', async () => {
    const then = (await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(beforeResponse)}`).expect(200)).body;
    expect(then.campaigns[0].summary).toEqual({ total: 3, delivered: 2, responded: 1, notDelivered: 1, pending: 0, overdue: 0 });
    expect(then.campaigns[0].positions.REJECTED).toBe(0);
    expect(then.followUps.byOwner).toEqual([]);

    // Replaying up to now gives exactly what the read tables give.
    const now = (await as(t.leader).get('/dashboard').expect(200)).body;
    const replayed = (await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(new Date().toISOString())}`).expect(200)).body;
    expect({ ...replayed, asOf: undefined }).toEqual({ ...now, asOf: undefined });
    // An instant still to come is today so far, not a forecast (by 2099 every report-by has passed).
    const future = (await as(t.leader).get('/dashboard?asOf=2099-01-01T00:00:00Z').expect(200)).body;
    expect({ ...future, asOf: undefined }).toEqual({ ...now, asOf: undefined });
    expect(now.campaigns[0].summary.responded).toBe(2);
    const before = (await as(t.leader).get('/dashboard?asOf=2000-01-01T00:00:00Z').expect(200)).body;
    expect(before.campaigns).toEqual([]);
  });

  it('is for leadership only', async () => {
    await as(t.drafter).get('/dashboard').expect(403);
    await as(officers.BEIJING).get('/dashboard').expect(403);
    await as(t.leader).get('/dashboard?asOf=whenever').expect(400);
    // Only ISO 8601: JavaScript's Date would read '-1' as 2001 and roll 30 February into March.
    for (const asOf of ['-1', 'Monday', '2026-02-30T00:00:00Z', '1 December 2026', '2026-11-20T09:00', '2026-11-20T09:00:00-05', '20261120T090000Z']) {
      const refused = await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(asOf)}`).expect(400);
      expect(refused.body.errors).toEqual([{ field: 'asOf', message: 'asOf must be an ISO 8601 instant' }]);
    }
    await as(t.leader).get('/dashboard?asOf=2026-11-20').expect(200);
    await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent('2026-11-20T10:00:00+01:00')}`).expect(200);
  });
});
