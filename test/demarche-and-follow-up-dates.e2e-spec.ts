import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';

/**
 * Every date-only field of a demarche's delivery and of a follow-up (deliveredOn, a contact's `on`,
 * receivedOn, dueOn at creation and when re-dated) names a day the calendar has: 2026-02-30 is
 * refused at validation (400, `errors[]` naming the field), and nothing is stored.
 */
describe('dates of deliveries, contacts, responses and follow-ups, through HTTP', () => {
  let story: Story<string>;
  let app: INestApplication;
  let dataSource: DataSource;
  const clock = new TestClock(new Date('2026-11-30T09:00:00Z'));
  const t = {} as Record<'drafter' | 'approver' | 'beijing', string>;
  const as = (token: string) => authed(app, token);
  let campaignId: string;
  let deliveryUrl: string;

  const counterpart = { name: 'Li Wei', title: 'Director-General', organization: 'Ministry of Foreign Affairs' };
  const delivered = { deliveredOn: '2026-12-01', counterpart, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' };
  const contact = { on: '2026-12-02', counterpart, level: 'DIRECTOR_GENERAL', method: 'PHONE' };
  const response = { receivedOn: '2026-12-02', position: 'NONCOMMITTAL', summary: 'Took note; will study.' };
  const followUp = { title: 'Seek a second meeting with the MFA', owner: { post: 'BEIJING' }, dueOn: '2026-12-20' };

  /** A refusal at validation: 400, the project's problem+json, the field named with what it wants. */
  const refusedAtValidation = (answer: { status: number; body: Record<string, unknown> }, field: string, value: string) => {
    expect({ status: answer.status, type: answer.body.type, code: answer.body.code, errors: answer.body.errors }).toEqual({
      status: 400,
      type: 'urn:chancery:problem:validation-failed',
      code: 'VALIDATION_FAILED',
      // Written as a date, it names no day: said so, with its value.
      errors: [{ field, message: `${field}: ${value} is no day of the calendar` }],
    });
  };
  const storedEvents = async (streamId: string) =>
    (await dataSource.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [streamId]))[0].n as number;

  beforeAll(async () => {
    story = await startStory(clock, {});
    ({ app, dataSource } = story);
    Object.assign(t, story.tokens);
    campaignId = await releaseCable(app, t.drafter, t.approver, {
      kind: 'INSTRUCTION', subject: 'Demarche on export controls', classification: 'CONFIDENTIAL', captions: [], precedence: 'IMMEDIATE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Action request: see paragraph 2.' }, { marking: 'C', text: 'Raise export controls.' }],
      classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' },
      demarche: { reportBy: '2026-12-31', targets: 'MFA', points: [2] },
    });
    expect((await awaitCampaign(app, t.drafter, campaignId)).status).toBe(200);
    deliveryUrl = `/demarches/${campaignId}/deliveries/BEIJING`;
    // Tasked on 30 November; the meetings come after.
    clock.set('2026-12-05T09:00:00Z');
  });
  afterAll(async () => {
    await story.end();
  });

  it('refuses a delivery on a day the calendar does not have, and stores nothing', async () => {
    // 2026-11-31 passes "YYYY-MM-DD" and is before today: only the calendar refuses it.
    for (const deliveredOn of ['2026-02-30', '2026-11-31', '2026-13-01', '2026-00-10', '0000-01-01']) {
      refusedAtValidation(await as(t.beijing).post(`${deliveryUrl}/delivery`, { ...delivered, deliveredOn }), 'deliveredOn', deliveredOn);
    }
    expect(await storedEvents(`delivery-${campaignId}:BEIJING`)).toBe(0);
  });

  it('refuses a contact or a response on a day the calendar does not have, and stores nothing', async () => {
    await as(t.beijing).post(`${deliveryUrl}/delivery`, delivered).expect(201);
    for (const on of ['2026-04-31', '2026-11-31', '2026-12-32']) {
      refusedAtValidation(await as(t.beijing).post(`${deliveryUrl}/contacts`, { ...contact, on }), 'on', on);
    }
    await as(t.beijing).post(`${deliveryUrl}/response`, response).expect(201);
    // A second response: the one that would become the latest, and one that would not.
    for (const receivedOn of ['2026-02-30', '2026-11-31', '2026-12-00']) {
      refusedAtValidation(await as(t.beijing).post(`${deliveryUrl}/response`, { ...response, position: 'REJECTED', receivedOn }), 'receivedOn', receivedOn);
      refusedAtValidation(await as(t.beijing).post(`${deliveryUrl}/response`, { ...response, receivedOn, corrects: 1 }), 'receivedOn', receivedOn);
    }
    expect(await storedEvents(`delivery-${campaignId}:BEIJING`)).toBe(2);
    const { body } = await as(t.beijing).get(deliveryUrl).expect(200);
    expect(body.contacts.map((c: { on: string }) => c.on)).toEqual(['2026-12-01']);
    expect(body.responses.map((r: { receivedOn: string }) => r.receivedOn)).toEqual(['2026-12-02']);
    await as(t.beijing).post(`${deliveryUrl}/contacts`, contact).expect(201);
  });

  it('refuses a follow-up due on a day the calendar does not have, at creation and when re-dated; a leap day is a day', async () => {
    for (const dueOn of ['2027-02-30', '2027-13-01', '2027-02-29', '2026-12-32']) {
      refusedAtValidation(await as(t.drafter).post('/follow-ups', { ...followUp, dueOn }), 'dueOn', dueOn);
      refusedAtValidation(await as(t.drafter).post('/follow-ups', { ...followUp, dueOn, demarcheId: campaignId, post: 'BEIJING', response: 1 }), 'dueOn', dueOn);
    }
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM events WHERE stream_type = 'followup'`))[0].n).toBe(0);

    const { body: created } = await as(t.drafter).post('/follow-ups', { ...followUp, dueOn: '2028-02-29' }).expect(201);
    expect(created.dueOn).toBe('2028-02-29');
    for (const dueOn of ['2026-11-31', '2026-12-32', '2027-02-29', '2027-13-01']) {
      refusedAtValidation(await as(t.drafter).patch(`/follow-ups/${created.id}`, { dueOn }), 'dueOn', dueOn);
      refusedAtValidation(await as(t.beijing).patch(`/follow-ups/${created.id}`, { dueOn, title: 'Renamed' }), 'dueOn', dueOn);
    }
    expect(await storedEvents(`followup-${created.id}`)).toBe(1);
    const moved = await as(t.drafter).patch(`/follow-ups/${created.id}`, { dueOn: '2026-12-31' }).expect(200);
    expect(moved.body.dueOn).toBe('2026-12-31');
  });

  it('reads every date as the calendar date it is, whatever the process\'s time zone', async () => {
    // node-postgres makes a `date` a Date at local midnight: in a process east of UTC (TZ=Asia/Tokyo),
    // the day before in UTC, so report-by and due dates were shown a day early and deliveries went
    // overdue on their last day. The database's dates are read as their text instead.
    expect(await dataSource.query(`SELECT '2026-12-31'::date AS d, NULL::date AS n`)).toEqual([{ d: '2026-12-31', n: null }]);
    const { body: due } = await as(t.drafter).post('/follow-ups', { ...followUp, dueOn: '2026-12-24' }).expect(201);
    expect((await as(t.drafter).get(`/follow-ups/${due.id}`).expect(200)).body.dueOn).toBe('2026-12-24');
    expect((await as(t.drafter).get('/follow-ups').expect(200)).body.items.find((f: { id: string }) => f.id === due.id).dueOn).toBe('2026-12-24');
    const campaign = (await as(t.drafter).get(`/demarches/${campaignId}`).expect(200)).body;
    expect({ reportBy: campaign.reportBy, overdue: campaign.summary.overdue }).toEqual({ reportBy: '2026-12-31', overdue: 0 });
  });

  it('lets a post east of Greenwich date a meeting on its own today, and nobody on a day no post has reached', async () => {
    // 23:00 UTC on 5 December is 08:00 on the 6th in Tokyo and 13:00 on the 6th in Kiribati (UTC+14).
    clock.set('2026-12-05T23:00:00Z');
    await as(t.beijing).post(`${deliveryUrl}/contacts`, { ...contact, on: '2026-12-06' }).expect(201);
    const refused = await as(t.beijing).post(`${deliveryUrl}/contacts`, { ...contact, on: '2026-12-07' }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'on', message: 'on must be a date, not in the future' }]);
    await as(t.beijing).post(`${deliveryUrl}/response`, { ...response, receivedOn: '2026-12-07' }).expect(422);
    await as(t.beijing).post(`${deliveryUrl}/response`, { ...response, receivedOn: '2026-12-06', position: 'OPPOSED' }).expect(201);
  });
});
