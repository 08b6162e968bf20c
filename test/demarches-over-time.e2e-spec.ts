import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { parse as parseContentDisposition } from 'content-disposition';
import { parse } from 'csv-parse/sync';
import { awaitCampaign } from './support/campaigns.js';
import { capturingLogs } from './support/captured-logs.js';
import { authed, releaseCable } from './support/http.js';
import { listening } from './support/sse.js';
import { startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';
import { docx, odt, zip } from './support/zip.js';

/**
 * Issue #16: a demarche record as posts keep it. A campaign scoped by its instruction; a delivery
 * over several meetings, answered several times (the position moving), corrected by new events,
 * delivered after not-delivered; quotes in Chinese with a translation; documents left behind,
 * uploaded and downloaded byte for byte under the campaign's reading rights; reporting cables
 * checked; the dashboard, CSV and ?asOf= on the latest position; the leadership's drill-down.
 */
describe('demarches kept over time, through HTTP', () => {
  let story: Story<string>;
  let app: INestApplication;
  let dataSource: DataSource;
  const clock = new TestClock(new Date('2026-11-20T09:00:00Z'));
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'beijing' | 'beijingApprover' | 'shanghai' | 'tokyo' | 'beijingLow' | 'confidentialLeader' | 'leader' | 'lowLeader' | 'auditor', string>;
  const as = (token: string) => authed(app, token);
  let campaignId: string;
  let mrn: string;

  const instruction = {
    kind: 'INSTRUCTION',
    subject: 'Demarche on the distillation of U.S. AI models',
    classification: 'CONFIDENTIAL',
    captions: ['SIPDIS'],
    precedence: 'IMMEDIATE',
    tags: ['PREL', 'TSPL', 'KIPR', 'CH'],
    actionAddressees: ['BEIJING', 'SHANGHAI', 'TOKYO', 'USUNNEWYORK', 'SEOUL'],
    paragraphs: [
      { marking: 'U', text: 'Action request: see paragraph 2.' },
      { marking: 'C', text: 'Raise concerns about the extraction and distillation of U.S. AI models.' },
    ],
    classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' },
    demarche: { reportBy: '2026-12-15', targets: 'Foreign ministry, director-general level', points: [2], scope: { kinds: ['EMBASSY'], excludePosts: ['SEOUL'] } },
  };
  const delivered = { deliveredOn: '2026-11-21', counterpart: { name: 'Li Wei', title: 'Director-General', organization: 'Ministry of Foreign Affairs' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' };
  const baseless = { text: '这些指控毫无根据。', language: 'zh', translation: 'These allegations are baseless.' };
  const binary = (res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (error: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  };
  const upload = (token: string, post: string, file: Buffer, filename: string, kind = 'NON_PAPER') =>
    request(app.getHttpServer()).post(`/demarches/${campaignId}/deliveries/${post}/documents`).set('Authorization', `Bearer ${token}`).field('kind', kind).attach('file', file, { filename });
  const download = (token: string, href: string) => request(app.getHttpServer()).get(href).set('Authorization', `Bearer ${token}`).buffer(true).parse(binary as never);
  /** A reply from Beijing to SECSTATE citing `references`, and a draft kept unreleased. */
  const reply = (references: { label: string; mrn: string }[]) => ({
    kind: 'REPORTING', subject: 'PRC rejects U.S. demarche on AI distillation', classification: 'CONFIDENTIAL', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
    actionAddressees: ['SECSTATE'], references, paragraphs: [{ marking: 'C', text: 'The MFA spokesperson called the allegations baseless.' }],
    classifiedBy: { name: 'Pat Lee', title: 'DCM', office: 'BEIJING', reasons: ['1.4(d)'], declassifyOn: '2050-12-31' },
  });
  const draftOnly = async (draft: object) => (await as(t.beijing).post('/cables', draft).expect(201)).body.id as string;

  beforeAll(async () => {
    story = await startStory(clock, {
      beijingApprover: { username: 'bjdcm', roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' },
      shanghai: { username: 'shpol', roles: ['post_officer'], postCode: 'SHANGHAI', clearance: 'SECRET' },
      tokyo: { username: 'tkpol', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' },
      beijingLow: { username: 'bjlow', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'CONFIDENTIAL' },
      confidentialLeader: { username: 'conflead', roles: ['leadership'], office: 'P', clearance: 'CONFIDENTIAL' },
      leader: { username: 'lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' },
      lowLeader: { username: 'lowlead', roles: ['leadership'], office: 'S', clearance: 'UNCLASSIFIED' },
      auditor: { username: 'audit', roles: ['auditor'], office: 'OIG', clearance: 'TOP_SECRET' },
    });
    ({ app, dataSource } = story);
    Object.assign(t, story.tokens);
  });
  afterAll(async () => {
    await story.end();
  });

  describe('scope', () => {
    it('refuses a scope naming no kind of post, or a post both tasked and excluded', async () => {
      const kinds = await as(t.drafter).post('/cables', { ...instruction, demarche: { ...instruction.demarche, scope: { kinds: ['EMBASSIES'] } } }).expect(400);
      expect(kinds.body.errors[0].field).toMatch(/scope/);
      const both = await as(t.drafter).post('/cables', { ...instruction, demarche: { ...instruction.demarche, scope: { posts: ['TOKYO'], excludePosts: ['TOKYO'] } } }).expect(422);
      expect(both.body.errors[0].field).toBe('demarche.scope');
      const unknown = await as(t.drafter).post('/cables', { ...instruction, demarche: { ...instruction.demarche, scope: { excludePosts: ['NOWHERE'] } } }).expect(422);
      expect(unknown.body.errors[0].field).toBe('demarche.scope.excludePosts');
      // A post the cable informs but does not task: naming it in the scope would task nobody.
      const informed = await as(t.drafter).post('/cables', { ...instruction, infoAddressees: ['LONDON'], demarche: { ...instruction.demarche, scope: { posts: ['LONDON'] } } }).expect(422);
      expect(informed.body.errors[0]).toEqual({ field: 'demarche.scope.posts', message: 'LONDON is not among the posts the cable is addressed to for action' });
      // A scope that leaves nobody to task (every action post excluded; consulates only, of embassies) would open no campaign.
      const noPostLeft = { field: 'demarche.scope', message: 'the scope leaves no post to task among those the cable is addressed to for action' };
      for (const scope of [{ excludePosts: instruction.actionAddressees }, { kinds: ['CONSULATE'] }]) {
        const refused = await as(t.drafter).post('/cables', { ...instruction, actionAddressees: ['BEIJING', 'TOKYO'], demarche: { ...instruction.demarche, scope: { ...scope, excludePosts: scope.excludePosts?.filter((p) => ['BEIJING', 'TOKYO'].includes(p)) } } }).expect(422);
        expect(refused.body.errors).toEqual([noPostLeft]);
      }
      // Repeats are refused, as addressees' are.
      const repeated = await as(t.drafter).post('/cables', { ...instruction, demarche: { ...instruction.demarche, points: [2, 2], scope: { posts: ['TOKYO', 'TOKYO'] } } }).expect(422);
      expect(repeated.body.errors[0]).toEqual({ field: 'demarche.points', message: 'points must not repeat' });
      const repeatedPosts = await as(t.drafter).post('/cables', { ...instruction, demarche: { ...instruction.demarche, scope: { posts: ['TOKYO', 'TOKYO'] } } }).expect(422);
      expect(repeatedPosts.body.errors[0]).toEqual({ field: 'demarche.scope.posts', message: 'posts must not repeat' });
    });

    it('tasks only the posts in scope ("embassies only", all but Seoul), and says so in the telegram’s action paragraph', async () => {
      campaignId = await releaseCable(app, t.drafter, t.approver, instruction);
      const opened = await awaitCampaign(app, t.leader, campaignId);
      expect(opened.status).toBe(200);
      const { body } = opened;
      mrn = body.mrn;
      expect(body.deliveries.map((d: { post: string }) => d.post)).toEqual(['BEIJING', 'TOKYO']);
      expect(body.summary.total).toBe(2);
      expect(body.scope).toEqual({ kinds: ['EMBASSY'], excludePosts: ['SEOUL'] });
      // Shanghai (a consulate general) and USUN (a mission) received it, but are not tasked.
      await as(t.shanghai).post(`/demarches/${campaignId}/deliveries/SHANGHAI/delivery`, delivered).expect(404);
      // A post's taskings: the campaigns that task it, not those it only received.
      const tasked = (post: string) => as(t.leader).get(`/demarches?post=${post}`).expect(200).then((r) => r.body.items.map((c: { id: string }) => c.id));
      expect(await tasked('TOKYO')).toContain(campaignId);
      expect(await tasked('SHANGHAI')).not.toContain(campaignId);
      expect(await tasked('tokyo')).toContain(campaignId); // a code in any case, as in a path
      expect((await as(t.leader).get('/demarches?post=to-kyo').expect(400)).body.errors[0].field).toBe('post');
      const telegram = (await as(t.leader).get(`/cables/${campaignId}/telegram`).expect(200)).text;
      // Marked as the cable is (whom to see is the drafter's text), with whom to see and by when.
      expect(telegram.replace(/\s+/g, ' ')).toContain(
        '3. (C) ACTION REQUEST: THIS DEMARCHE TASKS EMBASSIES ONLY; ALL ADDRESSEES EXCEPT AMEMBASSY SEOUL. OTHER ADDRESSEES NEED NOT ACT. DELIVER THE POINTS IN PARAGRAPH 2 TO FOREIGN MINISTRY, DIRECTOR-GENERAL LEVEL, AND REPORT THE RESPONSE BY',
      );
    });

    it('names in the action paragraph, by their designators, the posts a scope names inside a collective addressee', async () => {
      const collective = { ...instruction, actionAddressees: ['EAP_POSTS'], demarche: { ...instruction.demarche, scope: { excludePosts: ['TOKYO', 'SHANGHAI'] } } };
      const { body: draft } = await as(t.drafter).post('/cables', collective).expect(201);
      const telegram = (await as(t.drafter).get(`/cables/${draft.id}/telegram`).expect(200)).text;
      expect(telegram.replace(/\s+/g, ' ')).toContain('ACTION REQUEST: THIS DEMARCHE TASKS ALL ADDRESSEES EXCEPT AMEMBASSY TOKYO, AMCONSUL SHANGHAI.');
      await as(t.drafter).post(`/cables/${draft.id}/cancel`, { reason: 'Only to show its telegram' }).expect(200);
    });
  });

  describe('a delivery over time', () => {
    it('takes several meetings and several responses; the position is the latest said, and how many changed is counted', async () => {
      clock.set('2026-11-22T09:00:00Z');
      // Not before the post was tasked: the campaign opened on 20 November at 09:00 UTC, still the 19th in the furthest west.
      const early = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/delivery`, { ...delivered, deliveredOn: '2026-11-18' }).expect(422);
      expect(early.body.errors).toEqual([{ field: 'deliveredOn', message: 'deliveredOn cannot be before the post was tasked (2026-11-19)' }]);
      await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/delivery`, delivered).expect(201);
      const contact = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/contacts`, {
        on: '2026-11-22', counterpart: { name: 'Hua Chunying', title: 'Spokesperson', organization: 'Ministry of Foreign Affairs' }, level: 'DIRECTOR_GENERAL', method: 'PHONE',
      }).expect(201);
      expect(contact.body.contacts.map((c: { on: string; method: string }) => [c.on, c.method])).toEqual([['2026-11-21', 'IN_PERSON'], ['2026-11-22', 'PHONE']]);
      const first = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, { receivedOn: '2026-11-21', position: 'NONCOMMITTAL', summary: 'Took note; will study.' }).expect(201);
      expect(first.body).toMatchObject({ status: 'RESPONDED', position: 'NONCOMMITTAL', positionChanged: false });
      clock.set('2026-11-23T09:00:00Z');
      const beforeChange = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      // A language named in words is no tag: refused by the request's checks, naming the quote's field.
      const named = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, { receivedOn: '2026-11-23', position: 'REJECTED', summary: 'x', quotes: [{ ...baseless, language: 'Chinese' }] }).expect(400);
      expect(named.body.errors).toEqual([{ field: 'quotes.0.language', message: 'language is a BCP 47 tag such as zh or zh-Hans' }]);
      const second = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, {
        receivedOn: '2026-11-23', position: 'REJECTED', summary: 'The MFA spokesperson called the allegations baseless.', quotes: [baseless],
      }).expect(201);
      expect(second.body).toMatchObject({ status: 'RESPONDED', position: 'REJECTED', positionChanged: true, quotes: [baseless], receivedOn: '2026-11-23' });
      expect(second.body.responses.map((r: { number: number; position: string }) => [r.number, r.position])).toEqual([[1, 'NONCOMMITTAL'], [2, 'REJECTED']]);

      const campaign = (await as(t.leader).get(`/demarches/${campaignId}`).expect(200)).body;
      expect(campaign.positionsChanged).toBe(1);
      const dashboard = (await as(t.leader).get('/dashboard').expect(200)).body.campaigns.find((c: { id: string }) => c.id === campaignId);
      expect(dashboard).toMatchObject({ positionsChanged: 1, positions: { REJECTED: 1, NONCOMMITTAL: 0 }, deliveryLink: `/demarches/${campaignId}/deliveries/{post}` });
      // As of before the change: the first position, nothing changed yet; now: the same as the read tables.
      const then = (await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(beforeChange)}`).expect(200)).body.campaigns.find((c: { id: string }) => c.id === campaignId);
      expect(then).toMatchObject({ positionsChanged: 0, positions: { NONCOMMITTAL: 1, REJECTED: 0 } });
      const now = (await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`).expect(200)).body.campaigns.find((c: { id: string }) => c.id === campaignId);
      expect({ ...now, asOf: undefined }).toEqual({ ...dashboard, asOf: undefined });

      // Right after the campaign opened, nobody had delivered.
      const opening = (await as(t.leader).get(`/demarches/${campaignId}/history`).expect(200)).body.items[0];
      const justOpened = (await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(new Date(Date.parse(opening.at) + 1).toISOString())}`).expect(200)).body.campaigns.find((c: { id: string }) => c.id === campaignId);
      expect(justOpened.summary).toMatchObject({ total: 2, delivered: 0, responded: 0, pending: 2 });
      const csv = parse((await as(t.leader).get(`/demarches/${campaignId}/export.csv`).expect(200)).text, { columns: true, bom: true }) as Record<string, string>[];
      expect(csv.find((r) => r.post === 'BEIJING')).toMatchObject({ position: 'REJECTED', firstPosition: 'NONCOMMITTAL', positionChanged: 'yes', responses: '2', contacts: '2', quotes: '这些指控毫无根据。 [These allegations are baseless.]' });
    });

    it('corrects a response with a new event that names it; nothing is rewritten', async () => {
      const wrong = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, { receivedOn: '2026-11-23', position: 'SUPPORTIVE', summary: 'Logged by mistake.' }).expect(201);
      expect(wrong.body.position).toBe('SUPPORTIVE');
      // A follow-up grown out of it, before it is corrected.
      const grown = (await as(t.drafter).post('/follow-ups', { title: 'Thank them', owner: { office: 'EAP/CM' }, dueOn: '2026-12-20', demarcheId: campaignId, post: 'BEIJING', response: 3 }).expect(201)).body;
      expect(grown).toMatchObject({ response: 3, responseCorrectedBy: null });
      const fixed = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, {
        receivedOn: '2026-11-23', position: 'REJECTED', summary: 'Correction: the spokesperson rejected the demarche.', quotes: [baseless], corrects: 3,
      }).expect(201);
      expect(fixed.body.position).toBe('REJECTED');
      expect(fixed.body.responses.map((r: { number: number; correctedBy: number | null; corrects: number | null }) => [r.number, r.corrects, r.correctedBy])).toEqual([[1, null, null], [2, null, null], [3, null, 4], [4, 3, null]]);
      await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, { receivedOn: '2026-11-23', position: 'REJECTED', summary: 'Again', corrects: 3 }).expect(422);
      // The follow-up says that what it grew out of no longer stands, in its page and in the list.
      expect((await as(t.drafter).get(`/follow-ups/${grown.id}`).expect(200)).body).toMatchObject({ response: 3, responseCorrectedBy: 4 });
      const listed = (await as(t.drafter).get(`/follow-ups?demarcheId=${campaignId}&limit=100`).expect(200)).body.items.find((f: { id: string }) => f.id === grown.id);
      expect(listed).toMatchObject({ response: 3, responseCorrectedBy: 4 });
      await as(t.drafter).post(`/follow-ups/${grown.id}/cancel`, { reason: 'It grew out of a mistake.' }).expect(201);
      // The campaign's timeline says where the post stood after each event (the map draws from it).
      const timeline = (await as(t.leader).get(`/demarches/${campaignId}/history`).expect(200)).body.items.filter((e: { post: string }) => e.post === 'BEIJING');
      expect(timeline.map((e: { type: string; position: string | null }) => [e.type, e.position])).toEqual([
        ['DemarcheDelivered', null], ['ContactRecorded', null], ['ResponseLogged', 'NONCOMMITTAL'], ['ResponseLogged', 'REJECTED'], ['ResponseLogged', 'SUPPORTIVE'], ['ResponseLogged', 'REJECTED'],
      ]);
      const types = (await as(t.leader).get(`/demarches/${campaignId}/deliveries/BEIJING`).expect(200)).body.history.map((e: { type: string }) => e.type);
      expect(types).toEqual(['DemarcheDelivered', 'ContactRecorded', 'ResponseLogged', 'ResponseLogged', 'ResponseLogged', 'ResponseLogged']);
    });

    it('delivers after not delivered; the earlier record stays in the history', async () => {
      await as(t.tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/not-delivered`, { reason: 'No appointment granted' }).expect(201);
      await as(t.tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/not-delivered`, { reason: 'Again' }).expect(409);
      const later = await as(t.tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/delivery`, { ...delivered, counterpart: { name: 'Sato Ken', title: 'Director', organization: 'MOFA' } }).expect(201);
      expect(later.body).toMatchObject({ status: 'DELIVERED', notDeliveredReason: null, deliveredOn: '2026-11-21' });
      const drill = (await as(t.leader).get(`/demarches/${campaignId}/deliveries/TOKYO`).expect(200)).body;
      expect(drill.history.map((e: { type: string }) => e.type)).toEqual(['DemarcheNotDelivered', 'DemarcheDelivered']);
      expect(drill.allowedActions).toEqual([]);
      expect((await as(t.tokyo).get(`/demarches/${campaignId}/deliveries/TOKYO`).expect(200)).body.allowedActions).toEqual(['recordResponse', 'addContact', 'uploadDocument']);
    });
  });

  describe('reporting cables', () => {
    it('takes only a released cable from that post citing the tasking, on a response or after it; the campaign shows them', async () => {
      const other = await releaseCable(app, t.drafter, t.approver, { ...instruction, subject: 'Another tasking', demarche: undefined, kind: 'INFORMATIONAL' });
      const otherMrn = (await as(t.leader).get(`/cables/${other}`).expect(200)).body.mrn;
      const citing = await releaseCable(app, t.beijing, t.beijingApprover, reply([{ label: 'A', mrn }]));
      const uncited = await releaseCable(app, t.beijing, t.beijingApprover, reply([{ label: 'A', mrn: otherMrn }]));
      const unreleased = await draftOnly(reply([{ label: 'A', mrn }]));
      const url = `/demarches/${campaignId}/deliveries/BEIJING`;
      const response = { receivedOn: '2026-11-23', position: 'REJECTED', summary: 'Reported by cable.' };
      for (const [id, why] of [[other, /not a cable from BEIJING/], [uncited, /does not cite/], [unreleased, /not released/], ['3f1c0e5e-0000-4000-8000-000000000000', /not a cable from BEIJING/]] as const) {
        const refused = await as(t.beijing).post(`${url}/response`, { ...response, reportingCableId: id }).expect(422);
        expect(refused.body.errors[0].field).toBe('reportingCableId');
        expect(refused.body.detail).toMatch(why);
      }
      const attached = await as(t.beijing).post(`${url}/responses/2/reporting-cable`, { reportingCableId: citing }).expect(201);
      expect(attached.body.reportingCables).toEqual([{ response: 2, cableId: citing, mrn: expect.stringMatching(/^\d{2} BEIJING \d{6}$/) }]);
      await as(t.beijing).post(`${url}/responses/4/reporting-cable`, { reportingCableId: uncited }).expect(422);
      await as(t.beijing).post(`${url}/responses/9/reporting-cable`, { reportingCableId: citing }).expect(404);
      // Responses count from 1: a 0 is a malformed request, said of its parameter.
      const zero = await as(t.beijing).post(`${url}/responses/0/reporting-cable`, { reportingCableId: citing }).expect(400);
      expect(zero.body.errors).toEqual([{ field: 'number', message: 'must be a whole number from 1' }]);
      await as(t.tokyo).post(`${url}/responses/4/reporting-cable`, { reportingCableId: citing }).expect(403);
      const logged = await as(t.beijing).post(`${url}/response`, { ...response, reportingCableId: citing }).expect(201);
      expect(logged.body.reportingCableId).toBe(citing);
      const campaign = (await as(t.drafter).get(`/demarches/${campaignId}`).expect(200)).body;
      expect(campaign.deliveries.find((d: { post: string }) => d.post === 'BEIJING').reportingCables.map((c: { cableId: string }) => c.cableId)).toEqual([citing, citing]);
      // The export names the cable once, with the responses it reports.
      const rows = parse((await as(t.leader).get(`/demarches/${campaignId}/export.csv`).expect(200)).text, { columns: true, bom: true }) as Record<string, string>[];
      expect(rows.find((row) => row.post === 'BEIJING')?.reportingCables).toBe(`${attached.body.reportingCables[0].mrn} (responses 2, 5)`);
    });
  });

  describe('documents left behind', () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x0a, 0x00, 0xff]), Buffer.from('\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')]);

    it('uploads PDF, DOCX, ODT and text, judged by their bytes, and downloads each byte for byte, every download audited', async () => {
      const files: [Buffer, string, string][] = [
        [pdf, 'non-paper.pdf', 'application/pdf'],
        [docx('Non-paper on AI distillation'), 'non-paper.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
        [odt('Aide-mémoire'), 'aide-mémoire.odt', 'application/vnd.oasis.opendocument.text'],
        // A name in UTF-8, as browsers send it, kept as written.
        [Buffer.from('外交部发言人：这些指控毫无根据。\n'), '照会 – statement.txt', 'text/plain; charset=utf-8'],
        // Characters that percent-encoding for a URL leaves as they are, and RFC 8187 does not allow bare.
        [Buffer.from('Minister’s note.\n'), "Minister's note (draft)*.txt", 'text/plain; charset=utf-8'],
      ];
      for (const [bytes, filename, type] of files) {
        // The text one sent to the address spelt otherwise (the id in capitals, the post in lower case): its Location is spelt as routes spell it.
        const uploaded = filename.endsWith('.txt')
          ? await request(app.getHttpServer()).post(`/demarches/${campaignId.toUpperCase()}/deliveries/beijing/documents`).set('Authorization', `Bearer ${t.beijing}`).field('kind', 'NON_PAPER').attach('file', bytes, { filename }).expect(201)
          : await upload(t.beijing, 'BEIJING', bytes, filename).expect(201);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        expect(uploaded.body).toMatchObject({ id: expect.any(String), name: filename, kind: 'NON_PAPER', size: bytes.length, sha256 });
        expect(uploaded.headers.location).toBe(`/demarches/${campaignId}/deliveries/BEIJING/documents/${uploaded.body.id}`);
        const drill = (await as(t.leader).get(`/demarches/${campaignId}/deliveries/BEIJING`).expect(200)).body;
        const document = drill.documents.find((d: { documentId: string }) => d.documentId === uploaded.body.id);
        expect(document).toMatchObject({ name: filename, mediaType: type, sha256 });
        const got = await download(t.tokyo, document.href).expect(200);
        expect(got.headers['content-type']).toBe(type);
        expect(Buffer.compare(got.body as Buffer, bytes)).toBe(0);
        // RFC 6266: a plain `filename` (a token or a quoted string: the name itself when it is ASCII), and beside it, for a name
        // that is not, `filename*` with every character an RFC 8187 attr-char or percent-encoded;
        // read back, the name as uploaded.
        const disposition = got.headers['content-disposition'] as string;
        expect(disposition).toMatch(/^attachment; filename=(?:[!#$%&'*+\-.^_`|~A-Za-z0-9]+|"[\x20-\x7e]+")(?:; filename\*=UTF-8''(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+)?$/);
        expect(disposition.includes('filename*=')).toBe(/[^\x20-\x7e]/.test(filename));
        expect(parseContentDisposition(disposition).parameters.filename).toBe(filename);
        // The event carries the digest.
        const [event] = await dataSource.query(`SELECT data FROM events WHERE type = 'DocumentAttached' AND data->>'documentId' = $1`, [uploaded.body.id]);
        expect(event.data.sha256).toBe(sha256);
      }
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'DownloadDocument'`);
      expect(n).toBe(5);
    });

    it('refuses a file over 10 MB (413), one of another type whatever its name or one whose name says another type (415), no file or an empty one (400), an unknown kind (400)', async () => {
      const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x41);
      const tooLarge = await upload(t.beijing, 'BEIJING', big, 'big.txt').expect(413);
      expect(tooLarge.headers['content-type']).toMatch(/application\/problem\+json/);
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
      const unsupported = await upload(t.beijing, 'BEIJING', png, 'note.pdf').expect(415);
      expect(unsupported.headers['content-type']).toMatch(/application\/problem\+json/);
      await upload(t.beijing, 'BEIJING', zip([{ name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet' }]), 'sheet.odt').expect(415);
      await upload(t.beijing, 'BEIJING', Buffer.from([0x66, 0x6f, 0xc3, 0x28]), 'latin.txt').expect(415);
      await request(app.getHttpServer()).post(`/demarches/${campaignId}/deliveries/BEIJING/documents`).set('Authorization', `Bearer ${t.beijing}`).field('kind', 'NON_PAPER').expect(400);
      // JSON to the upload route: the type it takes is said (415, Accept), as a JSON route says it of a form.
      const json = await request(app.getHttpServer()).post(`/demarches/${campaignId}/deliveries/BEIJING/documents`).set('Authorization', `Bearer ${t.beijing}`).send({ kind: 'NON_PAPER', file: 'x' }).expect(415);
      expect({ detail: json.body.detail, accept: json.headers.accept }).toEqual({ detail: 'This request takes a body (Content-Type: multipart/form-data); this one is application/json', accept: 'multipart/form-data' });
      await upload(t.beijing, 'BEIJING', pdf, 'x.pdf', 'LETTER').expect(400);
      const misnamed = await upload(t.beijing, 'BEIJING', Buffer.from('<html><script>alert(1)</script>'), 'fake.pdf').expect(415);
      expect(misnamed.body.errors).toEqual([{ field: 'file', message: 'named .pdf, but its content is text' }]);
      await upload(t.beijing, 'BEIJING', pdf, 'non-paper.txt').expect(415);
      const empty = await upload(t.beijing, 'BEIJING', Buffer.alloc(0), 'empty.txt').expect(400);
      expect(empty.body.errors).toEqual([{ field: 'file', message: 'the file is empty' }]);
      // A name is held as names are: `invoice\u202Efdp.txt` would show its readers `invoicetxt.pdf`.
      for (const [filename, message] of [['invoice\u202Efdp.txt', /bidirectional control/], ['\u200B.txt', /something shown before its extension/], ['x'.repeat(300), /at most 255 characters/]] as const) {
        const refused = await upload(t.beijing, 'BEIJING', Buffer.from('text'), filename).expect(422);
        expect(refused.body.errors).toEqual([{ field: 'file', message: expect.stringMatching(message) }]);
      }
      // A control character (sent percent-encoded, `filename*=UTF-8''…`) is refused, not dropped
      // unsaid: `note\u0007\n.txt` was kept as `note.txt`.
      for (const encoded of ['note%07.txt', 'note%0A.txt', 'note.txt%0D%0A', 'tab%09.txt']) {
        const body = `--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\nNON_PAPER\r\n--b\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''${encoded}\r\nContent-Type: text/plain\r\n\r\ntext\r\n--b--\r\n`;
        const refused = await request(app.getHttpServer()).post(`/demarches/${campaignId}/deliveries/BEIJING/documents`).set('Authorization', `Bearer ${t.beijing}`).set('Content-Type', 'multipart/form-data; boundary=b').send(body);
        expect({ encoded, status: refused.status, errors: refused.body.errors }).toEqual({ encoded, status: 422, errors: [{ field: 'file', message: expect.stringMatching(/control character/) }] });
      }
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM demarche_documents`);
      expect(n).toBe(5); // nothing refused was kept
    });

    it('keeps a text file named as another kind of file under its own extension too (page.html is kept as page.html.txt)', async () => {
      const { body } = await upload(t.beijing, 'BEIJING', Buffer.from('<html><script>alert(1)</script></html>'), 'page.html').expect(201);
      expect(body).toMatchObject({ name: 'page.html.txt' });
    });

    it('is uploaded only by that post’s officers and read only by the campaign’s readers (403 otherwise)', async () => {
      await upload(t.tokyo, 'BEIJING', pdf, 'x.pdf').expect(403);
      await upload(t.drafter, 'BEIJING', pdf, 'x.pdf').expect(403);
      await upload(t.lowLeader, 'BEIJING', pdf, 'x.pdf').expect(403);
      const { documents } = (await as(t.leader).get(`/demarches/${campaignId}/deliveries/BEIJING`).expect(200)).body;
      const refused = await download(t.lowLeader, documents[0].href).expect(403);
      expect(String((refused.body as Buffer).toString('utf8'))).not.toMatch(/CONFIDENTIAL/);
      await download(t.auditor, documents[0].href).expect(403);
      await download(t.shanghai, documents[0].href).expect(200); // an addressee, not tasked, reads the campaign
      await download(t.leader, `/demarches/${campaignId}/deliveries/TOKYO/documents/${documents[0].documentId}`).expect(404);
    });

    it('replays an upload sent again with its Idempotency-Key, and refuses the key with another file (422)', async () => {
      const count = async () => (await dataSource.query(`SELECT count(*)::int AS n FROM demarche_documents`))[0].n as number;
      const before = await count();
      const note = Buffer.from('Aide-memoire: the points as delivered.');
      const first = await upload(t.beijing, 'BEIJING', note, 'points.txt', 'AIDE_MEMOIRE').set('Idempotency-Key', 'upload-points-1').expect(201);
      const again = await upload(t.beijing, 'BEIJING', note, 'points.txt', 'AIDE_MEMOIRE').set('Idempotency-Key', 'upload-points-1').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      // The same form with other bytes is another request: the key cannot be used for it.
      const other = await upload(t.beijing, 'BEIJING', Buffer.from('Another text altogether.'), 'points.txt', 'AIDE_MEMOIRE').set('Idempotency-Key', 'upload-points-1').expect(422);
      expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      await upload(t.beijing, 'BEIJING', note, 'points.txt', 'NON_PAPER').set('Idempotency-Key', 'upload-points-1').expect(422);
      expect(await count()).toBe(before + 1);
    });

    it('takes an upload its client abandons halfway as the client’s doing: no error logged, nothing written', async () => {
      const written = async () => (await dataSource.query(`SELECT (SELECT count(*)::int FROM demarche_documents) AS documents, (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM audit_log) AS audited`))[0];
      const before = await written();
      const { port } = new URL(await listening(app));
      const boundary = 'chancery-abandoned-upload';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nNON_PAPER\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="points.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      );
      const { logs } = await capturingLogs(async (seen) => {
        // A body announced at 5 MB, of which a megabyte comes before the client goes away.
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(
          `POST /demarches/${campaignId}/deliveries/BEIJING/documents HTTP/1.1\r\nHost: chancery\r\nAuthorization: Bearer ${t.beijing}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n`,
        );
        socket.write(Buffer.concat([head, Buffer.alloc(1024 * 1024, 'The points as delivered. ')]));
        await new Promise((resolve) => setTimeout(resolve, 300));
        socket.destroy();
        // The server says what became of the request once it notices.
        const deadline = Date.now() + 5_000;
        while (!seen.some((log) => log.context === 'HTTP') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      });
      expect(logs.filter((log) => log.context === 'HTTP').map((log) => log.level)).toEqual(['log']);
      expect(logs.filter((log) => log.level === 'error' || log.level === 'fatal')).toEqual([]);
      expect(await written()).toEqual(before);
    });
  });

  describe('drill-down and follow-ups from a response', () => {
    it('shows leadership a post’s contacts, responses with quotes and translations, documents and reporting cables', async () => {
      const { body } = await as(t.leader).get(`/demarches/${campaignId}/deliveries/BEIJING`).expect(200);
      expect(body.campaign).toMatchObject({ id: campaignId, mrn, reportBy: '2026-12-15' });
      expect(body.contacts).toHaveLength(2);
      expect(body.responses.find((r: { number: number }) => r.number === 2).quotes).toEqual([baseless]);
      expect(body.documents).toHaveLength(7);
      expect(body.reportingCables).toHaveLength(2);
      expect(body.position).toBe('REJECTED');
      // An id is an id whatever its case: upper case names the same delivery (it once started a second stream).
      const upper = await as(t.leader).get(`/demarches/${campaignId.toUpperCase()}/deliveries/BEIJING`).expect(200);
      expect(upper.body.version).toBe(body.version);
      await as(t.beijing).post(`/demarches/${campaignId.toUpperCase()}/deliveries/BEIJING/delivery`, delivered).expect(409);
      // Who logged what, by name: every officer its records name, and no one else.
      const named = new Set([...body.contacts, ...body.responses, ...body.documents].map((r: { by: string }) => r.by));
      expect(Object.keys(body.people).sort()).toEqual([...named].sort());
      expect(Object.values(body.people)).toContainEqual({ username: 'bjpol', displayName: 'bjpol' });
      // A command's answer names them the same way (the sender, known to the request, with no read).
      const contact = await as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/contacts`, {
        on: '2026-11-23', counterpart: { name: 'Li Wei', title: 'Director-General', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'PHONE',
      }).expect(201);
      expect(contact.body.people).toEqual(body.people);
      const fresh = await as(t.tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/contacts`, {
        on: '2026-11-23', counterpart: { name: 'Sato', title: 'Director-General', organization: 'MOFA' }, level: 'DIRECTOR_GENERAL', method: 'PHONE',
      }).expect(201);
      expect(Object.values(fresh.body.people)).toContainEqual({ username: 'tkpol', displayName: 'tkpol' });
    });

    it('opens a follow-up from a response in one request, linking campaign, post and response', async () => {
      const made = await as(t.drafter).post('/follow-ups', {
        title: 'Prepare a response to the PRC rejection', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', demarcheId: campaignId, post: 'BEIJING', response: 2,
      }).expect(201);
      // Its answer is the follow-up as read: linked, and classified as the campaign is.
      expect(made.body).toMatchObject({ demarcheId: campaignId, post: 'BEIJING', cableId: null, response: 2, classification: 'CONFIDENTIAL', captions: ['SIPDIS'] });
      expect((await as(t.drafter).get(`/follow-ups/${made.body.id}`).expect(200)).body).toEqual(made.body);
      for (const bad of [{ response: 99 }, { post: 'SHANGHAI' }, { demarcheId: undefined }]) {
        await as(t.drafter).post('/follow-ups', { title: 'x', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', demarcheId: campaignId, post: 'BEIJING', response: 2, ...bad }).expect(422);
      }
      // Response 3 was corrected by response 4: what stands is 4.
      const corrected = await as(t.drafter).post('/follow-ups', { title: 'x', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', demarcheId: campaignId, post: 'BEIJING', response: 3 }).expect(422);
      expect(corrected.body.errors).toEqual([{ field: 'response', message: 'corrected by response 4' }]);
      // A cable linked with the campaign is its tasking or a cable citing it, not any cable.
      const unrelated = await releaseCable(app, t.drafter, t.approver, { ...instruction, subject: 'Unrelated', demarche: undefined, kind: 'INFORMATIONAL' });
      const [{ id: citing }] = await dataSource.query(`SELECT id FROM cables WHERE status = 'RELEASED' AND $1 = ANY(reference_mrns) AND origin = 'BEIJING' LIMIT 1`, [mrn]);
      const linked = (cableId: string) => as(t.leader).post('/follow-ups', { title: 'x', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', demarcheId: campaignId, post: 'BEIJING', cableId });
      const refused = await linked(unrelated).expect(422);
      expect(refused.body.errors).toEqual([{ field: 'cableId', message: 'neither the campaign’s tasking nor a cable citing it' }]);
      for (const cableId of [campaignId, citing]) expect((await linked(cableId).expect(201)).body).toMatchObject({ demarcheId: campaignId, cableId });
      expect((await as(t.leader).post('/follow-ups', { title: 'x', owner: { office: 'EAP/CM' }, dueOn: '2026-12-01', cableId: unrelated }).expect(201)).body.cableId).toBe(unrelated);
    });
  });

  describe('reporting cables above a reader', () => {
    it('links only what the officer may read, and shows a reporting cable only to those who may read it', async () => {
      // A SECRET reply from Beijing: its CONFIDENTIAL officer may not read it, nor may Tokyo (not its
      // post, not its addressee), though both read the campaign.
      const secret = await releaseCable(app, t.beijing, t.beijingApprover, { ...reply([{ label: 'A', mrn }]), classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'The Vice Minister hinted at a change.' }] });
      const secretDraft = await draftOnly({ ...reply([{ label: 'A', mrn }]), classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'Not yet released.' }] });
      await as(t.beijingLow).get(`/cables/${secret}`).expect(403);
      const url = `/demarches/${campaignId}/deliveries/BEIJING`;
      const response = { receivedOn: '2026-11-23', position: 'NONCOMMITTAL', summary: 'Reported by a SECRET cable.' };
      // Refused exactly as a cable that is not there, whatever the unreadable cable's state.
      const answers = [];
      for (const id of [secret, secretDraft, '3f1c0e5e-0000-4000-8000-000000000001']) {
        const refused = await as(t.beijingLow).post(`${url}/response`, { ...response, reportingCableId: id }).expect(422);
        answers.push({ detail: refused.body.detail, errors: refused.body.errors });
      }
      expect(answers[0]).toEqual(answers[2]);
      expect(answers[1]).toEqual(answers[2]);
      const before = (await as(t.beijing).get(url).expect(200)).body;
      await as(t.beijingLow).post(`${url}/responses/${before.responses.length}/reporting-cable`, { reportingCableId: secret }).expect(422);
      expect((await as(t.beijing).get(url).expect(200)).body.version).toBe(before.version);

      // Linked by the officer who may read it: the link is kept, but shown only to readers of the cable.
      const logged = await as(t.beijing).post(`${url}/response`, { ...response, reportingCableId: secret });
      expect([logged.status, logged.body.detail]).toEqual([201, undefined]);
      expect(logged.body.reportingCables.map((c: { cableId: string }) => c.cableId)).toContain(secret);
      // And attached to another response afterwards (a ReportingCableAttached event).
      const plain = await as(t.beijing).post(`${url}/response`, { ...response, summary: 'Followed up by telephone.' }).expect(201);
      // A response's number is written in digits: 1e0 or 0x1 is no number of one (400), not a response looked up.
      for (const number of ['1e0', '0x1', '%2B1']) {
        expect((await as(t.beijing).post(`${url}/responses/${number}/reporting-cable`, { reportingCableId: secret }).expect(400)).body.errors[0].field).toBe('number');
      }
      await as(t.beijing).post(`${url}/responses/${plain.body.responses.length}/reporting-cable`, { reportingCableId: secret }).expect(201);
      const leaks = (body: unknown) => JSON.stringify(body).includes(secret);
      const secretMrn = logged.body.reportingCables.find((c: { cableId: string }) => c.cableId === secret).mrn as string;
      for (const reader of [t.beijingLow, t.tokyo, t.confidentialLeader]) {
        await as(reader).get(`/cables/${secret}`).expect(403);
        const delivery = (await as(reader).get(url).expect(200)).body;
        expect(leaks(delivery)).toBe(false);
        expect(delivery.reportingCableId).toBeNull();
        expect(delivery.responses[delivery.responses.length - 1].reportingCableId).toBeNull();
        // Marked as naming one it may not read: nobody is offered to attach another, and refused.
        expect(delivery.responses[delivery.responses.length - 1].reportingCableWithheld).toBe(true);
        expect(delivery.responses[0].reportingCableWithheld).toBeUndefined();
        // Its attaching event keeps its place in the history, without its data or actor.
        expect(delivery.history.map((e: { version: number }) => e.version)).toEqual(Array.from({ length: delivery.version }, (_, i) => i + 1));
        expect(delivery.history.at(-1)).toMatchObject({ type: 'ReportingCableAttached', withheld: true, data: null, actor: null });
        expect(leaks((await as(reader).get(`/demarches/${campaignId}`).expect(200)).body)).toBe(false);
        expect(leaks((await as(reader).get(`/demarches/${campaignId}/history`).expect(200)).body)).toBe(false);
      }
      const csv = await as(t.confidentialLeader).get(`/demarches/${campaignId}/export.csv`).expect(200);
      expect(csv.text).not.toContain(secretMrn);
      expect((await as(t.leader).get(`/demarches/${campaignId}/export.csv`).expect(200)).text).toContain(secretMrn);
      // A command's answer to an officer who may not read it leaves it out too.
      const contact = await as(t.beijingLow).post(`${url}/contacts`, { on: '2026-11-23', counterpart: { name: 'Li Wei', title: 'Director-General', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' }).expect(201);
      expect(leaks(contact.body)).toBe(false);
      // Its readers see it everywhere.
      expect(leaks((await as(t.leader).get(url).expect(200)).body)).toBe(true);
      expect(leaks((await as(t.leader).get(`/demarches/${campaignId}/history`).expect(200)).body)).toBe(true);
    });
  });
});
