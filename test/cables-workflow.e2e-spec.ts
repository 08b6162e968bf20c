import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { cableDefinition, dateTimeGroup, formatMrn, ReturnedCableClearancesRepair } from '@chancery/cables';
import { systemContext } from '@chancery/common';
import { AggregateRepositoryFactory } from '@chancery/event-store';
import { authed, clearForCollective } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * domain.md's worked example, played through HTTP as the offices would work it: the desk drafts an
 * ALDAC instruction on the distillation of U.S. AI models; L clears with edits; ISN clears with
 * comments; an office asked by mistake is withdrawn; EB does not concur and its request is
 * withdrawn; the collective tasking rule asks for every bureau and S/ES-O; the approver edits and
 * returns it; the offices whose text changed clear again; it is approved and released; Beijing
 * answers by a reporting cable that cites it by REF, which the desk finds by ?ref=, in the
 * instruction's replies and by searching the MRN.
 */
const instruction = {
  kind: 'INSTRUCTION',
  subject: 'Demarche: extraction and distillation of U.S. AI models',
  classification: 'CONFIDENTIAL',
  captions: ['SIPDIS'],
  precedence: 'IMMEDIATE',
  tags: ['PREL', 'ETTC', 'TSPL', 'KIPR'],
  actionAddressees: ['ALDAC'],
  paragraphs: [
    { marking: 'U', text: 'This is an action request; see paragraph 3.' },
    { marking: 'C', text: 'Foreign firms are systematically querying U.S. frontier AI models to extract and distill their capabilities.' },
    { marking: 'U', text: 'Posts should raise these concerns with host governments and report their responses.' },
  ],
  classifiedBy: { name: 'Jane Doe', title: 'Director', office: 'EAP/CM', reasons: ['1.4(b)', '1.4(d)'], declassifyOn: '2050-12-31' },
  demarche: { reportBy: '2099-01-15', targets: 'Foreign ministry, director-general level', points: [2, 3] },
};

