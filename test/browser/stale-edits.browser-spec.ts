import type { Page } from 'playwright-core';
import { webAppUnderTest } from '../support/browser-app.js';
import { authed } from '../support/http.js';
import { createUser, loginAsAdmin, TEST_ADMIN_PASSWORD } from '../support/test-app.js';

/**
 * Forms filled from a record save on the version they read (`If-Match`): a change someone else made
 * since is neither undone nor decided on unseen. The save is refused (412), the form keeps what was
 * typed and offers the latest; only the fields the form changed are sent. A record that moved on
 * without a change to what the form showed (its user signed out, another office cleared) is saved
 * on still.
 */
describe('forms filled from a record, changed behind their back, in headless Chromium', () => {
  let admin: string;
  let drafter: string;
  let clearer: string;

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, timeout: 180_000,
    setUp: async ({ app }) => {
      admin = await loginAsAdmin(app);
      drafter = (await createUser(app, admin, { username: 'stale.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      clearer = (await createUser(app, admin, { username: 'stale.legal', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    },
  });
  const signIn = (username: string) => web.signIn(username, { live: true });
  /** The bodies of the page's requests by method and path, and their If-Match. */
  const sent = (page: Page, method: string, path: string) => {
    const requests: { body: unknown; ifMatch: string | undefined }[] = [];
    page.on('request', (request) => {
      if (request.method() === method && new URL(request.url()).pathname === path) requests.push({ body: request.postDataJSON(), ifMatch: request.headers()['if-match'] });
    });
    return requests;
  };

  /** The administration screen, signed in as the admin. */
  const signInAsAdmin = async () => {
    const page = await web.signIn('admin', { password: TEST_ADMIN_PASSWORD });
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    return page;
  };

  it('keeps a clearer\'s edit made while the drafter had the editor open: the save is refused, the typed subject kept', async () => {
    const { id } = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Fisheries talks', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'The talks resume in May.' }],
    }).expect(201)).body as { id: string };
    const { version } = (await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200)).body as { version: number };
    const page = await signIn('stale.drafter');
    const patches = sent(page, 'PATCH', `/cables/${id}`);
    await page.goto(`${web.base}/#/cables/${id}`);
    const subject = page.getByLabel('Subject', { exact: true });
    await subject.fill('Fisheries talks: the May round');
    // Meanwhile L rewrites the paragraph.
    await authed(web.app, clearer).patch(`/cables/${id}`, { paragraphs: [{ marking: 'U', text: 'The talks resume in June, L says.' }] }).expect(200);
    await page.getByText('This has changed since you opened it.').waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved: someone changed this since you opened it. Your changes are kept here; reload to see theirs' }).waitFor();
    expect(await subject.inputValue()).toBe('Fisheries talks: the May round');
    // Only the subject was sent, on the version the form read; nothing was written.
    expect(patches).toEqual([{ body: { subject: 'Fisheries talks: the May round' }, ifMatch: `"${version}"` }]);
    let cable = (await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body;
    expect({ subject: cable.subject, paragraphs: cable.paragraphs }).toEqual({ subject: 'Fisheries talks', paragraphs: [{ marking: 'U', text: 'The talks resume in June, L says.' }] });

    // The latest, when asked for: L's paragraph in the form; the subject saved again keeps it.
    await page.getByRole('button', { name: 'Reload the latest' }).click();
    await page.waitForFunction(() => (document.getElementById('para-0') as HTMLTextAreaElement | null)?.value === 'The talks resume in June, L says.', undefined, { timeout: 5_000 });
    await subject.fill('Fisheries talks: the June round');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    cable = (await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body;
    expect({ subject: cable.subject, paragraphs: cable.paragraphs }).toEqual({ subject: 'Fisheries talks: the June round', paragraphs: [{ marking: 'U', text: 'The talks resume in June, L says.' }] });
    await page.close();
  });

  it('does not put back a clearance lowered while an admin had the user open: the save is refused, the typed name kept', async () => {
    const { id } = await createUser(web.app, admin, { username: 'stale.target', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    const page = await signInAsAdmin();
    const patches = sent(page, 'PATCH', `/users/${id}`);
    await page.getByRole('button', { name: 'Edit stale.target' }).click();
    // Another admin lowers the clearance.
    await authed(web.app, admin).patch(`/users/${id}`, { clearance: 'CONFIDENTIAL' }).expect(200);
    await page.getByLabel('Display name').fill('Sam Target');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Not saved: someone changed this since you opened it.' }).waitFor();
    expect(await page.getByLabel('Display name').inputValue()).toBe('Sam Target');
    expect(patches.map((p) => p.body)).toEqual([{ displayName: 'Sam Target' }]);
    let user = (await authed(web.app, admin).get(`/users/${id}`).expect(200)).body;
    expect({ displayName: user.displayName, clearance: user.clearance }).toEqual({ displayName: 'stale.target', clearance: 'CONFIDENTIAL' });

    await page.getByRole('button', { name: 'Reload the latest' }).click();
    await page.waitForFunction(() => (document.getElementById('u-clearance') as HTMLSelectElement | null)?.value === 'CONFIDENTIAL', undefined, { timeout: 5_000 });
    await page.getByLabel('Display name').fill('Sam Target');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/stale\.target updated/).waitFor();
    user = (await authed(web.app, admin).get(`/users/${id}`).expect(200)).body;
    expect({ displayName: user.displayName, clearance: user.clearance }).toEqual({ displayName: 'Sam Target', clearance: 'CONFIDENTIAL' });
    await page.close();
  });

  it('does not move back a follow-up re-dated while its creator had it open', async () => {
    const { id } = (await authed(web.app, drafter).post('/follow-ups', { title: 'Send the fisheries data', owner: { office: 'EAP/CM' }, dueOn: '2099-01-10' }).expect(201)).body as { id: string };
    const page = await signIn('stale.drafter');
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    await page.getByText('Change the title, description, due date or owner').click();
    await page.getByLabel('New due date').fill('2099-02-01');
    // Re-dated from elsewhere (the creator's other tab: a change of one's own is not told live).
    await authed(web.app, drafter).patch(`/follow-ups/${id}`, { dueOn: '2099-03-01' }).expect(200);
    await page.getByRole('button', { name: 'Re-date' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not done: someone changed this follow-up since you opened it.' }).waitFor();
    expect(await page.getByLabel('New due date').inputValue()).toBe('2099-02-01');
    expect((await authed(web.app, drafter).get(`/follow-ups/${id}`).expect(200)).body.dueOn).toBe('2099-03-01');
    await page.getByRole('button', { name: 'Reload the latest' }).click();
    await page.waitForFunction(() => (document.getElementById('fu-redate') as HTMLInputElement | null)?.value === '2099-03-01', undefined, { timeout: 5_000 });
    await page.close();
  });

  it('takes out of a cable what the editor took out of a block: a scope\'s kind unticked is gone on the server, the rest of the scope kept', async () => {
    const { id } = (await authed(web.app, drafter).post('/cables', {
      kind: 'INSTRUCTION', subject: 'Fisheries quotas', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING', 'TOKYO'], paragraphs: [{ marking: 'U', text: 'Raise the quotas with the ministry.' }],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1], scope: { kinds: ['EMBASSY'], excludePosts: ['TOKYO'] } },
    }).expect(201)).body as { id: string };
    const page = await signIn('stale.drafter');
    const patches = sent(page, 'PATCH', `/cables/${id}`);
    await page.goto(`${web.base}/#/cables/${id}`);
    // Saved unchanged: said, nothing sent (the server refuses a merge patch that names nothing).
    await page.getByText('The draft meets every drafting rule.').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing to save: the draft is as it stands.' }).waitFor();
    expect(patches).toEqual([]);
    await page.getByLabel('embassy only').uncheck();
    await page.getByText('The draft meets every drafting rule.').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect((await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body.demarche.scope).toEqual({ excludePosts: ['TOKYO'] });
    // A merge patch of what changed, down to the member taken out: the scope sent whole would keep its kinds.
    expect(patches.map((p) => p.body)).toEqual([{ demarche: { scope: { kinds: null } } }]);
    await page.reload();
    await page.waitForFunction(() => (document.getElementById('scope-excluded') as HTMLInputElement | null)?.value === 'TOKYO', undefined, { timeout: 5_000 });
    expect(await page.getByLabel('embassy only').isChecked()).toBe(false);
    await page.close();
  });

  it('shows and edits every form of the classification block: a derivative source, an event, an exemption', async () => {
    const derived = { name: 'Pat Lee', title: 'Director', office: 'EAP/CM', reasons: [], derivedFrom: '26 STATE 000001', declassifyOn: 'End of the negotiations', exemption: '25X1' };
    const { id } = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Derived from the instruction', classification: 'CONFIDENTIAL', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'C', text: 'As instructed.' }], classifiedBy: derived,
    }).expect(201)).body as { id: string };
    const page = await signIn('stale.drafter');
    const patches = sent(page, 'PATCH', `/cables/${id}`);
    await page.goto(`${web.base}/#/cables/${id}`);
    const derivedFrom = page.getByLabel(/^Derived from/);
    await page.waitForFunction(() => (document.getElementById('classified-derived') as HTMLInputElement | null)?.value === '26 STATE 000001', undefined, { timeout: 5_000 });
    expect(await page.getByLabel(/^or on an event/).inputValue()).toBe('End of the negotiations');
    expect(await page.getByLabel('Declassify on (a date)').inputValue()).toBe('');
    expect(await page.getByLabel(/^Exemption from declassification/).inputValue()).toBe('25X1');
    // An original classification instead: its reasons and a date, the source and the exemption taken out.
    await derivedFrom.fill('');
    await page.getByLabel(/^Reasons/).fill('1.4(b)');
    await page.getByLabel('Declassify on (a date)').fill('2040-12-31');
    await page.getByLabel(/^Exemption from declassification/).selectOption('');
    await page.getByText('The draft meets every drafting rule.').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect((await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body.classifiedBy).toEqual({ name: 'Pat Lee', title: 'Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2040-12-31' });
    expect(patches.map((p) => p.body)).toEqual([{ classifiedBy: { reasons: ['1.4(b)'], derivedFrom: null, declassifyOn: '2040-12-31', exemption: null } }]);
    await page.close();
  });

  it('saves a user\'s new display name although they signed out meanwhile: their profile is as the form read it', async () => {
    const user = await createUser(web.app, admin, { username: 'stale.leaver', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    const page = await signInAsAdmin();
    const patches = sent(page, 'PATCH', `/users/${user.id}`);
    await page.getByRole('button', { name: 'Edit stale.leaver' }).click();
    const read = (await authed(web.app, admin).get(`/users/${user.id}`).expect(200)).body.version as number;
    // The user signs out: their stream moves on, their profile does not.
    await authed(web.app, user.token).post('/auth/logout').expect(204);
    const now = (await authed(web.app, admin).get(`/users/${user.id}`).expect(200)).body.version as number;
    expect(now).toBeGreaterThan(read);
    await page.getByLabel('Display name').fill('Robin Leaver');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/stale\.leaver updated/).waitFor();
    expect(await page.getByText('Not saved: someone changed this since you opened it.').count()).toBe(0);
    // Refused on the version read, sent again on the latest.
    expect(patches).toEqual([{ body: { displayName: 'Robin Leaver' }, ifMatch: `"${read}"` }, { body: { displayName: 'Robin Leaver' }, ifMatch: `"${now}"` }]);
    expect((await authed(web.app, admin).get(`/users/${user.id}`).expect(200)).body.displayName).toBe('Robin Leaver');
    await page.close();
  });

  it('clears for L a cable another office cleared since the page read it, but not one whose text changed', async () => {
    const economics = (await createUser(web.app, admin, { username: 'stale.econ', roles: ['clearer'], office: 'EB', clearance: 'SECRET' })).token;
    const { id } = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Fishing fleet subsidies', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'The subsidies grew again.' }],
    }).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L', 'EB'] }).expect(200);
    const page = await signIn('stale.legal');
    const decisions = sent(page, 'POST', `/cables/${id}/clearances`);
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('heading', { name: 'Your decision for L' }).waitFor();
    // The drafter rewrites the paragraph: L would clear a text it has not read.
    await page.getByRole('radio', { name: 'Clear', exact: true }).check();
    await authed(web.app, drafter).patch(`/cables/${id}`, { paragraphs: [{ marking: 'U', text: 'The subsidies grew again, by a third.' }] }).expect(200);
    await page.getByRole('button', { name: 'Send the decision' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not done: someone changed this cable since you opened it.' }).waitFor();
    expect(decisions).toHaveLength(1);
    let cable = (await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body;
    expect(cable.clearances.find((c: { office: string }) => c.office === 'L').status).toBe('PENDING');

    // Read again, the text is what L clears; EB clears meanwhile, which changes nothing L read.
    await page.getByRole('button', { name: 'Reload the latest' }).click();
    await page.getByText('The subsidies grew again, by a third.').first().waitFor();
    const read = (await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body.version as number;
    const { version: now } = (await authed(web.app, economics).post(`/cables/${id}/clearances`, { office: 'EB', decision: 'CLEARED' }).expect(200)).body as { version: number };
    await page.getByRole('button', { name: 'Send the decision' }).click();
    await page.getByText('Cleared for L.', { exact: true }).waitFor();
    expect(decisions.slice(1).map((d) => d.ifMatch)).toEqual([`"${read}"`, `"${now}"`]);
    cable = (await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body;
    expect(cable.clearances.map((c: { office: string; status: string }) => [c.office, c.status]).sort()).toEqual([['EB', 'CLEARED'], ['L', 'CLEARED']]);
    await page.close();
  });

  it('does not clear over a colleague\'s non-concurrence for the same office made since the page read it', async () => {
    const colleague = (await createUser(web.app, admin, { username: 'stale.legal2', roles: ['clearer'], office: 'L', clearance: 'SECRET' })).token;
    const { id } = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Port state measures', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'The measures enter into force.' }],
    }).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('stale.legal');
    const decisions = sent(page, 'POST', `/cables/${id}/clearances`);
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('heading', { name: 'Your decision for L' }).waitFor();
    await page.getByRole('radio', { name: 'Clear', exact: true }).check();
    await authed(web.app, colleague).post(`/cables/${id}/clearances`, { office: 'L', decision: 'NON_CONCUR', comments: 'Paragraph 1 misstates the treaty.' }).expect(200);
    await page.getByRole('button', { name: 'Send the decision' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not done: someone changed this cable since you opened it.' }).waitFor();
    expect(decisions).toHaveLength(1);
    const cable = (await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body;
    expect(cable.clearances.find((c: { office: string }) => c.office === 'L')).toMatchObject({ status: 'NON_CONCUR', comments: 'Paragraph 1 misstates the treaty.' });
    await page.close();
  });

  it('reads the cable again when a decision is refused because the clearer was moved to another office meanwhile: no decision offered, nor the draft', async () => {
    const mover = await createUser(web.app, admin, { username: 'stale.mover', roles: ['clearer'], office: 'L', clearance: 'SECRET' });
    const { id } = (await authed(web.app, drafter).post('/cables', {
      kind: 'INFORMATIONAL', subject: 'Fisheries access', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
      actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Access talks resume.' }],
    }).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('stale.mover');
    await page.goto(`${web.base}/#/cables/${id}`);
    await page.getByRole('heading', { name: 'Your decision for L' }).waitFor();
    await page.getByRole('radio', { name: 'Clear', exact: true }).check();
    await authed(web.app, admin).patch(`/users/${mover.id}`, { office: 'EB' }).expect(200);
    await page.getByRole('button', { name: 'Send the decision' }).click();
    // In EB they are no longer of its working party: read again, the draft is not theirs to read.
    await page.getByRole('heading', { name: 'You may not read this cable' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Your decision for L' }).count()).toBe(0);
    expect(await page.getByText('Fisheries access').count()).toBe(0);
    const cable = (await authed(web.app, drafter).get(`/cables/${id}`).expect(200)).body;
    expect(cable.clearances.find((c: { office: string }) => c.office === 'L')).toMatchObject({ status: 'PENDING' });
    await page.close();
  });

  it('completes a follow-up commented on since the page read it', async () => {
    const { id } = (await authed(web.app, drafter).post('/follow-ups', { title: 'Send the quota figures', owner: { office: 'EAP/CM' }, dueOn: '2099-01-10' }).expect(201)).body as { id: string };
    const page = await signIn('stale.drafter');
    const completions = sent(page, 'POST', `/follow-ups/${id}/complete`);
    await page.goto(`${web.base}/#/follow-ups/${id}`);
    await page.getByRole('button', { name: 'Complete with this outcome' }).waitFor();
    const read = (await authed(web.app, drafter).get(`/follow-ups/${id}`).expect(200)).body.version as number;
    // A comment from elsewhere: the follow-up's stream moves on, what the page shows of it to act on does not.
    await authed(web.app, drafter).post(`/follow-ups/${id}/comments`, { text: 'The figures are with the desk.', classification: 'UNCLASSIFIED' }).expect(201);
    const now = (await authed(web.app, drafter).get(`/follow-ups/${id}`).expect(200)).body.version as number;
    await page.getByLabel('Comment, outcome or reason').fill('Figures sent to the ministry.');
    await page.getByRole('button', { name: 'Complete with this outcome' }).click();
    await page.getByText('Completed.', { exact: true }).waitFor();
    expect(completions.map((c) => c.ifMatch)).toEqual([`"${read}"`, `"${now}"`]);
    const followUp = (await authed(web.app, drafter).get(`/follow-ups/${id}`).expect(200)).body;
    expect({ status: followUp.status, outcome: followUp.outcome }).toEqual({ status: 'DONE', outcome: 'Figures sent to the ministry.' });
    await page.close();
  });
});
