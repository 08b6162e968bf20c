import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { AuditSealer } from '@chancery/audit';
import { OverdueScheduler } from '@chancery/demarches';
import { ProjectionRunner } from '@chancery/event-store';
import { accessibilityProblems, saidBeside, webAppUnderTest } from '../support/browser-app.js';
import { awaitDelivery } from '../support/campaigns.js';
import { DESKTOP, fillSignIn } from '../support/chromium.js';
import { authed, releaseCable } from '../support/http.js';
import { createUser, login, loginAsAdmin, TEST_ADMIN_PASSWORD } from '../support/test-app.js';
import { TestClock } from '../support/test-clock.js';

/** Screenshots land here (ignored by git); CI keeps them as artifacts. */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const PHONE = { width: 390, height: 844 };

/**
 * One screen as its users meet it: accessible (axe-core at desktop width; at phone width too where
 * tables turn into stacked cards), no page-wide sideways scrolling at 390 px (wide tables scroll in
 * their own region or stack), a screenshot at each width.
 */
async function checkScreen(page: Page, name: string, { phoneAxe = false } = {}): Promise<void> {
  const t0 = Date.now();
  expect({ name, problems: await accessibilityProblems(page) }).toEqual({ name, problems: [] });
  await page.screenshot({ path: new URL(`${name}-desktop.png`, ARTIFACTS).pathname, fullPage: true });
  await page.setViewportSize(PHONE);
  try {
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect({ name, width }).toEqual({ name, width: PHONE.width });
    if (phoneAxe) expect({ name, problems: await accessibilityProblems(page) }).toEqual({ name, problems: [] });
    await page.screenshot({ path: new URL(`${name}-phone.png`, ARTIFACTS).pathname, fullPage: true });
  } finally {
    await page.setViewportSize(DESKTOP);
    if (process.env.WEB_TIMING) console.log(`${name}: ${Date.now() - t0} ms`);
  }
}

/** The id of the element that has the focus, once it is `id` (focus moves in an effect after the click). */
async function focusMovesTo(page: Page, id: string): Promise<void> {
  await page.waitForFunction(`document.activeElement?.id === ${JSON.stringify(id)}`, undefined, { timeout: 5000 });
}

