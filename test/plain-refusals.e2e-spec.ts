import type { INestApplication } from '@nestjs/common';
import { awaitDelivery } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** Refusals say what is wrong in the field's own words, once: found by exploratory testing. */
describe('plain refusals', () => {
  let database: TestDatabase;
  let app: INestApplication;
  const today = new Date().toISOString().slice(0, 10);
  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('says a date the calendar lacks is one, a null is a null, and a value of the wrong shape is that, not validator internals', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'pr.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const approver = (await createUser(app, admin, { username: 'pr.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    const beijing = (await createUser(app, admin, { username: 'pr.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const cable = {
      kind: 'INSTRUCTION', subject: 'Plain refusals', classification: 'CONFIDENTIAL', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'],
      paragraphs: [{ marking: 'C', text: 'Deliver the points.' }], demarche: { reportBy: '2099-01-15', targets: 'MFA', points: [1] },
      classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2040-12-31' },
    };
    const id = (await authed(app, drafter).post('/cables', cable).expect(201)).body.id;
    // A report-by date in the future that the calendar does not have: said so, not "today or later".
    const impossible = await authed(app, drafter).patch(`/cables/${id}`, { demarche: { reportBy: '2027-02-30' } }).expect(422);
    expect(impossible.body.errors).toEqual([{ field: 'demarche.reportBy', message: 'reportBy: 2027-02-30 is no day of the calendar' }]);
    expect((await authed(app, drafter).patch(`/cables/${id}`, { demarche: { reportBy: '2020-01-01' } }).expect(422)).body.errors).toEqual([{ field: 'demarche.reportBy', message: 'reportBy must be today or later' }]);
    // A draft's subject removed by the merge patch (null): that the draft needs it, not its type rules;
    // a field that may go (infoAddressees) goes, and the rest stays.
    const removed = await authed(app, drafter).patch(`/cables/${id}`, { subject: null }).expect(400);
    expect(removed.body.errors).toEqual([{ field: 'subject', message: 'subject cannot be null: it needs a value' }]);
    expect((await authed(app, drafter).patch(`/cables/${id}`, { infoAddressees: null }).expect(200)).body).toMatchObject({ subject: 'Plain refusals', infoAddressees: [] });
    // So too a member of a block, removed (classifiedBy.reasons): said to need a value, at its path.
    const member = await authed(app, drafter).patch(`/cables/${id}`, { classifiedBy: { reasons: null } }).expect(400);
    expect(member.body.errors).toEqual([{ field: 'classifiedBy.reasons', message: 'reasons cannot be null: it needs a value' }]);
    // A title sent as null: that it needs a value, not its length and type rules.
    const followUp = (await authed(app, drafter).post('/follow-ups', { title: 'x', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201)).body.id;
    expect((await authed(app, drafter).patch(`/follow-ups/${followUp}`, { title: null }).expect(400)).body.errors).toEqual([{ field: 'title', message: 'title cannot be null: it needs a value' }]);
    // A field left out: that it is missing, not its length and type rules; a value of another type: its type alone.
    expect((await authed(app, drafter).post(`/follow-ups/${followUp}/complete`, {}).expect(400)).body.errors).toEqual([{ field: 'outcome', message: 'outcome is missing: it needs a value' }]);
    expect((await authed(app, drafter).patch(`/cables/${id}`, { subject: 123 }).expect(400)).body.errors).toEqual([{ field: 'subject', message: 'subject must be a string' }]);
    // An object where a list is expected: the list's rules, without "an unknown value was passed to the validate function".
    await authed(app, drafter).post(`/cables/${id}/submit`).expect(200);
    await authed(app, approver).post(`/cables/${id}/approve`).expect(200);
    await authed(app, approver).post(`/cables/${id}/release`).expect(200);
    await awaitDelivery(app, beijing, id, 'BEIJING');
    await authed(app, beijing).post(`/demarches/${id}/deliveries/BEIJING/delivery`, { deliveredOn: today, counterpart: { name: 'Wang', title: 'Director', organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    const shape = await authed(app, beijing).post(`/demarches/${id}/deliveries/BEIJING/response`, { receivedOn: today, position: 'RECEPTIVE', summary: 'Noted.', quotes: {} }).expect(400);
    expect(shape.text).not.toContain('unknown value');
    expect(shape.body.errors).toContainEqual({ field: 'quotes', message: 'quotes must be an array' });
    expect(shape.body.errors.every((e: { field: string }) => e.field === 'quotes')).toBe(true);
  });

  it('refuses a body sent with a read or a removal alike on every route, and a merge patch that names nothing to change', async () => {
    const admin = await loginAsAdmin(app);
    const lead = (await createUser(app, admin, { username: 'pr.lead', roles: ['leadership'], office: 'EAP', clearance: 'SECRET' })).token;
    const drafter = (await createUser(app, admin, { username: 'pr.body.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' }));
    const draft = (await authed(app, drafter.token).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Bodies on reads', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Text.' }],
    }).expect(201)).body;
    await authed(app, drafter.token).post(`/cables/${draft.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const http = (await import('supertest')).default(app.getHttpServer());
    for (const [method, path, token] of [
      ['get', '/cables', drafter.token], ['get', `/cables/${draft.id}`, drafter.token], ['get', '/inbox', lead], ['get', '/dashboard', lead],
      ['get', '/follow-ups', lead], ['get', '/notifications', lead], ['get', '/posts', lead], ['delete', `/cables/${draft.id}/clearance-requests/L`, drafter.token],
    ] as const) {
      const refused = await http[method](path).set('Authorization', `Bearer ${token}`).send({ zz: 1 });
      expect({ method, path, status: refused.status, errors: refused.body.errors }).toEqual({ method, path, status: 400, errors: [{ field: 'zz', message: 'property zz should not exist' }] });
    }
    // Nothing was withdrawn by the refused removal; an empty object is no body.
    expect((await authed(app, drafter.token).get(`/cables/${draft.id}`).expect(200)).body.clearances.map((c: { office: string }) => c.office)).toEqual(['L']);
    await http.get('/inbox').set('Authorization', `Bearer ${lead}`).send({}).expect(200);

    // A merge patch that names no field is said to name nothing, as a follow-up's and a post's are.
    const cable = await authed(app, drafter.token).patch(`/cables/${draft.id}`, {}).expect(400);
    expect(cable.body.detail).toBe('Nothing to change: name at least one field of the draft');
    const user = await authed(app, admin).patch(`/users/${drafter.id}`, {}).expect(400);
    expect(user.body.detail).toBe('Nothing to change: give displayName, roles, office, postCode or clearance');
    expect((await authed(app, drafter.token).get(`/cables/${draft.id}`).expect(200)).body.version).toBe(2);
  });

  it('says a follow-up\'s post is to be a post code, as its owner\'s post is', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'pr.fu.drafter', roles: ['drafter'], office: 'EAP/CM' })).token;
    const refused = await authed(app, drafter).post('/follow-ups', { title: 'Follow up', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01', post: 'Beijing!' }).expect(400);
    expect(refused.body.errors).toEqual([{ field: 'post', message: 'post must be a post code such as BEIJING' }]);
  });

  it('takes a day of the first centuries as the day it is, and says what is wrong with it', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'pr.year1.drafter', roles: ['drafter'], office: 'EAP/CM' })).token;
    const cable = {
      kind: 'INSTRUCTION', subject: 'Year one', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'],
      paragraphs: [{ marking: 'U', text: 'Deliver the points.' }], demarche: { reportBy: '2099-01-15', targets: 'MFA', points: [1] },
    };
    const id = (await authed(app, drafter).post('/cables', cable).expect(201)).body.id;
    // 0001-01-01 is a day of the calendar, long past: said so, not "no day of the calendar".
    for (const reportBy of ['0001-01-01', '0099-12-31']) {
      expect((await authed(app, drafter).patch(`/cables/${id}`, { demarche: { reportBy } }).expect(422)).body.errors).toEqual([{ field: 'demarche.reportBy', message: 'reportBy must be today or later' }]);
    }
    expect((await authed(app, drafter).post('/follow-ups', { title: 'Year one', owner: { office: 'EAP/CM' }, dueOn: '0001-01-01' }).expect(422)).body.errors).toEqual([{ field: 'dueOn', message: 'dueOn cannot be in the past' }]);
    // There was no year 0: its days are none of the calendar's.
    expect((await authed(app, drafter).patch(`/cables/${id}`, { demarche: { reportBy: '0000-01-01' } }).expect(422)).body.errors).toEqual([{ field: 'demarche.reportBy', message: 'reportBy: 0000-01-01 is no day of the calendar' }]);
  });

  it('reads an instant of the first centuries as the instant it is, and says the range of those it takes', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'pr.instant.drafter', roles: ['drafter'], office: 'EAP/CM' })).token;
    const lead = (await createUser(app, admin, { username: 'pr.instant.lead', roles: ['leadership'], office: 'EAP' })).token;
    const auditor = (await createUser(app, admin, { username: 'pr.instant.auditor', roles: ['auditor'], office: 'OIG' })).token;
    const id = (await authed(app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Year one', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Text.' }],
    }).expect(201)).body.id;
    const yearOne = encodeURIComponent('0001-01-01T00:00:00Z');
    // The cable did not exist then; the dashboard had no campaign; every audit entry is from after it.
    await authed(app, drafter).get(`/cables/${id}?asOf=${yearOne}`).expect(404);
    expect((await authed(app, lead).get(`/dashboard?asOf=${yearOne}`).expect(200)).body.campaigns).toEqual([]);
    const all = (await authed(app, auditor).get('/audit?limit=1').expect(200)).body.total;
    expect((await authed(app, auditor).get(`/audit?from=${yearOne}&limit=1`).expect(200)).body.total).toBe(all);
    // Year 0 (1 BC in ISO 8601), or an hour before the era by its offset: outside the range, said so.
    for (const from of ['0000-06-01T00:00:00Z', '0001-01-01T00:00:00+01:00']) {
      const refused = await authed(app, auditor).get(`/audit?from=${encodeURIComponent(from)}`).expect(400);
      expect(refused.body.errors).toEqual([{ field: 'from', message: 'from must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z' }]);
    }
  });

  it('says a number in a path past the largest it reads is out of its range, not that it is no whole number', async () => {
    const admin = await loginAsAdmin(app);
    const auditor = (await createUser(app, admin, { username: 'pr.seq.auditor', roles: ['auditor'], office: 'OIG' })).token;
    for (const seq of ['9007199254740993', '99999999999999999999']) {
      const refused = await authed(app, auditor).get(`/audit/entries/${seq}`).expect(400);
      expect(refused.body).toMatchObject({ detail: 'seq must be a whole number from 1 to 9007199254740991', errors: [{ field: 'seq', message: 'must be a whole number from 1 to 9007199254740991' }] });
    }
    // The largest it reads is read: no entry has that seq.
    expect((await authed(app, auditor).get('/audit/entries/9007199254740991').expect(404)).body.detail).toBe('No sealed audit entry 9007199254740991');
    expect((await authed(app, auditor).get('/audit/entries/0').expect(400)).body.errors).toEqual([{ field: 'seq', message: 'must be a whole number from 1' }]);
  });

  it('says a user needs at least one role, and each role once, in words', async () => {
    const admin = await loginAsAdmin(app);
    const user = { username: 'pr.roles', password: 'a-long-enough-password', displayName: 'Roles', office: 'EAP/CM', clearance: 'UNCLASSIFIED' };
    const none = await authed(app, admin).post('/users', { ...user, roles: [] }).expect(400);
    expect(none.body).toMatchObject({ detail: 'roles must name at least one role', errors: [{ field: 'roles', message: 'roles must name at least one role' }] });
    const many = await authed(app, admin).post('/users', { ...user, roles: Array(8).fill('drafter') }).expect(400);
    expect(many.body.errors).toEqual([{ field: 'roles', message: 'roles must name at most 7 roles, each once' }]);
    const created = (await authed(app, admin).post('/users', { ...user, roles: ['drafter'] }).expect(201)).body;
    expect((await authed(app, admin).patch(`/users/${created.id}`, { roles: [] }).expect(400)).body.errors).toEqual([{ field: 'roles', message: 'roles must name at least one role' }]);
  });

  it('says a post\'s name removed by a merge patch needs a value, as every such field says', async () => {
    const admin = await loginAsAdmin(app);
    const refused = await authed(app, admin).patch('/posts/TOKYO', { name: null }).expect(400);
    expect(refused.body).toMatchObject({ detail: 'name cannot be null: it needs a value', errors: [{ field: 'name', message: 'name cannot be null: it needs a value' }] });
    // Nothing changed; chiefOfMission's null (none recorded) is taken.
    expect((await authed(app, admin).patch('/posts/TOKYO', { chiefOfMission: null }).expect(200)).body).toMatchObject({ name: 'Embassy Tokyo', chiefOfMission: null });
  });

  it('refuses a subject of noncharacters only (U+FFFF) as one that shows nothing', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'pr.ffff.drafter', roles: ['drafter'], office: 'EAP/CM' })).token;
    const cable = {
      kind: 'INFORMATIONAL', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Text.' }],
    };
    for (const subject of ['\uffff', '\uffff\ufffe', '\ufdd0 \u{10ffff}', '\u2065']) {
      const refused = await authed(app, drafter).post('/cables', { ...cable, subject }).expect(422);
      expect(refused.body.errors).toEqual([{ field: 'subject', message: 'subject must be 1 to 200 characters, not only spaces or invisible ones' }]);
    }
    await authed(app, drafter).post('/cables', { ...cable, subject: 'Talking points \ufffd' }).expect(201);
  });

  it('says a document sent with an empty file name (filename="") is missing, as one not sent at all, not that "file" should not exist', async () => {
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'pr.upload.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const approver = (await createUser(app, admin, { username: 'pr.upload.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    const beijing = (await createUser(app, admin, { username: 'pr.upload.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const id = await releaseCable(app, drafter, approver, {
      kind: 'INSTRUCTION', subject: 'Nameless files', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['BEIJING'],
      paragraphs: [{ marking: 'U', text: 'Deliver the points.' }], demarche: { reportBy: '2099-01-15', targets: 'MFA', points: [1] },
    });
    await awaitDelivery(app, beijing, id, 'BEIJING');
    const http = (await import('supertest')).default(app.getHttpServer());
    /** The upload of a form whose file part says `disposition` and holds `content` (as curl -F 'file=@x.pdf;filename=' sends it). */
    const sendForm = (disposition: string, content: string) =>
      http.post(`/demarches/${id}/deliveries/BEIJING/documents`).set('Authorization', `Bearer ${beijing}`).set('Content-Type', 'multipart/form-data; boundary=b0undary')
        .send(['--b0undary', 'Content-Disposition: form-data; name="kind"', '', 'NON_PAPER', '--b0undary', `Content-Disposition: form-data; ${disposition}`, 'Content-Type: application/pdf', '', content, '--b0undary--', ''].join('\r\n'));
    const missing = { field: 'file', message: 'file is missing: it needs a value' };
    for (const [disposition, content] of [['name="file"; filename=""', '%PDF-1.4 points'], ['name="file"; filename=""', ''], ['name="file"', '%PDF-1.4 points'], ['name="file"; filename=""', 'x'.repeat(1_100_000)]]) {
      const refused = await sendForm(disposition, content);
      const sent = `${disposition}, ${content.length} bytes`;
      expect({ sent, status: refused.status, detail: refused.body.detail, errors: refused.body.errors }).toEqual({
        sent, status: 400, errors: [missing],
        detail: 'file is missing: the part named "file" came without a file name (filename="" or none), so it was read as text, not as a file; send the file with its name',
      });
    }
    // No file part at all: missing, said as plainly.
    const none = await http.post(`/demarches/${id}/deliveries/BEIJING/documents`).set('Authorization', `Bearer ${beijing}`).field('kind', 'NON_PAPER').expect(400);
    expect({ detail: none.body.detail, errors: none.body.errors }).toEqual({ detail: 'file is missing: send the file as the multipart field "file"', errors: [missing] });
    // With its name, the same part is a document.
    await sendForm('name="file"; filename="points.pdf"', '%PDF-1.4 points').expect(201);
  });

  it('says once that a request takes no body, whether it sent fields or content of another type', async () => {
    const admin = await loginAsAdmin(app);
    const http = (await import('supertest')).default(app.getHttpServer());
    const text = await http.post('/events/ticket').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'text/plain').send('release it').expect(400);
    expect({ detail: text.body.detail, errors: text.body.errors }).toEqual({ detail: 'This request takes no body', errors: [{ field: '(body)', message: 'this request takes no body' }] });
    const fields = await authed(app, admin).post('/events/ticket', { zz: 1 }).expect(400);
    expect({ detail: fields.body.detail, errors: fields.body.errors }).toEqual({ detail: 'This request takes no body: property zz should not exist', errors: [{ field: 'zz', message: 'property zz should not exist' }] });
  });
});
