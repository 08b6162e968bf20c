import type { Page } from 'playwright-core';
import { AXE, webAppUnderTest } from '../support/browser-app.js';
import { awaitCampaign } from '../support/campaigns.js';
import { DESKTOP, fillSignIn, holdReconnection } from '../support/chromium.js';
import { authed } from '../support/http.js';
import { createUser, login, loginAsAdmin } from '../support/test-app.js';

describe('live updates and notifications, in headless Chromium', () => {
  let drafter: string;

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, timeout: 120_000,
    setUp: async ({ app }) => {
      const admin = await loginAsAdmin(app);
      drafter = (await createUser(app, admin, { username: 'live.desk', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      await createUser(app, admin, { username: 'live.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    },
  });
  /** Signed in, once the page's live stream is ready (see signedIn). */
  const signIn = (username: string) => web.signIn(username, { live: true });

  it('puts a cable asked of the clearer in their open inbox and their notifications, without a reload', async () => {
    const page: Page = await signIn('live.legal');
    await page.goto(`${web.base}/#/inbox`);
    await page.getByRole('link', { name: /^Notifications$/ }).waitFor();
    const subject = 'Live: consultations on AI export controls';
    const { body } = await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'For information.' }],
    }).expect(201);
    await authed(web.app, drafter).post(`/cables/${body.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    // No reload: the inbox reads itself again when the notice comes, and the count appears.
    await page.getByRole('link', { name: new RegExp(subject) }).waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Notifications (1)' }).click();
    await page.getByRole('link', { name: `(UNCLASSIFIED) A cable needs your clearance (L): ${subject}` }).waitFor();
    await page.addScriptTag({ path: AXE });
    const results = await page.evaluate<{ violations: { id: string; impact: string }[] }>(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })`);
    expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByRole('link', { name: /^Notifications$/ }).waitFor();
    await page.getByText('0 unread of 1.').waitFor();
    expect(await page.getByRole('button', { name: /^Mark read/ }).count()).toBe(0);
    // The button pressed is gone: the focus goes to what the page now says, not to the page's body.
    await page.waitForFunction(() => document.activeElement?.id === 'notices-count');
  });

  it('shows what changed while its stream was still opening: the screens are read once it is open', async () => {
    const page = await web.browser.newPage({ viewport: DESKTOP });
    // A slow network: the stream opens a second and a half after it is asked for.
    await page.route('**/events/stream*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    await page.goto(`${web.base}/#/inbox`);
    await fillSignIn(page, 'live.legal');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Made while the stream is on its way: no notice will tell of it.
    const subject = 'Live: a cable asked of L before the stream opened';
    const { body } = await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['TOKYO'], paragraphs: [{ marking: 'U', text: 'For information.' }],
    }).expect(201);
    await authed(web.app, drafter).post(`/cables/${body.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    await page.getByRole('link', { name: new RegExp(subject) }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('does not read a screen again under an edit made while the re-read was waiting', async () => {
    const { id } = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Live: a draft marked while its page waits to be read again', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['TOKYO'], paragraphs: [{ marking: 'U', text: 'For information.' }],
    }).expect(201)).body as { id: string };
    // The page's timers are the test's: the re-read the open stream asks for waits until the clock moves.
    const page = await web.browser.newPage({ viewport: DESKTOP });
    await page.clock.install();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let asked!: () => void;
    const ticketAsked = new Promise<void>((resolve) => { asked = resolve; });
    await page.route('**/events/ticket', async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await page.goto(web.base);
    await fillSignIn(page, 'live.desk');
    // A stream slow to open: the screens are shown without it after two seconds, with the unread count.
    await ticketAsked;
    const counted = page.waitForRequest((request) => new URL(request.url()).pathname === '/notifications');
    await page.clock.runFor(2_000);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await counted;
    // The drafter's own draft, its editor open: a record a notice can change, unlike a new draft.
    await page.goto(`${web.base}/#/cables/${id}`);
    const classification = page.getByLabel('Classification', { exact: true });
    await classification.waitFor();
    // The stream opens: the screen, read before it, is to be read again (the count read at `ready` says it has opened)...
    const opened = page.waitForRequest((request) => new URL(request.url()).pathname === '/notifications');
    release();
    await opened;
    // ...and the officer marks the draft before that re-read is due: it is offered, not done under them.
    await classification.selectOption('CONFIDENTIAL');
    await page.clock.runFor(1_000);
    await page.getByText('This has changed since you opened it.').waitFor();
    expect(await classification.inputValue()).toBe('CONFIDENTIAL');
    expect(await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).count()).toBe(2);
    await page.close();
  });

  it('reads the unread count once at sign-in, when the stream is ready, not also before', async () => {
    const counts: string[] = [];
    const page = await web.signIn('live.legal', {
      live: true,
      before: async (p) => {
        p.on('request', (request) => {
          const url = new URL(request.url());
          if (url.pathname === '/notifications') counts.push(`${url.pathname}${url.search}`);
        });
      },
    });
    // Past the wait after which the screens would be shown without the stream: no other count comes.
    await page.waitForTimeout(2_500);
    expect(counts).toEqual(['/notifications?limit=1']);
    await page.close();
  });

  it.each([
    ['a new draft', '/cables/new', 'Subject'],
    ['a new follow-up', '/follow-ups/new', 'Title'],
  ])('does not say that %s has changed when the stream reconnects, and keeps what was typed', async (_what, screen, label) => {
    const page = await web.browser.newPage({ viewport: DESKTOP });
    // The first stream says `ready` and ends at once; the next one is held until the form is being written.
    const { reconnecting: asked, release } = await holdReconnection(page, 'live.desk');
    await page.goto(`${web.base}/#${screen}`);
    await fillSignIn(page, 'live.desk');
    const field = page.getByLabel(label, { exact: true });
    await field.fill('Live: written across a reconnection');
    await asked;
    // The stream opens again: the count read at its `ready` says so.
    const reopened = page.waitForResponse((response) => new URL(response.url()).pathname === '/notifications', { timeout: 10_000 });
    release();
    await reopened;
    // A re-read would be planned within 300 ms of `ready`: well past it, nothing is said to have changed.
    await page.waitForTimeout(1_000);
    expect(await page.getByText('This has changed since you opened it.').count()).toBe(0);
    expect(await field.inputValue()).toBe('Live: written across a reconnection');
    await page.close();
  });

  it('asks for a sign-in over the screen when the session ends elsewhere, and keeps what was typed', async () => {
    const page = await signIn('live.desk');
    await page.goto(`${web.base}/#/cables/new`);
    const subject = page.getByLabel('Subject', { exact: true });
    await subject.fill('Live: a draft typed while the session ends elsewhere');
    // Another window signs out: every session of the user ends, this tab's stream with it.
    await authed(web.app, await login(web.app, 'live.desk', 'live.desk-password-123')).post('/auth/logout').expect(204);
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor({ timeout: 15_000 });
    // The screen stays behind the dialog, out of reach and out of sight, and the dialog has the focus.
    expect(new URL(page.url()).hash).toBe('#/cables/new');
    expect(await subject.inputValue()).toBe('Live: a draft typed while the session ends elsewhere');
    expect(await subject.isVisible()).toBe(false);
    expect(await dialog.textContent()).toContain('You were signed out, or your password was changed');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('username');
    await fillSignIn(dialog, 'live.desk');
    await dialog.waitFor({ state: 'detached' });
    expect(new URL(page.url()).hash).toBe('#/cables/new');
    expect(await subject.inputValue()).toBe('Live: a draft typed while the session ends elsewhere');
    expect(await subject.isVisible()).toBe(true);
    // Signed in again, the screen works on: the draft is saved.
    await subject.fill('Live: a draft saved after signing in again');
    expect((await page.evaluate(() => sessionStorage.getItem('chancery.token'))) !== null).toBe(true);
    await page.close();
  });

  it('follows a change of the user\'s access: the header and screens offered at once, the screen in use said to be read under the old access, a refused save read again', async () => {
    const admin = await loginAsAdmin(web.app);
    const { id: userId, token } = await createUser(web.app, admin, { username: 'live.lowered', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const { body: cable } = await authed(web.app, token).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Live: a secret draft', classification: 'SECRET', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'S', text: 'Secret words of the draft.' }],
      classifiedBy: { name: 'Lowered Officer', title: 'Desk officer', office: 'EAP/CM', reasons: ['1.4(d)'], declassifyOn: '2050-12-31' },
    }).expect(201);
    const page = await signIn('live.lowered');
    await page.goto(`${web.base}/#/cables/${cable.id}`);
    const subject = page.getByLabel('Subject', { exact: true });
    await subject.fill('Live: a secret draft, retitled');
    // A role given: the header and the screens offered follow at once, with no reload.
    await authed(web.app, admin).patch(`/users/${userId}`, { roles: ['drafter', 'auditor'] }).expect(200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('header .who').textContent()).toMatch(/drafter, auditor/);
    // The clearance lowered under the open draft: said as what it is, not as a change of the cable.
    await authed(web.app, admin).patch(`/users/${userId}`, { clearance: 'CONFIDENTIAL' }).expect(200);
    await page.getByRole('status').filter({ hasText: 'An administrator changed your access (roles, clearance, office or post) since you opened this' }).waitFor({ timeout: 15_000 });
    expect(await page.getByText('This has changed since you opened it.').count()).toBe(0);
    expect(await subject.inputValue()).toBe('Live: a secret draft, retitled');
    // Saved all the same, it is refused, and the cable is read again: no longer theirs to read, nothing of it is shown.
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'You may not read this cable' }).waitFor();
    expect(await page.getByText('Secret words of the draft.').count()).toBe(0);
    expect(await page.getByText('Live: a secret draft').count()).toBe(0);
    await page.close();
  });

  it('does not swap a changed text in under a clearer\'s chosen decision: the change is offered, and the decision refused on the old text', async () => {
    // (Signed in afresh: an earlier test ends every session of the drafter.)
    const desk = await login(web.app, 'live.desk', 'live.desk-password-123');
    const { body: cable } = await authed(web.app, desk).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Live: a text cleared as read', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'The text the clearer read.' }],
    }).expect(201);
    await authed(web.app, desk).post(`/cables/${cable.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('live.legal');
    await page.goto(`${web.base}/#/cables/${cable.id}`);
    await page.getByRole('radio', { name: 'Clear', exact: true }).check();
    // The focus leaves the form (a click on the page's text) before the drafter changes the text.
    await page.getByRole('heading', { name: 'Clearances' }).click();
    await authed(web.app, desk).patch(`/cables/${cable.id}`, { paragraphs: [{ marking: 'U', text: 'A text the clearer never read.' }] }).expect(200);
    await page.getByRole('status').filter({ hasText: 'This has changed since you opened it.' }).waitFor({ timeout: 15_000 });
    expect(await page.getByText('A text the clearer never read.').count()).toBe(0);
    await page.getByRole('button', { name: 'Send the decision' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not done: someone changed this cable since you opened it.' }).waitFor();
    const now = (await authed(web.app, desk).get(`/cables/${cable.id}`).expect(200)).body as { clearances: { office: string; status: string }[] };
    expect(now.clearances.find((c) => c.office === 'L')?.status).toBe('PENDING');
    await page.close();
  });

  it('tells a tab of what the same user did in another tab, as of anyone\'s doing', async () => {
    // (The test before signed this user out everywhere: a token of their own for the other tab.)
    const otherTab = await login(web.app, 'live.desk', 'live.desk-password-123');
    const { id } = (await authed(web.app, otherTab).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Live: a draft open in two tabs', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['TOKYO'], paragraphs: [{ marking: 'U', text: 'For information.' }],
    }).expect(201)).body as { id: string };
    const page = await signIn('live.desk');
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('heading', { level: 2, name: '(UNCLASSIFIED) Live: a draft open in two tabs' }).waitFor();
    // The same user, in another tab (here: their token, over the API), changes the subject.
    await authed(web.app, otherTab).patch(`/cables/${id}`, { subject: 'Live: a draft changed in the other tab' }).expect(200);
    await page.getByRole('heading', { level: 2, name: '(UNCLASSIFIED) Live: a draft changed in the other tab' }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('does not call the campaign its own release opened a change by someone else: the campaign appears on the page, its outcome still said', async () => {
    const admin = await loginAsAdmin(web.app);
    const desk = await login(web.app, 'live.desk', 'live.desk-password-123');
    const approver = (await createUser(web.app, admin, { username: 'live.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    const { id } = (await authed(web.app, desk).post('/cables', {
      kind: 'INSTRUCTION', subject: 'Live: demarche on chip exports', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'ETTC'],
      actionAddressees: ['BEIJING', 'TOKYO'], paragraphs: [{ marking: 'U', text: 'Raise our concerns with the ministry.' }],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    }).expect(201)).body as { id: string };
    await authed(web.app, desk).post(`/cables/${id}/submit`).expect(200);
    await authed(web.app, approver).post(`/cables/${id}/approve`).expect(200);

    const page = await signIn('live.approver');
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('button', { name: 'Release…' }).click();
    await page.getByRole('button', { name: 'Release now' }).click();
    const released = page.getByRole('status').filter({ hasText: /^Released\.$/ });
    await released.waitFor();
    // The campaign the release opened (a reaction, moments later) is shown where the page stands.
    await awaitCampaign(web.app, approver, id);
    await page.getByRole('link', { name: 'What the posts report back' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(2_500);
    expect(await page.getByText('This has changed since you opened it.').count()).toBe(0);
    expect(await released.count()).toBe(1);
    await page.close();
  });
});