describe('the web app, in headless Chromium', () => {
  // In order: the post logs Beijing's answer that leadership then sees.
  let drafter: string;
  let approver: string;
  let clearer: string;
  let campaignId: string;
  let toClearId: string;
  let toReleaseId: string;
  let toReturnId: string;
  const notFound: string[] = [];
  /** Every user's username by id: what a newer server names them by in the audit log and a delivery's `people`. */

  const open = async (options: { locale?: string } = {}) => {
    const page = await web.browser.newPage({ viewport: DESKTOP, ...options });
    page.on('response', (response) => { if (response.status() === 404) notFound.push(response.url()); });
    return page;
  };
  /** Signs in on the sign-in form `page` shows (password `<username>-password-123` unless given), once signed in. */
  const signInOn = async (page: Page, username: string, password?: string) => {
    await fillSignIn(page, username, password);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  };
  /** `before`: what to do to the page before it first loads (put its clock under the test's control, say). */
  const signIn = async (username: string, password?: string, before?: (page: Page) => Promise<void>) => web.signIn(username, { password, before, page: await open() });
  const draft = (subject: string, extra: object = {}) => ({
    kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'TSPL'],
    actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: `${subject}: the text of the cable.` }], ...extra,
  });

  /** The campaign's delivery for `post` exists (the campaign opener is a reaction: it runs after the release commits). */
  const opened = (token: string, post: string) => awaitDelivery(web.app, token, campaignId, post);

  // The application's clock, moved by the follow-up test (a follow-up is never created past due).
  const clock = new TestClock(new Date());
  /** The first cable's MRN: its year is the clock's (RFC-style two digits), so the test holds in any year. */
  const FIRST_MRN = `${String(clock.now().getUTCFullYear()).slice(2)} STATE 000001`;

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, clock,
    setUp: async ({ app }) => {
      // A released instruction to ALDAC, answered by Beijing with a rejection.
      const admin = await loginAsAdmin(app);
      drafter = (await createUser(app, admin, { username: 'web.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      approver = (await createUser(app, admin, { username: 'web.approver', displayName: 'Wendy Approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
      await createUser(app, admin, { username: 'web.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' });
      const mumbai = (await createUser(app, admin, { username: 'web.mumbai', roles: ['post_officer'], postCode: 'MUMBAI', clearance: 'SECRET' })).token;
      clearer = (await createUser(app, admin, { username: 'web.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
      await createUser(app, admin, { username: 'web.desk', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
      await createUser(app, admin, { username: 'web.lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
      await createUser(app, admin, { username: 'web.eapfo', roles: ['leadership'], office: 'EAP', clearance: 'SECRET' });
      await createUser(app, admin, { username: 'web.auditor', roles: ['auditor'], clearance: 'SECRET' });
      campaignId = await releaseCable(app, drafter, approver, {
        kind: 'INSTRUCTION', subject: 'Demarche: AI model distillation', classification: 'UNCLASSIFIED', captions: [], precedence: 'IMMEDIATE', tags: ['PREL', 'ETTC'],
        actionAddressees: ['ALDAC'], paragraphs: [{ marking: 'U', text: 'Raise our concerns with host governments.' }],
        demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
      });
      // Cables waiting for the clearer and the approver, and one the approver will send back.
      toClearId = (await authed(app, drafter).post('/cables', draft('Export controls on model weights')).expect(201)).body.id;
      await authed(app, drafter).post(`/cables/${toClearId}/clearance-requests`, { offices: ['L'] }).expect(200);
      toReleaseId = (await authed(app, drafter).post('/cables', draft('Visit of the science minister')).expect(201)).body.id;
      await authed(app, drafter).post(`/cables/${toReleaseId}/submit`).expect(200);
      toReturnId = (await authed(app, drafter).post('/cables', draft('Talking points on chip exports')).expect(201)).body.id;
      await authed(app, drafter).post(`/cables/${toReturnId}/submit`).expect(200);
      await app.get(ProjectionRunner).catchUp();
      // Mumbai could not deliver while New Delhi has yet to: India is coloured by its embassy.
      await opened(mumbai, 'MUMBAI');
      await authed(app, mumbai).post(`/demarches/${campaignId}/deliveries/MUMBAI/not-delivered`, { reason: 'No appointment granted' }).expect(201);
      await mkdir(ARTIFACTS, { recursive: true });
    },
  });

  it('lets a desk officer draft with the rules flagged as they type, and shows a clearance gone stale after an edit', async () => {
    const page = await signIn('web.desk');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    // A drafter is asked to clear or approve nothing: those sections are not shown.
    expect(await page.getByRole('heading', { name: /To clear|To approve/ }).count()).toBe(0);
    await checkScreen(page, 'inbox-drafter');
    await page.goto(`${web.base}/#/cables/new`);
    const status = page.getByRole('status');
    // Nothing typed yet: no rule is said broken (see the keyboard and form checks).
    await page.getByText('The draft is checked against the drafting rules as you type.').waitFor();
    // Saved as it is, from the keyboard (Enter in a field): the rule is said beside its field, with the focus on it, and nothing is saved.
    await page.getByLabel('Subject', { exact: true }).press('Enter');
    await page.getByRole('alert').filter({ hasText: /^Not saved\. See what is said beside the field\.$/ }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(await page.getByLabel('Subject', { exact: true }).getAttribute('id'));
    expect(await page.getByLabel('Subject', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/#\/cables\/new$/);
    // Mended, the subject is no longer marked: what is said beside a field is the rule the draft breaks now.
    await page.getByLabel('Subject', { exact: true }).fill('Subject for now');
    await page.waitForFunction(() => document.getElementById('subject')?.getAttribute('aria-invalid') !== 'true');
    await page.getByLabel('Subject', { exact: true }).fill('');
    // The Department instructs and informs: the kinds offered are those the server takes from it.
    expect(await page.getByLabel('Kind').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['INSTRUCTION', 'INFORMATIONAL']);
    await page.getByLabel('Subject', { exact: true }).fill('Demarche: protecting frontier AI models');
    // Several TAGS typed a key at a time: the box keeps the spaces and commas as typed.
    await page.getByLabel('TAGS').pressSequentially('PREL, ETTC');
    expect(await page.getByLabel('TAGS').inputValue()).toBe('PREL, ETTC');
    await page.getByRole('combobox', { name: /^Action addressees/ }).fill('eap_posts');
    await page.getByRole('combobox', { name: /^Action addressees/ }).press('Enter');
    await page.getByRole('list', { name: 'Action addressees chosen' }).getByText('EAP_POSTS').waitFor();
    await page.getByLabel('Paragraph 1', { exact: true }).fill('Posts should raise our concerns.');
    await page.getByText('The draft meets every drafting rule.').waitFor();
    await page.getByLabel('Classification', { exact: true }).selectOption('CONFIDENTIAL');
    expect(await status.textContent()).not.toBe('The draft meets every drafting rule.'); // a CONFIDENTIAL cable needs more
    // Classification reasons and captions are typed as freely.
    await page.getByLabel(/^Reasons/).pressSequentially('1.4(b), 1.4(d)');
    expect(await page.getByLabel(/^Reasons/).inputValue()).toBe('1.4(b), 1.4(d)');
    await page.getByLabel(/^Captions/).pressSequentially('NOFORN, SIPDIS');
    expect(await page.getByLabel(/^Captions/).inputValue()).toBe('NOFORN, SIPDIS');
    // The banners say the captions after the classification, as a banner line writes them.
    await page.getByRole('note', { name: 'Classification: CONFIDENTIAL//NOFORN/SIPDIS' }).first().waitFor();
    expect(await page.getByRole('note', { name: /^Classification/ }).first().textContent()).toBe('CONFIDENTIAL//NOFORN/SIPDIS');
    await page.getByLabel(/^Captions/).fill('');
    // Back to UNCLASSIFIED, the classification block typed is not held against the cable.
    await page.getByLabel('Classification', { exact: true }).selectOption('UNCLASSIFIED');
    await page.getByText('The draft meets every drafting rule.').waitFor();
    // The rules that need the post network are checked as typed too: Tokyo is reached through EAP_POSTS.
    await page.getByRole('combobox', { name: /^Info addressees/ }).fill('TOKYO');
    await page.getByRole('combobox', { name: /^Info addressees/ }).press('Enter');
    await status.filter({ hasText: 'TOKYO is an action addressee through EAP_POSTS' }).waitFor();
    await page.getByRole('list', { name: 'Info addressees chosen' }).getByRole('button', { name: 'Remove TOKYO' }).click();
    await page.getByText('The draft meets every drafting rule.').waitFor();
    await checkScreen(page, 'cable-new');
    // A double click saves one draft, not two.
    await page.getByRole('button', { name: 'Save draft' }).dblclick();
    await page.getByRole('heading', { name: 'Clearances' }).waitFor();
    const cableId = page.url().split('/').pop()!;
    const saved = (await authed(web.app, drafter).get(`/cables?q=${encodeURIComponent('protecting frontier AI models')}`).expect(200)).body;
    expect(saved.items.map((c: { id: string }) => c.id)).toEqual([cableId]);
    expect(await page.locator('.badge').first().textContent()).toBe('draft');

    await page.getByLabel('Ask offices to clear').fill('L');
    await page.getByRole('button', { name: 'Request' }).click();
    await page.getByRole('cell', { name: 'Pending', exact: true }).waitFor();
    // Submitting waits for L (and EAP, which EAP_POSTS calls for), and the drafter is told so where the button would be.
    expect(await page.locator('#blocked-submit').getByRole('listitem').allTextContents()).toEqual(['Clearances still needed: L (not answered yet).', 'Clearances required and not given: EAP (its posts are tasked through EAP_POSTS).']);
    await authed(web.app, clearer).post(`/cables/${cableId}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    await page.reload();
    // Nothing has changed since L cleared: the page does not say that something has.
    await page.getByRole('button', { name: 'L cleared', exact: true }).waitFor();
    await page.waitForTimeout(1_000);
    expect(await page.getByText(/^Changed since L decided/).count()).toBe(0);
    await page.getByRole('cell', { name: 'Cleared', exact: true }).waitFor();

    await page.getByLabel('Paragraph 1', { exact: true }).fill('Posts should raise our concerns at the highest level.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('cell', { name: 'Stale (changed since cleared)', exact: true }).waitFor();
    // What changed since L cleared, word by word; and who edited what.
    await page.getByText('Changed since L decided').waitFor();
    expect(await page.locator('details[open] ins').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('at the highest level')]));
    await page.getByRole('heading', { name: 'Who edited what' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Who edited what' }).locator('..').locator('summary').allTextContents()).toEqual([expect.stringContaining('version 4')]);
    // The history in sentences, and the cable as it stood at its first version.
    await page.getByRole('button', { name: 'L cleared', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Drafted', exact: true }).click();
    await page.getByRole('heading', { name: 'As it stood at version 1: draft' }).waitFor();
    const then = await page.getByRole('heading', { name: 'As it stood at version 1: draft' }).locator('..').locator('pre').textContent();
    expect(then).toContain('1. (U) Posts should raise our concerns.');
    expect(then).not.toContain('highest level');
    // The telegram at full width, its lines as the cable office wrote them (not wrapped again).
    const telegram = page.getByRole('region', { name: 'Telegram text' });
    expect(await telegram.evaluate((pre) => (globalThis as unknown as { getComputedStyle(e: unknown): { whiteSpace: string } }).getComputedStyle(pre).whiteSpace)).toBe('pre');
    await checkScreen(page, 'cable-drafter', { phoneAxe: true });

    // The drafter's queues.
    await page.goto(`${web.base}/#/cables?queue=mine`);
    await page.getByRole('link', { name: /protecting frontier AI models/ }).waitFor();
    await checkScreen(page, 'cables-my-drafts', { phoneAxe: true });
  });

  it('asks the drafter to confirm withdrawing a clearance request, and sends nothing until they do', async () => {
    const desk = await login(web.app, 'web.desk', 'web.desk-password-123');
    const id = (await authed(web.app, desk).post('/cables', draft('Chip export licences: a request sent to the wrong office')).expect(201)).body.id;
    await authed(web.app, desk).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('web.desk');
    const withdrawals: string[] = [];
    page.on('request', (request) => { if (request.method() === 'DELETE') withdrawals.push(new URL(request.url()).pathname); });
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('button', { name: 'Withdraw the request to L…' }).click();
    const question = page.getByRole('group', { name: 'Withdraw the request to L?' });
    await question.getByText(/L is no longer asked to clear this cable/).waitFor();
    await focusMovesTo(page, 'withdraw-confirm');
    await checkScreen(page, 'cable-withdraw-confirm');
    // Kept: nothing is sent, and L is still asked.
    await question.getByRole('button', { name: 'Keep the request' }).click();
    expect(await question.count()).toBe(0);
    expect(withdrawals).toEqual([]);
    await page.getByRole('row', { name: /^L Pending/ }).waitFor();
    // The focus goes back to where the question was asked from, not to the page's body.
    await page.waitForFunction(`document.activeElement?.getAttribute('aria-label') === 'Withdraw the request to L…'`, undefined, { timeout: 5000 });
    // Confirmed: withdrawn.
    await page.getByRole('button', { name: 'Withdraw the request to L…' }).click();
    await question.getByRole('button', { name: 'Withdraw it' }).click();
    await page.getByText('The request to L is withdrawn.').waitFor();
    await focusMovesTo(page, 'cable-message'); // its button is gone: the focus is on what happened
    expect(withdrawals).toEqual([`/cables/${id}/clearance-requests/L`]);
    expect(await page.getByRole('button', { name: /^Withdraw the request/ }).count()).toBe(0);
  });

  it('lets a clearer decide with comments or not concur, and shows no drafting control', async () => {
    const page = await signIn('web.legal');
    await page.getByRole('heading', { name: /^To clear for L \(\d\)$/ }).waitFor();
    expect(await page.getByRole('heading', { name: /To approve|Returned to me|taskings/i }).count()).toBe(0);
    await checkScreen(page, 'inbox-clearer');
    await page.getByRole('link', { name: /Export controls on model weights/ }).click();
    await page.getByRole('heading', { name: 'Your decision for L' }).waitFor();
    // A clearer may edit the text (clearing with edits), but not submit, approve or release it.
    expect(await page.getByRole('button', { name: /Submit|Release|Approve/ }).count()).toBe(0);
    expect(await page.getByRole('radio').evaluateAll((radios) => radios.map((r) => (r as unknown as { value: string }).value))).toEqual(['CLEARED', 'CLEARED_WITH_COMMENTS', 'NON_CONCUR']);
    // None is chosen for the clearer: Send alone is refused, said below the choices, the focus on them.
    expect(await page.getByRole('radio', { checked: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Send the decision' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Choose your decision: Clear, Clear with comments, Do not concur.');
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.name === 'decision');
    // A plain clearance carries no comments: the box comes with the decisions that do.
    await page.getByRole('radio', { name: 'Clear', exact: true }).check();
    expect(await page.getByLabel(/^Comments/).count()).toBe(0);
    await page.getByRole('radio', { name: 'Do not concur' }).check();
    await page.getByRole('button', { name: 'Send the decision' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('needs them');
    // The focus goes to the box the comments are written in, described by what is wanted.
    await focusMovesTo(page, 'clear-comments');
    expect(await page.getByLabel(/^Comments/).getAttribute('aria-describedby')).toBe('clear-problem');
    await page.getByLabel(/^Comments/).fill('Paragraph 2 overstates the legal basis.');
    await checkScreen(page, 'cable-clearer');
    await page.getByRole('button', { name: 'Send the decision' }).click();
    await page.getByText('L does not concur.').waitFor();
    const row = page.getByRole('row', { name: /Paragraph 2 overstates the legal basis\./ });
    expect(await row.locator('td[data-label="Decision"]').textContent()).toBe('Does not concur');
    await page.getByRole('button', { name: 'L did not concur: “Paragraph 2 overstates the legal basis.”' }).waitFor();
    // A clearer drafts nothing; the cable list searches by words and status.
    await page.getByRole('link', { name: 'Cables', exact: true }).click();
    await page.getByRole('heading', { name: /All cables/ }).waitFor();
    expect(await page.getByRole('link', { name: 'Draft a new cable' }).count()).toBe(0);
    await page.getByLabel('Words').fill('model weights');
    await page.getByLabel('Status').selectOption('IN_CLEARANCE');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: 'All cables (1)' }).waitFor();
    expect(await page.getByRole('region', { name: 'Cables found' }).getByRole('link').allTextContents()).toEqual(['(UNCLASSIFIED) Export controls on model weights']);
  });

  it('lets an approver return a cable with a reason and release another after confirming', async () => {
    const page = await signIn('web.approver');
    await page.getByRole('heading', { name: 'To approve or release (2)' }).waitFor();
    await page.getByRole('link', { name: /Talking points on chip exports/ }).click();
    await page.getByRole('button', { name: 'Return to the drafter…' }).click();
    await page.getByRole('button', { name: 'Return it' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Write the reason first');
    // Said beside the box, which is marked and takes the focus.
    const box = page.getByLabel('Why it goes back to the drafter');
    expect({ invalid: await box.getAttribute('aria-invalid'), focused: await page.evaluate(() => document.activeElement?.id) }).toEqual({ invalid: 'true', focused: 'reason' });
    await page.getByLabel('Why it goes back to the drafter').fill('Add the Commerce Department line on licensing.');
    await page.getByRole('button', { name: 'Return it' }).click();
    await page.getByText('Returned to the drafter.').waitFor();
    expect(await page.locator('.badge').first().textContent()).toBe('draft');
    expect(await page.getByRole('button', { name: /Approve|Release/ }).count()).toBe(0);

    await page.goto(`${web.base}/#/cables/${toReleaseId}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved.').waitFor();
    await page.getByRole('button', { name: 'Release…' }).click();
    await page.getByRole('heading', { name: 'Release this cable?' }).waitFor();
    await focusMovesTo(page, 'release-confirm');
    await checkScreen(page, 'cable-release-confirm');
    await page.getByRole('button', { name: 'Release now' }).click();
    await page.getByText('Released.', { exact: true }).waitFor();
    expect(await page.locator('.badge').first().textContent()).toBe('released');
    expect(await page.getByText(/^\d\d STATE \d{6}$/).count()).toBe(1);
    expect(await page.getByText(/^\d{6}Z [A-Z]{3} \d\d$/).count()).toBe(1); // the date-time group
    await checkScreen(page, 'cable-released');

    // An instruction with a demarche: the confirmation says that releasing it opens the campaign, and how many posts it tasks.
    const instruction = draft('Demarche: export licences for advanced chips', {
      kind: 'INSTRUCTION', actionAddressees: ['BEIJING', 'SHANGHAI', 'TOKYO'],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1], scope: { kinds: ['EMBASSY'] } },
    });
    const instructionId = (await authed(web.app, drafter).post('/cables', instruction).expect(201)).body.id;
    await authed(web.app, drafter).post(`/cables/${instructionId}/submit`).expect(200);
    await authed(web.app, approver).post(`/cables/${instructionId}/approve`).expect(200);
    await page.goto(`${web.base}/#/cables/${instructionId}`);
    await page.getByRole('button', { name: 'Release…' }).click();
    await page.getByRole('group', { name: 'Release this cable?' }).getByText('Releasing it also opens its demarche campaign, tasking 2 posts to deliver the demarche and report by 2099-01-01.').waitFor();
    await page.getByRole('button', { name: 'Not yet' }).click();

    // The drafter finds it returned, with the reason.
    const desk = await signIn('web.drafter');
    // The inbox names who returned it, and when.
    const returnedItem = desk.locator('#returned-list li').filter({ hasText: 'Talking points on chip exports' });
    await returnedItem.getByText('“Add the Commerce Department line on licensing.”').waitFor();
    expect(await returnedItem.textContent()).toMatch(/ · returned by Wendy Approver · \d/);
    await desk.getByRole('link', { name: 'Cables', exact: true }).click();
    await desk.getByRole('link', { name: 'Returned to me' }).click();
    await desk.getByRole('link', { name: /Talking points on chip exports/ }).click();
    await desk.getByRole('heading', { name: 'Returned by the approver' }).waitFor();
    await desk.getByRole('region', { name: 'Returned by the approver' }).getByText('“Add the Commerce Department line on licensing.”').waitFor();
    expect(await desk.getByRole('button', { name: 'Edit the draft' }).or(desk.getByRole('button', { name: 'Close the editor' })).count()).toBe(1);
  });

  it('offers no step the server would refuse, and says why it waits: a collective tasking not yet cleared by its bureau', async () => {
    const tasking = draft('Demarche to every East Asian post', {
      kind: 'INSTRUCTION', actionAddressees: ['EAP_POSTS'], demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    });
    const id = (await authed(web.app, drafter).post('/cables', tasking).expect(201)).body.id;
    const page = await signIn('web.drafter');
    await page.goto(`${web.base}/#/cables/${id}`);
    const waits = page.locator('#blocked-submit');
    await waits.getByText('Submitting for approval is not possible yet:').waitFor();
    expect(await waits.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^Clearances required and not given: EAP \(.*EAP_POSTS.*\)\.$/)]);
    expect(await page.getByRole('button', { name: 'Submit for approval' }).count()).toBe(0);
    await checkScreen(page, 'cable-step-blocked');
  });

  it('lets a post officer log the delivery and Beijing\'s rejection, quoted with a translation', async () => {
    const page = await signIn('web.beijing');
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.getByRole('heading', { name: 'Taskings for BEIJING' }).waitFor();
    // Who is signed in, in words: "post officer", not the role's code.
    expect(await page.locator('.who').innerText()).toMatch(/· post officer · BEIJING$/);
    const row = page.getByRole('row', { name: /AI model distillation/ });
    // Each row's Report button is named for its cable.
    await row.getByRole('button', { name: /^Report on \d{2} STATE \d{6}$/ }).click();
    await page.getByLabel('Counterpart name').fill('Wang Wei');
    await page.getByLabel('Counterpart title').fill('Director-General');
    await page.getByLabel('Counterpart organization').fill('Ministry of Foreign Affairs');
    await page.getByLabel('Level').selectOption('DIRECTOR_GENERAL');
    await page.getByLabel('Method').selectOption('IN_PERSON');
    await checkScreen(page, 'taskings-report');
    await page.getByRole('button', { name: 'Log delivery' }).click();
    await page.getByText('Delivery logged.').waitFor();
    await page.getByRole('row', { name: /AI model distillation/ }).getByRole('button', { name: 'Report' }).click();
    await page.getByRole('button', { name: 'Log response' }).click();
    expect(await saidBeside(page.getByLabel('What the counterpart said'))).toBe('Say what the counterpart said: the summary cannot be empty.');
    await page.getByLabel('Counterpart position').selectOption('REJECTED');
    await page.getByLabel('What the counterpart said').fill('Rejected the demarche as interference.');
    await page.getByLabel(/^A quote/).fill('这些指控毫无根据。');
    await page.getByLabel(/^Language of the quote/).fill('zh');
    await page.getByLabel(/^Its English translation/).fill('These allegations are groundless.');
    await page.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Response logged.').waitFor();
    await page.getByRole('row', { name: /AI model distillation.*rejected/ }).waitFor();
    // Answered, the tasking stays in view with what the post reported.
    expect(await page.getByRole('row', { name: /AI model distillation/ }).textContent()).toContain('rejected');
    await page.getByRole('heading', { name: 'Incoming traffic' }).waitFor();
    await checkScreen(page, 'taskings', { phoneAxe: true });
    await page.getByRole('link', { name: new RegExp(`^Details of ${FIRST_MRN}`) }).click();
    await page.getByText('这些指控毫无根据。').waitFor();
    await page.getByText('Translation (from zh): “These allegations are groundless.”').waitFor();
    await page.getByText('Embassy Beijing logged a response: rejected', { exact: true }).waitFor();
    // No response names a reporting cable: said as that, not as "none was sent" (one may be, unnamed).
    await page.getByText("None of Embassy Beijing's responses names a reporting cable you may read yet.").waitFor();
    await checkScreen(page, 'delivery-post');
    await page.getByText(/logged by web\.beijing/).first().waitFor();
    // Another meeting, and the non-paper left behind, added to the record.
    await page.getByText('Log another meeting').click();
    await page.getByLabel('Counterpart name').fill('Chen Xiaoyu');
    await page.getByLabel('Counterpart title').fill('Deputy Director-General');
    await page.getByLabel('Counterpart organization').fill('MFA, North American and Oceanian Affairs');
    const meetingForm = page.getByRole('form', { name: 'Log another meeting' });
    await meetingForm.getByLabel('Level').selectOption('DIRECTOR_GENERAL');
    await meetingForm.getByLabel('Method').selectOption('IN_PERSON');
    // A meeting to come is refused before sending; one before the tasking, by the server: both in plain words, beside the date.
    const metOn = page.getByLabel('Met on');
    // Two days on: tomorrow in UTC is still today somewhere (UTC+14) for most of the UTC day.
    await metOn.fill(new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Log the meeting' }).click();
    await page.getByText('Met on cannot be in the future: choose today or an earlier day.', { exact: true }).waitFor();
    expect(await saidBeside(metOn)).toBe('Met on cannot be in the future: choose today or an earlier day.');
    await metOn.fill('2020-01-01');
    await page.getByRole('button', { name: 'Log the meeting' }).click();
    await page.getByText(/^Met on cannot be before the post was tasked/).waitFor();
    expect(await saidBeside(metOn)).toMatch(/^Met on cannot be before the post was tasked/);
    await page.getByLabel('Met on').fill(clock.now().toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Log the meeting' }).click();
    await page.getByText(/Chen Xiaoyu, Deputy Director-General/).first().waitFor();
    // Logged, the form is empty again: the same click twice would log the meeting twice.
    expect(await page.getByLabel('Counterpart name').inputValue()).toBe('');
    await page.getByText('Attach a document left behind').click();
    // No file chosen: said beside the control, and nothing is sent.
    await page.getByRole('button', { name: 'Attach' }).click();
    const attach = page.locator('form', { has: page.getByRole('button', { name: 'Attach' }) });
    expect(await attach.getByRole('alert').textContent()).toBe('Choose a file first.');
    expect(requested.filter((path) => path.endsWith('/documents'))).toEqual([]);
    await page.getByLabel(/^File/).setInputFiles({ name: 'non-paper.txt', mimeType: 'text/plain', buffer: Buffer.from('NON-PAPER\n\nThe United States is concerned about the distillation of U.S. AI models.\n') });
    await page.getByRole('button', { name: 'Attach' }).click();
    await page.getByRole('button', { name: 'non-paper.txt' }).waitFor();
    // Attached, the file is no longer chosen: Attach again sends nothing, and says so.
    await page.getByRole('button', { name: 'Attach' }).click();
    expect(await attach.getByRole('alert').textContent()).toBe('Choose a file first.');
    expect(requested.filter((path) => path.endsWith('/documents'))).toHaveLength(1);
    // Its size as it is: a small file in bytes, not rounded up to a kilobyte.
    await page.getByText(/ · 84 bytes · attached by /).waitFor();
    // Downloaded with the officer's token, as uploaded.
    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'non-paper.txt' }).click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toBe('non-paper.txt');
    expect(await readFile((await file.path())!, 'utf8')).toContain('The United States is concerned');
    expect(requested.filter((path) => path.endsWith('/documents/undefined'))).toEqual([]);
    expect(await page.getByText(/could not be downloaded/).count()).toBe(0);
    // A PNG called a PDF is refused in plain words, and nothing is attached.
    await page.getByLabel(/^File/).setInputFiles({ name: 'photo.pdf', mimeType: 'application/pdf', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) });
    await page.getByRole('button', { name: 'Attach' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('button', { name: 'photo.pdf' }).count()).toBe(0);
    // A name with no break in it wraps on a phone (checked where leadership reads this delivery).
    const unbroken = 'Aide_memoire_MOFA_meeting_20261202_final_v3_signed_scan_with_annexes_and_the_counterparts_notes.txt';
    await page.getByLabel(/^File/).setInputFiles({ name: unbroken, mimeType: 'text/plain', buffer: Buffer.from('AIDE-MEMOIRE\n') });
    await page.getByRole('button', { name: 'Attach' }).click();
    await page.getByRole('button', { name: unbroken }).waitFor();
    // The reporting cable starts addressed to the Department, citing the tasking as REF A.
    await page.getByRole('link', { name: `Draft a reporting cable on ${FIRST_MRN}` }).click();
    await page.getByRole('heading', { name: `New reporting cable on ${FIRST_MRN}` }).waitFor();
    await page.getByRole('list', { name: 'Action addressees chosen' }).getByText('SECSTATE').waitFor();
    expect(await page.getByLabel('Kind').inputValue()).toBe('REPORTING');
    // Its subject is the tasking's own text, under the tasking's markings (read from the tasking, not the link).
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toMatch(new RegExp(`^Reply to ${FIRST_MRN}: `));
    expect(await page.getByLabel('Classification', { exact: true }).inputValue()).toBe('UNCLASSIFIED');
    // A post reports and informs: it is offered no instruction, which tasks posts.
    expect(await page.getByLabel('Kind').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['REPORTING', 'INFORMATIONAL']);
    await page.getByLabel('TAGS').fill('PREL ETTC CH');
    await page.getByLabel('Paragraph 1', { exact: true }).fill('The MFA rejected the demarche.');
    await page.getByText('The draft meets every drafting rule.').waitFor();
    // A paragraph added takes the focus, ready to be written.
    await page.getByRole('button', { name: 'Add a paragraph' }).click();
    await focusMovesTo(page, 'para-1');
  });

  it('keeps what a desk officer typed into a new cable when they leave it unsaved, until they save it or start afresh', async () => {
    const page = await signIn('web.desk');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.goto(`${web.base}/#/cables/new`);
    await page.getByLabel('Subject', { exact: true }).fill('Typed, not saved');
    await page.getByLabel('Paragraph 1', { exact: true }).fill('Words that must not be lost.');
    await page.getByLabel('TAGS').pressSequentially('PREL, ETTC');
    // Away to the inbox, then Back: the form holds what was typed, and says it is not saved.
    await page.getByRole('link', { name: 'Inbox' }).first().click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.goBack();
    await page.getByText('What you typed here before is back: it is not saved yet.').waitFor();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Typed, not saved');
    expect(await page.getByLabel('Paragraph 1', { exact: true }).inputValue()).toBe('Words that must not be lost.');
    expect(await page.getByLabel('TAGS').inputValue()).toBe('PREL, ETTC');
    // A reload keeps it too; starting afresh puts it away.
    await page.reload();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Typed, not saved');
    await page.getByRole('button', { name: 'Start afresh' }).click();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('');
    await page.reload();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('');
    expect(await page.getByText('What you typed here before is back').count()).toBe(0);
  });

  it('shows leadership the campaign on the map by embassy, and drills down to what Beijing\'s counterpart said', async () => {
    const page = await signIn('web.lead');
    await page.getByRole('heading', { name: 'Where every campaign stands' }).waitFor();
    const banners = page.getByRole('note', { name: /Classification/ });
    expect(await banners.count()).toBe(2);
    expect(await banners.first().textContent()).toBe('UNCLASSIFIED');
    const row = page.getByRole('row', { name: /Demarche: AI model distillation/ });
    expect(await row.textContent()).toContain('1/263'); // every open post of the ALDAC distribution
    // China (an embassy and consulates), coloured as Beijing's rejection; the tooltip lists the posts.
    const china = page.locator('svg.map path', { has: page.locator('title', { hasText: /^China: rejected/ }) });
    await china.waitFor();
    expect(await china.getAttribute('fill')).toBe('#b3261e');
    expect(await china.locator('title').textContent()).toMatch(/^China: rejected — Embassy Beijing: rejected;.*Shanghai: pending/);
    // India by its embassy (New Delhi pending), not by Mumbai's failure; the U.S. not at all.
    await page.locator('svg.map path', { has: page.locator('title', { hasText: /^India: pending/ }) }).waitFor();
    expect(await page.locator('svg.map path title', { hasText: /^United States of America/ }).textContent()).toBe('United States of America');
    // From the keyboard, the list beside the map: its countries by name, each with its state; a country chosen lists its posts under its name.
    const countryList = page.getByLabel('Country', { exact: true });
    expect(await countryList.locator('option', { hasText: /^China: / }).textContent()).toBe('China: rejected');
    await countryList.focus();
    await page.keyboard.type('Chin');
    const inChina = page.getByRole('heading', { name: 'Posts in China' }).locator('..');
    await inChina.getByRole('link', { name: 'Embassy Beijing' }).waitFor();
    expect(await countryList.inputValue()).toBe('CN');
    await page.keyboard.press('ArrowDown');
    await page.getByRole('heading', { name: /^Posts in (?!China)/ }).waitFor();
    // Chosen on the map, the list follows, and the heading names the country.
    await china.click();
    await inChina.waitFor();
    expect(await countryList.inputValue()).toBe('CN');
    await checkScreen(page, 'dashboard', { phoneAxe: true });
    // The campaign's timeline in sentences: just after it opened, nobody had answered; the map says so.
    await page.getByRole('button', { name: /^Campaign opened: 263 posts tasked/ }).click();
    await page.getByText(/replayed from the event log to/).waitFor();
    await page.locator('svg.map path', { has: page.locator('title', { hasText: /^China: pending/ }) }).waitFor();
    // The map draws from the timeline at once; the counts come with the replayed dashboard.
    await row.filter({ hasText: /\b0\/263/ }).waitFor();
    await page.getByRole('button', { name: 'Embassy Beijing logged a response: rejected', exact: true }).click();
    await china.waitFor();
    // The timeline is one Tab stop, hundreds of events or not: the keys move within it, Tab leaves it.
    const events = page.getByRole('list', { name: /^Events of / }).getByRole('button');
    expect(await events.evaluateAll((buttons) => buttons.filter((b) => (b as HTMLElement).tabIndex === 0).map((b) => b.textContent))).toEqual(['Embassy Beijing logged a response: rejected']);
    const focused = () => page.evaluate(() => document.activeElement?.textContent);
    await events.first().focus();
    await page.keyboard.press('End');
    const last = await focused();
    expect(last).toBe(await events.last().textContent());
    await page.keyboard.press('Home');
    expect(await focused()).toMatch(/^Campaign opened: 263 posts tasked/);
    await page.keyboard.press('ArrowDown');
    const secondEvent = await focused();
    expect(secondEvent).toBe(await events.nth(1).textContent());
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Download all follow-ups (CSV)');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe(secondEvent);
    // Before anything happened, the dashboard says why it is empty.
    await page.getByLabel('As of').fill('2020-01-01');
    await page.getByText(/Nothing to show at the end of 2020-01-01: no campaign had been opened yet/).waitFor();
    await page.getByRole('button', { name: 'Back to now' }).click();

    // A bureau's posts.
    await page.getByRole('link', { name: "EAP: the bureau's posts" }).click();
    await page.getByText('46 of 263 posts shown.').waitFor();
    await page.goBack();
    // Drill down: the campaign's posts, then Beijing's record.
    await page.getByRole('link', { name: `Every post of ${FIRST_MRN}` }).click();
    // Found by its country's name as well as by its own.
    await page.getByLabel('Post or country').fill('china');
    await page.getByRole('link', { name: /Beijing/ }).first().waitFor();
    expect(await page.locator('td[data-label="Country"]').first().textContent()).toBe('China');
    await page.getByLabel('Post or country').fill('beijing');
    await checkScreen(page, 'campaign-posts', { phoneAxe: true });
    await page.getByRole('link', { name: /Beijing/ }).first().click();
    await page.getByRole('heading', { name: /What the counterpart said \(1\)/ }).waitFor();
    await page.getByText('These allegations are groundless.', { exact: false }).waitFor();
    await page.getByText(/Wang Wei, Director-General, Ministry of Foreign Affairs/).first().waitFor();
    await checkScreen(page, 'delivery-leadership', { phoneAxe: true });
    // A follow-up from the response.
    await page.getByRole('link', { name: 'Create a follow-up from this response' }).click();
    await page.getByRole('heading', { name: 'New follow-up action' }).waitFor();
    expect(await page.getByLabel('Title').inputValue()).toContain(`rejected response to ${FIRST_MRN}`);
    expect(await page.getByLabel(/^Post code/).inputValue()).toBe('BEIJING');
    await page.getByText('Linked to response 1 of BEIJING in the campaign').waitFor();
    await checkScreen(page, 'follow-up-new');
    // A due date in the past is refused before sending.
    const due = await page.getByLabel('Due on').inputValue();
    await page.getByLabel('Due on').fill('2020-01-01');
    await page.getByRole('button', { name: 'Create the follow-up' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Not created. See what is said beside the field.');
    expect(await saidBeside(page.getByLabel('Due on'))).toBe('The due date cannot be in the past: choose today or a later day.');
    await page.getByLabel('Due on').fill(due);
    await page.getByRole('button', { name: 'Create the follow-up' }).click();
    await page.getByRole('link', { name: 'All follow-ups' }).waitFor();
    await page.getByText(/^Created for Embassy Beijing, due/).waitFor();
    await page.getByRole('link', { name: "BEIJING's delivery" }).waitFor();
    // Linked to the response it grew out of, not only to the campaign and the post.
    await page.locator('dd', { hasText: "BEIJING's delivery, response 1" }).waitFor();

    // Leadership reads cables too.
    await page.getByRole('link', { name: 'Cables', exact: true }).click();
    await page.getByRole('link', { name: /Demarche: AI model distillation/ }).click();
    await page.getByRole('heading', { name: 'Telegram' }).waitFor();
    expect(await page.getByRole('heading', { name: 'What you can do' }).count()).toBe(0);
  });

  it('lets leadership reach a country on the map with the keyboard alone and open its posts, as a click does', async () => {
    // The page's clock is the test's: a name is typed with time paused, so that a slow machine cannot
    // split it into two searches (the type-ahead forgets after 700 ms).
    const page = await signIn('web.lead', undefined, (p) => p.clock.install());
    const typeName = async (name: string) => {
      await page.clock.pauseAt(Date.now() + 1_000);
      await page.keyboard.type(name);
      await page.clock.resume();
    };
    await page.getByRole('heading', { name: 'Where every campaign stands' }).waitFor();
    const map = page.getByRole('group', { name: new RegExp(`^Map of ${FIRST_MRN}`) });
    await map.getByRole('button', { name: /^India: / }).waitFor();
    const focused = () => page.evaluate<string | null>(`document.activeElement?.closest('svg.map') ? document.activeElement.getAttribute('aria-label') : null`);
    // The countries with posts are buttons named by country and state, as the list beside the map names
    // them; a country with none is no button (the United States), and the map is one stop of the tab order.
    const countryList = page.getByLabel('Country', { exact: true });
    const listed = (await countryList.locator('option').allTextContents()).slice(1);
    const buttons = await map.getByRole('button').evaluateAll((shapes) => shapes.map((shape) => shape.getAttribute('aria-label')));
    expect(buttons.length).toBeGreaterThan(100);
    expect(listed).toEqual(expect.arrayContaining(buttons));
    expect(await map.getByRole('button', { name: /^United States/ }).count()).toBe(0);
    expect(await page.locator('svg.map path[tabindex="0"]').count()).toBe(1);
    expect(await page.locator('svg.map path:not([role="button"])[tabindex]').count()).toBe(0);

    // From the top of the page, Tab reaches the map, and the next Tab leaves it for the list.
    for (let presses = 0; (await focused()) === null; presses++) {
      if (presses === 60) throw new Error('Tab never reached the map');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('map-country');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).not.toBeNull();
    // Home is the first country by name, as the list begins; an arrow moves to a neighbour; typing a name finds it.
    await page.keyboard.press('Home');
    expect(await focused()).toBe(listed[0]);
    await typeName('India');
    expect(await focused()).toMatch(/^India: /);
    await page.keyboard.press('ArrowRight');
    const east = await focused();
    expect(east).toMatch(/^(?!India)[^:]+: /);
    // The focus is drawn over the map, around the country that has it.
    const focusRing = page.locator('svg.map path.focus-ring');
    expect(await focusRing.getAttribute('d')).toBe(await map.getByRole('button', { name: east!, exact: true }).getAttribute('d'));
    // Space chooses, as a click does: the country's posts are listed under its name, the list follows.
    await page.keyboard.press('Space');
    await page.getByRole('heading', { name: `Posts in ${east!.split(':')[0]}` }).waitFor();
    await typeName('India');
    await page.keyboard.press('Enter');
    const inIndia = page.getByRole('heading', { name: 'Posts in India' }).locator('..');
    await inIndia.getByRole('link', { name: 'Embassy New Delhi' }).waitFor();
    expect(await countryList.inputValue()).toBe('IN');
    expect(await map.getByRole('button', { name: /^India: / }).getAttribute('aria-pressed')).toBe('true');
    await checkScreen(page, 'dashboard-map-keyboard');
    // On to a post of India's, and into its delivery, still from the keyboard.
    for (let presses = 0; (await page.evaluate<string | undefined>('document.activeElement?.textContent')) !== 'Embassy New Delhi'; presses++) {
      if (presses === 10) throw new Error('Tab never reached Embassy New Delhi');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Embassy New Delhi: Demarche: AI model distillation' }).waitFor();
    // A click chooses without a focus ring (that is the keyboard's).
    await page.goBack();
    await map.getByRole('button', { name: /^China: / }).click();
    await page.getByRole('heading', { name: 'Posts in China' }).waitFor();
    expect(await focusRing.count()).toBe(0);
  });

  it('lets a post officer name the reporting cable of a response logged before it, among the post\'s released cables citing the tasking', async () => {
    const admin = await loginAsAdmin(web.app);
    const dcm = (await createUser(web.app, admin, { username: 'web.beijing.dcm', roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const beijing = await login(web.app, 'web.beijing', 'web.beijing-password-123');
    const mrn = (await authed(web.app, beijing).get(`/cables/${campaignId}`).expect(200)).body.mrn as string;
    const report = (subject: string, references: { label: string; mrn: string }[]) => ({
      kind: 'REPORTING', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['SECSTATE'], references, paragraphs: [{ marking: 'U', text: `${subject}.` }],
    });
    const first = await releaseCable(web.app, beijing, dcm, report('MFA rejects the demarche', [{ label: 'A', mrn }]));
    const second = await releaseCable(web.app, beijing, dcm, report('MFA confirms its rejection in writing', [{ label: 'A', mrn }]));
    // Neither a released cable that cites something else nor a draft citing the tasking may report it.
    await releaseCable(web.app, beijing, dcm, report('Visit of the trade delegation', []));
    await authed(web.app, beijing).post('/cables', report('MFA rejection, still a draft', [{ label: 'A', mrn }])).expect(201);
    // A second answer, logged before any cable reported it.
    await authed(web.app, beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, { receivedOn: clock.now().toISOString().slice(0, 10), position: 'REJECTED', summary: 'The MFA confirmed its rejection in writing.' }).expect(201);

    const page = await signIn('web.beijing');
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/BEIJING`);
    // An answer dated before the delivery: the server's refusal is said beside the date.
    await page.getByLabel('Response received on').fill('2020-01-01');
    await page.getByRole('textbox', { name: 'What the counterpart said' }).fill('An answer dated before the meeting.');
    await page.getByLabel('Counterpart position').selectOption('OPPOSED');
    await page.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Not logged. See what is said beside the field.').waitFor();
    expect(await saidBeside(page.getByLabel('Response received on'))).toBe('The response cannot come before the delivery.');
    const choice = page.getByLabel('Reporting cable of response 1', { exact: true });
    await choice.locator('option', { hasText: 'MFA confirms' }).waitFor({ state: 'attached' });
    const offered = await choice.locator('option').allTextContents();
    expect(offered[0]).toBe(`Choose a released cable citing ${mrn}`);
    expect(offered.slice(1).every((text) => /^\(UNCLASSIFIED\) \d\d BEIJING \d{6}: /.test(text))).toBe(true);
    expect(offered.slice(1).map((text) => text.replace(/^.*?: /, '')).sort()).toEqual(['MFA confirms its rejection in writing', 'MFA rejects the demarche']);
    await choice.selectOption(first);
    await page.getByRole('form', { name: 'The reporting cable of response 1' }).getByRole('button', { name: 'Attach the reporting cable' }).click();
    await page.getByText('Response 1 now names its reporting cable.').waitFor();
    // Named by its MRN.
    await page.getByRole('article', { name: 'Response 1' }).getByRole('link', { name: /^\d{2} [A-Z]+ \d{6}$/ }).waitFor();
    // The form is gone with its button: the keyboard goes on from what the action came to.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Response 1 now names its reporting cable.');
    expect(await page.getByLabel('Reporting cable of response 1', { exact: true }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Reporting cables (1)' }).waitFor();
    await page.getByText('Embassy Beijing named the reporting cable of response 1', { exact: true }).waitFor();

    // Another officer named another cable for response 2 meanwhile: the server's refusal is said beside the choice.
    const later = page.getByLabel('Reporting cable of response 2', { exact: true });
    await later.selectOption(first);
    await authed(web.app, beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/responses/2/reporting-cable`, { reportingCableId: second }).expect(201);
    await page.getByRole('form', { name: 'The reporting cable of response 2' }).getByRole('button', { name: 'Attach the reporting cable' }).click();
    await page.getByRole('form', { name: 'The reporting cable of response 2' }).getByRole('alert').waitFor();
    expect(await later.getAttribute('aria-invalid')).toBe('true');
    expect(await saidBeside(later)).toBe('Response 2 already names its reporting cable.');
    await checkScreen(page, 'delivery-reporting-cable');

    // Leadership reads the cables named, and has nothing to attach.
    const lead = await signIn('web.lead');
    await lead.goto(`${web.base}/#/campaigns/${campaignId}/posts/BEIJING`);
    await lead.getByRole('heading', { name: 'Reporting cables (2)' }).waitFor();
    expect(await lead.getByRole('button', { name: 'Attach the reporting cable' }).count()).toBe(0);
  });

  /**
   * Tokyo's delivery and answer to the campaign, with no released cable of Tokyo's citing the
   * tasking (a draft that cites it does not count): made once, for the tests that read them.
   */
  let tokyoAnswered: Promise<string> | undefined;
  const answeredByTokyo = () => (tokyoAnswered ??= (async () => {
    const tokyo = (await createUser(web.app, await loginAsAdmin(web.app), { username: 'web.tokyo', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' })).token;
    await opened(tokyo, 'TOKYO');
    const on = clock.now().toISOString().slice(0, 10);
    await authed(web.app, tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/delivery`, { deliveredOn: on, counterpart: { name: 'Sato Kenji', title: 'Director', organization: 'MOFA' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    await authed(web.app, tokyo).post(`/demarches/${campaignId}/deliveries/TOKYO/response`, { receivedOn: on, position: 'NONCOMMITTAL', summary: 'MOFA will study the request.' }).expect(201);
    const mrn = (await authed(web.app, tokyo).get(`/cables/${campaignId}`).expect(200)).body.mrn as string;
    await authed(web.app, tokyo).post('/cables', {
      kind: 'REPORTING', subject: 'MOFA studies the demarche', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'JA'],
      actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn }], paragraphs: [{ marking: 'U', text: 'MOFA will study the request.' }],
    }).expect(201);
    return mrn;
  })());
  /** The page's request for the post's released cables citing the tasking. */
  const reportingCablesListing = (url: URL) => url.pathname === '/cables' && url.searchParams.has('ref');

  it('tells a post that none of its released cables cites the tasking yet', async () => {
    const mrn = await answeredByTokyo();
    const page = await signIn('web.tokyo');
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/TOKYO`);
    await page.getByText(`No released cable from Embassy Tokyo cites ${mrn} yet.`, { exact: false }).waitFor();
    expect(await page.getByLabel('Reporting cable of response 1', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('says that the post\'s reporting cables could not be listed, rather than that there are none', async () => {
    const mrn = await answeredByTokyo();
    const page = await signIn('web.tokyo');
    const none = page.getByText(`No released cable from Embassy Tokyo cites ${mrn} yet.`, { exact: false });
    const unlisted = page.getByRole('alert').filter({ hasText: `Embassy Tokyo's released cables citing ${mrn} could not be listed, so none is offered as a reporting cable.` });
    // The server fails to answer.
    await page.route(reportingCablesListing, (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', json: { status: 500, title: 'Internal Server Error' } }));
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/TOKYO`);
    await unlisted.filter({ hasText: 'The server could not do this just now' }).waitFor();
    expect(await none.count()).toBe(0);
    await checkScreen(page, 'delivery-reporting-cables-unlisted');
    // The request never reaches it.
    await page.unroute(reportingCablesListing);
    await page.route(reportingCablesListing, (route) => route.abort('failed'));
    await page.getByRole('button', { name: 'List them again' }).click();
    await unlisted.filter({ hasText: 'The server cannot be reached' }).waitFor();
    expect(await none.count()).toBe(0);
    // Listed again once the server answers: there are none, and the page says so.
    await page.unroute(reportingCablesListing);
    await page.getByRole('button', { name: 'List them again' }).click();
    await none.waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('says that a cable\'s history or telegram could not be read, rather than that nothing has happened to it', async () => {
    const page = await signIn('web.beijing');
    const history = (url: URL) => url.pathname === `/cables/${campaignId}/history`;
    const telegram = (url: URL) => url.pathname === `/cables/${campaignId}/telegram`;
    const busy = { status: 503, contentType: 'application/problem+json', json: { status: 503, title: 'Service Unavailable', code: 'DATABASE_BUSY', detail: 'The database is busy' } };
    await page.route(history, (route) => route.fulfill(busy));
    await page.route(telegram, (route) => route.fulfill(busy));
    await page.goto(`${web.base}/#/cables/${campaignId}`);
    await page.getByRole('alert').filter({ hasText: 'The history could not be read, so the page shows neither it nor who edited what' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'The telegram could not be read, so its text is shown below as drafted' }).waitFor();
    expect(await page.getByText('Nothing has happened yet.').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    // Read again once the server answers: the history and the telegram as released, no alert left.
    await page.unroute(history);
    await page.unroute(telegram);
    await page.getByRole('button', { name: 'Read it again' }).first().click();
    // The button goes with its alert: the focus stays in its section, on the heading.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('telegram-h');
    await page.getByRole('region', { name: 'Telegram text' }).waitFor();
    await page.locator('ol.timeline li').first().waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('says beside the taskings page\'s Log response that none of the post\'s released cables cites the tasking yet', async () => {
    const mrn = await answeredByTokyo();
    const page = await signIn('web.tokyo');
    await page.getByRole('heading', { name: 'Taskings for TOKYO' }).waitFor();
    await page.getByRole('row', { name: /AI model distillation/ }).getByRole('button', { name: 'Report' }).click();
    const form = page.getByRole('form', { name: `Log the response to ${mrn}` });
    const none = form.getByText(`No released cable from Embassy Tokyo cites ${mrn} yet.`, { exact: false });
    await none.waitFor();
    expect(await form.getByLabel('Reported in (optional)').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await saidBeside(form.getByRole('button', { name: 'Log response' }))).toBe(await none.textContent());
  });

  it('says on the taskings page too that the reporting cables could not be listed, rather than offering none silently', async () => {
    const mrn = await answeredByTokyo();
    const page = await signIn('web.tokyo');
    await page.route(reportingCablesListing, (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', json: { status: 500, title: 'Internal Server Error' } }));
    await page.getByRole('heading', { name: 'Taskings for TOKYO' }).waitFor();
    await page.getByRole('row', { name: /AI model distillation/ }).getByRole('button', { name: 'Report' }).click();
    // Said in the delivery page's words.
    const unlisted = page.getByRole('alert').filter({ hasText: `Embassy Tokyo's released cables citing ${mrn} could not be listed, so none is offered as a reporting cable.` });
    await unlisted.waitFor();
    expect(await page.getByLabel('Reported in (optional)').count()).toBe(0);
    expect(await page.getByText(`No released cable from Embassy Tokyo cites ${mrn} yet.`, { exact: false }).count()).toBe(0);
    await page.unroute(reportingCablesListing);
    await page.getByRole('button', { name: 'List them again' }).click();
    await unlisted.waitFor({ state: 'detached' });
    // Listed, there are none: said so.
    await page.getByText(`No released cable from Embassy Tokyo cites ${mrn} yet.`, { exact: false }).waitFor();
  });

  it('marks a post\'s pages with the reporting cables they offer and the traffic they list, not only the campaign', async () => {
    const admin = await loginAsAdmin(web.app);
    const seoul = (await createUser(web.app, admin, { username: 'web.seoul', roles: ['post_officer'], postCode: 'SEOUL', clearance: 'SECRET' })).token;
    const seoulDcm = (await createUser(web.app, admin, { username: 'web.seoul.dcm', roles: ['approver'], postCode: 'SEOUL', clearance: 'SECRET' })).token;
    await opened(seoul, 'SEOUL');
    const on = clock.now().toISOString().slice(0, 10);
    await authed(web.app, seoul).post(`/demarches/${campaignId}/deliveries/SEOUL/delivery`, { deliveredOn: on, counterpart: { name: 'Kim Min-jun', title: 'Director', organization: 'MOFA' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    await authed(web.app, seoul).post(`/demarches/${campaignId}/deliveries/SEOUL/response`, { receivedOn: on, position: 'RECEPTIVE', summary: 'Will consider.' }).expect(201);
    const mrn = (await authed(web.app, seoul).get(`/cables/${campaignId}`).expect(200)).body.mrn as string;
    const classifiedBy = { name: 'Lee Ji-eun', title: 'Political Counselor', office: 'SEOUL', reasons: ['1.4(d)'], declassifyOn: '2051-01-01' };
    await releaseCable(web.app, seoul, seoulDcm, {
      kind: 'REPORTING', subject: 'The vice minister named the buyer', classification: 'SECRET', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
      actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn }], paragraphs: [{ marking: 'S', text: 'The buyer is named.' }], classifiedBy,
    });
    const page = await signIn('web.seoul');
    const banner = page.getByRole('note', { name: /Classification/ }).first();
    // The campaign is UNCLASSIFIED; the cable offered as its response's reporting cable is SECRET.
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/SEOUL`);
    const offered = page.getByLabel('Reporting cable of response 1', { exact: true }).locator('option', { hasText: 'The vice minister named the buyer' });
    await offered.waitFor({ state: 'attached' });
    expect(await offered.textContent()).toMatch(/^\(SECRET\) /);
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'SECRET');
    // On the taskings page, the response form offers it too: the page is SECRET while it is open.
    await page.goto(`${web.base}/#/taskings`);
    await page.getByRole('heading', { name: 'Taskings for SEOUL' }).waitFor();
    await page.getByRole('heading', { name: 'Incoming traffic' }).waitFor();
    expect(await banner.textContent()).toBe('UNCLASSIFIED');
    await page.getByRole('row', { name: /AI model distillation/ }).getByRole('button', { name: 'Report' }).click();
    await page.getByLabel('Reported in (optional)').locator('option', { hasText: 'The vice minister named the buyer' }).waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'SECRET');
    // Its incoming traffic marks it too.
    await releaseCable(web.app, drafter, approver, {
      kind: 'INFORMATIONAL', subject: 'Points for the minister', classification: 'SECRET', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
      actionAddressees: ['SEOUL'], paragraphs: [{ marking: 'S', text: 'Secret points.' }], classifiedBy: { ...classifiedBy, office: 'EAP/CM' },
    });
    await page.goto(`${web.base}/#/inbox`);
    await page.goto(`${web.base}/#/taskings`);
    await page.getByText('Points for the minister').waitFor();
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'SECRET');
  });

  it('marks a comment with the marking its page showed, even when the linked draft is marked down before it is sent', async () => {
    // A desk of its own (Japan's), so that the SECRET follow-ups it ends with are in no other test's inbox.
    const desk = (await createUser(web.app, await loginAsAdmin(web.app), { username: 'web.japan', roles: ['drafter'], office: 'EAP/J', clearance: 'SECRET' })).token;
    const cable = (await authed(web.app, desk).post('/cables', draft('Draft that goes up and down')).expect(201)).body;
    const task = (await authed(web.app, desk).post('/follow-ups', { title: 'Follow the draft up', owner: { office: 'EAP/J' }, dueOn: '2099-01-01', cableId: cable.id }).expect(201)).body;
    expect(task.classification).toBe('UNCLASSIFIED');
    await authed(web.app, desk).patch(`/cables/${cable.id}`, {
      classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'What the partner told us in confidence.' }],
      classifiedBy: { name: 'Jane Doe', title: 'Director', office: 'EAP/J', reasons: ['1.4(d)'], declassifyOn: '2051-01-01' },
    }).expect(200);
    const page = await signIn('web.japan');
    const banner = page.getByRole('note', { name: /Classification/ }).first();
    // A new follow-up from the cable is written under the cable's marking: its form says so.
    // Its first read of the cable fails: it says so, rather than go on as if unclassified.
    const cableRead = (url: URL) => url.pathname === `/cables/${cable.id}`;
    await page.route(cableRead, (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', json: { status: 503, title: 'Service Unavailable' } }));
    await page.goto(`${web.base}/#/follow-ups/new?cable=${cable.id}`);
    await page.getByRole('heading', { name: 'New follow-up action' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'What it links to could not be read, so its classification is not known.' }).waitFor();
    await page.unroute(cableRead);
    await page.getByRole('button', { name: 'Read it again' }).click();
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'SECRET');
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByLabel('Title').fill('Brief the desk on what the partner said');
    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/follow-ups'),
      page.getByRole('button', { name: 'Create the follow-up' }).click(),
    ]);
    expect(sent.postDataJSON()).toMatchObject({ cableId: cable.id, classification: 'SECRET' });
    await page.getByRole('heading', { name: 'Brief the desk on what the partner said' }).waitFor();

    // The follow-up is shown SECRET (its draft's marking); a comment is written, and meanwhile the draft is marked down.
    await page.goto(`${web.base}/#/follow-ups/${task.id}`);
    await page.getByRole('heading', { name: 'Follow the draft up' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'SECRET');
    await page.getByLabel('Comment, outcome or reason').fill('The partner named the buyer.');
    await authed(web.app, desk).patch(`/cables/${cable.id}`, { classification: 'UNCLASSIFIED', classifiedBy: null, paragraphs: [{ marking: 'U', text: 'Nothing sensitive here.' }] }).expect(200);
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.getByText('web.japan: The partner named the buyer.').waitFor();
    // Sent with the marking it was written under: the follow-up stays SECRET, though its draft no longer is.
    expect((await authed(web.app, desk).get(`/cables/${cable.id}`).expect(200)).body.classification).toBe('UNCLASSIFIED');
    expect((await authed(web.app, desk).get(`/follow-ups/${task.id}`).expect(200)).body.classification).toBe('SECRET');
    expect(await banner.textContent()).toBe('SECRET');
  });

  it('lets a post work a follow-up it owns, and its creator re-date and reassign it', async () => {
    const desk = await login(web.app, 'web.desk', 'web.desk-password-123');
    const today = clock.now();
    const due = today.toISOString().slice(0, 10);
    const { body } = await authed(web.app, desk).post('/follow-ups', { title: 'Ask Beijing for a second meeting', owner: { post: 'BEIJING' }, dueOn: due }).expect(201);
    clock.set(new Date(today.getTime() + 2 * 86_400_000)); // two days later: overdue
    const page = await signIn('web.beijing');
    await page.getByRole('link', { name: 'Follow-ups' }).click();
    await page.getByRole('row', { name: /Ask Beijing for a second meeting/ }).getByText('overdue').waitFor();
    await checkScreen(page, 'follow-ups');
    await page.getByRole('link', { name: 'Ask Beijing for a second meeting' }).click();
    // What is typed for one change is not lost to another: a comment half-written survives Start.
    await page.getByLabel('Comment, outcome or reason').fill('A half-written comment');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('Started.').waitFor();
    expect(await page.getByLabel('Comment, outcome or reason').inputValue()).toBe('A half-written comment');
    // Its button gone, the focus goes to what happened, not to the page's body.
    await page.waitForFunction(() => document.activeElement?.id === 'fu-outcome');
    await page.getByLabel('Comment, outcome or reason').fill('');
    await page.getByRole('button', { name: 'Comment' }).click();
    // Said beside the box, which is marked and takes the focus.
    const note = page.getByLabel('Comment, outcome or reason');
    await page.getByRole('alert').filter({ hasText: 'Write the comment in the box first.' }).waitFor();
    expect(await saidBeside(note)).toBe('Write the comment in the box first.');
    expect(await note.getAttribute('aria-invalid')).toBe('true');
    await page.waitForFunction(() => document.activeElement?.id === 'note');
    await page.getByLabel('Comment, outcome or reason').fill('Requested through the MFA duty officer.');
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.getByText('web.beijing: Requested through the MFA duty officer.').waitFor();
    expect(await page.getByRole('heading', { name: 'History' }).locator('..').locator('li').allTextContents()).toEqual([
      expect.stringMatching(new RegExp(`^Created for Embassy Beijing, due ${due} · web.desk · .* · v1$`)), expect.stringMatching(/^Work started · web.beijing/), expect.stringMatching(/^Comment: “Requested/),
    ]);
    await page.getByRole('button', { name: /^Created for Embassy Beijing/ }).click();
    await page.getByRole('heading', { name: 'As it stood at version 1' }).waitFor();
    expect(await page.getByText(/^Ask Beijing for a second meeting: open/).textContent()).toContain('0 comment(s)');
    await checkScreen(page, 'follow-up');

    // Overdue, it is escalated to the owner's bureau: EAP's front office finds it in its queue.
    await web.app.get(OverdueScheduler).scan();
    const frontOffice = await signIn('web.eapfo');
    await frontOffice.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Follow-ups' }).click();
    await frontOffice.getByRole('navigation', { name: 'Follow-up queues' }).getByRole('link', { name: 'Escalated to my bureau' }).click();
    await frontOffice.getByRole('link', { name: 'Ask Beijing for a second meeting' }).waitFor();
    await checkScreen(frontOffice, 'follow-ups-escalated');

    // The creator reaches it from the inbox (its link names the follow-up's id).
    const creator = await signIn('web.desk');
    await creator.getByRole('region', { name: /My follow-ups/ }).getByRole('link', { name: 'Ask Beijing for a second meeting' }).click();
    await creator.getByText('Change the title, description, due date or owner').waitFor();
    expect(creator.url()).toContain(`#/follow-ups/${body.id}`);
    await creator.getByText('Change the title, description, due date or owner').click();
    // A date in the past, or an office not in the directory, is refused in plain words.
    await creator.getByLabel('New due date').fill('2020-01-01');
    await creator.getByRole('button', { name: 'Re-date' }).click();
    expect(await creator.getByRole('alert').textContent()).toBe('The new due date cannot be in the past: choose today or a later day.');
    await creator.getByRole('radio', { name: 'An office' }).check();
    await creator.getByLabel(/^Office symbol/).fill('XYZ');
    await creator.getByRole('button', { name: 'Reassign' }).click();
    await creator.getByRole('alert').filter({ hasText: /^XYZ is not an office in the directory/ }).waitFor();
    expect(await creator.getByRole('alert').textContent()).not.toMatch(/GET|\/offices/);
    await creator.getByLabel('New due date').fill('2099-03-01');
    await creator.getByRole('button', { name: 'Re-date' }).click();
    await creator.getByText('Due date moved to 2099-03-01.').waitFor();
    await creator.getByText(`Due date moved from ${due} to 2099-03-01`).waitFor();
    // The owner typed for the refused reassignment is still there after the re-dating.
    expect(await creator.getByLabel(/^Office symbol/).inputValue()).toBe('XYZ');
    await creator.getByRole('radio', { name: 'An office' }).check();
    await creator.getByLabel(/^Office symbol/).fill('EAP/CM');
    await creator.getByRole('button', { name: 'Reassign' }).click();
    await creator.getByText('Reassigned to EAP/CM.').waitFor();
    clock.set(today);
  });

  it('lets an admin create, edit and disable a user, add an office, and see the projections', async () => {
    const page = await signIn('admin', TEST_ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    // An admin who holds no desk role has no inbox or cables.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Audit log', 'Administration', 'Notifications', 'Account']);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Username').fill('Web.Newcomer');
    await page.getByLabel('Initial password').fill('password1234');
    await page.getByLabel('Display name').fill('Nell Newcomer');
    // Roles in words, their codes kept as the values sent.
    const roles = page.getByRole('group', { name: 'Roles' }).getByRole('checkbox');
    expect(await roles.evaluateAll((boxes) => boxes.map((b) => (b as unknown as { value: string }).value))).toEqual(['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin']);
    expect((await page.getByRole('group', { name: 'Roles' }).innerText()).replace(/\s+/g, ' ')).toBe('Roles Drafter Clearer Approver Post officer Leadership Auditor Admin');
    await page.getByRole('checkbox', { name: 'Post officer' }).check();
    await page.getByRole('checkbox', { name: 'Post officer' }).uncheck();
    // A drafter with no office would be refused at their first draft: said beside the Office field.
    await page.getByLabel('Initial password').fill('saffron-meadow-lantern');
    await page.getByRole('button', { name: 'Create user' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Not saved. See what is said beside the field.');
    expect(await page.locator('#u-office-problem').textContent()).toMatch(/Department office/);
    expect(await page.getByLabel('Office', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Initial password').fill('password1234');
    await page.getByLabel('Office', { exact: true }).selectOption('EAP/J');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.waitForFunction(() => document.getElementById('u-password')?.getAttribute('aria-invalid') === 'true');
    expect(await page.getByRole('alert').textContent()).toBe('Not saved. See what is said beside the field.');
    expect(await saidBeside(page.getByLabel('Initial password'))).toMatch(/^Initial password .*(breaches|guess)/);
    await page.getByLabel('Initial password').fill('saffron-meadow-lantern');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('web.newcomer created.').waitFor();
    const row = page.getByRole('row', { name: /web\.newcomer/ });
    expect(await row.textContent()).toContain('EAP/J');
    await page.getByRole('button', { name: 'Edit web.newcomer' }).click();
    await page.getByLabel('Clearance').selectOption('SECRET');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/web\.newcomer updated/).waitFor();
    await page.getByRole('row', { name: /web\.newcomer.*SECRET/ }).waitFor();
    // Opened again, the last message goes; saved unchanged, nothing is sent, and it says so.
    await page.getByRole('button', { name: 'Edit web.newcomer' }).click();
    expect(await page.getByText(/web\.newcomer updated/).count()).toBe(0);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Nothing changed for web.newcomer.').waitFor();
    await page.getByRole('button', { name: 'Disable web.newcomer' }).click();
    // Why is asked below the row, and may be left empty.
    await page.getByLabel('Why disable web.newcomer? (optional)').waitFor();
    await page.getByRole('button', { name: 'Disable web.newcomer' }).last().click();
    await page.getByText('web.newcomer disabled.').waitFor();
    await page.getByRole('row', { name: /web\.newcomer.*disabled/ }).waitFor();
    await checkScreen(page, 'admin-users', { phoneAxe: true });

    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Offices' }).click();
    await page.getByLabel('Office symbol').fill('eap/phl');
    await page.getByLabel('Office name').fill('Office of Philippine Affairs');
    await page.getByRole('button', { name: 'Add office' }).click();
    await page.getByText('EAP/PHL added.').waitFor();
    await page.getByRole('cell', { name: 'Office of Philippine Affairs' }).waitFor();
    await checkScreen(page, 'admin-offices');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Posts' }).click();
    await page.getByText('Establish a post').click();
    await page.getByLabel('Code').fill('cebu');
    await page.getByLabel('Name', { exact: true }).fill('Consular Agency Cebu');
    await page.getByLabel('City').fill('Cebu');
    await page.getByLabel('Country (ISO)').fill('PH');
    expect(await page.getByLabel('TAGS country').inputValue()).toBe('RP'); // filled in from the country
    await page.getByLabel('Country (ISO)').fill('');
    await page.getByLabel('Country (ISO)').pressSequentially('JP');
    expect(await page.getByLabel('TAGS country').inputValue()).toBe('JA'); // and follows a correction, typed a letter at a time
    await page.getByLabel('Country (ISO)').fill('PH');
    await page.getByLabel('TAGS country').fill('');
    await page.getByRole('button', { name: 'Establish' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('TAGS code');
    await page.getByLabel('TAGS country').fill('rp');
    await page.getByRole('button', { name: 'Establish' }).click();
    await page.getByText('Consular Agency Cebu established.').waitFor();
    await page.getByLabel('Find a post').fill('cebu');
    await page.getByRole('cell', { name: 'CEBU', exact: true }).waitFor();
    // Who heads the post: their surname signs its cables.
    await page.getByRole('cell', { name: 'none recorded' }).waitFor();
    await page.getByRole('button', { name: 'Set the chief of mission of Consular Agency Cebu' }).click();
    await checkScreen(page, 'admin-post-chief');
    await page.getByRole('textbox', { name: 'Chief of mission of Consular Agency Cebu' }).fill('  Ana Reyes ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Consular Agency Cebu: chief of mission Ana Reyes.').waitFor();
    await page.getByRole('cell', { name: 'Ana Reyes', exact: true }).waitFor();
    expect((await authed(web.app, await loginAsAdmin(web.app)).get('/posts/CEBU').expect(200)).body.chiefOfMission).toBe('Ana Reyes');
    await page.getByLabel('Find a post').fill('china');
    await page.getByRole('cell', { name: 'BEIJING', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: 'TOKYO', exact: true }).count()).toBe(0);
    await checkScreen(page, 'admin-posts');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Projections' }).click();
    await page.getByRole('cell', { name: 'campaign-opener' }).waitFor();
    await checkScreen(page, 'admin-projections');
  });

  it('says the signed tree head could not be read, never "Loading…" for ever, and reads it again', async () => {
    await web.app.get(AuditSealer).catchUp();
    let refused = 0;
    const page = await signIn('web.auditor', undefined, async (opened) => {
      await opened.route((url) => url.pathname === '/audit/tree-head', async (route) => {
        if (refused++ > 0) return route.continue();
        await route.fulfill({ status: 503, contentType: 'application/problem+json', headers: { 'Retry-After': '1' }, json: { status: 503, title: 'Service Unavailable', code: 'DATABASE_BUSY', detail: 'The database is busy; try again shortly.' } });
      });
    });
    const head = page.getByRole('region', { name: 'Signed tree head' });
    await head.getByRole('alert').filter({ hasText: /^The signed tree head could not be read\./ }).waitFor();
    expect(await head.getByText('Loading…').count()).toBe(0);
    await head.getByRole('button', { name: 'Read it again' }).click();
    await head.getByText('Root hash').waitFor();
    expect(await head.getByRole('alert').count()).toBe(0);
  });

  it('lets an auditor read the log by user, newest first, verify it and see an entry\'s proof', async () => {
    await web.app.get(AuditSealer).catchUp();
    const page = await signIn('web.auditor');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('heading', { name: 'Signed tree head' }).waitFor();
    await page.getByText('Root hash').waitFor();
    const seqs = await page.getByRole('region', { name: 'Audit entries' }).locator('tbody tr td:first-child').allTextContents();
    const sealed = seqs.filter((s) => /^\d+$/.test(s)).map(Number);
    expect(sealed.length).toBeGreaterThan(2);
    expect(sealed).toEqual([...sealed].sort((a, b) => b - a)); // newest first
    // By user: only web.legal's entries, named (an auditor may not list users: the entries name them).
    const total = await page.getByRole('heading', { name: /^Entries/ }).textContent();
    await page.getByLabel(/^User/).fill('web.legal');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: /^Entries/ }).filter({ hasNotText: total! }).waitFor();
    const who = await page.getByRole('region', { name: 'Audit entries' }).locator('tbody tr td:nth-child(3) button').allTextContents();
    expect(who.length).toBeGreaterThan(0);
    expect(new Set(who)).toEqual(new Set(['web.legal']));
    await page.getByRole('button', { name: 'Verify the whole log' }).click();
    await page.getByText(/^Valid: \d+ entries re-hashed/).waitFor();
    await page.getByRole('button', { name: /^Proof of entry/ }).last().click();
    await page.getByText('Leaf hash').waitFor();
    await page.getByText(/^Audit path \(\d+ hashes\)$/).waitFor();
    // The proof is for the tree of the head on screen, entries sealed since or not: it checks against the root shown.
    const headSize = await page.locator('section[aria-labelledby="head-h"] dd').first().textContent();
    await login(web.app, 'web.legal', 'web.legal-password-123');
    await web.app.get(AuditSealer).catchUp();
    await page.getByRole('button', { name: /^Proof of entry/ }).first().click();
    await page.getByText(/^Audit path \(\d+ hashes\)$/).waitFor();
    expect(await page.locator('section[aria-labelledby="proof-h"] dt:text-is("In the tree of") + dd').textContent()).toBe(`${headSize} entries`);
    await checkScreen(page, 'audit', { phoneAxe: true });
    // By record: choosing an entry's record shows that record's entries only.
    await page.getByLabel(/^User/).fill('');
    await page.getByRole('button', { name: 'Show' }).click();
    // The unfiltered list first (entries by several users), so that the record read is the one clicked.
    const whoColumn = page.getByRole('region', { name: 'Audit entries' }).locator('tbody tr td:nth-child(3) button');
    for (let attempt = 0; new Set(await whoColumn.allTextContents()).size < 2 && attempt < 50; attempt++) await page.waitForTimeout(100);
    const first = page.getByRole('button', { name: /^Filter by record / }).first();
    const stream = (await first.textContent())!;
    await page.getByRole('button', { name: `Filter by record ${stream}`, exact: true }).first().click();
    const rows = page.getByRole('region', { name: 'Audit entries' }).locator('tbody tr');
    const others = rows.filter({ hasNot: page.getByRole('button', { name: `Filter by record ${stream}`, exact: true }) });
    for (let attempt = 0; (await others.count()) > 0 && attempt < 50; attempt++) await page.waitForTimeout(100);
    expect(await others.count()).toBe(0);
    expect(await rows.count()).toBeGreaterThan(0);
    // An entry on a user says what it changed (the admin's test above disabled web.newcomer): read from its events.
    const admin = await loginAsAdmin(web.app);
    const newcomer = ((await authed(web.app, admin).get('/users?q=web.newcomer').expect(200)).body.items as { id: string }[])[0];
    await page.getByLabel(/^Record/).fill(`user-${newcomer.id}`);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('button', { name: /^Proof of entry/ }).first().waitFor();
    await page.getByRole('button', { name: /^Proof of entry/ }).first().click();
    await page.getByRole('heading', { name: 'What it changed' }).waitFor();
    expect(await page.locator('section[aria-labelledby="proof-h"] ul').textContent()).toMatch(/^UserDisabled \(version \d+\)(: reason none)?$/);
    expect(await page.locator('section[aria-labelledby="proof-h"] pre').textContent()).not.toContain('"changes"');
    // An auditor has no business screens.
    await page.goto(`${web.base}/#/dashboard`);
    await page.getByRole('heading', { name: 'You do not have access to this page' }).waitFor();
  });

  it('keeps a deep link through sign-in, says when a page is not open to the user, and serves a favicon', async () => {
    const page = await open();
    await page.goto(`${web.base}/#/cables/${toClearId}`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await checkScreen(page, 'sign-in');
    await signInOn(page, 'web.legal');
    await page.getByRole('heading', { name: /Export controls on model weights/ }).waitFor();
    expect(page.url()).toContain(`#/cables/${toClearId}`);
    // Signed in, Back does not bring the sign-in form again.
    await page.goBack();
    await page.getByRole('heading', { name: /Export controls on model weights/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    // Nor does the sign-in page's address, reached while signed in: the start page takes its place.
    await page.goto(`${web.base}/#/sign-in`);
    await page.waitForFunction(() => location.hash === '#/inbox');
    await page.goto(`${web.base}/#/admin`);
    await page.getByRole('heading', { name: 'You do not have access to this page' }).waitFor();
    await checkScreen(page, 'forbidden');
    // A cable the user may not read says so, and nothing else.
    const lead = await signIn('web.beijing');
    await lead.goto(`${web.base}/#/cables/${toClearId}`);
    await lead.getByRole('heading', { name: 'You may not read this cable' }).waitFor();
    expect(await lead.getByText('Export controls').count()).toBe(0);
    // The favicon is served, and no page of these tests asked for anything missing.
    expect((await fetch(`${web.base}/favicon.svg`)).status).toBe(200);
    expect((await fetch(`${web.base}/favicon.ico`)).headers.get('content-type')).toMatch(/icon/);
    expect(notFound.filter((url) => !url.includes('/cables?') && !url.includes('/deliveries/'))).toEqual([]);
    // A campaign that is not there says so under a heading, as a cable does.
    await lead.goto(`${web.base}/#/campaigns/${randomUUID()}`);
    await lead.getByRole('heading', { name: 'There is no such campaign' }).waitFor();
    // A link cut short or mistyped (an id that is no id) names no record: said in plain words, not as the API's check of the path.
    await lead.goto(`${web.base}/#/cables/${toClearId}zz`);
    await lead.getByRole('heading', { name: 'There is no such cable' }).waitFor();
    await lead.getByText('This address does not name a cable: the link may be cut short or mistyped.').waitFor();
    expect(await lead.getByText(/must be a UUID/i).count()).toBe(0);
  });

  it('lets anyone change their own password, which ends their other sessions', async () => {
    const admin = await loginAsAdmin(web.app);
    await createUser(web.app, admin, { username: 'web.changer', roles: ['leadership'], office: 'S' });
    const elsewhere = await login(web.app, 'web.changer', 'web.changer-password-123');
    const page = await signIn('web.changer');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Current password').fill('web.changer-password-123');
    await page.getByLabel('New password', { exact: true }).fill('copper-harbor-willow');
    await page.getByLabel('New password again').fill('copper-harbor-willow');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions have ended.').waitFor();
    await authed(web.app, elsewhere).get('/inbox').expect(401);
    await checkScreen(page, 'account');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await (await signIn('web.changer', 'copper-harbor-willow')).getByRole('link', { name: 'Account' }).waitFor();
  });

  it('refuses a wrong password with a message the user can read', async () => {
    const page = await web.browser.newPage();
    await page.goto(web.base);
    await page.getByLabel('Username').fill('web.lead');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/username or password|credentials/i);
  });

  it('reads who the user is once at sign-in, and once when a page is loaded with the tab\'s token', async () => {
    const page = await open();
    const reads: string[] = [];
    page.on('request', (request) => { if (new URL(request.url()).pathname === '/auth/me') reads.push(request.method()); });
    await page.goto(web.base);
    await signInOn(page, 'web.legal');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.waitForTimeout(500);
    expect(reads).toEqual(['GET']);
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.waitForTimeout(500);
    expect(reads).toEqual(['GET', 'GET']);
    await page.close();
  });

  it('says when a sign-in refused for too many tries may be tried again', async () => {
    await createUser(web.app, await loginAsAdmin(web.app), { username: 'web.forgetful', roles: ['leadership'], office: 'S' });
    // The limit's worth of wrong passwords for one username from this address: the next try is refused (429, Retry-After).
    for (let i = 0; i < 20; i++) {
      const wrong = await fetch(`${web.base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'web.forgetful', password: `not-the-password-${i}` }) });
      expect(wrong.status).toBe(401);
    }
    const page = await web.browser.newPage();
    await page.goto(web.base);
    await page.getByLabel('Username').fill('web.forgetful');
    await page.getByLabel('Password').fill('web.forgetful-password-123');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/auth/login')), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(answer.status()).toBe(429);
    const wait = Number(answer.headers()['retry-after']);
    expect(wait).toBeGreaterThan(60);
    const said = (await page.getByRole('alert').textContent())!;
    expect(said).toMatch(/^Too many failed password tries\. Try again in \d+ minutes, at \d\d:\d\d UTC\.$/);
    expect(said).toContain(`in ${Math.ceil(wait / 60)} minutes`);
    // The moment said is when the wait ends, to the minute.
    const [hours, minutes] = /at (\d\d):(\d\d) UTC/.exec(said)!.slice(1).map(Number);
    const end = new Date(Date.now() + wait * 1000);
    const apart = (((hours * 60 + minutes) - (end.getUTCHours() * 60 + end.getUTCMinutes())) % 1440 + 1440) % 1440;
    expect(apart).toBeLessThanOrEqual(1);
    await checkScreen(page, 'sign-in-refused');
  });

  it('marks a page the user may not open unclassified, and counts the follow-ups in the inbox\'s banner', async () => {
    const page = await signIn('web.desk');
    const banner = page.getByRole('note', { name: /Classification/ }).first();
    await page.goto(`${web.base}/#/cables/new`);
    await page.getByLabel('Classification', { exact: true }).selectOption('CONFIDENTIAL');
    await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).first().waitFor();
    // Nothing of the draft is on a page that says "no access": its banner does not stay behind.
    await page.goto(`${web.base}/#/dashboard`);
    await page.getByRole('heading', { name: 'You do not have access to this page' }).waitFor();
    expect(await banner.textContent()).toBe('UNCLASSIFIED');

    // A CONFIDENTIAL follow-up of the desk's: the inbox lists it with its markings, and its banner says so.
    const desk = await login(web.app, 'web.desk', 'web.desk-password-123');
    const dueOn = new Date(clock.now().getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
    await authed(web.app, desk).post('/follow-ups', { title: 'Brief the front office on the distillation findings', owner: { office: 'EAP/CM' }, dueOn, classification: 'CONFIDENTIAL' }).expect(201);
    await page.goto(`${web.base}/#/inbox`);
    await page.getByRole('region', { name: /My follow-ups/ }).getByRole('link', { name: '(CONFIDENTIAL) Brief the front office on the distillation findings' }).waitFor();
    await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).first().waitFor();
    expect(await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).count()).toBe(2);
  });

  it('keeps the banner of the page shown when a page left behind answers late', async () => {
    // The inbox the desk lands on is still waiting for its answer when the officer opens a new draft.
    const page = await open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let asked!: () => void;
    const inboxAsked = new Promise<void>((resolve) => { asked = resolve; });
    await page.route((url) => url.pathname === '/inbox', async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await page.goto(web.base);
    await signInOn(page, 'web.desk');
    await inboxAsked;
    await page.goto(`${web.base}/#/cables/new`);
    await page.getByLabel('Classification', { exact: true }).selectOption('CONFIDENTIAL');
    const confidential = page.getByRole('note', { name: 'Classification: CONFIDENTIAL' });
    await confidential.first().waitFor();
    // The inbox's answer arrives now, for a screen no longer shown: the draft's banner stays.
    const answered = page.waitForEvent('requestfinished', (request) => new URL(request.url()).pathname === '/inbox');
    release();
    await answered;
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await confidential.count()).toBe(2);
  });

  it('replays the dashboard to a date typed digit by digit, says a refused replay beside the field, and shows it as cards on a phone', async () => {
    // New Delhi could not deliver either: the timeline names the post as the map does (not "Newdelhi", from its code).
    const admin = await loginAsAdmin(web.app);
    const newDelhi = (await createUser(web.app, admin, { username: 'web.newdelhi', roles: ['post_officer'], postCode: 'NEWDELHI', clearance: 'SECRET' })).token;
    await opened(newDelhi, 'NEWDELHI');
    await authed(web.app, newDelhi).post(`/demarches/${campaignId}/deliveries/NEWDELHI/not-delivered`, { reason: 'The ministry is closed for the holiday' }).expect(201);
    // Month, day, year: the order in which an en-US date field takes its digits.
    const page = await open({ locale: 'en-US' });
    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/dashboard' && url.searchParams.has('asOf')) asked.push(url.searchParams.get('asOf')!);
    });
    await page.goto(web.base);
    await signInOn(page, 'web.lead');
    await page.getByRole('heading', { name: 'Where every campaign stands' }).waitFor();
    await page.getByRole('button', { name: 'Embassy New Delhi could not deliver: “The ministry is closed for the holiday”', exact: true }).waitFor();

    // Typed a digit at a time, the date passes through the years 0002, 0020 and 0202: only the whole date is asked for.
    const today = clock.now().toISOString().slice(0, 10);
    const [year, month, day] = today.split('-');
    await page.getByLabel('As of').focus();
    await page.keyboard.type(`${month}${day}${year}`, { delay: 50 });
    await page.getByText(`replayed from the event log to the end of ${today}`).waitFor();
    expect(asked).toEqual([`${today}T23:59:59.999Z`]);

    // A replay the server refuses is said beside the field, in plain words; the dashboard shown and its controls stay.
    const refused = (url: URL) => url.pathname === '/dashboard' && url.searchParams.get('asOf') === '2020-01-02T23:59:59.999Z';
    await page.route(refused, (route) => route.fulfill({
      status: 400, contentType: 'application/problem+json',
      json: { status: 400, detail: 'asOf must be an ISO 8601 instant', errors: [{ field: 'asOf', message: 'asOf must be an ISO 8601 instant' }] },
    }));
    await page.getByLabel('As of').fill('2020-01-02');
    expect(await page.getByRole('alert').textContent()).toBe('The dashboard could not be replayed to the end of 2020-01-02. The “as of” date must be a date.');
    await page.getByRole('heading', { name: 'Campaigns (1)' }).waitFor();
    await page.getByText(`replayed from the event log to the end of ${today}`).waitFor();
    await page.unroute(refused);
    await page.getByRole('button', { name: 'Back to now' }).click();
    await page.locator('#as-of-state', { hasText: /^now$/ }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);

    // On a phone, each campaign and each owner is a card: every value within the screen's width.
    await page.setViewportSize(PHONE);
    try {
      for (const value of [page.getByRole('button', { name: `Download ${FIRST_MRN} (CSV)` }), page.locator('td[data-label="Cancelled"]').first()]) {
        const box = (await value.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      }
    } finally {
      await page.setViewportSize(DESKTOP);
    }
    await checkScreen(page, 'dashboard-follow-ups', { phoneAxe: true });
  });

  it('shows a clearer cleared below a draft\'s old marking the cable without what was written under it, history included', async () => {
    const admin = await loginAsAdmin(web.app);
    await createUser(web.app, admin, { username: 'web.legal.u', roles: ['clearer'], office: 'L', clearance: 'UNCLASSIFIED' });
    const secret = draft('Source protection', {
      classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'Source protection: the text of the cable.' }],
      classifiedBy: { name: 'Jane Doe', title: 'Director', office: 'EAP/CM', reasons: ['1.4(c)'], declassifyOn: '2051-01-01' },
    });
    const id = (await authed(web.app, drafter).post('/cables', secret).expect(201)).body.id;
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await authed(web.app, clearer).post(`/cables/${id}/clearances`, { office: 'L', decision: 'NON_CONCUR', comments: 'Naming the BLUEBIRD source burns it.' }).expect(200);
    await authed(web.app, drafter).patch(`/cables/${id}`, { classification: 'UNCLASSIFIED', classifiedBy: null, paragraphs: [{ marking: 'U', text: 'Nothing sensitive here.' }] }).expect(200);

    const page = await signIn('web.legal.u');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('heading', { name: 'Your decision for L' }).waitFor();
    const row = page.getByRole('row', { name: /^L / });
    expect(await row.locator('td[data-label="Comments"]').textContent()).toContain('withheld');
    await page.getByText(/Clearance non concurred: withheld/i).first().waitFor();
    expect(await page.content()).not.toContain('BLUEBIRD');
    expect(errors).toEqual([]);
  });

  it('drafts a demarche with its REFs, the points to make and which action posts it tasks, and says a scope that tasks nobody is refused', async () => {
    const page = await signIn('web.desk');
    await page.goto(`${web.base}/#/cables/new`);
    await page.getByLabel('Subject', { exact: true }).fill('Second approach on model weights\t(EAP only)');
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Second approach on model weights (EAP only)');
    await page.getByLabel('TAGS').fill('PREL ETTC');
    for (const code of ['BEIJING', 'TOKYO']) {
      await page.getByRole('combobox', { name: /^Action addressees/ }).fill(code);
      await page.getByRole('combobox', { name: /^Action addressees/ }).press('Enter');
    }
    await page.getByLabel('Paragraph 1', { exact: true }).fill('Action request: see paragraph 2.');
    await page.getByRole('button', { name: 'Add a paragraph' }).click();
    await page.getByLabel('Paragraph 2', { exact: true }).fill('Raise the distillation of U.S. models again.');
    const mrn = (await authed(web.app, drafter).get(`/cables/${campaignId}`).expect(200)).body.mrn as string;
    await page.getByLabel(/^References/).fill(`${mrn.toLowerCase()};`);
    await page.getByLabel('This cable tasks posts with a demarche').check();
    // The rules as the officer types name the field as the form does, not as the API spells it.
    await page.getByText(/^Report-by date must be a date/).waitFor();
    await page.getByLabel('Report by').fill('2099-01-01');
    await page.getByLabel('Whom to see').fill('MFA');
    await page.getByLabel(/^Points to make/).fill('2');
    // A post the scope names that the cable does not task (codes split on semicolons too): said
    // beside its own box, which is marked, with the focus on it.
    const only = page.getByLabel('Only these posts (codes)');
    await only.fill('TOKYO; PARIS');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: /^Not saved\./ }).waitFor();
    expect(await saidBeside(only)).toBe('PARIS is not among the posts the cable is addressed to for action.');
    expect(await only.getAttribute('aria-invalid')).toBe('true');
    await page.waitForFunction(() => document.activeElement?.id === 'scope-posts');
    await only.fill('');
    // Every action post excluded: the rules as typed say why (they know the post network), nothing
    // can be saved, and the form keeps what was typed.
    await page.getByLabel('All but these posts (codes)').fill('BEIJING TOKYO');
    await page.getByRole('status').filter({ hasText: /scope leaves no post to task/i }).waitFor();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('alert').filter({ hasText: /^Not saved\./ }).waitFor();
    expect(page.url()).toMatch(/#\/cables\/new$/);
    expect(await page.getByLabel(/^Points to make/).inputValue()).toBe('2');
    await page.getByLabel('All but these posts (codes)').fill('TOKYO');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('heading', { name: 'Clearances' }).waitFor();
    const saved = (await authed(web.app, drafter).get(`/cables/${page.url().split('/').pop()}`).expect(200)).body;
    expect({ references: saved.references, points: saved.demarche.points, scope: saved.demarche.scope }).toEqual({ references: [{ label: 'A', mrn }], points: [2], scope: { excludePosts: ['TOKYO'] } });
  });

  it('says beside the report-by date why the server refuses it, when the draft is saved and when it is submitted', async () => {
    // The server's day is ahead of the browser's: a date the form's own check lets through is refused by the server.
    const now = clock.now();
    const day = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
    const page = await signIn('web.desk');
    try {
      clock.set(new Date(now.getTime() + 2 * 86_400_000));
      await page.goto(`${web.base}/#/cables/new`);
      await page.getByLabel('Subject', { exact: true }).fill('Demarche: a report-by date the server refuses');
      await page.getByLabel('TAGS').fill('PREL ETTC');
      await page.getByRole('combobox', { name: /^Action addressees/ }).fill('BEIJING');
      await page.getByRole('combobox', { name: /^Action addressees/ }).press('Enter');
      await page.getByLabel('Paragraph 1', { exact: true }).fill('Raise the distillation of U.S. models.');
      await page.getByLabel('This cable tasks posts with a demarche').check();
      await page.getByLabel('Report by').fill(day(1));
      await page.getByLabel('Whom to see').fill('MFA');
      await page.getByText('The draft meets every drafting rule.').waitFor();
      await page.getByRole('button', { name: 'Save draft' }).click();
      // Said beside the field, which takes the focus; the form says once that it was not saved.
      await focusMovesTo(page, 'report-by');
      const reportBy = page.getByLabel('Report by');
      expect(await reportBy.getAttribute('aria-invalid')).toBe('true');
      expect(await saidBeside(reportBy)).toBe('Report-by date must be today or later.');
      expect(await page.getByRole('alert').textContent()).toBe('Not saved. See what is said beside the field.');
      await checkScreen(page, 'cable-new-refused');

      // Saved while the date was good; submitted once it has passed on the server.
      clock.set(now);
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.getByRole('heading', { name: 'Clearances' }).waitFor();
      clock.set(new Date(now.getTime() + 3 * 86_400_000));
      await page.getByRole('button', { name: 'Submit for approval' }).click();
      await page.getByText(/^Not done\./).waitFor();
      expect(await saidBeside(page.getByLabel('Report by'))).toBe(`Report-by date ${day(1)} has passed (today is ${day(3)}): edit the draft to a later date, then submit it.`);
    } finally {
      clock.set(now);
    }
  });

  it('lets a post correct a response, and marks the corrected one as no longer counting, with nothing more to do on it', async () => {
    const hanoi = (await createUser(web.app, await loginAsAdmin(web.app), { username: 'web.hanoi', roles: ['post_officer'], postCode: 'HANOI', clearance: 'SECRET' })).token;
    await opened(hanoi, 'HANOI');
    const on = clock.now().toISOString().slice(0, 10);
    await authed(web.app, hanoi).post(`/demarches/${campaignId}/deliveries/HANOI/delivery`, { deliveredOn: on, counterpart: { name: 'Kim Min-jun', title: 'Director-General', organization: 'MOFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' }).expect(201);
    await authed(web.app, hanoi).post(`/demarches/${campaignId}/deliveries/HANOI/response`, { receivedOn: on, position: 'SUPPORTIVE', summary: 'MOFA will join the statement.' }).expect(201);
    const page = await signIn('web.hanoi');
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/HANOI`);
    const corrects = page.getByLabel('It corrects (optional)');
    await corrects.selectOption('1');
    await page.getByLabel('Counterpart position').selectOption('NONCOMMITTAL');
    await page.getByRole('textbox', { name: 'What the counterpart said' }).fill('Correction: MOFA will study the statement first.');
    await page.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Response logged; it corrects response 1.').waitFor();
    const first = page.getByRole('article', { name: 'Response 1' });
    await first.getByText('Corrected by response 2').waitFor();
    // Numbered on screen as the correction, the follow-ups and the history name them.
    expect(await first.getByRole('heading').first().textContent()).toMatch(/^Response 1: /);
    expect(await first.getByRole('link', { name: 'Create a follow-up from this response' }).count()).toBe(0);
    await page.getByRole('article', { name: 'Response 2' }).getByText('It corrects response 1.').waitFor();
    expect(await page.getByRole('article', { name: 'Response 2' }).getByRole('link', { name: 'Create a follow-up from this response' }).count()).toBe(1);
    // What stands is only response 2: nothing left to correct but it.
    expect(await page.getByLabel('It corrects (optional)').locator('option').allTextContents()).toEqual(['No earlier response: it is a new one', `Response 2: noncommittal, received ${on}`]);
    await checkScreen(page, 'delivery-corrected-response');
    await page.close();
  });
});
