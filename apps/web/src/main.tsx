import { cloneElement, type ComponentChildren, render, type VNode } from 'preact';
import { useEffect, useErrorBoundary, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { hashAddress } from './address.js';
import { api, type Me, session, SESSION_ENDED, unsaved, followDepartmentCalendar, words } from './api.js';
import { bannerOf } from './classification.js';
import { Account } from './views/Account.js';
import { Admin, ADMIN_TABS, type AdminTab } from './views/Admin.js';
import { Audit } from './views/Audit.js';
import { CablePage } from './views/Cable.js';
import { CableEditor, CableList } from './views/Cables.js';
import { Campaign, Delivery } from './views/Delivery.js';
import { Dashboard } from './views/Dashboard.js';
import { FollowUps } from './views/FollowUps.js';
import { Inbox } from './views/Inbox.js';
import { Notifications } from './views/Notifications.js';
import { useLiveUpdates } from './live.js';
import { SignIn } from './views/SignIn.js';
import { Refused } from './views/FieldProblem.js';
import { Taskings } from './views/Taskings.js';

const DESK = ['drafter', 'clearer', 'approver', 'post_officer', 'leadership'];

/**
 * The screens each role sees, in the order they appear in the navigation; `hidden` screens are
 * reached by links only (a campaign, a post's delivery, a new draft).
 */
const SCREENS: { path: string; label: string; roles: string[] | 'all'; hidden?: boolean }[] = [
  { path: '/inbox', label: 'Inbox', roles: DESK },
  { path: '/dashboard', label: 'Dashboard', roles: ['leadership'] },
  { path: '/taskings', label: 'Taskings', roles: ['post_officer'] },
  { path: '/cables/new', label: 'New cable', roles: ['drafter', 'post_officer'], hidden: true },
  { path: '/cables', label: 'Cables', roles: DESK },
  { path: '/campaigns', label: 'Campaigns', roles: DESK, hidden: true },
  { path: '/follow-ups', label: 'Follow-ups', roles: DESK },
  { path: '/audit', label: 'Audit log', roles: ['auditor', 'admin'] },
  { path: '/admin', label: 'Administration', roles: ['admin'] },
  { path: '/notifications', label: 'Notifications', roles: 'all' },
  { path: '/account', label: 'Account', roles: 'all' },
];

/** Where each kind of user starts. */
function landing(me: Me): string {
  if (me.roles.includes('leadership')) return '/dashboard';
  if (me.roles.includes('post_officer')) return '/taskings';
  if (me.roles.some((r) => DESK.includes(r))) return '/inbox';
  if (me.roles.includes('auditor')) return '/audit';
  if (me.roles.includes('admin')) return '/admin';
  return '/account';
}

/** Opens `route` in the current page's place in the history (Back skips what it replaces). */
function goInPlace(route: string): void {
  history.replaceState(history.state, '', `#${route}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The hash route: its path and its query (`#/follow-ups/new?post=BEIJING`). */
function useHashRoute(): { path: string; query: URLSearchParams } {
  const [route, setRoute] = useState(hashAddress);
  useEffect(() => {
    const onChange = () => {
      setRoute(hashAddress());
      window.scrollTo(0, 0);
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Why the screen in use is offered afresh rather than read again under the user's hands. */
const changedText = {
  record: 'This has changed since you opened it.',
  standing: 'An administrator changed your access (roles, clearance, office or post) since you opened this: it shows what you could read then.',
} as const;

function NotFound({ me }: { me: Me }) {
  return (
    <section class="card" aria-labelledby="missing-h">
      <h2 id="missing-h">There is no such page</h2>
      <p>The address may be mistyped or out of date.</p>
      <p><a href={`#${landing(me)}`}>Go to your start page</a></p>
    </section>
  );
}

/** A screen that fails while drawing (an answer of an unexpected shape) says so instead of blanking the app. */
function Guard({ children }: { children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary((failure) => console.error(failure));
  if (!error) return <>{children}</>;
  return (
    <section class="card" role="alert">
      <h2>This page could not be shown</h2>
      <p>Something in it was not as the page expected. The other screens still work.</p>
      <p><button type="button" onClick={reset}>Try again</button> <a href="#/">Go to your start page</a></p>
    </section>
  );
}

/**
 * One mounted copy of a screen: it hands the screen a report bound to a token of its own, taken
 * only while this copy is the one mounted. A copy left behind (a path left, a query that remounts
 * the screen, a live re-read, an earlier visit to the same address) cannot mark or unmark the
 * screen shown with its late answer; a screen that stays mounted when only its query changes
 * keeps its token, so its pending answer still marks it.
 */
function Screen({ path, shown, onReport, children }: { path: string; shown: { current: object | null }; onReport: (path: string, classifications: string[]) => void; children: VNode<{ onClassifications?: (c: string[]) => void }> }) {
  // Made current as this copy first renders, before any answer it asks for can come back.
  const [token] = useState(() => (shown.current = {}));
  useLayoutEffect(() => () => {
    if (shown.current === token) shown.current = null;
  }, []);
  const [report] = useState(() => (classifications: string[]) => {
    if (shown.current === token) onReport(path, classifications);
  });
  return cloneElement(children, { onClassifications: report });
}

/**
 * Puts the focus on the main heading of the screen shown (made focusable for it), once the screen
 * has drawn it: a screen read afresh says "Loading…" first. Not when the user has put the focus
 * somewhere in the meantime. Answers a function that stops waiting.
 */
function focusMainHeading(): () => void {
  const moved = () => {
    const heading = document.querySelector<HTMLElement>('main h2');
    if (!heading) return false;
    const active = document.activeElement;
    if (active === null || active === document.body) {
      heading.tabIndex = -1;
      heading.focus();
    }
    return true;
  };
  if (moved()) return () => undefined;
  const observer = new MutationObserver(() => moved() && stop());
  const timer = setTimeout(() => stop(), 10_000);
  const stop = () => {
    observer.disconnect();
    clearTimeout(timer);
  };
  observer.observe(document.body, { childList: true, subtree: true });
  return stop;
}

/** A classification banner line: the highest of `markings`, with their captions (`bannerOf`). */
function Banner({ markings }: { markings: readonly string[] }) {
  const { classification, text } = bannerOf(markings);
  return <div class={`banner ${classification}`} role="note" aria-label={`Classification: ${text}`}>{text}</div>;
}

function App() {
  const { path, query } = useHashRoute();
  const [me, setMeShown] = useState<Me | null>(null);
  // The user's dates are judged on the Department's calendar, as their /auth/me names it.
  const setMe = (user: Me | null) => {
    if (user) followDepartmentCalendar(user);
    setMeShown(user);
  };
  /**
   * The classifications the mounted screen reported, with its path: another screen (one that
   * reports nothing, such as "You do not have access", or one still loading) starts unclassified.
   * The same screen mounted afresh (a live re-read, a new query) keeps what its copy before it
   * reported until it reports itself: the banner errs on the side of the higher marking.
   */
  const [onScreen, setOnScreen] = useState<{ path: string; classifications: string[] }>({ path, classifications: [] });
  /** The token of the screen copy mounted (see Screen): only its reports are taken. */
  const shown = useRef<object | null>(null);
  const report = (at: string, classifications: string[]) => setOnScreen({ path: at, classifications });
  /**
   * The session ended under a screen (a sign-out or a password change in another window, an
   * administrator's reset): a sign-in is asked for over it, in a dialog, and the screen stays as it
   * is, typed text and all; signed in again as the same user, it goes on where it was, the live
   * stream opened anew (`stream`). With no user shown yet, the sign-in page is opened instead.
   */
  const [ended, setEnded] = useState(false);
  /** Why the session ended, as the server said it (a disabled account is told so). */
  const [endedWhy, setEndedWhy] = useState<string | null>(null);
  const [stream, setStream] = useState(0);
  const meShown = useRef<Me | null>(null);
  meShown.current = me;
  useEffect(() => {
    const onEnded = (event: Event) => {
      setEndedWhy(((event as CustomEvent).detail as string | null) ?? null);
      if (meShown.current) return setEnded(true);
      session.rememberDestination();
      location.hash = '#/sign-in';
    };
    addEventListener(SESSION_ENDED, onEnded);
    return () => removeEventListener(SESSION_ENDED, onEnded);
  }, []);
  // The user's standing changed (an administrator changed their roles, clearance, office or post):
  // read again, so that the header, the screens offered and each screen's controls follow it.
  const readMeAgain = () => void api<Me>('GET', '/auth/me').then(setMe, () => undefined);
  const live = useLiveUpdates(Boolean(me), path, stream, readMeAgain);
  /**
   * "Show the latest" reads the screen afresh, and its button goes with the screen it was on: the
   * focus goes to the top of the refreshed screen, its main heading, so that a keyboard or screen
   * reader user goes on from there rather than from the page's body.
   */
  const headingWanted = useRef(false);
  /**
   * The text boxes typed in on this screen since it was last read: "Show the latest" reads it
   * afresh, which clears them, so it first says so when one still holds what was typed and not sent
   * (a form that sent it is emptied, and warns of nothing).
   */
  const typedIn = useRef(new Set<HTMLInputElement | HTMLTextAreaElement>());
  const noteTyping = (event: Event) => {
    const box = event.target;
    if (box instanceof HTMLTextAreaElement || (box instanceof HTMLInputElement && box.type !== 'hidden')) typedIn.current.add(box);
  };
  const [warnOfLoss, setWarnOfLoss] = useState(false);
  const anyway = useRef<HTMLButtonElement>(null);
  const showLatest = () => {
    const unsent = [...typedIn.current].some((box) => box.isConnected && (box instanceof HTMLInputElement && box.type === 'file' ? (box.files?.length ?? 0) > 0 : box.value.trim() !== ''));
    if (unsent && !warnOfLoss) {
      setWarnOfLoss(true);
      return;
    }
    setWarnOfLoss(false);
    typedIn.current.clear();
    headingWanted.current = true;
    live.refresh();
  };
  /** "Keep what I typed" (or Escape): the warning goes, and the focus to the "Show the latest" that comes back. */
  const latest = useRef<HTMLButtonElement>(null);
  const kept = useRef(false);
  const keepTyped = () => {
    kept.current = true;
    setWarnOfLoss(false);
  };
  useEffect(() => {
    if (warnOfLoss) anyway.current?.focus();
    else if (kept.current) latest.current?.focus();
    kept.current = false;
  }, [warnOfLoss]);
  useEffect(() => {
    typedIn.current.clear();
    setWarnOfLoss(false);
  }, [path]);
  useEffect(() => {
    if (!headingWanted.current) return undefined;
    headingWanted.current = false;
    return focusMainHeading();
  }, [live.revision]);
  /**
   * A screen opened by an action whose control went with the screen it was on (a new draft saved
   * opens its cable's page): the focus goes to the new screen's main heading, the record's, rather
   * than falling to the page's body.
   */
  const headingOnArrival = useRef(false);
  const openWithFocus = (hash: string) => {
    headingOnArrival.current = true;
    location.hash = hash;
  };
  useEffect(() => {
    if (!headingOnArrival.current) return undefined;
    headingOnArrival.current = false;
    return focusMainHeading();
  }, [path]);

  /**
   * The token the user shown was read with. The sign-in form reads who signed in, to take them to
   * their start page: with the token it was read with, the user is not read again. A page loaded
   * with the tab's token, or a new token (a password changed), reads the user here.
   */
  const readWith = useRef<string | null>(null);
  useEffect(() => {
    if (!session.token) {
      if (meShown.current) return; // ended under a screen: the dialog asks
      session.rememberDestination();
      location.hash = '#/sign-in';
      return;
    }
    if (readWith.current === session.token) return;
    api<Me>('GET', '/auth/me').then((user) => {
      // The bare address (`/`, a reload at the root) names the user's start page: one address a
      // screen, so that a place a screen keeps in its address (the dashboard's) is the same one
      // whichever way the screen was reached.
      if (hashAddress().path === '/') goInPlace(landing(user));
      setMe(user);
    }, () => undefined);
  }, [session.token]);

  // Logging out ends the token on the server too, not only in this tab.
  const signOut = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    session.token = null;
    unsaved.forgetAll();
    setMe(null);
    setEnded(false);
    location.hash = '#/sign-in';
  };
  const banner = <Banner markings={onScreen.path === path ? onScreen.classifications : []} />;

  // The sign-in page is for those not signed in: one reached by Back (or typed) while signed in
  // gives way to the start page, in its place in the history.
  const signedInOnSignIn = path === '/sign-in' && session.token !== null && me !== null;
  useEffect(() => {
    if (signedInOnSignIn) goInPlace(landing(me!));
  }, [signedInOnSignIn]);
  if (path === '/sign-in' || (!session.token && !me)) {
    // A link opened while signed out (the sign-in form shown at its address) is opened once signed in.
    const linked = path === '/sign-in' || path === '/' ? null : location.hash.slice(1);
    // The sign-in form shows no record: unmarked, whatever the screen at this address showed before.
    const unmarked = <Banner markings={[]} />;
    return (
      <>
        {unmarked}
        {/* Signed in, the sign-in page's place in the history is the page they go to: Back does not show the form again. */}
        <SignIn onSignedIn={(user) => { readWith.current = session.token; unsaved.forgetAllBut(user.id); setMe(user); const remembered = session.takeDestination(); goInPlace(linked ?? remembered ?? landing(user)); }} />
        {unmarked}
      </>
    );
  }
  // The screens are read once the live stream is open (see useLiveUpdates), so that they miss nothing.
  if (!me || !live.ready) return <main><p>Loading…</p></main>;
  const screens = SCREENS.filter((s) => s.roles === 'all' || s.roles.some((r) => me.roles.includes(r)));
  const known = SCREENS.find((s) => path === s.path || path.startsWith(`${s.path}/`));
  const current = path === '/' ? screens.find((s) => s.path === landing(me)) : screens.find((s) => s === known);
  const segments = path.split('/').filter(Boolean);
  // Each screen's onClassifications is replaced by Screen's, bound to the screen's mounted copy.
  const unbound = () => undefined;
  const common = { me, onClassifications: unbound };
  let page;
  if (!current) page = known ? <Refused me={me} what={`“${known.label}”`} back={{ href: `#${landing(me)}`, text: 'Go to your start page' }} /> : <NotFound me={me} />;
  else if (current.path === '/admin') {
    const tab = (segments[1] ?? ADMIN_TABS[0]) as AdminTab;
    page = ADMIN_TABS.includes(tab) && segments.length <= 2 ? <Admin me={me} tab={tab} onClassifications={unbound} /> : <NotFound me={me} />;
  }
  else if (current.path === '/audit') page = <Audit {...common} />;
  else if (current.path === '/notifications') page = <Notifications onClassifications={unbound} onRead={live.recount} />;
  else if (current.path === '/account') page = <Account {...common} />;
  else if (current.path === '/dashboard') page = <Dashboard {...common} />;
  else if (current.path === '/follow-ups') page = <FollowUps key={path + query} id={segments[1] ?? null} query={query} onCreated={(id) => openWithFocus(`#/follow-ups/${id}`)} {...common} />;
  else if (current.path === '/taskings') page = <Taskings {...common} />;
  else if (current.path === '/cables/new') page = <CableEditor key={`new${query}`} query={query} onCreated={(cable) => openWithFocus(`#/cables/${cable.id}`)} {...common} />;
  else if (current.path === '/campaigns' && segments[1] && segments[2] === 'posts' && segments[3]) page = <Delivery key={path} id={segments[1]} post={segments[3]} {...common} />;
  else if (current.path === '/campaigns' && segments[1]) page = <Campaign key={path + query} id={segments[1]} query={query} {...common} />;
  else if (current.path === '/campaigns') page = <NotFound me={me} />;
  else if (current.path === '/cables' && segments[1]) page = <CablePage key={segments[1]} id={segments[1]} {...common} />;
  else if (current.path === '/cables') page = <CableList key={query.get('queue') ?? 'all'} query={query} {...common} />;
  else page = <Inbox {...common} />;
  document.title = `${current ? current.label : 'Not available'} · Chancery`;
  const active = current && (current.hidden ? screens.find((s) => !s.hidden && current.path.startsWith(s.path)) ?? current : current);
  // While a sign-in is asked for, the screen under the dialog is out of reach (inert) and out of
  // sight (what it shows may be classified, and its user gone), not gone: typed text is kept.
  const behindDialog = ended ? { inert: true } : {};
  const concealed = ended ? { class: 'concealed', 'aria-hidden': 'true' as const } : {};
  const signedInAgain = (user: Me) => {
    readWith.current = session.token;
    setEnded(false);
    setStream((n) => n + 1);
    // Someone else signed in: nothing of the screen shown is theirs (the screens are keyed on the
    // user), nor is what the other typed and did not save.
    if (user.id !== me.id) {
      unsaved.forgetAllBut(user.id);
      location.hash = `#${landing(user)}`;
    }
    setMe(user);
  };
  return (
    <>
      {banner}
      {ended && (
        <div class="overlay">
          <section class="card dialog" role="dialog" aria-modal="true" aria-labelledby="ended-h" aria-describedby="ended-why">
            <h2 id="ended-h">Your session has ended</h2>
            <p id="ended-why">
              {endedWhy && /disabled/i.test(endedWhy)
                ? 'An administrator disabled this account: what this screen showed is hidden. If the account is enabled again, sign in to go on: what you typed here is kept.'
                : endedWhy && /expired/i.test(endedWhy)
                  ? 'Your sign-in has expired (sessions last a set time). Sign in again to go on: what you typed here is kept.'
                  : 'You were signed out, or your password was changed, in another window or by an administrator. Sign in again to go on: what you typed here is kept.'}
            </p>
            <SignIn inDialog onSignedIn={signedInAgain} />
          </section>
        </div>
      )}
      <header class="top" {...behindDialog}>
        <h1><a href={`#${landing(me)}`}>Chancery</a></h1>
        <nav aria-label="Main">
          {screens.filter((s) => !s.hidden).map((s) => <a key={s.path} href={`#${s.path}`} aria-current={s === active ? 'page' : undefined}>{s.label}{s.path === '/notifications' && live.unread > 0 ? ` (${live.unread})` : ''}</a>)}
        </nav>
        <span class="who muted">{me.displayName} · {me.roles.map((role) => words(role)).join(', ')}{me.office ? ` · ${me.office}` : ''}{me.postCode ? ` · ${me.postCode}` : ''}</span>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      <main key={`${me.id}:${live.revision}`} onInput={noteTyping} {...behindDialog} {...concealed}>
        {live.changed && !warnOfLoss && <p role="status">{changedText[live.changed]} <button type="button" ref={latest} onClick={showLatest}>Show the latest</button></p>}
        {live.changed && warnOfLoss && (
          <p role="alert" onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); keepTyped(); } }}>
            {changedText[live.changed].replace(/\.$/, '')}, and showing the latest clears what you have typed here and not sent: send it, or copy it, first.{' '}
            <button type="button" ref={anyway} onClick={showLatest}>Show the latest anyway</button> <button type="button" class="link" onClick={keepTyped}>Keep what I typed</button>
          </p>
        )}
        <Guard key={path}><Screen key={page.key ?? ''} path={path} shown={shown} onReport={report}>{page}</Screen></Guard>
      </main>
      {banner}
    </>
  );
}

render(<App />, document.getElementById('app')!);
