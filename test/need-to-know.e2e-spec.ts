import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { systemContext } from '@chancery/common';
import { AggregateRepositoryFactory } from '@chancery/event-store';
import { FollowUp, followUpDefinition, FollowUpDraftTextRepair, FollowUpMarkingRepair } from '@chancery/follow-ups';
import { awaitCampaign, awaitDelivery } from './support/campaigns.js';
import { authed } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** Each finding of issue #14, probed as an outsider would: every one of these failed before the fix. */
const secretNodis = {
  kind: 'INSTRUCTION',
  subject: 'SECRET-SUBJECT-CANARY',
  classification: 'SECRET',
  captions: ['NODIS'],
  precedence: 'IMMEDIATE',
  tags: ['PREL', 'CH'],
  actionAddressees: ['BEIJING'],
  paragraphs: [{ marking: 'S', text: 'SECRET-TEXT-CANARY' }],
  classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' },
  demarche: { reportBy: '2099-01-15', targets: 'Foreign ministry', points: [1] },
};
const downgraded = { subject: 'Public line', classification: 'UNCLASSIFIED', captions: [], paragraphs: [{ marking: 'U', text: 'Public text.' }], classifiedBy: null };

describe('need to know on every path (#14)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'lowApprover' | 'beijing' | 'lowBeijing' | 'tokyo' | 'berlin' | 'leader' | 'drafterClearer' | 'legal', string>;
  const as = (token: string) => authed(app, token);
  let downgradedId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true', LOGIN_MAX_FAILURES: '20' } }));
    dataSource = app.get(DataSource);
    t.admin = await loginAsAdmin(app);
    const user = async (username: string, roles: string[], clearance: string, where: { office?: string; postCode?: string }) =>
      (await createUser(app, t.admin, { username, roles, clearance, ...where })).token;
    t.drafter = await user('nk.drafter', ['drafter'], 'SECRET', { office: 'EAP/CM' });
    t.approver = await user('nk.approver', ['approver'], 'SECRET', { office: 'EAP' });
    t.lowApprover = await user('nk.lowapprover', ['approver'], 'UNCLASSIFIED', { office: 'EAP' });
    t.beijing = await user('nk.beijing', ['post_officer'], 'SECRET', { postCode: 'BEIJING' });
    t.lowBeijing = await user('nk.lowbeijing', ['post_officer'], 'UNCLASSIFIED', { postCode: 'BEIJING' });
    t.tokyo = await user('nk.tokyo', ['post_officer'], 'TOP_SECRET', { postCode: 'TOKYO' });
    t.berlin = await user('nk.berlin', ['post_officer'], 'TOP_SECRET', { postCode: 'BERLIN' });
    t.leader = await user('nk.leader', ['leadership'], 'TOP_SECRET', { office: 'S' });
    t.drafterClearer = await user('nk.dc', ['drafter', 'clearer'], 'SECRET', { office: 'L' });
    t.legal = await user('nk.legal', ['clearer'], 'SECRET', { office: 'L' });

    // A SECRET NODIS draft, edited down to UNCLASSIFIED, then released to Beijing.
    const { body } = await as(t.drafter).post('/cables', secretNodis).expect(201);
    downgradedId = body.id;
    await as(t.drafter).patch(`/cables/${downgradedId}`, downgraded).expect(200);
    await as(t.drafter).post(`/cables/${downgradedId}/submit`).expect(200);
    await as(t.approver).post(`/cables/${downgradedId}/approve`).expect(200);
    await as(t.approver).post(`/cables/${downgradedId}/release`).expect(200);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('reads a past version under the rule it stood under as well as today’s, and audits it', async () => {
    await as(t.lowBeijing).get(`/cables/${downgradedId}`).expect(200);
    for (const path of [`/cables/${downgradedId}?version=1`, `/cables/${downgradedId}/telegram?version=1`, `/cables/${downgradedId}?asOf=${encodeURIComponent(new Date(Date.now() - 1).toISOString())}`]) {
      const answer = await as(t.lowBeijing).get(path);
      expect({ path, status: answer.status }).toEqual({ path, status: path.includes('asOf') ? 200 : 403 });
      expect(answer.text).not.toMatch(/SECRET-(TEXT|SUBJECT)-CANARY/);
    }
    const history = await as(t.lowBeijing).get(`/cables/${downgradedId}/history`).expect(200);
    expect(history.text).not.toMatch(/SECRET-(TEXT|SUBJECT)-CANARY/);
    expect(history.body.items[0]).toMatchObject({ type: 'CableDrafted', data: null, withheld: true });
    // Tokyo was never addressed: nothing, now or then.
    for (const path of [`/cables/${downgradedId}`, `/cables/${downgradedId}/history`, `/cables/${downgradedId}/telegram`]) await as(t.tokyo).get(path).expect(403);
    // Beijing, cleared or not, reads what was released to it, never the drafts before (domain.md:
    // "never another post's officers reads a draft"); the drafter reads the SECRET past, audited as SECRET.
    await as(t.beijing).get(`/cables/${downgradedId}?version=1`).expect(403);
    const then = await as(t.drafter).get(`/cables/${downgradedId}?version=1`).expect(200);
    expect(then.body.paragraphs[0].text).toBe('SECRET-TEXT-CANARY');
    const [audit] = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadCable' AND stream_id = $1 ORDER BY position DESC LIMIT 1`, [`cable-${downgradedId}`]);
    expect(audit.details).toMatchObject({ classification: 'SECRET', version: 1 });
    // A list that shows classified records is audited too, naming them.
    const { body: secretDraft } = await as(t.drafter).post('/cables', { ...secretNodis, subject: 'Listed' }).expect(201);
    const listed = await as(t.leader).get('/cables?limit=500').expect(200);
    const [entry] = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadClassifiedList' AND request_id = $1`, [listed.headers['x-request-id']]);
    expect(entry.details).toMatchObject({ view: 'list', classification: 'SECRET', records: expect.arrayContaining([`cable-${secretDraft.id}`]) });
  });

  it('lets nobody act on what they may not read: 403, generic, nothing written, before If-Match and Idempotency-Key', async () => {
    const { body } = await as(t.drafter).post('/cables', { ...secretNodis, captions: [], actionAddressees: ['TOKYO'] }).expect(201);
    await as(t.drafter).post(`/cables/${body.id}/submit`).expect(200);
    const [{ n: before }] = await dataSource.query('SELECT count(*)::int AS n FROM events');
    for (const [path, payload] of [['approve', {}], ['return', { reason: 'x' }], ['cancel', { reason: 'x' }], ['release', {}]] as const) {
      const answer = await request(app.getHttpServer())
        .post(`/cables/${body.id}/${path}`)
        .set('Authorization', `Bearer ${t.lowApprover}`)
        .set('If-Match', '"1"')
        .set('Idempotency-Key', `nk-${path}`)
        .send(payload);
      expect({ path, status: answer.status, detail: answer.body.detail }).toEqual({ path, status: 403, detail: 'Not allowed.' });
      expect(answer.text).not.toMatch(/SECRET|CANARY|PENDING_APPROVAL|version/);
    }
    const [{ n: after }] = await dataSource.query('SELECT count(*)::int AS n FROM events');
    expect(after).toBe(before);
    const [{ n: keys }] = await dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE 'nk-%'`);
    expect(keys).toBe(0);
    // The cleared approver who may read it gets the precondition as usual.
    await as(t.approver).post(`/cables/${body.id}/approve`).set('If-Match', '"1"').expect(412);
    // One who may read a record but not take the step is told so (403) before the version (412).
    const followUp = (await as(t.drafter).post('/follow-ups', { title: 'Check the readout', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201)).body;
    await as(t.leader).get(`/follow-ups/${followUp.id}`).expect(200);
    const notTheirs = await as(t.leader).patch(`/follow-ups/${followUp.id}`, { title: 'Mine now' }).set('If-Match', '"7"').expect(403);
    expect(notTheirs.body.detail).toMatch(/only the follow-up’s owner/);
    await as(t.drafter).patch(`/follow-ups/${followUp.id}`, { title: 'Check the readout again' }).set('If-Match', '"7"').expect(412);
    // The approver of a submitted cable may also edit it (api.md Additions).
    expect((await as(t.approver).get(`/cables/${body.id}`).expect(200)).body.allowedActions).toEqual(['edit', 'approve', 'return', 'cancel']);
  });

  it('keeps drafts from officers of other posts, and from the Department beyond the working party', async () => {
    const { body } = await as(t.drafter).post('/cables', { ...secretNodis, captions: [], subject: 'Draft for Tokyo' }).expect(201);
    for (const who of [t.tokyo, t.berlin, t.beijing]) await as(who).get(`/cables/${body.id}`).expect(403);
    for (const who of [t.tokyo, t.berlin]) expect((await as(who).get('/cables?limit=500').expect(200)).body.items.map((c: { id: string }) => c.id)).not.toContain(body.id);
    expect((await as(t.leader).get(`/cables/${body.id}`).expect(200)).body.allowedActions).toEqual([]);
    expect((await as(t.drafter).get(`/cables/${body.id}`).expect(200)).body.allowedActions).toEqual(['edit', 'requestClearance', 'submit', 'cancel']);
  });

  it('holds a drafter to where the cable originates: moved to a post, they neither read nor work the drafts they left', async () => {
    const mover = await createUser(app, t.admin, { username: 'nk.mover', roles: ['drafter'], clearance: 'SECRET', office: 'EAP/CM' });
    const { body } = await as(mover.token).post('/cables', { ...secretNodis, subject: 'MOVER-DRAFT-CANARY' }).expect(201);
    await as(t.admin).patch(`/users/${mover.id}`, { roles: ['post_officer'], office: null, postCode: 'PARIS' }).expect(200);
    const refused = await as(mover.token).get(`/cables/${body.id}`).expect(403);
    expect(JSON.stringify(refused.body)).not.toContain('MOVER-DRAFT-CANARY');
    await as(mover.token).patch(`/cables/${body.id}`, { subject: 'Still mine?' }).expect(403);
    await as(mover.token).post(`/cables/${body.id}/submit`).expect(403);
    expect(JSON.stringify((await as(mover.token).get('/cables?limit=500').expect(200)).body)).not.toContain('MOVER-DRAFT-CANARY');
    // The drafting office goes on with it, and its history names who drafted it.
    expect((await as(t.drafter).get(`/cables/${body.id}`).expect(200)).body.subject).toBe('MOVER-DRAFT-CANARY');
    // Moved back into the Department, to another office, they are its drafter again.
    await as(t.admin).patch(`/users/${mover.id}`, { roles: ['drafter'], office: 'EUR/WE', postCode: null }).expect(200);
    expect((await as(mover.token).get(`/cables/${body.id}`).expect(200)).body.allowedActions).toContain('submit');
  });

  it('gives a post\'s chief of mission what went to the post, NODIS included, and nothing that went elsewhere', async () => {
    const chief = (await createUser(app, t.admin, { username: 'nk.bjchief', roles: ['approver'], clearance: 'SECRET', postCode: 'BEIJING' })).token;
    const { body } = await as(t.drafter).post('/cables', { ...secretNodis, subject: 'NODIS-TO-BEIJING' }).expect(201);
    await as(chief).get(`/cables/${body.id}`).expect(403); // a draft is the Department's working party's
    await as(t.drafter).post(`/cables/${body.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${body.id}/approve`).expect(200);
    await as(t.approver).post(`/cables/${body.id}/release`).expect(200);
    expect((await as(chief).get(`/cables/${body.id}`).expect(200)).body.subject).toBe('NODIS-TO-BEIJING');
    expect((await as(chief).get('/cables?limit=500').expect(200)).body.items.map((c: { id: string }) => c.id)).toContain(body.id);
    const toTokyo = await as(t.drafter).post('/cables', { ...secretNodis, subject: 'NODIS-TO-TOKYO', actionAddressees: ['TOKYO'] }).expect(201);
    await as(t.drafter).post(`/cables/${toTokyo.body.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${toTokyo.body.id}/approve`).expect(200);
    await as(t.approver).post(`/cables/${toTokyo.body.id}/release`).expect(200);
    await as(chief).get(`/cables/${toTokyo.body.id}`).expect(403);
  });

  it('leaves an office\'s follow-ups to its desk: its auditors only read them, and an office of only auditors is no owner', async () => {
    const auditorInL = (await createUser(app, t.admin, { username: 'nk.laudit', roles: ['auditor'], clearance: 'SECRET', office: 'L' })).token;
    const { body } = await as(t.drafter).post('/follow-ups', { title: 'Ask L for an opinion', owner: { office: 'L' }, dueOn: '2099-12-31' }).expect(201);
    expect((await as(auditorInL).get(`/follow-ups/${body.id}`).expect(200)).body.allowedActions).toEqual([]);
    await as(auditorInL).patch(`/follow-ups/${body.id}`, { title: 'Rewritten by the auditor' }).expect(403);
    await as(auditorInL).post(`/follow-ups/${body.id}/complete`, { outcome: 'Done by the auditor' }).expect(403);
    expect((await as(t.legal).get(`/follow-ups/${body.id}`).expect(200)).body.allowedActions).toContain('complete');
    await createUser(app, t.admin, { username: 'nk.oig', roles: ['auditor'], clearance: 'SECRET', office: 'OIG' });
    const refused = await as(t.drafter).post('/follow-ups', { title: 'Ask OIG for the logs', owner: { office: 'OIG' }, dueOn: '2099-12-31' }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'owner.office', message: 'no one at OIG may work on it' }]);
  });

  it('withholds comments and reasons written while a draft stood above the reader, in GET, command answers and the inbox', async () => {
    const lowLegal = (await createUser(app, t.admin, { username: 'nk.lowlegal', roles: ['clearer'], office: 'L', clearance: 'UNCLASSIFIED' })).token;
    const { id: lowDrafterId, token: lowDrafter } = await createUser(app, t.admin, { username: 'nk.lowdrafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const { body: cable } = await as(lowDrafter).post('/cables', { ...secretNodis, captions: [], kind: 'INFORMATIONAL', demarche: undefined }).expect(201);
    await as(lowDrafter).post(`/cables/${cable.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await as(t.legal).post(`/cables/${cable.id}/clearances`, { office: 'L', decision: 'NON_CONCUR', comments: 'SECRET-COMMENT-CANARY' }).expect(200);
    await as(lowDrafter).delete(`/cables/${cable.id}/clearance-requests/L`).expect(200);
    await as(lowDrafter).post(`/cables/${cable.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await as(t.legal).post(`/cables/${cable.id}/clearances`, { office: 'L', decision: 'CLEARED_WITH_COMMENTS', comments: 'SECRET-CLEARED-CANARY' }).expect(200);
    await as(lowDrafter).post(`/cables/${cable.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${cable.id}/return`, { reason: 'SECRET-REASON-CANARY' }).expect(200);
    const edited = await as(lowDrafter).patch(`/cables/${cable.id}`, downgraded).expect(200);
    // The drafter, cleared for what was written, reads it all.
    expect(edited.text).toContain('SECRET-REASON-CANARY');
    // An L clearer cleared for UNCLASSIFIED now reads the cable, and answers for L, without any of it.
    const view = await as(lowLegal).get(`/cables/${cable.id}`).expect(200);
    expect(view.text).not.toMatch(/SECRET-(COMMENT|CLEARED|REASON)-CANARY/);
    expect(view.body.clearances[0]).toMatchObject({ office: 'L', comments: null, withheld: true });
    expect(view.body.returns).toEqual([{ at: expect.any(String), withheld: true }]);
    expect(view.body.withdrawals).toEqual([{ at: expect.any(String), withheld: true }]);
    const answered = await as(lowLegal).post(`/cables/${cable.id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    expect(answered.text).not.toMatch(/SECRET-(COMMENT|CLEARED|REASON)-CANARY/);
    // The drafter, since cleared only for UNCLASSIFIED, finds the return in the inbox without its reason.
    await as(t.admin).patch(`/users/${lowDrafterId}`, { clearance: 'UNCLASSIFIED' }).expect(200);
    const inbox = await as(lowDrafter).get('/inbox').expect(200);
    expect(inbox.text).not.toContain('SECRET-REASON-CANARY');
    expect(inbox.body.returned).toEqual([expect.objectContaining({ cableId: cable.id, reason: null, withheld: true })]);
  });

  it('withholds what a withdrawal carries, and what a replay would show, once the draft is marked down; a post reads no deliberation before release', async () => {
    const { id: writerId, token: writer } = await createUser(app, t.admin, { username: 'nk.writer', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const lowDesk = (await createUser(app, t.admin, { username: 'nk.lowdesk', roles: ['drafter'], office: 'EAP/CM', clearance: 'UNCLASSIFIED' })).token;
    const secret = { ...secretNodis, captions: [], kind: 'INFORMATIONAL', demarche: undefined, subject: 'Withdrawn later' };
    // Marked down before the withdrawal: the withdrawal event carries the SECRET-era comments.
    const { body: first } = await as(writer).post('/cables', secret).expect(201);
    await as(writer).post(`/cables/${first.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await as(t.legal).post(`/cables/${first.id}/clearances`, { office: 'L', decision: 'NON_CONCUR', comments: 'SECRET-NC-CANARY' }).expect(200);
    await as(writer).patch(`/cables/${first.id}`, downgraded).expect(200);
    await as(writer).delete(`/cables/${first.id}/clearance-requests/L`).expect(200);
    for (const path of [`/cables/${first.id}`, `/cables/${first.id}/history`]) expect((await as(lowDesk).get(path).expect(200)).text).not.toContain('SECRET-NC-CANARY');
    // Its writer, cleared to read them, reads them, and each read is audited at the marking they were written under.
    const auditedAt = async (read: request.Response) =>
      (await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadCable' AND request_id = $1`, [read.headers['x-request-id']]))[0]?.details.classification;
    for (const path of [`/cables/${first.id}`, `/cables/${first.id}/history`]) {
      const read = await as(writer).get(path).expect(200);
      expect(read.text).toContain('SECRET-NC-CANARY');
      expect({ path, audited: await auditedAt(read) }).toEqual({ path, audited: 'SECRET' });
    }

    // A replay of an answer whose own marking is low but which shows a SECRET-era reason.
    const { body: second } = await as(writer).post('/cables', { ...secret, subject: 'Returned then marked down' }).expect(201);
    await as(writer).post(`/cables/${second.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${second.id}/return`, { reason: 'SECRET-RETURN-CANARY' }).expect(200);
    const patch = () => request(app.getHttpServer()).patch(`/cables/${second.id}`).set('Authorization', `Bearer ${writer}`).set('Idempotency-Key', 'mark-down-once').send(downgraded);
    expect((await patch().expect(200)).text).toContain('SECRET-RETURN-CANARY');
    const reread = await as(writer).get(`/cables/${second.id}`).expect(200);
    expect(reread.text).toContain('SECRET-RETURN-CANARY');
    expect(await auditedAt(reread)).toBe('SECRET');
    await as(t.admin).patch(`/users/${writerId}`, { clearance: 'UNCLASSIFIED' }).expect(200);
    expect((await as(writer).get(`/cables/${second.id}`).expect(200)).text).not.toContain('SECRET-RETURN-CANARY');
    const replayed = await patch().expect(403);
    expect(replayed.text).not.toContain('SECRET-RETURN-CANARY');
    await as(t.admin).patch(`/users/${writerId}`, { clearance: 'SECRET' }).expect(200);
    for (const id of [first.id, second.id]) await as(writer).post(`/cables/${id}/cancel`, { reason: 'Out of the inboxes of the tests that follow' }).expect(200);

    // Beijing reads the released cable, not its drafting: returns, withdrawals and edits keep only their time.
    const { body: third } = await as(t.drafter).post('/cables', { ...secret, classification: 'CONFIDENTIAL', paragraphs: [{ marking: 'C', text: 'For Beijing.' }], subject: 'Worked, then sent' }).expect(201);
    await as(t.drafter).patch(`/cables/${third.id}`, { subject: 'Worked, then sent to Beijing' }).expect(200);
    await as(t.drafter).post(`/cables/${third.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${third.id}/return`, { reason: 'DRAFTING-ERA-REASON' }).expect(200);
    await as(t.drafter).post(`/cables/${third.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${third.id}/approve`).expect(200);
    await as(t.approver).post(`/cables/${third.id}/release`).expect(200);
    const seen = await as(t.beijing).get(`/cables/${third.id}`).expect(200);
    expect(seen.text).not.toContain('DRAFTING-ERA-REASON');
    expect(seen.body.returns).toEqual([{ at: expect.any(String), withheld: true }]);
    expect(seen.body.edits).toEqual([{ at: expect.any(String), withheld: true }]);
    expect((await as(t.drafter).get(`/cables/${third.id}`).expect(200)).body.returns[0]).toMatchObject({ reason: 'DRAFTING-ERA-REASON' });
  });

  it('widens nothing by a REF: only the desk whose tasking a post answers reads the answer, never for NODIS or EXDIS; an unreadable REF is refused as a missing one', async () => {
    const tasking = { ...secretNodis, subject: 'Tasking', classification: 'CONFIDENTIAL', captions: [], paragraphs: [{ marking: 'C', text: 'Tasking text.' }], actionAddressees: ['BEIJING'] };
    const taskingId = (await as(t.drafter).post('/cables', tasking).expect(201)).body.id;
    await as(t.drafter).post(`/cables/${taskingId}/submit`).expect(200);
    await as(t.approver).post(`/cables/${taskingId}/approve`).expect(200);
    const taskingMrn = (await as(t.approver).post(`/cables/${taskingId}/release`).expect(200)).body.mrn;
    const otherDesk = (await createUser(app, t.admin, { username: 'nk.eur', roles: ['drafter'], office: 'EUR/WE', clearance: 'SECRET' })).token;
    const toParis = { ...tasking, kind: 'INFORMATIONAL', demarche: undefined, subject: 'For Paris only', actionAddressees: ['PARIS'] };
    const parisId = (await as(otherDesk).post('/cables', toParis).expect(201)).body.id;
    await as(otherDesk).post(`/cables/${parisId}/submit`).expect(200);
    await as(t.approver).post(`/cables/${parisId}/approve`).expect(200);
    const parisMrn = (await as(t.approver).post(`/cables/${parisId}/release`).expect(200)).body.mrn;
    const beijingApprover = (await createUser(app, t.admin, { username: 'nk.bjamb', roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const reply = (refs: string[], extra: object = {}) => ({
      kind: 'REPORTING', subject: 'Reply', classification: 'CONFIDENTIAL', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'], actionAddressees: ['SECSTATE'],
      references: refs.map((mrn, i) => ({ label: String.fromCharCode(65 + i), mrn })), paragraphs: [{ marking: 'C', text: 'What the ministry said.' }],
      classifiedBy: { name: 'Pat Lee', title: 'Political Officer', office: 'POL', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' }, ...extra,
    });
    // Beijing may not read Paris's cable: citing it is refused exactly as citing one that does not exist.
    const unreadable = await as(t.beijing).post('/cables', reply([parisMrn])).expect(422);
    const missing = await as(t.beijing).post('/cables', reply(['26 STATE 999999'])).expect(422);
    expect(unreadable.body.detail.replace(parisMrn, 'MRN')).toBe(missing.body.detail.replace('26 STATE 999999', 'MRN'));
    const release = async (body: object) => {
      const id = (await as(t.beijing).post('/cables', body).expect(201)).body.id;
      await as(t.beijing).post(`/cables/${id}/submit`).expect(200);
      await as(beijingApprover).post(`/cables/${id}/approve`).expect(200);
      await as(beijingApprover).post(`/cables/${id}/release`).expect(200);
      return id;
    };
    const answer = await release(reply([taskingMrn]));
    const nodisAnswer = await release(reply([taskingMrn], { classification: 'SECRET', captions: ['NODIS'], paragraphs: [{ marking: 'S', text: 'Close hold.' }] }));
    await as(t.drafter).get(`/cables/${answer}`).expect(200);
    await as(t.drafter).get(`/cables/${nodisAnswer}`).expect(403);
    // A NODIS tasking's desk reads the NODIS answers to it.
    const nodisTaskingId = (await as(t.drafter).post('/cables', { ...tasking, subject: 'Close-hold tasking', classification: 'SECRET', captions: ['NODIS'], paragraphs: [{ marking: 'S', text: 'Close hold.' }] }).expect(201)).body.id;
    await as(t.drafter).post(`/cables/${nodisTaskingId}/submit`).expect(200);
    await as(t.approver).post(`/cables/${nodisTaskingId}/approve`).expect(200);
    const nodisTaskingMrn = (await as(t.approver).post(`/cables/${nodisTaskingId}/release`).expect(200)).body.mrn;
    const closeHoldAnswer = await release(reply([nodisTaskingMrn], { classification: 'SECRET', captions: ['NODIS'], paragraphs: [{ marking: 'S', text: 'Close hold answer.' }] }));
    await as(t.drafter).get(`/cables/${closeHoldAnswer}`).expect(200);
    await as(otherDesk).get(`/cables/${closeHoldAnswer}`).expect(403);
    await as(t.leader).get(`/cables/${nodisAnswer}`).expect(200);
    await as(otherDesk).get(`/cables/${answer}`).expect(403);
    const listed = await as(t.drafter).get(`/cables?ref=${encodeURIComponent(taskingMrn)}`).expect(200);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([answer]);

    // The desk is in the Department: its drafter, moved to a post since, is that post's people.
    const desk = await createUser(app, t.admin, { username: 'nk.deskmover', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const movedTaskingId = (await as(desk.token).post('/cables', { ...tasking, subject: 'Tasking of a desk that moves' }).expect(201)).body.id;
    await as(desk.token).post(`/cables/${movedTaskingId}/submit`).expect(200);
    await as(t.approver).post(`/cables/${movedTaskingId}/approve`).expect(200);
    const movedTaskingMrn = (await as(t.approver).post(`/cables/${movedTaskingId}/release`).expect(200)).body.mrn;
    const movedAnswer = await release(reply([movedTaskingMrn]));
    await as(desk.token).get(`/cables/${movedAnswer}`).expect(200);
    await as(t.admin).patch(`/users/${desk.id}`, { roles: ['post_officer'], office: null, postCode: 'TOKYO' }).expect(200);
    for (const path of [`/cables/${movedAnswer}`, `/cables/${movedAnswer}/telegram`]) await as(desk.token).get(path).expect(403);
    expect((await as(desk.token).get(`/cables?ref=${encodeURIComponent(movedTaskingMrn)}`).expect(200)).body.items).toEqual([]);

    // A follow-up on Beijing's draft reply to the campaign is Beijing's to read and work (written on
    // that draft, it is read as the draft is; the campaign, opened by a release, as it is).
    await awaitCampaign(app, t.beijing, taskingId);
    const draftReply = (await as(t.beijing).post('/cables', reply([taskingMrn], { subject: 'Draft reply' })).expect(201)).body.id;
    const onReply = (await as(t.beijing).post('/follow-ups', { title: 'Chase the ministry', owner: { post: 'BEIJING' }, dueOn: '2099-01-01', demarcheId: taskingId, post: 'BEIJING', cableId: draftReply }).expect(201)).body;
    expect(onReply.history[0].data).toMatchObject({ writtenUnderDraft: true });
    await as(t.beijing).get(`/follow-ups/${onReply.id}`).expect(200);
    await as(beijingApprover).get(`/follow-ups/${onReply.id}`).expect(200);
    await as(t.beijing).post(`/follow-ups/${onReply.id}/comments`, { text: 'Called again.' }).expect(201);
    await as(t.drafter).get(`/follow-ups/${onReply.id}`).expect(403); // the draft is Beijing's
  });

  it('replays an Idempotency-Key answer only to a caller who may still read it, and audits the replay as a read', async () => {
    const { id: l2, token: clearerToken } = await createUser(app, t.admin, { username: 'nk.l2', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    const { body: cable } = await as(t.drafter).post('/cables', { ...secretNodis, captions: [], kind: 'INFORMATIONAL', demarche: undefined, subject: 'Replay me' }).expect(201);
    await as(t.drafter).post(`/cables/${cable.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const send = () => request(app.getHttpServer()).post(`/cables/${cable.id}/clearances`).set('Authorization', `Bearer ${clearerToken}`).set('Idempotency-Key', 'replay-after-lowering')
      .send({ office: 'L', decision: 'CLEARED' });
    const first = await send().expect(200);
    expect(first.text).toContain('SECRET-TEXT-CANARY');
    // Still cleared: the same answer again, read again.
    const again = await send().expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const [read] = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadCable' AND actor_id = $1 ORDER BY position DESC LIMIT 1`, [l2]);
    expect(read.details).toMatchObject({ view: 'replayed answer', classification: 'SECRET' });
    // Marked down, and the clearer cleared lower: the cable now is theirs to read, the SECRET answer is not.
    await as(t.drafter).patch(`/cables/${cable.id}`, downgraded).expect(200);
    await as(t.admin).patch(`/users/${l2}`, { clearance: 'UNCLASSIFIED' }).expect(200);
    await as(clearerToken).get(`/cables/${cable.id}`).expect(200);
    const refused = await send().expect(403);
    expect(refused.text).not.toMatch(/SECRET-(TEXT|SUBJECT)-CANARY/);
    expect(refused.body.detail).toBe('Not allowed.');
    const [denied] = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'AccessDenied' AND actor_id = $1 ORDER BY position DESC LIMIT 1`, [l2]);
    expect(JSON.stringify(denied.details)).toMatch(/replayed is SECRET/);
    await as(t.drafter).post(`/cables/${cable.id}/cancel`, { reason: 'Out of the inboxes of the tests that follow' }).expect(200);
  });

  it('replays an answer only to a caller who stands as they stood and may read its record now: not after a move, nor once a created follow-up is out of reach', async () => {
    const mover = await createUser(app, t.admin, { username: 'nk.replaymover', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const draft = (await as(mover.token).post('/cables', { ...secretNodis, captions: [], actionAddressees: ['BEIJING', 'TOKYO'], subject: 'Replayed after a move' }).expect(201)).body;
    const create = (token: string, key: string, title: string) => request(app.getHttpServer()).post('/follow-ups').set('Authorization', `Bearer ${token}`).set('Idempotency-Key', key)
      .send({ title, owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', cableId: draft.id });
    const first = await create(mover.token, 'replay-after-move', 'REPLAY-DELIBERATION-CANARY').expect(201);
    expect((await create(mover.token, 'replay-after-move', 'REPLAY-DELIBERATION-CANARY').expect(201)).headers['idempotent-replayed']).toBe('true');
    // A clearer of an office asked writes one; the request is withdrawn: the office no longer reads
    // the draft, nor what was written on it, and the replay is refused though they stand as they stood.
    await as(mover.token).post(`/cables/${draft.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await create(t.drafterClearer, 'replay-after-withdrawal', 'LEGAL-DELIBERATION-CANARY').expect(201);
    await as(mover.token).delete(`/cables/${draft.id}/clearance-requests/L`).expect(200);
    const withdrawn = await create(t.drafterClearer, 'replay-after-withdrawal', 'LEGAL-DELIBERATION-CANARY').expect(403);
    expect(withdrawn.text).not.toContain('LEGAL-DELIBERATION-CANARY');
    // Released to Beijing, and the drafter moved to Beijing: Beijing's people read neither the
    // follow-up written on the draft nor its replay.
    await as(mover.token).post(`/cables/${draft.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${draft.id}/approve`).expect(200);
    await as(t.approver).post(`/cables/${draft.id}/release`).expect(200);
    await as(t.admin).patch(`/users/${mover.id}`, { roles: ['post_officer'], office: null, postCode: 'BEIJING' }).expect(200);
    await as(mover.token).get(`/follow-ups/${first.body.id}`).expect(403);
    const replayed = await create(mover.token, 'replay-after-move', 'REPLAY-DELIBERATION-CANARY').expect(403);
    expect(replayed.text).not.toContain('REPLAY-DELIBERATION-CANARY');
    expect(replayed.body.detail).toBe('Not allowed.');
    // A post's command answer, replayed after its officer moved to another post: refused whatever it holds.
    await awaitDelivery(app, t.beijing, draft.id, 'BEIJING');
    const officer = await createUser(app, t.admin, { username: 'nk.replayofficer', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' });
    const deliver = () => request(app.getHttpServer()).post(`/demarches/${draft.id}/deliveries/BEIJING/delivery`).set('Authorization', `Bearer ${officer.token}`).set('Idempotency-Key', 'replay-delivery')
      .send({ deliveredOn: new Date().toISOString().slice(0, 10), counterpart: { name: 'Wang', title: 'Director-General', organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON' });
    await deliver().expect(201);
    // Replayed while they stand as they stood: the answer (the delivery, which carries no marking of
    // its own) is audited as a read of its campaign at the campaign's marking, as a GET of it is.
    expect((await deliver().expect(201)).headers['idempotent-replayed']).toBe('true');
    const [replayRead] = await dataSource.query(`SELECT action, stream_id, details FROM audit_log WHERE actor_id = $1 ORDER BY position DESC LIMIT 1`, [officer.id]);
    expect(replayRead).toMatchObject({ action: 'ReadCampaign', stream_id: `campaign-${draft.id}`, details: { view: 'replayed answer', classification: 'SECRET' } });
    // Once: the replay is one read.
    const [{ reads }] = await dataSource.query(`SELECT count(*)::int AS reads FROM audit_log WHERE actor_id = $1 AND details->>'view' = 'replayed answer'`, [officer.id]);
    expect(reads).toBe(1);
    await as(t.admin).patch(`/users/${officer.id}`, { postCode: 'TOKYO' }).expect(200);
    await deliver().expect(403);
    const [denied] = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'AccessDenied' AND actor_id = $1 ORDER BY position DESC LIMIT 1`, [officer.id]);
    expect(JSON.stringify(denied.details)).toMatch(/roles, office, post or clearance changed/);
  });

  it('lets nobody clear their own cable', async () => {
    const { body } = await as(t.drafterClearer).post('/cables', { ...secretNodis, captions: [], classifiedBy: { ...secretNodis.classifiedBy, office: 'L' } }).expect(201);
    await as(t.drafterClearer).post(`/cables/${body.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const own = await as(t.drafterClearer).post(`/cables/${body.id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(403);
    expect(own.body.detail).toMatch(/their own cable/);
    expect((await as(t.drafterClearer).get('/inbox').expect(200)).body.toClear).toEqual([]);
    // A clearer of an office asked may also edit ("clear with edits").
    expect((await as(t.legal).get(`/cables/${body.id}`).expect(200)).body.allowedActions).toEqual(['edit', 'clear']);
    await as(t.legal).post(`/cables/${body.id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
  });

  it('reads follow-ups under what they are linked to, and refuses a link to the unreadable like one to nothing', async () => {
    const nodis = await as(t.drafter).post('/cables', { ...secretNodis, subject: 'NODIS campaign' }).expect(201);
    const linked = await as(t.drafter).post('/follow-ups', { title: 'FOLLOW-UP-CANARY', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', cableId: nodis.body.id, classification: 'CONFIDENTIAL' }).expect(201);
    // Its own classification is CONFIDENTIAL; linked to a SECRET NODIS cable, it is answered as it is read: SECRET, NODIS.
    expect(linked.body).toMatchObject({ classification: 'SECRET', captions: ['NODIS'] });
    const listedByLeader = await as(t.leader).get('/follow-ups?limit=500').expect(200);
    expect(listedByLeader.body.items.find((f: { id: string }) => f.id === linked.body.id)).toMatchObject({ classification: 'SECRET', captions: ['NODIS'] });
    for (const who of [t.tokyo, t.beijing]) {
      const list = await as(who).get('/follow-ups?limit=500').expect(200);
      expect(list.text).not.toContain('FOLLOW-UP-CANARY');
      await as(who).get(`/follow-ups/${linked.body.id}`).expect(403);
      await as(who).post(`/follow-ups/${linked.body.id}/comments`, { text: 'hello' }).expect(403);
    }
    const exported = await request(app.getHttpServer()).get('/follow-ups/export.csv').set('Authorization', `Bearer ${t.leader}`).expect(200);
    expect(exported.text).toContain('FOLLOW-UP-CANARY');
    // The export is audited as such, not as a look at the list.
    const [exportRead] = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadClassifiedList' AND request_id = $1`, [exported.headers['x-request-id']]);
    expect(exportRead.details).toMatchObject({ view: 'follow-ups export', classification: 'SECRET', records: expect.arrayContaining([`followup-${linked.body.id}`]) });
    const unreadable = await as(t.tokyo).post('/follow-ups', { title: 'x', owner: { post: 'TOKYO' }, dueOn: '2099-01-01', cableId: nodis.body.id }).expect(422);
    const missing = await as(t.tokyo).post('/follow-ups', { title: 'x', owner: { post: 'TOKYO' }, dueOn: '2099-01-01', cableId: '00000000-0000-4000-8000-000000000000' }).expect(422);
    expect(unreadable.body.errors).toEqual(missing.body.errors);
  });

  it('leaves a classified follow-up linked to nothing to its owner, its creator and leadership; given a new owner, the old one stops reading it', async () => {
    const colleague = (await createUser(app, t.admin, { username: 'nk.cm', roles: ['drafter'], clearance: 'SECRET', office: 'EAP/CM' })).token;
    const created = await as(t.drafter).post('/follow-ups', { title: 'UNLINKED-SECRET-CANARY', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', classification: 'SECRET' }).expect(201);
    const id = created.body.id as string;
    const reads = async (who: string) => {
      const one = await as(who).get(`/follow-ups/${id}`);
      const listed = (await as(who).get('/follow-ups?limit=500').expect(200)).text.includes('UNLINKED-SECRET-CANARY');
      expect({ listed }).toEqual({ listed: one.status === 200 });
      if (one.status === 403) expect(one.text).not.toContain('UNLINKED-SECRET-CANARY');
      return one.status;
    };
    // Cleared for SECRET and more, but neither its owner, its creator nor leadership: nothing of it.
    for (const who of [t.drafterClearer, t.legal, t.tokyo, t.berlin, t.beijing]) expect(await reads(who)).toBe(403);
    await as(t.tokyo).post(`/follow-ups/${id}/comments`, { text: 'hello' }).expect(403);
    expect((await request(app.getHttpServer()).get('/follow-ups/export.csv').set('Authorization', `Bearer ${t.drafterClearer}`).expect(200)).text).not.toContain('UNLINKED-SECRET-CANARY');
    for (const who of [t.drafter, colleague, t.leader]) expect(await reads(who)).toBe(200);
    // Given to Beijing: its officers read it, the office that owned it no longer does (its creator still does).
    await as(t.drafter).patch(`/follow-ups/${id}`, { owner: { post: 'BEIJING' } }).expect(200);
    expect(await reads(t.beijing)).toBe(200);
    expect(await reads(colleague)).toBe(403);
    expect(await reads(t.drafter)).toBe(200);
    expect(await reads(t.lowBeijing)).toBe(403); // clearance bounds it still
    // One of the owning office who gives it away is answered as they may read it after: its id and version only.
    const second = await as(t.drafter).post('/follow-ups', { title: 'UNLINKED-HANDED-CANARY', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', classification: 'SECRET' }).expect(201);
    const handed = await as(colleague).patch(`/follow-ups/${second.body.id}`, { owner: { post: 'BEIJING' } }).expect(200);
    expect(handed.text).not.toContain('UNLINKED-HANDED-CANARY');
    expect(handed.body).toEqual({ id: second.body.id, version: 2 });
    // Unclassified and linked to nothing: any user.
    const open = await as(t.drafter).post('/follow-ups', { title: 'Unlinked and unclassified', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201);
    for (const who of [t.tokyo, t.legal]) await as(who).get(`/follow-ups/${open.body.id}`).expect(200);
  });

  it('keeps a follow-up written about a SECRET draft SECRET when the draft is edited down', async () => {
    const lowLeader = (await createUser(app, t.admin, { username: 'nk.lowleader', roles: ['leadership'], office: 'S', clearance: 'CONFIDENTIAL' })).token;
    const secretDraft = await as(t.drafter).post('/cables', { ...secretNodis, captions: [], subject: 'Draft to mark down' }).expect(201);
    const followUp = await as(t.drafter).post('/follow-ups', { title: 'SECRET-ERA-FOLLOW-UP', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', cableId: secretDraft.body.id }).expect(201);
    expect(followUp.body.classification).toBe('SECRET');
    await as(lowLeader).get(`/follow-ups/${followUp.body.id}`).expect(403);
    await as(t.drafter).patch(`/cables/${secretDraft.body.id}`, { ...downgraded, classification: 'CONFIDENTIAL', paragraphs: [{ marking: 'C', text: 'Marked down.' }], classifiedBy: secretNodis.classifiedBy }).expect(200);
    await as(lowLeader).get(`/cables/${secretDraft.body.id}`).expect(200);
    for (const path of [`/follow-ups/${followUp.body.id}`, `/follow-ups/${followUp.body.id}?version=1`]) await as(lowLeader).get(path).expect(403);
    for (const path of ['/follow-ups?limit=500', '/follow-ups/export.csv', '/dashboard']) expect((await as(lowLeader).get(path).expect(200)).text).not.toContain('SECRET-ERA-FOLLOW-UP');
  });

  it('raises a follow-up to a linked draft marked up since, when text is written on it, so that text stays protected when the draft is marked down again', async () => {
    const lowLeader = (await createUser(app, t.admin, { username: 'nk.lowleader2', roles: ['leadership'], office: 'S', clearance: 'CONFIDENTIAL' })).token;
    const draft = await as(t.drafter).post('/cables', { ...secretNodis, ...downgraded, captions: [], subject: 'Draft marked up and down' }).expect(201);
    const followUp = await as(t.drafter).post('/follow-ups', { title: 'Unclassified task', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', cableId: draft.body.id }).expect(201);
    expect(followUp.body.classification).toBe('UNCLASSIFIED');
    const secret = { ...downgraded, classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'Now secret.' }], classifiedBy: secretNodis.classifiedBy };
    await as(t.drafter).patch(`/cables/${draft.body.id}`, secret).expect(200);
    // No text of its own: starting it, or sending its title again, leaves its marking as it is.
    expect((await as(t.drafter).post(`/follow-ups/${followUp.body.id}/start`, {}).expect(201)).body).toMatchObject({ version: 2 });
    expect((await as(t.drafter).patch(`/follow-ups/${followUp.body.id}`, { title: ' Unclassified task ' }).expect(200)).body).toMatchObject({ version: 2 });
    expect((await dataSource.query('SELECT classification FROM follow_ups WHERE id = $1', [followUp.body.id]))[0].classification).toBe('UNCLASSIFIED');
    const commented = await as(t.drafter).post(`/follow-ups/${followUp.body.id}/comments`, { text: 'SECRET-ERA-COMMENT' }).expect(201);
    expect(commented.body.classification).toBe('SECRET');
    expect(commented.body.history.map((e: { type: string }) => e.type).slice(-2)).toEqual(['FollowUpClassificationRaised', 'FollowUpCommented']);
    expect(commented.body.history.at(-2).data).toMatchObject({ classification: 'SECRET', previous: 'UNCLASSIFIED' });
    await as(t.drafter).patch(`/cables/${draft.body.id}`, downgraded).expect(200);
    await as(lowLeader).get(`/cables/${draft.body.id}`).expect(200);
    for (const path of [`/follow-ups/${followUp.body.id}`, `/follow-ups/${followUp.body.id}?version=1`]) await as(lowLeader).get(path).expect(403);
    for (const path of ['/follow-ups?limit=500', '/follow-ups/export.csv', '/dashboard', '/inbox']) expect((await as(lowLeader).get(path).expect(200)).text).not.toContain(followUp.body.id);
    expect((await as(t.leader).get(`/follow-ups/${followUp.body.id}`).expect(200)).body).toMatchObject({ classification: 'SECRET', comments: [{ text: 'SECRET-ERA-COMMENT' }] });
  });

  it('raises a follow-up to the marking its author gives the text, up to what it or its links have stood at, so that a comment written while a linked draft stood higher stays protected when the draft is marked down before it arrives', async () => {
    const lowLeader = (await createUser(app, t.admin, { username: 'nk.lowleader4', roles: ['leadership'], office: 'S', clearance: 'CONFIDENTIAL' })).token;
    const lowDesk = (await createUser(app, t.admin, { username: 'nk.lowdesk4', roles: ['drafter'], office: 'EAP/CM', clearance: 'CONFIDENTIAL' })).token;
    const secret = { ...downgraded, classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'Now secret.' }], classifiedBy: secretNodis.classifiedBy };
    const draft = await as(t.drafter).post('/cables', { ...secretNodis, ...downgraded, captions: [], subject: 'Draft marked down mid-comment' }).expect(201);
    const followUp = (await as(t.drafter).post('/follow-ups', { title: 'Task on a moving draft', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', cableId: draft.body.id }).expect(201)).body;
    await as(t.drafter).patch(`/cables/${draft.body.id}`, secret).expect(200);
    // The author reads it SECRET and writes; meanwhile the draft is marked down.
    const shown = (await as(t.drafter).get(`/follow-ups/${followUp.id}`).expect(200)).body;
    expect(shown.classification).toBe('SECRET');
    await as(t.drafter).patch(`/cables/${draft.body.id}`, downgraded).expect(200);
    // Above the author's clearance, a marking is refused, and nothing is written.
    const tooHigh = await as(t.drafter).post(`/follow-ups/${followUp.id}/comments`, { text: 'x', classification: 'TOP_SECRET' }).expect(422);
    expect(tooHigh.body.errors).toEqual([{ field: 'classification', message: 'above your clearance' }]);
    const commented = await as(t.drafter).post(`/follow-ups/${followUp.id}/comments`, { text: 'MARKED-DOWN-RACE-COMMENT', classification: shown.classification }).expect(201);
    expect(commented.body).toMatchObject({ version: 3, classification: 'SECRET' });
    expect(commented.body.history.map((e: { type: string }) => e.type).slice(-2)).toEqual(['FollowUpClassificationRaised', 'FollowUpCommented']);
    await as(lowLeader).get(`/cables/${draft.body.id}`).expect(200);
    await as(lowLeader).get(`/follow-ups/${followUp.id}`).expect(403);
    for (const path of ['/follow-ups?limit=500', '/follow-ups/export.csv', '/dashboard']) expect((await as(lowLeader).get(path).expect(200)).text).not.toContain('MARKED-DOWN-RACE-COMMENT');

    // No one of those who may change it can raise it beyond what it or its links have stood at since
    // it was created (out of the others' reach), nor above their own clearance; a marking marks text.
    const topSecret = (await createUser(app, t.admin, { username: 'nk.ts4', roles: ['drafter'], office: 'EAP/CM', clearance: 'TOP_SECRET' })).token;
    const beyond = await as(topSecret).post(`/follow-ups/${followUp.id}/comments`, { text: 'z', classification: 'TOP_SECRET' }).expect(422);
    expect(beyond.body.errors).toEqual([{ field: 'classification', message: 'above SECRET' }]);
    const other = (await as(t.drafter).post('/follow-ups', { title: 'Plain task', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201)).body;
    const noText = await as(t.drafter).patch(`/follow-ups/${other.id}`, { classification: 'UNCLASSIFIED' }).expect(422);
    expect(noText.body.errors).toEqual([{ field: 'classification', message: 'marks no text' }]);
    const unlinked = await as(t.drafter).patch(`/follow-ups/${other.id}`, { title: 'Plain task, retitled', classification: 'CONFIDENTIAL' }).expect(422);
    expect(unlinked.body.errors).toEqual([{ field: 'classification', message: 'above UNCLASSIFIED' }]);
    await as(lowDesk).post(`/follow-ups/${other.id}/comments`, { text: 'y', classification: 'SECRET' }).expect(422);
    await as(t.drafter).patch(`/follow-ups/${other.id}`, { classification: null }).expect(400);
    expect((await as(t.drafter).get(`/follow-ups/${other.id}`).expect(200)).body).toMatchObject({ version: 1, title: 'Plain task', comments: [] });
    // A lower marking than the follow-up's changes nothing: never lowered.
    const lower = await as(t.drafter).post(`/follow-ups/${followUp.id}/comments`, { text: 'Noted.', classification: 'UNCLASSIFIED' }).expect(201);
    expect(lower.body).toMatchObject({ version: 4, classification: 'SECRET' });
  });

  it('raises, once, at start, follow-ups whose text an earlier version wrote under a linked draft marked higher than them', async () => {
    const lowLeader = (await createUser(app, t.admin, { username: 'nk.lowleader3', roles: ['leadership'], office: 'S', clearance: 'CONFIDENTIAL' })).token;
    const secret = { ...downgraded, classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'Now secret.' }], classifiedBy: secretNodis.classifiedBy };
    const draft = (await as(t.drafter).post('/cables', { ...secretNodis, ...downgraded, captions: [], subject: 'Draft of an earlier version' }).expect(201)).body;
    const commentedOn = (await as(t.drafter).post('/follow-ups', { title: 'Commented on under SECRET', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', cableId: draft.id }).expect(201)).body;
    await as(t.drafter).patch(`/cables/${draft.id}`, secret).expect(200);
    // What versions without the rule did: text written, and a follow-up created, with no raise.
    const followUps = app.get(AggregateRepositoryFactory).for(followUpDefinition);
    const drafter = { id: (await as(t.drafter).get('/auth/me').expect(200)).body.id, username: 'nk.drafter', roles: ['drafter'], office: 'EAP/CM', postCode: null, clearance: 'SECRET' } as const;
    const at = new Date().toISOString();
    await followUps.update(systemContext('earlier-version'), 'CommentOnFollowUp', commentedOn.id, async (f) => f.comment(drafter, 'SECRET-ERA-LEGACY-COMMENT', at), () => undefined);
    const createdId = randomUUID();
    await followUps.create(systemContext('earlier-version'), 'CreateFollowUp', () =>
      FollowUp.create(createdId, { title: 'SECRET-ERA-LEGACY-TITLE', description: '', owner: { office: 'EAP/CM' }, ownerBureau: 'EAP', dueOn: '2099-01-01', links: { demarcheId: null, post: null, cableId: draft.id } }, drafter, at), () => undefined);
    await as(t.drafter).patch(`/cables/${draft.id}`, downgraded).expect(200);
    for (const id of [commentedOn.id, createdId]) await as(lowLeader).get(`/follow-ups/${id}`).expect(200); // the hole an earlier version left

    await app.get(FollowUpMarkingRepair).whenDone(); // the run the start began, on no such data
    expect(await dataSource.query(`SELECT name, changed FROM data_repairs WHERE name = 'follow-up-markings'`)).toEqual([{ name: 'follow-up-markings', changed: 0 }]);
    await dataSource.query(`DELETE FROM data_repairs WHERE name = 'follow-up-markings'`);
    expect(await app.get(FollowUpMarkingRepair).run()).toBe(2);
    for (const id of [commentedOn.id, createdId]) {
      await as(lowLeader).get(`/follow-ups/${id}`).expect(403);
      const read = (await as(t.leader).get(`/follow-ups/${id}`).expect(200)).body;
      expect(read.history.at(-1)).toMatchObject({ type: 'FollowUpClassificationRaised', actor: 'system', data: { classification: 'SECRET', previous: 'UNCLASSIFIED' } });
    }
    const audited = await dataSource.query(`SELECT actor_id, action FROM audit_log WHERE request_id = 'follow-up-markings' ORDER BY position`);
    expect(audited).toEqual([{ actor_id: 'system', action: 'RaiseFollowUpClassification' }, { actor_id: 'system', action: 'RaiseFollowUpClassification' }]);
    // Once: a restart does not run it again.
    expect(await app.get(FollowUpMarkingRepair).run()).toBe(0);
    expect(await dataSource.query(`SELECT name, changed FROM data_repairs WHERE name = 'follow-up-markings'`)).toEqual([{ name: 'follow-up-markings', changed: 2 }]);
  });

  it('reads a follow-up written on a draft as the draft is read, after its release too: the posts it went to read what was written since, not the deliberation before', async () => {
    const draft = (await as(t.drafter).post('/cables', { ...secretNodis, captions: [], subject: 'Draft with a deliberation' }).expect(201)).body;
    const deliberation = (await as(t.drafter).post('/follow-ups', { title: 'DRAFT-DELIBERATION-CANARY', description: 'whether to soften para 2', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', cableId: draft.id }).expect(201)).body;
    await as(t.drafter).post(`/follow-ups/${deliberation.id}/comments`, { text: 'DRAFT-COMMENT-CANARY' }).expect(201);
    await as(t.drafter).post(`/cables/${draft.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${draft.id}/approve`).expect(200);
    await as(t.approver).post(`/cables/${draft.id}/release`).expect(200);
    const since = (await as(t.drafter).post('/follow-ups', { title: 'AFTER-RELEASE-CANARY', owner: { post: 'BEIJING' }, dueOn: '2099-01-01', cableId: draft.id }).expect(201)).body;

    // Beijing reads the released cable and what was written on it since, on every path; not the deliberation.
    await as(t.beijing).get(`/cables/${draft.id}`).expect(200);
    await as(t.beijing).get(`/follow-ups/${since.id}`).expect(200);
    for (const path of [`/follow-ups/${deliberation.id}`, `/follow-ups/${deliberation.id}?version=1`]) await as(t.beijing).get(path).expect(403);
    await as(t.beijing).post(`/follow-ups/${deliberation.id}/comments`, { text: 'x' }).expect(403);
    const listed = await as(t.beijing).get('/follow-ups?limit=500').expect(200);
    expect(listed.text).toContain('AFTER-RELEASE-CANARY');
    for (const path of ['/follow-ups?limit=500', '/inbox', `/follow-ups?demarcheId=${draft.id}`]) {
      expect({ path, text: (await as(t.beijing).get(path).expect(200)).text }).not.toEqual({ path, text: expect.stringMatching(/DRAFT-(DELIBERATION|COMMENT)-CANARY/) });
    }
    // The working party reads it as before; its history says why the posts do not.
    const read = (await as(t.leader).get(`/follow-ups/${deliberation.id}`).expect(200)).body;
    expect(read).toMatchObject({ title: 'DRAFT-DELIBERATION-CANARY', comments: [{ text: 'DRAFT-COMMENT-CANARY' }] });
    expect(read.history[0]).toMatchObject({ type: 'FollowUpCreated', data: { writtenUnderDraft: true } });
    expect(since.history[0].data).not.toHaveProperty('writtenUnderDraft');
    // Nor can it be handed to the posts: no one there may read it.
    const handed = await as(t.drafter).patch(`/follow-ups/${deliberation.id}`, { owner: { post: 'BEIJING' } }).expect(422);
    expect(handed.body.errors).toEqual([{ field: 'owner.post', message: 'no one at BEIJING may read it' }]);
  });

  it('records, once, at start, follow-ups an earlier version created on a draft as written under it, so the posts it went to stop reading them', async () => {
    const draft = (await as(t.drafter).post('/cables', { ...secretNodis, captions: [], subject: 'Draft of an earlier version, released' }).expect(201)).body;
    const followUps = app.get(AggregateRepositoryFactory).for(followUpDefinition);
    const drafter = { id: (await as(t.drafter).get('/auth/me').expect(200)).body.id, username: 'nk.drafter', roles: ['drafter'], office: 'EAP/CM', postCode: null, clearance: 'SECRET' } as const;
    // What versions without the rule did: created on the draft, recording nothing of it.
    const legacyId = randomUUID();
    await followUps.create(systemContext('earlier-version'), 'CreateFollowUp', () =>
      FollowUp.create(legacyId, { title: 'LEGACY-DELIBERATION', description: '', owner: { office: 'EAP/CM' }, ownerBureau: 'EAP', dueOn: '2099-01-01', links: { demarcheId: null, post: null, cableId: draft.id } }, drafter, new Date().toISOString()), () => undefined);
    await as(t.drafter).post(`/cables/${draft.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${draft.id}/approve`).expect(200);
    await as(t.approver).post(`/cables/${draft.id}/release`).expect(200);
    const since = (await as(t.drafter).post('/follow-ups', { title: 'Written after release', owner: { post: 'BEIJING' }, dueOn: '2099-01-01', cableId: draft.id }).expect(201)).body;
    await as(t.beijing).get(`/follow-ups/${legacyId}`).expect(200); // the hole an earlier version left

    const repair = app.get(FollowUpDraftTextRepair);
    await repair.whenDone(); // the run the start began, on no such data
    expect(await dataSource.query(`SELECT changed FROM data_repairs WHERE name = 'follow-up-draft-text'`)).toEqual([{ changed: 0 }]);
    await dataSource.query(`DELETE FROM data_repairs WHERE name = 'follow-up-draft-text'`);
    const repaired = await repair.run();
    expect(repaired).toBeGreaterThanOrEqual(1); // others of this file's earlier-version follow-ups too
    await as(t.beijing).get(`/follow-ups/${legacyId}`).expect(403);
    expect((await as(t.beijing).get('/follow-ups?limit=500').expect(200)).text).not.toContain('LEGACY-DELIBERATION');
    await as(t.beijing).get(`/follow-ups/${since.id}`).expect(200);
    const read = (await as(t.leader).get(`/follow-ups/${legacyId}`).expect(200)).body;
    expect(read.history.at(-1)).toMatchObject({ type: 'FollowUpWrittenUnderDraft', actor: 'system', data: { cableId: draft.id } });
    const audited = await dataSource.query(`SELECT actor_id, action FROM audit_log WHERE request_id = 'follow-up-draft-text'`);
    expect(audited).toHaveLength(repaired);
    expect(audited[0]).toEqual({ actor_id: 'system', action: 'RecordFollowUpWrittenUnderDraft' });
    // Once: a restart does not run it again; the read table has it.
    expect(await repair.run()).toBe(0);
    expect(await dataSource.query(`SELECT written_under_draft FROM follow_ups WHERE id = $1`, [legacyId])).toEqual([{ written_under_draft: true }]);
  });

  it('neutralises spreadsheet formulas in CSV exports', async () => {
    await as(t.drafter).post('/follow-ups', { title: '=HYPERLINK("http://evil.example","click")', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201);
    const csv = (await request(app.getHttpServer()).get('/follow-ups/export.csv').set('Authorization', `Bearer ${t.drafter}`).expect(200)).text;
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('refuses deep nesting and lone surrogates with 400 before anything else, and keeps the audit chain whole', async () => {
    const deep = `${'['.repeat(4000)}${']'.repeat(4000)}`;
    for (const body of [deep, '{"title":"\\ud800"}', '{"title":"\\udc00x"}']) {
      const answer = await request(app.getHttpServer()).post('/follow-ups').set('Content-Type', 'application/json').send(body);
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toMatch(/problem\+json/);
    }
    await request(app.getHttpServer()).post('/auth/login').set('Content-Type', 'application/json').send('{"username":"\\ud800","password":"x"}').expect(400);
    await as(t.drafter).post('/follow-ups', { title: 'A pair is fine: \ud83d\ude00', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201);
    expect((await as(t.admin).get('/audit/verify').expect(200)).body.valid).toBe(true);
  });

  it('counts a login try before verifying it, so 60 parallel wrong passwords get at most 20 answers of 401; and ignores Idempotency-Key', async () => {
    await createUser(app, t.admin, { username: 'nk.target', roles: ['drafter'], office: 'EAP/CM' });
    const answers = await Promise.all(Array.from({ length: 60 }, () => request(app.getHttpServer()).post('/auth/login').send({ username: 'nk.target', password: 'wrong-password' })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    const login = () => request(app.getHttpServer()).post('/auth/login').set('Idempotency-Key', 'nk-login').send({ username: 'nk.drafter', password: 'nk.drafter-password-123' }).expect(200);
    expect((await login()).headers['idempotent-replayed']).toBeUndefined();
    expect((await login()).headers['idempotent-replayed']).toBeUndefined();
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'nk-login'`);
    expect(n).toBe(0);
  });
});