describe('the AI-distillation instruction, worked as the Department works it', () => {
  let database: TestDatabase;
  let app: INestApplication;
  const t = {} as Record<'desk' | 'legal' | 'isn' | 'eb' | 'japan' | 'approver' | 'beijing' | 'ambassador' | 'tokyo' | 'admin', string>;
  const as = (token: string) => authed(app, token);

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    const admin = await loginAsAdmin(app);
    const user = async (username: string, roles: string[], place: { office?: string; postCode?: string; displayName?: string }) =>
      (await createUser(app, admin, { username, roles, clearance: 'SECRET', ...place })).token;
    t.desk = await user('jdoe', ['drafter'], { office: 'EAP/CM' });
    t.legal = await user('lclear', ['clearer'], { office: 'L' });
    t.isn = await user('iclear', ['clearer'], { office: 'ISN' });
    t.eb = await user('eclear', ['clearer'], { office: 'EB' });
    t.japan = await user('jclear', ['clearer'], { office: 'EAP/J' });
    t.approver = await user('dsec', ['approver'], { office: 'EAP', displayName: 'Dana Secretary' });
    t.beijing = await user('bjpol', ['post_officer'], { postCode: 'BEIJING' });
    t.ambassador = await user('bjamb', ['approver'], { postCode: 'BEIJING' });
    t.tokyo = await user('tkpol', ['post_officer'], { postCode: 'TOKYO' });
    t.admin = admin;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('drafts, clears with edits, withdraws, returns, re-clears, releases, and threads the reply', async () => {
    const { body: drafted } = await as(t.desk).post('/cables', instruction).expect(201);
    const id = drafted.id as string;
    const get = async (token = t.desk) => (await as(token).get(`/cables/${id}`).expect(200)).body;
    const statusOf = (cable: { clearances: { office: string; status: string }[] }) => Object.fromEntries(cable.clearances.map((c) => [c.office, c.status]));

    // Only offices in the directory are asked.
    const unknown = await as(t.desk).post(`/cables/${id}/clearance-requests`, { offices: ['L', 'ZZZ/QQ'] }).expect(422);
    expect(unknown.body.errors).toEqual([{ field: 'offices', message: expect.stringMatching(/ZZZ\/QQ is not an office in the directory/) }]);
    // Office symbols in any case, as the routes that name one in the path take them.
    await as(t.desk).post(`/cables/${id}/clearance-requests`, { offices: ['l', 'ISN', 'eb', 'EAP/J'] }).expect(200);

    // An office that could be no office is a 400 naming the parameter, saying nothing of the cable.
    for (const office of ['..', '%20', 'not-a-symbol', 'L'.repeat(2000)]) {
      const refused = await as(t.desk).delete(`/cables/${id}/clearance-requests/${office}`);
      expect({ office: office.slice(0, 20), status: refused.status, errors: refused.body.errors }).toEqual({ office: office.slice(0, 20), status: 400, errors: [{ field: 'office', message: 'must be an office symbol such as EAP/CM (its slash sent as %2F)' }] });
    }
    // EAP/J was asked by mistake: the drafter withdraws the request (its symbol in any case), and EAP/J no longer reads the draft.
    const withdrawn = await as(t.desk).delete(`/cables/${id}/clearance-requests/${encodeURIComponent('eap/j')}`).expect(200);
    expect(Object.keys(statusOf(withdrawn.body))).toEqual(['L', 'ISN', 'EB']);
    expect(withdrawn.body.withdrawals).toEqual([expect.objectContaining({ office: 'EAP/J', status: 'PENDING', by: expect.objectContaining({ username: 'jdoe' }) })]);
    await as(t.japan).get(`/cables/${id}`).expect(403);
    await as(t.desk).delete(`/cables/${id}/clearance-requests/${encodeURIComponent('EAP/J')}`).expect(422);
    // The drafter is not offered submit while offices asked have not cleared, and is told which, as the command says it.
    const refusedSubmit = await as(t.desk).post(`/cables/${id}/submit`).expect(422);
    const inClearance = await get();
    expect(inClearance.allowedActions).not.toContain('submit');
    // The refusal's own words, a reason a rule (the refusal says the clearance rules together).
    expect(inClearance.blockedActions).toEqual([{ action: 'submit', reasons: [expect.stringMatching(/^clearances still needed: /), expect.stringMatching(/^clearances required and not given: /)] }]);
    expect(inClearance.blockedActions[0].reasons.join('; ')).toBe(refusedSubmit.body.detail);
    expect(refusedSubmit.body.detail).toMatch(/^clearances still needed: L \(not answered yet\), ISN \(not answered yet\), EB \(not answered yet\)/);
    // Others see no step of the drafter's.
    expect((await get(t.legal)).blockedActions).toEqual([]);

    // ISN clears with comments; then L clears with edits: L's edit is L's, it stales ISN, not L.
    expect((await get(t.legal)).allowedActions).toEqual(['edit', 'clear']);
    await as(t.isn).post(`/cables/${id}/clearances`, { office: 'ISN', decision: 'CLEARED_WITH_COMMENTS', comments: 'Name the export-control angle in paragraph 2.' }).expect(200);
    await as(t.legal).post(`/cables/${id}/clearances`, { office: 'l', decision: 'CLEARED' }).expect(200);
    await as(t.legal).post(`/cables/${id}/clearances`, { office: 'L', decision: 'NON_CONCUR', comments: 'second thoughts' }).expect(409);
    const legalText = [instruction.paragraphs[0], { marking: 'C', text: `${instruction.paragraphs[1].text} Some of it may breach U.S. export controls.` }, instruction.paragraphs[2]];
    const byLegal = await as(t.legal).patch(`/cables/${id}`, { paragraphs: legalText }).expect(200);
    expect(statusOf(byLegal.body)).toEqual({ L: 'CLEARED', ISN: 'STALE', EB: 'PENDING' });
    expect(byLegal.body.edits).toEqual([expect.objectContaining({ by: expect.objectContaining({ username: 'lclear' }), office: 'L', as: 'clearer', fields: ['paragraphs'] })]);
    // ISN sees what changed since it cleared, and by whom.
    expect(byLegal.body.clearances.find((c: { office: string }) => c.office === 'ISN')).toMatchObject({
      comments: 'Name the export-control angle in paragraph 2.',
      editsSince: [expect.objectContaining({ office: 'L', fields: ['paragraphs'] })],
    });
    // The edit and its staling are one change: a past read never stops between them, by version or by instant.
    const stages = (await as(t.desk).get(`/cables/${id}/history`).expect(200)).body.items as { version: number; type: string; at: string }[];
    const [editStage, staled] = stages.slice(-2);
    expect([editStage.type, staled.type, staled.version]).toEqual(['CableEdited', 'ClearancesMadeStale', byLegal.body.version]);
    for (const past of [`?version=${editStage.version}`, `?asOf=${encodeURIComponent(editStage.at)}`]) {
      const then = (await as(t.desk).get(`/cables/${id}${past}`).expect(200)).body;
      expect({ past, version: then.version, clearances: statusOf(then) }).toEqual({ past, version: staled.version, clearances: { L: 'CLEARED', ISN: 'STALE', EB: 'PENDING' } });
      const telegram = (await as(t.desk).get(`/cables/${id}/telegram${past}`).expect(200)).text;
      expect({ past, cleared: telegram.match(/^Cleared:.*$/m)?.[0] }).toEqual({ past, cleared: expect.not.stringMatching(/ISN:[^,]*\(with comments\)/) });
    }
    // A clearer of an office not asked edits nothing.
    await as(t.japan).patch(`/cables/${id}`, { subject: 'x' }).expect(403);
    await as(t.isn).post(`/cables/${id}/clearances`, { office: 'ISN', decision: 'CLEARED' }).expect(200);

    // EB does not concur: the cable is blocked until EB clears or the request is withdrawn.
    await as(t.eb).post(`/cables/${id}/clearances`, { office: 'EB', decision: 'NON_CONCUR', comments: 'Paragraph 2 overstates the evidence.' }).expect(200);
    const blocked = await as(t.desk).post(`/cables/${id}/submit`).expect(422);
    expect(blocked.body.detail).toMatch(/EB \(does not concur\)/);
    // Asked again, EB does not answer; its objection is not shown beside the pending request, and
    // the withdrawal keeps it for the approver (not "never answered").
    const askedAgain = await as(t.desk).post(`/cables/${id}/clearance-requests`, { offices: ['EB'] }).expect(200);
    expect(askedAgain.body.clearances.find((c: { office: string }) => c.office === 'EB')).toEqual(expect.objectContaining({ status: 'PENDING', comments: null }));
    expect(askedAgain.text).not.toContain('objection');
    await as(t.desk).delete(`/cables/${id}/clearance-requests/EB`).expect(200);
    // EB's clearer took part in its deliberation: they still read it, and what became of their objection.
    expect((await get(t.eb)).withdrawals).toEqual(expect.arrayContaining([expect.objectContaining({ office: 'EB', status: 'NON_CONCUR' })]));

    // The collective tasking rule: every bureau whose posts ALDAC tasks, and S/ES-O, by name.
    const collective = await as(t.desk).post(`/cables/${id}/submit`).expect(422);
    for (const office of ['AF', 'EAP', 'EUR', 'NEA', 'SCA', 'WHA', 'IO', 'S/ES-O']) expect(collective.body.detail).toContain(`${office} (`);
    // The cable does not offer the step its command refuses: it says why, as the refusal does.
    const waiting = await get();
    expect(waiting.allowedActions).not.toContain('submit');
    expect(waiting.blockedActions).toEqual([{ action: 'submit', reasons: [collective.body.detail] }]);
    await clearForCollective(app, t.desk, id, instruction);
    expect(await get()).toMatchObject({ allowedActions: expect.arrayContaining(['submit']), blockedActions: [] });
    await as(t.desk).post(`/cables/${id}/submit`).expect(200);

    // The approver sees the withdrawals (EB's with its reasons), edits, and returns it.
    const pending = await get(t.approver);
    expect(pending.allowedActions).toEqual(['edit', 'approve', 'return', 'cancel']);
    expect(pending.withdrawals).toEqual([
      expect.objectContaining({ office: 'EAP/J', status: 'PENDING' }),
      expect.objectContaining({ office: 'EB', status: 'NON_CONCUR', comments: 'Paragraph 2 overstates the evidence.' }),
    ]);
    const byApprover = await as(t.approver).patch(`/cables/${id}`, { subject: 'Demarche: distillation of U.S. AI models' }).expect(200);
    expect(byApprover.body.edits.at(-1)).toMatchObject({ by: expect.objectContaining({ username: 'dsec' }), office: 'EAP', as: 'approver', fields: ['subject'] });
    await as(t.approver).post(`/cables/${id}/return`, { reason: 'Soften paragraph 2 before it goes to every post.' }).expect(200);
    const returned = await get();
    expect(returned).toMatchObject({ status: 'DRAFT', returns: [{ reason: 'Soften paragraph 2 before it goes to every post.', by: expect.objectContaining({ username: 'dsec' }), at: expect.any(String) }] });
    const inbox = (await as(t.desk).get('/inbox').expect(200)).body;
    // Who returned it and when, as the cable's returns[] says: the approver named by username and display name, beside their id.
    expect(inbox.returned).toEqual([expect.objectContaining({
      cableId: id, reason: 'Soften paragraph 2 before it goes to every post.', returnedBy: returned.returns[0].by.id, returnedByUsername: 'dsec', returnedByDisplayName: 'Dana Secretary', returnedAt: returned.returns[0].at,
    })]);
    // The approver changed the subject after every office cleared: each clears it again (domain.md,
    // "Clearing is joint drafting"), and the cable cannot go back to approval with their old word.
    expect(new Set(Object.values(statusOf(returned)))).toEqual(new Set(['STALE']));
    expect((await as(t.desk).post(`/cables/${id}/submit`).expect(422)).body.detail).toMatch(/L \(cleared an earlier text\)/);

    // The drafter softens paragraph 2: offices whose text changed clear again, straight away.
    const softened = [instruction.paragraphs[0], { marking: 'C', text: `${instruction.paragraphs[1].text} Some of it may raise export-control questions.` }, instruction.paragraphs[2]];
    const edited = await as(t.desk).patch(`/cables/${id}`, { paragraphs: softened }).expect(200);
    expect(new Set(Object.values(statusOf(edited.body)))).toEqual(new Set(['STALE']));
    await as(t.desk).post(`/cables/${id}/submit`).expect(422);
    expect((await get(t.legal)).allowedActions).toEqual(['edit', 'clear']);
    expect((await as(t.legal).get('/inbox').expect(200)).body.toClear.map((c: { cableId: string }) => c.cableId)).toEqual([id]);
    await as(t.legal).post(`/cables/${id}/clearances`, { office: 'l', decision: 'CLEARED' }).expect(200);
    await as(t.isn).post(`/cables/${id}/clearances`, { office: 'ISN', decision: 'CLEARED' }).expect(200);
    // The bureaus: asked again (a STALE office may be), and they clear.
    await clearForCollective(app, t.desk, id, instruction);
    await as(t.desk).post(`/cables/${id}/submit`).expect(200);
    expect((await as(t.desk).get('/inbox').expect(200)).body.returned).toEqual([]);
    await as(t.approver).post(`/cables/${id}/approve`).expect(200);
    const { body: released } = await as(t.approver).post(`/cables/${id}/release`).expect(200);
    const mrn = released.mrn as string;

    // The history shows who edited, for which office.
    const history = (await as(t.desk).get(`/cables/${id}/history`).expect(200)).body.items as { type: string; data: { by: { username: string } | null; office: string | null } }[];
    expect(history.filter((e) => e.type === 'CableEdited').map((e) => `${e.data.office}:${e.data.by?.username}`)).toEqual(['L:lclear', 'EAP:dsec', 'EAP/CM:jdoe']);
    expect(history.map((e) => e.type)).toContain('ClearanceRequestWithdrawn');

    // Beijing delivers and reports by a cable that cites the instruction by REF.
    const report = {
      ...instruction, kind: 'REPORTING', demarche: undefined, actionAddressees: ['SECSTATE'], tags: ['PREL', 'ETTC', 'CH'],
      subject: 'PRC rejects U.S. concerns on AI model distillation as baseless', references: [{ label: 'A', mrn }],
      paragraphs: [{ marking: 'C', text: 'MFA called the allegations baseless and urged the U.S. to stop politicising technology.' }],
    };
    const beforeReply = new Date().toISOString();
    const { body: reply } = await as(t.beijing).post('/cables', report).expect(201);
    await as(t.beijing).post(`/cables/${reply.id}/submit`).expect(200);
    await as(t.ambassador).post(`/cables/${reply.id}/approve`).expect(200);
    await as(t.ambassador).post(`/cables/${reply.id}/release`).expect(200);
    // Signed under the chief of mission's authority: by the approver while the post records no chief
    // of mission, by the chief of mission's surname once it does; a post keeps its name. A released
    // telegram never changes: naming a chief of mission (or renaming its drafter) later changes
    // nothing in it; the next cable is signed by the new chief.
    const asReleased = (await as(t.desk).get(`/cables/${reply.id}/telegram`).expect(200)).text;
    expect(asReleased).toMatch(/\nBJAMB\n/);
    // The text is the release's own record, in its event (and so in the audit log's hash of it).
    const releasedEvent = ((await as(t.desk).get(`/cables/${reply.id}/history`).expect(200)).body.items as { type: string; data: { telegram?: string } }[]).find((e) => e.type === 'CableReleased');
    expect(releasedEvent?.data.telegram).toBe(asReleased);
    const chief = await as(t.admin).patch('/posts/BEIJING', { chiefOfMission: 'Margaret Ellison' }).expect(200);
    expect(chief.body).toMatchObject({ code: 'BEIJING', chiefOfMission: 'Margaret Ellison' });
    const beijingOfficer = (await as(t.beijing).get('/auth/me').expect(200)).body.id;
    await as(t.admin).patch(`/users/${beijingOfficer}`, { displayName: 'Renamed Since' }).expect(200);
    expect((await as(t.desk).get(`/cables/${reply.id}/telegram`).expect(200)).text).toBe(asReleased);
    const next = (await as(t.beijing).post('/cables', { ...report, references: [], subject: 'PRC follow-up on AI distillation' }).expect(201)).body;
    await as(t.beijing).post(`/cables/${next.id}/submit`).expect(200);
    await as(t.ambassador).post(`/cables/${next.id}/approve`).expect(200);
    await as(t.ambassador).post(`/cables/${next.id}/release`).expect(200);
    expect((await as(t.beijing).get(`/cables/${next.id}/telegram`).expect(200)).text).toMatch(/\nELLISON\n/);
    await as(t.admin).patch('/posts/BEIJING', { name: null }).expect(400);
    await as(t.admin).patch('/posts/BEIJING', {}).expect(400);
    expect((await as(t.desk).get('/posts/BEIJING').expect(200)).body).toMatchObject({ name: 'Embassy Beijing', chiefOfMission: 'Margaret Ellison' });

    // The desk reads all replies to its tasking together: by ?ref=, on the cable, by searching the MRN.
    const compact = mrn.replace(/^(\d\d) ([A-Z]+) 0*(\d+)$/, '$1$2$3');
    for (const ref of [mrn, compact]) {
      const cited = (await as(t.desk).get(`/cables?ref=${encodeURIComponent(ref)}`).expect(200)).body;
      expect(cited.items.map((c: { id: string }) => c.id)).toEqual([reply.id]);
    }
    // Each marked as the reply itself is, captions and all (the cable's page is bannered with them).
    const replyCaptions = (await as(t.desk).get(`/cables/${reply.id}`).expect(200)).body.captions;
    expect(replyCaptions.length).toBeGreaterThan(0);
    expect((await get()).replies).toEqual([expect.objectContaining({ id: reply.id, origin: 'BEIJING', subject: report.subject, classification: 'CONFIDENTIAL', captions: replyCaptions })]);
    // As it stood before the reply was written, the instruction had none.
    expect((await as(t.desk).get(`/cables/${id}?asOf=${encodeURIComponent(beforeReply)}`).expect(200)).body.replies).toEqual([]);
    const searched = (await as(t.desk).get(`/cables?q=${encodeURIComponent(compact)}`).expect(200)).body;
    expect(searched.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([id, reply.id]));
    // Tokyo received the instruction but not Beijing's reply: its replies and ?ref= leave it out.
    expect((await get(t.tokyo)).replies).toEqual([]);
    expect((await as(t.tokyo).get(`/cables?ref=${encodeURIComponent(mrn)}`).expect(200)).body.total).toBe(0);

    // A post's incoming traffic: released cables to it, for action or for information.
    const toBeijing = (await as(t.beijing).get('/cables?addressee=BEIJING&role=action').expect(200)).body;
    expect(toBeijing.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await as(t.beijing).get('/cables?addressee=BEIJING&role=info').expect(200)).body.total).toBe(0);
    await as(t.beijing).get('/cables?addressee=BEIJING&role=cc').expect(400);
    // A post's code in the query is read in any case, as in a path; what is wrong is said as it is.
    expect((await as(t.beijing).get('/cables?addressee=beijing&role=action').expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await as(t.beijing).get('/cables?role=action').expect(400)).body.errors).toEqual([{ field: 'role', message: 'role needs addressee beside it (addressee=BEIJING&role=action)' }]);
    expect((await as(t.beijing).get('/cables?addressee=bei-jing').expect(400)).body.errors).toEqual([{ field: 'addressee', message: 'addressee must be a post code such as BEIJING' }]);
  });

  it('addresses only open posts at every step to release: a post suspended while its cable waits stops it until it reopens', async () => {
    const note = { ...instruction, kind: 'INFORMATIONAL', subject: 'Readout of the AI dialogue', demarche: undefined, actionAddressees: ['BEIJING'], infoAddressees: ['PARIS'] };
    const { body: draft } = await as(t.desk).post('/cables', note).expect(201);
    const url = `/cables/${draft.id}`;
    const suspend = () => as(t.admin).post('/posts/PARIS/suspend', { reason: 'Strikes close the chancery' }).expect(200);
    const reopen = () => as(t.admin).post('/posts/PARIS/reopen').expect(200);
    const refusedFor = async (step: Promise<{ status: number; body: { detail: string; errors: { field: string; message: string }[] } }>, remedy: RegExp) => {
      const answer = await step;
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toEqual([{ field: 'infoAddressees', message: expect.stringMatching(new RegExp(`^PARIS is no longer an open post: ${remedy.source}`)) }]);
      // Whoever would take the step is not offered it, and is told why.
      const action = /submit/.test(remedy.source) ? 'submit' : /return it/.test(remedy.source) ? 'approve' : 'release';
      const viewed = (await as(action === 'submit' ? t.desk : t.approver).get(url).expect(200)).body;
      expect({ offered: viewed.allowedActions.includes(action), blocked: viewed.blockedActions }).toEqual({ offered: false, blocked: [{ action, reasons: [answer.body.errors[0].message] }] });
    };
    await suspend();
    await refusedFor(as(t.desk).post(`${url}/submit`), /edit its addressees, then submit it/);
    await reopen();
    await as(t.desk).post(`${url}/submit`).expect(200);
    await suspend();
    await refusedFor(as(t.approver).post(`${url}/approve`), /edit its addressees, or return it/);
    await reopen();
    await as(t.approver).post(`${url}/approve`).expect(200);
    await suspend();
    await refusedFor(as(t.approver).post(`${url}/release`), /an approved cable is no longer edited/);
    expect((await as(t.desk).get(url).expect(200)).body).toMatchObject({ status: 'APPROVED', mrn: null });
    await reopen();
    const released = await as(t.approver).post(`${url}/release`).expect(200);
    expect(released.body.distribution).toEqual(['BEIJING', 'PARIS']);
  });

  it('reopens, once, at start, the clearances an earlier version left standing on a cable it returned after the approver changed the text', async () => {
    const note = { ...instruction, kind: 'INFORMATIONAL', actionAddressees: ['TOKYO'], demarche: undefined, subject: 'Returned by an earlier version' };
    const returnedEarlier = async (subject: string, approverEdits: boolean) => {
      const { body } = await as(t.desk).post('/cables', { ...note, subject }).expect(201);
      await as(t.desk).post(`/cables/${body.id}/clearance-requests`, { offices: ['L', 'ISN'] }).expect(200);
      await as(t.legal).post(`/cables/${body.id}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
      await as(t.isn).post(`/cables/${body.id}/clearances`, { office: 'ISN', decision: 'CLEARED' }).expect(200);
      await as(t.desk).post(`/cables/${body.id}/submit`).expect(200);
      if (approverEdits) await as(t.approver).patch(`/cables/${body.id}`, { paragraphs: [{ marking: 'U', text: 'The approver rewrote it.' }] }).expect(200);
      // What versions without the rule did: the return alone, the clearances standing.
      await app.get(AggregateRepositoryFactory).for(cableDefinition).update(systemContext('earlier-version'), 'ReturnCable', body.id, (cable) =>
        cable.apply({ type: 'CableReturned', data: { by: { id: 'earlier', username: 'dsec', office: 'EAP' }, reason: 'Returned before the rule', at: new Date().toISOString() } }), () => undefined);
      return body.id as string;
    };
    const rewritten = await returnedEarlier('Rewritten by the approver, returned by an earlier version', true);
    const untouched = await returnedEarlier('Returned untouched by an earlier version', false);
    // Resubmitted since on the old clearances, now waiting for approval: its approver is shown them stale.
    const resubmitted = await returnedEarlier('Rewritten, returned and resubmitted under an earlier version', true);
    await as(t.desk).post(`/cables/${resubmitted}/submit`).expect(200);
    const clearances = async (id: string) => Object.fromEntries(((await as(t.desk).get(`/cables/${id}`).expect(200)).body.clearances as { office: string; status: string }[]).map((c) => [c.office, c.status]));
    expect(await clearances(rewritten)).toEqual({ L: 'CLEARED', ISN: 'CLEARED' }); // the hole an earlier version left

    const repair = app.get(ReturnedCableClearancesRepair);
    const dataSource = app.get(DataSource);
    await repair.whenDone(); // the run the start began, on no such data
    expect(await dataSource.query(`SELECT changed FROM data_repairs WHERE name = 'returned-cable-clearances'`)).toEqual([{ changed: 0 }]);
    await dataSource.query(`DELETE FROM data_repairs WHERE name = 'returned-cable-clearances'`);
    expect(await repair.run()).toBe(2);
    expect(await clearances(rewritten)).toEqual({ L: 'STALE', ISN: 'STALE' });
    expect(await clearances(resubmitted)).toEqual({ L: 'STALE', ISN: 'STALE' });
    expect(await clearances(untouched)).toEqual({ L: 'CLEARED', ISN: 'CLEARED' });
    expect((await as(t.desk).post(`/cables/${rewritten}/submit`).expect(422)).body.detail).toMatch(/L \(cleared an earlier text\)/);
    expect((await as(t.legal).get('/inbox').expect(200)).body.toClear.map((c: { cableId: string }) => c.cableId)).toContain(rewritten);
    expect(await dataSource.query(`SELECT actor_id, action FROM audit_log WHERE request_id = 'returned-cable-clearances'`)).toEqual([
      { actor_id: 'system', action: 'ReopenReturnedCableClearances' }, { actor_id: 'system', action: 'ReopenReturnedCableClearances' },
    ]);
    // Once: a restart does not run it again.
    expect(await repair.run()).toBe(0);
    expect(await dataSource.query(`SELECT changed FROM data_repairs WHERE name = 'returned-cable-clearances'`)).toEqual([{ changed: 2 }]);
  });
  it('answers a released telegram as its release recorded it, and renders one released before the text was kept as of its release, a past version as of then', async () => {
    const note = { ...instruction, kind: 'INFORMATIONAL', actionAddressees: ['TOKYO'], demarche: undefined };
    const approved = async (subject: string) => {
      const { body } = await as(t.desk).post('/cables', { ...note, subject }).expect(201);
      await as(t.desk).post(`/cables/${body.id}/submit`).expect(200);
      await as(t.approver).post(`/cables/${body.id}/approve`).expect(200);
      return body.id as string;
    };
    // Released as an earlier version did, with no text recorded; and one whose recorded text is not
    // what today's renderer would write (a format changed since): that text, word for word, is the telegram.
    const releaseAsEarlier = (id: string, serial: number, telegram?: string) =>
      app.get(AggregateRepositoryFactory).for(cableDefinition).update(systemContext('earlier-version'), 'ReleaseCable', id, (cable) => {
        const now = new Date();
        cable.apply({ type: 'CableReleased', data: { by: { id: 'earlier', username: 'dsec', office: 'EAP' }, mrn: formatMrn(now.getUTCFullYear(), 'STATE', serial), releasedAt: now.toISOString(), dateTimeGroup: dateTimeGroup(now), distribution: { action: ['TOKYO'], info: [] }, ...(telegram === undefined ? {} : { telegram }) } });
      }, () => undefined);
    const legacy = await approved('Released before telegrams were kept');
    await releaseAsEarlier(legacy, 990001);
    const recorded = await approved('Released under an older telegram format');
    await releaseAsEarlier(recorded, 990002, 'CONFIDENTIAL\nAS SENT UNDER AN OLDER FORMAT\nNNNN\n');

    const legacyText = (await as(t.desk).get(`/cables/${legacy}/telegram`).expect(200)).text;
    expect(legacyText).toMatch(/^MRN: \d\d STATE 990001 /m);
    expect(legacyText).toMatch(/^Drafted: EAP\/CM:/m);
    expect((await as(t.desk).get(`/cables/${recorded}/telegram`).expect(200)).text).toBe('CONFIDENTIAL\nAS SENT UNDER AN OLDER FORMAT\nNNNN\n');
    const approvedVersion = (await as(t.desk).get(`/cables/${legacy}/history`).expect(200)).body.items.find((e: { type: string }) => e.type === 'CableApproved').version;
    const approvedText = (await as(t.desk).get(`/cables/${legacy}/telegram?version=${approvedVersion}`).expect(200)).text;
    expect(approvedText).toMatch(/^MRN: NOT RELEASED$/m);
    // Renaming its drafter since changes neither, nor a past version's: the old one names them as
    // they stood at its release, a version as they stood when it was recorded.
    const { body: before } = await as(t.desk).post('/cables', { ...note, subject: 'Drafted before the rename' }).expect(201);
    const desk = (await as(t.desk).get('/auth/me').expect(200)).body.id;
    await as(t.admin).patch(`/users/${desk}`, { displayName: 'Quentin Renamed' }).expect(200);
    expect((await as(t.desk).get(`/cables/${legacy}/telegram`).expect(200)).text).toBe(legacyText);
    expect((await as(t.desk).get(`/cables/${legacy}/telegram?version=${approvedVersion}`).expect(200)).text).toBe(approvedText);
    expect(legacyText).not.toMatch(/QRenamed/);
    // A draft names them as they are.
    const { body: draft } = await as(t.desk).post('/cables', { ...note, subject: 'Drafted after the rename' }).expect(201);
    const draftText = (await as(t.desk).get(`/cables/${draft.id}/telegram`).expect(200)).text;
    expect(draftText).toMatch(/^Drafted: EAP\/CM:QRenamed$/m);
    // A draft's current version asked for by number is the draft as it is, read the same way.
    const beforeText = (await as(t.desk).get(`/cables/${before.id}/telegram`).expect(200)).text;
    expect(beforeText).toMatch(/^Drafted: EAP\/CM:QRenamed$/m);
    expect((await as(t.desk).get(`/cables/${before.id}/telegram?version=1`).expect(200)).text).toBe(beforeText);
  });
});
