import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parse } from 'csv-parse/sync';
import { OverdueScheduler } from '@chancery/demarches';
import { EventStore, ProjectionRegistry, ProjectionRunner, UpcasterRegistry } from '@chancery/event-store';
import { AddClearanceRequestTimes1795910421000 } from '../migrations/1795910421000-AddClearanceRequestTimes.js';
import { authed, releaseCable } from './support/http.js';
import { createUser, startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';

const instruction = {
  kind: 'INSTRUCTION',
  subject: 'Demarche on the distillation of U.S. AI models',
  classification: 'CONFIDENTIAL',
  captions: ['SIPDIS'],
  precedence: 'IMMEDIATE',
  tags: ['PREL', 'TSPL', 'KIPR'],
  actionAddressees: ['ALDAC'],
  paragraphs: [
    { marking: 'U', text: 'Action request: see paragraph 2.' },
    { marking: 'C', text: 'Raise concerns about the extraction and distillation of U.S. AI models.' },
  ],
  classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' },
  demarche: { reportBy: '2026-12-15', targets: 'Foreign ministry, director-general level', points: [2] },
};

describe('demarche campaigns through HTTP', () => {
  let story: Story<string>;
  let app: INestApplication;
  let dataSource: DataSource;
  const START = '2026-11-29T09:00:00Z';
  const clock = new TestClock(new Date(START));
  // A test that moves the clock leaves it where the others expect it, failed or not.
  afterEach(() => clock.set(START));
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'beijing' | 'tokyo' | 'leader' | 'unclassified', string>;
  const as = (token: string) => authed(app, token);

  const release = (draft: object) => releaseCable(app, t.drafter, t.approver, draft);

  const delivered = { deliveredOn: '2026-11-29', counterpart: { name: 'Li Wei', title: 'Director-General', organization: 'Ministry of Foreign Affairs' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' };
  const rejected = { receivedOn: '2026-11-29', position: 'REJECTED', summary: 'The allegations are baseless.', quotes: ['The allegations are baseless.'] };

  beforeAll(async () => {
    story = await startStory(clock, {
      tokyo: { username: 'tkpol', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' },
      leader: { username: 'lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' },
      unclassified: { username: 'uncl', roles: ['post_officer'], postCode: 'PARIS', clearance: 'UNCLASSIFIED' },
    }, 20);
    ({ app, dataSource } = story);
    Object.assign(t, story.tokens);
  });
  afterAll(async () => {
    await story.end();
  });

  it('opens exactly one campaign from the stored release, even if the process stopped before opening it', async () => {
    const cableId = await release(instruction);
    // The release is stored; nothing has fed the process manager yet (as if it died right there).
    expect((await as(t.leader).get('/demarches').expect(200)).body.total).toBe(0);
    // It comes back: two runners, as after a restart with two processes, catch up on the feed.
    const second = new ProjectionRunner(dataSource, new EventStore(dataSource, new UpcasterRegistry()), app.get(ProjectionRegistry), { batchSize: 100, pollMs: 50 });
    await Promise.all([app.get(ProjectionRunner).catchUp(), second.catchUp()]);
    await app.get(ProjectionRunner).catchUp();
    const campaigns = await dataSource.query('SELECT id, cable_id FROM demarche_campaigns');
    expect(campaigns).toEqual([{ id: cableId, cable_id: cableId }]);
    const opened = await dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'CampaignOpened'`);
    expect(opened[0].n).toBe(1);

    const { body } = await as(t.leader).get(`/demarches/${cableId}`).expect(200);
    const aldac = (await as(t.leader).get('/collectives/ALDAC').expect(200)).body.members;
    expect(body).toMatchObject({ id: cableId, cableId, mrn: expect.stringMatching(/STATE/), reportBy: '2026-12-15' });
    expect(body.summary).toEqual({ total: aldac.length, delivered: 0, responded: 0, notDelivered: 0, pending: aldac.length, overdue: 0 });
    expect(body.deliveries.map((d: { post: string }) => d.post)).toEqual(aldac);
  });

  it('lets 50 posts log deliveries and responses at once, all succeeding, with an exact summary', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const posts = (await as(t.leader).get(`/demarches/${cableId}`).expect(200)).body.deliveries.map((d: { post: string }) => d.post).slice(0, 50);
    const officers = await Promise.all(
      posts.map(async (post: string) => ({ post, token: (await createUser(app, t.admin, { username: `officer.${post.toLowerCase()}`, roles: ['post_officer'], postCode: post, clearance: 'CONFIDENTIAL' })).token })),
    );
    const first = await Promise.all(officers.map(({ post, token }) => as(token).post(`/demarches/${cableId}/deliveries/${post}/delivery`, delivered)));
    expect(first.map((r) => r.status)).toEqual(Array(50).fill(201));
    const responders = officers.slice(0, 30);
    const second = await Promise.all(
      responders.map(({ post, token }, i) => as(token).post(`/demarches/${cableId}/deliveries/${post}/response`, { ...rejected, position: i % 2 ? 'SUPPORTIVE' : 'REJECTED' })),
    );
    expect(second.map((r) => r.status)).toEqual(Array(30).fill(201));
    const { body } = await as(t.leader).get(`/demarches/${cableId}`).expect(200);
    expect(body.summary).toMatchObject({ delivered: 50, responded: 30, notDelivered: 0, pending: body.summary.total - 50, overdue: 0 });
    const listed = await as(t.leader).get('/demarches').expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: cableId, summary: body.summary })]);
    // A campaign is read as it is now: a parameter its route does not take is refused, not ignored.
    const asOf = await as(t.leader).get(`/demarches/${cableId}?asOf=2020-01-01T00:00:00Z`).expect(400);
    expect(asOf.body.errors).toEqual([{ field: 'asOf', message: 'property asOf should not exist (this request takes no such query parameter)' }]);
    // The contract's status filter: every campaign is open (none ends), so OPEN lists them all.
    expect((await as(t.leader).get('/demarches?status=OPEN').expect(200)).body).toEqual(listed.body);
    const closed = await as(t.leader).get('/demarches?status=CLOSED').expect(400);
    expect(closed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(closed.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    // The cable's own page links to its campaign with the same counts, read under the cable: its
    // reader's visit is audited as a read of the cable, not of the campaign as well.
    const before = (await dataSource.query('SELECT max(position) AS p FROM audit_log'))[0].p;
    const cable = await as(t.leader).get(`/cables/${cableId}`).set('X-Request-Id', 'cable-page-1').expect(200);
    expect(cable.body.campaign).toEqual({ id: cableId, summary: body.summary });
    const reads = await dataSource.query('SELECT action, stream_id FROM audit_log WHERE position > $1 AND request_id = $2', [before, 'cable-page-1']);
    expect(reads).toEqual([{ action: 'ReadCable', stream_id: `cable-${cableId}` }]);
    // A past version is the cable as it stood: no campaign then.
    expect((await as(t.leader).get(`/cables/${cableId}?version=1`).expect(200)).body.campaign).toBeNull();
  });

  it('audits a read of a delivery or a document only once it was found (a 404 is not a read)', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const reads = (requestId: string) => dataSource.query(`SELECT action, details->>'view' AS view FROM audit_log WHERE request_id = $1`, [requestId]);
    await as(t.leader).get(`/demarches/${cableId}/deliveries/ATLANTIS`).set('X-Request-Id', 'not-tasked').expect(404);
    await as(t.leader).get(`/demarches/${cableId}/deliveries/TOKYO/documents/${crypto.randomUUID()}`).set('X-Request-Id', 'no-document').expect(404);
    await as(t.leader).head(`/demarches/${cableId}/deliveries/TOKYO/documents/${crypto.randomUUID()}`).set('X-Request-Id', 'no-document-head').expect(404);
    for (const requestId of ['not-tasked', 'no-document', 'no-document-head']) expect(await reads(requestId)).toEqual([]);
    await as(t.leader).get(`/demarches/${cableId}/deliveries/TOKYO`).set('X-Request-Id', 'tasked').expect(200);
    expect(await reads('tasked')).toEqual([{ action: 'ReadCampaign', view: 'delivery TOKYO' }]);
  });

  it('records not delivered, and refuses steps out of order', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const tokyo = await as(t.tokyo).post(`/demarches/${cableId}/deliveries/TOKYO/not-delivered`, { reason: 'No appointment granted' });
    expect([200, 201]).toContain(tokyo.status);
    expect(tokyo.body).toMatchObject({ status: 'NOT_DELIVERED', notDeliveredReason: 'No appointment granted' });
    // Its history names who recorded it, and the answer names them (no meeting or response of theirs does yet).
    const recorded = (await as(t.tokyo).get(`/demarches/${cableId}/deliveries/TOKYO`).expect(200)).body;
    const by = recorded.history.find((e: { type: string }) => e.type === 'DemarcheNotDelivered').actor;
    expect(recorded.people[by]).toMatchObject({ username: (await as(t.tokyo).get('/auth/me').expect(200)).body.username });
    // Not delivered is not an answer to record a response on (a later delivery is: demarches-over-time.e2e-spec.ts).
    const answered = await as(t.tokyo).post(`/demarches/${cableId}/deliveries/TOKYO/response`, rejected).expect(409);
    expect(answered.body.code).toBe('INVALID_TRANSITION');
    const wellington = (await createUser(app, t.admin, { username: 'wgpol', roles: ['post_officer'], postCode: 'WELLINGTON', clearance: 'CONFIDENTIAL' })).token;
    expect((await as(wellington).get(`/demarches/${cableId}/deliveries/WELLINGTON`).expect(200)).body.status).toBe('PENDING');
    const early = await as(wellington).post(`/demarches/${cableId}/deliveries/WELLINGTON/response`, rejected).expect(409);
    expect(early.body.detail).toMatch(/delivery before the response/);
    // A post's code in the path is read in any case: the delivery is Wellington's, its stream one.
    const retried = [];
    for (const post of ['wellington', 'Wellington']) retried.push(await as(wellington).post(`/demarches/${cableId}/deliveries/${post}/delivery`, delivered).set('Idempotency-Key', 'wellington-delivered'));
    expect(retried[1].headers['idempotent-replayed']).toBe('true');
    expect(retried.map((r) => r.status)).toEqual([201, 201]);
    expect(retried[1].body).toEqual(retried[0].body);
    expect(retried[0].body).toMatchObject({ post: 'WELLINGTON', status: 'DELIVERED', version: 1 });
    expect(await dataSource.query(`SELECT stream_id FROM events WHERE stream_id LIKE $1`, [`delivery-${cableId}:%ELLINGTON`])).toEqual([{ stream_id: `delivery-${cableId}:WELLINGTON` }]);
    await as(t.tokyo).post(`/demarches/${cableId}/deliveries/wellington/contacts`, { on: '2026-11-29', counterpart: delivered.counterpart, level: 'DIRECTOR', method: 'PHONE' }).expect(403);
    const future = await as(wellington).post(`/demarches/${cableId}/deliveries/WELLINGTON/response`, { ...rejected, receivedOn: '2027-01-01' }).expect(422);
    expect(future.body.errors[0].field).toBe('receivedOn');
    const bad = await as(wellington).post(`/demarches/${cableId}/deliveries/WELLINGTON/response`, { ...rejected, position: 'ANGRY' }).expect(400);
    expect(bad.body.errors[0].field).toBe('position');
    const logged = await as(wellington).post(`/demarches/${cableId}/deliveries/WELLINGTON/response`, rejected).expect(201);
    expect(logged.body).toMatchObject({ status: 'RESPONDED', position: 'REJECTED', quotes: [{ text: 'The allegations are baseless.' }], version: 2 });
  });

  it('gives a campaign’s timeline: its opening, then each post’s records in the order of the feed', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const { body } = await as(t.leader).get(`/demarches/${cableId}/history`).expect(200);
    expect(body.items[0]).toMatchObject({ type: 'CampaignOpened', post: null, version: 1 });
    const wellington = body.items.filter((e: { post: string }) => e.post === 'WELLINGTON').map((e: { type: string; version: number }) => [e.type, e.version]);
    expect(wellington).toEqual([['DemarcheDelivered', 1], ['ResponseLogged', 2]]);
    expect(body.items.filter((e: { type: string }) => e.type === 'ResponseLogged')).toHaveLength(31);
    await as(t.tokyo).get(`/demarches/${cableId}/history`).expect(200);
  });

  it('lets only that post’s officers write its delivery, and keeps the campaign from the uncleared', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const other = await as(t.tokyo).post(`/demarches/${cableId}/deliveries/LONDON/delivery`, delivered).expect(403);
    expect(other.body.detail).toMatch(/officer of TOKYO, not LONDON/);
    await as(t.drafter).post(`/demarches/${cableId}/deliveries/LONDON/delivery`, delivered).expect(403);
    const refused = await as(t.unclassified).get(`/demarches/${cableId}`).expect(403);
    expect(refused.body.detail).toBe('Not allowed.'); // nothing of its classification
    await as(t.unclassified).post(`/demarches/${cableId}/deliveries/PARIS/delivery`, delivered).expect(403);
    expect((await as(t.unclassified).get('/demarches').expect(200)).body).toEqual({ items: [], total: 0 });
    const denials = await dataSource.query(`SELECT details->>'attempted' AS attempted FROM audit_log WHERE action = 'AccessDenied' ORDER BY position DESC LIMIT 4`);
    expect(denials.map((d: { attempted: string }) => d.attempted)).toEqual([
      `POST /demarches/${cableId}/deliveries/PARIS/delivery`,
      `GET /demarches/${cableId}`,
      `POST /demarches/${cableId}/deliveries/LONDON/delivery`,
      'RecordDelivery for LONDON',
    ]);
  });

  it('shows each user what waits for them in their inbox, oldest first', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const clearer = (await createUser(app, t.admin, { username: 'lclear', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    const zagreb = (await createUser(app, t.admin, { username: 'zgpol', roles: ['post_officer'], postCode: 'ZAGREB', clearance: 'CONFIDENTIAL' })).token;
    const { body: draft } = await as(t.drafter).post('/cables', { ...instruction, subject: 'Needs Legal', demarche: undefined, kind: 'INFORMATIONAL' }).expect(201);
    await as(t.drafter).post(`/cables/${draft.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    expect((await as(clearer).get('/inbox').expect(200)).body.toClear.map((c: { cableId: string }) => c.cableId)).toEqual([draft.id]);
    // Waiting since L was asked, whatever the drafter has changed on the cable since.
    const askedAt = async (type: string) =>
      ((await dataSource.query('SELECT max(recorded_at) AS at FROM events WHERE stream_id = $1 AND type = $2', [`cable-${draft.id}`, type]))[0].at as Date).toISOString();
    const asked = await askedAt('ClearancesRequested');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await as(t.drafter).patch(`/cables/${draft.id}`, { subject: 'Needs Legal, edited while L reads it' }).expect(200);
    // Each item is marked as its cable is, captions and all (the inbox's banner carries them).
    expect((await as(clearer).get('/inbox').expect(200)).body.toClear).toEqual([expect.objectContaining({ cableId: draft.id, office: 'L', since: asked, classification: instruction.classification, captions: instruction.captions })]);
    await as(clearer).post(`/cables/${draft.id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    expect((await as(clearer).get('/inbox').expect(200)).body.toClear).toEqual([]);
    await as(t.drafter).patch(`/cables/${draft.id}`, { subject: 'Needs Legal again' }).expect(200);
    // Its clearance went stale with that edit: asked again then.
    expect((await as(clearer).get('/inbox').expect(200)).body.toClear).toEqual([expect.objectContaining({ cableId: draft.id, since: await askedAt('ClearancesMadeStale') })]);
    // The migration that added these times gives cables waiting then the same, from their events.
    const recorded = () => dataSource.query('SELECT id, awaiting_since FROM cables ORDER BY id');
    const live = await recorded();
    expect(live).toContainEqual({ id: draft.id, awaiting_since: { L: await askedAt('ClearancesMadeStale') } });
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('ALTER TABLE cables DROP COLUMN awaiting_since');
      await new AddClearanceRequestTimes1795910421000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await recorded()).toEqual(live);
    await as(clearer).post(`/cables/${draft.id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    await as(t.drafter).post(`/cables/${draft.id}/submit`).expect(200);
    expect((await as(t.approver).get('/inbox').expect(200)).body.toApprove.map((c: { cableId: string }) => c.cableId)).toEqual([draft.id]);
    expect((await as(t.drafter).get('/inbox').expect(200)).body.toApprove).toEqual([]);

    await as(t.drafter).post('/follow-ups', { title: 'Zagreb: report the reaction', owner: { post: 'ZAGREB' }, dueOn: '2026-12-20' }).expect(201);
    const inbox = (await as(zagreb).get('/inbox').expect(200)).body;
    expect(inbox.taskings).toEqual([{ demarcheId: cableId, mrn: expect.any(String), subject: instruction.subject, classification: instruction.classification, captions: instruction.captions, post: 'ZAGREB', status: 'PENDING', reportBy: '2026-12-15', overdue: false }]);
    expect(inbox.followUps).toEqual([{ followUpId: expect.any(String), title: 'Zagreb: report the reaction', classification: 'UNCLASSIFIED', captions: [], status: 'OPEN', owner: { post: 'ZAGREB' }, dueOn: '2026-12-20', overdue: false }]);
    expect((await as(t.unclassified).get('/inbox').expect(200)).body.taskings).toEqual([]); // PARIS, but not cleared for it
  });

  it('exports one CSV row per post that a spreadsheet reads back intact', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const tricky = 'Said "no", firmly;\nthen added: "we will, however, study it".';
    const officer = (await createUser(app, t.admin, { username: 'ottawa.pol', roles: ['post_officer'], postCode: 'OTTAWA', clearance: 'CONFIDENTIAL' })).token;
    await as(officer).post(`/demarches/${cableId}/deliveries/OTTAWA/delivery`, { ...delivered, counterpart: { name: 'Smith, Anne', title: 'ADM', organization: 'Global Affairs Canada' } }).expect(201);
    await as(officer).post(`/demarches/${cableId}/deliveries/OTTAWA/response`, { ...rejected, position: 'NONCOMMITTAL', summary: tricky }).expect(201);
    const csv = await as(t.leader).get(`/demarches/${cableId}/export.csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename=demarche-\d\dSTATE\d{6}\.csv$/);
    expect(csv.text.startsWith('\uFEFFpost,classification,captions,')).toBe(true); // a BOM, for Excel to read UTF-8
    const rows: Record<string, string>[] = parse(csv.text, { columns: true, bom: true });
    expect(csv.text.endsWith('\r\n') && csv.text.split('\r\n').length === rows.length + 2).toBe(true);
    const { body } = await as(t.leader).get(`/demarches/${cableId}`).expect(200);
    expect(rows).toHaveLength(body.summary.total);
    expect(rows.find((r) => r.post === 'OTTAWA')).toEqual({
      post: 'OTTAWA', classification: 'CONFIDENTIAL', captions: 'SIPDIS', country: 'CA', bureau: 'WHA', status: 'RESPONDED', deliveredOn: '2026-11-29', counterpart: 'Smith, Anne, ADM, Global Affairs Canada',
      level: 'DIRECTOR_GENERAL', position: 'NONCOMMITTAL', summary: tricky, overdue: 'no',
      positionChanged: 'no', firstPosition: 'NONCOMMITTAL', responses: '1', contacts: '1', quotes: 'The allegations are baseless.', documents: '', reportingCables: '',
    });
    await as(t.drafter).get(`/demarches/${cableId}/export.csv`).expect(200);
    await as(t.beijing).get(`/demarches/${cableId}/export.csv`).expect(403);
  });

  it('marks deliveries overdue once the report-by date has passed, and records it once as an event', async () => {
    const cableId = (await dataSource.query('SELECT id FROM demarche_campaigns'))[0].id;
    const scheduler = app.get(OverdueScheduler);
    expect(await scheduler.scan()).toBe(0);
    const before = (await as(t.leader).get(`/demarches/${cableId}`).expect(200)).body.summary;
    expect(before.overdue).toBe(0);

    clock.set('2026-12-16T09:00:00Z');
    const after = (await as(t.leader).get(`/demarches/${cableId}`).expect(200)).body;
    const open = after.summary.pending + after.summary.delivered - after.summary.responded;
    expect(after.summary.overdue).toBe(open);
    expect(after.deliveries.find((d: { post: string }) => d.post === 'TOKYO').overdue).toBe(false);

    expect(await scheduler.scan()).toBe(open);
    expect(await scheduler.scan()).toBe(0); // recorded once
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'DeliveryBecameOverdue'`);
    expect(n).toBe(open);
    const beijing = await as(t.beijing).get(`/demarches/${cableId}/deliveries/BEIJING`).expect(200);
    const pending = after.deliveries.find((d: { status: string }) => d.status === 'PENDING').post;
    const quiet = await as(t.leader).get(`/demarches/${cableId}/deliveries/${pending}`).expect(200);
    expect(quiet.body.history).toEqual([{ version: 1, type: 'DeliveryBecameOverdue', at: expect.any(String), actor: 'system', data: { reportBy: '2026-12-15', at: '2026-12-16T09:00:00.000Z' } }]);
    expect(quiet.body.overdueSince).toBe('2026-12-16T09:00:00.000Z');
    expect(beijing.body.history.map((e: { type: string }) => e.type)).not.toContain('DeliveryBecameOverdue'); // it had answered
  });
});
