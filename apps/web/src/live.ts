import { useEffect, useRef, useState } from 'preact/hooks';
import { api, commandedHere, commandUnderWay } from './api.js';

/** A notice from GET /events/stream: where something changed, never what. */
export interface LiveNotice {
  eventType: string;
  streamType: string;
  id: string;
  version: number;
  record: { type: 'cable' | 'campaign' | 'followup' | 'notifications'; id: string };
  /** It made a notification for the caller. */
  notification?: true;
  /** The caller's own doing. */
  mine?: true;
}

export interface LiveHandlers {
  /** The stream is open: a client re-reads what it shows (it may have missed events while closed). */
  onReady(): void;
  onNotice(notice: LiveNotice): void;
  /** The user's standing (roles, clearance, office, post) changed: the stream ends, to be opened again under it. */
  onStanding?(): void;
}

/**
 * Dispatched on `window` for each notice about what the screen shows, before a re-read is planned
 * for it: cancelable, its `detail` the notice. A screen that knows the notice follows from its own
 * doing (the campaign its release opened: a reaction, moments after the release's answer, by no
 * user) reads itself again in place and calls `preventDefault()`: the notice is then no change by
 * someone else, and neither a re-read nor "Show the latest" follows.
 */
export const NOTICE = 'chancery:notice';

const FIRST_RETRY_MS = 1_000;
/** How long the app waits for its stream before it shows the screens without it. */
const READY_WAIT_MS = 2_000;
const LAST_RETRY_MS = 30_000;

/**
 * Subscribes to the live stream. EventSource cannot send the Authorization header, so each
 * (re)connection first asks for a one-use ticket with the token (POST /events/ticket) and opens
 * `/events/stream?ticket=…`; a long-lived token never goes into a URL. On an error the connection
 * is closed and opened again with a fresh ticket, after a backoff (1 s doubling to 30 s, with
 * jitter); a 401 on the ticket ends it (the API client asks for a sign-in again, and the stream is opened anew after it). Answers a function
 * that closes it for good.
 */
export function subscribe(handlers: LiveHandlers): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retry = FIRST_RETRY_MS;
  let closed = false;

  const again = () => {
    source?.close();
    source = undefined;
    if (closed) return;
    timer = setTimeout(connect, retry / 2 + Math.random() * (retry / 2));
    retry = Math.min(retry * 2, LAST_RETRY_MS);
  };

  async function connect(): Promise<void> {
    let ticket: string;
    try {
      ({ ticket } = await api<{ ticket: string }>('POST', '/events/ticket'));
    } catch (error) {
      if ((error as { status?: number }).status === 401) return; // signed out
      return again();
    }
    if (closed) return;
    source = new EventSource(`/events/stream?ticket=${encodeURIComponent(ticket)}`);
    source.addEventListener('ready', () => {
      retry = FIRST_RETRY_MS;
      handlers.onReady();
    });
    source.addEventListener('change', (event) => handlers.onNotice(JSON.parse((event as MessageEvent<string>).data) as LiveNotice));
    source.addEventListener('standing', () => handlers.onStanding?.());
    // EventSource would reconnect by itself, with the used ticket: close it and ask for a new one.
    source.onerror = again;
  }

  void connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}

/** Whether a screen (a hash path) shows what the notice is about. */
export function isRelevant(path: string, notice: LiveNotice): boolean {
  const { type, id } = notice.record;
  // A cable's page shows its campaign's counts too (the campaign is its tasking cable's: one id).
  if (path.startsWith('/cables/')) return (type === 'cable' || type === 'campaign') && path.split('?')[0] === `/cables/${id}`;
  if (path.startsWith('/follow-ups/')) return type === 'followup' && path === `/follow-ups/${id}`;
  // A campaign's page and its posts' deliveries: a notice of the campaign stands for its deliveries
  // too, and the campaign is its tasking cable's (one id).
  if (path.startsWith('/campaigns/')) return (type === 'campaign' || type === 'cable') && path.split('?')[0].split('/')[2] === id;
  switch (path.split('?')[0]) {
    case '/':
    case '/inbox':
      return type !== 'notifications';
    case '/cables':
      return type === 'cable';
    case '/taskings':
      // Its campaigns, and the follow-ups the post owns.
      return type === 'campaign' || type === 'cable' || type === 'followup';
    case '/follow-ups':
      return type === 'followup';
    case '/dashboard':
      return type === 'campaign' || type === 'followup';
    case '/notifications':
      return Boolean(notice.notification) || type === 'notifications';
    default:
      return false;
  }
}

