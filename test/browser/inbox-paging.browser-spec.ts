import type { Page } from 'playwright-core';
import { accessibilityProblems, uncaught, webAppUnderTest } from '../support/browser-app.js';
import { authed } from '../support/http.js';
import { createUser, loginAsAdmin } from '../support/test-app.js';

/**
 * An office with more open follow-ups than a page holds: the inbox says how many there are and shows
 * them a page at a time (*Show more*), the banners marking what each page added; a live re-read
 * shows as many as the user asked to see, not the first page again. The post's taskings page reads
 * its follow-ups the same way.
 */
describe('the inbox a page at a time, in headless Chromium', () => {
  let desk = '';
  let colleague = '';

  const web = webAppUnderTest({
    env: { SEED_POSTS: 'true' }, timeout: 180_000,
    setUp: async ({ app }) => {
      const admin = await loginAsAdmin(app);
      desk = (await createUser(app, admin, { username: 'page.desk', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      colleague = (await createUser(app, admin, { username: 'page.colleague', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
      const beijing = (await createUser(app, admin, { username: 'page.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
      // 120 open follow-ups of the office, by its colleague: the last 20 (due last) CONFIDENTIAL.
      for (let i = 0; i < 120; i++) {
        const classified = i >= 100;
        const title = `${classified ? 'Classified task' : 'Office task'} ${String(i).padStart(3, '0')}`;
        await authed(app, colleague).post('/follow-ups', { title, owner: { office: 'EAP/CM' }, dueOn: classified ? '2099-06-01' : '2099-01-01', ...(classified ? { classification: 'CONFIDENTIAL' } : {}) }).expect(201);
      }
      // 54 owned by Beijing, and one its officer opened for the Japan desk (due first): 55 on its taskings page.
      for (let i = 0; i < 54; i++) await authed(app, colleague).post('/follow-ups', { title: `Beijing task ${String(i).padStart(2, '0')}`, owner: { post: 'BEIJING' }, dueOn: '2099-02-01' }).expect(201);
      await authed(app, beijing).post('/follow-ups', { title: 'Talking points from the desk', owner: { office: 'EAP/J' }, dueOn: '2099-01-15' }).expect(201);
    },
  });

  /** The inbox's reads of its follow-ups, as asked (path and query). */
  const inboxReads = (page: Page) => {
    const reads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/inbox') reads.push(url.pathname + url.search);
    });
    return reads;
  };

  it('says how many follow-ups there are, shows them a page at a time, and keeps as many shown when it reads itself again', async () => {
    let reads: string[] = [];
    // The desk lands on the inbox.
    const page = await web.signIn('page.desk', { live: true, before: async (opened) => void (reads = inboxReads(opened)) });
    const errors = uncaught(page);
    const mine = page.getByRole('region', { name: 'My follow-ups (120)' });
    await mine.waitFor();
    const items = mine.getByRole('listitem');
    expect(await items.count()).toBe(50);
    await mine.getByText('50 of 120 shown.').waitFor();
    const banner = page.getByRole('note', { name: /Classification/ }).first();
    expect(await banner.textContent()).toBe('UNCLASSIFIED');
    expect(await accessibilityProblems(page)).toEqual([]);

    // The next page: its first item takes the focus.
    await mine.getByRole('button', { name: 'Show more' }).click();
    await mine.getByText('100 of 120 shown.').waitFor();
    expect(await items.count()).toBe(100);
    await page.waitForFunction(() => document.activeElement !== null && document.activeElement === document.querySelectorAll('#followUps-list > li')[50]?.querySelector('a'));
    expect(await banner.textContent()).toBe('UNCLASSIFIED');
    // The last: no more to show, and the CONFIDENTIAL ones it added mark the page.
    await mine.getByRole('button', { name: 'Show more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#followUps-list > li').length === 120);
    expect(await mine.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    expect(await mine.getByText(/of 120 shown/).count()).toBe(0);
    await page.getByRole('note', { name: 'Classification: CONFIDENTIAL' }).first().waitFor();
    expect(reads).toEqual(['/inbox', '/inbox?section=followUps&limit=50&offset=50', '/inbox?section=followUps&limit=50&offset=100']);

    // Another follow-up of the office, due first: the inbox reads itself again, and still shows the 120 asked for, of 121.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await authed(web.app, colleague).post('/follow-ups', { title: 'Office task due first', owner: { office: 'EAP/CM' }, dueOn: '2098-12-01' }).expect(201);
    const again = page.getByRole('region', { name: 'My follow-ups (121)' });
    await again.waitFor({ timeout: 15_000 });
    await again.getByText('120 of 121 shown.').waitFor();
    expect(await again.getByRole('listitem').first().textContent()).toMatch(/^\(UNCLASSIFIED\) Office task due first/);
    expect(await again.getByRole('listitem').count()).toBe(120);
    expect(reads.slice(3)).toEqual(['/inbox', '/inbox?section=followUps&limit=70&offset=50']);
    expect(errors).toEqual([]);
  });

  it('pages the follow-ups a post owns, and those its officer opened, on its taskings page, each owned elsewhere said so', async () => {
    let reads: string[] = [];
    const page = await web.signIn('page.beijing', { before: async (opened) => void (reads = inboxReads(opened)) });
    await page.goto(`${web.base}/#/taskings`);
    const owned = page.getByRole('region', { name: 'Follow-ups of the post and those you opened (55)' });
    await owned.waitFor();
    await owned.getByText('50 of 55 shown.').waitFor();
    expect(await owned.getByRole('listitem').count()).toBe(50);
    // The one it opened for the desk is not the post's: its owner is said.
    expect(await owned.getByRole('listitem').first().textContent()).toBe('(UNCLASSIFIED) Talking points from the desk, owned by EAP/J: due 2099-01-15, open');
    expect(await owned.getByRole('listitem').filter({ hasText: 'owned by' }).count()).toBe(1);
    await owned.getByRole('button', { name: 'Show more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#pfu-list > li').length === 55);
    expect(await owned.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    expect(reads.filter((read) => read.includes('section='))).toEqual(['/inbox?section=followUps&limit=50&offset=0', '/inbox?section=followUps&limit=50&offset=50']);
  });
});
