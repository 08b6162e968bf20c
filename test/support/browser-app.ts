import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Clock } from '@chancery/common';
import { launchChromium, type SignInOptions, signedIn } from './chromium.js';
import { createTestApp } from './test-app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** A browser spec file's app: its database, the API serving the web app on a port, and Chromium. */
export interface WebAppUnderTest {
  readonly database: TestDatabase;
  readonly app: INestApplication;
  /** Where the app listens: `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly browser: Browser;
  /** A new desktop page of the app, signed in as `username` (see signedIn). */
  signIn(username: string, options?: SignInOptions): Promise<Page>;
}

export interface WebAppOptions {
  /** Settings beyond the tests' own (createTestApp's), e.g. `{ SEED_POSTS: 'true' }`. */
  env?: Record<string, string>;
  /** The application's clock, for a file that moves it. */
  clock?: Clock;
  /** Whether the file needs Chromium (default true). */
  chromium?: boolean;
  /** What the file sets up once the app listens and before Chromium starts: its users, cables, campaigns. */
  setUp?: (started: { app: INestApplication; base: string; database: TestDatabase }) => Promise<void>;
  /** How long the set-up may take (ms; Jest's default when not given). */
  timeout?: number;
}

/**
 * Registers the file's `beforeAll` and `afterAll`: a test database of its own, the app on a free
 * port of 127.0.0.1, `setUp`, then Chromium; and at the end Chromium, the app and the database
 * closed, whatever of them was started. What it answers is read in the tests (and in `setUp`), once
 * started.
 */
export function webAppUnderTest({ env, clock, chromium = true, setUp, timeout }: WebAppOptions = {}): WebAppUnderTest {
  let database: TestDatabase | undefined;
  let app: INestApplication | undefined;
  let base: string | undefined;
  let browser: Browser | undefined;
  const started = <T,>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} used before beforeAll started it${what === 'browser' && !chromium ? ' (this file asked for no Chromium)' : ''}`);
    return value;
  };
  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env, clock }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    await setUp?.({ app, base, database });
    if (chromium) browser = await launchChromium();
  }, timeout);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });
  return {
    get database() { return started(database, 'database'); },
    get app() { return started(app, 'app'); },
    get base() { return started(base, 'app'); },
    get browser() { return started(browser, 'browser'); },
    signIn: (username, options) => signedIn(started(browser, 'browser'), started(base, 'app'), username, options),
  };
}

/** axe-core's script, for a page to run. */
export const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2.1 A and AA checks on the page as it is: the serious and critical findings. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })`);
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** What a form says beside a control: the text of what its `aria-describedby` names. */
export async function saidBeside(control: Locator): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  return (await Promise.all(ids.map((id) => control.page().locator(`[id="${id}"]`).textContent()))).join(' ');
}

/** The errors `page` did not catch, as they come. */
export function uncaught(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
