import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ProjectionRunner } from '@chancery/event-store';
import { authed, releaseCable } from '../support/http.js';
import { createTestApp, createUser, login, loginAsAdmin, TEST_ADMIN_PASSWORD } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TestClock } from '../support/test-clock.js';

/** Screenshots land here; CI keeps them as artifacts. */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2.1 A and AA checks on the page as it is: the serious and critical findings. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })`);
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

describe('the web app, in headless Chromium', () => {
  // In order: the post logs Beijing's answer that leadership then sees.
  let database: TestDatabase;
  let app: INestApplication;
  let browser: Browser;
  let base: string;
  let clearer: string;
  // The application's clock, moved by the follow-up test (a follow-up is never created past due).
  const clock = new TestClock(new Date());

  const signIn = async (username: string, password = `${username}-password-123`) => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(base);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' }, clock }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    // A released instruction to ALDAC, answered by Beijing with a rejection.
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'web.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const approver = (await createUser(app, admin, { username: 'web.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    await createUser(app, admin, { username: 'web.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' });
    clearer = (await createUser(app, admin, { username: 'web.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    await createUser(app, admin, { username: 'web.desk', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    await createUser(app, admin, { username: 'web.lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
    await releaseCable(app, drafter, approver, {
      kind: 'INSTRUCTION', subject: 'Demarche: AI model distillation', classification: 'UNCLASSIFIED', captions: [], precedence: 'IMMEDIATE', tags: ['PREL', 'ETTC'],
      actionAddressees: ['ALDAC'], paragraphs: [{ marking: 'U', text: 'Raise our concerns with host governments.' }],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    });
    await app.get(ProjectionRunner).catchUp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app.close();
    await database.drop();
  });

  it('lets a desk officer draft with the rules flagged as they type, and shows a clearance gone stale after an edit', async () => {
    const page = await signIn('web.desk');
    await page.goto(`${base}/#/cables/new`);
    const status = page.getByRole('status');
    await page.getByText(/subject must be/).waitFor();
    expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
    await page.getByLabel('Subject', { exact: true }).fill('Demarche: protecting frontier AI models');
    await page.getByLabel('TAGS').fill('PREL ETTC');
    await page.getByRole('combobox', { name: /^Action addressees/ }).fill('eap_posts');
    await page.getByRole('combobox', { name: /^Action addressees/ }).press('Enter');
    await page.getByRole('list', { name: 'Action addressees chosen' }).getByText('EAP_POSTS').waitFor();
    await page.getByLabel('Paragraph 1', { exact: true }).fill('Posts should raise our concerns.');
    await page.getByText('The draft meets every drafting rule.').waitFor();
    await page.getByLabel('Classification', { exact: true }).selectOption('CONFIDENTIAL');
    expect(await status.textContent()).not.toBe('The draft meets every drafting rule.'); // a CONFIDENTIAL cable needs more
    await page.getByLabel('Classification', { exact: true }).selectOption('UNCLASSIFIED');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('heading', { name: 'Clearances' }).waitFor();
    const cableId = page.url().split('/').pop()!;

    await page.getByLabel('Ask offices to clear').fill('L');
    await page.getByRole('button', { name: 'Request' }).click();
    await page.getByRole('cell', { name: 'PENDING' }).waitFor();
    await authed(app, clearer).post(`/cables/${cableId}/clearances`, { office: 'L', decision: 'CLEARED' }).expect(200);
    await page.reload();
    await page.getByRole('cell', { name: 'CLEARED' }).waitFor();

    await page.getByLabel('Paragraph 1', { exact: true }).fill('Posts should raise our concerns at the highest level.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('cell', { name: 'STALE (changed since cleared)' }).waitFor();
    // What changed since L cleared, word by word.
    await page.getByText('Changed since L decided').waitFor();
    expect(await page.locator('details[open] ins').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('at the highest level')]));
    // The history, and the cable as it stood at its first version.
    await page.getByRole('button', { name: 'v1 CableDrafted' }).click();
    await page.getByRole('heading', { name: 'As it stood at version 1: DRAFT' }).waitFor();
    const then = await page.locator('pre').filter({ hasText: '1. (U) Posts should raise our concerns' }).first().textContent();
    expect(then).toContain('1. (U) Posts should raise our concerns.');
    expect(then).not.toContain('highest level');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: new URL('drafting.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('lets a post officer log the delivery and Beijing\'s rejection', async () => {
    const page = await signIn('web.beijing');
    await page.getByRole('heading', { name: 'Taskings for BEIJING' }).waitFor();
    const row = page.getByRole('row', { name: /AI model distillation/ });
    await row.getByRole('button', { name: 'Report' }).click();
    await page.getByLabel('Counterpart name').fill('Wang Wei');
    await page.getByLabel('Counterpart title').fill('Director-General');
    await page.getByLabel('Counterpart organization').fill('Ministry of Foreign Affairs');
    await page.getByLabel('Level').selectOption('DIRECTOR_GENERAL');
    await page.getByRole('button', { name: 'Log delivery' }).click();
    await page.getByText('Delivery logged.').waitFor();
    await page.getByRole('row', { name: /AI model distillation/ }).getByRole('button', { name: 'Report' }).click();
    await page.getByLabel('Counterpart position').selectOption('REJECTED');
    await page.getByLabel('What the counterpart said').fill('Rejected the demarche as interference.');
    await page.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Response logged.').waitFor();
    // Answered, the tasking leaves the post's open work.
    await page.getByRole('row', { name: /AI model distillation/ }).waitFor({ state: 'detached' });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: new URL('taskings.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('shows leadership the campaign, its counts and Beijing\'s rejection on the map', async () => {
    const page = await signIn('web.lead');
    await page.getByRole('heading', { name: 'Where every campaign stands' }).waitFor();
    const banners = page.getByRole('note', { name: /Classification/ });
    expect(await banners.count()).toBe(2);
    expect(await banners.first().textContent()).toBe('UNCLASSIFIED');
    const row = page.getByRole('row', { name: /Demarche: AI model distillation/ });
    expect(await row.textContent()).toContain('1/263'); // every open post of the ALDAC distribution
    // China (an embassy and consulates), coloured as Beijing's rejection.
    const china = page.locator('svg.map path', { has: page.locator('title', { hasText: 'China: REJECTED' }) });
    await china.waitFor();
    expect(await china.getAttribute('fill')).toBe('#b3261e');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: new URL('dashboard.png', ARTIFACTS).pathname, fullPage: true });
    // The campaign's timeline: just after it opened, nobody had answered; the map says so.
    await page.getByRole('button', { name: /CampaignOpened/ }).click();
    await page.getByText(/replayed from the event log to/).waitFor();
    await page.locator('svg.map path', { has: page.locator('title', { hasText: 'China: PENDING' }) }).waitFor();
    // The map draws from the timeline at once; the counts come with the replayed dashboard.
    await row.filter({ hasText: /\b0\/263/ }).waitFor();
    await page.getByRole('button', { name: /ResponseLogged \(BEIJING\)/ }).click();
    await china.waitFor();
  });

  it('lets a post work a follow-up it owns: start it, comment, and see its history', async () => {
    const desk = await login(app, 'web.desk', 'web.desk-password-123');
    const today = clock.now();
    await authed(app, desk).post('/follow-ups', { title: 'Ask Beijing for a second meeting', owner: { post: 'BEIJING' }, dueOn: today.toISOString().slice(0, 10) }).expect(201);
    clock.set(new Date(today.getTime() + 2 * 86_400_000)); // two days later: overdue
    const page = await signIn('web.beijing');
    await page.getByRole('link', { name: 'Follow-ups' }).click();
    await page.getByRole('row', { name: /Ask Beijing for a second meeting/ }).getByText('overdue').waitFor();
    await page.getByRole('link', { name: 'Ask Beijing for a second meeting' }).click();
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('Started.').waitFor();
    await page.getByLabel('Comment, outcome or reason').fill('Requested through the MFA duty officer.');
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.getByText('web.beijing: Requested through the MFA duty officer.').waitFor();
    expect(await page.getByRole('heading', { name: 'History' }).locator('..').locator('li').allTextContents()).toEqual([
      expect.stringContaining('v1 FollowUpCreated'), expect.stringContaining('v2 FollowUpStarted'), expect.stringContaining('v3 FollowUpCommented'),
    ]);
    await page.getByRole('button', { name: 'v1 FollowUpCreated' }).click();
    await page.getByRole('heading', { name: 'As it stood at version 1' }).waitFor();
    expect(await page.getByText(/^Ask Beijing for a second meeting: OPEN/).textContent()).toContain('0 comment(s)');
    clock.set(today);
  });

  it('lets an admin create, edit and disable a user, and add an office', async () => {
    const page = await signIn('admin', TEST_ADMIN_PASSWORD);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Username').fill('Web.Newcomer');
    await page.getByLabel('Initial password').fill('password1234');
    await page.getByLabel('Display name').fill('Nell Newcomer');
    await page.getByLabel('Office', { exact: true }).selectOption('EAP/J');
    await page.getByRole('button', { name: 'Create user' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/password .*(breaches|guess)/);
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
    await page.getByRole('button', { name: 'Disable web.newcomer' }).click();
    await page.getByText('web.newcomer disabled.').waitFor();
    await page.getByRole('row', { name: /web\.newcomer.*disabled/ }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: new URL('admin-users.png', ARTIFACTS).pathname, fullPage: true });

    await page.getByRole('button', { name: 'Offices' }).click();
    await page.getByLabel('Office symbol').fill('eap/phl');
    await page.getByLabel('Office name').fill('Office of Philippine Affairs');
    await page.getByRole('button', { name: 'Add office' }).click();
    await page.getByText('EAP/PHL added.').waitFor();
    await page.getByRole('cell', { name: 'Office of Philippine Affairs' }).waitFor();
  });

  it('lets anyone change their own password, which ends their other sessions', async () => {
    const admin = await loginAsAdmin(app);
    await createUser(app, admin, { username: 'web.changer', roles: ['leadership'], office: 'S' });
    const elsewhere = await login(app, 'web.changer', 'web.changer-password-123');
    const page = await signIn('web.changer');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Current password').fill('web.changer-password-123');
    await page.getByLabel('New password', { exact: true }).fill('copper-harbor-willow');
    await page.getByLabel('New password again').fill('copper-harbor-willow');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions have ended.').waitFor();
    await authed(app, elsewhere).get('/inbox').expect(401);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await (await signIn('web.changer', 'copper-harbor-willow')).getByRole('link', { name: 'Account' }).waitFor();
  });

  it('refuses a wrong password with a message the user can read', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.getByLabel('Username').fill('web.lead');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/username or password|credentials/i);
  });
});
