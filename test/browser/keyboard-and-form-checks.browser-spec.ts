import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, signedIn } from '../support/chromium.js';
import { awaitDelivery } from '../support/campaigns.js';
import { authed, releaseCable } from '../support/http.js';
import { createTestApp, createUser, loginAsAdmin } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2.1 A and AA checks on the page as it is: the serious and critical findings. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })`);
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/**
 * Where the keyboard's focus goes when a panel closes or a screen is read afresh, and what the
 * post's forms refuse before sending (said beside the field, nothing sent); a follow-up that
 * stands alone raised with its description.
 */
describe('the focus, and the checks forms make before sending, in headless Chromium', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let browser: Browser;
  let base: string;
  let drafter: string;
  let approver: string;
  let beijing: string;
  let campaignId: string;

  const signIn = (username: string, options: { live?: boolean } = {}) => signedIn(browser, base, username, options);
  const draft = (subject: string) => ({
    kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
    actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: `${subject}: the text of the cable.` }],
  });
  /** The element with the focus, as a keyboard user meets it: its tag and its text (or its label). */
  const focused = (page: Page) => page.evaluate(() => {
    const active = document.activeElement;
    return active ? `${active.tagName}: ${active.getAttribute('aria-label') ?? active.textContent ?? ''}` : null;
  });
  /** Waits until the focus is on the element `locator` finds (focus moves in an effect after the key). */
  const focusIsOn = async (locator: Locator) => {
    const handle = await locator.elementHandle();
    await locator.page().waitForFunction((element) => document.activeElement === element, handle, { timeout: 5_000 });
  };
  /** A button pressed from the keyboard: focused, then Enter. */
  const press = async (button: Locator) => {
    await button.focus();
    await button.press('Enter');
  };
  /** What a form says beside a control: the text of what its `aria-describedby` names. */
  const saidBeside = async (control: Locator) => {
    const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    return (await Promise.all(ids.map((id) => control.page().locator(`[id="${id}"]`).textContent()))).join(' ');
  };
  /** The paths of the page's POSTs. */
  const posted = (page: Page) => {
    const paths: string[] = [];
    page.on('request', (request) => { if (request.method() === 'POST') paths.push(new URL(request.url()).pathname); });
    return paths;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    const admin = await loginAsAdmin(app);
    drafter = (await createUser(app, admin, { username: 'keys.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    approver = (await createUser(app, admin, { username: 'keys.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    await createUser(app, admin, { username: 'keys.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    beijing = (await createUser(app, admin, { username: 'keys.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    campaignId = await releaseCable(app, drafter, approver, {
      ...draft('Demarche: rare earth export licences'), kind: 'INSTRUCTION', actionAddressees: ['BEIJING', 'TOKYO'],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    });
    await awaitDelivery(app, beijing, campaignId, 'BEIJING');
    await authed(app, beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/delivery`, {
      deliveredOn: new Date().toISOString().slice(0, 10), counterpart: { name: 'Li Wei', title: 'Director', organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON',
    }).expect(201);
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  it('gives the focus back to the button that opened a cable\'s panel when it is closed, and to what happened once it is done', async () => {
    const { id } = (await authed(app, drafter).post('/cables', draft('Visit of the trade minister')).expect(201)).body as { id: string };
    await authed(app, drafter).post(`/cables/${id}/submit`).expect(200);
    const page = await signIn('keys.approver');
    await page.goto(`${base}/#/cables/${id}`);
    const returnButton = page.getByRole('button', { name: 'Return to the drafter…' });
    const cancelButton = page.getByRole('button', { name: 'Cancel the cable…' });

    // The return panel asks for its reason; "Back" closes it, and the focus is on its button again.
    await press(returnButton);
    await focusIsOn(page.getByLabel('Why it goes back to the drafter'));
    await press(page.getByRole('button', { name: 'Back' }));
    await focusIsOn(returnButton);
    expect(await returnButton.getAttribute('aria-expanded')).toBe('false');
    // So does Escape, and for the cancel panel opened from the return panel, its own button.
    await press(returnButton);
    await press(cancelButton);
    await focusIsOn(page.getByLabel('Why the cable is cancelled'));
    await page.keyboard.press('Escape');
    await focusIsOn(cancelButton);
    expect(await page.getByLabel('Why the cable is cancelled').count()).toBe(0);

    // Approved, its button is gone: the focus is on what happened, not on the page's body.
    await press(page.getByRole('button', { name: 'Approve' }));
    await focusIsOn(page.getByText('Approved.', { exact: true }));
    // The release's confirmation: "Not yet" and Escape each give the focus back to "Release…".
    const releaseButton = page.getByRole('button', { name: 'Release…' });
    await press(releaseButton);
    await focusIsOn(page.getByRole('group', { name: 'Release this cable?' }));
    await press(page.getByRole('button', { name: 'Not yet' }));
    await focusIsOn(releaseButton);
    await press(releaseButton);
    await focusIsOn(page.getByRole('group', { name: 'Release this cable?' }));
    await page.keyboard.press('Escape');
    await focusIsOn(releaseButton);
    expect(await page.getByRole('group', { name: 'Release this cable?' }).count()).toBe(0);
    // Cancelled for good: the panel and its button are gone, the focus on what happened.
    await press(cancelButton);
    await page.getByLabel('Why the cable is cancelled').fill('Overtaken by the minister\'s own visit.');
    await press(page.getByRole('button', { name: 'Cancel it' }));
    await focusIsOn(page.getByText('Cancelled.', { exact: true }));
    expect(await focused(page)).toBe('P: Cancelled.');
    await page.close();
  });

  it('closes the question of withdrawing a clearance request with Escape, sending nothing, the focus back on its button', async () => {
    const { id } = (await authed(app, drafter).post('/cables', draft('Fisheries talks: the agenda')).expect(201)).body as { id: string };
    await authed(app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('keys.drafter');
    const deleted: string[] = [];
    page.on('request', (request) => { if (request.method() === 'DELETE') deleted.push(new URL(request.url()).pathname); });
    await page.goto(`${base}/#/cables/${id}`);
    const withdraw = page.getByRole('button', { name: 'Withdraw the request to L…' });
    await press(withdraw);
    await focusIsOn(page.getByRole('group', { name: 'Withdraw the request to L?' }));
    await page.keyboard.press('Escape');
    await focusIsOn(withdraw);
    expect(await page.getByRole('group', { name: 'Withdraw the request to L?' }).count()).toBe(0);
    expect(deleted).toEqual([]);
    await page.close();
  });

  it('gives the focus to the refreshed screen\'s heading when the latest is shown from the keyboard', async () => {
    const { id } = (await authed(app, drafter).post('/cables', draft('Consultations on export controls')).expect(201)).body as { id: string };
    await authed(app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('keys.legal', { live: true });
    await page.goto(`${base}/#/cables/${id}`);
    // The clearer is writing comments when the drafter changes the subject: the latest is offered.
    await page.getByLabel(/^Comments/).fill('Paragraph 1 needs the treaty citation.');
    await authed(app, drafter).patch(`/cables/${id}`, { subject: 'Consultations on export controls: the second round' }).expect(200);
    const showLatest = page.getByRole('button', { name: 'Show the latest' });
    // (The live feed reads past the oldest transaction open on the server: another database's may hold it back a while.)
    await showLatest.waitFor({ timeout: 30_000 });
    await press(showLatest);
    // The button is gone with the screen it was on: the focus is at the top of the refreshed one.
    const heading = page.getByRole('heading', { level: 2, name: '(UNCLASSIFIED) Consultations on export controls: the second round' });
    await heading.waitFor();
    await focusIsOn(heading);
    expect(await heading.getAttribute('tabindex')).toBe('-1');
    // Tab goes on from there, into the refreshed page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
    await page.close();
  });

  it('refuses a translation or a language typed without its quote beside the quote, and sends nothing', async () => {
    const page = await signIn('keys.beijing');
    const sent = posted(page);
    const responses: unknown[] = [];
    page.on('request', (request) => { if (request.method() === 'POST' && request.url().endsWith('/deliveries/BEIJING/response')) responses.push(request.postDataJSON()); });
    await page.goto(`${base}/#/campaigns/${campaignId}/posts/BEIJING`);
    const form = page.getByRole('form', { name: /^Log the response to / });
    const quote = form.getByLabel(/^A quote/);
    await form.getByLabel('What the counterpart said').fill('Said the licences are under review.');
    await form.getByLabel(/^Its English translation/).fill('The licences are under review.');
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not logged. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(quote)).toBe('A translation without a quote cannot be logged: write the quote in the words used, or clear the translation.');
    expect(await quote.getAttribute('aria-invalid')).toBe('true');
    await focusIsOn(quote);
    expect(await accessibilityProblems(page)).toEqual([]);
    // A language alone, and both, are refused the same way.
    await form.getByLabel(/^Its English translation/).fill('');
    await form.getByLabel(/^Language of the quote/).fill('zh');
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]') !== null && document.body.textContent!.includes('A language without a quote'));
    expect(await saidBeside(quote)).toBe('A language without a quote cannot be logged: write the quote in the words used, or clear the language.');
    await form.getByLabel(/^Its English translation/).fill('The licences are under review.');
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.waitForFunction(() => document.body.textContent!.includes('A language and a translation without a quote'));
    expect(await saidBeside(quote)).toBe('A language and a translation without a quote cannot be logged: write the quote in the words used, or clear the language and the translation.');
    expect(sent.filter((path) => path.endsWith('/response'))).toEqual([]);

    // With its quote, the translation is logged with it.
    await quote.fill('许可证正在审查中。');
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Response logged.').waitFor();
    expect(responses).toEqual([expect.objectContaining({ quotes: [{ text: '许可证正在审查中。', language: 'zh', translation: 'The licences are under review.' }] })]);
    await page.getByText('Translation (from zh): “The licences are under review.”').waitFor();
    await page.close();
  });

  it('says beside each field of another meeting what it lacks before sending, and the server\'s refusals there too', async () => {
    const page = await signIn('keys.beijing');
    const sent = posted(page);
    await page.goto(`${base}/#/campaigns/${campaignId}/posts/BEIJING`);
    await page.getByText('Log another meeting').click();
    const form = page.getByRole('form', { name: 'Log another meeting' });
    const [on, name, title, organization] = ['Met on', 'Counterpart name', 'Counterpart title', 'Counterpart organization'].map((label) => form.getByLabel(label, { exact: true }));
    const logMeeting = form.getByRole('button', { name: 'Log the meeting' });
    const alert = form.getByRole('alert');

    // Nothing but the day: each part of the counterpart is asked for beside its field; the focus on the first.
    await logMeeting.click();
    await alert.filter({ hasText: 'Not logged. See what is said beside the fields.' }).waitFor();
    expect(await Promise.all([name, title, organization].map(saidBeside))).toEqual(["Give the counterpart's name.", "Give the counterpart's title.", "Give the counterpart's organization."]);
    expect(await Promise.all([on, name, title, organization].map((field) => field.getAttribute('aria-invalid')))).toEqual([null, 'true', 'true', 'true']);
    await focusIsOn(name);
    expect(await accessibilityProblems(page)).toEqual([]);
    // A day to come, a title longer than the server keeps, an organization of spaces.
    await on.fill(new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10));
    await name.fill('Zhou Min');
    await title.fill('D'.repeat(201));
    await organization.fill('   ');
    await logMeeting.click();
    await page.waitForFunction(() => document.getElementById('m-name')?.getAttribute('aria-invalid') === null);
    expect(await Promise.all([on, name, title, organization].map(saidBeside))).toEqual([
      'Met on cannot be in the future: choose today or an earlier day.', '', 'Counterpart title can have at most 200 characters (it has 201).', "Give the counterpart's organization.",
    ]);
    await focusIsOn(on);
    expect(sent.filter((path) => path.endsWith('/contacts'))).toEqual([]);

    // What only the server knows (the day the post was tasked) is said beside the field too.
    await on.fill('2020-01-01');
    await title.fill('Deputy Director-General');
    await organization.fill('Ministry of Commerce');
    await logMeeting.click();
    await alert.filter({ hasText: 'Not logged. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(on)).toMatch(/^Met on cannot be before the post was tasked/);
    expect(await Promise.all([name, title, organization].map(saidBeside))).toEqual(['', '', '']);
    await focusIsOn(on);
    expect(sent.filter((path) => path.endsWith('/contacts'))).toHaveLength(1);

    await on.fill(new Date().toISOString().slice(0, 10));
    await logMeeting.click();
    await page.getByText(/Zhou Min, Deputy Director-General, Ministry of Commerce/).first().waitFor();
    await page.close();
  });

  it('raises a follow-up that stands alone, with its description, from the web app', async () => {
    const page = await signIn('keys.beijing');
    const created: unknown[] = [];
    page.on('request', (request) => { if (request.method() === 'POST' && new URL(request.url()).pathname === '/follow-ups') created.push(request.postDataJSON()); });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Follow-ups' }).click();
    await page.getByRole('link', { name: 'New follow-up' }).click();
    await page.getByRole('heading', { name: 'New follow-up action' }).waitFor();
    await page.getByLabel('Title').fill('Call on the new Commerce vice-minister');
    await page.getByLabel(/^Description/).fill('Introduce the new economic counselor and raise the licence backlog.');
    await page.getByRole('button', { name: 'Create the follow-up' }).click();
    await page.getByRole('heading', { name: 'Call on the new Commerce vice-minister' }).waitFor();
    await page.getByText('Introduce the new economic counselor and raise the licence backlog.').waitFor();
    // Linked to nothing: no campaign, post or cable sent.
    expect(created).toEqual([{ title: 'Call on the new Commerce vice-minister', description: 'Introduce the new economic counselor and raise the licence backlog.', owner: { post: 'BEIJING' }, dueOn: expect.any(String) }]);
    await page.close();
  });
});
