import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ProjectionRunner, START_OF_FEED } from '@chancery/event-store';
import { LiveFeed } from '../../apps/api/src/live/live-feed.js';
import { listening, openStream, type OpenStream } from '../support/sse.js';
import { createTestApp, createUser, loginAsAdmin } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  type AnyRecord, type CableRecord, type CampaignRecord, type ClearanceLevel, type DeliveryRecord, type FollowUpRecord, type Markings, type Role, type Standing, type User,
  entitled, mayRead, mayReadVersion,
} from './entitlements.oracle.js';

/**
 * The canary test (issue #14). A population of people (every role, every clearance, Washington and
 * three posts) and records (cables of every classification and caption, one edited down and one
 * edited up, returned, cancelled, at every stage; campaigns and deliveries; follow-ups linked to
 * each) is built through the API; every text field carries a unique canary. Then, as every person,
 * it walks every GET route of the OpenAPI document, every past version, every list and search, and
 * sends every command to every record (with an If-Match that cannot hold, so nothing is written):
 * any canary in an answer that the person is not entitled to fails it. Entitlement comes from the
 * oracle (entitlements.oracle.ts), written from domain.md and api.md without the policy code, and
 * fed from this test's own bookkeeping, never from the API's answers.
 */

// ------------------------------------------------------------------------------------------------
// Canaries: one token per text written, with the record it belongs to and, for a cable's text, the
// markings of the versions that carry it.
// ------------------------------------------------------------------------------------------------

interface Canary {
  token: string;
  record: AnyRecord;
  /** For text of one or more versions of a cable: their markings (a past version is read under its own). */
  markings?: Standing;
  what: string;
}
/** Meetings and answers are dated the day they are logged, after their campaign opened (the app runs on the real clock). */
const today = () => new Date().toISOString().slice(0, 10);
const canaries = new Map<string, Canary>();
const CANARY = /CNRY\d{4}X/gi;
function canary(record: AnyRecord, what: string, markings?: Standing): string {
  const token = `CNRY${String(canaries.size + 1).padStart(4, '0')}X`;
  canaries.set(token, { token, record, markings, what });
  return token;
}

/** Is `user` entitled to see this canary, by the oracle? */
function entitledTo(user: User, c: Canary): boolean {
  if (c.markings && c.record.kind === 'cable') return mayReadVersion(user, c.record, c.markings).allowed;
  return mayRead(user, c.record).allowed;
}

// ------------------------------------------------------------------------------------------------
// Bookkeeping: the test's own knowledge of its users and records.
// ------------------------------------------------------------------------------------------------

interface Person extends User {
  token: string;
}
interface Cable {
  id: string;
  label: string;
  record: CableRecord;
  /** Markings by version number (index), as this test wrote them. */
  versions: Standing[];
  /** Instants after a step, with the version the cable was at then. */
  instants: { at: string; version: number }[];
  mrn?: string;
}
interface Campaign {
  id: string;
  record: CampaignRecord;
  deliveries: Map<string, DeliveryRecord>;
}
interface FollowUp {
  id: string;
  record: FollowUpRecord;
}

const POSTS = ['BEIJING', 'TOKYO', 'BERLIN'] as const;
const markingsOf = (r: CableRecord): Markings => ({ classification: r.classification, captions: [...r.captions] });
/** The markings and status a cable stands in now: what reading a version, or text written under it only, takes. */
const standingOf = (r: CableRecord): Standing => ({ ...markingsOf(r), status: r.status });
const MARK: Record<string, string> = { UNCLASSIFIED: 'U', SBU: 'SBU', CONFIDENTIAL: 'C', SECRET: 'S', TOP_SECRET: 'TS' };
/** Words a 403 about a record the caller may not read must not carry. */
const RECORD_FACTS = /\b(UNCLASSIFIED|SBU|CONFIDENTIAL|SECRET|TOP_SECRET|NODIS|EXDIS|LIMDIS|NOFORN|SIPDIS|DRAFT|IN_CLEARANCE|PENDING_APPROVAL|APPROVED|RELEASED|CANCELLED)\b/;