/**
 * The screens that show only what the stream never tells of: users (one's own account, the
 * administration of users, offices, posts and projections) and the audit log.
 */
const UNTOLD = new Set(['/account', '/admin', '/audit']);

/** The forms of a record not yet made: no notice is about one, and what each was opened with (a tasking's MRN to cite, a post to own) is in its address. */
const UNMADE = new Set(['/cables/new', '/follow-ups/new']);

/**
 * Whether the stream can tell of something the screen at a hash path shows: one it cannot misses
 * nothing while the stream is closed (a new draft or follow-up is one such).
 */
export const isToldOf = (path: string): boolean => {
  const bare = path.split('?')[0];
  return !UNMADE.has(bare) && !UNTOLD.has(`/${bare.split('/')[1] ?? ''}`);
};

/**
 * Live updates for the app: `revision` changes when the screen at `path` should read its data
 * again (the view is keyed on it), on a notice about what it shows that is not the user's own
 * doing; on a screen in use (see inUse, or typed into since it was read) it is
 * not changed under the user's hands: `changed` says so, and `refresh()` shows the latest.
 * `unread` is the count of unread notifications, kept current (first read with the screens, once
 * the stream is open or shown without it). `ready` turns true once the stream is
 * open (or after `READY_WAIT_MS` without it): the app reads its screens from then on, so that nothing
 * that happens after a screen's read goes untold (the stream tells only of what comes after it opens).
 */
