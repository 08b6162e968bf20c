import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { systemContext } from '@chancery/common';
import { CableSearchRepair } from '@chancery/cables';
import { ChangePostCommand } from '@chancery/posts';
import { authed, clearForCollective } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const instruction = {
  kind: 'INSTRUCTION',
  subject: 'Demarche on the distillation of U.S. AI models',
  classification: 'CONFIDENTIAL',
  captions: ['SIPDIS'],
  precedence: 'IMMEDIATE',
  tags: ['PREL', 'ETTC', 'TSPL', 'KIPR', 'CH'],
  actionAddressees: ['ALDAC'],
  paragraphs: [
    { marking: 'U', text: 'This is an action request; see paragraph 3.' },
    { marking: 'C', text: 'Foreign firms are extracting and distilling U.S. frontier AI models at scale.' },
    { marking: 'U', text: 'Posts should raise these concerns with host government officials.' },
  ],
  classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)', '1.4(d)'], declassifyOn: '2050-12-31' },
  demarche: { reportBy: '2099-01-15', targets: 'Foreign ministry, director-general level', points: [2, 3] },
};

describe('cables through HTTP', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  const t = {} as Record<'drafter' | 'legal' | 'isn' | 'approver' | 'reader' | 'secretReader' | 'beijing' | 'ambassador' | 'tokyo', string>;
  const as = (token: string) => authed(app, token);

  async function approvedCable(subject: string): Promise<string> {
    const created = await as(t.drafter).post('/cables', { ...instruction, subject, actionAddressees: ['TOKYO'] }).expect(201);
    const { body } = created;
    // A 201 says where the record created is read (RFC 9110 §15.3.2).
    expect(created.headers.location).toBe(`/cables/${body.id}`);
    await as(t.drafter).get(created.headers.location).expect(200);
    await as(t.drafter).post(`/cables/${body.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${body.id}/approve`).expect(200);
    return body.id;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    dataSource = app.get(DataSource);
    const admin = await loginAsAdmin(app);
    t.drafter = (await createUser(app, admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    t.legal = (await createUser(app, admin, { username: 'lclear', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    t.isn = (await createUser(app, admin, { username: 'iclear', roles: ['clearer'], office: 'ISN', clearance: 'SECRET' })).token;
    t.approver = (await createUser(app, admin, { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    t.reader = (await createUser(app, admin, { username: 'unclass', roles: ['leadership'], office: 'S', clearance: 'UNCLASSIFIED' })).token;
    t.secretReader = (await createUser(app, admin, { username: 'lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' })).token;
    t.beijing = (await createUser(app, admin, { username: 'bjpol', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    t.ambassador = (await createUser(app, admin, { username: 'bjamb', roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    t.tokyo = (await createUser(app, admin, { username: 'tkpol', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' })).token;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('edits by merge patch: a one-field PATCH keeps every other field; null clears an optional field, never a required one', async () => {
    const exdis = { ...instruction, captions: ['EXDIS', 'NOFORN'], infoAddressees: ['TOKYO'], actionAddressees: ['BEIJING'] };
    const { body: drafted } = await as(t.drafter).post('/cables', exdis).expect(201);
    const kept = { captions: ['EXDIS', 'NOFORN'], infoAddressees: ['TOKYO'], classifiedBy: instruction.classifiedBy, demarche: instruction.demarche, tags: instruction.tags };
    const patched = await as(t.drafter).patch(`/cables/${drafted.id}`, { subject: 'Demarche: AI model distillation (revised)' }).expect(200);
    expect(patched.body).toMatchObject({ subject: 'Demarche: AI model distillation (revised)', ...kept });
    // The same with RFC 7396's own content type.
    const merged = await request(app.getHttpServer())
      .patch(`/cables/${drafted.id}`)
      .set('Authorization', `Bearer ${t.drafter}`)
      .set('Content-Type', 'application/merge-patch+json')
      .send(JSON.stringify({ precedence: 'ROUTINE' }))
      .expect(200);
    expect(merged.body).toMatchObject({ precedence: 'ROUTINE', subject: 'Demarche: AI model distillation (revised)', ...kept });
    const refused = await as(t.drafter).patch(`/cables/${drafted.id}`, { tags: null }).expect(400);
    expect(new Set(refused.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['tags'])); // a cable needs its TAGS
    const cleared = await as(t.drafter).patch(`/cables/${drafted.id}`, { demarche: null }).expect(200);
    expect(cleared.body).toMatchObject({ demarche: null, captions: ['EXDIS', 'NOFORN'], classifiedBy: instruction.classifiedBy });
    // A reader outside the working party still cannot read it: the captions held.
    await as(t.tokyo).get(`/cables/${drafted.id}`).expect(403);
  });

  it('merges nested objects member by member (RFC 7396), then checks the merged draft as a new one', async () => {
    const { body: drafted } = await as(t.drafter).post('/cables', { ...instruction, subjectMarking: 'C', infoAddressees: ['TOKYO'], actionAddressees: ['BEIJING'] }).expect(201);
    const url = `/cables/${drafted.id}`;
    const reportBy = await as(t.drafter).patch(url, { demarche: { reportBy: '2099-07-01' } }).expect(200);
    expect(reportBy.body.demarche).toEqual({ ...instruction.demarche, reportBy: '2099-07-01' });
    expect(reportBy.body.edits.at(-1)).toMatchObject({ fields: ['demarche'], as: 'drafter' });
    const title = await as(t.drafter).patch(url, { classifiedBy: { title: 'Deputy Director' } }).expect(200);
    expect(title.body.classifiedBy).toEqual({ ...instruction.classifiedBy, title: 'Deputy Director' });
    expect(title.body).toMatchObject({ subject: instruction.subject, captions: ['SIPDIS'], paragraphs: instruction.paragraphs, demarche: { reportBy: '2099-07-01' } });
    expect((await as(t.drafter).patch(url, { classifiedBy: { title: 'Deputy Director' } }).expect(200)).body.version).toBe(title.body.version); // no change, no edit
    const scoped = await as(t.drafter).patch(url, { demarche: { scope: { kinds: ['EMBASSY'] } } }).expect(200);
    expect(scoped.body.demarche).toEqual({ ...instruction.demarche, reportBy: '2099-07-01', scope: { kinds: ['EMBASSY'] } });
    const unscoped = await as(t.drafter).patch(url, { demarche: { scope: null } }).expect(200);
    expect(unscoped.body.demarche).toEqual({ ...instruction.demarche, reportBy: '2099-07-01' });

    // null on an optional field clears it to what a draft made without it has.
    const cleared = await request(app.getHttpServer())
      .patch(url)
      .set('Authorization', `Bearer ${t.drafter}`)
      .set('Content-Type', 'application/merge-patch+json')
      .send(JSON.stringify({ infoAddressees: null, subjectMarking: null, captions: null }))
      .expect(200);
    expect(cleared.body).toMatchObject({ infoAddressees: [], captions: [], classifiedBy: { title: 'Deputy Director' } });
    expect(cleared.body).not.toHaveProperty('subjectMarking');
    const version = cleared.body.version;

    // The merged draft meets every rule a new draft meets, and a refusal names the field.
    const refusals: [object, number, string][] = [
      [{ subject: null }, 400, 'subject'],
      [{ demarche: { targets: null } }, 400, 'demarche.targets'],
      [{ demarche: { reportBy: 'soon' } }, 400, 'demarche.reportBy'],
      [{ demarche: { reportBy: '2001-01-01' } }, 422, 'demarche.reportBy'],
      [{ demarche: { points: [9] } }, 422, 'demarche.points'],
      [{ classifiedBy: { reasons: null } }, 400, 'classifiedBy.reasons'],
      [{ classifiedBy: { nickname: 'JD' } }, 400, 'classifiedBy.nickname'],
      [{ demarche: { scope: { kinds: ['BUNKER'] } } }, 400, 'demarche.scope.kinds'],
      [{ demarche: { scope: [] } }, 400, 'demarche.scope'],
      [{ classifiedBy: [] }, 400, 'classifiedBy'],
      [{ mood: 'tense' }, 400, 'mood'],
    ];
    for (const [patch, status, field] of refusals) {
      const refused = await as(t.drafter).patch(url, patch).expect(status);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // A demarche added to a cable that has none must be whole.
    const { body: plain } = await as(t.drafter).post('/cables', { ...instruction, demarche: undefined }).expect(201);
    const partial = await as(t.drafter).patch(`/cables/${plain.id}`, { demarche: { reportBy: '2099-07-01' } }).expect(400);
    expect(partial.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['demarche.targets', 'demarche.points']));
    expect((await as(t.drafter).get(url).expect(200)).body.version).toBe(version);
  });

  it('refuses an addressee named twice, in one list or in both, on a new draft and after a merge patch', async () => {
    const twice = await as(t.drafter).post('/cables', { ...instruction, actionAddressees: ['TOKYO', 'TOKYO'] }).expect(422);
    expect(twice.body.errors[0]).toEqual({ field: 'actionAddressees', message: expect.stringMatching(/must not repeat.*TOKYO/) });
    const info = await as(t.drafter).post('/cables', { ...instruction, actionAddressees: ['TOKYO'], infoAddressees: ['LONDON', 'BEIJING', 'LONDON'] }).expect(422);
    expect(info.body.errors[0]).toEqual({ field: 'infoAddressees', message: expect.stringMatching(/must not repeat.*LONDON/) });
    const both = await as(t.drafter).post('/cables', { ...instruction, actionAddressees: ['TOKYO'], infoAddressees: ['TOKYO'] }).expect(422);
    expect(both.body.errors[0]).toEqual({ field: 'infoAddressees', message: expect.stringMatching(/TOKYO cannot be both an action and an info addressee/) });

    const { body: drafted } = await as(t.drafter).post('/cables', { ...instruction, actionAddressees: ['TOKYO'], infoAddressees: ['LONDON'] }).expect(201);
    const url = `/cables/${drafted.id}`;
    expect((await as(t.drafter).patch(url, { actionAddressees: ['BEIJING', 'BEIJING'] }).expect(422)).body.errors[0].field).toBe('actionAddressees');
    expect((await as(t.drafter).patch(url, { infoAddressees: ['LONDON', 'LONDON'] }).expect(422)).body.errors[0].field).toBe('infoAddressees');
    expect((await as(t.drafter).patch(url, { infoAddressees: ['TOKYO'] }).expect(422)).body.errors[0].field).toBe('infoAddressees');
    const telegram = (await as(t.drafter).get(`${url}/telegram`).expect(200)).text;
    expect(telegram.match(/AMEMBASSY TOKYO/g)).toHaveLength(1);
  });

  it('lets no edit mark a cable above what its drafter may read, and holds a drafter cleared lower since against no other edit', async () => {
    const admin = await loginAsAdmin(app);
    const confidential = await createUser(app, admin, { username: 'confdesk', roles: ['drafter'], office: 'EAP/CM', clearance: 'CONFIDENTIAL' });
    const { body: drafted } = await as(confidential.token).post('/cables', { ...instruction, actionAddressees: ['TOKYO'] }).expect(201);
    await as(confidential.token).post(`/cables/${drafted.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const secret = { classification: 'SECRET', paragraphs: [{ ...instruction.paragraphs[0], marking: 'S' }, ...instruction.paragraphs.slice(1)] };

    const refused = await as(t.legal).patch(`/cables/${drafted.id}`, secret).expect(422);
    expect(refused.body).toMatchObject({ code: 'RULE_VIOLATED', errors: [{ field: 'classification', message: "above the drafter's clearance" }] });
    const kept = await as(confidential.token).get(`/cables/${drafted.id}`).expect(200);
    expect({ version: kept.body.version, classification: kept.body.classification }).toEqual({ version: drafted.version + 1, classification: 'CONFIDENTIAL' });

    // Cleared for SECRET, the drafter may be raised to it; cleared lower again, edits that leave the marking stand.
    await as(admin).patch(`/users/${confidential.id}`, { clearance: 'SECRET' }).expect(200);
    await as(t.legal).patch(`/cables/${drafted.id}`, secret).expect(200);
    await as(admin).patch(`/users/${confidential.id}`, { clearance: 'CONFIDENTIAL' }).expect(200);
    const retitled = await as(t.legal).patch(`/cables/${drafted.id}`, { subject: 'Demarche on model distillation' }).expect(200);
    expect(retitled.body).toMatchObject({ classification: 'SECRET', subject: 'Demarche on model distillation' });
  });

  it('answers 404 for a version the cable has not reached, to those who may read it, and the same as ever to the others', async () => {
    const { body: drafted } = await as(t.drafter).post('/cables', { ...instruction, actionAddressees: ['TOKYO'] }).expect(201);
    const url = `/cables/${drafted.id}`;
    await as(t.drafter).patch(url, { subject: 'Demarche: AI model distillation (second version)' }).expect(200);
    expect((await as(t.drafter).get(`${url}?version=2`).expect(200)).body).toMatchObject({ version: 2, subject: 'Demarche: AI model distillation (second version)' });
    expect((await as(t.drafter).get(`${url}/telegram?version=1`).expect(200)).text).toContain('SUBJECT: (U) DEMARCHE ON THE DISTILLATION');
    for (const path of [`${url}?version=3`, `${url}?version=999`, `${url}/telegram?version=3`]) {
      const beyond = await as(t.secretReader).get(path).expect(404);
      expect(beyond.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(beyond.body.detail).toMatch(/has no version \d+; it is at version 2/);
    }
    // Someone who may not read the cable learns nothing from the version asked: the same 403 as for one that exists.
    const denied = await as(t.reader).get(`${url}?version=1`).expect(403);
    for (const path of [`${url}?version=3`, `${url}?version=999`, `${url}/telegram?version=3`]) {
      const beyond = await as(t.reader).get(path).expect(403);
      expect(beyond.body.detail).toBe(denied.body.detail);
    }
  });

  it('takes a cable from draft through clearance, a stale clearance, approval and release', async () => {
    const drafted = await as(t.drafter).post('/cables', instruction).expect(201);
    const id = drafted.body.id;
    expect(drafted.body).toMatchObject({ status: 'DRAFT', origin: 'STATE', version: 1, mrn: null, drafter: { username: 'jdoe', office: 'EAP/CM' } });
    expect(drafted.headers.etag).toBe('"1"');

    const asked = await as(t.drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L', 'ISN'] }).expect(200);
    expect(asked.body.status).toBe('IN_CLEARANCE');
    await as(t.isn).post(`/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(403);
    await as(t.legal).post(`/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);

    const paragraphs = [...instruction.paragraphs.slice(0, 2), { marking: 'U', text: 'Posts should deliver the points in paragraph 2 and report by cable.' }];
    const edited = await as(t.drafter).patch(`/cables/${id}`, { paragraphs }).expect(200);
    expect(edited.body.clearances).toEqual([
      expect.objectContaining({ office: 'L', status: 'STALE' }),
      expect.objectContaining({ office: 'ISN', status: 'PENDING' }),
    ]);
    await as(t.isn).post(`/cables/${id}/clearances`, { office: 'ISN', decision: 'CLEARED_WITH_COMMENTS', comments: 'Cite the export-control angle.' }).expect(200);
    const early = await as(t.drafter).post(`/cables/${id}/submit`).expect(422);
    expect(early.body.detail).toMatch(/L \(cleared an earlier text\)/);
    await as(t.legal).post(`/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    // An ALDAC instruction also needs every regional bureau whose posts it tasks, and S/ES-O.
    const collective = await as(t.drafter).post(`/cables/${id}/submit`).expect(422);
    expect(collective.body.detail).toMatch(/EAP \(its posts are tasked through ALDAC\).*S\/ES-O \(an instruction to ALDAC\)/);
    await clearForCollective(app, t.drafter, id, instruction);
    await as(t.drafter).post(`/cables/${id}/submit`).expect(200);
    await as(t.drafter).post(`/cables/${id}/approve`).expect(403); // a drafter is no approver, let alone of their own cable
    await as(t.ambassador).post(`/cables/${id}/approve`).expect(403); // a post's approver has no authority for STATE
    await as(t.approver).post(`/cables/${id}/approve`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const beforeRelease = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    const released = await as(t.approver).post(`/cables/${id}/release`).expect(200);
    expect(released.body).toMatchObject({ status: 'RELEASED', mrn: expect.stringMatching(/^\d\d STATE \d{6}$/), dateTimeGroup: expect.stringMatching(/^\d{6}Z [A-Z]{3} \d\d$/) });
    const aldac = await as(t.drafter).get('/collectives/ALDAC').expect(200);
    expect(released.body.distribution).toEqual(aldac.body.members);
    await as(t.drafter).patch(`/cables/${id}`, { subject: 'Too late' }).expect(409);
    // Whether it may be edited at all comes first: a patch that would not pass is 409 here too, not 400.
    await as(t.drafter).patch(`/cables/${id}`, { subject: null }).expect(409);

    const first = await as(t.secretReader).get(`/cables/${id}?version=1`).expect(200);
    expect(first.body).toMatchObject({ status: 'DRAFT', paragraphs: instruction.paragraphs });
    const then = await as(t.secretReader).get(`/cables/${id}?asOf=${encodeURIComponent(beforeRelease)}`).expect(200);
    expect(then.body).toMatchObject({ status: 'APPROVED', mrn: null, version: 18 });
    await as(t.secretReader).get(`/cables/${id}?asOf=yesterday`).expect(400);
    await as(t.secretReader).get(`/cables/${id}?asOf=2000-01-01T00:00:00Z`).expect(404);
    const history = await as(t.secretReader).get(`/cables/${id}/history`).expect(200);
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
      'CableDrafted', 'ClearancesRequested', 'ClearanceGranted', 'CableEdited', 'ClearancesMadeStale',
      'ClearanceGrantedWithComments', 'ClearanceGranted', 'ClearancesRequested', ...Array(8).fill('ClearanceGranted'), 'CableSubmitted', 'CableApproved', 'CableReleased',
    ]);
    const telegram = await as(t.tokyo).get(`/cables/${id}/telegram`).expect(200);
    expect(telegram.headers['content-type']).toMatch(/text\/plain/);
    expect(telegram.text).toContain(`MRN: ${released.body.mrn}`);
    expect(telegram.text).toMatch(/^CONFIDENTIAL\n/);
    expect(telegram.text).toContain('2. (C) Foreign firms');
    expect(telegram.text).toContain('Cleared: L:lclear, ISN:iclear');

    const reads = await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadCable' AND stream_id = $1`, [`cable-${id}`]);
    expect(reads.map((r: { details: { view: string } }) => r.details.view).sort()).toEqual(['cable', 'cable', 'history', 'telegram']);
  });

  it('gives 20 concurrent releases by one originator serials without gap or duplicate', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await approvedCable(`Release race ${i}`));
    const answers = await Promise.all(ids.map((id) => as(t.approver).post(`/cables/${id}/release`)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const serials = answers.map((a) => Number(a.body.mrn.split(' ')[2])).sort((a, b) => a - b);
    expect(new Set(serials).size).toBe(20);
    expect(serials[19] - serials[0]).toBe(19);
    const [{ last }] = await dataSource.query(`SELECT max(last_serial)::int AS last FROM mrn_serials WHERE originator = 'STATE'`);
    expect(last).toBe(serials[19]);
    // Numbered in the order released: a later serial never carries an earlier release time (DTG).
    const bySerial = answers.map((a) => a.body).sort((a, b) => Number(a.mrn.split(' ')[2]) - Number(b.mrn.split(' ')[2]));
    const times = bySerial.map((c) => c.releasedAt as string);
    expect(times).toEqual([...times].sort());
  });

  it('holds the collective tasking rule through approval and release: an approver who adds a collective after submission cannot approve it uncleared', async () => {
    const { body } = await as(t.drafter).post('/cables', { ...instruction, subject: 'Approver adds a collective', actionAddressees: ['TOKYO'] }).expect(201);
    await as(t.drafter).post(`/cables/${body.id}/submit`).expect(200);
    const edited = await as(t.approver).patch(`/cables/${body.id}`, { actionAddressees: ['NEA_POSTS'] }).expect(200);
    const refused = await as(t.approver).post(`/cables/${body.id}/approve`).expect(422);
    expect(refused.body.detail).toMatch(/NEA \(its posts are tasked through NEA_POSTS\).*return it to the drafter/);
    const after = await as(t.approver).get(`/cables/${body.id}`).expect(200);
    expect(after.body).toMatchObject({ status: 'PENDING_APPROVAL', version: edited.body.version });
    await as(t.approver).post(`/cables/${body.id}/release`).expect(409);
    // Returned, cleared as the rule asks, submitted again: approved and released to the collective.
    await as(t.approver).post(`/cables/${body.id}/return`, { reason: 'NEA must clear an instruction to its posts' }).expect(200);
    await clearForCollective(app, t.drafter, body.id, { kind: 'INSTRUCTION', actionAddressees: ['NEA_POSTS'] });
    await as(t.drafter).post(`/cables/${body.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${body.id}/approve`).expect(200);
    await as(t.approver).post(`/cables/${body.id}/release`).expect(200);
  });

  it('asks the collective tasking rule for the bureaus whose posts a demarche tasks, its scope narrowing a collective', async () => {
    const scoped = { ...instruction, subject: 'ALDAC, Tokyo only', demarche: { ...instruction.demarche, scope: { posts: ['TOKYO'] } } };
    const { body } = await as(t.drafter).post('/cables', scoped).expect(201);
    const refused = await as(t.drafter).post(`/cables/${body.id}/submit`).expect(422);
    expect(refused.body.detail).toMatch(/EAP \(its posts are tasked through ALDAC\).*S\/ES-O \(an instruction to ALDAC\)/);
    for (const office of ['AF (', 'EUR (', 'NEA (', 'SCA (', 'WHA (', 'IO (']) expect(refused.body.detail).not.toContain(office);
    // Embassies only: every regional bureau has embassies among ALDAC's posts.
    const embassies = await as(t.drafter).post('/cables', { ...scoped, subject: 'ALDAC, embassies', demarche: { ...instruction.demarche, scope: { kinds: ['EMBASSY'] } } }).expect(201);
    const all = await as(t.drafter).post(`/cables/${embassies.body.id}/submit`).expect(422);
    for (const office of ['AF (', 'EAP (', 'EUR (', 'NEA (', 'SCA (', 'WHA (', 'S/ES-O (']) expect(all.body.detail).toContain(office);
  });

  it('pages a cable\'s history, and reads numbers in the address as decimal digits only', async () => {
    const { body } = await as(t.drafter).post('/cables', { ...instruction, subject: 'History pages', actionAddressees: ['TOKYO'] }).expect(201);
    for (const subject of ['History pages, two', 'History pages, three', 'History pages, four']) await as(t.drafter).patch(`/cables/${body.id}`, { subject }).expect(200);
    const url = `/cables/${body.id}/history`;
    const whole = await as(t.drafter).get(url).expect(200);
    expect(whole.body.items.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4]);
    const page = await as(t.drafter).get(`${url}?limit=2&offset=1`).expect(200);
    expect(page.body).toMatchObject({ total: 4, items: [{ version: 2 }, { version: 3 }] });
    expect(page.body.items).toHaveLength(2);
    // 0x10, 1e1, +3, a padded number, or one given twice: not what anyone means by a number here.
    for (const query of ['limit=0x10', 'limit=1e1', 'limit=%2B3', 'limit=%203', 'limit=abc', 'limit=1&limit=2']) {
      const refused = await as(t.drafter).get(`/cables?${query}`).expect(400);
      expect(refused.body.errors).toEqual([{ field: 'limit', message: 'limit must be a whole number from 1 to 500' }]);
    }
    expect((await as(t.drafter).get(`${url}?offset=-1`).expect(400)).body.errors[0].field).toBe('offset');
    for (const empty of ['q=', 'q=%20%20', 'tag=', 'ref=']) expect((await as(t.drafter).get(`/cables?${empty}`).expect(400)).body.errors).toHaveLength(1);
    // A version and an instant: which one would count? Neither is guessed.
    const both = await as(t.drafter).get(`/cables/${body.id}?version=2&asOf=${encodeURIComponent(new Date().toISOString())}`).expect(400);
    expect(both.body.errors).toEqual([{ field: 'asOf', message: 'give asOf or version, not both' }]);
  });

  it('drafts a reporting cable at a post, approved by its chief of mission', async () => {
    const report = { ...instruction, kind: 'REPORTING', demarche: undefined, actionAddressees: ['SECSTATE'], subject: 'Beijing rejects the allegations as baseless' };
    const drafted = await as(t.beijing).post('/cables', report).expect(201);
    expect(drafted.body.origin).toBe('BEIJING');
    await as(t.beijing).post(`/cables/${drafted.body.id}/submit`).expect(200);
    await as(t.approver).post(`/cables/${drafted.body.id}/approve`).expect(403);
    await as(t.ambassador).post(`/cables/${drafted.body.id}/approve`).expect(200);
    const released = await as(t.ambassador).post(`/cables/${drafted.body.id}/release`).expect(200);
    expect(released.body.mrn).toMatch(/^\d\d BEIJING 000001$/);
  });

  it('answers the same command sent twice at once with one Idempotency-Key with the first answer, not a refusal of the second', async () => {
    // The second copy starts before the first commits, then finds the cable already moved on: it is
    // the same request, and the client is told what the first did.
    for (let i = 0; i < 4; i++) {
      const { body } = await as(t.drafter).post('/cables', { ...instruction, subject: `Retried at once ${i}`, actionAddressees: ['TOKYO'] }).expect(201);
      for (const [step, token] of [['submit', t.drafter], ['approve', t.approver], ['release', t.approver]] as const) {
        const key = `${step}-${body.id}`;
        const answers = await Promise.all([0, 1].map(() => as(token).post(`/cables/${body.id}/${step}`).set('Idempotency-Key', key)));
        expect({ step, statuses: answers.map((a) => a.status) }).toEqual({ step, statuses: [200, 200] });
        expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
        expect(answers[1].body).toEqual(answers[0].body);
      }
    }
  });

  it('lets a closed post draft no cables', async () => {
    const admin = await loginAsAdmin(app);
    const dili = await createUser(app, admin, { username: 'dilipol', roles: ['post_officer'], postCode: 'DILI', clearance: 'SECRET' });
    const report = { ...instruction, kind: 'REPORTING', demarche: undefined, actionAddressees: ['SECSTATE'], subject: 'Closing the embassy' };
    await as(dili.token).post('/cables', report).expect(201);
    await as(admin).post('/posts/DILI/close', { reason: 'Operations moved to Jakarta' }).expect(200);
    const refused = await as(dili.token).post('/cables', report).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'origin', message: 'DILI is closed: a closed post drafts no cables' }]);
  });

  it('sets a name stored with control characters (before requests were refused them) into the telegram as one clean line', async () => {
    // Stored through the command, as an earlier version's request could have: no HTTP check on the way.
    await app.get(CommandBus).execute(new ChangePostCommand(systemContext('legacy'), 'TOKYO', { kind: 'edit', chiefOfMission: 'Jean Du\u001b[2J\u0007pont' }));
    const report = { ...instruction, kind: 'REPORTING', demarche: undefined, actionAddressees: ['SECSTATE'], subject: 'Tokyo reports' };
    const { body: drafted } = await as(t.tokyo).post('/cables', report).expect(201);
    const telegram = (await as(t.tokyo).get(`/cables/${drafted.id}/telegram`).expect(200)).text;
    expect(telegram).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const lines = telegram.trimEnd().split('\n');
    // Signed in one line; what is left of the name is no person's name (`[2J`), so it signs as written.
    expect(lines).toContainEqual(expect.stringMatching(/^JEAN DU\b.*PONT$/));
    expect(lines.filter((line) => line === 'NNNN')).toHaveLength(1); // and ended once, by the telegram itself
  });

  it('refuses broken rules with 422 naming the rule, and malformed drafts with 400', async () => {
    const high = await as(t.drafter).post('/cables', { ...instruction, paragraphs: [{ marking: 'S', text: 'Secret detail' }], demarche: undefined }).expect(422);
    expect(high.body.errors[0]).toEqual({ field: 'paragraphs[0].marking', message: expect.stringMatching(/above the cable's overall CONFIDENTIAL/) });
    const closed = await as(t.drafter).post('/cables', { ...instruction, actionAddressees: ['KHARTOUM'] }).expect(422);
    expect(closed.body.detail).toMatch(/KHARTOUM is not an open post/);
    const noAuthority = await as(t.drafter).post('/cables', { ...instruction, classifiedBy: undefined }).expect(422);
    expect(noAuthority.body.errors[0].field).toBe('classifiedBy');
    const malformed = await as(t.drafter).post('/cables', { ...instruction, precedence: 'PRIORITY', paragraphs: [{ marking: 'X' }] }).expect(400);
    expect(malformed.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['precedence', 'paragraphs.0.marking', 'paragraphs.0.text']));
    await as(t.tokyo).post('/cables', instruction).expect(422); // a post addresses SECSTATE
    await as(t.legal).post('/cables', instruction).expect(403);
  });

  it('never shows an UNCLASSIFIED reader a CONFIDENTIAL cable: get, list, search, history, telegram', async () => {
    const secretCable = (await as(t.drafter).post('/cables', { ...instruction, subject: 'Distillation campaign planning' }).expect(201)).body.id;
    const open = (await as(t.drafter).post('/cables', {
      ...instruction,
      subject: 'Distillation press guidance',
      classification: 'UNCLASSIFIED',
      paragraphs: [{ marking: 'U', text: 'Public line on distillation.' }],
      classifiedBy: undefined,
      demarche: undefined,
      kind: 'INFORMATIONAL',
    }).expect(201)).body.id;

    for (const path of [`/cables/${secretCable}`, `/cables/${secretCable}/history`, `/cables/${secretCable}/telegram`]) {
      const response = await as(t.reader).get(path).expect(403);
      expect(JSON.stringify(response.body)).not.toMatch(/campaign planning|Foreign firms/);
    }
    const listed = await as(t.reader).get('/cables?limit=500').expect(200);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(open);
    expect(listed.body.items.every((c: { classification: string }) => c.classification === 'UNCLASSIFIED')).toBe(true);
    expect(listed.body.total).toBe(listed.body.items.length);
    const searched = await as(t.reader).get('/cables?q=distillation').expect(200);
    expect(searched.body.items.map((c: { id: string }) => c.id)).toEqual([open]);
    const cleared = await as(t.secretReader).get('/cables?q=distillation&limit=500').expect(200);
    expect(cleared.body.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([open, secretCable]));
  });

  it('searches subject, text, TAGS and MRN, and filters by status, origin and tag', async () => {
    const id = await approvedCable('Semiconductor export controls outreach');
    const { body: released } = await as(t.approver).post(`/cables/${id}/release`).expect(200);
    const byMrn = await as(t.secretReader).get(`/cables?q=${encodeURIComponent(released.mrn)}`).expect(200);
    expect(byMrn.body.items.map((c: { id: string }) => c.id)).toContain(id);
    const compact = released.mrn.replace(/ (\d+)$/, (_: string, n: string) => String(Number(n))).replaceAll(' ', '');
    expect((await as(t.secretReader).get(`/cables?q=${compact}`).expect(200)).body.items.map((c: { id: string }) => c.id)).toContain(id);
    expect((await as(t.secretReader).get('/cables?q=semiconductor').expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    // A word excluded is excluded, in any form of it.
    for (const q of ['semiconductor -outreach', 'export -outreaches', '-outreach']) {
      expect({ q, ids: (await as(t.secretReader).get(`/cables?q=${encodeURIComponent(q)}&limit=500`).expect(200)).body.items.map((c: { id: string }) => c.id) }).not.toEqual({ q, ids: expect.arrayContaining([id]) });
    }
    expect((await as(t.secretReader).get(`/cables?q=${encodeURIComponent('semiconductor -chips')}`).expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await as(t.secretReader).get('/cables?q=KIPR&status=RELEASED&origin=STATE&tag=ETTC&limit=500').expect(200)).body.items.map((c: { id: string }) => c.id)).toContain(id);
    expect((await as(t.secretReader).get('/cables?origin=BEIJING&limit=500').expect(200)).body.items.every((c: { origin: string }) => c.origin === 'BEIJING')).toBe(true);
    expect((await as(t.secretReader).get('/cables?q=KIPR&status=RELEASED&origin=state&tag=ettc&limit=500').expect(200)).body.items.map((c: { id: string }) => c.id)).toContain(id);
  });

  it('lists the cables a user drafted (drafter=me or their id), among those the caller may read, and refuses any other drafter= with a 400 saying what it takes', async () => {
    const colleague = (await createUser(app, await loginAsAdmin(app), { username: 'jdoe.colleague', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const mine = (await as(t.drafter).post('/cables', { ...instruction, subject: 'Drafter filter: mine' }).expect(201)).body.id as string;
    const theirs = (await as(colleague).post('/cables', { ...instruction, subject: 'Drafter filter: a colleague\'s' }).expect(201)).body.id as string;
    // The office reads both drafts; the filter keeps the caller's own.
    await as(t.drafter).get(`/cables/${theirs}`).expect(200);
    const ids = async (token: string, query: string) => (await as(token).get(`/cables?${query}&limit=500`).expect(200)).body.items.map((c: { id: string }) => c.id) as string[];
    expect(await ids(t.drafter, 'status=DRAFT')).toEqual(expect.arrayContaining([mine, theirs]));
    const own = await ids(t.drafter, 'drafter=me&status=DRAFT');
    expect(own).toContain(mine);
    expect(own).not.toContain(theirs);
    const { body: me } = await as(t.drafter).get('/auth/me').expect(200);
    // By id (in any case), the same; `me` is the caller, whoever asks.
    expect(await ids(t.drafter, `drafter=${String(me.id).toUpperCase()}&status=DRAFT`)).toEqual(own);
    expect(await ids(colleague, 'drafter=ME&status=DRAFT')).toEqual([theirs]);
    const counted = await as(t.drafter).get('/cables?drafter=me&status=DRAFT&limit=1').expect(200);
    expect(counted.body.total).toBe(own.length);
    for (const drafter of ['jdoe', 'you', '', '123', 'me&drafter=me']) {
      const refused = await as(t.drafter).get(`/cables?drafter=${drafter}`).expect(400).expect('Content-Type', /application\/problem\+json/);
      expect({ drafter, body: refused.body }).toMatchObject({ drafter, body: { code: 'VALIDATION_FAILED', errors: [{ field: 'drafter', message: expect.stringMatching(/me or a user id/) }] } });
    }
  });

  it('answers a list page and its total from one read, whatever commits meanwhile', async () => {
    // Two writers draft cables and submit them as fast as they can (each enters the list of the
    // drafter's drafts, then leaves it), while the drafter reads that list whole and past its end:
    // each answer must list what its total counts.
    const churner = (await createUser(app, await loginAsAdmin(app), { username: 'jdoe.churn', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const draft = { kind: 'INFORMATIONAL', subject: 'Churn', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'], actionAddressees: ['TOKYO'], paragraphs: [{ marking: 'U', text: 'Churn.' }] };
    for (let i = 0; i < 12; i++) await as(churner).post('/cables', { ...draft, subject: `Churn kept ${i}` }).expect(201);
    let writing = true;
    const writer = async (name: string) => {
      for (let n = 0; writing; n++) {
        const { body } = await as(churner).post('/cables', { ...draft, subject: `${name} ${n}` }).expect(201);
        await as(churner).post(`/cables/${body.id}/submit`).expect(200);
      }
    };
    const writers = [writer('Churn A'), writer('Churn B')];
    try {
      for (let i = 0; i < 100; i++) {
        const whole = (await as(churner).get('/cables?drafter=me&status=DRAFT&limit=200').expect(200)).body as { items: unknown[]; total: number };
        expect({ i, listed: whole.items.length }).toEqual({ i, listed: whole.total });
        const past = (await as(churner).get('/cables?drafter=me&status=DRAFT&limit=5&offset=11').expect(200)).body as { items: unknown[]; total: number };
        expect({ i, listed: past.items.length }).toEqual({ i, listed: Math.min(5, Math.max(0, past.total - 11)) });
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }
  });

  it('names the officers a cable and its history name, by id, with their display names (`people`, as a delivery\'s)', async () => {
    const admin = await loginAsAdmin(app);
    const ada = await createUser(app, admin, { username: 'people.drafter', displayName: 'Ada Lovelace', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const grace = await createUser(app, admin, { username: 'people.legal', displayName: 'Grace Hopper', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    const id = (await as(ada.token).post('/cables', { ...instruction, subject: 'People named' }).expect(201)).body.id as string;
    await as(ada.token).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await as(grace.token).post(`/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    const { body: cable } = await as(ada.token).get(`/cables/${id}`).expect(200);
    expect(cable.people).toEqual({
      [ada.id]: { username: 'people.drafter', displayName: 'Ada Lovelace' },
      [grace.id]: { username: 'people.legal', displayName: 'Grace Hopper' },
    });
    const { body: history } = await as(ada.token).get(`/cables/${id}/history`).expect(200);
    expect(history.people).toEqual(cable.people);
    // A page of the history names the officers of its own events only.
    expect((await as(ada.token).get(`/cables/${id}/history?limit=1`).expect(200)).body.people).toEqual({ [ada.id]: { username: 'people.drafter', displayName: 'Ada Lovelace' } });
  });

  it('reads accented letters as plain ones in a search, both ways, and writes anew, once, the documents stored with their accents', async () => {
    const { body: drafted } = await as(t.drafter).post('/cables', {
      ...instruction, subject: 'Démarche on the Côte d\'Ivoire fisheries accord',
      paragraphs: [{ marking: 'C', text: 'Raise the Zürich talks with the naïve draft.' }], demarche: undefined, kind: 'INFORMATIONAL',
    }).expect(201);
    const found = async (q: string) => (await as(t.secretReader).get(`/cables?q=${encodeURIComponent(q)}&limit=500`).expect(200)).body.items.map((c: { id: string }) => c.id);
    for (const q of ['demarche', 'Démarche', 'cote d\'ivoire', 'COTE', 'zurich', 'Zürich talks', '"naive draft"']) expect({ q, found: await found(q) }).toEqual({ q, found: expect.arrayContaining([drafted.id]) });
    // Accents ignored, nothing else is: another word is not found, nor is one excluded let through.
    expect(await found('fisherie -cote')).not.toContain(drafted.id);
    expect(await found('cotes divoire tuna')).not.toContain(drafted.id);

    // A document an earlier version stored, its accents kept, is found by the accented word alone;
    // the repair, once per database, writes it anew from the cable.
    await dataSource.query(
      `UPDATE cables SET search = setweight(to_tsvector('english', subject), 'A') || to_tsvector('english', $2) || to_tsvector('simple', array_to_string(tags, ' ')) WHERE id = $1`,
      [drafted.id, 'Raise the Zürich talks with the naïve draft.'],
    );
    expect(await found('demarche')).not.toContain(drafted.id);
    const repair = app.get(CableSearchRepair);
    await repair.whenDone(); // the start's own run, done before this test's damage
    await dataSource.query(`DELETE FROM data_repairs WHERE name = 'cable-search-accents'`);
    expect(await repair.run()).toBeGreaterThanOrEqual(1);
    for (const q of ['demarche', 'zurich', 'Démarche']) expect({ q, found: await found(q) }).toEqual({ q, found: expect.arrayContaining([drafted.id]) });
    const [row] = await dataSource.query('SELECT version, search::text AS search FROM cables WHERE id = $1', [drafted.id]);
    expect(row).toEqual({ version: 1, search: expect.not.stringMatching(/[^\x01-\x7F]/) });
    // Once: a restart does not run it again.
    expect(await repair.run()).toBe(0);
  });

  it('drafts and edits a cable of text made to swell its search document, and searches its first 150,000 characters', async () => {
    // Distinct five-letter words: ~650 KB of text makes a search document of ~1.6 MB, over
    // PostgreSQL's 1 MB for a tsvector, which answered 500 before the document read a bounded part.
    // The n-th word: n written in base 24 with the letters b to y, five of them.
    const word = (n: number) => Array.from({ length: 5 }, (_, i) => String.fromCharCode(98 + (Math.floor(n / 24 ** i) % 24))).join('');
    let n = 0;
    const paragraph = () => {
      let text = '';
      while (text.length < 19_000) text += `${word(n++)} `;
      return { marking: 'U' as const, text: text.trim() };
    };
    const paragraphs = Array.from({ length: 34 }, paragraph);
    const swollen = { ...instruction, subject: 'Swollen text', paragraphs: [{ marking: 'C', text: 'Opening words of the swollen cable.' }, ...paragraphs], demarche: undefined, kind: 'INFORMATIONAL' };
    const { body: drafted } = await as(t.drafter).post('/cables', swollen).expect(201);
    const read = await as(t.drafter).get(`/cables/${drafted.id}`).expect(200);
    expect(read.body.paragraphs.map((p: { text: string }) => p.text)).toEqual(swollen.paragraphs.map((p) => p.text));
    const found = async (q: string) => (await as(t.drafter).get(`/cables?q=${encodeURIComponent(q)}&limit=500`).expect(200)).body.items.map((c: { id: string }) => c.id);
    expect(await found('swollen')).toContain(drafted.id);
    expect(await found(paragraphs[0].text.slice(0, 5))).toContain(drafted.id);
    // Past the first 150,000 characters, words are kept and read but not searched.
    expect(await found(paragraphs[33].text.slice(-5))).not.toContain(drafted.id);
    const edited = await as(t.drafter).patch(`/cables/${drafted.id}`, { paragraphs: [...paragraphs.reverse(), { marking: 'U', text: 'Closing words.' }] }).set('If-Match', '"1"').expect(200);
    expect(edited.body.version).toBe(2);
    expect(await found(paragraphs[0].text.slice(0, 5))).toContain(drafted.id);
  });

  it('takes the markings through HTTP: subject mark, derived-from with 25X, event-based declassification, controlled TAGS', async () => {
    const derived = {
      ...instruction,
      subject: 'Follow-up on distillation',
      subjectMarking: 'C',
      tags: ['PREL', 'KIPR', 'CH', 'UNSC'],
      actionAddressees: ['EAP_POSTS'],
      infoAddressees: ['USUNNEWYORK'],
      classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: [], derivedFrom: 'EAP classification guide 2026', exemption: '25X1', declassifyOn: '2071-01-01' },
    };
    // A post an action collective holds is an action addressee: not named for information beside it.
    const overlapping = await as(t.drafter).post('/cables', { ...derived, actionAddressees: ['ALDAC'] }).expect(422);
    expect(overlapping.body.errors).toEqual([{ field: 'infoAddressees', message: expect.stringMatching(/^USUNNEWYORK is an action addressee through ALDAC/) }]);
    const { body } = await as(t.drafter).post('/cables', derived).expect(201);
    expect(body).toMatchObject({ subjectMarking: 'C', classifiedBy: { derivedFrom: 'EAP classification guide 2026', exemption: '25X1' } });
    const telegram = (await as(t.drafter).get(`/cables/${body.id}/telegram`).expect(200)).text;
    expect(telegram).toContain('SUBJECT: (C) FOLLOW-UP ON DISTILLATION');
    expect(telegram).toMatch(/DERIVED FROM: EAP\s+classification guide 2026\./);
    expect(telegram).toContain('E.O. 13526: DECL: 25X1, 01/01/2071');
    expect(telegram).toContain('TO ALL EAST ASIAN AND PACIFIC POSTS COLLECTIVE IMMEDIATE');
    expect(telegram).toContain('INFO USMISSION USUN NEW YORK IMMEDIATE');
    expect(telegram).toMatch(/\nNNNN\n$/);
    // A merge patch keeps the members it leaves out: an original classification nulls the derivative's.
    const event = { ...instruction.classifiedBy, declassifyOn: 'Conclusion of the bilateral dialogue' };
    const original = await as(t.drafter).patch(`/cables/${body.id}`, { classifiedBy: { ...event, derivedFrom: null, exemption: null } }).expect(200);
    expect(original.body.classifiedBy).toEqual(event);

    const iso = await as(t.drafter).post('/cables', { ...instruction, tags: ['PREL', 'DE'] }).expect(422);
    expect(iso.body.errors[0]).toEqual({ field: 'tags', message: expect.stringMatching(/Germany is GM/) });
    const noforn = await as(t.drafter).post('/cables', { ...instruction, classification: 'UNCLASSIFIED', captions: ['NOFORN'], paragraphs: [{ marking: 'U', text: 'Open.' }], classifiedBy: undefined }).expect(422);
    expect(noforn.body.errors[0]).toEqual({ field: 'captions', message: expect.stringMatching(/NOFORN applies only to classified or SBU traffic/) });
    expect((await as(t.drafter).get('/cables?tag=UNSC&limit=500').expect(200)).body.items.map((c: { id: string }) => c.id)).toContain(body.id);
  });
});
