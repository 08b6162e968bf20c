import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';

/**
 * A follow-up linked to a campaign carries that record's classification and captions (api.md,
 * Additions, Follow-ups): every command on it answers what `GET /follow-ups/:id` shows the sender
 * at that moment (the highest classification, the linked captions, allowedActions, history), and an
 * Idempotency-Key replay answers that same first answer.
 */
describe('follow-up command answers, through HTTP', () => {
  let story: Story<string>;
  let app: INestApplication;
  const clock = new TestClock(new Date('2026-11-29T09:00:00Z'));
  const t = {} as Record<'drafter' | 'approver' | 'beijing' | 'leader' | 'admin', string>;
  const as = (token: string) => authed(app, token);
  let campaignId: string;

  const opened = (title: string) => ({ title, owner: { post: 'BEIJING' }, dueOn: '2026-12-10', demarcheId: campaignId, post: 'BEIJING' });
  /** The follow-up as GET shows it to that caller now. */
  const read = async (token: string, id: string) => (await as(token).get(`/follow-ups/${id}`).expect(200)).body;
  /** An answer is the caller's GET view at that moment, classified as the campaign is. */
  const answersAsRead = async (token: string, answer: { body: { id: string } }) => {
    expect(answer.body).toMatchObject({ classification: 'CONFIDENTIAL', captions: ['NOFORN'] });
    expect(answer.body).toEqual(await read(token, answer.body.id));
  };

  beforeAll(async () => {
    story = await startStory(clock, { leader: { username: 'lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' } });
    ({ app } = story);
    Object.assign(t, story.tokens);
    campaignId = await releaseCable(app, t.drafter, t.approver, {
      kind: 'INSTRUCTION', subject: 'Demarche on export controls', classification: 'CONFIDENTIAL', captions: ['NOFORN'], precedence: 'IMMEDIATE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Action request: see paragraph 2.' }, { marking: 'C', text: 'Raise export controls.' }],
      classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' },
      demarche: { reportBy: '2026-12-15', targets: 'MFA', points: [2] },
    });
    expect((await awaitCampaign(app, t.drafter, campaignId)).status).toBe(200);
  });
  afterAll(async () => {
    await story.end();
  });

  it('answers its creation as GET reads it: the campaign’s classification and captions, allowedActions and history', async () => {
    const created = await as(t.drafter).post('/follow-ups', opened('Seek a second meeting')).expect(201);
    await answersAsRead(t.drafter, created);
    expect(created.body).toMatchObject({ demarcheId: campaignId, post: 'BEIJING', status: 'OPEN', version: 1, allowedActions: expect.arrayContaining(['start']) });
    expect(created.body.history.map((e: { type: string }) => e.type)).toEqual(['FollowUpCreated']);
    expect(created.headers.etag).toBe('"1"');
  });

  it('answers start, comments, a new due date or owner, completion and cancellation as GET reads it, to whoever sent them', async () => {
    const { body: created } = await as(t.drafter).post('/follow-ups', opened('Brief the front office')).expect(201);
    const url = `/follow-ups/${created.id}`;
    await answersAsRead(t.beijing, await as(t.beijing).post(`${url}/start`).expect(201));
    await answersAsRead(t.beijing, await as(t.beijing).post(`${url}/comments`, { text: 'Request sent to the DG office.' }).expect(201));
    const moved = await as(t.drafter).patch(url, { dueOn: '2026-12-12', title: 'Brief the front office again' }).expect(200);
    await answersAsRead(t.drafter, moved);
    expect(moved.body.history.map((e: { type: string }) => e.type)).toEqual(['FollowUpCreated', 'FollowUpStarted', 'FollowUpCommented', 'FollowUpEdited', 'FollowUpDueDateChanged']);
    // A PATCH that changes nothing writes nothing, and still answers the follow-up as read.
    await answersAsRead(t.drafter, await as(t.drafter).patch(url, { dueOn: '2026-12-12' }).expect(200));
    await answersAsRead(t.drafter, await as(t.drafter).patch(url, { owner: { office: 'EAP/CM' } }).expect(200));
    const done = await as(t.drafter).post(`${url}/complete`, { outcome: 'Met the DG on 11 December.' }).expect(201);
    await answersAsRead(t.drafter, done);
    expect(done.body).toMatchObject({ status: 'DONE', allowedActions: ['comment'] });

    const { body: other } = await as(t.beijing).post('/follow-ups', opened('Thank the MFA')).expect(201);
    await answersAsRead(t.beijing, await as(t.beijing).post(`/follow-ups/${other.id}/cancel`, { reason: 'Overtaken by events' }).expect(201));
  });

  it('replays the same answer for an Idempotency-Key, classified as the campaign is', async () => {
    const keyed = (token: string, method: 'post' | 'patch', path: string, body: object, key: string) =>
      request(app.getHttpServer())[method](path).set('Authorization', `Bearer ${token}`).set('Idempotency-Key', key).send(body);
    const first = await keyed(t.drafter, 'post', '/follow-ups', opened('Keyed follow-up'), 'fu-create-1').expect(201);
    await answersAsRead(t.drafter, first);
    const again = await keyed(t.drafter, 'post', '/follow-ups', opened('Keyed follow-up'), 'fu-create-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    const url = `/follow-ups/${first.body.id}`;
    const comment = await keyed(t.beijing, 'post', `${url}/comments`, { text: 'On it.' }, 'fu-comment-1').expect(201);
    await answersAsRead(t.beijing, comment);
    const replayed = await keyed(t.beijing, 'post', `${url}/comments`, { text: 'On it.' }, 'fu-comment-1').expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(comment.body);
    const patched = await keyed(t.drafter, 'patch', url, { dueOn: '2026-12-09' }, 'fu-patch-1').expect(200);
    expect((await keyed(t.drafter, 'patch', url, { dueOn: '2026-12-09' }, 'fu-patch-1').expect(200)).body).toEqual(patched.body);
    expect(patched.body).toMatchObject({ classification: 'CONFIDENTIAL', captions: ['NOFORN'], dueOn: '2026-12-09' });
  });

  it('answers each caller with their own allowedActions, as their GET does', async () => {
    const { body: created } = await as(t.beijing).post('/follow-ups', opened('Report the reaction')).expect(201);
    const leaderView = await read(t.leader, created.id);
    expect(leaderView).toMatchObject({ classification: 'CONFIDENTIAL', captions: ['NOFORN'], allowedActions: [] });
    await answersAsRead(t.beijing, await as(t.beijing).post(`/follow-ups/${created.id}/comments`, { text: 'Noted.' }).expect(201));
  });

  it('names the officers it names by id as they are now (`people`), in its answers, its GET and a past version', async () => {
    const me = async (token: string) => (await as(token).get('/auth/me').expect(200)).body as { id: string; username: string };
    const [drafter, beijing] = [await me(t.drafter), await me(t.beijing)];
    const { body: created } = await as(t.drafter).post('/follow-ups', opened('Ask for the minutes')).expect(201);
    expect(created.people).toEqual({ [drafter.id]: { username: drafter.username, displayName: drafter.username } });
    await as(t.admin).patch(`/users/${beijing.id}`, { displayName: 'Pat Beijing' }).expect(200);
    const commented = await as(t.beijing).post(`/follow-ups/${created.id}/comments`, { text: 'Asked the DG office.' }).expect(201);
    await answersAsRead(t.beijing, commented);
    expect(commented.body.people).toEqual({
      [drafter.id]: { username: drafter.username, displayName: drafter.username },
      [beijing.id]: { username: beijing.username, displayName: 'Pat Beijing' },
    });
    // As the users are now, on a version from before one of them was renamed too; only those it names up to that version.
    await as(t.admin).patch(`/users/${drafter.id}`, { displayName: 'Jane Drafter' }).expect(200);
    expect((await read(t.leader, created.id)).people[drafter.id]).toEqual({ username: drafter.username, displayName: 'Jane Drafter' });
    const first = (await as(t.leader).get(`/follow-ups/${created.id}?version=1`).expect(200)).body;
    expect(first.people).toEqual({ [drafter.id]: { username: drafter.username, displayName: 'Jane Drafter' } });
  });
});
