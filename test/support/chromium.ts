import { type Browser, chromium, type Page, type Request } from 'playwright-core';

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
export async function fillSignIn(page: Pick<Page, 'getByLabel' | 'getByRole'>, username: string, password = passwordOf(username)): Promise<void> {
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
 * starts once it is ready. The app reads the unread count at the stream's `ready` event (or, if the
 * stream is slow to open, when it shows the screens without it, and again at `ready`): the sign is
 * the answer to the first count asked after the stream's own answer came.
 */
export async function signedIn(browser: Browser, base: string, username: string, { live = false, before, password, page: given }: SignInOptions = {}): Promise<Page> {
  const page = given ?? (await browser.newPage({ viewport: DESKTOP }));
  await before?.(page);
  const isCount = (url: URL) => url.pathname === '/notifications' && url.search === '?limit=1';
  let streamOpen = false;
  let countAtReady: Request | undefined;
  page.on('request', (request) => {
    if (streamOpen && !countAtReady && isCount(new URL(request.url()))) countAtReady = request;
  });
  const ready = new Promise<void>((resolve) =>
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/events/stream' && response.status() === 200) streamOpen = true;
      else if (countAtReady && response.request() === countAtReady) resolve();
    }),
  );
  await page.goto(base);
  await fillSignIn(page, username, password);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  if (live) await ready;
  return page;
}

/**
 * A live stream that breaks and is held: the page's first stream says `ready` (as `username`'s)
 * and ends at once; the next one, its reconnection, waits until `release()`. `reconnecting` settles
 * when the page asks for it. Call before the page first loads.
 */
export async function holdReconnection(page: Page, username: string): Promise<{ reconnecting: Promise<void>; release: () => void }> {
  let streams = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  let asked!: () => void;
  const reconnecting = new Promise<void>((resolve) => { asked = resolve; });
  await page.route('**/events/stream*', async (route) => {
    if (++streams === 1) return route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `event: ready\ndata: ${JSON.stringify({ user: username })}\n\n` });
    asked();
    await held;
    await route.continue();
  });
  return { reconnecting, release };
}
