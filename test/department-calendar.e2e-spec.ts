import type { INestApplication } from '@nestjs/common';
import { OverdueScheduler } from '@chancery/demarches';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';

/**
 * The Department's deadlines run on Washington's calendar (DEPARTMENT_TIME_ZONE, America/New_York by
 * default), not Greenwich's: at 19:30 in Washington on 6 December (00:30 UTC on the 7th), a follow-up
 * due on the 6th is not overdue, nor escalated, and the 6th is not in the past; a campaign due to
 * report on the 6th has no post overdue. After midnight in Washington, they are.
 */
describe('the Department’s calendar: due dates, report-by dates and overdue on Washington’s days', () => {
  let story: Story<'frontOffice'>;
  let app: INestApplication;
  const clock = new TestClock(new Date('2026-12-01T15:00:00Z'));
  const as = (token: string) => authed(app, token);
  const t = {} as Story<'frontOffice'>['tokens'];

  beforeAll(async () => {
    story = await startStory(clock, { frontOffice: { username: 'eap.fo', roles: ['leadership'], office: 'EAP', clearance: 'SECRET' } }, undefined, { DEPARTMENT_TIME_ZONE: 'America/New_York' });
    app = story.app;
    Object.assign(t, story.tokens);
  });
  afterAll(() => story.end());

  it('names the calendar to its users', async () => {
    expect((await as(t.drafter).get('/auth/me').expect(200)).body.departmentTimeZone).toBe('America/New_York');
  });

  it('keeps a follow-up due today in Washington open, unescalated and re-datable to today, until Washington’s midnight', async () => {
    clock.set('2026-12-06T23:30:00Z'); // 18:30 in Washington
    const { body: created } = await as(t.drafter).post('/follow-ups', { title: 'Call the embassy back', owner: { office: 'EAP/CM' }, dueOn: '2026-12-06' }).expect(201);
    clock.set('2026-12-07T00:30:00Z'); // 19:30 in Washington, the 7th in Greenwich
    await app.get(OverdueScheduler).scan();
    const evening = (await as(t.drafter).get(`/follow-ups/${created.id}`).expect(200)).body;
    expect({ overdue: evening.overdue, escalatedTo: evening.escalatedTo ?? null }).toEqual({ overdue: false, escalatedTo: null });
    expect((await as(t.frontOffice).get('/inbox').expect(200)).body.escalated).toEqual([]);
    // Still today: one may be opened, or re-dated, for it; yesterday may not.
    await as(t.drafter).post('/follow-ups', { title: 'Due tonight', owner: { office: 'EAP/CM' }, dueOn: '2026-12-06' }).expect(201);
    const refused = await as(t.drafter).post('/follow-ups', { title: 'Due yesterday', owner: { office: 'EAP/CM' }, dueOn: '2026-12-05' }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'dueOn', message: 'dueOn cannot be in the past' }]);
    expect((await as(t.drafter).get('/follow-ups?overdue=true').expect(200)).body.items).toEqual([]);

    clock.set('2026-12-07T05:30:00Z'); // 00:30 on the 7th in Washington
    await app.get(OverdueScheduler).scan();
    const morning = (await as(t.drafter).get(`/follow-ups/${created.id}`).expect(200)).body;
    expect({ overdue: morning.overdue, escalatedTo: morning.escalatedTo }).toEqual({ overdue: true, escalatedTo: 'EAP' });
    expect((await as(t.frontOffice).get('/inbox').expect(200)).body.escalated.map((f: { followUpId: string }) => f.followUpId)).toContain(created.id);
    await as(t.drafter).post('/follow-ups', { title: 'Due yesterday now', owner: { office: 'EAP/CM' }, dueOn: '2026-12-06' }).expect(422);
  });

  it('has no post overdue on a campaign due to report today in Washington, until Washington’s midnight', async () => {
    clock.set('2026-12-08T15:00:00Z');
    const cableId = await releaseCable(app, t.drafter, t.approver, {
      kind: 'INSTRUCTION', subject: 'Demarche due in the evening', classification: 'UNCLASSIFIED', captions: [], precedence: 'IMMEDIATE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Action request: see paragraph 2.' }, { marking: 'U', text: 'Raise it.' }],
      demarche: { reportBy: '2026-12-09', targets: 'MFA', points: [2] },
    });
    expect((await awaitCampaign(app, t.drafter, cableId)).status).toBe(200);
    // At noon UTC on the 9th (already the 10th in Kiribati), a post's record answers its delivery as GET does: not overdue.
    clock.set('2026-12-09T12:00:00Z');
    const delivered = (await as(t.beijing).post(`/demarches/${cableId}/deliveries/BEIJING/delivery`, {
      deliveredOn: '2026-12-09', counterpart: { name: 'Li Wei', title: 'Director-General', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON',
    }).expect(201)).body;
    expect({ answered: delivered.overdue, read: (await as(t.beijing).get(`/demarches/${cableId}/deliveries/BEIJING`).expect(200)).body.overdue }).toEqual({ answered: false, read: false });
    clock.set('2026-12-10T01:00:00Z'); // 20:00 on the 9th in Washington
    await app.get(OverdueScheduler).scan();
    const evening = (await as(t.drafter).get(`/demarches/${cableId}`).expect(200)).body;
    expect(evening.summary.overdue).toBe(0);
    clock.set('2026-12-10T05:01:00Z'); // 00:01 on the 10th in Washington
    await app.get(OverdueScheduler).scan();
    const morning = (await as(t.drafter).get(`/demarches/${cableId}`).expect(200)).body;
    expect(morning.summary.overdue).toBe(1);
  });
});
