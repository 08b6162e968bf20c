import type { Locator, Page } from 'playwright-core';
import { accessibilityProblems, saidBeside, uncaught, webAppUnderTest } from '../support/browser-app.js';
import { DESKTOP, fillSignIn, holdReconnection, passwordOf } from '../support/chromium.js';
import { authed } from '../support/http.js';
import { createUser, loginAsAdmin, TEST_ADMIN_PASSWORD } from '../support/test-app.js';

/**
 * One's own account and one's own row in the administration screen: what a password change says
 * (and what it does not), the refusals said beside the fields they name, no control the server
 * always refuses for oneself; where the focus goes once a new draft is saved.
 */
describe('the account and administration screens, in headless Chromium', () => {
  let drafter: string;
  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, timeout: 180_000,
    setUp: async ({ app }) => {
      const admin = await loginAsAdmin(app);
      drafter = (await createUser(app, admin, { username: 'acct.desk', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      await createUser(app, admin, { username: 'acct.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
      await createUser(app, admin, { username: 'acct.changer', roles: ['leadership'], office: 'S' });
      await createUser(app, admin, { username: 'acct.typist', roles: ['leadership'], office: 'S' });
      await createUser(app, admin, { username: 'acct.colleague', roles: ['drafter'], office: 'EAP/CM' });
    },
  });
  const draft = (subject: string) => ({
    kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
    actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: `${subject}: the text.` }],
  });
  /** The page's requests, as `METHOD /path?query`, in order. */
  const requested = (page: Page) => {
    const seen: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      seen.push(`${request.method()} ${url.pathname}${url.search}`);
    });
    return seen;
  };
  /** Waits until the focus is on the element `locator` finds (focus moves in an effect after the answer). */
  const focusIsOn = async (locator: Locator) => {
    const handle = await locator.elementHandle();
    await locator.page().waitForFunction((element) => document.activeElement === element, handle, { timeout: 5_000 });
  };

  it('does not say that the account screen changed when it is the user\'s own password change that reopened the live stream', async () => {
    const page = await web.signIn('acct.changer');
    const errors = uncaught(page);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    // The change ends the stream, and the app opens it again with the new token: a ticket, a stream, and at its `ready` the unread count.
    const reopened = page.waitForRequest((request) => new URL(request.url()).pathname === '/events/ticket', { timeout: 15_000 });
    await page.getByLabel('Current password').fill(passwordOf('acct.changer'));
    await page.getByLabel('New password', { exact: true }).fill('amber-lantern-over-the-quay');
    await page.getByLabel('New password again').fill('amber-lantern-over-the-quay');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed. Your other sessions have ended.' }).waitFor();
    await reopened;
    await page.waitForResponse((response) => new URL(response.url()).pathname === '/notifications', { timeout: 10_000 });
    // A re-read would be planned within 300 ms of `ready`: well past it, nothing is said to have changed, and the outcome stays.
    await page.waitForTimeout(1_000);
    expect(await page.getByText('This has changed since you opened it.').count()).toBe(0);
    expect(await page.getByRole('status').filter({ hasText: 'Password changed.' }).count()).toBe(1);
    // Still signed in, on the new token.
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('still reads a screen the stream tells of again after a reconnection, for what changed while it was closed', async () => {
    const page = await web.browser.newPage({ viewport: DESKTOP });
    // The first stream says `ready` and ends at once; the next one is held until the test has made its change.
    const { reconnecting: asked, release } = await holdReconnection(page, 'acct.legal');
    await page.goto(`${web.base}/#/inbox`);
    await fillSignIn(page, 'acct.legal');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await asked;
    // Asked of L while no stream was open: no notice tells of it.
    const subject = 'Reconnection: a cable asked of L in the gap';
    const { id } = (await authed(web.app, drafter).post('/cables', draft(subject)).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    release();
    await page.getByRole('link', { name: new RegExp(subject) }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('says a refused password change beside each field it names, the field marked invalid and described by it', async () => {
    const page = await web.signIn('acct.typist');
    const sent = requested(page);
    await page.getByRole('link', { name: 'Account' }).click();
    const current = page.getByLabel('Current password');
    const next = page.getByLabel('New password', { exact: true });
    const again = page.getByLabel('New password again');
    // A wrong current password: said beside it, the focus brought to it, and once below that nothing changed.
    await current.fill('not-my-password-at-all');
    await next.fill('amber-lantern-over-the-quay');
    await again.fill('amber-lantern-over-the-quay');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not changed. See what is said beside the field.' }).waitFor();
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    expect(await saidBeside(current)).toBe('Current password is not right.');
    await focusIsOn(current);
    expect(await next.getAttribute('aria-invalid')).toBeNull();
    expect(await saidBeside(next)).toMatch(/^At least 12 characters/);
    expect(await accessibilityProblems(page)).toEqual([]);
    // The two new ones differ: said beside the second, nothing sent; the server's refusal before is gone.
    const posts = () => sent.filter((s) => s === 'POST /auth/password').length;
    expect(posts()).toBe(1);
    await current.fill(passwordOf('acct.typist'));
    await again.fill('amber-lantern-over-the-pier');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not changed. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(again)).toBe('The two new passwords differ: type the same one twice.');
    expect(await again.getAttribute('aria-invalid')).toBe('true');
    expect(await current.getAttribute('aria-invalid')).toBeNull();
    await focusIsOn(again);
    expect(posts()).toBe(1);
    // Too short: said beside it by the page itself (not by the browser's own bubble), nothing sent,
    // and no refusal from before left standing beside a field since put right.
    await next.fill('password');
    await again.fill('password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForFunction(() => document.getElementById('pw-new')?.getAttribute('aria-invalid') === 'true');
    expect(await saidBeside(next)).toMatch(/^The new password must be at least 12 characters\. At least 12 characters/);
    expect(await again.getAttribute('aria-invalid')).toBeNull();
    expect(await current.getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByRole('alert').textContent()).toBe('Not changed. See what is said beside the field.');
    await focusIsOn(next);
    expect(posts()).toBe(1);
    await next.fill('amber-lantern-over-the-quay');
    await again.fill('amber-lantern-over-the-pier');
    // The new one is the current one: said beside the new one, with the rules it must meet.
    await next.fill(passwordOf('acct.typist'));
    await again.fill(passwordOf('acct.typist'));
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('New password must differ from the current one.').waitFor();
    expect(await next.getAttribute('aria-invalid')).toBe('true');
    expect(await saidBeside(next)).toMatch(/^New password must differ from the current one\. At least 12 characters/);
    await focusIsOn(next);
    // One easily guessed: named as the form labels it, not by the request's field (it said "The newPassword is…").
    await next.fill('password1234');
    await again.fill('password1234');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('New password is one of the passwords most often found in breaches.').waitFor();
    expect(await page.getByText(/newPassword/).count()).toBe(0);
    expect(await page.getByRole('alert').textContent()).toBe('Not changed. See what is said beside the field.');
    expect(await accessibilityProblems(page)).toEqual([]);
    // Put right, it is changed, and no field is marked any longer.
    await next.fill('amber-lantern-over-the-quay');
    await again.fill('amber-lantern-over-the-quay');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed. Your other sessions have ended.' }).waitFor();
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('offers an admin no control on their own row that the server always refuses, and says refusals as alerts, successes as status', async () => {
    const page = await web.signIn('admin', { password: TEST_ADMIN_PASSWORD });
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByRole('button', { name: 'Disable acct.colleague', exact: true }).waitFor();
    // Disabling oneself is always refused (422): not offered; one's own password is changed on the account screen.
    expect(await page.getByRole('button', { name: 'Disable admin', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reset password of admin', exact: true }).count()).toBe(0);
    const own = page.getByRole('row', { name: /^admin \(you\)/ });
    expect(await own.getByRole('link', { name: 'Change your password' }).getAttribute('href')).toBe('#/account');
    // Nor is taking away one's own admin role: the box stays ticked, and says why.
    await page.getByRole('button', { name: 'Edit admin', exact: true }).click();
    const adminRole = page.getByRole('group', { name: 'Roles' }).getByRole('checkbox', { name: 'Admin' });
    expect(await adminRole.isChecked()).toBe(true);
    expect(await adminRole.isDisabled()).toBe(true);
    expect(await saidBeside(adminRole)).toMatch(/only another admin may take it away/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Another admin's row offers them all.
    await page.getByRole('button', { name: 'Edit acct.colleague', exact: true }).click();
    expect(await page.getByRole('group', { name: 'Roles' }).getByRole('checkbox', { name: 'Admin' }).isDisabled()).toBe(false);
    await page.getByRole('button', { name: 'Cancel' }).click();
    // A new password is asked below the user's row, not in the browser's prompt(); a refusal (a
    // password too easily guessed) is said beside it as an alert, what was typed kept.
    const errors = uncaught(page);
    page.on('dialog', (dialog) => errors.push(`a ${dialog.type()} dialog: ${dialog.message()}`));
    await page.getByRole('button', { name: 'Reset password of acct.colleague' }).click();
    const newPassword = page.getByLabel('New password for acct.colleague');
    await focusIsOn(newPassword);
    await newPassword.fill('password1234');
    await page.getByRole('button', { name: 'Reset password', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /^New password is one of/ }).waitFor();
    expect(await saidBeside(newPassword)).toMatch(/ New password is one of the passwords most often found in breaches\.$/);
    expect(await newPassword.getAttribute('aria-invalid')).toBe('true');
    expect(await newPassword.inputValue()).toBe('password1234');
    expect(await page.getByRole('status').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    // Escape closes it, nothing sent; opened again, a good one resets it, said as a status.
    await newPassword.press('Escape');
    expect(await newPassword.count()).toBe(0);
    await page.getByRole('button', { name: 'Reset password of acct.colleague' }).click();
    await page.getByLabel('New password for acct.colleague').fill('harbour-lamps-at-dusk-9');
    await page.getByRole('button', { name: 'Reset password', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Password of acct.colleague reset; their sessions have ended.' }).waitFor();
    expect(await page.getByLabel('New password for acct.colleague').count()).toBe(0);
    await authed(web.app, await loginAsAdmin(web.app)).post('/auth/login', { username: 'acct.colleague', password: 'harbour-lamps-at-dusk-9' }).expect(200);
    page.removeAllListeners('dialog');
    expect(errors).toEqual([]);
    // A success is a status. Disabling asks why below the row (optional), sent as the reason kept on record.
    await page.getByRole('button', { name: 'Disable acct.colleague', exact: true }).click();
    const why = page.getByLabel('Why disable acct.colleague? (optional)');
    await focusIsOn(why);
    await why.fill('Left the Service');
    const disabling = page.waitForRequest((request) => request.url().endsWith('/disable'));
    await page.getByRole('button', { name: 'Disable acct.colleague', exact: true }).last().click();
    expect((await disabling).postDataJSON()).toEqual({ reason: 'Left the Service' });
    await page.getByRole('status').filter({ hasText: 'acct.colleague disabled.' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    // So on the offices: an office that exists already is refused, as an alert.
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Offices' }).click();
    await page.getByLabel('Office symbol').fill('L');
    await page.getByLabel('Office name').fill('The Legal Adviser, again');
    await page.getByRole('button', { name: 'Add office' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('status').count()).toBe(0);
    await page.close();
  });

  it('shows a user at a post suspended since at that post in the edit form, and keeps it on a save', async () => {
    const admin = await loginAsAdmin(web.app);
    await createUser(web.app, admin, { username: 'acct.suva', roles: ['post_officer'], postCode: 'SUVA' });
    await authed(web.app, admin).post('/posts/SUVA/suspend', { reason: 'Cyclone season closes the chancery' }).expect(200);
    try {
      const page = await web.signIn('admin', { password: TEST_ADMIN_PASSWORD });
      await page.getByRole('button', { name: 'Edit acct.suva', exact: true }).click();
      const post = page.getByLabel(/^Post \(/);
      expect(await post.inputValue()).toBe('SUVA');
      expect(await post.locator('option:checked').textContent()).toMatch(/^SUVA: .* \(suspended\)$/);
      await page.getByLabel('Display name').fill('Suva Officer');
      await page.getByRole('button', { name: /^Save/ }).click();
      await page.getByRole('status').filter({ hasText: /acct\.suva/ }).waitFor();
      const users = (await authed(web.app, admin).get('/users?limit=500').expect(200)).body.items as { username: string; postCode: string; displayName: string }[];
      expect(users.find((u) => u.username === 'acct.suva')).toMatchObject({ postCode: 'SUVA', displayName: 'Suva Officer' });
      await page.close();
    } finally {
      await authed(web.app, admin).post('/posts/SUVA/reopen').expect(200);
    }
  });

  it('finds users by any part of their name, office or post, pages through them, and says a list it could not read', async () => {
    const admin = await loginAsAdmin(web.app);
    for (let n = 0; n < 50; n += 1) await createUser(web.app, admin, { username: `many.${String(n).padStart(2, '0')}`, roles: ['drafter'], office: 'EAP/CM' });
    const total = (await authed(web.app, admin).get('/users?limit=1').expect(200)).body.total as number;
    const page = await web.signIn('admin', { password: TEST_ADMIN_PASSWORD });
    const errors = uncaught(page);
    await page.getByText(`Users 1–50 of ${total}, by username.`).waitFor();
    expect(await page.getByRole('region', { name: 'Users' }).getByRole('row').count()).toBe(51); // and the header
    await page.getByRole('button', { name: 'Next 50' }).click();
    await page.getByText(`Users 51–${Math.min(100, total)} of ${total}, by username.`).waitFor();
    // A search finds one wherever it sits in the order, from the first page of what matches.
    await page.getByLabel('Find a user').fill('MANY.4');
    await page.getByText('Matching users 1–10 of 10, by username.').waitFor();
    await page.getByLabel('Find a user').fill('nobody by that name');
    await page.getByText('No user matches.').waitFor();
    await page.getByLabel('Find a user').fill('many.49');
    await page.getByText('Matching users 1–1 of 1, by username.').waitFor();
    // The edit form opens above the list: the focus goes into it, and back to the row's Edit when it closes.
    const edit = page.getByRole('button', { name: 'Edit many.49', exact: true });
    await edit.click();
    await focusIsOn(page.getByLabel('Display name'));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await focusIsOn(edit);
    // So does the new password's form, below the row, to its Reset password.
    const reset = page.getByRole('button', { name: 'Reset password of many.49' });
    await reset.click();
    await page.getByLabel('New password for many.49').press('Escape');
    await focusIsOn(reset);
    // A list that could not be read is said, with a way to read it again (it was an empty table).
    const usersList = (url: URL) => url.pathname === '/users';
    await page.route(usersList, (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503,"code":"DATABASE_BUSY","detail":"The database is busy"}' }));
    await page.getByLabel('Find a user').fill('many.4');
    await page.getByRole('alert').filter({ hasText: 'The users could not be read' }).waitFor();
    await page.unroute(usersList);
    await page.getByRole('button', { name: 'Read them again' }).click();
    await page.getByText('Matching users 1–10 of 10, by username.').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asks why a post is suspended below its row, says a refusal beside the field, and suspends it on the version shown', async () => {
    const admin = await loginAsAdmin(web.app);
    const page = await web.signIn('admin', { password: TEST_ADMIN_PASSWORD });
    const errors = uncaught(page);
    page.on('dialog', (dialog) => errors.push(`a ${dialog.type()} dialog: ${dialog.message()}`));
    // Each tab has its address: kept on a reload, and on Back.
    const tabs = page.getByRole('navigation', { name: 'Administration' });
    await tabs.getByRole('link', { name: 'Posts' }).click();
    await page.waitForFunction(() => location.hash === '#/admin/posts');
    await page.reload();
    await page.getByLabel('Find a post').waitFor();
    expect(await tabs.getByRole('link', { name: 'Posts' }).getAttribute('aria-current')).toBe('page');
    await tabs.getByRole('link', { name: 'Offices' }).click();
    await page.getByLabel('Office symbol').waitFor();
    await page.goBack();
    await page.getByLabel('Find a post').waitFor();
    await page.getByLabel('Find a post').fill('APIA');
    await page.getByRole('button', { name: /^Suspend .*Apia/ }).click();
    const why = page.getByLabel(/^Why suspend .*Apia/);
    await focusIsOn(why);
    // Blank is refused by the browser (required); spaces reach the server, which names the field.
    await why.fill('   ');
    await page.getByRole('button', { name: /^Suspend .*Apia/ }).last().click();
    await page.getByRole('alert').waitFor();
    expect(await saidBeside(why)).toMatch(/ Say why the post is suspended\.$/);
    expect((await authed(web.app, admin).get('/posts/APIA').expect(200)).body.status).toBe('OPEN');
    // Escape closes it, nothing sent.
    await why.press('Escape');
    expect(await why.count()).toBe(0);
    await page.getByRole('button', { name: /^Suspend .*Apia/ }).click();
    await page.getByLabel(/^Why suspend .*Apia/).fill('Ordered departure');
    await page.getByRole('button', { name: /^Suspend .*Apia/ }).last().click();
    await page.getByRole('status').filter({ hasText: /Apia.*: suspended\./ }).waitFor();
    const post = (await authed(web.app, admin).get('/posts/APIA').expect(200)).body;
    expect(post.status).toBe('SUSPENDED');
    await page.getByRole('button', { name: /^Reopen .*Apia/ }).click();
    await page.getByRole('status').filter({ hasText: /Apia.*: reopened\./ }).waitFor();
    expect((await authed(web.app, admin).get('/posts/APIA').expect(200)).body.status).toBe('OPEN');
    expect(await accessibilityProblems(page)).toEqual([]);
    page.removeAllListeners('dialog');
    expect(errors).toEqual([]);
    // A tab that is none is no page.
    await page.goto(`${web.base}/#/admin/nosuch`);
    await page.getByRole('heading', { name: 'There is no such page' }).waitFor();
    await page.close();
  });

  it('says a refused new user beside each field the refusal names, the field marked invalid and the focus on the first one marked', async () => {
    const page = await web.signIn('admin', { password: TEST_ADMIN_PASSWORD });
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByRole('form', { name: 'New user' });
    const [username, password, displayName] = ['Username', 'Initial password', 'Display name'].map((label) => form.getByLabel(label, { exact: true }));
    const create = form.getByRole('button', { name: 'Create user' });
    await displayName.fill('Colin Colleague');
    await form.getByLabel('Office', { exact: true }).selectOption('EAP/CM');
    // A username someone has (409): said beside it, once below that nothing was saved.
    await username.fill('acct.colleague');
    await password.fill('saffron-meadow-lantern');
    await create.click();
    await form.getByRole('alert').filter({ hasText: 'Not saved. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(username)).toBe('The username acct.colleague is taken.');
    expect(await username.getAttribute('aria-invalid')).toBe('true');
    await focusIsOn(username);
    expect(await accessibilityProblems(page)).toEqual([]);
    // A username of the wrong shape (400, `errors[]`): beside it, and the earlier refusal gone.
    await username.fill('9lives');
    await create.click();
    await page.waitForFunction(() => document.getElementById('u-username-problem')?.textContent?.startsWith('Username must be'));
    expect(await saidBeside(username)).toBe('Username must be 3 to 32 letters (a to z), digits, dots, dashes or underscores, starting with a letter.');
    await focusIsOn(username);
    // A password easily guessed: beside it, the username no longer marked, the focus on the password.
    await username.fill('acct.newcomer');
    await password.fill('password1234');
    await create.click();
    await page.waitForFunction(() => document.getElementById('u-password')?.getAttribute('aria-invalid') === 'true');
    expect(await saidBeside(password)).toMatch(/^Initial password /);
    expect(await username.getAttribute('aria-invalid')).toBeNull();
    expect(await saidBeside(username)).toBe('');
    await focusIsOn(password);
    await password.fill('saffron-meadow-lantern');
    await create.click();
    await page.getByRole('status').filter({ hasText: 'acct.newcomer created.' }).waitFor();
    await page.close();
  });

  it('takes the focus to the new cable\'s heading once its draft is saved, not to the page\'s body', async () => {
    const page = await web.signIn('acct.desk');
    await page.goto(`${web.base}/#/cables/new`);
    const subject = 'Focus: a new draft saved from the keyboard';
    await page.getByLabel('Subject', { exact: true }).fill(subject);
    await page.getByLabel('TAGS').fill('PREL CH');
    await page.getByRole('combobox', { name: /^Action addressees/ }).fill('BEIJING');
    await page.getByRole('combobox', { name: /^Action addressees/ }).press('Enter');
    await page.getByLabel('Paragraph 1', { exact: true }).fill('For information.');
    await page.getByText('The draft meets every drafting rule.').waitFor();
    const save = page.getByRole('button', { name: 'Save draft' });
    await save.focus();
    await save.press('Enter');
    const heading = page.getByRole('heading', { level: 2, name: `(UNCLASSIFIED) ${subject}` });
    await heading.waitFor();
    await focusIsOn(heading);
    expect(page.url()).toMatch(/#\/cables\/[0-9a-f-]{36}$/);
    await page.close();
  });
});
