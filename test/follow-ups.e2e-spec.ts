import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parse } from 'csv-parse/sync';
import { OverdueScheduler } from '@chancery/demarches';
import { FollowUpReader } from '@chancery/follow-ups';
import { authed } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('follow-up actions through HTTP', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  const START = '2026-11-29T09:00:00Z';
  const clock = new TestClock(new Date(START));
  // A test that moves the clock leaves it where the others expect it, failed or not.
  afterEach(() => clock.set(START));
  const t = {} as Record<'admin' | 'drafter' | 'otherDrafter' | 'beijing' | 'tokyo' | 'leader' | 'clearer', string>;
  const as = (token: string) => authed(app, token);

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' }, clock }));
    dataSource = app.get(DataSource);
    t.admin = await loginAsAdmin(app);
    t.drafter = (await createUser(app, t.admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM' })).token;
    t.otherDrafter = (await createUser(app, t.admin, { username: 'weur', roles: ['drafter'], office: 'EUR/WE' })).token;
    t.beijing = (await createUser(app, t.admin, { username: 'bjpol', roles: ['post_officer'], postCode: 'BEIJING' })).token;
    t.tokyo = (await createUser(app, t.admin, { username: 'tkpol', roles: ['post_officer'], postCode: 'TOKYO' })).token;
    t.leader = (await createUser(app, t.admin, { username: 'lead', roles: ['leadership'], office: 'S' })).token;
    t.clearer = (await createUser(app, t.admin, { username: 'lclear', roles: ['clearer'], office: 'L' })).token;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('is opened by desk officers, posts and leadership, and by no one else', async () => {
    const body = { title: 'Seek a second meeting with the MFA', owner: { post: 'BEIJING' }, dueOn: '2026-12-10', post: 'BEIJING' };
    for (const who of ['drafter', 'beijing', 'leader'] as const) await as(t[who]).post('/follow-ups', body).expect(201);
    await as(t.clearer).post('/follow-ups', body).expect(403);
    await as(t.admin).post('/follow-ups', body).expect(403);
    const bad = await as(t.drafter).post('/follow-ups', { ...body, owner: { office: 'EAP/CM', post: 'BEIJING' } }).expect(400);
    expect(bad.body.errors[0].field).toBe('owner');
    const unknown = await as(t.drafter).post('/follow-ups', { ...body, owner: { post: 'ATLANTIS' } }).expect(422);
    expect(unknown.body.detail).toMatch(/ATLANTIS is not a post/);
  });

  it('lives through start, comments, a new due date and completion, with its history', async () => {
    const { body: created } = await as(t.drafter).post('/follow-ups', { title: 'Brief the Deputy Secretary', owner: { office: 'EAP/CM' }, dueOn: '2026-12-05' }).expect(201);
    expect(created).toMatchObject({ status: 'OPEN', ownerBureau: 'EAP', version: 1 });
    await as(t.drafter).post(`/follow-ups/${created.id}/start`).expect(201);
    await as(t.drafter).post(`/follow-ups/${created.id}/comments`, { text: 'Talking points drafted.' }).expect(201);
    // null clears the description, and is refused on what every follow-up has (nothing written).
    const described = await as(t.drafter).patch(`/follow-ups/${created.id}`, { description: 'For the Tuesday meeting.' }).expect(200);
    for (const field of ['title', 'dueOn', 'owner']) {
      const refused = await as(t.drafter).patch(`/follow-ups/${created.id}`, { [field]: null }).expect(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining([field]));
    }
    // A patch that names nothing to change is said to, not answered 200 with nothing changed.
    expect((await as(t.drafter).patch(`/follow-ups/${created.id}`, {}).expect(400)).body.detail).toBe('Nothing to change: give title, description, owner or dueOn');
    const cleared = await as(t.drafter).patch(`/follow-ups/${created.id}`, { description: null }).expect(200);
    expect([described.body.description, cleared.body.description, cleared.body.version]).toEqual(['For the Tuesday meeting.', '', described.body.version + 1]);
    const moved = await as(t.drafter).patch(`/follow-ups/${created.id}`, { dueOn: '2026-12-08', owner: { post: 'TOKYO' } }).expect(200);
    expect(moved.body).toMatchObject({ dueOn: '2026-12-08', owner: { post: 'TOKYO' }, ownerBureau: 'EAP' });
    await as(t.tokyo).post(`/follow-ups/${created.id}/complete`, { outcome: 'Briefed on 5 December.' }).expect(201);
    await as(t.tokyo).post(`/follow-ups/${created.id}/start`).expect(409);
    const read = await as(t.leader).get(`/follow-ups/${created.id}`).expect(200);
    expect(read.body).toMatchObject({ status: 'DONE', outcome: 'Briefed on 5 December.', comments: [{ text: 'Talking points drafted.', by: { username: 'jdoe' } }] });
    expect(read.body.history.map((e: { type: string }) => e.type)).toEqual(['FollowUpCreated', 'FollowUpStarted', 'FollowUpCommented', 'FollowUpEdited', 'FollowUpEdited', 'FollowUpReassigned', 'FollowUpDueDateChanged', 'FollowUpCompleted']);
    // As it stood after its third event: started, commented, still the desk's, due on the first date.
    const then = await as(t.leader).get(`/follow-ups/${created.id}?version=3`).expect(200);
    expect(then.body).toMatchObject({ version: 3, status: 'IN_PROGRESS', owner: { office: 'EAP/CM' }, dueOn: '2026-12-05', outcome: null, comments: [{ text: 'Talking points drafted.' }] });
    // Marked and named as the current answer is: the links' captions, the creator's id.
    expect(then.body).toMatchObject({ classification: read.body.classification, captions: read.body.captions, createdBy: read.body.createdBy });
    // The new owner and due date were one change (versions 6 and 7): version 6 is read as the change left it, whole.
    const handedOver = await as(t.leader).get(`/follow-ups/${created.id}?version=6`).expect(200);
    expect(handedOver.body).toMatchObject({ version: 7, owner: { post: 'TOKYO' }, dueOn: '2026-12-08', status: 'IN_PROGRESS' });
    await as(t.leader).get(`/follow-ups/${created.id}?version=9`).expect(404);
    await as(t.leader).get(`/follow-ups/${created.id}?version=0`).expect(400);
  });

  it('is changed only by its owner and its creator', async () => {
    const { body: created } = await as(t.drafter).post('/follow-ups', { title: 'Press line', owner: { post: 'BEIJING' }, dueOn: '2026-12-10' }).expect(201);
    const denied = await as(t.otherDrafter).post(`/follow-ups/${created.id}/cancel`, { reason: 'Not mine to cancel' }).expect(403);
    expect(denied.body.detail).toMatch(/owner/);
    await as(t.tokyo).post(`/follow-ups/${created.id}/comments`, { text: 'Tokyo here' }).expect(403);
    // A new owner is judged once the sender may change it: a 403, not what is wrong with the owner.
    for (const owner of [{ office: 'ZZZ/QQ' }, { post: 'TOKYO' }]) await as(t.otherDrafter).patch(`/follow-ups/${created.id}`, { owner }).expect(403);
    await as(t.beijing).post(`/follow-ups/${created.id}/comments`, { text: 'On it' }).expect(201);
    await as(t.drafter).post(`/follow-ups/${created.id}/cancel`, { reason: 'Overtaken by events' }).expect(201);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'AccessDenied' AND stream_id = $1`, [`followup-${created.id}`]);
    expect(n).toBe(4);
  });

  it('becomes overdue after its due date, escalates to the owner’s bureau once, and is filtered by status, owner, bureau and overdue', async () => {
    await as(t.drafter).post('/follow-ups', { title: 'Due later', owner: { office: 'EUR/WE' }, dueOn: '2027-01-31' }).expect(201);
    const open = (await as(t.leader).get('/follow-ups?status=OPEN&limit=100').expect(200)).body;
    expect(open.items.every((f: { status: string }) => f.status === 'OPEN')).toBe(true);
    expect((await as(t.leader).get('/follow-ups?overdue=true').expect(200)).body.total).toBe(0);

    clock.set('2026-12-15T08:00:00Z');
    const overdue = (await as(t.leader).get('/follow-ups?overdue=true&limit=100').expect(200)).body;
    expect(overdue.total).toBe(3); // the three opened for BEIJING in the first test; the rest are done, cancelled or not yet due
    // Two processes scan at once, one of them on a single pooled connection (as embedded mode is):
    // neither waits on the other's connection, and each follow-up is recorded once.
    const second = await createTestApp(database, { clock, env: { DB_POOL_SIZE: '1' } });
    try {
      const scans = await Promise.all([app.get(OverdueScheduler).scan(), second.app.get(OverdueScheduler).scan()]);
      expect(Math.max(...scans)).toBe(3);
    } finally {
      await second.app.close();
    }
    expect(await app.get(OverdueScheduler).scan()).toBe(0);
    const escalated = await dataSource.query(`SELECT data->>'to' AS bureau FROM events WHERE type = 'FollowUpEscalated'`);
    expect(escalated).toEqual([{ bureau: 'EAP' }, { bureau: 'EAP' }, { bureau: 'EAP' }]);
    const one = (await as(t.beijing).get(`/follow-ups/${overdue.items[0].id}`).expect(200)).body;
    expect(one).toMatchObject({ overdue: true, escalatedTo: 'EAP', overdueSince: '2026-12-15T08:00:00.000Z' });
    expect(one.history.slice(-2).map((e: { type: string }) => e.type)).toEqual(['FollowUpBecameOverdue', 'FollowUpEscalated']);

    expect((await as(t.leader).get('/follow-ups?owner=BEIJING&limit=100').expect(200)).body.total).toBe(4);
    expect((await as(t.leader).get('/follow-ups?bureau=EUR').expect(200)).body.items.map((f: { title: string }) => f.title)).toEqual(['Due later']);
    await as(t.leader).get('/follow-ups?overdue=maybe').expect(400);
    // Codes are read in any case, as in a path.
    expect((await as(t.leader).get('/follow-ups?owner=beijing&limit=100').expect(200)).body.total).toBe(4);
    expect((await as(t.leader).get('/follow-ups?bureau=eur').expect(200)).body.items.map((f: { title: string }) => f.title)).toEqual(['Due later']);
    for (const owner of ['', 'no%20pe', 'EAP/']) expect((await as(t.leader).get(`/follow-ups?owner=${owner}`).expect(400)).body.errors[0].field).toBe('owner');
    const csv = await as(t.leader).get('/follow-ups/export.csv?overdue=true').expect(200);
    const rows: Record<string, string>[] = parse(csv.text, { columns: true, bom: true });
    expect(rows.map((r) => [r.owner, r.status, r.overdue, r.escalatedTo])).toEqual(Array(3).fill(['BEIJING', 'OPEN', 'yes', 'EAP']));
    // Each row marked as the follow-up is read (classification and its links' captions), its links named.
    expect(Object.keys(rows[0])).toEqual(['id', 'title', 'classification', 'captions', 'owner', 'bureau', 'dueOn', 'status', 'overdue', 'escalatedTo', 'demarcheId', 'cableId', 'post', 'outcome']);
    // RFC 4180: every record, the header's included, ends with CRLF.
    expect(csv.text.split('\r\n')).toHaveLength(rows.length + 2);
    expect(csv.text.replaceAll('\r\n', '')).not.toContain('\n');
    await as(t.beijing).get('/follow-ups/export.csv').expect(403);
    // More than an export holds is refused, never cut short unsaid.
    FollowUpReader.exportLimit = 2;
    try {
      const refused = await as(t.leader).get('/follow-ups/export.csv?overdue=true').expect(422);
      expect(refused.body.detail).toBe('An export holds at most 2 follow-ups, and 3 match: narrow it with the filters (status, overdue, owner, bureau, demarcheId)');
    } finally {
      FollowUpReader.exportLimit = 100_000;
    }
    // The export answers every match: a page asked of it is refused, not ignored.
    for (const page of ['limit=1', 'offset=10']) {
      const refused = await as(t.leader).get(`/follow-ups/export.csv?overdue=true&${page}`).expect(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual([page.split('=')[0]]);
    }
  });

  it('audits a read of a classified follow-up only once what was asked for was found', async () => {
    // Its owner, creator and reader hold a clearance that covers it.
    const drafter = (await createUser(app, t.admin, { username: 'cdesk', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const leader = (await createUser(app, t.admin, { username: 'clead', roles: ['leadership'], office: 'S', clearance: 'SECRET' })).token;
    const { body: created } = await as(drafter).post('/follow-ups', { title: 'Brief the Deputy Secretary', owner: { office: 'EAP/CM' }, dueOn: '2026-12-05', classification: 'CONFIDENTIAL' }).expect(201);
    const reads = (requestId: string) => dataSource.query(`SELECT action, details->>'view' AS view FROM audit_log WHERE request_id = $1 AND action = 'ReadFollowUp'`, [requestId]);
    await as(leader).get(`/follow-ups/${created.id}?version=99`).set('X-Request-Id', 'fu-version-99').expect(404);
    expect(await reads('fu-version-99')).toEqual([]);
    await as(leader).get(`/follow-ups/${created.id}?version=1`).set('X-Request-Id', 'fu-version-1').expect(200);
    expect(await reads('fu-version-1')).toEqual([{ action: 'ReadFollowUp', view: 'follow-up version' }]);
  });

  it('is owned by, and listed for, any office of the directory, those with a hyphen in their symbol too (S/ES-O, D-MR)', async () => {
    const secretariat = (await createUser(app, t.admin, { username: 'eso.desk', roles: ['drafter'], office: 'S/ES-O' })).token;
    const { body: created } = await as(secretariat).post('/follow-ups', { title: 'Line up the ALDAC clearances', owner: { office: 'S/ES-O' }, dueOn: '2026-12-10' }).expect(201);
    expect(created.owner).toEqual({ office: 'S/ES-O' });
    const { body: moved } = await as(secretariat).patch(`/follow-ups/${created.id}`, { owner: { office: 'D-MR' } }).expect(200);
    expect(moved.owner).toEqual({ office: 'D-MR' });
    const listed = await as(secretariat).get('/follow-ups?owner=D-MR').expect(200);
    expect(listed.body.items.map((f: { id: string }) => f.id)).toEqual([created.id]);
    const byBureau = await as(secretariat).get('/follow-ups?bureau=d-mr').expect(200);
    expect(byBureau.body.items.map((f: { id: string }) => f.id)).toEqual([created.id]);
    await as(secretariat).get('/follow-ups/export.csv?owner=D-MR').expect(200);
    // Still refused: what is no office symbol at all.
    const refused = await as(secretariat).get('/follow-ups?owner=S/ES-').expect(400);
    expect(refused.body.errors[0].field).toBe('owner');
  });

  it('is changed by its creator while they hold a role that opens follow-ups: made an auditor, they only read it', async () => {
    const mover = await createUser(app, t.admin, { username: 'fu.mover', roles: ['drafter'], office: 'EAP/CM' });
    const { body: created } = await as(mover.token).post('/follow-ups', { title: 'Mover’s task', owner: { post: 'BEIJING' }, dueOn: '2026-12-10' }).expect(201);
    await as(t.admin).patch(`/users/${mover.id}`, { roles: ['auditor'], office: 'OIG' }).expect(200);
    const { body: read } = await as(mover.token).get(`/follow-ups/${created.id}`).expect(200);
    expect(read.allowedActions).toEqual([]);
    await as(mover.token).patch(`/follow-ups/${created.id}`, { title: 'Changed by an auditor' }).expect(403);
    await as(mover.token).patch(`/follow-ups/${created.id}`, { owner: { office: 'EAP/CM' } }).expect(403);
    await as(mover.token).post(`/follow-ups/${created.id}/cancel`, { reason: 'Cancelled by an auditor' }).expect(403);
    expect((await as(t.beijing).get(`/follow-ups/${created.id}`).expect(200)).body).toMatchObject({ title: 'Mover’s task', status: 'OPEN', version: created.version });
    // Nor is it among theirs to work in their inbox.
    const inbox = (await as(mover.token).get('/inbox?section=followUps').expect(200)).body as { items: { followUpId: string }[] };
    expect(inbox.items.map((item) => item.followUpId)).not.toContain(created.id);
    // Given back a role that opens follow-ups, they change it again.
    await as(t.admin).patch(`/users/${mover.id}`, { roles: ['leadership'], office: 'S' }).expect(200);
    await as(mover.token).patch(`/follow-ups/${created.id}`, { title: 'Changed by leadership' }).expect(200);
    const again = (await as(mover.token).get('/inbox?section=followUps').expect(200)).body as { items: { followUpId: string }[] };
    expect(again.items.map((item) => item.followUpId)).toContain(created.id);
  });

  it('lists in My follow-ups an office\'s follow-ups for those who work them there, not its auditors or admins, who only read', async () => {
    const { body: owned } = await as(t.drafter).post('/follow-ups', { title: 'An office task', owner: { office: 'EAP/CM' }, dueOn: '2026-12-10' }).expect(201);
    const reader = (await createUser(app, t.admin, { username: 'eapcm.auditor', roles: ['auditor'], office: 'EAP/CM' })).token;
    const mine = async (token: string) => ((await as(token).get('/inbox?section=followUps&limit=200').expect(200)).body.items as { followUpId: string }[]).map((item) => item.followUpId);
    expect(await mine(reader)).not.toContain(owned.id);
    expect(await mine(t.drafter)).toContain(owned.id);
  });
});
