import type { Page } from 'playwright-core';
import { webAppUnderTest } from '../support/browser-app.js';
import { awaitDelivery } from '../support/campaigns.js';
import { authed, releaseCable } from '../support/http.js';
import { fillSignIn } from '../support/chromium.js';
import { createUser, loginAsAdmin } from '../support/test-app.js';

const CLASSIFIED_BY = { name: 'Pat Lee', title: 'Director', office: 'EAP/CM', reasons: ['1.4(d)'], declassifyOn: '2050-12-31' };

/**
 * What a screen shows and what it is marked, when answers come late or the screen is read again
 * live; and the dashboard's map under a live re-read and from the keyboard after a click.
 */
describe('screens: their banners, their live re-reads and the map, in headless Chromium', () => {
  let drafter: string;
  let approver: string;
  let beijing: string;
  let campaignId: string;

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, timeout: 180_000,
    setUp: async ({ app }) => {
      const admin = await loginAsAdmin(app);
      drafter = (await createUser(app, admin, { username: 'screens.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      approver = (await createUser(app, admin, { username: 'screens.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
      beijing = (await createUser(app, admin, { username: 'screens.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
      await createUser(app, admin, { username: 'screens.lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
      campaignId = await releaseCable(app, drafter, approver, {
        kind: 'INSTRUCTION', subject: 'Demarche: export of lithography tools', classification: 'CONFIDENTIAL', captions: [], precedence: 'IMMEDIATE', tags: ['PREL', 'ETTC'],
        actionAddressees: ['BEIJING', 'TOKYO'], paragraphs: [{ marking: 'C', text: 'Raise our concerns.' }], classifiedBy: CLASSIFIED_BY,
        demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
      });
      await awaitDelivery(app, beijing, campaignId, 'BEIJING');
      await authed(app, beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/delivery`, { deliveredOn: new Date().toISOString().slice(0, 10), counterpart: { name: 'Li Wei', title: 'Director', organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON' }).expect(201);
    },
  });
  const { signIn } = web;

  const banner = (page: Page) => page.evaluate(() => document.querySelector('[role="note"]')?.textContent ?? null);
  /** Someone at Embassy Beijing logs a meeting: a notice about the campaign, to leadership. */
  const meetingLogged = () =>
    authed(web.app, beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/contacts`, { on: new Date().toISOString().slice(0, 10), counterpart: { name: 'Zhang San', title: 'Deputy Director', organization: 'MFA' }, level: 'DIRECTOR', method: 'PHONE' }).expect(201);
  /** The map's country with the focus (its name), or the focused element's tag elsewhere. */
  const focused = (page: Page) => page.evaluate<string | null>(`document.activeElement?.closest('svg.map') ? document.activeElement.getAttribute('aria-label') : document.activeElement?.tagName ?? null`);

  it('does not let a late answer from an earlier visit to the same address unmark the screen shown', async () => {
    const cable = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'A draft that is marked up', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Nothing yet.' }],
    }).expect(201)).body as { id: string };
    const page = await signIn('screens.drafter');
    // The first visit's read is answered at once (UNCLASSIFIED) but reaches the page late.
    let first = true;
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let answered!: () => void;
    const firstAnswered = new Promise<void>((resolve) => { answered = resolve; });
    await page.route((url) => url.pathname === `/cables/${cable.id}` && !url.search, async (route) => {
      if (!first || route.request().method() !== 'GET') return route.continue();
      first = false;
      const response = await route.fetch();
      answered();
      await held;
      await route.fulfill({ response });
    });
    await page.goto(`${web.base}/#/cables/${cable.id}`);
    await firstAnswered;
    // The officer goes elsewhere; meanwhile the draft is marked SECRET; they come back.
    await page.goto(`${web.base}/#/cables`);
    await authed(web.app, drafter).patch(`/cables/${cable.id}`, { classification: 'SECRET', paragraphs: [{ marking: 'S', text: 'The buyer is named.' }], classifiedBy: CLASSIFIED_BY }).expect(200);
    await page.goto(`${web.base}/#/cables/${cable.id}`);
    await page.getByText('The buyer is named.').first().waitFor();
    await page.getByRole('note', { name: 'Classification: SECRET' }).first().waitFor();
    // The first visit's answer arrives: the page shown is still SECRET, and so is its banner.
    const late = page.waitForResponse((response) => new URL(response.url()).pathname === `/cables/${cable.id}`);
    release();
    await late;
    await page.waitForTimeout(500);
    expect(await banner(page)).toBe('SECRET');
    expect(await page.getByRole('note', { name: 'Classification: SECRET' }).count()).toBe(2);
    await page.close();
  });

  it('marks a screen that stays mounted when only its query changes with its pending answer', async () => {
    const page = await signIn('screens.beijing');
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let asked!: () => void;
    const read = new Promise<void>((resolve) => { asked = resolve; });
    await page.route((url) => url.pathname === `/demarches/${campaignId}/deliveries/BEIJING`, async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/BEIJING`);
    await read;
    // A query added while the delivery loads (a bookmark's): the page is the same, not read again.
    await page.evaluate(() => { location.hash += '?from=bookmark'; });
    await page.waitForFunction(() => location.hash.endsWith('?from=bookmark'));
    release();
    await page.getByRole('heading', { name: /^Embassy Beijing: / }).waitFor();
    await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).first().waitFor({ timeout: 5_000 });
    expect(await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).count()).toBe(2);
    await page.close();
  });

  it('keeps a keyboard user\'s place on the map when the dashboard changes live: the latest is offered instead', async () => {
    const page = await signIn('screens.lead', { live: true });
    const map = page.getByRole('group', { name: /^Map of / });
    await map.getByRole('button', { name: /^China: / }).waitFor();
    await map.getByRole('button').first().focus();
    await page.keyboard.press('End');
    expect(await focused(page)).toMatch(/^Japan: /);
    await meetingLogged();
    await page.getByText('This has changed since you opened it.').waitFor({ timeout: 5_000 });
    expect(await focused(page)).toMatch(/^Japan: /);
    // Shown when asked for.
    await page.getByRole('button', { name: 'Show the latest' }).click();
    await map.getByRole('button', { name: /^China: / }).waitFor();
    expect(await page.getByText('This has changed since you opened it.').count()).toBe(0);
    await page.close();
  });

  it('draws the focus ring once the keyboard is used on a country chosen by a click', async () => {
    const page = await signIn('screens.lead');
    const map = page.getByRole('group', { name: /^Map of / });
    const china = map.getByRole('button', { name: /^China: / });
    await china.click();
    await page.getByRole('heading', { name: 'Posts in China' }).waitFor();
    const ring = page.locator('svg.map path.focus-ring');
    // A click draws no ring...
    expect(await ring.count()).toBe(0);
    // ...a key pressed then does, around the country that has the focus.
    await page.keyboard.press('Space');
    expect(await ring.getAttribute('d', { timeout: 5_000 })).toBe(await china.getAttribute('d'));
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toMatch(/^Japan: /);
    expect(await ring.getAttribute('d', { timeout: 5_000 })).toBe(await map.getByRole('button', { name: /^Japan: / }).getAttribute('d'));
    await page.close();
  });

  it('does not carry a re-read planned for one screen over to the next one opened within its wait', async () => {
    // The page's clock is the test's once the dashboard is shown: the re-read waits until it moves.
    const page = await signIn('screens.lead', { live: true, before: (p) => p.clock.install() });
    await page.getByRole('group', { name: /^Map of / }).getByRole('button', { name: /^China: / }).waitFor();
    await page.clock.pauseAt(Date.now() + 1_000);
    await meetingLogged();
    // The notice reaches the dashboard (no clock is needed for that), and its re-read is planned...
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // ...when the user opens the cables and starts a search: nothing there has changed since it was read.
    await page.goto(`${web.base}/#/cables`);
    await page.getByLabel('Words').focus();
    await page.clock.runFor(1_000);
    await page.waitForTimeout(300);
    expect(await page.getByText('This has changed since you opened it.').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-q');
    await page.close();
  });

  it('keeps the cables list\'s search and sort in its address, the words by name only: Back from a cable, a reload and Back again show each list as it was', async () => {
    await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Weekly note on port visits', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Nothing to add.' }],
    }).expect(201);
    const page = await signIn('screens.drafter');
    await page.goto(`${web.base}/#/cables`);
    const rows = page.getByRole('region', { name: 'Cables found' }).getByRole('row');
    await page.getByRole('link', { name: /Weekly note on port visits/ }).waitFor();
    const everything = await rows.count();
    expect(everything).toBeGreaterThan(2);
    await page.getByLabel('Words').fill('lithography');
    await page.getByLabel('Status').selectOption('RELEASED');
    await page.getByRole('button', { name: 'Search' }).click();
    // The address names the search's words, never holds them (they may quote classified text).
    await page.waitForFunction(() => /^#\/cables\?words=[0-9a-f]{8}&status=RELEASED$/.test(location.hash));
    const searched = await page.evaluate(() => location.hash);
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Cables found"] tr').length === 2);
    // The search button keeps the focus: the screen is the same, only its list changed.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Search');
    await page.getByLabel('Sort by').selectOption('subject');
    expect(await page.evaluate(() => location.hash)).toBe(`${searched}&sort=subject`);
    expect(await page.evaluate(() => location.href)).not.toContain('lithography');
    await page.getByRole('link', { name: /export of lithography tools/ }).click();
    await page.getByRole('heading', { name: /export of lithography tools/ }).first().waitFor();
    await page.goBack();
    await page.getByRole('link', { name: /export of lithography tools/ }).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await page.getByLabel('Words').inputValue()).toBe('lithography');
    expect(await page.getByLabel('Status').inputValue()).toBe('RELEASED');
    expect(await page.getByLabel('Sort by').inputValue()).toBe('subject');
    // A reload keeps the filters and the sort; the words, held in memory only, are asked for again.
    await page.reload();
    await page.getByText('The words of this search are not kept in its address').waitFor();
    await page.getByRole('link', { name: /export of lithography tools/ }).waitFor();
    expect(await page.getByLabel('Words').inputValue()).toBe('');
    expect(await page.getByLabel('Status').inputValue()).toBe('RELEASED');
    expect(await page.getByLabel('Sort by').inputValue()).toBe('subject');
    // Back before the search: every cable again, the form as it was then (a sort only replaced the address).
    await page.goBack();
    await page.waitForFunction(() => location.hash === '#/cables');
    await page.getByRole('link', { name: /Weekly note on port visits/ }).waitFor();
    expect(await rows.count()).toBe(everything);
    expect(await page.getByLabel('Words').inputValue()).toBe('');
    expect(await page.getByLabel('Sort by').inputValue()).toBe('recent');
    await page.close();
  });

  it('marks a cable\'s page by the highest version it shows: marked down from SECRET, it is SECRET to those who may read its first text', async () => {
    const secret = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Source reporting on the ministry', classification: 'SECRET', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'S', text: 'A source in the ministry says so.' }], classifiedBy: CLASSIFIED_BY,
    }).expect(201)).body as { id: string };
    await authed(web.app, drafter).patch(`/cables/${secret.id}`, { classification: 'CONFIDENTIAL', paragraphs: [{ marking: 'C', text: 'The ministry is said to agree.' }] }).expect(200);
    const page = await signIn('screens.drafter');
    await page.goto(`${web.base}/#/cables/${secret.id}`);
    await page.getByRole('heading', { name: 'Who edited what' }).waitFor();
    // The first version's text is on the page (who edited what, the history): so is its marking.
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'SECRET');
    await page.close();
  });

  it('marks a cable\'s page by the replies it lists: a SECRET reply makes a CONFIDENTIAL tasking\'s page SECRET', async () => {
    const admin = await loginAsAdmin(web.app);
    const ambassador = (await createUser(web.app, admin, { username: 'screens.ambeijing', roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    const { mrn } = (await authed(web.app, drafter).get(`/cables/${campaignId}`).expect(200)).body as { mrn: string };
    await releaseCable(web.app, beijing, ambassador, {
      kind: 'REPORTING', subject: 'MFA reply on lithography tools', classification: 'SECRET', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'ETTC', 'CH'],
      actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn }], paragraphs: [{ marking: 'S', text: 'The Vice Minister hinted at a change.' }],
      classifiedBy: { ...CLASSIFIED_BY, office: 'BEIJING' },
    });
    const page = await signIn('screens.drafter');
    await page.goto(`${web.base}/#/cables/${campaignId}`);
    await page.getByRole('link', { name: /MFA reply on lithography tools/ }).waitFor();
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'SECRET');
    await page.close();
  });

  it('unmarks a cable\'s page read again and refused, and the sign-in form reached by Back after signing out; opens a link followed while signed out', async () => {
    const admin = await loginAsAdmin(web.app);
    await createUser(web.app, admin, { username: 'screens.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    // One of the drafting office who signs out: every session of theirs ends, so not the drafter the other tests act as.
    await createUser(web.app, admin, { username: 'screens.leaver', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const asked = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Treaty language on data flows', classification: 'CONFIDENTIAL', captions: ['NOFORN'], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'C', text: 'Proposed language.' }], classifiedBy: CLASSIFIED_BY,
    }).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${asked.id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('screens.legal');
    await page.goto(`${web.base}/#/cables/${asked.id}`);
    await page.getByRole('heading', { name: /Your decision for L/ }).waitFor();
    expect(await banner(page)).toBe('CONFIDENTIAL//NOFORN');
    // The request is withdrawn meanwhile: the decision is refused, the cable read again and refused.
    await authed(web.app, drafter).delete(`/cables/${asked.id}/clearance-requests/L`).expect(200);
    await page.getByRole('radio', { name: 'Clear', exact: true }).check();
    await page.getByRole('button', { name: 'Send the decision' }).click();
    await page.getByRole('heading', { name: 'You may not read this cable' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[role="note"]')?.textContent === 'UNCLASSIFIED');

    // Signed out from a marked screen, Back shows the sign-in form unmarked.
    const other = await signIn('screens.leaver');
    await other.goto(`${web.base}/#/cables/${asked.id}`);
    await other.getByRole('heading', { name: /Treaty language on data flows/ }).first().waitFor();
    expect(await banner(other)).toBe('CONFIDENTIAL//NOFORN');
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
    await other.goBack();
    await other.waitForFunction((id) => location.hash === `#/cables/${id}`, asked.id);
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await banner(other)).toBe('UNCLASSIFIED');
    // A link followed while signed out (here: Back to one), in the same tab, is where the sign-in goes.
    await fillSignIn(other, 'screens.leaver');
    await other.getByRole('heading', { name: /Treaty language on data flows/ }).first().waitFor();
    expect(new URL(other.url()).hash).toBe(`#/cables/${asked.id}`);
    await page.close();
    await other.close();
  });

  it('asks to sign in again when the tab\'s token is gone from its storage, and says no API route', async () => {
    const page = await signIn('screens.drafter');
    await page.goto(`${web.base}/#/cables`);
    await page.getByRole('heading', { name: 'Cables' }).first().waitFor();
    await page.evaluate(() => sessionStorage.removeItem('chancery.token'));
    await page.goto(`${web.base}/#/inbox`);
    await page.getByRole('dialog', { name: 'Your session has ended' }).waitFor({ timeout: 15_000 });
    expect(await page.getByText(/POST \/auth\/login|bearer token/).count()).toBe(0);
    await page.close();
  });

  it('puts away what one user typed when someone else signs in over their ended session', async () => {
    // Their sessions all end: a user of this test's own, not the drafter the other tests act as.
    await createUser(web.app, await loginAsAdmin(web.app), { username: 'screens.typist', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const page = await signIn('screens.typist');
    await page.goto(`${web.base}/#/cables/new`);
    await page.getByLabel('Subject', { exact: true }).fill('Typed and not saved: a source in the ministry');
    await page.waitForFunction(() => Object.keys(sessionStorage).some((key) => key.startsWith('chancery.unsaved:')));
    const token = await page.evaluate(() => sessionStorage.getItem('chancery.token'));
    await authed(web.app, token!).post('/auth/logout').expect(204);
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor({ timeout: 15_000 });
    await fillSignIn(dialog, 'screens.approver');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('chancery.unsaved:')))).toEqual([]);
    await page.close();
  });

  it('carries the captions of what a list shows into its banners: a NOFORN draft among the cables makes the list NOFORN', async () => {
    await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Not for foreign eyes', classification: 'CONFIDENTIAL', captions: ['NOFORN'], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'C', text: 'US only.' }], classifiedBy: CLASSIFIED_BY,
    }).expect(201);
    const page = await signIn('screens.drafter');
    await page.goto(`${web.base}/#/cables`);
    await page.getByRole('link', { name: /Not for foreign eyes/ }).waitFor();
    await page.waitForFunction(() => /\/\/(.*\/)?NOFORN/.test(document.querySelector('[role="note"]')?.textContent ?? ''));
    await page.close();
  });

  it('carries a campaign\'s captions into the banners of its pages, its follow-ups\' and the notifications', async () => {
    const noforn = await releaseCable(web.app, drafter, approver, {
      kind: 'INSTRUCTION', subject: 'Demarche: chip controls, US only', classification: 'CONFIDENTIAL', captions: ['NOFORN'], precedence: 'IMMEDIATE', tags: ['PREL', 'ETTC'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'C', text: 'Raise our concerns.' }], classifiedBy: CLASSIFIED_BY,
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    });
    await awaitDelivery(web.app, beijing, noforn, 'BEIJING');
    const dueOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await authed(web.app, drafter).post('/follow-ups', { title: 'Coordinate the chip-control options', owner: { office: 'EAP/CM' }, dueOn, demarcheId: noforn, post: 'BEIJING' }).expect(201);
    const marked = 'CONFIDENTIAL//NOFORN';
    const desk = await signIn('screens.drafter');
    for (const screen of [`#/campaigns/${noforn}`, `#/follow-ups/new?demarche=${noforn}&post=BEIJING&marking=CONFIDENTIAL`, '#/follow-ups']) {
      await desk.goto(`${web.base}/${screen}`);
      await desk.waitForFunction((text) => document.querySelector('[role="note"]')?.textContent === text, marked, { timeout: 10_000 }).catch(() => undefined);
      expect({ screen, banner: await banner(desk) }).toEqual({ screen, banner: marked });
    }
    await desk.getByRole('link', { name: '(CONFIDENTIAL NOFORN) Coordinate the chip-control options' }).waitFor();
    await desk.close();
    const post = await signIn('screens.beijing');
    for (const screen of [`#/campaigns/${noforn}/posts/BEIJING`, '#/notifications']) {
      await post.goto(`${web.base}/${screen}`);
      await post.waitForFunction((text) => document.querySelector('[role="note"]')?.textContent === text, marked, { timeout: 10_000 }).catch(() => undefined);
      expect({ screen, banner: await banner(post) }).toEqual({ screen, banner: marked });
    }
    await post.close();
  });

  it('signs in once for a double click on "Sign in": one login sent, one token', async () => {
    const page = await web.browser.newPage();
    const logins: string[] = [];
    page.on('request', (request) => { if (new URL(request.url()).pathname === '/auth/login') logins.push(request.method()); });
    await page.goto(web.base);
    await page.getByLabel('Username').fill('screens.approver');
    await page.getByLabel('Password').fill('screens.approver-password-123');
    await page.getByRole('button', { name: 'Sign in' }).dblclick();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(logins).toEqual(['POST']);
    await page.close();
  });

  it('puts the map\'s tab stop on the country last focused or chosen, whichever came last', async () => {
    // Keys typed to find a name are held to one moment: type-ahead cannot depend on the machine's speed.
    const page = await signIn('screens.lead', { before: (p) => p.clock.install() });
    const map = page.getByRole('group', { name: /^Map of / });
    await map.getByRole('button', { name: /^China: / }).waitFor();
    const stop = async (name: string) => {
      await page.locator(`svg.map path[tabindex="0"][aria-label^="${name}:"]`).waitFor({ timeout: 5_000 });
      expect(await page.locator('svg.map path[tabindex="0"]').count()).toBe(1);
    };
    await map.getByRole('button').first().focus();
    await page.clock.pauseAt(Date.now() + 1_000);
    await page.keyboard.type('China');
    await page.keyboard.press('Enter');
    await page.clock.resume();
    await page.getByRole('heading', { name: 'Posts in China' }).waitFor();
    // Chosen China, then moved on to Japan and left the map: Tab comes back to Japan, where the user was.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('map-country');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatch(/^Japan: /);
    await page.keyboard.press('Home');
    await stop('China');
    // Chosen in the list afterwards: the map's stop follows the choice.
    await page.getByLabel('Country', { exact: true }).selectOption('JP');
    await stop('Japan');
    await page.close();
  });

  it('keeps a mouse user\'s campaign, country and moment on the dashboard through a live re-read and a reload', async () => {
    // A second campaign: the dashboard opens on one of the two, and the user chooses the other.
    const second = await releaseCable(web.app, drafter, approver, {
      kind: 'INSTRUCTION', subject: 'Demarche: fisheries access', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
      actionAddressees: ['BEIJING', 'TOKYO'], paragraphs: [{ marking: 'U', text: 'Ask for access.' }], demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    });
    await awaitDelivery(web.app, beijing, second, 'BEIJING');
    const page = await signIn('screens.lead', { live: true });
    const row = page.getByRole('row', { name: /fisheries access/ });
    const mrn = (await row.getByRole('button').first().textContent())!;
    await row.getByRole('button').first().click();
    await page.getByRole('heading', { name: `${mrn}: counterpart positions and delivery by country` }).waitFor();
    await page.getByRole('group', { name: /^Map of / }).getByRole('button', { name: /^China: / }).click();
    await page.getByRole('heading', { name: 'Posts in China' }).waitFor();
    // A moment on the campaign's timeline: the dashboard as it stood right after the campaign opened.
    const opened = page.getByRole('list', { name: `Events of ${mrn}` }).getByRole('button').first();
    await opened.click();
    await page.getByText(/^replayed from the event log to /).waitFor();
    // The user reads on, clicking nowhere in particular: nothing has the focus, so a change re-reads the screen.
    await page.getByRole('heading', { name: 'Where every campaign stands' }).click();
    await page.evaluate(() => document.querySelector('main')!.setAttribute('data-read-before', ''));
    await meetingLogged();
    await page.locator('main:not([data-read-before])').waitFor({ timeout: 5_000 });
    const where = async () => {
      await page.getByRole('heading', { name: 'Posts in China' }).waitFor({ timeout: 5_000 });
      expect(await row.getByRole('button').first().getAttribute('aria-pressed')).toBe('true');
      expect(await page.getByRole('list', { name: `Events of ${mrn}` }).getByRole('button').first().getAttribute('aria-pressed')).toBe('true');
      expect(await page.getByText(/^replayed from the event log to /).count()).toBe(1);
    };
    await where();
    expect(page.url()).toContain(`campaign=${second}`);
    expect(page.url()).toContain('country=CN');
    await page.reload();
    await where();
    // Back to now: the moment leaves the address, the campaign and the country stay.
    await page.getByRole('button', { name: 'Back to now' }).click();
    await page.getByText(/^now$/).waitFor();
    expect(page.url()).not.toContain('at=');
    expect(page.url()).toContain(`campaign=${second}`);
    // An address naming another campaign, followed while the dashboard is shown (same path, so the
    // dashboard stays mounted), is gone to.
    await page.evaluate((id) => (location.hash = `#${location.hash.slice(1).split('?')[0]}?campaign=${id}`), campaignId);
    await page.getByRole('row', { name: /lithography tools/ }).getByRole('button', { pressed: true }).waitFor({ timeout: 5_000 });
    expect(await page.getByRole('heading', { name: /^Posts in / }).count()).toBe(0);
    await page.close();
  });

  it('opens the dashboard on its first campaign when the address names one it does not show, asking nothing of it', async () => {
    const page = await signIn('screens.lead');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const asked: string[] = [];
    page.on('request', (sent) => asked.push(new URL(sent.url()).pathname));
    const elsewhere = '00000000-0000-4000-8000-000000000000';
    // From another screen, so that no dashboard is mounted to write its own place into the address.
    await page.goto(`${web.base}/#/cables`);
    await page.getByLabel('Words').waitFor();
    await page.goto(`${web.base}/#/dashboard?campaign=${elsewhere}&country=CN`);
    await page.getByRole('heading', { name: /: counterpart positions and delivery by country$/ }).waitFor();
    expect(await page.getByRole('row').getByRole('button', { pressed: true }).count()).toBe(1);
    // The country went with the campaign named; the address now names the campaign shown.
    expect(await page.getByRole('heading', { name: /^Posts in / }).count()).toBe(0);
    await page.waitForFunction((stale) => !location.hash.includes(stale), elsewhere);
    expect(asked.filter((path) => path.includes(elsewhere))).toEqual([]);
    // A day that is not on the calendar, and an instant still to come, are not taken either.
    await page.goto(`${web.base}/#/cables`);
    await page.getByLabel('Words').waitFor();
    await page.goto(`${web.base}/#/dashboard?day=2024-02-30&at=2999-01-01T00:00:00.000Z`);
    await page.getByText(/^now$/).waitFor();
    await page.waitForFunction(() => !location.hash.includes('day=') && !location.hash.includes('at='));
    // The bare address is the start page's own: a reload there names the dashboard.
    await page.goto(`${web.base}/#/`);
    await page.reload();
    await page.waitForFunction(() => location.hash.startsWith('#/dashboard'));
    await page.getByRole('heading', { name: /: counterpart positions and delivery by country$/ }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says the map cannot be drawn when the campaign\'s events cannot be read, rather than showing every post pending', async () => {
    const page = await signIn('screens.lead', { before: async (p) => void (await p.route('**/demarches/*/history', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'urn:chancery:problem:database-busy', title: 'Service Unavailable', status: 503, code: 'DATABASE_BUSY', detail: 'The database is busy; try again shortly.' }) }))) });
    await page.getByRole('alert').filter({ hasText: 'could not be read, so its map and country list are not shown' }).waitFor();
    expect(await page.getByRole('group', { name: /^Map of / }).count()).toBe(0);
    expect(await page.getByLabel('Country', { exact: true }).count()).toBe(0);
    await page.close();
  });

  it('says the follow-ups list could not be read, never that there is none', async () => {
    const page = await signIn('screens.lead');
    await page.route(/\/follow-ups\?limit=200/, (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The database is busy; try again.' }) }),
    );
    await page.goto(`${web.base}/#/follow-ups`);
    await page.getByRole('alert').filter({ hasText: /^The follow-ups could not be read\. / }).waitFor();
    expect(await page.getByText('No follow-up action you may read.').count()).toBe(0);
    await page.close();
  });
});
