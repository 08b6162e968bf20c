import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OverdueScheduler } from '@chancery/demarches';
import { ProjectionRunner } from '@chancery/event-store';
import { authed } from './support/http.js';
import { startSmtpServer } from './support/smtp.js';
import { TestClock } from './support/test-clock.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const draft = (subject: string, classification: 'UNCLASSIFIED' | 'CONFIDENTIAL', posts: string[]) => ({
  kind: 'INFORMATIONAL',
  subject,
  classification,
  captions: [],
  precedence: 'ROUTINE',
  tags: ['PREL', 'CH'],
  actionAddressees: posts,
  paragraphs: [{ marking: classification === 'CONFIDENTIAL' ? 'C' : 'U', text: `${subject}: the text.` }],
  ...(classification === 'CONFIDENTIAL'
    ? { classifiedBy: { name: 'Jane Doe', title: 'Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' } }
    : {}),
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('notifications: in the app and by email', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const clock = new TestClock(new Date('2026-11-29T09:00:00Z'));
  const t: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let secretCable: string;
  let plainCable: string;
  let linkedFollowUp: string;
  let plainFollowUp: string;

  const list = async (user: string) => (await authed(app, t[user]).get('/notifications').expect(200)).body as { items: { id: string; kind: string; text: string; record: { id: string }; read: boolean; classification: string; position: number }[]; total: number; unread: number };
  const about = async (user: string, recordId: string) => (await list(user)).items.filter((n) => n.record.id === recordId).map((n) => n.kind);
  const mailTo = (user: string) => smtp.received.filter((m) => m.to.includes(`${user}@example.gov`));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, {
      clock,
      runProjections: true, // as shipped: the mailer and the mail sender run in the API process
      env: { SEED_POSTS: 'true', SMTP_URL: smtp.url, MAIL_DOMAIN: 'example.gov', MAIL_FROM: 'Chancery <chancery@example.gov>', APP_URL: 'https://chancery.example.gov/', PROJECTIONS_POLL_MS: '100' },
    }));
    const admin = await loginAsAdmin(app);
    for (const [username, roles, office, postCode, clearance] of [
      ['jdoe', ['drafter'], 'EAP/CM', undefined, 'SECRET'],
      ['lclear', ['clearer'], 'L', undefined, 'SECRET'],
      ['lunclass', ['clearer'], 'L', undefined, 'UNCLASSIFIED'],
      ['ldrafter', ['drafter'], 'L', undefined, 'SECRET'],
      ['dsec', ['approver'], 'S', undefined, 'SECRET'],
      ['bjpol', ['post_officer'], undefined, 'BEIJING', 'SECRET'],
      ['bjlow', ['post_officer'], undefined, 'BEIJING', 'UNCLASSIFIED'],
      ['tkpol', ['post_officer'], undefined, 'TOKYO', 'SECRET'],
      ['eapfront', ['leadership'], 'EAP', undefined, 'UNCLASSIFIED'],
      ['eapdesk', ['drafter'], 'EAP', undefined, 'SECRET'],
      ['cmclear', ['clearer'], 'EAP/CM', undefined, 'SECRET'],
      ['cmaudit', ['auditor'], 'EAP/CM', undefined, 'SECRET'],
    ] as const) {
      const user = await createUser(app, admin, { username, roles: [...roles], office, postCode, clearance });
      t[username] = user.token;
      ids[username] = user.id;
    }
    // Mail to lclear is refused twice first (451): the sender must retry, not drop it.
    smtp.refuseNext('lclear@example.gov', 2);

    secretCable = (await authed(app, t.jdoe).post('/cables', draft('Secret subject words', 'CONFIDENTIAL', ['BEIJING'])).expect(201)).body.id;
    await authed(app, t.jdoe).post(`/cables/${secretCable}/clearance-requests`, { offices: ['L'] }).expect(200);
    await authed(app, t.lclear).post(`/cables/${secretCable}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    await authed(app, t.jdoe).post(`/cables/${secretCable}/submit`).expect(200);
    await authed(app, t.dsec).post(`/cables/${secretCable}/return`, { reason: 'Tighten paragraph 1' }).expect(200);
    await authed(app, t.jdoe).post(`/cables/${secretCable}/submit`).expect(200);
    await authed(app, t.dsec).post(`/cables/${secretCable}/approve`).expect(200);
    await authed(app, t.dsec).post(`/cables/${secretCable}/release`).expect(200);

    plainCable = (await authed(app, t.jdoe).post('/cables', draft('Plain subject words', 'UNCLASSIFIED', ['BEIJING'])).expect(201)).body.id;
    await authed(app, t.jdoe).post(`/cables/${plainCable}/submit`).expect(200);
    await authed(app, t.dsec).post(`/cables/${plainCable}/approve`).expect(200);
    await authed(app, t.dsec).post(`/cables/${plainCable}/release`).expect(200);

    linkedFollowUp = (await authed(app, t.jdoe).post('/follow-ups', { title: 'Linked follow-up title', owner: { post: 'BEIJING' }, dueOn: '2026-12-01', cableId: secretCable }).expect(201)).body.id;
    plainFollowUp = (await authed(app, t.jdoe).post('/follow-ups', { title: 'Plain follow-up title', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01' }).expect(201)).body.id;
    clock.set('2026-12-05T09:00:00Z');
    await app.get(OverdueScheduler).scan();
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await smtp?.close();
  });

  it('lists who is asked to clear, who gets their cable back, and which posts it went to: only to those who may read it', async () => {
    expect(await about('lclear', secretCable)).toEqual(['clearance-requested']);
    const [asked] = (await list('lclear')).items.filter((n) => n.record.id === secretCable);
    // In the app, to someone who may read it: the cable as it is now, its MRN and subject line.
    expect(asked.text).toBe('A cable needs your clearance (L): 26 STATE 000001 Secret subject words');
    expect(await about('lunclass', secretCable)).toEqual([]); // a clearer of L, but not cleared to read it
    expect(await about('ldrafter', secretCable)).toEqual([]); // of L, but no clearer
    expect(await about('jdoe', secretCable)).toEqual(['cable-returned']);
    expect(await about('bjpol', secretCable)).toEqual(['cable-released']);
    expect(await about('bjlow', secretCable)).toEqual([]); // released to Beijing, above this officer's clearance
    expect(await about('tkpol', secretCable)).toEqual([]); // not sent to Tokyo
    expect(await about('bjlow', plainCable)).toEqual(['cable-released']);
    expect(await about('dsec', secretCable)).toEqual([]);
  });

  it('lists overdue and escalated follow-ups to their owners, creator and bureau, if they may read them', async () => {
    expect(await about('bjpol', linkedFollowUp)).toEqual(['follow-up-overdue']); // its owner post
    expect(await about('jdoe', linkedFollowUp)).toEqual(['follow-up-overdue']); // its creator
    // Marked as what it is about: the CONFIDENTIAL cable it is linked to.
    expect((await list('jdoe')).items.find((n) => n.record.id === linkedFollowUp)).toMatchObject({ classification: 'CONFIDENTIAL' });
    expect(await about('bjlow', linkedFollowUp)).toEqual([]); // linked to a CONFIDENTIAL cable
    expect(await about('eapfront', linkedFollowUp)).toEqual([]); // escalated to EAP, but EAP's front office is not cleared for the cable
    expect(await about('jdoe', plainFollowUp)).toEqual(['follow-up-overdue']);
    // Its owner office's working people are told; its auditor, who reads it but does not work it, is not.
    expect(await about('cmclear', plainFollowUp)).toEqual(['follow-up-overdue']);
    expect(await about('cmaudit', plainFollowUp)).toEqual([]);
    expect(await authed(app, t.cmaudit).get(`/follow-ups/${plainFollowUp}`).expect(200)).toBeTruthy();
    expect(await about('eapfront', plainFollowUp)).toEqual(['follow-up-escalated']);
    // The front office is the bureau's leadership: a drafter of EAP, who cannot act on it, is not told.
    expect(await about('eapdesk', plainFollowUp)).toEqual([]);
    expect(await about('tkpol', plainFollowUp)).toEqual([]);
  });

  it('answers newest first with an unread count; one or all are marked read, as events', async () => {
    const before = await list('jdoe');
    expect(before.items.map((n) => n.kind)).toEqual(['follow-up-overdue', 'follow-up-overdue', 'cable-returned']);
    expect(before).toMatchObject({ total: 3, unread: 3 });
    await authed(app, t.jdoe).post(`/notifications/${before.items[2].id}/read`).expect(200, { id: before.items[2].id, read: true });
    await authed(app, t.jdoe).post(`/notifications/${before.items[2].id}/read`).expect(200); // again: nothing new
    expect((await list('jdoe')).unread).toBe(2);
    expect((await authed(app, t.jdoe).get('/notifications?unread=true').expect(200)).body.items).toHaveLength(2);
    // Someone else's notification, or one about what the caller may not read: 404, nothing said.
    const bjlowNotice = (await list('bjlow')).items[0];
    await authed(app, t.jdoe).post(`/notifications/${bjlowNotice.id}/read`).expect(404);
    await authed(app, t.jdoe).post('/notifications/not-a-uuid/read').expect(400);
    await authed(app, t.jdoe).get('/notifications?unread=maybe').expect(400);
    // It answers no version, so If-Match has nothing to match: refused, and nothing is marked; a malformed one is a 400 as anywhere.
    const readAll = (ifMatch: string) => request(app.getHttpServer()).post('/notifications/read-all').set('Authorization', `Bearer ${t.jdoe}`).set('If-Match', ifMatch);
    expect((await readAll('"99"').expect(412)).body.detail).toMatch(/^This route takes no If-Match/);
    await readAll('W/"1"').expect(412);
    await readAll('"3').expect(400);
    expect((await list('jdoe')).unread).toBe(2);
    await authed(app, t.jdoe).post('/notifications/read-all').expect(200);
    expect((await list('jdoe')).unread).toBe(0);
    const [{ n }] = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1`, [`notifications-${ids.jdoe}`]);
    expect(n).toBe(2);
  });

  it('emails the same notices through SMTP, retrying a refused one, and never says more than the subject line of an unclassified record', async () => {
    await app.get(ProjectionRunner).catchUp();
    await until('the clearance email, after two refusals', () => mailTo('lclear').length > 0);
    expect(smtp.refused).toEqual(['lclear@example.gov', 'lclear@example.gov']);
    const [clearance] = mailTo('lclear');
    expect(clearance.subject).toBe(`Chancery: A cable needs your clearance (L): cable ${secretCable}`);
    expect(clearance.body).toContain(`https://chancery.example.gov/#/cables/${secretCable}`);
    expect(clearance.messageId).toMatch(/^<[0-9a-f-]{36}\.[0-9a-f-]{36}@chancery>$/);

    await until('every email', () => smtp.received.length >= 10);
    await new Promise((resolve) => setTimeout(resolve, 500)); // and no more after
    const got = Object.fromEntries(Object.keys(t).map((user) => [user, mailTo(user).map((m) => m.subject).sort()]));
    expect(got).toEqual({
      jdoe: [`Chancery: A follow-up is overdue (due 2026-12-01): Plain follow-up title`, `Chancery: A follow-up is overdue (due 2026-12-01): follow-up ${linkedFollowUp}`, `Chancery: Your cable was returned to you: cable ${secretCable}`].sort(),
      lclear: [`Chancery: A cable needs your clearance (L): cable ${secretCable}`],
      lunclass: [],
      ldrafter: [],
      dsec: [],
      bjpol: ['Chancery: A cable was released to your post: 26 STATE 000001', 'Chancery: A cable was released to your post: 26 STATE 000002 Plain subject words', `Chancery: A follow-up is overdue (due 2026-12-01): follow-up ${linkedFollowUp}`].sort(),
      bjlow: ['Chancery: A cable was released to your post: 26 STATE 000002 Plain subject words'],
      tkpol: [],
      eapfront: ['Chancery: A follow-up was escalated to EAP: Plain follow-up title'],
      eapdesk: [],
      cmclear: ['Chancery: A follow-up is overdue (due 2026-12-01): Plain follow-up title'],
      cmaudit: [], // reads the follow-ups of EAP/CM, but does not work them
    });
    // Classified text never leaves in email: not the CONFIDENTIAL cable's subject, nor the title of a follow-up read under it.
    const all = smtp.received.map((m) => m.raw).join('\n');
    expect(all).not.toContain('Secret subject words');
    expect(all).not.toContain('Linked follow-up title');
    expect(all).not.toContain('the text');
    // What operators see: nothing waiting, nothing failing; only admins see it.
    const admin = await loginAsAdmin(app);
    expect((await authed(app, admin).get('/admin/notifications/email').expect(200)).body).toEqual({ enabled: true, pending: 0, failing: [] });
    await authed(app, t.jdoe).get('/admin/notifications/email').expect(403);
    const [row] = await app.get(DataSource).query(`SELECT attempts, last_error, sent_at FROM notification_emails WHERE to_address = 'lclear@example.gov'`);
    expect(row).toMatchObject({ attempts: 3, last_error: null });
    expect(row.sent_at).not.toBeNull();
  });

  it('keeps a mail the server keeps refusing, shows it failing, and sends it once the server takes it', async () => {
    smtp.refuseNext('bjlow@example.gov', 1000);
    const before = mailTo('bjlow').length;
    const another = (await authed(app, t.jdoe).post('/cables', draft('Another plain subject', 'UNCLASSIFIED', ['BEIJING'])).expect(201)).body.id;
    await authed(app, t.jdoe).post(`/cables/${another}/submit`).expect(200);
    await authed(app, t.dsec).post(`/cables/${another}/approve`).expect(200);
    await authed(app, t.dsec).post(`/cables/${another}/release`).expect(200);
    await app.get(ProjectionRunner).catchUp();
    const admin = await loginAsAdmin(app);
    const failing = await until('the refused mail to show as failing', async () => {
      const status = (await authed(app, admin).get('/admin/notifications/email').expect(200)).body as { pending: number; failing: { to: string; attempts: number; error: string }[] };
      return status.failing.find((f) => f.to === 'bjlow@example.gov' && f.attempts >= 2);
    });
    expect(failing.error).toMatch(/451|try again later/i);
    expect(mailTo('bjlow')).toHaveLength(before);
    smtp.refuseNext('bjlow@example.gov', 0);
    await until('the mail, once the server takes it', () => mailTo('bjlow').length > before, 30_000);
    expect(mailTo('bjlow').at(-1)!.subject).toBe('Chancery: A cable was released to your post: 26 STATE 000003 Another plain subject');
    // The SMTP server has the mail before the sender hears its 250 and marks the mail sent.
    await until('the mail to show as sent', async () => {
      const status = (await authed(app, admin).get('/admin/notifications/email').expect(200)).body as { pending: number; failing: unknown[] };
      return status.pending === 0 && status.failing.length === 0;
    });
  }, 60_000);

  it('takes a withdrawn request to clear out of that office’s list, and out of the other offices’ notice text', async () => {
    const id = (await authed(app, t.jdoe).post('/cables', draft('Withdrawal check', 'UNCLASSIFIED', ['BEIJING'])).expect(201)).body.id;
    await authed(app, t.jdoe).post(`/cables/${id}/clearance-requests`, { offices: ['L', 'EAP'] }).expect(200);
    const asked = async (username: string) => (await list(username)).items.filter((n) => n.record.id === id).map((n) => n.text);
    expect(await asked('lclear')).toEqual(['A cable needs your clearance (L, EAP): Withdrawal check']);
    await authed(app, t.jdoe).delete(`/cables/${id}/clearance-requests/L`).expect(200);
    expect(await asked('lclear')).toEqual([]);
    expect(await asked('eapdesk')).toEqual([]); // a drafter of EAP is not a clearer: never listed
    const [row] = await app.get(DataSource).query(`SELECT offices, detail FROM notifications WHERE record_id = $1`, [id]);
    expect(row).toEqual({ offices: ['EAP'], detail: { offices: 'EAP' } });
    await authed(app, t.jdoe).delete(`/cables/${id}/clearance-requests/EAP`).expect(200);
    expect(await app.get(DataSource).query(`SELECT id FROM notifications WHERE record_id = $1`, [id])).toEqual([]);
  });

  it('asks an office again when an edit of substance makes its clearance stale', async () => {
    const id = (await authed(app, t.jdoe).post('/cables', draft('Stale check', 'UNCLASSIFIED', ['BEIJING'])).expect(201)).body.id;
    await authed(app, t.jdoe).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await authed(app, t.lclear).post(`/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    await authed(app, t.jdoe).patch(`/cables/${id}`, { subject: 'Stale check, reworded' }).expect(200);
    const notices = (await list('lclear')).items.filter((n) => n.record.id === id);
    expect(notices.map((n) => n.text)).toEqual([
      'A cable changed since it was cleared and needs your clearance again (L): Stale check, reworded',
      'A cable needs your clearance (L): Stale check, reworded',
    ]);
  });

  it('tells the people of an office or post of what happened while they were there: one who joins later, or moves in, is not told of what came before', async () => {
    const admin = await loginAsAdmin(app);
    const runner = app.get(ProjectionRunner);
    const dataSource = app.get(DataSource);
    // The mailer held back until the people below are placed, as it may be when it runs behind: it
    // must decide by where each person was when the event happened, not by where they are when it runs.
    await runner.catchUp('notification-mailer');
    await dataSource.query(`UPDATE projection_checkpoints SET stopped_at = now() WHERE name = 'notification-mailer'`);
    const mover = await createUser(app, admin, { username: 'ebmover', roles: ['clearer'], office: 'EB', clearance: 'SECRET' });
    t.ebmover = mover.token;
    const before = (await authed(app, t.jdoe).post('/cables', draft('Asked before they came', 'UNCLASSIFIED', ['BEIJING'])).expect(201)).body.id;
    await authed(app, t.jdoe).post(`/cables/${before}/clearance-requests`, { offices: ['L'] }).expect(200);
    // A clearer who joins L now, one who moves to L from EB, and an officer who comes to Beijing
    // (after the releases to Beijing and the follow-up it owns falling overdue).
    t.lnew = (await createUser(app, admin, { username: 'lnew', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    t.bjnew = (await createUser(app, admin, { username: 'bjnew', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    await authed(app, admin).patch(`/users/${mover.id}`, { office: 'L' }).expect(200);

    // Those in L when it was asked are told; those who came after are not, nor of anything earlier.
    expect(await about('lclear', before)).toEqual(['clearance-requested']);
    for (const user of ['lnew', 'ebmover', 'bjnew']) expect({ user, ...(await list(user)) }).toEqual({ user, items: [], total: 0, unread: 0 });
    expect(await about('bjpol', plainCable)).toEqual(['cable-released']);
    // Not theirs to mark read, one or all.
    const asked = (await list('lclear')).items.find((n) => n.record.id === before)!;
    await authed(app, t.lnew).post(`/notifications/${asked.id}/read`).expect(404);
    await authed(app, t.ebmover).post(`/notifications/${asked.id}/read`).expect(404);
    expect((await authed(app, t.ebmover).post('/notifications/read-all').expect(200)).body).toEqual({ upTo: 0 });

    // What is asked of L from now on, they are told of, and it is unread.
    const after = (await authed(app, t.jdoe).post('/cables', draft('Asked once they were there', 'UNCLASSIFIED', ['BEIJING'])).expect(201)).body.id;
    await authed(app, t.jdoe).post(`/cables/${after}/clearance-requests`, { offices: ['L'] }).expect(200);
    for (const user of ['lnew', 'ebmover']) {
      const mine = await list(user);
      expect({ user, about: mine.items.map((n) => n.record.id), total: mine.total, unread: mine.unread }).toEqual({ user, about: [after], total: 1, unread: 1 });
      expect((await authed(app, t[user]).get('/notifications?unread=true').expect(200)).body).toMatchObject({ total: 1, unread: 1 });
    }
    const upTo = (await authed(app, t.ebmover).post('/notifications/read-all').expect(200)).body.upTo as number;
    expect(upTo).toBe((await list('ebmover')).items[0].position);
    expect((await list('ebmover')).unread).toBe(0);

    // Email: the same rule, though the mailer only now reads those events.
    await runner.redrive('notification-mailer');
    await runner.catchUp('notification-mailer');
    await until('every queued mail sent', async () => (await dataSource.query('SELECT count(*)::int AS n FROM notification_emails WHERE sent_at IS NULL'))[0].n === 0);
    expect(mailTo('lclear').map((m) => m.subject)).toEqual(expect.arrayContaining(['Chancery: A cable needs your clearance (L): Asked before they came', 'Chancery: A cable needs your clearance (L): Asked once they were there']));
    for (const user of ['lnew', 'ebmover']) expect({ user, mail: mailTo(user).map((m) => m.subject) }).toEqual({ user, mail: ['Chancery: A cable needs your clearance (L): Asked once they were there'] });
    expect(mailTo('bjnew')).toEqual([]);
  });

  it('tells one given a role of what is addressed to that role from then on only; one who loses a role keeps the notices of the roles they kept', async () => {
    const admin = await loginAsAdmin(app);
    const runner = app.get(ProjectionRunner);
    const dataSource = app.get(DataSource);
    // The mailer held back until the roles below change, as above.
    await runner.catchUp('notification-mailer');
    await dataSource.query(`UPDATE projection_checkpoints SET stopped_at = now() WHERE name = 'notification-mailer'`);
    // In L and at Beijing all along: a drafter of L to be made a clearer, a clearer and approver of
    // L to be left a clearer only, and an approver at Beijing to be made its post officer.
    for (const [username, roles, office, postCode] of [
      ['lpromoted', ['drafter'], 'L', undefined],
      ['ldemoted', ['clearer', 'approver'], 'L', undefined],
      ['bjpromoted', ['approver'], undefined, 'BEIJING'],
    ] as const) {
      const user = await createUser(app, admin, { username, roles: [...roles], office, postCode, clearance: 'SECRET' });
      t[username] = user.token;
      ids[username] = user.id;
    }
    const asked = async (subject: string) => {
      const id = (await authed(app, t.jdoe).post('/cables', draft(subject, 'UNCLASSIFIED', ['BEIJING'])).expect(201)).body.id as string;
      await authed(app, t.jdoe).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
      await authed(app, t.lclear).post(`/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
      await authed(app, t.jdoe).post(`/cables/${id}/submit`).expect(200);
      await authed(app, t.dsec).post(`/cables/${id}/approve`).expect(200);
      await authed(app, t.dsec).post(`/cables/${id}/release`).expect(200);
      return id;
    };
    const before = await asked('Asked before the role was given');
    await authed(app, admin).patch(`/users/${ids.lpromoted}`, { roles: ['drafter', 'clearer'] }).expect(200);
    await authed(app, admin).patch(`/users/${ids.ldemoted}`, { roles: ['clearer'] }).expect(200);
    await authed(app, admin).patch(`/users/${ids.bjpromoted}`, { roles: ['approver', 'post_officer'] }).expect(200);

    // Asked of L's clearers, released to Beijing's officers, before they were such: not theirs.
    for (const user of ['lpromoted', 'bjpromoted']) expect({ user, ...(await list(user)) }).toEqual({ user, items: [], total: 0, unread: 0 });
    expect(await about('ldemoted', before)).toEqual(['clearance-requested']); // a clearer of L then, and still
    const [request] = (await list('lclear')).items.filter((n) => n.record.id === before);
    const [release] = (await list('bjpol')).items.filter((n) => n.record.id === before);
    await authed(app, t.lpromoted).post(`/notifications/${request.id}/read`).expect(404);
    await authed(app, t.bjpromoted).post(`/notifications/${release.id}/read`).expect(404);
    for (const user of ['lpromoted', 'bjpromoted']) expect({ user, ...(await authed(app, t[user]).post('/notifications/read-all').expect(200)).body }).toEqual({ user, upTo: 0 });

    // What comes once they hold the role, they are told of.
    const after = await asked('Asked once the role was given');
    expect(await about('lpromoted', after)).toEqual(['clearance-requested']);
    expect(await about('bjpromoted', after)).toEqual(['cable-released']);
    for (const user of ['lpromoted', 'bjpromoted']) expect({ user, ...(await authed(app, t[user]).get('/notifications?unread=true').expect(200)).body }).toMatchObject({ user, total: 1, unread: 1 });
    expect(await about('ldemoted', after)).toEqual(['clearance-requested']);

    // Email: the same rule, though the mailer only now reads those events.
    await runner.redrive('notification-mailer');
    await runner.catchUp('notification-mailer');
    await until('every queued mail sent', async () => (await dataSource.query('SELECT count(*)::int AS n FROM notification_emails WHERE sent_at IS NULL'))[0].n === 0);
    expect(mailTo('lpromoted').map((m) => m.subject)).toEqual(['Chancery: A cable needs your clearance (L): Asked once the role was given']);
    expect(mailTo('bjpromoted').map((m) => m.subject)).toEqual([expect.stringMatching(/^Chancery: A cable was released to your post: \d\d STATE \d{6} Asked once the role was given$/)]);
    expect(mailTo('ldemoted').map((m) => m.subject)).toEqual(['Chancery: A cable needs your clearance (L): Asked before the role was given', 'Chancery: A cable needs your clearance (L): Asked once the role was given']);
  });
});
