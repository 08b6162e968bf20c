import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { DepartmentCalendar } from '@chancery/common';
import { markFirstFilling, markFirstFillingDone } from '@chancery/database';


/** Made-up counterparts' names (no real official is meant), given to the posts in turn. */
const COUNTERPARTS = ['Amelia Hartley', 'Kenji Watanabe', 'Sofia Marchetti', 'Lars Eriksen', 'Priya Raman', 'Tomás Ferreira', 'Amara Okafor', 'Hana Novak', 'Daniel Lefebvre', 'Leila Haddad', 'Mateo Ruiz'];

/** Every demo user's password; the demo exists only in embedded mode, on the user's own machine. */
export const DEMO_PASSWORD = 'chancery-demo-2026';

export interface DemoLogin {
  who: string;
  username: string;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** A day from `today` (YYYY-MM-DD), `offset` days on. */
const daysFrom = (today: string, offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
const POSITIONS = ['SUPPORTIVE', 'RECEPTIVE', 'NONCOMMITTAL', 'RECEPTIVE', 'OPPOSED', 'SUPPORTIVE', 'NONCOMMITTAL'];

/**
 * The story of `shared/domain.md`, told through the HTTP API as its people would: a desk officer
 * drafts an instruction on AI model distillation, two offices clear it, an approver releases it to
 * ALDAC; a separate demarche goes to Beijing; a few dozen posts deliver and report (Beijing, over
 * two contacts each, leaves a non-paper and ends by rejecting both: the PRC calls the allegations
 * baseless, quoted in Chinese with a translation); follow-up actions come of the answers. Every change is a
 * real command, so the history is real. Does nothing if the database already holds cables, or
 * users besides admin.
 *
 * All or nothing: the load is marked as the database's first filling (`markFirstFilling`, in
 * `dataDir`), so that a start stopped halfway (Ctrl-C in the first seconds) leaves no half demo
 * behind: the next start discards what it wrote, with `alsoDiscard` (the audit heads signed over
 * it), and loads it again.
 */
export async function loadDemo(
  app: INestApplication,
  base: string,
  log: (line: string) => void = () => undefined,
  filling?: { dataDir: string; alsoDiscard: string[] },
): Promise<DemoLogin[] | null> {
  const dataSource = app.get(DataSource);
  // Due dates and report-by dates are the Department's days (DepartmentCalendar): "due today" is
  // today in Washington, also in its evening, when Greenwich is on tomorrow already.
  const departmentToday = app.get(DepartmentCalendar).today();
  const due = (offset: number) => daysFrom(departmentToday, offset);
  const [{ cables, users }] = await dataSource.query(`SELECT (SELECT count(*)::int FROM cables) AS cables, (SELECT count(*)::int FROM users WHERE username <> 'admin') AS users`);
  if (cables > 0) return null;
  if (users > 0) {
    // Left by a version that did not mark its filling: said, not retried (its users are taken).
    log('Not loading the demo: this database has users already (a demo left half-loaded by an earlier version, or your own). Start with an empty CHANCERY_DATA_DIR to load it.');
    return null;
  }
  if (filling) await markFirstFilling(filling.dataDir, filling.alsoDiscard);
  const [admin] = await dataSource.query(`SELECT id FROM users WHERE username = 'admin'`);
  const adminToken = await app.get(JwtService).signAsync({ sub: admin.id, username: 'admin' });

  const call = async <T = any>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`demo: ${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const user = async (username: string, profile: { roles: string[]; office?: string; postCode?: string; displayName: string }) => {
    await call(adminToken, 'POST', '/users', { username, password: DEMO_PASSWORD, clearance: 'SECRET', ...profile });
    const response = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
    return ((await response.json()) as { accessToken: string }).accessToken;
  };

  log('Loading the demo story…');
  const desk = await user('jdoe', { roles: ['drafter'], office: 'EAP/CM', displayName: 'Jane Doe' });
  const legal = await user('lclear', { roles: ['clearer'], office: 'L', displayName: 'Lee Clearwater' });
  const isn = await user('iclear', { roles: ['clearer'], office: 'ISN', displayName: 'Ira Stone' });
  const approver = await user('dsec', { roles: ['approver'], office: 'EAP', displayName: 'Dana Secor' });
  await user('lead', { roles: ['leadership'], office: 'S', displayName: 'Leslie Adams' });
  await user('eap.fo', { roles: ['leadership'], office: 'EAP', displayName: 'Pat Morgan' });
  // Beijing's chief of mission: a post's reporting cables are approved and released under their authority.
  await user('amb.beijing', { roles: ['approver'], postCode: 'BEIJING', displayName: 'Robin Hale' });
  await user('auditor', { roles: ['auditor'], office: 'OIG', displayName: 'Alex Ortiz' });

  // The instruction: drafted, cleared by L and ISN, edited (ISN's clearance goes stale and is given
  // again), submitted, approved, released to every diplomatic and consular post.
  const instruction = {
    kind: 'INSTRUCTION', subject: 'Demarche: extraction and distillation of U.S. AI models', classification: 'CONFIDENTIAL', captions: ['SIPDIS'],
    precedence: 'IMMEDIATE', tags: ['PREL', 'ETTC', 'TSPL', 'KIPR'], actionAddressees: ['ALDAC'], infoAddressees: [], references: [],
    paragraphs: [
      { marking: 'U', text: 'This is an action request; see paragraph 3.' },
      { marking: 'C', text: 'Foreign firms are systematically querying U.S. frontier AI models to extract and distill their capabilities.' },
      { marking: 'U', text: 'Posts should raise these concerns with host governments and report their responses.' },
    ],
    classifiedBy: { name: 'Jane Doe', title: 'Director', office: 'EAP/CM', reasons: ['1.4(b)', '1.4(d)'], declassifyOn: day(25 * 365) },
    demarche: { reportBy: due(10), targets: 'Foreign ministry, director-general level', points: [2, 3] },
  };
  const cable = await call(desk, 'POST', '/cables', instruction);
  await call(desk, 'POST', `/cables/${cable.id}/clearance-requests`, { offices: ['L', 'ISN'] });
  await call(legal, 'POST', `/cables/${cable.id}/clearances`, { office: 'L', decision: 'CLEARED' });
  await call(isn, 'POST', `/cables/${cable.id}/clearances`, { office: 'ISN', decision: 'CLEARED_WITH_COMMENTS', comments: 'Name the export-control angle in paragraph 2.' });
  await call(desk, 'PATCH', `/cables/${cable.id}`, {
    paragraphs: [instruction.paragraphs[0], { marking: 'C', text: `${instruction.paragraphs[1].text} Some of it may breach export controls.` }, instruction.paragraphs[2]],
  });
  await call(legal, 'POST', `/cables/${cable.id}/clearances`, { office: 'L', decision: 'CLEARED' });
  await call(isn, 'POST', `/cables/${cable.id}/clearances`, { office: 'ISN', decision: 'CLEARED' });
  // An ALDAC instruction tasks every regional bureau's posts: each bureau clears, and S/ES-O.
  const bureauClearances = ['AF', 'EAP', 'EUR', 'NEA', 'SCA', 'WHA', 'IO', 'S/ES-O'];
  await call(desk, 'POST', `/cables/${cable.id}/clearance-requests`, { offices: bureauClearances });
  for (const office of bureauClearances) {
    const handle = `${office.toLowerCase().replace(/[^a-z]/g, '')}clear`;
    const clearer = await user(handle, { roles: ['clearer'], office, displayName: `${office} clearer` });
    await call(clearer, 'POST', `/cables/${cable.id}/clearances`, { office, decision: 'CLEARED' });
  }
  await call(desk, 'POST', `/cables/${cable.id}/submit`);
  await call(approver, 'POST', `/cables/${cable.id}/approve`);
  await call(approver, 'POST', `/cables/${cable.id}/release`);

  // Beijing's chief of mission (a made-up name), whose surname signs the embassy's cables.
  await call(adminToken, 'PATCH', '/posts/BEIJING', { chiefOfMission: 'Margaret Ellison' });

  // The separate demarche to Beijing.
  const beijingCable = await call(desk, 'POST', '/cables', {
    ...instruction, subject: 'Demarche to the PRC: distillation of U.S. AI models by PRC firms', actionAddressees: ['BEIJING'],
    demarche: { reportBy: due(5), targets: 'MFA, North American and Oceanian Affairs', points: [2, 3] },
  });
  await call(desk, 'POST', `/cables/${beijingCable.id}/submit`);
  await call(approver, 'POST', `/cables/${beijingCable.id}/approve`);
  await call(approver, 'POST', `/cables/${beijingCable.id}/release`);

  // The campaigns open once the projection runner has seen the releases (a minute at most: the
  // feed waits on any transaction still open on the server).
  for (let tries = 0; ; tries++) {
    const open = await call<{ items: unknown[] }>(desk, 'GET', '/demarches');
    if (open.items.length === 2) break;
    if (tries >= 600) throw new Error('the demo campaigns did not open within a minute of their release: is the projection runner stopped?');
    await new Promise((r) => setTimeout(r, 100));
  }

  // A few dozen posts report: every seventh open post, plus Beijing, Tokyo and London.
  const { items: posts } = await call<{ items: { code: string }[] }>(adminToken, 'GET', '/posts?status=OPEN&limit=500');
  const reporting = [...new Set(['BEIJING', 'TOKYO', 'LONDON', ...posts.filter((_, i) => i % 7 === 3).map((p) => p.code)])];
  log(`Demo: ${reporting.length} posts report on the instruction…`);
  const officers = new Map<string, string>();
  for (const [i, post] of reporting.entries()) {
    const token = await user(`pol.${post.toLowerCase()}`, { roles: ['post_officer'], postCode: post, displayName: `Political officer, ${post}` });
    officers.set(post, token);
    const path = `/demarches/${cable.id}/deliveries/${post}`;
    if (i % 11 === 10) {
      await call(token, 'POST', `${path}/not-delivered`, { reason: 'The foreign ministry declined a meeting before the report-by date.' });
      continue;
    }
    await call(token, 'POST', `${path}/delivery`, { deliveredOn: day(0), counterpart: { name: COUNTERPARTS[i % COUNTERPARTS.length], title: 'Director-General', organization: 'Ministry of Foreign Affairs' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' });
    if (i % 5 === 4) continue; // delivered, answer still awaited
    const position = post === 'BEIJING' ? 'REJECTED' : post === 'TOKYO' || post === 'LONDON' ? 'SUPPORTIVE' : POSITIONS[i % POSITIONS.length];
    const summary = position === 'REJECTED' ? 'Rejected the demarche as groundless interference; denied any state role.' : `Counterpart was ${position.toLowerCase()}; will study the non-paper.`;
    await call(token, 'POST', `${path}/response`, { receivedOn: day(0), position, summary });
  }
  // Beijing keeps its record over time: the non-paper left at a first meeting, a noncommittal first
  // answer, then the MFA spokesperson's statement calling the allegations baseless, quoted in Chinese
  // with a translation.
  const beijing = officers.get('BEIJING')!;
  const aldacBeijing = `/demarches/${cable.id}/deliveries/BEIJING`;
  await call(beijing, 'POST', `${aldacBeijing}/contacts`, {
    on: day(0), counterpart: { name: 'Zhao Wenjun', title: 'Spokesperson', organization: 'Ministry of Foreign Affairs' }, level: 'DIRECTOR_GENERAL', method: 'PHONE',
  });
  await call(beijing, 'POST', `${aldacBeijing}/response`, {
    receivedOn: day(0), position: 'REJECTED', summary: 'The MFA spokesperson called the allegations baseless and warned against "politicizing technology".',
    quotes: [{ text: '有关指控毫无根据。', language: 'zh', translation: 'The allegations are baseless.' }],
  });
  const nonPaper = new FormData();
  nonPaper.set('kind', 'NON_PAPER');
  nonPaper.set('file', new Blob([`NON-PAPER\n\nThe United States is concerned that firms are extracting and distilling the capabilities of U.S. frontier AI models\nthrough systematic querying, in breach of their terms of use and possibly of export controls.\n`], { type: 'text/plain' }), 'non-paper-ai-distillation.txt');
  const uploaded = await fetch(`${base}${aldacBeijing}/documents`, { method: 'POST', headers: { authorization: `Bearer ${beijing}` }, body: nonPaper });
  if (!uploaded.ok) throw new Error(`demo: upload answered ${uploaded.status}: ${await uploaded.text()}`);

  const beijingPath = `/demarches/${beijingCable.id}/deliveries/BEIJING`;
  await call(beijing, 'POST', `${beijingPath}/delivery`, { deliveredOn: day(0), counterpart: { name: 'Liu Jianhua', title: 'Director-General', organization: 'MFA, North American and Oceanian Affairs' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' });
  await call(beijing, 'POST', `${beijingPath}/response`, { receivedOn: day(0), position: 'NONCOMMITTAL', summary: 'The director-general took the points and said Beijing would study them.' });
  await call(beijing, 'POST', `${beijingPath}/contacts`, { on: day(0), counterpart: { name: 'Chen Xiaoyu', title: 'Deputy Director-General', organization: 'MFA, North American and Oceanian Affairs' }, level: 'DIRECTOR', method: 'DIPLOMATIC_NOTE' });
  await call(beijing, 'POST', `${beijingPath}/response`, {
    receivedOn: day(0), position: 'REJECTED', summary: 'Rejected the demarche; called the allegations baseless and the concerns an attempt to contain China.',
    quotes: [{ text: '这些指控毫无根据，是对中国企业的无理打压。', language: 'zh', translation: 'These allegations are baseless, an unjustified suppression of Chinese companies.' }],
  });

  // A post that has not reported yet, for a visitor to report as.
  const waiting = ['PARIS', 'BERLIN', 'NEWDELHI'].find((code) => !reporting.includes(code) && posts.some((p) => p.code === code)) ?? posts.find((p) => !reporting.includes(p.code))!.code;
  const waitingUser = `pol.${waiting.toLowerCase()}`;
  await user(waitingUser, { roles: ['post_officer'], postCode: waiting, displayName: `Political officer, ${waiting}` });

  // Follow-ups out of the answers, some due today (overdue tomorrow, when they land in the EAP front
  // office's inbox); one opened from Beijing's second response. A follow-up is never created already
  // past due.
  const followUps = [
    { title: 'Brief the Deputy Secretary on Beijing\u2019s rejection', owner: { office: 'EAP/CM' }, dueOn: due(0), demarcheId: beijingCable.id, post: 'BEIJING', response: 2 },
    { title: 'Share technical indicators with Tokyo', owner: { post: 'TOKYO' }, dueOn: due(7), demarcheId: cable.id, post: 'TOKYO' },
    { title: 'Propose a joint statement with London', owner: { post: 'LONDON' }, dueOn: due(0), demarcheId: cable.id, post: 'LONDON' },
    { title: 'Export-control options paper', owner: { office: 'ISN' }, dueOn: due(14), demarcheId: cable.id },
    { title: 'Second approach to the PRC at vice-minister level', owner: { post: 'BEIJING' }, dueOn: due(1), demarcheId: beijingCable.id, post: 'BEIJING' },
  ];
  const created = [];
  for (const followUp of followUps) created.push(await call(desk, 'POST', '/follow-ups', followUp));
  await call(officers.get('TOKYO')!, 'POST', `/follow-ups/${created[1].id}/start`);
  await call(desk, 'POST', `/follow-ups/${created[0].id}/comments`, { text: 'Draft ready for the front office.' });
  if (filling) await markFirstFillingDone(filling.dataDir);

  return [
    { who: 'desk officer (drafts, EAP/CM)', username: 'jdoe' },
    { who: 'clearer (L)', username: 'lclear' },
    { who: 'clearer (ISN)', username: 'iclear' },
    { who: 'approver (EAP)', username: 'dsec' },
    { who: 'post officer, Beijing', username: 'pol.beijing' },
    { who: 'approver of Beijing\u2019s cables (the chief of mission: approves and releases its reporting cables)', username: 'amb.beijing' },
    { who: 'post officer, Tokyo', username: 'pol.tokyo' },
    { who: `post officer, ${waiting} (yet to report)`, username: waitingUser },
    { who: 'leadership', username: 'lead' },
    { who: 'EAP front office (follow-ups escalated to EAP: the demo\u2019s first land there tomorrow, once past due)', username: 'eap.fo' },
    { who: 'auditor', username: 'auditor' },
  ];
}
