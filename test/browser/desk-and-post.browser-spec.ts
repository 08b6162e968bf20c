import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { Clock, utcDate } from '@chancery/common';
import { awaitCampaign, awaitDelivery } from '../support/campaigns.js';
import { launchChromium, signedIn } from '../support/chromium.js';
import { authed, releaseCable } from '../support/http.js';
import { createTestApp, createUser, loginAsAdmin } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

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
 * exports beside a replay, and a post east of Greenwich logging its own today.
 */
describe('the desk\'s and the post\'s screens, in headless Chromium', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let browser: Browser;
  let base: string;
  let drafter: string;
  let approver: string;
  let legal: string;
  let seoul: string;
  const clock = new StoppableClock();

  const signIn = (username: string, options: { live?: boolean; before?: (page: Page) => Promise<void> } = {}) => signedIn(browser, base, username, options);
  const uncaught = (page: Page) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return errors;
  };
  const instruction = (subject: string) => ({
    kind: 'INSTRUCTION', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
    actionAddressees: ['SEOUL', 'TOKYO'], paragraphs: [{ marking: 'U', text: 'Raise our concerns with the ministry.' }],
    demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' }, clock }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    const admin = await loginAsAdmin(app);
    drafter = (await createUser(app, admin, { username: 'desk.drafter', roles: ['drafter'], office: 'EAP/K', clearance: 'SECRET' })).token;
    approver = (await createUser(app, admin, { username: 'desk.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    legal = (await createUser(app, admin, { username: 'desk.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    seoul = (await createUser(app, admin, { username: 'desk.seoul', roles: ['post_officer'], postCode: 'SEOUL', clearance: 'SECRET' })).token;
    await createUser(app, admin, { username: 'desk.lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  it('takes the drafter from the released tasking to its campaign, and lets them export it; a failed export is said', async () => {
    const id = await releaseCable(app, drafter, approver, instruction('Demarche: the fisheries accord'));
    const { mrn } = (await awaitCampaign(app, drafter, id)).body as { mrn: string };
    const page = await signIn('desk.drafter');
    const errors = uncaught(page);
    await page.goto(`${base}/#/cables/${id}`);
    await page.getByRole('link', { name: 'What the posts report back' }).click();
    await page.getByRole('heading', { name: `${mrn}: Demarche: the fisheries accord` }).waitFor();
    expect(page.url()).toBe(`${base}/#/campaigns/${id}`);

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
    await approverPage.goto(`${base}/#/cables/${id}`);
    await approverPage.getByRole('link', { name: 'What the posts report back' }).click();
    await approverPage.getByRole('heading', { name: `${mrn}: Demarche: the fisheries accord` }).waitFor();
    expect(await approverPage.getByRole('button', { name: 'Download every post (CSV)' }).count()).toBe(0);
    await approverPage.close();
  });

  it('shows the approver a non-concurrence the drafter withdrew, with its comments', async () => {
    const { id } = (await authed(app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Maritime boundary talks', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
      actionAddressees: ['SEOUL'], paragraphs: [{ marking: 'U', text: 'The talks resume in May.' }],
    }).expect(201)).body as { id: string };
    await authed(app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await authed(app, legal).post(`/cables/${id}/clearances`, { office: 'L', decision: 'NON_CONCUR', comments: 'Para 1 is legally inaccurate.' }).expect(200);
    await authed(app, drafter).delete(`/cables/${id}/clearance-requests/L`).expect(200);
    await authed(app, drafter).post(`/cables/${id}/submit`).expect(200);

    const page = await signIn('desk.approver');
    await page.goto(`${base}/#/cables/${id}`);
    const withdrawn = page.getByRole('region', { name: 'Requests withdrawn by the drafter (1)' });
    await withdrawn.waitFor();
    const row = withdrawn.getByRole('row').nth(1);
    expect((await row.getByRole('cell').allTextContents()).filter((_, i) => i !== 3)).toEqual(['L', 'Did not concur', 'desk.drafter (EAP/K)', '“Para 1 is legally inaccurate.”']);
    expect(await page.getByText('No office is asked to clear now.').count()).toBe(1);
    await page.close();
  });

  it('keeps the offices typed when the request is refused', async () => {
    const { id } = (await authed(app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Port visit', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'KS'],
      actionAddressees: ['SEOUL'], paragraphs: [{ marking: 'U', text: 'A destroyer calls at Busan.' }],
    }).expect(201)).body as { id: string };
    const page = await signIn('desk.drafter');
    await page.goto(`${base}/#/cables/${id}`);
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
    const id = await releaseCable(app, drafter, approver, instruction('Demarche: the export of ball bearings'));
    const { mrn } = (await awaitCampaign(app, drafter, id)).body as { mrn: string };
    const page = await signIn('desk.lead');
    const errors = uncaught(page);
    await page.goto(`${base}/#/dashboard?campaign=${id}&at=${new Date().toISOString()}`);
    await page.getByText(/replayed from the event log to/).waitFor();
    const button = page.getByRole('button', { name: `Download ${mrn} (CSV)` });
    expect(await button.getAttribute('aria-describedby')).toBe('csv-now');
    expect(await page.locator('#csv-now').textContent()).toBe('A CSV holds the campaign as it stands now, not as replayed here.');
    await page.route('**/demarches/*/export.csv', (route) => route.fulfill({ status: 403, contentType: 'application/problem+json', body: '{"status":403}' }));
    await button.click();
    expect(await page.getByRole('alert').textContent()).toBe(`${mrn.replace(/ /g, '-')}.csv was not downloaded. You are not allowed to do this.`);
    // A token no longer good (ended, or access changed) sends the user to sign in again, as any request does.
    await page.unroute('**/demarches/*/export.csv');
    await page.route('**/demarches/*/export.csv', (route) => route.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401}' }));
    await button.click();
    await page.waitForFunction(() => location.hash === '#/sign-in');
    expect(errors).toEqual([]);
    await page.close();
  });

  // Last: the service's clock stays stopped.
  it('dates a Seoul officer\'s delivery by Seoul\'s today, between local midnight and UTC midnight', async () => {
    // 20:03 UTC is 05:03 the next day in Seoul; the server takes days up to UTC+14.
    const now = new Date(`${utcDate(new Date())}T20:03:00Z`);
    clock.stoppedAt = now;
    const seoulToday = utcDate(new Date(now.getTime() + 9 * 3_600_000));
    const id = await releaseCable(app, drafter, approver, instruction('Demarche: the whaling moratorium'));
    await awaitDelivery(app, seoul, id, 'SEOUL');

    const context = await browser.newContext({ timezoneId: 'Asia/Seoul', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.clock.setFixedTime(now);
    await page.goto(base);
    await page.getByLabel('Username').fill('desk.seoul');
    await page.getByLabel('Password').fill('desk.seoul-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Taskings for SEOUL' }).waitFor();
    const { mrn } = (await authed(app, seoul).get(`/demarches/${id}`).expect(200)).body as { mrn: string };
    await page.getByRole('row').filter({ hasText: mrn }).getByRole('button', { name: 'Report' }).click();
    const form = page.getByRole('form', { name: `Log the delivery of ${mrn}` });
    expect(await form.getByLabel('Delivered on').inputValue()).toBe(seoulToday);
    await form.getByLabel('Counterpart name').fill('Kim Min-jun');
    await form.getByLabel('Counterpart title').fill('Director-General');
    await form.getByLabel('Counterpart organization').fill('MOFA');
    await form.getByRole('button', { name: 'Log delivery' }).click();
    await page.getByRole('status').filter({ hasText: 'Delivery logged.' }).waitFor();
    expect((await authed(app, seoul).get(`/demarches/${id}/deliveries/SEOUL`).expect(200)).body.deliveredOn).toBe(seoulToday);

    // The meeting form on the delivery's page starts on the same day.
    await page.goto(`${base}/#/campaigns/${id}/posts/SEOUL`);
    await page.getByText('Log another meeting').click();
    expect(await page.getByLabel('Met on').inputValue()).toBe(seoulToday);
    await context.close();
  });
});
