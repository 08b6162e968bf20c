import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { authed } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const SECTIONS = ['toClear', 'toApprove', 'taskings', 'followUps', 'returned', 'escalated'] as const;
type Item = { cableId?: string; demarcheId?: string; followUpId?: string; classification: string; title?: string };
const idOf = (item: Item) => item.cableId ?? item.demarcheId ?? item.followUpId ?? '';

const classifiedBy = { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' };
const cable = (subject: string, classification: 'UNCLASSIFIED' | 'SECRET') => ({
  kind: 'INFORMATIONAL', subject, classification, captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'], actionAddressees: ['BEIJING'],
  paragraphs: [{ marking: classification === 'SECRET' ? 'S' : 'U', text: `${subject}: the text.` }], ...(classification === 'SECRET' ? { classifiedBy } : {}),
});

/**
 * The inbox, paged: an office with more open follow-ups than a page holds is answered a page of each
 * section and how many there are; one section is walked a page at a time in SQL, every item once, in
 * the order of one read, under the same need-to-know filter on every page; the audit log names only
 * what was answered; a bad limit, section or offset is a 400 that says which.
 */
describe('the inbox, a page at a time', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  const t = {} as Record<'admin' | 'desk' | 'lowDesk' | 'legal' | 'lowLegal' | 'outsider', string>;
  const as = (token: string) => authed(app, token);
  /** The desk's open follow-ups, in the inbox's order (due date, then id), and which of them are CONFIDENTIAL. */
  let open: { id: string; dueOn: string; classified: boolean }[] = [];
  /** The one follow-up of EUR/WE's, its drafter's. */
  let outsiders = '';
  /** The cables L is asked to clear, and which of them are SECRET. */
  const toClear: { id: string; secret: boolean }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    dataSource = app.get(DataSource);
    t.admin = await loginAsAdmin(app);
    const user = async (username: string, roles: string[], office: string, clearance: string) => (await createUser(app, t.admin, { username, roles, office, clearance })).token;
    t.desk = await user('ip.desk', ['drafter'], 'EAP/CM', 'SECRET');
    t.lowDesk = await user('ip.lowdesk', ['drafter'], 'EAP/CM', 'UNCLASSIFIED');
    t.legal = await user('ip.legal', ['clearer'], 'L', 'SECRET');
    t.lowLegal = await user('ip.lowlegal', ['clearer'], 'L', 'UNCLASSIFIED');
    t.outsider = await user('ip.outsider', ['drafter'], 'EUR/WE', 'SECRET');

    // 60 open follow-ups of EAP/CM, a quarter of them CONFIDENTIAL, due on three days (so that the id orders those due the same day).
    for (let i = 0; i < 60; i++) {
      const classified = i % 4 === 0;
      const dueOn = `2099-01-0${1 + (i % 3)}`;
      const title = classified ? `CLASSIFIED-TASK-${i}` : `Open task ${i}`;
      const { body } = await as(t.desk).post('/follow-ups', { title, owner: { office: 'EAP/CM' }, dueOn, ...(classified ? { classification: 'CONFIDENTIAL' } : {}) }).expect(201);
      open.push({ id: body.id, dueOn, classified });
    }
    open = open.sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id.localeCompare(b.id));
    // Not in the desk's inbox: one done, and one of another office that the desk did not open.
    const done = (await as(t.desk).post('/follow-ups', { title: 'Done already', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201)).body;
    await as(t.desk).post(`/follow-ups/${done.id}/complete`, { outcome: 'Done.' }).expect(201);
    outsiders = (await as(t.outsider).post('/follow-ups', { title: 'Another office\'s task', owner: { office: 'EUR/WE' }, dueOn: '2099-01-01' }).expect(201)).body.id;
    // Five drafts for L to clear, two of them SECRET.
    for (let i = 0; i < 5; i++) {
      const secret = i % 2 === 1;
      const { body } = await as(t.desk).post('/cables', cable(secret ? `SECRET-DRAFT-${i}` : `Draft ${i}`, secret ? 'SECRET' : 'UNCLASSIFIED')).expect(201);
      await as(t.desk).post(`/cables/${body.id}/clearance-requests`, { offices: ['L'] }).expect(200);
      toClear.push({ id: body.id, secret });
    }
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  /** One section read `limit` at a time from offset 0 to its total (and one page past it). */
  async function walk(token: string, section: string, limit: number): Promise<{ items: Item[]; total: number; pages: string[] }> {
    const items: Item[] = [];
    const pages: string[] = [];
    let total: number | undefined;
    for (let offset = 0; total === undefined || offset < total; offset += limit) {
      const page = await as(token).get(`/inbox?section=${section}&limit=${limit}&offset=${offset}`).expect(200);
      expect(Object.keys(page.body).sort()).toEqual(['items', 'total']);
      total ??= page.body.total as number;
      expect({ section, offset, total: page.body.total, length: page.body.items.length }).toEqual({ section, offset, total, length: Math.min(limit, total - offset) });
      items.push(...page.body.items);
      pages.push(page.text);
    }
    const past = await as(token).get(`/inbox?section=${section}&limit=${limit}&offset=${total}`).expect(200);
    expect(past.body).toEqual({ items: [], total });
    return { items, total: total!, pages };
  }

  it('answers each section’s first 50 by default, with every section’s total, in the shape it had', async () => {
    const { body } = await as(t.desk).get('/inbox').expect(200);
    expect(Object.keys(body).sort()).toEqual([...SECTIONS, 'totals'].sort());
    expect(body.totals).toEqual({ toClear: 0, toApprove: 0, taskings: 0, followUps: 60, returned: 0, escalated: 0 });
    expect(body.followUps.map(idOf)).toEqual(open.slice(0, 50).map((f) => f.id));
    for (const section of SECTIONS) expect({ section, items: Array.isArray(body[section]) }).toEqual({ section, items: true });

    const limited = (await as(t.desk).get('/inbox?limit=7').expect(200)).body;
    expect(limited.followUps.map(idOf)).toEqual(open.slice(0, 7).map((f) => f.id));
    expect(limited.totals.followUps).toBe(60);
    // L's clearers: the SECRET drafts are neither listed nor counted for the one not cleared for them.
    expect((await as(t.legal).get('/inbox?limit=2').expect(200)).body).toMatchObject({ toClear: [expect.anything(), expect.anything()], totals: { toClear: 5 } });
    const low = (await as(t.lowLegal).get('/inbox?limit=200').expect(200)).body;
    expect(low.totals.toClear).toBe(3);
    expect(low.toClear.map(idOf).sort()).toEqual(toClear.filter((c) => !c.secret).map((c) => c.id).sort());
  });

  it('walks every section a page at a time: every item once, in the order of one read, each page under the reader’s own filter', async () => {
    const expected: Record<keyof typeof t, Partial<Record<(typeof SECTIONS)[number], string[]>>> = {
      admin: {},
      desk: { followUps: open.map((f) => f.id) },
      lowDesk: { followUps: open.filter((f) => !f.classified).map((f) => f.id) },
      legal: { toClear: toClear.map((c) => c.id) },
      lowLegal: { toClear: toClear.filter((c) => !c.secret).map((c) => c.id) },
      outsider: { followUps: [outsiders] },
    };
    const hidden = new Set([...open.filter((f) => f.classified).map((f) => f.id), ...toClear.filter((c) => c.secret).map((c) => c.id)]);
    for (const who of ['desk', 'lowDesk', 'legal', 'lowLegal', 'outsider'] as const) {
      const whole = (await as(t[who]).get('/inbox?limit=200').expect(200)).body;
      for (const section of SECTIONS) {
        const one = (await as(t[who]).get(`/inbox?section=${section}&limit=200`).expect(200)).body as { items: Item[]; total: number };
        const walked = await walk(t[who], section, 7);
        const ids = walked.items.map(idOf);
        expect({ who, section, ids }).toEqual({ who, section, ids: one.items.map(idOf) });
        expect({ who, section, ids: new Set(ids).size }).toEqual({ who, section, ids: ids.length });
        expect({ who, section, total: walked.total, whole: whole.totals[section], listed: whole[section].map(idOf) }).toEqual({ who, section, total: ids.length, whole: ids.length, listed: ids });
        // Follow-ups by due date, then id; drafts to clear in the order L was asked.
        expect({ who, section, ids }).toEqual({ who, section, ids: expected[who][section] ?? [] });
        // A reader not cleared for an item never sees it, nor its title, on any page.
        if (who === 'lowDesk' || who === 'lowLegal') {
          expect({ who, section, seen: ids.filter((id) => hidden.has(id)) }).toEqual({ who, section, seen: [] });
          for (const page of walked.pages) expect(page).not.toMatch(/CLASSIFIED-TASK|SECRET-DRAFT/);
        }
      }
    }
    // Two at a time, the clearer's drafts come in the same order.
    expect((await walk(t.legal, 'toClear', 2)).items.map(idOf)).toEqual(toClear.map((c) => c.id));
  });

  it('names in the audit log only the classified items it answered, and the section it read them from', async () => {
    const auditOf = async (answer: { headers: Record<string, string> }) =>
      (await dataSource.query(`SELECT details FROM audit_log WHERE action = 'ReadClassifiedList' AND request_id = $1`, [answer.headers['x-request-id']])) as { details: { view: string; section?: string; records: string[] } }[];
    // A page past the first that holds a CONFIDENTIAL follow-up, whatever order the random ids gave them.
    const offset = open.findIndex((f, i) => i >= 8 && f.classified);
    const page = await as(t.desk).get(`/inbox?section=followUps&limit=8&offset=${offset}`).expect(200);
    const classifiedOnPage = (page.body.items as Item[]).filter((f) => f.classification === 'CONFIDENTIAL').map((f) => `followup-${f.followUpId}`);
    expect(classifiedOnPage.length).toBeGreaterThan(0);
    expect(await auditOf(page)).toEqual([{ details: { view: 'inbox', section: 'followUps', classification: 'CONFIDENTIAL', records: classifiedOnPage } }]);

    const first = await as(t.desk).get('/inbox?limit=10').expect(200);
    const classifiedFirst = (first.body.followUps as Item[]).filter((f) => f.classification === 'CONFIDENTIAL').map((f) => `followup-${f.followUpId}`);
    expect(classifiedFirst.length).toBeLessThan(open.filter((f) => f.classified).length);
    expect(await auditOf(first)).toEqual([{ details: { view: 'inbox', classification: 'CONFIDENTIAL', records: classifiedFirst } }]); // every section: none named
    // A page with nothing classified on it writes nothing.
    const plain = await as(t.lowDesk).get('/inbox?section=followUps&limit=20').expect(200);
    expect(await auditOf(plain)).toEqual([]);
  });

  it('refuses a bad limit, section or offset with a 400 that says which, and what is wanted', async () => {
    const refusals: [string, { field: string; message: string }][] = [
      ['/inbox?limit=0', { field: 'limit', message: 'limit must be a whole number from 1 to 200' }],
      ['/inbox?limit=201', { field: 'limit', message: 'limit must be a whole number from 1 to 200' }],
      ['/inbox?limit=1.5', { field: 'limit', message: 'limit must be a whole number from 1 to 200' }],
      ['/inbox?limit=ten', { field: 'limit', message: 'limit must be a whole number from 1 to 200' }],
      ['/inbox?limit=', { field: 'limit', message: 'limit must be a whole number from 1 to 200' }],
      ['/inbox?section=followUps&limit=201', { field: 'limit', message: 'limit must be a whole number from 1 to 200' }],
      ['/inbox?section=inbox', { field: 'section', message: 'section must be one of toClear, toApprove, taskings, followUps, returned, escalated' }],
      ['/inbox?section=followups', { field: 'section', message: 'section must be one of toClear, toApprove, taskings, followUps, returned, escalated' }],
      ['/inbox?section=', { field: 'section', message: 'section must be one of toClear, toApprove, taskings, followUps, returned, escalated' }],
      ['/inbox?offset=50', { field: 'offset', message: 'offset needs section beside it (section=followUps&offset=50)' }],
      ['/inbox?limit=10&offset=0', { field: 'offset', message: 'offset needs section beside it (section=followUps&offset=50)' }],
      ['/inbox?section=followUps&offset=-1', { field: 'offset', message: 'offset must be a whole number from 0 to 1000000000' }],
      ['/inbox?section=followUps&offset=2.5', { field: 'offset', message: 'offset must be a whole number from 0 to 1000000000' }],
    ];
    for (const [url, error] of refusals) {
      const answer = await as(t.desk).get(url);
      expect({ url, status: answer.status, type: answer.headers['content-type'], errors: answer.body.errors, detail: answer.body.detail })
        .toEqual({ url, status: 400, type: expect.stringMatching(/^application\/problem\+json/), errors: [error], detail: error.message });
    }
  });

  it('answers a section’s page and its total from one read, whatever commits meanwhile', async () => {
    // Writers open follow-ups of the desk's and close them again, as fast as they can, while the
    // desk reads the whole section as one page, and the page past its end: each answer must list
    // what its total counts.
    let writing = true;
    const writer = async (name: string) => {
      for (let n = 0; writing; n++) {
        const { body } = await as(t.desk).post('/follow-ups', { title: `${name} ${n}`, owner: { office: 'EAP/CM' }, dueOn: '2099-01-01' }).expect(201);
        await as(t.desk).post(`/follow-ups/${body.id}/complete`, { outcome: 'Done.' }).expect(201);
      }
    };
    const writers = [writer('Churn A'), writer('Churn B')];
    try {
      for (let i = 0; i < 100; i++) {
        const whole = (await as(t.desk).get('/inbox?section=followUps&limit=200').expect(200)).body as { items: Item[]; total: number };
        expect({ i, listed: whole.items.length }).toEqual({ i, listed: whole.total });
        const past = (await as(t.desk).get('/inbox?section=followUps&limit=10&offset=61').expect(200)).body as { items: Item[]; total: number };
        expect({ i, listed: past.items.length }).toEqual({ i, listed: Math.max(0, past.total - 61) });
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }
  });
});