export function useLiveUpdates(signedIn: boolean, path: string, stream = 0, onStanding: () => void = () => undefined) {
  const [ready, setReady] = useState(false);
  const [revision, setRevision] = useState(0);
  /** The screen should be read again and is in use: 'record', something it shows changed; 'standing', the user's access did. */
  const [changed, setChanged] = useState<false | 'record' | 'standing'>(false);
  const standing = useRef(onStanding);
  standing.current = onStanding;
  const [unread, setUnread] = useState(0);
  const current = useRef(path);
  current.current = path;

  const recount = () => void api<{ unread: number }>('GET', '/notifications?limit=1').then((n) => setUnread(n.unread), () => undefined);
  const refresh = () => {
    setChanged(false);
    setRevision((r) => r + 1);
  };

  // Typed into since the screen was read: not re-read under the user's hands, offered instead.
  const dirty = useRef(false);
  useEffect(() => {
    setChanged(false);
    dirty.current = false;
  }, [path, revision]);
  useEffect(() => {
    const onInput = (event: Event) => {
      if (event.target instanceof HTMLElement && event.target.closest('main')) dirty.current = true;
    };
    addEventListener('input', onInput, true);
    return () => removeEventListener('input', onInput, true);
  }, []);
  // Whether a stream was open before this one (for this user): a screen read then may have missed
  // what came in between. A stream opened anew (`stream`: a sign-in again after the session ended
  // under the screen) counts as a reconnection.
  const streamedBefore = useRef(false);
  useEffect(() => {
    if (!signedIn) {
      streamedBefore.current = false;
      setReady(false);
      return undefined;
    }
    // Without a stream (one that cannot open, a proxy that holds it), the screens are shown anyway,
    // with the count of unread notifications. Otherwise the count is read once the stream is open, as
    // the screens are: read before too, it would be read twice at every sign-in, and a read that
    // names a classified record is written to the audit log.
    let shownBeforeReady = false;
    const unready = setTimeout(() => {
      shownBeforeReady = true;
      setReady(true);
      recount();
    }, READY_WAIT_MS);
    let pending: ReturnType<typeof setTimeout> | undefined;
    // Several events in a row (a release, a campaign of 250 posts) make one re-read. Whether the
    // screen is in use is asked when the re-read is due, not when it is planned: an edit made
    // in between would otherwise be thrown away by the re-read (the screen mounted afresh).
    // A re-read is for the screen it was planned on: one left in the meantime is not re-read, nor is
    // the screen opened instead told that it has changed (it has just been read).
    // The notices a planned re-read is for: one of this tab's own doing is let go when it is due
    // (by then the command's answer, naming a new record, has come too).
    // A re-read for a gap (a reconnection) is never let go.
    let planned: LiveNotice[] = [];
    let forAGap = false;
    /** The gap is the user's standing changing: the screen was read under access they no longer have. */
    let forStanding = false;
    const later = (notice?: LiveNotice) => {
      clearTimeout(pending);
      const plannedOn = current.current;
      if (notice) planned.push(notice);
      else forAGap = true;
      pending = setTimeout(() => {
        const [notices, gap, why] = [planned, forAGap, forStanding ? 'standing' as const : 'record' as const];
        planned = [];
        forAGap = false;
        forStanding = false;
        if (current.current !== plannedOn) return;
        if (!gap && notices.every(ownDoingHere)) return;
        if (inUse() || dirty.current) setChanged(why);
        else refresh();
      }, 300);
    };
    const close = subscribe({
      // The first screen is read once the stream is open; a screen read before (after a
      // reconnection, or shown without the stream) may have missed events, since notices are not
      // replayed: it is read again (or that is offered), whatever closed the stream, as a gap is a
      // gap. Not a screen that shows only what the stream never tells of: there a re-read finds
      // nothing new, and "This has changed since you opened it" would be untrue. The account
      // screen is one, and the user's own password change there ends the stream (its token is
      // revoked), which is opened again with the new token: a reconnection of the user's own doing.
      // A new draft is another: nothing recorded, so nothing it shows can have changed meanwhile.
      onReady: () => {
        clearTimeout(unready);
        setReady(true);
        recount();
        // After a change of standing every screen is read again, the untold ones too: what the
        // administration or the audit log show depends on the roles as much as a cable does.
        if ((streamedBefore.current || shownBeforeReady) && (isToldOf(current.current) || forStanding)) later();
        streamedBefore.current = true;
      },
      onStanding: () => {
        forStanding = true;
        standing.current();
      },
      onNotice: (notice) => {
        if (notice.notification || notice.record.type === 'notifications') recount();
        // The screen that sent a command shows its answer already: this tab's own doing re-reads
        // nothing. The same user's doing in another tab is news here, as anyone's is.
        if (isRelevant(current.current, notice) && dispatchEvent(new CustomEvent(NOTICE, { detail: notice, cancelable: true }))) later(notice);
      },
    });
    // Back online (the stream may have stayed open while the network was gone): a screen read while
    // offline showed a failure, and notices may have found nothing to read. A gap, read again.
    const onOnline = () => {
      if (isToldOf(current.current)) later();
    };
    addEventListener('online', onOnline);
    return () => {
      clearTimeout(pending);
      clearTimeout(unready);
      removeEventListener('online', onOnline);
      close();
    };
  }, [signedIn, stream]);

  return { ready, revision, changed, unread, refresh, recount };
}

/**
 * A notice of this tab's own doing: the user's (`mine`), about a record this tab sent a command
 * about lately, or their own notifications (marked read here or elsewhere, the count is read again
 * either way).
 */
function ownDoingHere(notice: LiveNotice): boolean {
  return Boolean(notice.mine) && (notice.record.type === 'notifications' || commandedHere(notice.record.id));
}

/**
 * Whether the screen is in use, so that reading it again (which mounts it afresh) would take the
 * user's place from them: focus in a form field, on the map (a control as the Country list beside
 * it is, whose countries are SVG, not HTML, elements), or on any other control reached by the
 * keyboard, which a re-read would send back to the top of the page; or an alert on it, a refusal
 * the user is reading (with what to do next, "Reload the latest"), which a re-read would take away;
 * or a command of the user's under way (`commandUnderWay`), whose outcome it would lose.
 */
function inUse(): boolean {
  if (document.querySelector('main [role="alert"]') !== null || commandUnderWay()) return true;
  const active = document.activeElement;
  if (!(active instanceof Element) || active.closest('main') === null) return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName) || active.closest('svg.map') !== null || active.matches(':focus-visible');
}
