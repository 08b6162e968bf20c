import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, createUser, login, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** People join, move and leave: every change an event on the user's stream, applied at once everywhere. */
/** Advisory-lock key of the administration of users (AdministratorStanding). */
const USER_ADMINISTRATION_LOCK = 0x55535241;

/** A transaction holding the administration lock, in which `userId` has lost the admin role (committed by the caller). */
async function demotedHoldingTheLock(dataSource: DataSource, userId: string) {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  await runner.query('SELECT pg_advisory_xact_lock($1)', [USER_ADMINISTRATION_LOCK]);
  await runner.query(`UPDATE users SET roles = '{drafter}' WHERE id = $1`, [userId]);
  return runner;
}

/** The backends waiting for an advisory lock, once there is one (a busy machine may take a while to get a request there). */
async function waitersOnTheLock(dataSource: DataSource): Promise<{ backend_xid: string | null }[]> {
  for (let tries = 0; ; tries++) {
    const waiting: { backend_xid: string | null }[] = await dataSource.query(
      `SELECT backend_xid::text FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
    );
    if (waiting.length > 0) return waiting;
    if (tries > 300) throw new Error('no request waited for the administration lock');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('identity lifecycle', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let other: INestApplication; // a second API on the same database
  let admin: string;
  const on = (target: INestApplication, token?: string) => {
    const http = request(target.getHttpServer());
    const auth = (r: request.Test) => (token ? r.set('Authorization', `Bearer ${token}`) : r);
    return {
      get: (path: string) => auth(http.get(path)),
      post: (path: string, body: object = {}) => auth(http.post(path)).send(body),
      patch: (path: string, body: object, headers: Record<string, string> = {}) => auth(http.patch(path)).set(headers).send(body),
    };
  };
  const eventsOf = async (id: string) =>
    (await app.get(DataSource).query('SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version', [`user-${id}`])).map((r: { type: string }) => r.type);

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    ({ app: other } = await createTestApp(database));
    admin = await loginAsAdmin(app);
  });
  afterAll(async () => {
    await other.close();
    await app.close();
    await database.drop();
  });

  it('keeps a directory of the Department’s offices, which admins extend', async () => {
    const desk = await createUser(app, admin, { username: 'desk', roles: ['drafter'], office: 'EAP/CM' });
    const all = (await on(app, desk.token).get('/offices').expect(200)).body;
    expect(all.items).toContainEqual({ symbol: 'EAP/CM', name: 'Office of Chinese and Mongolian Affairs', bureau: 'EAP' });
    expect(all.items).toContainEqual({ symbol: 'S/ES-O', name: 'Executive Secretariat Operations Center', bureau: 'S' });
    expect(all.items.map((o: { symbol: string }) => o.symbol)).toEqual(expect.arrayContaining(['L', 'ISN', 'CDP', 'EB/TPP/IPE', 'EUR/WE', 'OIG']));
    const eap = (await on(app, desk.token).get('/offices?bureau=EAP').expect(200)).body.items;
    expect(eap.every((o: { bureau: string }) => o.bureau === 'EAP')).toBe(true);
    // The filter is read in any case, as the other lists' are.
    expect((await on(app, desk.token).get('/offices?bureau=eap').expect(200)).body.items).toEqual(eap);
    // Paged as every list is (a page is the whole directory unless asked otherwise).
    const page = (await on(app, desk.token).get('/offices?limit=5&offset=5').expect(200)).body;
    expect({ items: page.items, total: page.total }).toEqual({ items: all.items.slice(5, 10), total: all.items.length });
    await on(app, desk.token).get('/offices?limit=501').expect(400);

    const added = await on(app, admin).post('/offices', { symbol: 'EAP/PHL', name: 'Office of Philippine Affairs' }).expect(201);
    // With the directory's new version, its ETag: what If-Match names on the next addition.
    expect(added.body).toEqual({ symbol: 'EAP/PHL', name: 'Office of Philippine Affairs', bureau: 'EAP', version: expect.any(Number) });
    expect(added.headers.etag).toBe(`"${added.body.version}"`);
    await on(app, admin).post('/offices', { symbol: 'EAP/PHM', name: 'Office of Stale Affairs' }).set('If-Match', `"${added.body.version - 1}"`).expect(412);
    const next = await on(app, admin).post('/offices', { symbol: 'EAP/PHN', name: 'Office of Conditional Affairs' }).set('If-Match', added.headers.etag).expect(201);
    expect(next.body.version).toBe(added.body.version + 1);
    // Any client reads the directory's version from the list too, as its ETag.
    const listed = await on(app, desk.token).get('/offices?limit=1').expect(200);
    expect({ version: listed.body.version, etag: listed.headers.etag }).toEqual({ version: next.body.version, etag: `"${next.body.version}"` });
    await on(app, admin).post('/offices', { symbol: 'EAP/PHL', name: 'Again' }).expect(409);
    // Sent again with its Idempotency-Key, an addition answers what it answered the first time.
    const first = await on(app, admin).post('/offices', { symbol: 'EAP/TST', name: 'Office of Test Affairs' }).set('Idempotency-Key', 'add-tst').expect(201);
    const replayed = await on(app, admin).post('/offices', { symbol: 'EAP/TST', name: 'Office of Test Affairs' }).set('Idempotency-Key', 'add-tst').expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(first.body);
    expect(first.body).toEqual({ symbol: 'EAP/TST', name: 'Office of Test Affairs', bureau: 'EAP', version: expect.any(Number) });
    await on(app, admin).post('/offices', { symbol: 'eap/x', name: 'Lower case' }).expect(400);
    // Under a bureau the directory does not have: its overdue follow-ups would escalate to no front office.
    const nowhere = await on(app, admin).post('/offices', { symbol: 'ZZZ/ABC', name: 'Office of Nowhere' }).expect(422);
    expect(nowhere.body.errors).toEqual([{ field: 'symbol', message: expect.stringMatching(/bureau ZZZ, which is not in the directory/) }]);
    expect((await on(app, desk.token).get('/offices?bureau=ZZZ').expect(200)).body.items).toEqual([]);
    await on(app, desk.token).post('/offices', { symbol: 'EAP/Y', name: 'Not an admin' }).expect(403);
    const unknown = await on(app, admin).post('/users', { username: 'zzz', password: 'a-long-enough-password', displayName: 'Z', roles: ['drafter'], office: 'ZZZ/QQ', clearance: 'UNCLASSIFIED' }).expect(422);
    expect(unknown.body.errors).toEqual([{ field: 'office', message: expect.stringMatching(/ZZZ\/QQ is not an office in the directory/) }]);
  });

  it('treats usernames case-insensitively: stored lower-case, matched in any case', async () => {
    const created = await on(app, admin).post('/users', { username: 'JDoe', password: 'jade-lantern-harbor', displayName: 'Jane Doe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' }).expect(201);
    expect(created.body.username).toBe('jdoe');
    await on(app, admin).post('/users', { username: 'jdoe', password: 'jade-lantern-harbor', displayName: 'Again', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' }).expect(409);
    for (const typed of ['jdoe', 'JDOE', 'JDoe']) await login(app, typed, 'jade-lantern-harbor');
  });

  it('refuses credentials sent as anything but JSON with 415, saying what it takes', async () => {
    for (const [path, body] of [['/auth/login', { username: 'jdoe', password: 'jade-lantern-harbor' }], ['/auth/password', { currentPassword: 'x', newPassword: 'y' }]] as const) {
      const plain = await request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${admin}`).set('Content-Type', 'text/plain').send(JSON.stringify(body));
      expect({ path, status: plain.status, detail: plain.body.detail, accept: plain.headers.accept }).toEqual({
        path,
        status: 415,
        detail: 'This request takes a JSON body (Content-Type: application/json); this one is text/plain',
        accept: 'application/json',
      });
    }
  });

  it('refuses passwords that are short, common, guessable or the username', async () => {
    const base = { displayName: 'Pat Weak', roles: ['drafter'], office: 'EAP/CM', clearance: 'UNCLASSIFIED' };
    const refusals = [
      ['weakling1', 'short-one'], // under 12
      ['weakling2', 'password1234'], // a breached favourite
      ['weakling3', 'qwertyuiop12'], // a keyboard walk
      ['longusername', 'LongUserName'], // the username
    ];
    for (const [username, password] of refusals) {
      const answer = await on(app, admin).post('/users', { ...base, username, password });
      expect({ password, status: answer.status }).toEqual({ password, status: password.length < 12 ? 400 : 422 });
      expect(JSON.stringify(answer.body.errors)).toMatch(/password/);
    }
    expect((await app.get(DataSource).query(`SELECT count(*)::int AS n FROM users WHERE username LIKE 'weakling%' OR username = 'longusername'`))[0].n).toBe(0);
  });

  it('applies profile changes from the user’s next request, validated like a new user', async () => {
    const user = await createUser(app, admin, { username: 'mover', roles: ['drafter'], office: 'EAP/CM', clearance: 'CONFIDENTIAL' });
    const changed = await on(app, admin).patch(`/users/${user.id}`, { clearance: 'SECRET', office: 'EUR/WE', displayName: 'Mo Ver' }).expect(200);
    expect(changed.body).toMatchObject({ username: 'mover', clearance: 'SECRET', office: 'EUR/WE', displayName: 'Mo Ver', roles: ['drafter'], disabled: false, version: 2 });
    expect(changed.headers.etag).toBe('"2"');
    // The same token, on either API: the change is read from the database on every request.
    for (const api of [app, other]) expect((await on(api, user.token).get('/auth/me').expect(200)).body).toMatchObject({ clearance: 'SECRET', office: 'EUR/WE' });
    await on(app, admin).patch(`/users/${user.id}`, { roles: ['clearer'] }, { 'If-Match': '"1"' }).expect(412);
    await on(app, admin).patch(`/users/${user.id}`, { roles: null }).expect(400);
    await on(app, admin).patch(`/users/${user.id}`, { office: 'ZZZ/QQ' }).expect(422);
    // A drafter with nowhere to draft for: refused when made so, not when they first try.
    expect((await on(app, admin).patch(`/users/${user.id}`, { office: null }).expect(422)).body.errors).toEqual([{ field: 'office', message: expect.stringMatching(/^a drafter drafts for a Department office/) }]);
    await on(app, admin).patch(`/users/${user.id}`, { roles: ['post_officer'], postCode: 'CHENGDU' }).expect(422); // a closed post
    await on(app, admin).patch(`/users/${user.id}`, { unknown: 1 }).expect(400);
    await on(app, user.token).patch(`/users/${user.id}`, { clearance: 'TOP_SECRET' }).expect(403);
    expect(await eventsOf(user.id)).toEqual(['UserRegistered', 'UserProfileChanged']);
    expect((await on(app, admin).get(`/users/${user.id}`).expect(200)).body).toMatchObject({ office: 'EUR/WE', version: 2 });
  });

  it('takes the drafter\'s work from a drafter whose drafting role is taken away: the draft is still theirs to read, not to work', async () => {
    const user = await createUser(app, admin, { username: 'unroled', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const draft = {
      kind: 'INFORMATIONAL', subject: 'Worked by its drafter', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'A note to the post.' }],
    };
    const { body: cable } = await on(app, user.token).post('/cables', draft).expect(201);
    expect((await on(app, user.token).get(`/cables/${cable.id}`).expect(200)).body.allowedActions).toEqual(['edit', 'requestClearance', 'submit', 'cancel']);
    // Returned to its drafter, it waits in their inbox while they draft.
    const approver = await createUser(app, admin, { username: 'unroled.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' });
    const { body: returned } = await on(app, user.token).post('/cables', { ...draft, subject: 'Sent back to its drafter' }).expect(201);
    await on(app, user.token).post(`/cables/${returned.id}/submit`).expect(200);
    await on(app, approver.token).post(`/cables/${returned.id}/return`, { reason: 'Shorten it.' }).expect(200);
    expect((await on(app, user.token).get('/inbox').expect(200)).body.returned.map((r: { cableId: string }) => r.cableId)).toEqual([returned.id]);
    for (const roles of [['auditor'], ['clearer']]) {
      await on(app, admin).patch(`/users/${user.id}`, { roles }).expect(200);
      const seen = await on(app, user.token).get(`/cables/${cable.id}`).expect(200);
      expect({ roles, allowed: seen.body.allowedActions, blocked: seen.body.blockedActions }).toEqual({ roles, allowed: [], blocked: [] });
      await on(app, user.token).patch(`/cables/${cable.id}`, { subject: 'Edited with no drafting role' }).expect(403);
      await on(app, user.token).post(`/cables/${cable.id}/submit`).expect(403);
      // Nor does the inbox hand it back to them as theirs to work.
      expect({ roles, returned: (await on(app, user.token).get('/inbox').expect(200)).body.returned }).toEqual({ roles, returned: [] });
    }
    await on(app, admin).patch(`/users/${user.id}`, { roles: ['approver'] }).expect(200);
    expect((await on(app, user.token).get(`/cables/${cable.id}`).expect(200)).body.allowedActions).toEqual(['cancel']);
    expect((await on(app, user.token).get(`/cables/${cable.id}`).expect(200)).body.subject).toBe('Worked by its drafter');
  });

  it('never lets two admins disabling each other at once both succeed: the second is refused, audited, and one admin is left', async () => {
    for (let round = 0; round < 4; round++) {
      const pair = await Promise.all(['a', 'b'].map((side) => createUser(app, admin, { username: `peer.${round}.${side}`, roles: ['admin'], office: 'EAP/CM' })));
      const answers = await Promise.all([
        on(app, pair[0].token).post(`/users/${pair[1].id}/disable`, { reason: 'Mutual' }),
        on(other, pair[1].token).post(`/users/${pair[0].id}/disable`, { reason: 'Mutual' }),
      ]);
      const statuses = answers.map((a) => a.status).sort();
      // The loser is refused at the guard (disabled already, 401) or in its transaction (403).
      expect({ round, statuses: statuses.length, ok: statuses.filter((s) => s === 200).length }).toEqual({ round, statuses: 2, ok: 1 });
      const standing = await Promise.all(pair.map(async (p) => (await on(app, admin).get(`/users/${p.id}`).expect(200)).body.disabled));
      expect({ round, standing: standing.filter((disabled) => !disabled).length }).toEqual({ round, standing: 1 });
    }
  });

  it('refuses, in its transaction, a user command by an admin who lost the role since the request came in', async () => {
    const late = await createUser(app, admin, { username: 'late.admin', roles: ['admin'], office: 'EAP/CM' });
    const target = await createUser(app, admin, { username: 'late.target', roles: ['drafter'], office: 'EAP/CM' });
    const dataSource = app.get(DataSource);
    // The admin's role is taken away while their request waits for the administration lock.
    const runner = await demotedHoldingTheLock(dataSource, late.id);
    const answer = on(app, late.token).post(`/users/${target.id}/disable`, { reason: 'Too late' }).then((a) => a);
    // Committed once the request waits for the lock (a busy machine may take it a while to get there).
    await waitersOnTheLock(dataSource);
    await runner.commitTransaction();
    await runner.release();
    const refused = await answer;
    expect(refused.status).toBe(403);
    expect((await on(app, admin).get(`/users/${target.id}`).expect(200)).body.disabled).toBe(false);
    const [entry] = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'AccessDenied' AND actor_id = $1 ORDER BY position DESC LIMIT 1`, [late.id]);
    expect(entry.details).toMatchObject({ attempted: 'DisableUser', reason: 'late.admin is no longer an admin' });
  });

  it('queues a registration behind the administration of users before it writes anything, and refuses it from an admin who lost the role meanwhile', async () => {
    const late = await createUser(app, admin, { username: 'late.registrar', roles: ['admin'], office: 'EAP/CM' });
    const dataSource = app.get(DataSource);
    const runner = await demotedHoldingTheLock(dataSource, late.id);
    const answer = on(app, late.token)
      .post('/users', { username: 'never.made', displayName: 'Never Made', password: 'never.made-password-123', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })
      .then((a) => a);
    try {
      // Nothing written while it waits: its transaction has no id yet (it has appended no event).
      expect(await waitersOnTheLock(dataSource)).toEqual([{ backend_xid: null }]);
    } finally {
      await runner.commitTransaction();
      await runner.release();
    }
    expect((await answer).status).toBe(403);
    const [{ made }] = await dataSource.query(`SELECT count(*)::int AS made FROM users WHERE username = 'never.made'`);
    expect(made).toBe(0);
  });

  it('disables a user: no login, and their tokens refused at once by every API process; enabling lets them log in again', async () => {
    const leaver = await createUser(app, admin, { username: 'leaver', roles: ['drafter'], office: 'EAP/CM' });
    await on(other, leaver.token).get('/inbox').expect(200);
    const blank = await on(app, admin).post(`/users/${leaver.id}/disable`, { reason: '  ' }).expect(422);
    expect(blank.body.errors).toEqual([{ field: 'reason', message: 'say why the account is disabled, or leave the reason out' }]);
    await on(app, admin).post(`/users/${leaver.id}/disable`, { reason: 'Left the Service' }).expect(200);
    for (const api of [app, other]) await on(api, leaver.token).get('/inbox').expect(401);
    const refused = await on(app).post('/auth/login', { username: 'leaver', password: 'leaver-password-123' }).expect(401);
    expect(refused.body.detail).toMatch(/disabled/);
    await on(app, admin).post(`/users/${leaver.id}/enable`).expect(200);
    await on(other, leaver.token).get('/inbox').expect(401); // the old token stays dead
    await on(other, await login(app, 'leaver', 'leaver-password-123')).get('/inbox').expect(200);
    const me = (await on(app, admin).get('/auth/me').expect(200)).body;
    await on(app, admin).post(`/users/${me.id}/disable`).expect(422); // not oneself
    // Nor does an admin widen their own access: every grant takes a second admin.
    const widened = await on(app, admin).patch(`/users/${me.id}`, { clearance: 'TOP_SECRET', roles: [...me.roles, 'leadership'], office: 'S' }).expect(422);
    expect(widened.body.errors.map((e: { field: string }) => e.field)).toEqual(['roles', 'clearance', 'office']);
    expect((await on(app, admin).get('/auth/me').expect(200)).body).toMatchObject({ clearance: me.clearance, roles: me.roles, office: me.office });
    expect(await eventsOf(leaver.id)).toEqual(['UserRegistered', 'UserDisabled', 'UserEnabled']);
  });

  it('shows an auditor what each administration of a user changed (roles, clearance, why disabled), not only that something did', async () => {
    const auditor = await createUser(app, admin, { username: 'lc.auditor', roles: ['auditor'], office: 'S' });
    const officer = await createUser(app, admin, { username: 'lc.promoted', roles: ['drafter'], office: 'EAP/CM' });
    await on(app, admin).patch(`/users/${officer.id}`, { roles: ['drafter', 'approver'], clearance: 'TOP_SECRET' }).expect(200);
    await on(app, admin).post(`/users/${officer.id}/disable`, { reason: 'Posted abroad' }).expect(200);
    await on(app, admin).post(`/users/${officer.id}/password`, { password: 'violet-canyon-ledger' }).expect(200);
    const { items } = (await on(app, auditor.token).get(`/audit?streamId=user-${officer.id}`).expect(200)).body as { items: { action: string; changes?: { type: string; version: number; data: Record<string, unknown> }[] }[] };
    const byAction = Object.fromEntries(items.map((item) => [item.action, item.changes]));
    expect(byAction.ChangeUserProfile).toEqual([{ type: 'UserProfileChanged', version: 2, data: { changes: { roles: ['drafter', 'approver'], clearance: 'TOP_SECRET' } } }]);
    expect(byAction.DisableUser).toEqual([{ type: 'UserDisabled', version: 3, data: { reason: 'Posted abroad' } }]);
    // A password's reset is said as such: the password is in no event.
    expect(byAction.ResetPassword).toEqual([{ type: 'UserPasswordReset', version: 4, data: {} }]);
    expect(JSON.stringify(items)).not.toContain('violet-canyon-ledger');
    // Entries on records whose events may hold classified text carry no changes.
    const cables = (await on(app, auditor.token).get('/audit?limit=500').expect(200)).body.items as { streamType: string | null; changes?: unknown }[];
    expect(cables.filter((item) => item.streamType !== null && !['user', 'post', 'offices'].includes(item.streamType) && item.changes !== undefined)).toEqual([]);
  });

  it('resets a password (admin) and lets users change their own; older tokens stop working', async () => {
    const user = await createUser(app, admin, { username: 'forgetful', roles: ['drafter'], office: 'EAP/CM' });
    await on(app, admin).post(`/users/${user.id}/password`, { password: 'password1234' }).expect(422);
    await on(app, admin).post(`/users/${user.id}/password`, { password: 'violet-canyon-ledger' }).expect(200);
    // One's own password is changed proving the current one, an administrator's too: not reset.
    const self = (await on(app, admin).get('/auth/me').expect(200)).body;
    const own = await on(app, admin).post(`/users/${self.id}/password`, { password: 'saffron-meadow-lantern' }).expect(422);
    expect(own.body.detail).toMatch(/POST \/auth\/password/);
    await on(app, admin).get('/auth/me').expect(200); // the session stands
    await on(other, user.token).get('/auth/me').expect(401);
    await on(app).post('/auth/login', { username: 'forgetful', password: 'forgetful-password-123' }).expect(401);
    const token = await login(app, 'forgetful', 'violet-canyon-ledger');

    await on(app, token).post('/auth/password', { currentPassword: 'wrong-password-here', newPassword: 'amber-glacier-compass' }).expect(422);
    await on(app, token).post('/auth/password', { currentPassword: 'violet-canyon-ledger', newPassword: 'qwertyuiop123' }).expect(422);
    const changed = await on(app, token).post('/auth/password', { currentPassword: 'violet-canyon-ledger', newPassword: 'amber-glacier-compass' }).expect(200);
    await on(other, token).get('/auth/me').expect(401);
    await on(other, changed.body.accessToken).get('/auth/me').expect(200);
    await login(app, 'forgetful', 'amber-glacier-compass');
    expect(await eventsOf(user.id)).toEqual(['UserRegistered', 'UserPasswordReset', 'UserPasswordChanged']);
    const audited = await app.get(DataSource).query(`SELECT action FROM audit_log WHERE stream_id = $1 ORDER BY position`, [`user-${user.id}`]);
    expect(audited.map((a: { action: string }) => a.action)).toEqual(['RegisterUser', 'ResetPassword', 'ChangeOwnPassword']);
  });

  it('changes a password once when two changes race, and limits and audits wrong current passwords as it does logins', async () => {
    const user = await createUser(app, admin, { username: 'racing.changer', roles: ['drafter'], office: 'EAP/CM' });
    const current = 'racing.changer-password-123';
    const answers = await Promise.all(['amber-glacier-one', 'amber-glacier-two', 'amber-glacier-six'].map((newPassword, i) =>
      on(i === 1 ? other : app, user.token).post('/auth/password', { currentPassword: current, newPassword })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 422, 422]);
    const winner = answers.find((a) => a.status === 200)!;
    await on(other, winner.body.accessToken).get('/auth/me').expect(200);
    expect(await eventsOf(user.id)).toEqual(['UserRegistered', 'UserPasswordChanged']);

    // Whoever holds a token guesses the current password no faster than a login would (20 a window).
    const guesses = [];
    for (let i = 0; i < 21; i++) guesses.push((await on(app, winner.body.accessToken).post('/auth/password', { currentPassword: `guess-${i}-wrong-pass`, newPassword: 'amber-glacier-new' })).status);
    expect(guesses.slice(0, 20).every((status) => status === 422)).toBe(true);
    expect(guesses[20]).toBe(429);
    const [{ n }] = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'PasswordChangeFailed' AND actor_id = $1`, [user.id]);
    // The 20 wrong guesses; the racers that lost knew the password (refused in the transaction, no guess).
    expect(n).toBe(20);
  });

  it('logs out: the token stops working everywhere', async () => {
    const user = await createUser(app, admin, { username: 'leaving.early', roles: ['leadership'], office: 'S' });
    await on(app, user.token).post('/auth/logout').expect(204);
    for (const api of [app, other]) await on(api, user.token).get('/inbox').expect(401);
    await on(other, await login(app, 'Leaving.Early', 'leaving.early-password-123')).get('/inbox').expect(200);
    expect(await eventsOf(user.id)).toEqual(['UserRegistered', 'UserLoggedOut']);
  });
});
