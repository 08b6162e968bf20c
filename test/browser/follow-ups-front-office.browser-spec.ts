import type { Page } from 'playwright-core';
import { OverdueScheduler } from '@chancery/demarches';
import { accessibilityProblems, saidBeside, uncaught, webAppUnderTest } from '../support/browser-app.js';
import { authed } from '../support/http.js';
import { createUser, login, loginAsAdmin } from '../support/test-app.js';
import { TestClock } from '../support/test-clock.js';

/**
 * The escalation bureau's front office acts on what is escalated to it from the follow-up's page:
 * a new owner, a new due date or both, in one change on the version shown, and nothing else. The
 * follow-ups' CSV is offered only to the roles the server lets export, and a failed download is said.
 */
describe('follow-ups for the front office and the CSV, in headless Chromium', () => {
  /** The creator of the follow-ups (EAP/CM), signed in again once the clock has moved. */
  let desk: string;
  let frontOffice: string;
  // The application's clock: moved two days on, the follow-ups due today are overdue and escalated.
  const clock = new TestClock(new Date());
  /** The bodies and If-Match of the page's PATCHes of `path`. */
  const patches = (page: Page, path: string) => {
    const sent: { body: unknown; ifMatch: string | undefined }[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH' && new URL(request.url()).pathname === path) sent.push({ body: request.postDataJSON(), ifMatch: request.headers()['if-match'] });
    });
    return sent;
  };
  const followUpIds: Record<'toAct' | 'changedMeanwhile', string> = { toAct: '', changedMeanwhile: '' };

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, clock, timeout: 180_000,
    setUp: async ({ app }) => {
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
    },
  });
  const { signIn } = web;

  it('lets the front office give an escalated follow-up a new owner and due date from its page, and nothing else', async () => {
    const id = followUpIds.toAct;
    const page = await signIn('fo.eap');
    const errors = uncaught(page);
    const sent = patches(page, `/follow-ups/${id}`);
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    await page.getByRole('heading', { name: 'Escalated to your bureau' }).waitFor();
    await page.getByText(/^It is overdue and was escalated to EAP, your bureau: its front office may give it a new owner or a new due date/).waitFor();
    // Only those: no comment, start, outcome or title, and not the owner's and creator's form.
    for (const name of ['Comment', 'Start', 'Complete with this outcome', 'Cancel with this reason']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(await page.getByText('Change the title, description, due date or owner').count()).toBe(0);
    expect(await page.getByLabel('Comment, outcome or reason').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);

    // Nothing changed, or a day in the past: said in the page, nothing sent.
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Give it a new owner or a new due date first.');
    // Each problem is said beside its field, which is marked and described by it; the form says once that nothing was saved.
    const due = page.getByLabel('New due date');
    const ownerBox = page.getByLabel(/^Office symbol/);
    await due.fill('2020-01-01');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved. See what is said beside the field.' }).waitFor();
    expect([await due.getAttribute('aria-invalid'), await saidBeside(due)]).toEqual(['true', 'The new due date cannot be in the past: choose today or a later day.']);
    // A new owner alone: it would be overdue for them at once, and come straight back.
    const { dueOn } = (await authed(web.app, frontOffice).get(`/follow-ups/${id}`).expect(200)).body as { dueOn: string };
    await due.fill(dueOn);
    await ownerBox.fill('EAP/J');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForFunction(() => document.getElementById('fu-escalated-due')?.getAttribute('aria-describedby'));
    expect(await saidBeside(due)).toBe(`It was due on ${dueOn}: give its new owner a new due date with it.`);
    expect(sent).toEqual([]);
    // The server's refusal of the owner (an office whose people only read) is said beside the owner, what was typed kept.
    await createUser(web.app, await loginAsAdmin(web.app), { username: 'fo.oig', roles: ['auditor'], office: 'OIG', clearance: 'SECRET' });
    await ownerBox.fill('OIG');
    await due.fill('2099-02-01');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForFunction(() => document.getElementById('fu-escalated-owner')?.getAttribute('aria-invalid') === 'true');
    expect(await saidBeside(ownerBox)).toMatch(/No one at OIG may work on it/i);
    expect([await ownerBox.inputValue(), await due.inputValue(), await due.getAttribute('aria-invalid')]).toEqual(['OIG', '2099-02-01', null]);
    expect(sent).toHaveLength(1);
    sent.length = 0;

    // Both at once, on the version shown.
    const { version } = (await authed(web.app, frontOffice).get(`/follow-ups/${id}`).expect(200)).body as { version: number };
    await page.getByLabel(/^Office symbol/).fill('EAP/J');
    await page.getByLabel('New due date').fill('2099-02-01');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Reassigned to EAP/J, due date moved to 2099-02-01.' }).waitFor();
    expect(sent).toEqual([{ body: { owner: { office: 'EAP/J' }, dueOn: '2099-02-01' }, ifMatch: `"${version}"` }]);
    const followUp = (await authed(web.app, desk).get(`/follow-ups/${id}`).expect(200)).body;
    expect(followUp).toMatchObject({ owner: { office: 'EAP/J' }, dueOn: '2099-02-01', escalatedTo: null, title: 'Answer the PRC rejection' });
    expect(followUp.history.map((e: { type: string }) => e.type).slice(-3)).toEqual(['FollowUpReassigned', 'FollowUpEscalationResolved', 'FollowUpDueDateChanged']);
    // Resolved, it is no longer theirs to change, and it has left their queue.
    await page.getByText('Only its owner, and its creator while they may open follow-ups, change this follow-up.').waitFor();
    expect(await page.getByRole('heading', { name: 'Escalated to your bureau' }).count()).toBe(0);
    expect((await authed(web.app, frontOffice).get('/inbox').expect(200)).body.escalated.map((f: { followUpId: string }) => f.followUpId)).not.toContain(id);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses the front office\'s change to a follow-up changed since the page read it, and keeps what was typed', async () => {
    const id = followUpIds.changedMeanwhile;
    const page = await signIn('fo.eap');
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    await page.getByRole('heading', { name: 'Escalated to your bureau' }).waitFor();
    await page.getByLabel('New due date').fill('2099-03-01');
    // Meanwhile its creator retitles it (which leaves it escalated).
    await authed(web.app, desk).patch(`/follow-ups/${id}`, { title: 'Brief the Hill and the NSC on the PRC rejection' }).expect(200);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not done: someone changed this follow-up since you opened it.' }).waitFor();
    expect(await page.getByLabel('New due date').inputValue()).toBe('2099-03-01');
    expect((await authed(web.app, desk).get(`/follow-ups/${id}`).expect(200)).body).toMatchObject({ escalatedTo: 'EAP' });
    await page.getByRole('button', { name: 'Reload the latest' }).click();
    await page.getByRole('heading', { name: 'Brief the Hill and the NSC on the PRC rejection' }).waitFor();
    await page.getByLabel('New due date').fill('2099-03-01');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Due date moved to 2099-03-01.' }).waitFor();
    expect((await authed(web.app, desk).get(`/follow-ups/${id}`).expect(200)).body).toMatchObject({ dueOn: '2099-03-01', owner: { office: 'EAP/CM' }, escalatedTo: null });
    await page.close();
  });

  it('lets the creator change a follow-up\'s title and description, sending only what changed on the version shown, problems said beside the fields', async () => {
    const { id, version: created } = (await authed(web.app, desk).post('/follow-ups', {
      title: 'Draft the talking points', description: 'For the deputy secretary\'s call.\nThen the annex.', owner: { office: 'EAP/CM' }, dueOn: '2099-01-01',
    }).expect(201)).body as { id: string; version: number };
    const page = await signIn('fo.desk');
    const errors = uncaught(page);
    const sent = patches(page, `/follow-ups/${id}`);
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    // The description as written, its lines kept.
    expect(await page.getByText('For the deputy secretary\'s call.').evaluate((p) => (p as HTMLElement).innerText)).toBe('For the deputy secretary\'s call.\nThen the annex.');
    await page.getByText('Change the title, description, due date or owner').click();
    const form = page.getByRole('form', { name: 'The title and description' });
    const [title, description] = [form.getByLabel('Title'), form.getByLabel('Description (optional)')];
    const save = form.getByRole('button', { name: 'Save the title and description' });
    expect([await title.inputValue(), await description.inputValue()]).toEqual(['Draft the talking points', 'For the deputy secretary\'s call.\nThen the annex.']);

    // Nothing changed, or no title: said in the page, nothing sent.
    await save.click();
    expect(await page.getByRole('alert').textContent()).toBe('The title and description are as they stand: change one of them first.');
    await title.fill('  ');
    await save.click();
    await page.getByRole('alert').filter({ hasText: 'Not saved. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(title)).toBe('Give the follow-up a title.');
    expect(await title.getAttribute('aria-invalid')).toBe('true');
    expect(sent).toEqual([]);
    // Longer than the server keeps: its refusal is said beside the title.
    const long = `Draft the talking points ${'and the annexes '.repeat(12)}`.trim();
    await title.fill(long);
    await save.click();
    await page.locator('#fu-edit-title-problem', { hasText: 'Title can have at most 200 characters.' }).waitFor();
    expect(await title.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').textContent()).toBe('Not saved. See what is said beside the field.');

    // The title alone, then the description taken away: each sent alone, marked, on the version shown.
    await title.fill('Draft the talking points and the annex');
    await save.click();
    await page.getByRole('status').filter({ hasText: 'Title saved.' }).waitFor();
    await page.getByRole('heading', { name: 'Draft the talking points and the annex' }).waitFor();
    const { version: retitled } = (await authed(web.app, desk).get(`/follow-ups/${id}`).expect(200)).body as { version: number };
    await description.fill('');
    await save.click();
    await page.getByRole('status').filter({ hasText: 'Description removed.' }).waitFor();
    expect(sent).toEqual([
      { body: { title: long, classification: 'UNCLASSIFIED' }, ifMatch: `"${created}"` },
      { body: { title: 'Draft the talking points and the annex', classification: 'UNCLASSIFIED' }, ifMatch: `"${created}"` },
      { body: { description: null, classification: 'UNCLASSIFIED' }, ifMatch: `"${retitled}"` },
    ]);
    expect((await authed(web.app, desk).get(`/follow-ups/${id}`).expect(200)).body).toMatchObject({ title: 'Draft the talking points and the annex', description: '' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers a post\'s officer their own post as a follow-up\'s owner, never another post, and says so before sending', async () => {
    const page = await signIn('fo.beijing');
    const errors = uncaught(page);
    const posted: unknown[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/follow-ups') posted.push(request.postDataJSON());
    });
    await page.goto(`${web.base}/#/follow-ups/new`);
    const form = page.getByRole('form', { name: 'New follow-up action' });
    const owner = form.locator('#fu-new-owner');
    expect(await owner.inputValue()).toBe('BEIJING');
    // The suggestions: BEIJING alone among the posts (the server refuses any other: mayGiveFollowUpTo).
    await page.locator('#fu-new-owners option').first().waitFor({ state: 'attached' });
    expect(await page.locator('#fu-new-owners option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['BEIJING']);
    await form.getByLabel('Title').fill('Ask MFA for a readout');
    await owner.fill('TOKYO');
    await form.getByRole('button', { name: 'Create the follow-up' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not created. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(owner)).toBe('You act for BEIJING: give the follow-up to BEIJING or to an office, not to another post.');
    expect(posted).toEqual([]);
    // An office is still theirs to name; their own post goes through.
    await owner.fill('BEIJING');
    await form.getByRole('button', { name: 'Create the follow-up' }).click();
    await page.getByRole('heading', { name: 'Ask MFA for a readout' }).waitFor();
    expect(posted).toEqual([expect.objectContaining({ owner: { post: 'BEIJING' } })]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers the CSV only to the roles that may export it, and says when the download fails', async () => {
    for (const username of ['fo.beijing', 'fo.legal']) {
      const page = await signIn(username);
      await page.goto(`${web.base}/#/follow-ups`);
      await page.getByRole('heading', { name: 'Follow-up actions' }).waitFor();
      await page.getByRole('region', { name: 'Follow-up actions' }).or(page.getByText('No follow-up action you may read.')).first().waitFor();
      expect({ username, buttons: await page.getByRole('button', { name: 'Download CSV' }).count() }).toEqual({ username, buttons: 0 });
      await page.close();
    }

    // A role that may not open a follow-up, its address typed: the page says so, no form the server would refuse.
    const clearer = await signIn('fo.legal');
    await clearer.goto(`${web.base}/#/follow-ups/new`);
    await clearer.getByRole('heading', { name: 'You do not have access to this page' }).waitFor();
    expect(await clearer.getByRole('button', { name: 'Create the follow-up' }).count()).toBe(0);
    await clearer.close();

    const page = await signIn('fo.eap');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/follow-ups`);
    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect((await downloaded).suggestedFilename()).toBe('follow-ups.csv');
    // The server fails it: said in the page, not left to the console.
    await page.route('**/follow-ups/export.csv', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503}' }));
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('follow-ups.csv was not downloaded. The server could not do this just now; try again in a moment.');
    await page.unroute('**/follow-ups/export.csv');
    // The overdue tab's CSV is of the overdue ones, as the tab lists them.
    await page.goto(`${web.base}/#/follow-ups?view=overdue`);
    await page.getByRole('heading', { name: 'Overdue', exact: true }).waitFor();
    const asked = page.waitForRequest((request) => new URL(request.url()).pathname === '/follow-ups/export.csv');
    const overdue = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the overdue (CSV)' }).click();
    expect(new URL((await asked).url()).search).toBe('?overdue=true');
    expect((await overdue).suggestedFilename()).toBe('follow-ups-overdue.csv');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('names who opened a follow-up, commented on it and changed it by the names they go by, as the cable pages do', async () => {
    const app = web.app;
    const admin = await loginAsAdmin(app);
    const id = (await authed(app, desk).post('/follow-ups', { title: 'Thank the MFA', owner: { office: 'EAP/CM' }, dueOn: clock.now().toISOString().slice(0, 10) }).expect(201)).body.id;
    await authed(app, desk).post(`/follow-ups/${id}/comments`, { text: 'Drafting the note.' }).expect(201);
    const deskId = (await authed(app, desk).get('/auth/me').expect(200)).body.id;
    // Renamed since: the page names them as they are now.
    await authed(app, admin).patch(`/users/${deskId}`, { displayName: 'Dana Desk' }).expect(200);
    const page = await signIn('fo.eap');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    await page.getByRole('heading', { name: 'Thank the MFA' }).waitFor();
    const facts = page.getByRole('region', { name: 'The follow-up' });
    expect(await facts.getByText('Opened by').locator('xpath=following-sibling::dd').textContent()).toBe('Dana Desk');
    expect(await facts.getByRole('listitem').filter({ hasText: 'Drafting the note.' }).textContent()).toMatch(/^Dana Desk: Drafting the note\./);
    const history = page.getByRole('region', { name: 'History' });
    await history.getByText(/Dana Desk/).first().waitFor();
    expect(await history.textContent()).not.toContain('fo.desk');
    expect(await facts.textContent()).not.toContain('fo.desk');
    expect(errors).toEqual([]);
  });

  it('reads a follow-up again when a change is refused as no longer the user\'s, and shows nothing of one they may no longer read', async () => {
    const app = web.app;
    const id = (await authed(app, desk).post('/follow-ups', { title: 'Ask the MFA for the note verbale', owner: { post: 'BEIJING' }, dueOn: clock.now().toISOString().slice(0, 10), classification: 'CONFIDENTIAL' }).expect(201)).body.id;
    const page = await signIn('fo.beijing');
    const errors = uncaught(page);
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    await page.getByRole('heading', { name: 'Ask the MFA for the note verbale' }).waitFor();
    // Given to the desk meanwhile: Beijing's officers no longer read it (unlinked and classified: its owner's, its creator's).
    await authed(app, desk).patch(`/follow-ups/${id}`, { owner: { office: 'EAP/CM' } }).expect(200);
    await page.getByLabel('Comment, outcome or reason').fill('Note requested.');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.getByRole('heading', { name: 'You may not read this follow-up' }).waitFor();
    expect(await page.getByText('Ask the MFA for the note verbale').count()).toBe(0);
    expect(await page.getByLabel('Comment, outcome or reason').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('keeps a follow-up whose title is one long unbroken word within a phone\'s width', async () => {
    const title = 'Asktheministry'.repeat(14).slice(0, 190);
    const id = (await authed(web.app, desk).post('/follow-ups', { title, owner: { office: 'EAP/CM' }, dueOn: clock.now().toISOString().slice(0, 10) }).expect(201)).body.id;
    const page = await signIn('fo.desk');
    await page.setViewportSize({ width: 400, height: 800 });
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    await page.getByRole('heading', { name: title }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
  });
});
