import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The desktop size the browser tests open their pages at. */
export const DESKTOP = { width: 1366, height: 900 };

/** Headless Chromium as the browser tests run it: no sandbox (CI runs as root), nothing in the background. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The password createUser gives `username`. */
export const passwordOf = (username: string) => `${username}-password-123`;

/** Fills in the sign-in form shown on `page` and signs in (password `<username>-password-123`, as createUser makes it, unless given). */
export async function fillSignIn(page: Page, username: string, password = passwordOf(username)): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface SignInOptions {
  /** Wait until the page's live stream is ready (see signedIn). */
  live?: boolean;
  /** What to do to the page before it first loads (put its clock under the test's control, say). */
  before?: (page: Page) => Promise<void>;
  /** The password, if not the one createUser gives. */
  password?: string;
  /** The page to sign in on (one of a browser context of the test's own, say); a new desktop page by default. */
  page?: Page;
}

/**
 * A new desktop page of the app at `base`, signed in as `username` (password `<username>-password-123`,
 * as createUser makes it). `before`: what to do to the page before it first loads (put its clock under
 * the test's control, say). With `live`, it also waits until the page's live stream is ready: what
 * happens before then is not told on it (the screens read before it opened do not show it either,
 * until the next notice or visit), so a test that makes something happen and waits for the notice
 * starts once it is ready. The app recounts the unread notifications when it signs in and again at
 * the stream's `ready` event: the second count's answer is the sign.
 */
export async function signedIn(browser: Browser, base: string, username: string, { live = false, before, password, page: given }: SignInOptions = {}): Promise<Page> {
  const page = given ?? (await browser.newPage({ viewport: DESKTOP }));
  await before?.(page);
  let counts = 0;
  const ready = new Promise<void>((resolve) =>
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.pathname === '/notifications' && url.search === '?limit=1' && ++counts === 2) resolve();
    }),
  );
  await page.goto(base);
  await fillSignIn(page, username, password);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  if (live) await ready;
  return page;
}
