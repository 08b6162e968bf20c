import type { Locator, Page } from 'playwright-core';
import { accessibilityProblems, saidBeside, webAppUnderTest } from '../support/browser-app.js';
import { awaitDelivery } from '../support/campaigns.js';
import { authed, releaseCable } from '../support/http.js';
import { createUser, loginAsAdmin } from '../support/test-app.js';

/**
 * Where the keyboard's focus goes when a panel closes or a screen is read afresh, and what the
 * post's forms refuse before sending (said beside the field, nothing sent); a follow-up that
 * stands alone raised with its description.
 */
describe('the focus, and the checks forms make before sending, in headless Chromium', () => {
  let drafter: string;
  let approver: string;
  let beijing: string;
  let campaignId: string;

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
  /** The paths of the page's POSTs. */
  const posted = (page: Page) => {
    const paths: string[] = [];
    page.on('request', (request) => { if (request.method() === 'POST') paths.push(new URL(request.url()).pathname); });
    return paths;
  };

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, timeout: 180_000,
    setUp: async ({ app }) => {
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
    },
  });
  const { signIn } = web;

  it('gives the focus back to the button that opened a cable\'s panel when it is closed, and to what happened once it is done', async () => {
    const { id } = (await authed(web.app, drafter).post('/cables', draft('Visit of the trade minister')).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${id}/submit`).expect(200);
    const page = await signIn('keys.approver');
    await page.goto(`${web.base}/#/cables/${id}`);
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
    const { id } = (await authed(web.app, drafter).post('/cables', draft('Fisheries talks: the agenda')).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('keys.drafter');
    const deleted: string[] = [];
    page.on('request', (request) => { if (request.method() === 'DELETE') deleted.push(new URL(request.url()).pathname); });
    await page.goto(`${web.base}/#/cables/${id}`);
    const withdraw = page.getByRole('button', { name: 'Withdraw the request to L…' });
    await press(withdraw);
    await focusIsOn(page.getByRole('group', { name: 'Withdraw the request to L?' }));
    await page.keyboard.press('Escape');
    await focusIsOn(withdraw);
    expect(await page.getByRole('group', { name: 'Withdraw the request to L?' }).count()).toBe(0);
    expect(deleted).toEqual([]);
    await page.close();
  });

  it('warns that showing the latest clears what was typed (Escape keeps it), then gives the focus to the refreshed screen\'s heading', async () => {
    const { id } = (await authed(web.app, drafter).post('/cables', draft('Consultations on export controls')).expect(201)).body as { id: string };
    await authed(web.app, drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    const page = await signIn('keys.legal', { live: true });
    await page.goto(`${web.base}/#/cables/${id}`);
    // The clearer is writing comments when the drafter changes the subject: the latest is offered.
    await page.getByRole('radio', { name: 'Clear with comments' }).check();
    await page.getByLabel(/^Comments/).fill('Paragraph 1 needs the treaty citation.');
    await authed(web.app, drafter).patch(`/cables/${id}`, { subject: 'Consultations on export controls: the second round' }).expect(200);
    const showLatest = page.getByRole('button', { name: 'Show the latest' });
    // (The live feed reads past the oldest transaction open on the server: another database's may hold it back a while.)
    await showLatest.waitFor({ timeout: 30_000 });
    await press(showLatest);
    // Showing the latest would clear the comments typed and not sent: said first, the comments kept.
    const anyway = page.getByRole('button', { name: 'Show the latest anyway' });
    await focusIsOn(anyway);
    expect(await page.getByRole('alert').filter({ hasText: 'clears what you have typed here and not sent' }).count()).toBe(1);
    expect(await page.getByLabel(/^Comments/).inputValue()).toBe('Paragraph 1 needs the treaty citation.');
    // Escape keeps what was typed, as "Keep what I typed" does: the warning goes, the focus back on "Show the latest".
    await page.keyboard.press('Escape');
    await focusIsOn(showLatest);
    expect(await page.getByRole('alert').filter({ hasText: 'clears what you have typed here and not sent' }).count()).toBe(0);
    expect(await page.getByLabel(/^Comments/).inputValue()).toBe('Paragraph 1 needs the treaty citation.');
    await press(showLatest);
    await focusIsOn(anyway);
    await press(anyway);
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

  it('removes a paragraph (the focus to the one in its place), takes several addressees typed at once, and offers a post no demarche', async () => {
    const page = await signIn('keys.drafter');
    await page.goto(`${web.base}/#/cables/new`);
    await page.getByLabel('Paragraph 1', { exact: true }).fill('The first paragraph.');
    for (const n of [2, 3]) {
      await page.getByRole('button', { name: 'Add a paragraph' }).click();
      await page.getByLabel(`Paragraph ${n}`, { exact: true }).fill(`The paragraph typed ${n === 2 ? 'second' : 'third'}.`);
    }
    await press(page.getByRole('button', { name: 'Remove paragraph 2' }));
    const second = page.getByLabel('Paragraph 2', { exact: true });
    await focusIsOn(second);
    expect(await second.inputValue()).toBe('The paragraph typed third.');
    expect(await page.getByLabel('Paragraph 3', { exact: true }).count()).toBe(0);
    await press(page.getByRole('button', { name: 'Remove paragraph 2' }));
    // A lone paragraph stays: no button takes it away.
    expect(await page.getByRole('button', { name: /^Remove paragraph/ }).count()).toBe(0);
    const action = page.getByLabel('Action addressees (a post or a collective such as ALDAC or EAP_POSTS)');
    await action.fill('tokyo, seoul;  BEIJING');
    await action.press('Enter');
    const chosen = page.getByRole('list', { name: 'Action addressees chosen' }).getByRole('listitem');
    await chosen.nth(2).waitFor();
    expect(await chosen.allTextContents()).toEqual(['TOKYO ×', 'SEOUL ×', 'BEIJING ×']);
    expect(await page.getByLabel('This cable tasks posts with a demarche').count()).toBe(1);
    await page.close();
    // A post's officer drafts no instruction: no demarche is offered.
    const post = await signIn('keys.beijing');
    await post.goto(`${web.base}/#/cables/new`);
    await post.getByLabel('Subject', { exact: true }).waitFor();
    expect(await post.getByLabel('This cable tasks posts with a demarche').count()).toBe(0);
    await post.close();
  });

  it('gives the focus to the next addressee\'s remove button when one is removed, else to the addressee input', async () => {
    const page = await signIn('keys.drafter');
    await page.goto(`${web.base}/#/cables/new`);
    const input = page.getByLabel('Action addressees (a post or a collective such as ALDAC or EAP_POSTS)');
    for (const code of ['BEIJING', 'TOKYO', 'SEOUL']) {
      await input.fill(code);
      await input.press('Enter');
    }
    const chosen = page.getByRole('list', { name: 'Action addressees chosen' });
    await chosen.getByRole('listitem').nth(2).waitFor();
    // The first removed: its neighbour's button takes the focus, so the keyboard stays in the list.
    await press(chosen.getByRole('button', { name: 'Remove BEIJING' }));
    await focusIsOn(chosen.getByRole('button', { name: 'Remove TOKYO' }));
    expect(await focused(page)).toBe('BUTTON: Remove TOKYO');
    // The last removed: no next one, so the input, where another is added.
    await press(chosen.getByRole('button', { name: 'Remove SEOUL' }));
    await focusIsOn(input);
    await press(chosen.getByRole('button', { name: 'Remove TOKYO' }));
    await focusIsOn(input);
    expect(await chosen.getByRole('listitem').count()).toBe(0);
    await page.close();
  });

  /** Beijing's response form, with what the page posts and the responses it sends. */
  const responseForm = async () => {
    const page = await signIn('keys.beijing');
    const sent = posted(page);
    const responses: unknown[] = [];
    page.on('request', (request) => { if (request.method() === 'POST' && request.url().endsWith('/deliveries/BEIJING/response')) responses.push(request.postDataJSON()); });
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/BEIJING`);
    return { page, sent, responses, form: page.getByRole('form', { name: /^Log the response to / }) };
  };

  it('refuses a translation or a language typed without its quote beside the quote, and sends nothing', async () => {
    const { page, sent, responses, form } = await responseForm();
    await form.getByLabel('Counterpart position').selectOption('RECEPTIVE');
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

  it('checks a quote\'s language as the server does before sending, and says what is wrong beside the language', async () => {
    const page = await signIn('keys.beijing');
    const sent = posted(page);
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/BEIJING`);
    const form = page.getByRole('form', { name: /^Log the response to / });
    await form.getByLabel('Counterpart position').selectOption('RECEPTIVE');
    const language = form.getByLabel(/^Language of the quote/);
    await form.getByLabel('What the counterpart said').fill('Said the quotas would be reviewed.');
    await form.getByLabel(/^A quote/).fill('配额将接受审查。');
    await form.getByLabel(/^Its English translation/).fill('The quotas will be reviewed.');
    // A language's name, a code with a space in it: neither is a language code; nothing is sent.
    for (const typed of ['Chinese', 'zh Hans']) {
      await language.fill(typed);
      await form.getByRole('button', { name: 'Log response' }).click();
      await page.getByRole('alert').filter({ hasText: 'Not logged. See what is said beside the field.' }).waitFor();
      expect(await saidBeside(language)).toBe('Language of the quote must be a language code such as zh or zh-Hans.');
      expect(await language.getAttribute('aria-invalid')).toBe('true');
      await focusIsOn(language);
    }
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(sent.filter((path) => path.endsWith('/response'))).toEqual([]);
    // A code with its script, typed with spaces around it: logged as the code.
    await language.fill(' zh-Hans ');
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Response logged.').waitFor();
    await page.getByText('Translation (from zh-Hans): “The quotas will be reviewed.”').waitFor();
    expect(sent.filter((path) => path.endsWith('/response'))).toHaveLength(1);
    // Logged, the form is left empty: the same words sent again would be a second response.
    expect(await Promise.all(['What the counterpart said', /^A quote/, /^Language of the quote/, /^Its English translation/].map((label) => form.getByLabel(label).inputValue()))).toEqual(['', '', '', '']);
    expect(await form.getByLabel('Counterpart position').inputValue()).toBe('');
    await page.close();
  });

  it('says the server\'s refusal of a quote\'s language beside the language, and never resends the quote rewritten', async () => {
    const page = await signIn('keys.beijing');
    const responses: unknown[] = [];
    page.on('request', (request) => { if (request.method() === 'POST' && request.url().endsWith('/deliveries/BEIJING/response')) responses.push(request.postDataJSON()); });
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/BEIJING`);
    const form = page.getByRole('form', { name: /^Log the response to / });
    await form.getByLabel('Counterpart position').selectOption('RECEPTIVE');
    const language = form.getByLabel(/^Language of the quote/);
    await form.getByLabel('What the counterpart said').fill('Said the licences would be granted by spring.');
    await form.getByLabel(/^A quote/).fill('春天之前会发放许可证。');
    await language.fill('zh');
    await form.getByLabel(/^Its English translation/).fill('The licences will be issued before spring.');
    // A language the page takes and the server refuses (a server whose rule is stricter), named as
    // the request's checks name it, then as the delivery's rules do: said beside the language each time.
    const responding = (url: URL) => url.pathname.endsWith('/deliveries/BEIJING/response');
    for (const field of ['quotes.0.language', 'quotes[0].language']) {
      await page.route(responding, (route) => route.fulfill({
        status: 400, contentType: 'application/problem+json',
        json: { status: 400, title: 'Bad Request', detail: 'language is a BCP 47 tag such as zh or zh-Hans', errors: [{ field, message: 'language is a BCP 47 tag such as zh or zh-Hans' }] },
      }));
      await form.getByRole('button', { name: 'Log response' }).click();
      await page.getByRole('alert').filter({ hasText: 'Not logged. See what is said beside the field.' }).waitFor();
      expect(await saidBeside(language)).toBe('Language of the quote must be a language code such as zh or zh-Hans.');
      expect(await language.getAttribute('aria-invalid')).toBe('true');
      await focusIsOn(language);
      await page.unroute(responding);
    }
    // Sent once a try, as typed: no second request with the quote, its language and translation run into one string.
    const quote = { text: '春天之前会发放许可证。', language: 'zh', translation: 'The licences will be issued before spring.' };
    expect(responses).toEqual([expect.objectContaining({ quotes: [quote] }), expect.objectContaining({ quotes: [quote] })]);
    const logged = (await authed(web.app, beijing).get(`/demarches/${campaignId}/deliveries/BEIJING`).expect(200)).body as { responses: { summary: string }[] };
    expect(logged.responses.map((r) => r.summary)).not.toContain('Said the licences would be granted by spring.');

    // Taken by the server, it is logged with the quote as typed.
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Response logged.').waitFor();
    expect(responses[2]).toEqual(expect.objectContaining({ quotes: [quote] }));
    await page.getByText('Translation (from zh): “The licences will be issued before spring.”').waitFor();
    await page.close();
  });

  it('says no drafting rule broken on a new cable nobody has typed in: only once its field is touched, or a save tried', async () => {
    const page = await signIn('keys.drafter');
    await page.goto(`${web.base}/#/cables/new`);
    const status = page.locator('form p[role="status"]');
    const subject = page.getByLabel('Subject', { exact: true });
    const subjectRule = 'Subject must be 1 to 200 characters, not only spaces or invisible ones.';
    await status.filter({ hasText: 'The draft is checked against the drafting rules as you type.' }).waitFor();
    expect(await status.getAttribute('class')).toBe('muted');
    expect(await page.getByText(subjectRule).count()).toBe(0);
    expect(await subject.getAttribute('aria-invalid')).toBeNull();
    // The subject left empty, once visited: its rule is said.
    await subject.focus();
    await page.keyboard.press('Tab');
    await status.filter({ hasText: subjectRule }).waitFor();
    expect(await status.getAttribute('class')).toBe('error');
    // Mended: the next rule broken is of a field not touched yet, so none is said.
    await subject.fill('Rare earths: the new licensing rules');
    await status.filter({ hasText: 'The draft is checked against the drafting rules as you type.' }).waitFor();
    // Ticking the demarche's box brings its fields into play: what they lack is said.
    await page.getByLabel('TAGS').fill('PREL ETTC');
    await page.getByRole('combobox', { name: /^Action addressees/ }).fill('BEIJING');
    await page.getByRole('combobox', { name: /^Action addressees/ }).press('Enter');
    await page.getByLabel('Paragraph 1', { exact: true }).fill('Raise the new rules.');
    await status.filter({ hasText: 'The draft meets every drafting rule.' }).waitFor();
    await page.getByLabel('This cable tasks posts with a demarche').check();
    await status.filter({ hasText: /^Report-by date must be a date/ }).waitFor();

    // Another new cable, saved untouched: the rule is said at once, beside its field too.
    await page.goto(`${web.base}/#/cables`);
    await page.getByRole('link', { name: 'Draft a new cable' }).click();
    await page.getByRole('button', { name: 'Start afresh' }).click();
    await status.filter({ hasText: 'The draft is checked against the drafting rules as you type.' }).waitFor();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await status.filter({ hasText: subjectRule }).waitFor();
    expect(await saidBeside(subject)).toBe(subjectRule);
    await page.close();
  });

  it('logs a response with several quotes, a row each, added and removed, each checked and refused beside its own fields', async () => {
    const { page, sent, responses, form } = await responseForm();
    await form.getByLabel('Counterpart position').selectOption('NONCOMMITTAL');
    await form.getByLabel('What the counterpart said').fill('The director spoke twice: first of the rules, then of the timing.');
    const row = (n: number) => form.getByRole('group', { name: `Quote ${n}` });
    // One row to start with, and no removing it.
    expect(await form.getByRole('button', { name: /^Remove quote/ }).count()).toBe(0);
    await row(1).getByLabel(/^A quote/).fill('规则不会改变。');
    await row(1).getByLabel(/^Language of the quote/).fill('zh');
    await row(1).getByLabel(/^Its English translation/).fill('The rules will not change.');
    // Another row: the focus goes to its quote.
    await press(form.getByRole('button', { name: 'Add another quote' }));
    await focusIsOn(row(2).getByLabel(/^A quote/));
    await page.keyboard.type('时间还没有定。');
    await row(2).getByLabel(/^Language of the quote/).fill('Chinese');
    await row(2).getByLabel(/^Its English translation/).fill('The timing is not settled.');
    await form.getByRole('button', { name: 'Add another quote' }).click();
    await row(3).getByLabel(/^Its English translation/).fill('A translation of nothing.');
    // Each row is checked as the one quote was: what is wrong is said beside that row's field, nothing sent.
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not logged. See what is said beside the fields.' }).waitFor();
    expect(await saidBeside(row(2).getByLabel(/^Language of the quote/))).toBe('Language of the quote must be a language code such as zh or zh-Hans.');
    expect(await saidBeside(row(3).getByLabel(/^A quote/))).toBe('A translation without a quote cannot be logged: write the quote in the words used, or clear the translation.');
    expect(await row(1).locator('[aria-invalid="true"]').count()).toBe(0);
    await focusIsOn(row(2).getByLabel(/^Language of the quote/));
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(sent.filter((path) => path.endsWith('/response'))).toEqual([]);
    // The third row taken out: the focus goes to the quote before it, the last one left.
    await row(3).getByRole('button', { name: 'Remove quote 3' }).click();
    await focusIsOn(row(2).getByLabel(/^A quote/));
    expect(await row(3).count()).toBe(0);
    await row(2).getByLabel(/^Language of the quote/).fill('zh');
    // The server's refusal of the second quote's language (named by the delivery's rules) is said beside it.
    const responding = (url: URL) => url.pathname.endsWith('/deliveries/BEIJING/response');
    await page.route(responding, (route) => route.fulfill({
      status: 422, contentType: 'application/problem+json',
      json: { status: 422, title: 'Unprocessable Entity', detail: 'language is a BCP 47 tag such as zh or zh-Hans', errors: [{ field: 'quotes[1].language', message: 'language is a BCP 47 tag such as zh or zh-Hans' }] },
    }));
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not logged. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(row(2).getByLabel(/^Language of the quote/))).toBe('Language of the quote must be a language code such as zh or zh-Hans.');
    expect(await row(1).locator('[aria-invalid="true"]').count()).toBe(0);
    await page.unroute(responding);
    // Taken: both quotes are logged, in their order, each with its language and translation.
    await form.getByRole('button', { name: 'Log response' }).click();
    await page.getByText('Response logged.').waitFor();
    const quotes = [{ text: '规则不会改变。', language: 'zh', translation: 'The rules will not change.' }, { text: '时间还没有定。', language: 'zh', translation: 'The timing is not settled.' }];
    expect(responses.at(-1)).toEqual(expect.objectContaining({ quotes }));
    const logged = page.getByRole('article').filter({ hasText: 'The director spoke twice' });
    expect(await logged.locator('blockquote').allTextContents()).toEqual(quotes.map((q) => q.text));
    // The form is left empty, with one row.
    expect(await form.getByRole('group', { name: /^Quote/ }).count()).toBe(1);
    expect(await row(1).getByLabel(/^A quote/).inputValue()).toBe('');
    await page.close();
  });

  it('gives the focus to what happened once the taskings page\'s not-delivered, delivery or response is logged, not to the page\'s body', async () => {
    const tokyo = (await createUser(web.app, await loginAsAdmin(web.app), { username: 'keys.tokyo', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'SECRET' })).token;
    await awaitDelivery(web.app, tokyo, campaignId, 'TOKYO');
    const page = await signIn('keys.tokyo');
    await page.getByRole('heading', { name: 'Taskings for TOKYO' }).waitFor();
    // Each is logged from the keyboard; the form, its button with it, closes once it is logged.
    const report = () => press(page.getByRole('row', { name: /rare earth export licences/ }).getByRole('button', { name: 'Report' }));
    const outcome = (text: string) => page.getByRole('status').filter({ hasText: text });
    await report();
    // Sent without a reason: asked for beside the field, the focus on it, nothing sent.
    await press(page.getByRole('button', { name: 'Record not delivered' }));
    await focusIsOn(page.getByLabel('Why it could not be delivered'));
    expect(await saidBeside(page.getByLabel('Why it could not be delivered'))).toBe('Say why it could not be delivered.');
    expect(await page.getByLabel('Why it could not be delivered').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Why it could not be delivered').fill('The ministry gave no appointment this week.');
    await press(page.getByRole('button', { name: 'Record not delivered' }));
    await focusIsOn(outcome('Recorded as not delivered.'));
    // Delivered later, then answered.
    await report();
    await page.getByLabel('Counterpart name').fill('Sato Kenji');
    await page.getByLabel('Counterpart title').fill('Director');
    // The counterpart's organization left out, level and method not chosen: each asked for beside it.
    await press(page.getByRole('button', { name: 'Log delivery' }));
    await focusIsOn(page.getByLabel('Counterpart organization'));
    expect(await saidBeside(page.getByLabel('Counterpart organization'))).toBe("Give the counterpart's organization.");
    await page.getByLabel('Counterpart organization').fill('MOFA');
    await press(page.getByRole('button', { name: 'Log delivery' }));
    await focusIsOn(page.getByLabel('Level'));
    expect(await Promise.all(['Level', 'Method'].map((label) => saidBeside(page.getByLabel(label))))).toEqual(['Choose the level of the meeting.', 'Choose how it was delivered.']);
    await page.getByLabel('Level').selectOption('DIRECTOR');
    await page.getByLabel('Method').selectOption('IN_PERSON');
    await press(page.getByRole('button', { name: 'Log delivery' }));
    await focusIsOn(outcome('Delivery logged.'));
    await report();
    await page.getByLabel('What the counterpart said').fill('MOFA will study the licences.');
    await press(page.getByRole('button', { name: 'Log response' }));
    await focusIsOn(page.getByLabel('Counterpart position'));
    expect(await saidBeside(page.getByLabel('Counterpart position'))).toBe('Choose the counterpart’s position.');
    await page.getByLabel('Counterpart position').selectOption('NONCOMMITTAL');
    await press(page.getByRole('button', { name: 'Log response' }));
    await focusIsOn(outcome('Response logged.'));
    expect(await focused(page)).toBe('P: Response logged.');
    await page.close();
  });

  it('says beside each field of another meeting what it lacks before sending, and the server\'s refusals there too', async () => {
    const page = await signIn('keys.beijing');
    const sent = posted(page);
    await page.goto(`${web.base}/#/campaigns/${campaignId}/posts/BEIJING`);
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
    // Level and method are chosen, never assumed: asked for beside them too.
    expect(await Promise.all(['Level', 'Method'].map((label) => saidBeside(form.getByLabel(label, { exact: true }))))).toEqual(['Choose the level of the meeting.', 'Choose how the meeting took place.']);
    await form.getByLabel('Level', { exact: true }).selectOption('DIRECTOR_GENERAL');
    await form.getByLabel('Method', { exact: true }).selectOption('IN_PERSON');
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

  it('says beside each field of a new follow-up what is wrong with it, found before sending or refused by the server', async () => {
    const page = await signIn('keys.beijing');
    const sent = posted(page);
    await page.goto(`${web.base}/#/follow-ups/new`);
    await page.getByRole('heading', { name: 'New follow-up action' }).waitFor();
    const form = page.getByRole('form', { name: 'New follow-up action' });
    const [title, owner, due] = [form.getByLabel('Title'), form.getByLabel(/^Post code/), form.getByLabel('Due on')];
    const create = form.getByRole('button', { name: 'Create the follow-up' });

    // No title, no owner, a day gone by: each said beside its field, once below that nothing was created; the focus on the first.
    await owner.fill('');
    await due.fill('2020-01-01');
    await create.click();
    await form.getByRole('alert').filter({ hasText: 'Not created. See what is said beside the fields.' }).waitFor();
    expect(await Promise.all([title, owner, due].map(saidBeside))).toEqual([
      'Give the follow-up a title.', 'Name the owner: a post code such as BEIJING.', 'The due date cannot be in the past: choose today or a later day.',
    ]);
    expect(await Promise.all([title, owner, due].map((field) => field.getAttribute('aria-invalid')))).toEqual(['true', 'true', 'true']);
    await focusIsOn(title);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(sent.filter((path) => path === '/follow-ups')).toEqual([]);

    // A title longer than the server keeps: its refusal is said beside the title, and only there.
    await title.fill(`Call on the vice-minister ${'again '.repeat(30)}`.trim());
    await owner.fill('BEIJING');
    await due.fill('2099-01-01');
    await create.click();
    await form.getByRole('alert').filter({ hasText: 'Not created. See what is said beside the field.' }).waitFor();
    expect(await saidBeside(title)).toBe('Title can have at most 200 characters.');
    expect(await Promise.all([title, owner, due].map((field) => field.getAttribute('aria-invalid')))).toEqual(['true', null, null]);
    await focusIsOn(title);
    expect(sent.filter((path) => path === '/follow-ups')).toEqual(['/follow-ups']);

    await title.fill('Call on the vice-minister again');
    await create.click();
    await page.getByRole('heading', { name: 'Call on the vice-minister again' }).waitFor();
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
    // Opened with the focus on its heading, as a new cable is, not left on the page's body.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H2');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Call on the new Commerce vice-minister');
    await page.getByText('Introduce the new economic counselor and raise the licence backlog.').waitFor();
    // Linked to nothing: no campaign, post or cable sent.
    expect(created).toEqual([{ title: 'Call on the new Commerce vice-minister', description: 'Introduce the new economic counselor and raise the licence backlog.', owner: { post: 'BEIJING' }, dueOn: expect.any(String) }]);
    await page.close();
  });
});