describe('canary: need to know on every path, as every user', () => {
  let database: TestDatabase;
  let app: INestApplication;
  const people: Person[] = [];
  const cables: Cable[] = [];
  const campaigns: Campaign[] = [];
  const followUps: FollowUp[] = [];
  const documents: { campaign: Campaign; post: string; id: string }[] = [];
  const http = () => request(app.getHttpServer());
  const as = (p: Person) => {
    const auth = { Authorization: `Bearer ${p.token}` };
    return {
      get: (url: string) => http().get(url).set(auth),
      post: (url: string, body: object = {}) => http().post(url).set(auth).send(body),
      patch: (url: string, body: object) => http().patch(url).set(auth).send(body),
      delete: (url: string) => http().delete(url).set(auth),
    };
  };
  const person = (username: string) => people.find((p) => p.username === username)!;
  /** What the walk found, for the README and the failure message. */
  const findings: string[] = [];
  const questions: string[] = [];
  let requests = 0;
  /** The inbox sections walked over more than one page. */
  let inboxSectionsPaged = 0;

  async function addPerson(username: string, roles: Role[], clearance: ClearanceLevel, where: { office?: string; postCode?: string }, admin: string) {
    const { id, token } = await createUser(app, admin, { username, roles, clearance, ...where });
    people.push({ id, username, roles, clearance, office: where.office ?? null, postCode: where.postCode ?? null, token });
  }

  // --- cables -------------------------------------------------------------------------------------

  function draftBody(cable: Cable, kind: 'INSTRUCTION' | 'INFORMATIONAL' | 'REPORTING', actionAddressees: string[], infoAddressees: string[], demarche: boolean, references: { label: string; mrn: string }[] = []) {
    const r = cable.record;
    const m = markingsOf(r);
    const classified = !['UNCLASSIFIED', 'SBU'].includes(r.classification);
    return {
      kind,
      subject: `${cable.label} ${canary(r, 'subject', m)}`,
      classification: r.classification,
      captions: r.captions,
      precedence: 'ROUTINE',
      tags: ['PREL', 'CH'],
      actionAddressees,
      infoAddressees,
      references,
      paragraphs: [
        { marking: MARK[r.classification], text: `Text ${canary(r, 'paragraph 1', m)}` },
        { marking: 'U', text: `More ${canary(r, 'paragraph 2', m)}` },
      ],
      classifiedBy: classified ? { name: `Name ${canary(r, 'classified by', m)}`, title: 'Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' } : null,
      demarche: demarche ? { reportBy: '2099-01-15', targets: `Targets ${canary(r, 'targets', m)}`, points: [1] } : null,
    };
  }

  /** Notes the version a command left the cable at, with its markings, and the instant after it. */
  async function step(cable: Cable, version: number) {
    for (let v = cable.versions.length; v <= version; v++) cable.versions[v] = standingOf(cable.record);
    // A few milliseconds either side, so that the instant falls between this step and the next.
    await new Promise((resolve) => setTimeout(resolve, 3));
    cable.instants.push({ at: new Date().toISOString(), version });
    await new Promise((resolve) => setTimeout(resolve, 3));
  }

  async function draft(
    by: Person,
    label: string,
    classification: CableRecord['classification'],
    captions: string[],
    addressees: { action: string[]; info?: string[] },
    options: { kind?: 'INSTRUCTION' | 'INFORMATIONAL' | 'REPORTING'; demarche?: boolean; refs?: Cable[] } = {},
  ): Promise<Cable> {
    const origin = by.postCode ?? 'STATE';
    const record: CableRecord = {
      kind: 'cable', classification, captions, status: 'DRAFT', origin, drafterId: by.id, draftingOffice: by.office ?? null, clearances: [], distribution: [],
      refs: options.refs?.map((c) => c.record), cableKind: options.kind ?? 'INFORMATIONAL',
    };
    const cable: Cable = { id: '', label, record, versions: [], instants: [] };
    const body = draftBody(cable, options.kind ?? 'INFORMATIONAL', addressees.action, addressees.info ?? [], options.demarche ?? false, (options.refs ?? []).map((c, i) => ({ label: String.fromCharCode(65 + i), mrn: c.mrn! })));
    const answer = await command(by, 'post', '/cables', body, 201);
    cable.id = answer.body.id;
    await step(cable, answer.body.version);
    cables.push(cable);
    return cable;
  }

  /** Sends a command the population needs, and checks its answer like any other. */
  async function command(by: Person, method: 'post' | 'patch', url: string, body: object, status: number) {
    const answer = await as(by)[method](url, body);
    requests++;
    if (answer.status !== status) throw new Error(`${by.username} ${method.toUpperCase()} ${url}: ${answer.status} ${answer.text}`);
    check(by, `${method.toUpperCase()} ${url} (population)`, answer.text);
    return answer;
  }

  async function edit(cable: Cable, by: Person, classification: CableRecord['classification'], captions: string[]) {
    Object.assign(cable.record, { classification, captions });
    const { subject, paragraphs, classifiedBy } = draftBody(cable, 'INFORMATIONAL', [], [], false);
    const answer = await command(by, 'patch', `/cables/${cable.id}`, { subject, paragraphs, classifiedBy, classification, captions }, 200);
    // A substantive edit makes the clearances given stale.
    Object.assign(cable.record, { clearances: cable.record.clearances.map((c) => (c.state === 'CLEARED' || c.state === 'CLEARED_WITH_COMMENTS' ? { ...c, state: 'STALE' } : c)) });
    await step(cable, answer.body.version);
  }

  async function requestClearances(cable: Cable, offices: string[]) {
    const drafter = people.find((p) => p.id === cable.record.drafterId)!;
    const answer = await command(drafter, 'post', `/cables/${cable.id}/clearance-requests`, { offices }, 200);
    Object.assign(cable.record, { status: 'IN_CLEARANCE', clearances: [...cable.record.clearances, ...offices.map((office) => ({ office, state: 'PENDING' as const }))] });
    await step(cable, answer.body.version);
  }

  async function clear(cable: Cable, by: Person, office: string) {
    const comments = canary(cable.record, `clearance comments by ${office}`, standingOf(cable.record));
    const answer = await command(by, 'post', `/cables/${cable.id}/clearances`, { office, decision: 'CLEARED_WITH_COMMENTS', comments }, 200);
    Object.assign(cable.record, {
      clearances: cable.record.clearances.map((c) => (c.office === office ? { ...c, state: 'CLEARED_WITH_COMMENTS' as const } : c)),
      actedBy: [...new Set([...(cable.record.actedBy ?? []), by.id])], // oracle R-acted: whoever has cleared it
    });
    await step(cable, answer.body.version);
  }

  async function advance(cable: Cable, to: 'PENDING_APPROVAL' | 'APPROVED' | 'RELEASED', approver: Person, distribution: string[] = []) {
    const drafter = people.find((p) => p.id === cable.record.drafterId)!;
    const path: ['submit' | 'approve' | 'release', Person, CableRecord['status']][] = [['submit', drafter, 'PENDING_APPROVAL'], ['approve', approver, 'APPROVED'], ['release', approver, 'RELEASED']];
    for (const [verb, by, status] of path) {
      if (cable.record.status === 'RELEASED' || (cable.record.status === 'APPROVED' && verb !== 'release') || (cable.record.status === 'PENDING_APPROVAL' && verb === 'submit')) continue;
      const answer = await command(by, 'post', `/cables/${cable.id}/${verb}`, {}, 200);
      Object.assign(cable.record, { status, ...(status === 'RELEASED' ? { distribution } : {}), ...(verb === 'approve' ? { actedBy: [...new Set([...(cable.record.actedBy ?? []), by.id])] } : {}) });
      if (status === 'RELEASED') cable.mrn = answer.body.mrn;
      await step(cable, answer.body.version);
      if (status === to) return;
    }
  }

  /**
   * The admin makes a person a post officer at `postCode` (PATCH /users/:id: roles, no office, the
   * post), and the bookkeeping follows: the oracle judges them as they stand now. Their token goes
   * on working; the change applies from their next request.
   */
  async function makePostOfficer(p: Person, postCode: string) {
    const moved = { roles: ['post_officer'] as Role[], office: null, postCode };
    await command(person('admin'), 'patch', `/users/${p.id}`, moved, 200);
    Object.assign(p, moved);
  }

  // --- the walk's checks ----------------------------------------------------------------------------

  /** Every canary in `text` must be one `user` is entitled to. */
  function check(user: Person, where: string, text: string): void {
    for (const token of new Set((text.match(CANARY) ?? []).map((t) => t.toUpperCase()))) {
      const c = canaries.get(token);
      if (!c) continue;
      if (!entitledTo(user, c)) findings.push(`${user.username} saw ${token} (${c.what} of a ${c.record.kind}${c.record.kind === 'cable' ? ` ${c.markings?.classification} ${c.markings?.captions.join('/')}` : ''}) in ${where}`);
    }
  }

  /** A single read: the status the oracle expects (certain decisions only), and no canary beyond. */
  async function read(user: Person, url: string, decision: { allowed: boolean; certain: boolean; rules: string[] }) {
    const answer = await as(user).get(url);
    requests++;
    check(user, `GET ${url}`, answer.text);
    if (answer.status >= 500) findings.push(`${user.username} GET ${url}: ${answer.status}`);
    const ok = answer.status === 200;
    if (ok !== decision.allowed && answer.status !== 404) {
      const line = `${user.username} GET ${url}: ${answer.status}, oracle ${decision.allowed ? 'allows' : 'refuses'} (${decision.rules.join(', ')})`;
      (decision.certain ? findings : questions).push(line);
    }
    if (answer.status === 403 && RECORD_FACTS.test(answer.body?.detail ?? '')) findings.push(`${user.username} GET ${url}: the 403 says ${RECORD_FACTS.exec(answer.body.detail)![0]}`);
    return answer;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    const admin = await loginAsAdmin(app);
    const me = (await http().get('/auth/me').set('Authorization', `Bearer ${admin}`)).body;
    people.push({ id: me.id, username: 'admin', roles: ['admin'], clearance: me.clearance, office: me.office, postCode: me.postCode, token: admin });
    // Every role at every clearance somewhere; Washington offices and three posts.
    const roster: [string, Role[], ClearanceLevel, { office?: string; postCode?: string }][] = [
      ['d.ts', ['drafter'], 'TOP_SECRET', { office: 'EAP/CM' }],
      ['d.u', ['drafter'], 'UNCLASSIFIED', { office: 'EAP/CM' }],
      ['d.eur', ['drafter'], 'SECRET', { office: 'EUR/WE' }],
      ['d.mv', ['drafter'], 'SECRET', { office: 'EAP/J' }],
      ['c.mv', ['clearer'], 'SECRET', { office: 'CDP' }],
      ['dc.l', ['drafter', 'clearer'], 'SECRET', { office: 'L' }],
      ['c.l.ts', ['clearer'], 'TOP_SECRET', { office: 'L' }],
      ['c.l.c', ['clearer'], 'CONFIDENTIAL', { office: 'L' }],
      ['c.isn', ['clearer'], 'SECRET', { office: 'ISN' }],
      ['c.eb', ['clearer'], 'TOP_SECRET', { office: 'EB' }],
      ['a.ts', ['approver'], 'TOP_SECRET', { office: 'EAP' }],
      ['a.u', ['approver'], 'UNCLASSIFIED', { office: 'EAP' }],
      ['a.bj', ['approver'], 'SECRET', { postCode: 'BEIJING' }],
      ['bj.ts', ['post_officer'], 'TOP_SECRET', { postCode: 'BEIJING' }],
      ['bj.c', ['post_officer'], 'CONFIDENTIAL', { postCode: 'BEIJING' }],
      ['bj.u', ['post_officer'], 'UNCLASSIFIED', { postCode: 'BEIJING' }],
      ['tk.ts', ['post_officer'], 'TOP_SECRET', { postCode: 'TOKYO' }],
      ['tk.s', ['post_officer'], 'SECRET', { postCode: 'TOKYO' }],
      ['a.tk', ['approver'], 'SECRET', { postCode: 'TOKYO' }],
      ['be.ts', ['post_officer'], 'TOP_SECRET', { postCode: 'BERLIN' }],
      ['l.ts', ['leadership'], 'TOP_SECRET', { office: 'S' }],
      ['l.c', ['leadership'], 'CONFIDENTIAL', { office: 'S' }],
      ['au.ts', ['auditor'], 'TOP_SECRET', { office: 'OIG' }],
      ['adm.ts', ['admin'], 'TOP_SECRET', { office: 'M' }],
    ];
    for (const [username, roles, clearance, where] of roster) await addPerson(username, roles, clearance, where, admin);
    const d = person('d.ts');
    const approver = person('a.ts');

    // Released cables of every classification and caption.
    const plain = await draft(d, 'Plain', 'UNCLASSIFIED', [], { action: ['BEIJING', 'TOKYO'] });
    await advance(plain, 'RELEASED', approver, ['BEIJING', 'TOKYO']);
    const sbu = await draft(d, 'Sensitive', 'SBU', ['NOFORN'], { action: ['BERLIN'] });
    await advance(sbu, 'RELEASED', approver, ['BERLIN']);
    const tasking = await draft(d, 'Tasking', 'CONFIDENTIAL', ['SIPDIS'], { action: ['BEIJING', 'TOKYO'] }, { kind: 'INSTRUCTION', demarche: true });
    await requestClearances(tasking, ['L', 'ISN']);
    await clear(tasking, person('c.l.ts'), 'L');
    await clear(tasking, person('c.isn'), 'ISN');
    await advance(tasking, 'RELEASED', approver, ['BEIJING', 'TOKYO']);
    const nodisCampaign = await draft(d, 'Nodis campaign', 'SECRET', ['NODIS'], { action: ['BEIJING'], info: ['TOKYO'] }, { kind: 'INSTRUCTION', demarche: true });
    await advance(nodisCampaign, 'RELEASED', approver, ['BEIJING', 'TOKYO']);
    const exdis = await draft(d, 'Exdis', 'TOP_SECRET', ['EXDIS'], { action: ['TOKYO'] });
    await advance(exdis, 'RELEASED', approver, ['TOKYO']);
    const limdis = await draft(d, 'Limdis', 'CONFIDENTIAL', ['LIMDIS'], { action: ['BEIJING'] });
    await advance(limdis, 'RELEASED', approver, ['BEIJING']);
    // Edited down, and edited up, before release.
    const downgraded = await draft(d, 'Downgraded', 'SECRET', ['NODIS'], { action: ['BEIJING'] });
    await edit(downgraded, d, 'UNCLASSIFIED', []);
    await advance(downgraded, 'RELEASED', approver, ['BEIJING']);
    const upgraded = await draft(d, 'Upgraded', 'UNCLASSIFIED', [], { action: ['TOKYO'] });
    await edit(upgraded, d, 'SECRET', ['EXDIS']);
    await advance(upgraded, 'RELEASED', approver, ['TOKYO']);
    // Returned, cancelled, and at every stage before release.
    const returned = await draft(d, 'Returned', 'CONFIDENTIAL', [], { action: ['BERLIN'] });
    await advance(returned, 'PENDING_APPROVAL', approver);
    const back = await command(approver, 'post', `/cables/${returned.id}/return`, { reason: `Reason ${canary(returned.record, 'return reason', standingOf(returned.record))}` }, 200);
    Object.assign(returned.record, { status: 'DRAFT' });
    await step(returned, back.body.version);
    const cancelled = await draft(d, 'Cancelled', 'SECRET', [], { action: ['TOKYO'] });
    const gone = await command(d, 'post', `/cables/${cancelled.id}/cancel`, { reason: `Reason ${canary(cancelled.record, 'cancel reason', markingsOf(cancelled.record))}` }, 200);
    Object.assign(cancelled.record, { status: 'CANCELLED' });
    await step(cancelled, gone.body.version);
    const inClearance = await draft(d, 'In clearance', 'CONFIDENTIAL', [], { action: ['BEIJING'] });
    await requestClearances(inClearance, ['L', 'EB']);
    // A clearer of an office asked edits the text ("clear with edits").
    await edit(inClearance, person('c.l.ts'), 'CONFIDENTIAL', []);
    // A request withdrawn: ISN is no longer asked (api.md Additions; oracle I-withdrawn).
    const withdrawn = await draft(d, 'Withdrawn', 'SECRET', [], { action: ['TOKYO'] });
    await requestClearances(withdrawn, ['ISN', 'EB']);
    const dropped = await as(d).delete(`/cables/${withdrawn.id}/clearance-requests/ISN`);
    requests++;
    if (dropped.status !== 200) throw new Error(`withdrawing ISN: ${dropped.status} ${dropped.text}`);
    check(d, `DELETE /cables/${withdrawn.id}/clearance-requests/ISN (population)`, dropped.text);
    Object.assign(withdrawn.record, { clearances: withdrawn.record.clearances.filter((c) => c.office !== 'ISN') });
    await step(withdrawn, dropped.body.version);
    // Returned with its clearances, then edited: the offices' clearances are STALE in DRAFT.
    const reclear = await draft(d, 'Re-clear', 'CONFIDENTIAL', [], { action: ['BERLIN'] });
    await requestClearances(reclear, ['L', 'ISN']);
    await clear(reclear, person('c.l.ts'), 'L');
    await clear(reclear, person('c.isn'), 'ISN');
    await advance(reclear, 'PENDING_APPROVAL', approver);
    const sentBack = await command(approver, 'post', `/cables/${reclear.id}/return`, { reason: `Reason ${canary(reclear.record, 'return reason', standingOf(reclear.record))}` }, 200);
    Object.assign(reclear.record, { status: 'DRAFT' });
    await step(reclear, sentBack.body.version);
    await edit(reclear, d, 'CONFIDENTIAL', []);
    const pending = await draft(d, 'Pending', 'TOP_SECRET', ['NODIS'], { action: ['TOKYO'] });
    await advance(pending, 'PENDING_APPROVAL', approver);
    const approved = await draft(d, 'Approved', 'SECRET', [], { action: ['BERLIN'] });
    await advance(approved, 'APPROVED', approver);
    await draft(person('d.eur'), 'Europe draft', 'UNCLASSIFIED', [], { action: ['BERLIN'] });
    await draft(person('d.u'), 'Unclassified desk draft', 'UNCLASSIFIED', [], { action: ['TOKYO'] });
    // A post's reply to the tasking, released to the Department; and a post's draft.
    const reply = await draft(person('bj.ts'), 'Beijing reply', 'CONFIDENTIAL', [], { action: ['SECSTATE'] }, { kind: 'REPORTING', refs: [tasking] });
    await advance(reply, 'RELEASED', person('a.bj'), ['SECSTATE']);
    // A REF that is no tasking of Beijing widens nothing: an informational cable to Beijing, and
    // Tokyo's own cable, copied to Beijing (Tokyo's officers must not read Beijing's for being cited
    // by it). A NODIS reply is narrowed to the working party, leadership and addressees: not the
    // tasking desk.
    const tokyoCable = await draft(person('tk.ts'), 'Tokyo report', 'CONFIDENTIAL', [], { action: ['SECSTATE'], info: ['BEIJING'] }, { kind: 'REPORTING' });
    await advance(tokyoCable, 'RELEASED', person('a.tk'), ['SECSTATE', 'BEIJING']);
    const citing = await draft(person('bj.ts'), 'Beijing citing', 'CONFIDENTIAL', [], { action: ['SECSTATE'] }, { kind: 'REPORTING', refs: [plain, tokyoCable] });
    await advance(citing, 'RELEASED', person('a.bj'), ['SECSTATE']);
    const nodisReply = await draft(person('bj.ts'), 'Beijing NODIS reply', 'SECRET', ['NODIS'], { action: ['SECSTATE'] }, { kind: 'REPORTING', refs: [tasking] });
    await advance(nodisReply, 'RELEASED', person('a.bj'), ['SECSTATE']);
    // A NODIS reply to a NODIS tasking: its desk reads it.
    const closeHold = await draft(person('bj.ts'), 'Beijing close-hold reply', 'SECRET', ['NODIS'], { action: ['SECSTATE'] }, { kind: 'REPORTING', refs: [nodisCampaign] });
    await advance(closeHold, 'RELEASED', person('a.bj'), ['SECSTATE']);
    await draft(person('bj.ts'), 'Beijing draft', 'SECRET', ['EXDIS'], { action: ['SECSTATE'] }, { kind: 'REPORTING' });

    // Campaigns (opened by the process manager) and deliveries.
    await app.get(ProjectionRunner).catchUp();
    for (const cable of [tasking, nodisCampaign]) {
      const record: CampaignRecord = { kind: 'campaign', cable: cable.record };
      campaigns.push({ id: cable.id, record, deliveries: new Map(cable.record.distribution.filter((p) => cable === tasking || p === 'BEIJING').map((post) => [post, { kind: 'delivery', campaign: record, post, status: 'PENDING' }])) });
    }
    const [taskingCampaign, nodisCampaignCampaign] = campaigns;
    const deliver = async (c: Campaign, post: string, by: Person) => {
      const delivery = c.deliveries.get(post)!;
      await command(by, 'post', `/demarches/${c.id}/deliveries/${post}/delivery`, {
        deliveredOn: today(), counterpart: { name: canary(delivery, 'counterpart name'), title: canary(delivery, 'counterpart title'), organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON',
      }, 201);
      delivery.status = 'DELIVERED';
    };
    await deliver(taskingCampaign, 'BEIJING', person('bj.ts'));
    const bjDelivery = taskingCampaign.deliveries.get('BEIJING')!;
    await command(person('bj.ts'), 'post', `/demarches/${taskingCampaign.id}/deliveries/BEIJING/response`, {
      receivedOn: today(), position: 'REJECTED', summary: canary(bjDelivery, 'response summary'), quotes: [canary(bjDelivery, 'quote')],
    }, 201);
    bjDelivery.status = 'RESPONDED';
    // The delivery kept over time (issue #16): another contact, a quote with its translation, a document left behind.
    await command(person('bj.ts'), 'post', `/demarches/${taskingCampaign.id}/deliveries/BEIJING/contacts`, {
      on: today(), counterpart: { name: canary(bjDelivery, 'contact name'), title: 'Spokesperson', organization: 'MFA' }, level: 'DIRECTOR', method: 'PHONE',
    }, 201);
    await command(person('bj.ts'), 'post', `/demarches/${taskingCampaign.id}/deliveries/BEIJING/response`, {
      receivedOn: today(), position: 'OPPOSED', summary: canary(bjDelivery, 'second response'), quotes: [{ text: canary(bjDelivery, 'quote in Chinese'), language: 'zh', translation: canary(bjDelivery, 'translation') }],
    }, 201);
    const uploaded = await http().post(`/demarches/${taskingCampaign.id}/deliveries/BEIJING/documents`).set('Authorization', `Bearer ${person('bj.ts').token}`)
      .field('kind', 'NON_PAPER').attach('file', Buffer.from(`Non-paper ${canary(bjDelivery, 'document text')}`), { filename: `non-paper-${canary(bjDelivery, 'document name')}.txt` });
    requests++;
    if (uploaded.status !== 201) throw new Error(`upload: ${uploaded.status} ${uploaded.text}`);
    documents.push({ campaign: taskingCampaign, post: 'BEIJING', id: uploaded.body.id });
    const tkDelivery = taskingCampaign.deliveries.get('TOKYO')!;
    await command(person('tk.s'), 'post', `/demarches/${taskingCampaign.id}/deliveries/TOKYO/not-delivered`, { reason: canary(tkDelivery, 'not-delivered reason') }, 201);
    tkDelivery.status = 'NOT_DELIVERED';
    await deliver(nodisCampaignCampaign, 'BEIJING', person('bj.ts'));

    // Follow-ups: linked to each kind of record, and to none.
    /** Text is about to be written on it: under a draft if a linked cable is not yet released (oracle I-follow-up-draft-text; never cleared). */
    const writing = (record: FollowUpRecord) => {
      if ([record.cable, record.campaign?.cable].some((c) => c !== undefined && c.status !== 'RELEASED')) record.writtenUnderDraft = true;
    };
    const followUp = async (by: Person, links: { cable?: Cable; campaign?: Campaign }, owner: { office: string } | { post: string }, classification?: FollowUpRecord['classification']) => {
      const record: FollowUpRecord = {
        kind: 'followUp', status: 'OPEN', owner, creatorId: by.id, classification, captions: [], cable: links.cable?.record, campaign: links.campaign?.record,
      };
      writing(record);
      const answer = await command(by, 'post', '/follow-ups', {
        title: canary(record, 'follow-up title'), description: canary(record, 'follow-up description'), owner, dueOn: '2099-01-01',
        ...(links.cable ? { cableId: links.cable.id } : {}), ...(links.campaign ? { demarcheId: links.campaign.id } : {}), ...(classification ? { classification } : {}),
      }, 201);
      followUps.push({ id: answer.body.id, record });
      await comment(by, answer.body.id);
      return answer.body.id as string;
    };
    const comment = async (by: Person, id: string) => {
      const record = followUps.find((f) => f.id === id)!.record;
      writing(record);
      await command(by, 'post', `/follow-ups/${id}/comments`, { text: canary(record, 'follow-up comment') }, 201);
    };
    await followUp(d, { cable: tasking }, { office: 'EAP/CM' });
    await followUp(d, { campaign: nodisCampaignCampaign }, { post: 'BEIJING' });
    await followUp(d, { campaign: taskingCampaign }, { post: 'TOKYO' });
    await followUp(d, { cable: downgraded }, { office: 'EAP/CM' });
    await followUp(d, { cable: exdis }, { office: 'EAP/CM' });
    await followUp(d, { cable: reply }, { office: 'EAP/CM' });
    await followUp(d, {}, { office: 'L' });
    await followUp(d, {}, { post: 'BERLIN' }, 'SECRET');
    // Classified and linked to nothing (oracle R-fu-unlinked-classified, README.md): read by the
    // owner's people (an office's members, any role; a post's officers and approvers), the creator
    // and leadership, within clearance. One owned by an office, one by a post with an approver, and
    // one given a new owner: the old owner's people stop reading it.
    await followUp(d, {}, { office: 'L' }, 'SECRET');
    await followUp(person('bj.ts'), {}, { post: 'BEIJING' }, 'CONFIDENTIAL');
    const handedOver = await followUp(d, {}, { post: 'TOKYO' }, 'SECRET');
    await command(d, 'patch', `/follow-ups/${handedOver}`, { owner: { office: 'EB' } }, 200);
    followUps.find((f) => f.id === handedOver)!.record.owner = { office: 'EB' };
    const done = await followUp(person('bj.ts'), { cable: plain }, { post: 'BEIJING' });
    const finished = followUps.find((f) => f.id === done)!;
    writing(finished.record);
    await command(person('bj.ts'), 'post', `/follow-ups/${done}/complete`, { outcome: canary(finished.record, 'follow-up outcome') }, 201);
    finished.record.status = 'DONE';

    // Follow-up text written under a draft (oracle I-follow-up-draft-text): a follow-up created and
    // commented on a Department draft, which then goes through clearance and is released to Beijing
    // and Tokyo. Their officers come to read the cable, but never that follow-up, not even what is
    // written on it after release. A follow-up created on the same cable after its release they read.
    const deliberated = await draft(d, 'Deliberated', 'CONFIDENTIAL', [], { action: ['BEIJING'], info: ['TOKYO'] });
    const underDraft = await followUp(d, { cable: deliberated }, { office: 'EAP/CM' });
    await requestClearances(deliberated, ['EB']);
    await comment(d, underDraft);
    await clear(deliberated, person('c.eb'), 'EB');
    await advance(deliberated, 'RELEASED', approver, ['BEIJING', 'TOKYO']);
    await comment(d, underDraft);
    const edited = followUps.find((f) => f.id === underDraft)!.record;
    writing(edited);
    await command(d, 'patch', `/follow-ups/${underDraft}`, { description: canary(edited, 'follow-up description, edited after release') }, 200);
    const afterRelease = await followUp(d, { cable: deliberated }, { post: 'BEIJING' });
    await comment(person('bj.ts'), afterRelease);
    if (!followUps.find((f) => f.id === underDraft)!.record.writtenUnderDraft || followUps.find((f) => f.id === afterRelease)!.record.writtenUnderDraft) throw new Error('bookkeeping: writtenUnderDraft');

    // Placed where they read (oracle I-tasking-desk-placed, I-acted-placed; product decisions): a
    // desk officer (EAP/J, alone in it) tasks Beijing, CDP clears, Beijing replies to the Department
    // citing the tasking by REF. Then the admin makes the desk officer a post officer at Tokyo, and
    // the CDP clearer one at Berlin (neither post the tasking went to). The tasking desk is in the
    // Department: the reply is no longer theirs as its desk; those who acted on a cable are its
    // working party only while not bound to another post: the tasking is no longer the clearer's.
    const mover = person('d.mv');
    const movedTasking = await draft(mover, 'Moved desk tasking', 'CONFIDENTIAL', [], { action: ['BEIJING'] }, { kind: 'INSTRUCTION' });
    await requestClearances(movedTasking, ['CDP']);
    await clear(movedTasking, person('c.mv'), 'CDP');
    await advance(movedTasking, 'RELEASED', approver, ['BEIJING']);
    const movedReply = await draft(person('bj.ts'), 'Beijing reply to a moved desk', 'CONFIDENTIAL', [], { action: ['SECSTATE'] }, { kind: 'REPORTING', refs: [movedTasking] });
    await advance(movedReply, 'RELEASED', person('a.bj'), ['SECSTATE']);
    if (!mayRead(mover, movedReply.record).rules.includes('R-tasking-desk') || !mayRead(person('c.mv'), movedTasking.record).rules.includes('R-acted')) throw new Error('bookkeeping: the desk and the clearer before their moves');
    await makePostOfficer(mover, 'TOKYO');
    await makePostOfficer(person('c.mv'), 'BERLIN');
  }, 600_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('walks every GET route, every past version, every list and search, and every command, as every user; nobody sees a canary they are not entitled to', async () => {
    const document = (await http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    const walked = new Set<string>();
    const noticeIds = new Set<string>();
    const ownNotices = new Map<string, Set<string>>();
    const walk = (route: string) => walked.add(route);

    for (const user of people) {
      // Single records, now and in the past.
      for (const cable of cables) {
        const now = mayRead(user, cable.record);
        await read(user, `/cables/${cable.id}`, now);
        await read(user, `/cables/${cable.id}/history`, now);
        await read(user, `/cables/${cable.id}/telegram`, now);
        for (let v = 1; v < cable.versions.length; v++) {
          const then = mayReadVersion(user, cable.record, cable.versions[v]);
          await read(user, `/cables/${cable.id}?version=${v}`, then);
          await read(user, `/cables/${cable.id}/telegram?version=${v}`, then);
        }
        for (const { at, version } of cable.instants) await read(user, `/cables/${cable.id}?asOf=${encodeURIComponent(at)}`, mayReadVersion(user, cable.record, cable.versions[version]));
        // Search counts nothing the user may not read.
        const subject = [...canaries.values()].find((c) => c.record === cable.record && c.what === 'subject' && c.markings?.classification === cable.record.classification)!;
        const found = await as(user).get(`/cables?q=${subject.token}`);
        requests++;
        check(user, `GET /cables?q=${subject.token}`, found.text);
        if (found.status === 200 && found.body.total > 0 && !entitledTo(user, subject)) findings.push(`${user.username} counted ${subject.token} in a search`);
      }
      ['GET /cables/{id}', 'GET /cables/{id}/history', 'GET /cables/{id}/telegram'].forEach(walk);
      for (const campaign of campaigns) {
        const now = mayRead(user, campaign.record);
        await read(user, `/demarches/${campaign.id}`, now);
        await read(user, `/demarches/${campaign.id}/history`, now);
        const csv = await as(user).get(`/demarches/${campaign.id}/export.csv`);
        requests++;
        check(user, `GET /demarches/${campaign.id}/export.csv`, csv.text);
        for (const [post, delivery] of campaign.deliveries) await read(user, `/demarches/${campaign.id}/deliveries/${post}`, mayRead(user, delivery));
      }
      for (const d of documents) await read(user, `/demarches/${d.campaign.id}/deliveries/${d.post}/documents/${d.id}`, mayRead(user, d.campaign.deliveries.get(d.post)!));
      ['GET /demarches/{id}', 'GET /demarches/{id}/history', 'GET /demarches/{id}/export.csv', 'GET /demarches/{id}/deliveries/{post}', 'GET /demarches/{id}/deliveries/{post}/documents/{docId}'].forEach(walk);
      for (const f of followUps) {
        await read(user, `/follow-ups/${f.id}`, mayRead(user, f.record));
        await read(user, `/follow-ups/${f.id}?version=1`, mayRead(user, f.record));
      }
      walk('GET /follow-ups/{id}');
      // Every list, export, inbox, dashboard, audit and directory route.
      for (const url of ['/cables?limit=500', '/demarches?limit=500', '/follow-ups?limit=500', '/follow-ups/export.csv', '/inbox', '/dashboard', `/dashboard?asOf=${encodeURIComponent(new Date().toISOString())}`,
        '/audit?limit=500', '/audit?limit=500&order=desc', '/audit/verify', '/audit/tree-head', '/audit/entries/1', '/audit/entries/1/proof?treeSize=1', '/audit/consistency?from=1&to=1', '/admin/projections', '/users?limit=500', `/users/${user.id}`, '/offices', '/posts?limit=500', '/posts/BEIJING', '/collectives', '/collectives/ALDAC', '/auth/me', '/health', '/notifications?limit=500', '/admin/notifications/email']) {
        const answer = await as(user).get(url);
        requests++;
        check(user, `GET ${url}`, answer.text);
        if (answer.status >= 500) findings.push(`${user.username} GET ${url}: ${answer.status}`);
      }
      ['GET /cables', 'GET /demarches', 'GET /follow-ups', 'GET /follow-ups/export.csv', 'GET /inbox', 'GET /dashboard', 'GET /audit', 'GET /audit/verify', 'GET /audit/tree-head', 'GET /audit/entries/{seq}', 'GET /audit/entries/{seq}/proof', 'GET /audit/consistency', 'GET /admin/projections', 'GET /users', 'GET /users/{id}', 'GET /offices', 'GET /posts', 'GET /posts/{code}', 'GET /collectives', 'GET /collectives/{code}', 'GET /auth/me', 'GET /health', 'GET /notifications', 'GET /admin/notifications/email'].forEach(walk);
      // Threading: the replies to a tasking, and a post's incoming traffic, hold nothing the user may not read.
      const tasking = cables.find((c) => c.label === 'Tasking')!;
      for (const url of [`/cables?ref=${encodeURIComponent(tasking.mrn!)}`, '/cables?addressee=BEIJING&role=action', '/cables?addressee=TOKYO&role=info', '/cables?addressee=TOKYO']) {
        const answer = await as(user).get(url);
        requests++;
        check(user, `GET ${url}`, answer.text);
        if (answer.status >= 500) findings.push(`${user.username} GET ${url}: ${answer.status}`);
        for (const item of (answer.body.items ?? []) as { id: string }[]) {
          const cable = cables.find((c) => c.id === item.id);
          if (cable && !mayRead(user, cable.record).allowed) findings.push(`${user.username}: GET ${url} lists ${cable.label}, which the oracle refuses`);
        }
      }
      // Notifications are about records the user may read now, and no others.
      const notices = ((await as(user).get('/notifications?limit=500')).body.items ?? []) as { id: string; record: { type: string; id: string } }[];
      for (const notice of notices) {
        noticeIds.add(notice.id);
        ownNotices.get(user.username)?.add(notice.id) ?? ownNotices.set(user.username, new Set([notice.id]));
        const record = notice.record.type === 'cable' ? cables.find((c) => c.id === notice.record.id)?.record : followUps.find((f) => f.id === notice.record.id)?.record;
        const decision = record ? mayRead(user, record) : undefined;
        if (decision && !decision.allowed) (decision.certain ? findings : questions).push(`${user.username}: GET /notifications lists a notice about a ${notice.record.type} they may not read (${decision.rules.join(', ')})`);
      }
      // Lists hold what the user may read, all of it (certain decisions only).
      const listed = new Set<string>(((await as(user).get('/cables?limit=500')).body.items ?? []).map((c: { id: string }) => c.id));
      for (const cable of cables) {
        const decision = mayRead(user, cable.record);
        if (decision.allowed !== listed.has(cable.id)) (decision.certain ? findings : questions).push(`${user.username}: GET /cables ${listed.has(cable.id) ? 'lists' : 'leaves out'} ${cable.label} (${decision.rules.join(', ')})`);
      }

      // The inbox a section at a time, one item a page: each page holds only what the user may read,
      // and the pages together are the section as one read gives it.
      for (const section of ['toClear', 'toApprove', 'taskings', 'followUps', 'returned', 'escalated']) {
        const whole = await as(user).get(`/inbox?section=${section}&limit=200`);
        requests++;
        check(user, `GET /inbox?section=${section}&limit=200`, whole.text);
        if (whole.status !== 200) findings.push(`${user.username} GET /inbox?section=${section}: ${whole.status}`);
        const paged: string[] = [];
        for (let offset = 0; offset < (whole.body.total ?? 0); offset++) {
          const url = `/inbox?section=${section}&limit=1&offset=${offset}`;
          const page = await as(user).get(url);
          requests++;
          check(user, `GET ${url}`, page.text);
          for (const item of (page.body.items ?? []) as { cableId?: string; demarcheId?: string; followUpId?: string }[]) {
            paged.push(item.cableId ?? item.demarcheId ?? item.followUpId ?? '');
            const record = item.cableId ? cables.find((c) => c.id === item.cableId)?.record
              : item.demarcheId ? campaigns.find((c) => c.id === item.demarcheId)?.record
              : followUps.find((f) => f.id === item.followUpId)?.record;
            const decision = record && mayRead(user, record);
            if (decision && !decision.allowed) (decision.certain ? findings : questions).push(`${user.username}: GET ${url} lists a ${record.kind} they may not read (${decision.rules.join(', ')})`);
          }
        }
        if (paged.length > 1) inboxSectionsPaged++;
        const listed = ((whole.body.items ?? []) as { cableId?: string; demarcheId?: string; followUpId?: string }[]).map((item) => item.cableId ?? item.demarcheId ?? item.followUpId ?? '');
        if (paged.join() !== listed.join()) findings.push(`${user.username}: GET /inbox?section=${section} one at a time is not the section read at once`);
      }

      // Every command to every record, with an If-Match no version has: nothing is written; a user
      // who may not read the record gets a 403 that tells nothing, before the precondition.
      const probe = async (route: string, url: string, method: 'post' | 'patch' | 'delete', body: object, record: AnyRecord) => {
        walk(route);
        const answer = await http()[method](url).set('Authorization', `Bearer ${user.token}`).set('If-Match', '"999999"').set('Idempotency-Key', `canary-${requests}`).send(body);
        requests++;
        check(user, `${method.toUpperCase()} ${url}`, answer.text);
        if (answer.status < 400 || answer.status >= 500) findings.push(`${user.username} ${method.toUpperCase()} ${url}: ${answer.status} (nothing may be written)`);
        const reads = mayRead(user, record);
        if (!reads.allowed && reads.certain) {
          if (answer.status !== 403) findings.push(`${user.username} ${method.toUpperCase()} ${url}: ${answer.status}, but they may not read it (${reads.rules.join(', ')})`);
          if (RECORD_FACTS.test(answer.text)) findings.push(`${user.username} ${method.toUpperCase()} ${url}: the refusal says ${RECORD_FACTS.exec(answer.text)![0]}`);
        }
      };
      for (const cable of cables) {
        const r = cable.record;
        await probe('PATCH /cables/{id}', `/cables/${cable.id}`, 'patch', { subject: 'x' }, r);
        await probe('POST /cables/{id}/clearance-requests', `/cables/${cable.id}/clearance-requests`, 'post', { offices: ['ISN'] }, r);
        await probe('DELETE /cables/{id}/clearance-requests/{office}', `/cables/${cable.id}/clearance-requests/${encodeURIComponent(r.clearances[0]?.office ?? 'ISN')}`, 'delete', {}, r);
        await probe('POST /cables/{id}/clearances', `/cables/${cable.id}/clearances`, 'post', { office: user.office ?? 'L', decision: 'CLEARED' }, r);
        for (const verb of ['submit', 'approve', 'release']) await probe(`POST /cables/{id}/${verb}`, `/cables/${cable.id}/${verb}`, 'post', {}, r);
        for (const verb of ['return', 'cancel']) await probe(`POST /cables/{id}/${verb}`, `/cables/${cable.id}/${verb}`, 'post', { reason: 'x' }, r);
      }
      for (const campaign of campaigns) {
        for (const [post, delivery] of campaign.deliveries) {
          await probe('POST /demarches/{id}/deliveries/{post}/delivery', `/demarches/${campaign.id}/deliveries/${post}/delivery`, 'post', { deliveredOn: today(), counterpart: { name: 'x', title: 'x', organization: 'x' }, level: 'DIRECTOR', method: 'IN_PERSON' }, delivery);
          await probe('POST /demarches/{id}/deliveries/{post}/response', `/demarches/${campaign.id}/deliveries/${post}/response`, 'post', { receivedOn: today(), position: 'SUPPORTIVE', summary: 'x' }, delivery);
          await probe('POST /demarches/{id}/deliveries/{post}/not-delivered', `/demarches/${campaign.id}/deliveries/${post}/not-delivered`, 'post', { reason: 'x' }, delivery);
          await probe('POST /demarches/{id}/deliveries/{post}/contacts', `/demarches/${campaign.id}/deliveries/${post}/contacts`, 'post', { on: today(), counterpart: { name: 'x', title: 'x', organization: 'x' }, level: 'DIRECTOR', method: 'PHONE' }, delivery);
          await probe('POST /demarches/{id}/deliveries/{post}/responses/{number}/reporting-cable', `/demarches/${campaign.id}/deliveries/${post}/responses/1/reporting-cable`, 'post', { reportingCableId: campaign.id }, delivery);
          // Sent as JSON, without a file: refused (400) by those who may read, 403 before that for those who may not.
          await probe('POST /demarches/{id}/deliveries/{post}/documents', `/demarches/${campaign.id}/deliveries/${post}/documents`, 'post', { kind: 'NON_PAPER' }, delivery);
        }
      }
      for (const f of followUps) {
        await probe('PATCH /follow-ups/{id}', `/follow-ups/${f.id}`, 'patch', { title: 'x' }, f.record);
        for (const [verb, body] of [['start', {}], ['complete', { outcome: 'x' }], ['cancel', { reason: 'x' }], ['comments', { text: 'x' }]] as const) {
          await probe(`POST /follow-ups/{id}/${verb}`, `/follow-ups/${f.id}/${verb}`, 'post', body, f.record);
        }
      }
      // allowedActions offer nothing the oracle would refuse the user (whatever the state).
      for (const cable of cables) {
        const answer = await as(user).get(`/cables/${cable.id}`);
        for (const action of (answer.body.allowedActions ?? []) as string[]) {
          if (!entitled(user, cable.record, action as never, { office: user.office ?? undefined })) findings.push(`${user.username}: ${cable.label} offers ${action}, which the oracle refuses`);
        }
      }
      for (const f of followUps) {
        const answer = await as(user).get(`/follow-ups/${f.id}`);
        for (const action of (answer.body.allowedActions ?? []) as string[]) if (!entitled(user, f.record, action as never)) findings.push(`${user.username}: a follow-up offers ${action}, which the oracle refuses`);
      }
      for (const campaign of campaigns) {
        for (const [post, delivery] of campaign.deliveries) {
          const answer = await as(user).get(`/demarches/${campaign.id}/deliveries/${post}`);
          for (const action of (answer.body.allowedActions ?? []) as string[]) if (!entitled(user, delivery, action as never)) findings.push(`${user.username}: ${post}'s delivery offers ${action}, which the oracle refuses`);
        }
      }
    }

    // Marking read a notification that is not one's own (or is about what one may not read): 404, nothing said.
    walk('POST /notifications/{id}/read');
    for (const user of people) {
      for (const id of noticeIds) {
        if (ownNotices.get(user.username)?.has(id)) continue;
        const answer = await as(user).post(`/notifications/${id}/read`);
        requests++;
        check(user, `POST /notifications/${id}/read`, answer.text);
        if (answer.status !== 404) findings.push(`${user.username} POST /notifications/${id}/read: ${answer.status}, but it is not theirs`);
      }
    }

    // The live stream: every user's stream open (with a ticket, as the web app does), the feed
    // replayed from its start through the shared poller; each notice must be about a record the
    // oracle lets that user read now, and each record they may read must have been told of.
    walk('POST /events/ticket');
    walk('GET /events/stream');
    const base = await listening(app);
    const streams = new Map<Person, OpenStream>();
    for (const user of people) {
      const ticket = (await as(user).post('/events/ticket').expect(201)).body.ticket as string;
      const stream = await openStream(base, `/events/stream?ticket=${ticket}`);
      await stream.waitFor((m) => m.type === 'ready');
      streams.set(user, stream);
    }
    await app.get(LiveFeed).rewind(START_OF_FEED);
    for (let seen = -1, now = 0; seen !== now; ) {
      seen = now;
      await new Promise((resolve) => setTimeout(resolve, 500));
      now = [...streams.values()].reduce((n, s) => n + s.messages.length, 0);
    }
    for (const [user, stream] of streams) {
      stream.close();
      const told = new Set<string>();
      for (const message of stream.messages.filter((m) => m.type === 'change')) {
        const notice = message.data as { record: { type: string; id: string } };
        check(user, 'GET /events/stream', JSON.stringify(notice));
        told.add(`${notice.record.type}:${notice.record.id}`);
        const record =
          notice.record.type === 'cable' ? cables.find((c) => c.id === notice.record.id)?.record
          : notice.record.type === 'campaign' ? campaigns.find((c) => c.id === notice.record.id)?.record
          : notice.record.type === 'followup' ? followUps.find((f) => f.id === notice.record.id)?.record
          : undefined;
        const decision = record && mayRead(user, record);
        if (decision && !decision.allowed) (decision.certain ? findings : questions).push(`${user.username}: the event stream told of a ${notice.record.type} they may not read (${decision.rules.join(', ')})`);
      }
      for (const [type, records] of [['cable', cables], ['campaign', campaigns], ['followup', followUps]] as const) {
        for (const r of records) {
          const decision = mayRead(user, r.record);
          if (decision.allowed && decision.certain && !told.has(`${type}:${r.id}`)) findings.push(`${user.username}: the event stream never told of a ${type} they may read`);
        }
      }
    }

    // A command answer carries no more than its sender may read: the population's commands were
    // checked as they were sent. Routes that name no record, walked or sent above or not at all:
    // (The identity and directory commands: a logout or password change would end the walker's token.)
    const NOT_ABOUT_RECORDS = ['POST /auth/login', 'POST /auth/password', 'POST /auth/logout', 'POST /users', 'PATCH /users/{id}', 'POST /users/{id}/disable', 'POST /users/{id}/enable', 'POST /users/{id}/password', 'POST /offices', 'POST /admin/projections/{name}/redrive', 'POST /posts', 'PATCH /posts/{code}', 'POST /posts/{code}/suspend', 'POST /posts/{code}/reopen', 'POST /posts/{code}/close', 'POST /cables', 'POST /follow-ups', 'POST /notifications/read-all'];
    const unwalked = routes.filter((route) => !walked.has(route) && !NOT_ABOUT_RECORDS.includes(route));
    expect({ unwalked }).toEqual({ unwalked: [] });
    expect(inboxSectionsPaged).toBeGreaterThan(0);

    const summary = `${people.length} users, ${cables.length} cables, ${campaigns.length} campaigns, ${campaigns.reduce((n, c) => n + c.deliveries.size, 0)} deliveries, ${followUps.length} follow-ups, ${canaries.size} canaries, ${requests} requests`;
    // For the README: what was covered, and the oracle's open questions (uncertain decisions).
    console.log(`canary: ${summary}\nquestions for the lead (${questions.length}):\n${questions.slice(0, 40).join('\n')}`);
    expect({ summary, findings }).toEqual({ summary, findings: [] });
  }, 1_800_000);
});
