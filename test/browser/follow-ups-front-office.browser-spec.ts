import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { OverdueScheduler } from '@chancery/demarches';
import { launchChromium, signedIn } from '../support/chromium.js';
import { authed } from '../support/http.js';
import { createTestApp, createUser, login, loginAsAdmin } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TestClock } from '../support/test-clock.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2.1 A and AA checks on the page as it is: the serious and critical findings. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })`);
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/**
 * The escalation bureau's front office acts on what is escalated to it from the follow-up's page:
 * a new owner, a new due date or both, in one change on the version shown, and nothing else. The
 * follow-ups' CSV is offered only to the roles the server lets export, and a failed download is said.
 */
describe('follow-ups for the front office and the CSV, in headless Chromium', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let browser: Browser;
  let base: string;
  /** The creator of the follow-ups (EAP/CM), signed in again once the clock has moved. */
  let desk: string;
  let frontOffice: string;
  // The application's clock: moved two days on, the follow-ups due today are overdue and escalated.
  const clock = new TestClock(new Date());

  const signIn = (username: string) => signedIn(browser, base, username);
  /** The bodies and If-Match of the page's PATCHes of `path`. */
  const patches = (page: Page, path: string) => {
    const sent: { body: unknown; ifMatch: string | undefined }[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH' && new URL(request.url()).pathname === path) sent.push({ body: request.postDataJSON(), ifMatch: request.headers()['if-match'] });
    });
    return sent;
  };
  /** Errors the page did not catch. */
  const uncaught = (page: Page) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return errors;
  };
  const followUpIds: Record<'toAct' | 'changedMeanwhile', string> = { toAct: '', changedMeanwhile: '' };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' }, clock }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    const admin = await loginAsAdmin(app);
    desk = (await createUser(app, admin, { username: 'fo.desk', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    await createUser(app, admin, { username: 'fo.eap', roles: ['leadership'], office: 'EAP', clearance: 'SECRET' });
    await createUser(app, admin, { username: 'fo.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' });
    await createUser(app, admin, { username: 'fo.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    const today = clock.now();
    for (const [key, title] of [['toAct', 'Answer the PRC rejection'], ['changedMeanwhile', 'Brief the Hill on the PRC rejection']] as const) {
      followUpIds[key] = (await authed(app, desk).post('/follow-ups', { title, owner: { office: 'EAP/CM' }, dueOn: today.toISOString().slice(0, 10) }).expect(201)).body.id;
    }
    clock.set(new Date(today.getTime() + 2 * 86_400_000));
    await app.get(OverdueScheduler).scan();
    desk = await login(app, 'fo.desk', 'fo.desk-password-123');
    frontOffice = await login(app, 'fo.eap', 'fo.eap-password-123');
    const escalated = (await authed(app, frontOffice).get('/inbox').expect(200)).body.escalated.map((f: { followUpId: string }) => f.followUpId);
    expect(escalated).toEqual(expect.arrayContaining(Object.values(followUpIds)));
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  it('lets the front office give an escalated follow-up a new owner and due date from its page, and nothing else', async () => {
    const id = followUpIds.toAct;
    const page = await signIn('fo.eap');
    const errors = uncaught(page);
    const sent = patches(page, `/follow-ups/${id}`);
    await page.goto(`${base}/#/follow-ups/${id}`);
    await page.getByRole('heading', { name: 'Escalated to your bureau' }).waitFor();
    await page.getByText(/^It is overdue and was escalated to EAP, your bureau: its front office may give it a new owner or a new due date/).waitFor();
    // Only those: no comment, start, outcome or title, and not the owner's and creator's form.
    for (const name of ['Comment', 'Start', 'Complete with this outcome', 'Cancel with this reason']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(await page.getByText('Change the due date or the owner').count()).toBe(0);
    expect(await page.getByLabel('Comment, outcome or reason').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);

    // Nothing changed, or a day in the past: said in the page, nothing sent.
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Give it a new owner or a new due date first.');
    await page.getByLabel('New due date').fill('2020-01-01');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'The new due date cannot be in the past: choose today or a later day.' }).waitFor();
    expect(sent).toEqual([]);

    // Both at once, on the version shown.
    const { version } = (await authed(app, frontOffice).get(`/follow-ups/${id}`).expect(200)).body as { version: number };
    await page.getByLabel(/^Office symbol/).fill('EAP/J');
    await page.getByLabel('New due date').fill('2099-02-01');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Reassigned to EAP/J, due date moved to 2099-02-01.' }).waitFor();
    expect(sent).toEqual([{ body: { owner: { office: 'EAP/J' }, dueOn: '2099-02-01' }, ifMatch: `"${version}"` }]);
    const followUp = (await authed(app, desk).get(`/follow-ups/${id}`).expect(200)).body;
    expect(followUp).toMatchObject({ owner: { office: 'EAP/J' }, dueOn: '2099-02-01', escalatedTo: null, title: 'Answer the PRC rejection' });
    expect(followUp.history.map((e: { type: string }) => e.type).slice(-3)).toEqual(['FollowUpReassigned', 'FollowUpEscalationResolved', 'FollowUpDueDateChanged']);
    // Resolved, it is no longer theirs to change, and it has left their queue.
    await page.getByText('Only its owner and its creator change this follow-up.').waitFor();
    expect(await page.getByRole('heading', { name: 'Escalated to your bureau' }).count()).toBe(0);
    expect((await authed(app, frontOffice).get('/inbox').expect(200)).body.escalated.map((f: { followUpId: string }) => f.followUpId)).not.toContain(id);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses the front office\'s change to a follow-up changed since the page read it, and keeps what was typed', async () => {
    const id = followUpIds.changedMeanwhile;
    const page = await signIn('fo.eap');
    await page.goto(`${base}/#/follow-ups/${id}`);
    await page.getByRole('heading', { name: 'Escalated to your bureau' }).waitFor();
    await page.getByLabel('New due date').fill('2099-03-01');
    // Meanwhile its creator retitles it (which leaves it escalated).
    await authed(app, desk).patch(`/follow-ups/${id}`, { title: 'Brief the Hill and the NSC on the PRC rejection' }).expect(200);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not done: someone changed this follow-up since you opened it.' }).waitFor();
    expect(await page.getByLabel('New due date').inputValue()).toBe('2099-03-01');
    expect((await authed(app, desk).get(`/follow-ups/${id}`).expect(200)).body).toMatchObject({ escalatedTo: 'EAP' });
    await page.getByRole('button', { name: 'Reload the latest' }).click();
    await page.getByRole('heading', { name: 'Brief the Hill and the NSC on the PRC rejection' }).waitFor();
    await page.getByLabel('New due date').fill('2099-03-01');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Due date moved to 2099-03-01.' }).waitFor();
    expect((await authed(app, desk).get(`/follow-ups/${id}`).expect(200)).body).toMatchObject({ dueOn: '2099-03-01', owner: { office: 'EAP/CM' }, escalatedTo: null });
    await page.close();
  });

  it('offers the CSV only to the roles that may export it, and says when the download fails', async () => {
    for (const username of ['fo.beijing', 'fo.legal']) {
      const page = await signIn(username);
      await page.goto(`${base}/#/follow-ups`);
      await page.getByRole('heading', { name: 'Follow-up actions' }).waitFor();
      await page.getByRole('region', { name: 'Follow-up actions' }).or(page.getByText('No follow-up action you may read.')).first().waitFor();
      expect({ username, buttons: await page.getByRole('button', { name: 'Download CSV' }).count() }).toEqual({ username, buttons: 0 });
      await page.close();
    }

    const page = await signIn('fo.eap');
    const errors = uncaught(page);
    await page.goto(`${base}/#/follow-ups`);
    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect((await downloaded).suggestedFilename()).toBe('follow-ups.csv');
    // The server fails it: said in the page, not left to the console.
    await page.route('**/follow-ups/export.csv', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503}' }));
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('follow-ups.csv was not downloaded. The server could not do this just now; try again in a moment.');
    expect(errors).toEqual([]);
    await page.close();
  });
});
