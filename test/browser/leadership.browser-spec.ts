import { mkdir } from 'node:fs/promises';
import type { INestApplication } from '@nestjs/common';
import { type Browser, chromium } from 'playwright-core';
import { ProjectionRunner } from '@chancery/event-store';
import { authed } from '../support/http.js';
import { createTestApp, createUser, loginAsAdmin } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Screenshots land here; CI keeps them as artifacts. */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the web app, in headless Chromium', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    // A released instruction to ALDAC, answered by Beijing with a rejection.
    const admin = await loginAsAdmin(app);
    const drafter = (await createUser(app, admin, { username: 'web.drafter', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    const approver = (await createUser(app, admin, { username: 'web.approver', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    const beijing = (await createUser(app, admin, { username: 'web.beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    await createUser(app, admin, { username: 'web.lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
    const { body: cable } = await authed(app, drafter).post('/cables', {
      kind: 'INSTRUCTION', subject: 'Demarche: AI model distillation', classification: 'UNCLASSIFIED', captions: [], precedence: 'IMMEDIATE', tags: ['PREL', 'ETTC'],
      actionAddressees: ['ALDAC'], paragraphs: [{ marking: 'U', text: 'Raise our concerns with host governments.' }],
      demarche: { reportBy: '2099-01-01', targets: 'MFA', points: [1] },
    }).expect(201);
    await authed(app, drafter).post(`/cables/${cable.id}/submit`).expect(200);
    await authed(app, approver).post(`/cables/${cable.id}/approve`).expect(200);
    await authed(app, approver).post(`/cables/${cable.id}/release`).expect(200);
    await app.get(ProjectionRunner).catchUp();
    const delivery = `/demarches/${cable.id}/deliveries/BEIJING`;
    await authed(app, beijing).post(`${delivery}/delivery`, { deliveredOn: '2026-11-20', counterpart: { name: 'Wang', title: 'DG', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' }).expect(201);
    await authed(app, beijing).post(`${delivery}/response`, { receivedOn: '2026-11-21', position: 'REJECTED', summary: 'Rejected the demarche.' }).expect(201);
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

  it('signs leadership in and shows the campaign, its counts and Beijing’s rejection on the map', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(base);
    await page.getByLabel('Username').fill('web.lead');
    await page.getByLabel('Password').fill('web.lead-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Where every campaign stands' }).waitFor();
    const banners = page.getByRole('note', { name: /Classification/ });
    expect(await banners.count()).toBe(2);
    expect(await banners.first().textContent()).toBe('UNCLASSIFIED');
    const row = page.getByRole('row', { name: /Demarche: AI model distillation/ });
    expect(await row.textContent()).toContain('1/258');
    // China (an embassy and consulates), coloured as Beijing's rejection.
    const china = page.locator('svg.map path', { has: page.locator('title', { hasText: 'China: REJECTED' }) });
    await china.waitFor();
    expect(await china.getAttribute('fill')).toBe('#b3261e');
    await page.screenshot({ path: new URL('dashboard.png', ARTIFACTS).pathname, fullPage: true });
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
