import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OverdueScheduler } from '@chancery/demarches';
import { ProjectionRunner } from '@chancery/event-store';
import { authed, releaseCable } from './support/http.js';
import { startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';

/**
 * Issue #16: follow-ups that act. Owned by an office of the directory or an open post, due no
 * earlier than today, linked only to what exists and the creator may read; overdue, they land in
 * the escalation bureau's inbox, whose leadership may give them a new owner or due date.
 */
describe('follow-ups that act, through HTTP', () => {
  let story: Story<string>;
  let app: INestApplication;
  let dataSource: DataSource;
  const clock = new TestClock(new Date('2026-11-29T09:00:00Z'));
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'uncleared' | 'beijing' | 'eapFrontOffice' | 'eurFrontOffice' | 'eapDesk' | 'secretary', string>;
  const as = (token: string) => authed(app, token);
  let secretCable: string;

  beforeAll(async () => {
    story = await startStory(clock, {
      uncleared: { username: 'weur', roles: ['drafter'], office: 'EUR/WE', clearance: 'UNCLASSIFIED' },
      eapFrontOffice: { username: 'eap.pdas', roles: ['leadership'], office: 'EAP', clearance: 'SECRET' },
      eurFrontOffice: { username: 'eur.pdas', roles: ['leadership'], office: 'EUR', clearance: 'SECRET' },
      eapDesk: { username: 'eap.desk', roles: ['drafter'], office: 'EAP', clearance: 'SECRET' },
      secretary: { username: 'sec', roles: ['leadership'], office: 'S', clearance: 'SECRET' },
    });
    ({ app, dataSource } = story);
    Object.assign(t, story.tokens);
    secretCable = await releaseCable(app, t.drafter, t.approver, {
      kind: 'INFORMATIONAL', subject: 'PRC technology transfer', classification: 'SECRET', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'S', text: 'Assessment.' }],
      classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' },
    });
    await app.get(ProjectionRunner).catchUp();
  });
  afterAll(async () => {
    await story.end();
  });

  const body = { title: 'Seek a second meeting with the MFA', owner: { post: 'BEIJING' }, dueOn: '2026-12-10' };

  it('is owned by an office of the directory or an open post (422 otherwise)', async () => {
    // An owner named as nothing is a malformed request, said of its field.
    for (const owner of [{ office: null }, { post: null }, { office: null, post: 'BEIJING' }]) {
      expect((await as(t.drafter).post('/follow-ups', { ...body, owner }).expect(400)).body.errors[0].field).toMatch(/^owner\.(office|post)$/);
    }
    const unknown = await as(t.drafter).post('/follow-ups', { ...body, owner: { office: 'ZZZ/QQ' } }).expect(422);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'owner.office', message: expect.stringMatching(/ZZZ\/QQ is not an office/) });
    await as(t.drafter).post('/follow-ups', { ...body, owner: { office: 'EAP/CM' } }).expect(201);
    // Kabul's operations are suspended (as seeded); a closed post is refused alike.
    const suspended = await as(t.drafter).post('/follow-ups', { ...body, owner: { post: 'KABUL' } }).expect(422);
    expect(suspended.body.errors[0]).toMatchObject({ field: 'owner.post', message: 'not an open post' });
    await as(t.admin).post('/posts/TRIPOLI/close', { reason: 'Ordered departure' }).expect(200);
    await as(t.drafter).post('/follow-ups', { ...body, owner: { post: 'TRIPOLI' } }).expect(422);
    await as(t.drafter).post('/follow-ups', { ...body, owner: { post: 'ATLANTIS' } }).expect(422);
  });

  it('is given by a post\'s people to their post or an office, never to another post (403, audited)', async () => {
    const other = await as(t.beijing).post('/follow-ups', { ...body, owner: { post: 'TOKYO' } }).expect(403);
    expect(other.body.detail).toBe('Not allowed: someone of BEIJING gives a follow-up to BEIJING or to an office of the Department, not to another post (TOKYO)');
    const [denial] = await dataSource.query(`SELECT action, details FROM audit_log WHERE action = 'AccessDenied' ORDER BY seq DESC LIMIT 1`);
    expect(denial.details).toMatchObject({ attempted: 'CreateFollowUp', reason: expect.stringContaining('not to another post (TOKYO)') });
    const toDesk = (await as(t.beijing).post('/follow-ups', { ...body, owner: { office: 'EAP/CM' } }).expect(201)).body as { id: string };
    // Its creator may hand it on, but not to another post either; the Department may.
    const handedOn = await as(t.beijing).patch(`/follow-ups/${toDesk.id}`, { owner: { post: 'TOKYO' } }).expect(403);
    expect(handedOn.body.detail).toMatch(/not to another post \(TOKYO\)$/);
    await as(t.beijing).patch(`/follow-ups/${toDesk.id}`, { owner: { post: 'BEIJING' } }).expect(200);
    await as(t.drafter).post('/follow-ups', { ...body, owner: { post: 'TOKYO' } }).expect(201);
  });

  it('is due today or later when created (422 for a date in the past)', async () => {
    const past = await as(t.drafter).post('/follow-ups', { ...body, dueOn: '2025-11-29' }).expect(422);
    expect(past.body.errors[0].field).toBe('dueOn');
    await as(t.drafter).post('/follow-ups', { ...body, dueOn: '2026-11-29' }).expect(201);
  });

  it('links only to what exists and the creator may read, refused alike (422)', async () => {
    const nothing = await as(t.drafter).post('/follow-ups', { ...body, cableId: '3f1c0e5e-0000-4000-8000-000000000000' }).expect(422);
    const unreadable = await as(t.uncleared).post('/follow-ups', { ...body, cableId: secretCable }).expect(422);
    expect(unreadable.body.detail).toBe(nothing.body.detail.replace('3f1c0e5e-0000-4000-8000-000000000000', secretCable));
    await as(t.drafter).post('/follow-ups', { ...body, demarcheId: '3f1c0e5e-0000-4000-8000-000000000000' }).expect(422);
    await as(t.drafter).post('/follow-ups', { ...body, post: 'ATLANTIS' }).expect(422);
    await as(t.drafter).post('/follow-ups', { ...body, cableId: secretCable }).expect(201);
  });

  it('is owned only by an office or post someone of which may read it (422 at creation and at reassignment)', async () => {
    // EUR/WE's one user is cleared UNCLASSIFIED: a follow-up on a SECRET cable is nothing they could see.
    const unseen = await as(t.drafter).post('/follow-ups', { ...body, owner: { office: 'EUR/WE' }, cableId: secretCable }).expect(422);
    expect(unseen.body.errors).toEqual([{ field: 'owner.office', message: 'no one at EUR/WE may read it' }]);
    const { body: created } = await as(t.drafter).post('/follow-ups', { ...body, owner: { office: 'EAP/CM' }, cableId: secretCable }).expect(201);
    const moved = await as(t.drafter).patch(`/follow-ups/${created.id}`, { owner: { office: 'EUR/WE' } }).expect(422);
    expect(moved.body.errors).toEqual([{ field: 'owner.office', message: 'no one at EUR/WE may read it' }]);
    expect((await as(t.drafter).get(`/follow-ups/${created.id}`).expect(200)).body).toMatchObject({ owner: { office: 'EAP/CM' }, version: created.version });
    // Unmarked, the same office may own it.
    await as(t.drafter).post('/follow-ups', { ...body, owner: { office: 'EUR/WE' } }).expect(201);
  });

  it('overdue, lands in the escalation bureau’s inbox, where its leadership (only) may reassign or re-date it', async () => {
    const { body: created } = await as(t.drafter).post('/follow-ups', { ...body, title: 'Answer the PRC rejection', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', cableId: secretCable }).expect(201);
    expect((await as(t.eapFrontOffice).get('/inbox').expect(200)).body.escalated).toEqual([]);
    await as(t.eapFrontOffice).patch(`/follow-ups/${created.id}`, { owner: { office: 'EAP/J' } }).expect(403); // not escalated yet

    clock.set('2026-12-05T08:00:00Z');
    await app.get(OverdueScheduler).scan();
    const inbox = (await as(t.eapFrontOffice).get('/inbox').expect(200)).body.escalated;
    expect(inbox.map((f: { followUpId: string }) => f.followUpId)).toContain(created.id);
    expect(inbox.find((f: { followUpId: string }) => f.followUpId === created.id)).toMatchObject({ title: 'Answer the PRC rejection', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', allowedActions: ['reassign'] });
    // Marked as it is read (linked to a SECRET cable), in the escalation inbox and in its creator's "my follow-ups".
    expect(inbox.find((f: { followUpId: string }) => f.followUpId === created.id)).toMatchObject({ classification: 'SECRET', captions: [] });
    const mine = (await as(t.drafter).get('/inbox').expect(200)).body.followUps;
    expect(mine.find((f: { followUpId: string }) => f.followUpId === created.id)).toMatchObject({ classification: 'SECRET', captions: [] });
    // Each inbox that showed it wrote its read to the audit log, as the follow-ups list does.
    const reads = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadClassifiedList' AND details->>'view' = 'inbox' AND details->'records' ? $1`, [`followup-${created.id}`]);
    expect(reads.map((r: { details: { classification: string } }) => r.details.classification)).toEqual(['SECRET', 'SECRET']);
    // Another bureau's front office, a desk of the bureau, the Secretary's office: not their inbox.
    for (const other of [t.eurFrontOffice, t.eapDesk, t.secretary]) expect((await as(other).get('/inbox').expect(200)).body.escalated).toEqual([]);
    expect((await as(t.eapFrontOffice).get(`/follow-ups/${created.id}`).expect(200)).body.allowedActions).toEqual(['reassign']);

    // Its leadership may give it a new owner or due date, and nothing else; nobody else of theirs.
    const retitle = await as(t.eapFrontOffice).patch(`/follow-ups/${created.id}`, { title: 'Mine now' }).expect(403);
    expect(retitle.body.detail).toMatch(/escalation bureau/);
    await as(t.eurFrontOffice).patch(`/follow-ups/${created.id}`, { owner: { office: 'EUR/WE' } }).expect(403);
    await as(t.eapDesk).patch(`/follow-ups/${created.id}`, { dueOn: '2026-12-20' }).expect(403);
    await as(t.eapFrontOffice).patch(`/follow-ups/${created.id}`, { dueOn: '2026-12-04' }).expect(422); // not into the past
    // Handed over without a new due date, it would be overdue for its new owner at once and come straight back.
    const bounce = await as(t.eapFrontOffice).patch(`/follow-ups/${created.id}`, { owner: { office: 'EAP/J' } }).expect(422);
    expect(bounce.body.errors).toEqual([{ field: 'dueOn', message: expect.stringMatching(/^it was due on \d{4}-\d{2}-\d{2}: give its new owner a due date, today or later, with it$/) }]);
    // ...nor with the due date it had, sent back as read: that is past too.
    const asRead = (await as(t.eapFrontOffice).get(`/follow-ups/${created.id}`).expect(200)).body as { dueOn: string };
    const sentBack = await as(t.eapFrontOffice).patch(`/follow-ups/${created.id}`, { owner: { office: 'EAP/J' }, dueOn: asRead.dueOn }).expect(422);
    expect(sentBack.body.errors).toEqual(bounce.body.errors);
    const reassigned = await as(t.eapFrontOffice).patch(`/follow-ups/${created.id}`, { owner: { office: 'EAP/J' }, dueOn: '2026-12-20' }).expect(200);
    expect(reassigned.body).toMatchObject({ owner: { office: 'EAP/J' }, dueOn: '2026-12-20', escalatedTo: null, overdueSince: null });
    // Acted on: it leaves the inbox; the history keeps all of it.
    expect((await as(t.eapFrontOffice).get('/inbox').expect(200)).body.escalated.map((f: { followUpId: string }) => f.followUpId)).not.toContain(created.id);
    const history = (await as(t.drafter).get(`/follow-ups/${created.id}`).expect(200)).body.history.map((e: { type: string }) => e.type);
    expect(history).toEqual(['FollowUpCreated', 'FollowUpBecameOverdue', 'FollowUpEscalated', 'FollowUpReassigned', 'FollowUpEscalationResolved', 'FollowUpDueDateChanged']);
    // Overdue again later: escalated again, to the owner's bureau then.
    clock.set('2026-12-21T08:00:00Z');
    await app.get(OverdueScheduler).scan();
    expect((await as(t.eapFrontOffice).get('/inbox').expect(200)).body.escalated.map((f: { followUpId: string }) => f.followUpId)).toContain(created.id);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'FollowUpEscalated' AND stream_id = $1`, [`followup-${created.id}`]);
    expect(n).toBe(2);
    clock.set('2026-11-29T09:00:00Z');
  });
});
