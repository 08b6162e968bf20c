import { Clock, utcDate } from '@chancery/common';
import type { Locator } from 'playwright-core';
import { uncaught, webAppUnderTest } from '../support/browser-app.js';
import { awaitCampaign, awaitDelivery } from '../support/campaigns.js';
import { DESKTOP } from '../support/chromium.js';
import { authed, releaseCable } from '../support/http.js';
import { createUser, loginAsAdmin } from '../support/test-app.js';

/** The system's time, until a test stops it at an instant of its own. */
class StoppableClock extends Clock {
  stoppedAt: Date | null = null;
  now(): Date {
    return this.stoppedAt ? new Date(this.stoppedAt) : new Date();
  }
}

/**
 * A desk officer tracking what the posts report back on their tasking, the approver reading a
 * withdrawn non-concurrence, a clearance request refused for a mistyped office, the dashboard's
 * exports beside a replay, a drafter's queues whole however many drafts, follow-ups raised on a
 * campaign, a cable or a response, and a post east of Greenwich logging its own today.
 */
describe('the desk\'s and the post\'s screens, in headless Chromium', () => {
  let drafter: string;
  let approver: string;
  let legal: string;
  let seoul: string;
  const clock = new StoppableClock();
  const instruction = (subject: string) => ({
    kind: 'INSTRUCTION', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
    actionAddressees: ['SEOUL', 'TOKYO'], paragraphs: [{ marking: 'U', text: 'Raise our concerns with the ministry.' }],
    demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
  });

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, clock, timeout: 180_000,
    setUp: async ({ app }) => {
      const admin = await loginAsAdmin(app);
      drafter = (await createUser(app, admin, { username: 'desk.drafter', roles: ['drafter'], office: 'EAP/K', clearance: 'SECRET' })).token;
      approver = (await createUser(app, admin, { username: 'desk.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
      legal = (await createUser(app, admin, { username: 'desk.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
      seoul = (await createUser(app, admin, { username: 'desk.seoul', roles: ['post_officer'], postCode: 'SEOUL', clearance: 'SECRET' })).token;
      await createUser(app, admin, { username: 'desk.lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
    },
  });
  const { signIn } = web;

  it('takes the drafter from the released tasking to its campaign, and lets them export it; a failed export is said', async () => {
    const id = await releaseCable(web.app, drafter, approver, instruction('Demarche: the fisheries accord'));
    const { mrn } = (await awaitCampaign(web.app, drafter, id)).body as { mrn: string };
    const page = await signIn('desk.drafter');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('link', { name: 'What the posts report back' }).click();
    await page.getByRole('heading', { name: `${mrn}: Demarche: the fisheries accord` }).waitFor();
    expect(page.url()).toBe(`${web.base}/#/campaigns/${id}`);

    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download every post (CSV)' }).click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toBe(`${mrn.replace(/ /g, '-')}.csv`);
    await page.route('**/demarches/*/export.csv', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503}' }));
    await page.getByRole('button', { name: 'Download every post (CSV)' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('The CSV could not be downloaded. The server could not do this just now; try again in a moment.');
    expect(errors).toEqual([]);
    await page.close();

    // The approver reads the campaign too, but may not export it: no button to fail.
    const approverPage = await signIn('desk.approver');
    await approverPage.goto(`${web.base}/#/cables/${id}`);
    await approverPage.getByRole('link', { name: 'What the posts report back' }).click();
    await approverPage.getByRole('heading', { name: `${mrn}: Demarche: the fisheries accord` }).waitFor();
    expect(await approverPage.getByRole('button', { name: 'Download every post (CSV)' }).count()).toBe(0);
    await approverPage.close();
  });

  /** An unclassified informational draft to Seoul, the drafter's: its id. */
  const seoulDraft = async (subject: string, text: string) => ((await authed(web.app, drafter).post('/cables', {
    kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
    actionAddressees: ['SEOUL'], paragraphs: [{ marking: 'U', text }],
  }).expect(201)).body as { id: string }).id;

  it('shows the approver a non-concurrence the drafter withdrew, with its comments', async () => {
    const id = await seoulDraft('Maritime boundary talks', 'The talks resume in May.');
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await authed(web.app, legal).post(`/cables/${id}/clearances`, { office: 'L', decision: 'NON_CONCUR', comments: 'Para 1 is legally inaccurate.' }).expect(200);
    await authed(web.app, drafter).delete(`/cables/${id}/clearance-requests/L`).expect(200);
    await authed(web.app, drafter).post(`/cables/${id}/submit`).expect(200);

    const page = await signIn('desk.approver');
    await page.goto(`${web.base}/#/cables/${id}`);
    const withdrawn = page.getByRole('region', { name: 'Requests withdrawn by the drafter (1)' });
    await withdrawn.waitFor();
    const row = withdrawn.getByRole('row').nth(1);
    expect((await row.getByRole('cell').allTextContents()).filter((_, i) => i !== 3)).toEqual(['L', 'Did not concur', 'desk.drafter (EAP/K)', '“Para 1 is legally inaccurate.”']);
    expect(await page.getByText('No office is asked to clear now.').count()).toBe(1);
    await page.close();
  });

  it('names every officer on a cable\'s page by their display name, as the delivery pages do: drafter, clearer, editor, approver, withdrawals, returns and history', async () => {
    const admin = await loginAsAdmin(web.app);
    const ada = (await createUser(web.app, admin, { username: 'names.drafter', displayName: 'Ada Lovelace', roles: ['drafter'], office: 'EAP/K', clearance: 'SECRET' })).token;
    const grace = (await createUser(web.app, admin, { username: 'names.legal', displayName: 'Grace Hopper', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    const katherine = (await createUser(web.app, admin, { username: 'names.approver', displayName: 'Katherine Johnson', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    const id = ((await authed(web.app, ada).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Names on the page', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
      actionAddressees: ['SEOUL'], paragraphs: [{ marking: 'U', text: 'The talks resume in May.' }],
    }).expect(201)).body as { id: string }).id;
    await authed(web.app, ada).post(`/cables/${id}/clearance-requests`, { offices: ['L', 'ISN'] }).expect(200);
    await authed(web.app, ada).delete(`/cables/${id}/clearance-requests/ISN`).expect(200);
    await authed(web.app, grace).patch(`/cables/${id}`, { paragraphs: [{ marking: 'U', text: 'The talks resume in June.' }] }).expect(200);
    await authed(web.app, grace).post(`/cables/${id}/clearances`, { office: 'L', decision: 'CLEARED_WITH_COMMENTS', comments: 'June, not May.' }).expect(200);
    await authed(web.app, ada).post(`/cables/${id}/submit`).expect(200);
    await authed(web.app, katherine).post(`/cables/${id}/return`, { reason: 'Name the venue.' }).expect(200);
    await authed(web.app, ada).post(`/cables/${id}/submit`).expect(200);
    await authed(web.app, katherine).post(`/cables/${id}/approve`).expect(200);
    await authed(web.app, katherine).post(`/cables/${id}/release`).expect(200);

    const page = await signIn('desk.lead');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await page.locator('.timeline li').first().waitFor();
    const shown = async (selector: string) => (await page.locator(selector).allInnerTexts()).join(' | ');
    expect(await page.locator('dt:text-is("Drafted by") + dd').innerText()).toBe('Ada Lovelace (EAP/K)');
    expect(await page.locator('dt:text-is("Approved by") + dd').innerText()).toBe('Katherine Johnson');
    expect(await page.getByRole('region', { name: 'Clearances' }).locator('td[data-label="By"]').innerText()).toBe('Grace Hopper');
    expect(await page.getByRole('region', { name: /Requests withdrawn/ }).locator('td[data-label="Withdrawn by"]').innerText()).toBe('Ada Lovelace (EAP/K)');
    expect(await shown('section[aria-labelledby="returns-h"] li')).toMatch(/“Name the venue\.” · Katherine Johnson \(EAP\) · /);
    expect(await shown('section[aria-labelledby="edits-h"] summary')).toMatch(/^Grace Hopper \(L\) · /);
    // The history names each event's officer too.
    const history = await shown('.timeline li');
    for (const [event, officer] of [['Drafted', 'Ada Lovelace'], ['L cleared with comments', 'Grace Hopper'], ['Returned to the drafter', 'Katherine Johnson'], ['Approved', 'Katherine Johnson'], ['Released as', 'Katherine Johnson']]) {
      expect(history).toMatch(new RegExp(`${event}[^|]* · ${officer} \\(`));
    }
    // No officer is named by username anywhere on the page but the telegram (what was transmitted).
    const text = await page.evaluate<string>(`(() => { const copy = document.querySelector('main').cloneNode(true); copy.querySelectorAll('pre').forEach((pre) => pre.remove()); return copy.textContent; })()`);
    expect(text.match(/names\.(drafter|legal|approver)/g)).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says a clearance given with comments as such', async () => {
    const id = await seoulDraft('Fisheries talks: the agenda', 'The talks open on the agenda.');
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('desk.legal');
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('radio', { name: 'Clear with comments' }).check();
    await page.getByLabel(/^Comments/).fill('Say "agenda" once.');
    await page.getByRole('button', { name: 'Send the decision' }).click();
    await page.getByRole('status').filter({ hasText: 'Cleared with comments for L.' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Cleared with comments', exact: true }).count()).toBe(1);
    await page.close();
  });

  it('keeps the offices typed when the request is refused', async () => {
    const id = await seoulDraft('Port visit', 'A destroyer calls at Busan.');
    const page = await signIn('desk.drafter');
    await page.goto(`${web.base}/#/cables/${id}`);
    const offices = page.getByLabel('Ask offices to clear');
    await offices.fill('L ZZZ/QQ');
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /^Not done\. .*ZZZ\/QQ/ }).waitFor();
    expect(await offices.inputValue()).toBe('L ZZZ/QQ');
    // Once it is right, it is sent and the field emptied.
    await offices.fill('L');
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    await page.getByText('Clearances requested.', { exact: true }).waitFor();
    expect(await offices.inputValue()).toBe('');
    await page.close();
  });

  it('says beside the dashboard\'s exports, on a replay, that they are today\'s; a failed one is said', async () => {
    const id = await releaseCable(web.app, drafter, approver, instruction('Demarche: the export of ball bearings'));
    const { mrn } = (await awaitCampaign(web.app, drafter, id)).body as { mrn: string };
    const page = await signIn('desk.lead');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/dashboard?campaign=${id}&at=${new Date().toISOString()}`);
    await page.getByText(/replayed from the event log to/).waitFor();
    // The pages it links to are today's, and it says so, as it says of the CSV.
    expect(await page.locator('#pages-now').textContent()).toBe('The campaign\'s and its posts\' pages open as they stand now, not as replayed here.');
    expect(await page.getByRole('link', { name: 'find any post of the campaign' }).getAttribute('aria-describedby')).toBe('pages-now');
    const button = page.getByRole('button', { name: `Download ${mrn} (CSV)` });
    expect(await button.getAttribute('aria-describedby')).toBe('csv-now');
    expect(await page.locator('#csv-now').textContent()).toBe('A CSV holds the campaign as it stands now, not as replayed here.');
    await page.route('**/demarches/*/export.csv', (route) => route.fulfill({ status: 403, contentType: 'application/problem+json', body: '{"status":403}' }));
    await button.click();
    expect(await page.getByRole('alert').textContent()).toBe(`${mrn.replace(/ /g, '-')}.csv was not downloaded. You are not allowed to do this.`);
    // A token no longer good (ended, or access changed) asks the user to sign in again, as any request
    // does: over the screen, which stays where it was.
    await page.unroute('**/demarches/*/export.csv');
    await page.route('**/demarches/*/export.csv', (route) => route.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"detail":"This account is disabled"}' }));
    const shownAt = new URL(page.url()).hash;
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    expect(new URL(page.url()).hash).toBe(shownAt);
    // A disabled account is told so, and what the screen showed is out of sight behind the dialog.
    expect(await dialog.textContent()).toContain('An administrator disabled this account: what this screen showed is hidden.');
    expect(await page.locator('main').isVisible()).toBe(false);
    // Moving on under the dialog (Back, another address) reads with no token: its 401 says no more than the first did.
    const tokenless = page.waitForResponse((response) => response.status() === 401 && !response.request().headers().authorization);
    await page.evaluate(() => { location.hash = '#/cables'; });
    await tokenless;
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await dialog.textContent()).toContain('An administrator disabled this account');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('links a released tasking to its campaign with its counts, from the cable\'s own answer, reading no campaign', async () => {
    const id = await releaseCable(web.app, drafter, approver, instruction('Demarche: the ferry safety code'));
    await awaitDelivery(web.app, seoul, id, 'SEOUL');
    const today = utcDate(new Date());
    await authed(web.app, seoul).post(`/demarches/${id}/deliveries/SEOUL/delivery`, { deliveredOn: today, counterpart: { name: 'Park Ji-ho', title: 'Director', organization: 'MOF' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    await authed(web.app, seoul).post(`/demarches/${id}/deliveries/SEOUL/response`, { receivedOn: today, position: 'RECEPTIVE', summary: 'Will review the code.' }).expect(201);
    const page = await signIn('desk.drafter');
    const errors = uncaught(page);
    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await page.goto(`${web.base}/#/cables/${id}`);
    const campaign = page.getByRole('definition').filter({ has: page.getByRole('link', { name: 'What the posts report back' }) });
    await campaign.waitFor();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    expect(asked).toContain(`/cables/${id}`);
    expect(asked.filter((path) => path.startsWith('/demarches/'))).toEqual([]);
    expect(await campaign.textContent()).toBe('What the posts report back · 1 of 2 delivered (1 with a response)');
    expect(await campaign.getByRole('link').getAttribute('href')).toBe(`#/campaigns/${id}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a response\'s summary, quote and translation with their line breaks, as the post wrote them', async () => {
    const id = await releaseCable(web.app, drafter, approver, instruction('Demarche: the fishing quotas'));
    await awaitDelivery(web.app, seoul, id, 'SEOUL');
    const on = utcDate(clock.now());
    const base = `/demarches/${id}/deliveries/SEOUL`;
    await authed(web.app, seoul).post(`${base}/delivery`, { deliveredOn: on, counterpart: { name: 'Park Ji-ho', title: 'Director', organization: 'MOF' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    const summary = 'The vice minister named two conditions:\n1. No new quotas this year.\n2. A joint review next spring.';
    const quote = { text: '올해는 새 할당량이 없습니다.\n내년 봄에 검토합니다.', language: 'ko', translation: 'No new quotas this year.\nA review next spring.' };
    await authed(web.app, seoul).post(`${base}/response`, { receivedOn: on, position: 'RECEPTIVE', summary, quotes: [quote] }).expect(201);

    const page = await signIn('desk.drafter');
    await page.goto(`${web.base}/#/campaigns/${id}/posts/SEOUL`);
    const response = page.getByRole('article', { name: 'Response 1' });
    const shown = [
      { element: response.getByText('The vice minister named two conditions:', { exact: false }), lines: summary },
      { element: response.locator('blockquote'), lines: quote.text },
      { element: response.locator('figcaption'), lines: `Translation (from ko): “${quote.translation}”` },
    ];
    await shown[0].element.waitFor();
    // Each line on a line of its own: the breaks are kept in the text as drawn, not folded into spaces.
    for (const { element, lines } of shown) {
      expect(await element.innerText()).toBe(lines);
      expect(await element.evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { whiteSpace: string } }).getComputedStyle(e).whiteSpace)).toBe('pre-wrap');
    }
    await page.close();
  });

  it('lists every draft of the drafter\'s in "My drafts" and "Returned to me", past the first forty, each with when it last changed', async () => {
    const admin = await loginAsAdmin(web.app);
    const own = (await createUser(web.app, admin, { username: 'desk.prolific', roles: ['drafter'], office: 'EAP/J', clearance: 'SECRET' })).token;
    const colleague = (await createUser(web.app, admin, { username: 'desk.colleague', roles: ['drafter'], office: 'EAP/J', clearance: 'SECRET' })).token;
    const note = (subject: string) => ({
      kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'JA'],
      actionAddressees: ['TOKYO'], paragraphs: [{ marking: 'U', text: `${subject}.` }],
    });
    const draftOf = async (token: string, subject: string) => ((await authed(web.app, token).post('/cables', note(subject)).expect(201)).body as { id: string }).id;
    // The oldest: returned by the approver, then forty-one drafts after it and one sent to clear.
    const returned = await draftOf(own, 'Queue: returned for a rewrite');
    await authed(web.app, own).post(`/cables/${returned}/submit`).expect(200);
    await authed(web.app, approver).post(`/cables/${returned}/return`, { reason: 'Shorter, please.' }).expect(200);
    for (let n = 1; n <= 41; n++) await draftOf(own, `Queue: draft ${String(n).padStart(2, '0')}`);
    const clearing = await draftOf(own, 'Queue: out for clearance');
    await authed(web.app, own).post(`/cables/${clearing}/clearance-requests`, { offices: ['L'] }).expect(200);
    // The office's other drafter's draft, which the office reads too, is not theirs: not shown, and not read.
    const colleagues = await draftOf(colleague, 'Queue: a colleague\'s draft');
    await authed(web.app, own).get(`/cables/${colleagues}`).expect(200);

    const page = await signIn('desk.prolific');
    const errors = uncaught(page);
    const asked: URL[] = [];
    page.on('request', (request) => { const url = new URL(request.url()); if (url.pathname.startsWith('/cables')) asked.push(url); });
    await page.goto(`${web.base}/#/cables?queue=mine`);
    await page.getByRole('heading', { name: 'My drafts (43)' }).waitFor();
    // The server picks the caller's own (`drafter=me`); no other draft is listed to the page or read by it.
    const lists = asked.filter((url) => url.pathname === '/cables');
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.filter((url) => url.searchParams.get('drafter') !== 'me').map(String)).toEqual([]);
    expect(asked.filter((url) => url.pathname === `/cables/${colleagues}`).map(String)).toEqual([]);
    // Nor are the caller's own read one by one to be listed.
    expect(asked.filter((url) => url.pathname !== '/cables').map(String)).toEqual([]);
    const rows = page.getByRole('region', { name: 'Cables found' }).getByRole('row');
    expect(await rows.count()).toBe(44);
    await page.getByRole('link', { name: '(UNCLASSIFIED) Queue: out for clearance' }).waitFor();
    await page.getByRole('link', { name: '(UNCLASSIFIED) Queue: returned for a rewrite' }).waitFor();
    expect(await page.getByRole('link', { name: /a colleague's draft/ }).count()).toBe(0);
    // When each last changed, as the list of cables says it.
    const changed = await page.locator('td[data-label="Changed"]').allTextContents();
    expect(changed.filter((text) => !/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d UTC$/.test(text))).toEqual([]);

    await page.getByRole('link', { name: 'Returned to me' }).click();
    await page.getByRole('heading', { name: 'Returned to me (1)' }).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).getByRole('link').textContent()).toBe('(UNCLASSIFIED) Queue: returned for a rewrite');
    expect(await rows.nth(1).locator('td[data-label="Changed"]').textContent()).toMatch(/ UTC$/);

    // A server that answers shorter pages than asked is read page after page, to the list's total.
    const pages: string[] = [];
    await page.route((url) => url.pathname === '/cables' && url.searchParams.has('status'), (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('limit', '15');
      pages.push(`${url.searchParams.get('status')}@${url.searchParams.get('offset')}`);
      return route.continue({ url: url.toString() });
    });
    await page.getByRole('link', { name: 'My drafts' }).click();
    await page.getByRole('heading', { name: 'My drafts (43)' }).waitFor();
    expect(pages.filter((p) => p.startsWith('DRAFT@')).length).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers a new follow-up on a campaign and on a released cable to those who may create one, linked to it and under its marking', async () => {
    const id = await releaseCable(web.app, drafter, approver, {
      ...instruction('Demarche: the undersea cables'), classification: 'CONFIDENTIAL', paragraphs: [{ marking: 'C', text: 'Raise our concerns with the ministry.' }],
      classifiedBy: { name: 'Pat Lee', title: 'Director', office: 'EAP/K', reasons: ['1.4(d)'], declassifyOn: '2050-12-31' },
    });
    await awaitCampaign(web.app, drafter, id);
    const page = await signIn('desk.drafter');
    const errors = uncaught(page);
    /** Creates the follow-up the form at `link` opens, titled `title`: answers it as the server has it. */
    const createFrom = async (link: string, title: string) => {
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: 'New follow-up action' }).waitFor();
      await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).first().waitFor();
      await page.getByLabel('Title').fill(title);
      await page.getByRole('button', { name: 'Create the follow-up' }).click();
      await page.getByRole('heading', { name: title }).waitFor();
      return (await authed(web.app, drafter).get(`/follow-ups/${page.url().split('/').pop()}`).expect(200)).body as { classification: string; demarcheId: string | null; cableId: string | null };
    };

    await page.goto(`${web.base}/#/campaigns/${id}`);
    await page.getByRole('link', { name: 'New follow-up on this campaign' }).waitFor();
    const onCampaign = await createFrom('New follow-up on this campaign', 'Brief the cable landing operators');
    expect(onCampaign).toEqual(expect.objectContaining({ classification: 'CONFIDENTIAL', demarcheId: id, cableId: null }));
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('link', { name: 'What the posts report back' }).waitFor();
    const onCable = await createFrom('New follow-up on this cable', 'Draft the talking points for the allies');
    expect(onCable).toEqual(expect.objectContaining({ classification: 'CONFIDENTIAL', cableId: id, demarcheId: null }));

    // Not on a draft: it is not yet what anyone acts on.
    const { id: draftId } = (await authed(web.app, drafter).post('/cables', instruction('Demarche: still a draft')).expect(201)).body as { id: string };
    await page.goto(`${web.base}/#/cables/${draftId}`);
    await page.getByRole('heading', { name: 'Clearances' }).waitFor();
    expect(await page.getByRole('link', { name: 'New follow-up on this cable' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();

    // An approver may not create follow-ups: no link to a form the server would refuse.
    const approverPage = await signIn('desk.approver');
    await approverPage.goto(`${web.base}/#/campaigns/${id}`);
    await approverPage.getByRole('link', { name: 'Read the instruction' }).click();
    await approverPage.getByRole('link', { name: 'What the posts report back' }).waitFor();
    expect(await approverPage.getByRole('link', { name: /^New follow-up/ }).count()).toBe(0);
    await approverPage.goBack();
    await approverPage.getByRole('link', { name: 'Read the instruction' }).waitFor();
    expect(await approverPage.getByRole('link', { name: /^New follow-up/ }).count()).toBe(0);
    await approverPage.close();
  });

  /** A released tasking whose Seoul delivery has logged a noncommittal response: its campaign's id and MRN. */
  const seoulResponded = async (subject: string): Promise<{ id: string; mrn: string }> => {
    const id = await releaseCable(web.app, drafter, approver, instruction(subject));
    const { mrn } = (await awaitCampaign(web.app, drafter, id)).body as { mrn: string };
    await awaitDelivery(web.app, seoul, id, 'SEOUL');
    const on = utcDate(clock.now());
    const base = `/demarches/${id}/deliveries/SEOUL`;
    await authed(web.app, seoul).post(`${base}/delivery`, { deliveredOn: on, counterpart: { name: 'Park Ji-ho', title: 'Director', organization: 'MSIT' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    await authed(web.app, seoul).post(`${base}/response`, { receivedOn: on, position: 'NONCOMMITTAL', summary: 'Will consult the regulator.' }).expect(201);
    return { id, mrn };
  };

  it('keeps the title a response offers its follow-up out of the address: the tab holds it, the address names it', async () => {
    const { id, mrn } = await seoulResponded('Demarche: the satellite spectrum');

    const page = await signIn('desk.drafter');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/campaigns/${id}/posts/SEOUL`);
    await page.getByRole('link', { name: 'Create a follow-up from this response' }).click();
    await page.getByRole('heading', { name: 'New follow-up action' }).waitFor();
    expect(await page.getByLabel('Title').inputValue()).toBe(`Follow up Embassy Seoul's noncommittal response to ${mrn}`);
    // The address names the campaign, the post and the response, and the title by a name only.
    const address = new URL(page.url()).hash;
    expect(address).not.toMatch(/noncommittal|Follow\+up|Embassy|title=/i);
    expect(new URLSearchParams(address.split('?')[1]).get('words')).toMatch(/^[0-9a-f]{8}$/);
    await page.getByText('Linked to response 1 of SEOUL in the campaign').waitFor();
    // A reload forgets it, and the form says so.
    await page.reload();
    await page.getByText('The title this form was opened with is not kept in its address (it may be classified): write it again.').waitFor();
    expect(await page.getByLabel('Title').inputValue()).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps what is typed into a follow-up from a response across a reload, says it is back, and forgets it once created or put away', async () => {
    const { id, mrn } = await seoulResponded('Demarche: the undersea cables');
    const offered = `Follow up Embassy Seoul's noncommittal response to ${mrn}`;
    const kept = 'What you typed here before is back: it is not saved yet.';
    const forgotten = 'The title this form was opened with is not kept in its address (it may be classified): write it again.';

    const page = await signIn('desk.drafter');
    const errors = uncaught(page);
    const open = async () => {
      await page.goto(`${web.base}/#/campaigns/${id}/posts/SEOUL`);
      await page.getByRole('link', { name: 'Create a follow-up from this response' }).click();
      await page.getByRole('heading', { name: 'New follow-up action' }).waitFor();
    };
    await open();
    const opened = { title: await page.getByLabel('Title').inputValue(), due: await page.getByLabel('Due on').inputValue() };
    expect(opened.title).toBe(offered);
    await page.getByLabel('Description (optional)').fill('Ask the regulator\nwhen it will decide.');
    await page.getByLabel('Due on').fill('2099-03-01');
    // Kept once the form has rendered what was typed (an effect after the render, which a reload
    // sent at once can come before: the CI run on 9d92681 reloaded with the old due date kept).
    await page.waitForFunction(() => Object.keys(sessionStorage).some((key) => (sessionStorage.getItem(key) ?? '').includes('2099-03-01')));
    // A reload loses none of it, and says that it is back, not yet saved: the title too, as the form held it.
    await page.reload();
    await page.getByText(kept).waitFor();
    expect(await page.getByLabel('Description (optional)').inputValue()).toBe('Ask the regulator\nwhen it will decide.');
    expect(await page.getByLabel('Due on').inputValue()).toBe('2099-03-01');
    expect(await page.getByLabel('Title').inputValue()).toBe(offered);
    expect(await page.getByLabel(/^Post code/).inputValue()).toBe('SEOUL');
    expect(await page.getByText(forgotten).count()).toBe(0);
    // The address still names the title only.
    expect(new URL(page.url()).hash).not.toMatch(/noncommittal|regulator|title=|description=/i);
    // Put away: the form as the reloaded address opens it, the title to be written again, as it says.
    await page.getByRole('button', { name: 'Start afresh' }).click();
    expect(await page.getByLabel('Description (optional)').inputValue()).toBe('');
    expect(await page.getByLabel('Due on').inputValue()).toBe(opened.due);
    expect(await page.getByLabel('Title').inputValue()).toBe('');
    await page.getByText(forgotten).waitFor();
    expect(await page.getByText(kept).count()).toBe(0);
    await page.reload();
    await page.getByText(forgotten).waitFor();
    expect(await page.getByText(kept).count()).toBe(0);

    // Typed again and created: the form opened afresh from the response holds none of it.
    await open();
    await page.getByLabel('Description (optional)').fill('Ask the regulator again.');
    await page.getByRole('button', { name: 'Create the follow-up' }).click();
    await page.getByRole('heading', { name: offered }).waitFor();
    await open();
    expect(await page.getByLabel('Description (optional)').inputValue()).toBe('');
    expect(await page.getByText(kept).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('gives the focus to what the delivery page says happened, whichever of its forms sent it, kept or closed', async () => {
    const id = await releaseCable(web.app, drafter, approver, instruction('Demarche: the fishing quotas'));
    const { mrn } = (await awaitCampaign(web.app, drafter, id)).body as { mrn: string };
    await awaitDelivery(web.app, seoul, id, 'SEOUL');
    // A released cable of Seoul's citing the tasking, for a response to name later.
    const dcm = (await createUser(web.app, await loginAsAdmin(web.app), { username: 'desk.seoul.dcm', roles: ['approver'], postCode: 'SEOUL', clearance: 'SECRET' })).token;
    const reported = await releaseCable(web.app, seoul, dcm, {
      kind: 'REPORTING', subject: 'MOF answers on the fishing quotas', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
      actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn }], paragraphs: [{ marking: 'U', text: 'MOF answered.' }],
    });

    const page = await signIn('desk.seoul');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/campaigns/${id}/posts/SEOUL`);
    /** Presses `button` from the keyboard, then waits for the page to say `text` with the focus on it. */
    const focusGoesTo = async (button: Locator, text: string) => {
      await button.focus();
      await button.press('Enter');
      const said = page.getByRole('status').filter({ hasText: text });
      await said.waitFor();
      const handle = await said.elementHandle();
      await page.waitForFunction((element) => document.activeElement === element, handle, { timeout: 5_000 });
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(text);
    };

    // Forms that close once their report is logged.
    await page.getByLabel('Why it could not be delivered').fill('The ministry gave no appointment this week.');
    await focusGoesTo(page.getByRole('button', { name: 'Record not delivered' }), 'Recorded as not delivered.');
    const delivery = page.getByRole('form', { name: `Log the delivery of ${mrn}` });
    await delivery.getByLabel('Counterpart name').fill('Kim Min-jun');
    await delivery.getByLabel('Counterpart title').fill('Director');
    await delivery.getByLabel('Counterpart organization').fill('MOF');
    await delivery.getByLabel('Level').selectOption('DIRECTOR');
    await delivery.getByLabel('Method').selectOption('IN_PERSON');
    await focusGoesTo(delivery.getByRole('button', { name: 'Log delivery' }), 'Delivery logged.');

    // Forms that stay, emptied for the next: the focus leaves their button for what happened.
    const response = page.getByRole('form', { name: `Log the response to ${mrn}` });
    await response.getByLabel('Counterpart position').selectOption('NONCOMMITTAL');
    await response.getByLabel('What the counterpart said').fill('MOF will study the quotas.');
    await focusGoesTo(response.getByRole('button', { name: 'Log response' }), 'Response logged.');
    await response.getByLabel('It corrects (optional)').selectOption('1');
    await response.getByLabel('Counterpart position').selectOption('OPPOSED');
    await response.getByLabel('What the counterpart said').fill('MOF opposes the quotas after all.');
    await focusGoesTo(response.getByRole('button', { name: 'Log response' }), 'Response logged; it corrects response 1.');
    await page.getByText('Log another meeting').click();
    const meeting = page.getByRole('form', { name: 'Log another meeting' });
    await meeting.getByLabel('Counterpart name').fill('Lee Seo-yeon');
    await meeting.getByLabel('Counterpart title').fill('Deputy Director');
    await meeting.getByLabel('Counterpart organization').fill('MOF');
    await meeting.getByLabel('Level').selectOption('DIRECTOR');
    await meeting.getByLabel('Method').selectOption('IN_PERSON');
    await focusGoesTo(meeting.getByRole('button', { name: 'Log the meeting' }), 'Meeting logged.');
    await page.getByText('Attach a document left behind').click();
    await page.getByLabel(/^File/).setInputFiles({ name: 'non-paper.txt', mimeType: 'text/plain', buffer: Buffer.from('NON-PAPER\n\nOn the fishing quotas.\n') });
    await focusGoesTo(page.getByRole('button', { name: 'Attach', exact: true }), 'non-paper.txt attached.');

    // The response standing (the correction) names its reporting cable; its form closes.
    const attach = page.getByRole('form', { name: 'The reporting cable of response 2' });
    await attach.getByLabel('Reporting cable of response 2').selectOption(reported);
    await focusGoesTo(attach.getByRole('button', { name: 'Attach the reporting cable' }), 'Response 2 now names its reporting cable.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('tells a post about to log its first response that none of its released cables cites the tasking yet', async () => {
    const id = await releaseCable(web.app, drafter, approver, instruction('Demarche: the port state measures'));
    const { mrn } = (await awaitCampaign(web.app, drafter, id)).body as { mrn: string };
    await awaitDelivery(web.app, seoul, id, 'SEOUL');
    await authed(web.app, seoul).post(`/demarches/${id}/deliveries/SEOUL/delivery`, { deliveredOn: utcDate(clock.now()), counterpart: { name: 'Park Ji-ho', title: 'Director', organization: 'MOF' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    const page = await signIn('desk.seoul');
    await page.goto(`${web.base}/#/campaigns/${id}/posts/SEOUL`);
    await page.getByRole('form', { name: `Log the response to ${mrn}` }).waitFor();
    // The response form offers no reporting cable, and the page says why.
    await page.getByText(`No released cable from Embassy Seoul cites ${mrn} yet. Once one is, the response form above offers it as the reporting cable.`).waitFor();
    expect(await page.getByLabel('Reported in (optional)').count()).toBe(0);
    await page.getByText("None of Embassy Seoul's responses names a reporting cable you may read yet.").waitFor();
    await page.close();
  });

  // Last: the service's clock stays stopped.
  it('dates a Seoul officer\'s delivery by Seoul\'s today, between local midnight and UTC midnight', async () => {
    // 20:03 UTC is 05:03 the next day in Seoul; the server takes days up to UTC+14.
    const now = new Date(`${utcDate(new Date())}T20:03:00Z`);
    clock.stoppedAt = now;
    const seoulToday = utcDate(new Date(now.getTime() + 9 * 3_600_000));
    const id = await releaseCable(web.app, drafter, approver, instruction('Demarche: the whaling moratorium'));
    await awaitDelivery(web.app, seoul, id, 'SEOUL');

    const context = await web.browser.newContext({ timezoneId: 'Asia/Seoul', viewport: DESKTOP });
    const page = await signIn('desk.seoul', { page: await context.newPage(), before: (p) => p.clock.setFixedTime(now) });
    await page.getByRole('heading', { name: 'Taskings for SEOUL' }).waitFor();
    const { mrn } = (await authed(web.app, seoul).get(`/demarches/${id}`).expect(200)).body as { mrn: string };
    await page.getByRole('row').filter({ hasText: mrn }).getByRole('button', { name: 'Report' }).click();
    const form = page.getByRole('form', { name: `Log the delivery of ${mrn}` });
    expect(await form.getByLabel('Delivered on').inputValue()).toBe(seoulToday);
    await form.getByLabel('Counterpart name').fill('Kim Min-jun');
    await form.getByLabel('Counterpart title').fill('Director-General');
    await form.getByLabel('Counterpart organization').fill('MOFA');
    await form.getByLabel('Level').selectOption('DIRECTOR_GENERAL');
    await form.getByLabel('Method').selectOption('IN_PERSON');
    await form.getByRole('button', { name: 'Log delivery' }).click();
    await page.getByRole('status').filter({ hasText: 'Delivery logged.' }).waitFor();
    expect((await authed(web.app, seoul).get(`/demarches/${id}/deliveries/SEOUL`).expect(200)).body.deliveredOn).toBe(seoulToday);

    // The meeting form on the delivery's page starts on the same day.
    await page.goto(`${web.base}/#/campaigns/${id}/posts/SEOUL`);
    await page.getByText('Log another meeting').click();
    expect(await page.getByLabel('Met on').inputValue()).toBe(seoulToday);
    await context.close();
  });
});
