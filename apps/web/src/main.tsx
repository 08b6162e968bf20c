import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Me, session } from './api.js';
import { bannerText, highest } from './classification.js';
import { Account } from './views/Account.js';
import { Admin } from './views/Admin.js';
import { CableEditor, CableList } from './views/Cables.js';
import { Dashboard } from './views/Dashboard.js';
import { FollowUps } from './views/FollowUps.js';
import { Inbox } from './views/Inbox.js';
import { Notifications } from './views/Notifications.js';
import { useLiveUpdates } from './live.js';
import { SignIn } from './views/SignIn.js';
import { Taskings } from './views/Taskings.js';

/** The screens each role sees, in the order they appear in the navigation. */
const SCREENS: { path: string; label: string; roles: string[] | 'all' }[] = [
  { path: '/inbox', label: 'Inbox', roles: 'all' },
  { path: '/cables', label: 'Cables', roles: ['drafter', 'post_officer', 'clearer', 'approver'] },
  { path: '/taskings', label: 'Taskings', roles: ['post_officer'] },
  { path: '/follow-ups', label: 'Follow-ups', roles: 'all' },
  { path: '/dashboard', label: 'Dashboard', roles: ['leadership'] },
  { path: '/admin', label: 'Administration', roles: ['admin'] },
  { path: '/notifications', label: 'Notifications', roles: 'all' },
  { path: '/account', label: 'Account', roles: 'all' },
];

function useHashPath(): string {
  const [path, setPath] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const onChange = () => setPath(location.hash.slice(1) || '/');
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

function App() {
  const path = useHashPath();
  const [me, setMe] = useState<Me | null>(null);
  const [onScreen, setOnScreen] = useState<string[]>([]);
  const live = useLiveUpdates(Boolean(me), path);

  useEffect(() => {
    if (!session.token) return void (location.hash = '#/sign-in');
    api<Me>('GET', '/auth/me').then(setMe, () => undefined);
  }, [session.token]);

  // Logging out ends the token on the server too, not only in this tab.
  const signOut = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    session.token = null;
    setMe(null);
    location.hash = '#/sign-in';
  };
  const classification = highest(onScreen);
  const banner = <div class={`banner ${classification}`} role="note" aria-label={`Classification: ${bannerText(classification)}`}>{bannerText(classification)}</div>;

  if (path === '/sign-in' || !me) {
    return (
      <>
        {banner}
        <SignIn onSignedIn={(user) => { setMe(user); location.hash = user.roles.includes('leadership') ? '#/dashboard' : user.roles.includes('post_officer') ? '#/taskings' : '#/inbox'; }} />
        {banner}
      </>
    );
  }
  const screens = SCREENS.filter((s) => s.roles === 'all' || s.roles.some((r) => me.roles.includes(r)));
  const current = screens.find((s) => path === s.path || path.startsWith(`${s.path}/`)) ?? screens[0];
  const cableId = path.startsWith('/cables/') ? path.slice('/cables/'.length) : undefined;
  return (
    <>
      {banner}
      <header class="top">
        <h1>Chancery</h1>
        <nav aria-label="Main">
          {screens.map((s) => <a key={s.path} href={`#${s.path}`} aria-current={s === current ? 'page' : undefined}>{s.label}{s.path === '/notifications' && live.unread > 0 ? ` (${live.unread})` : ''}</a>)}
        </nav>
        <span class="muted">{me.displayName} · {me.roles.join(', ')}{me.office ? ` · ${me.office}` : ''}{me.postCode ? ` · ${me.postCode}` : ''}</span>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      <main key={live.revision}>
        {live.changed && <p role="status">This has changed since you opened it. <button type="button" onClick={live.refresh}>Show the latest</button></p>}
        {current.path === '/admin' ? (
          <Admin onClassifications={setOnScreen} />
        ) : current.path === '/notifications' ? (
          <Notifications onClassifications={setOnScreen} onRead={live.recount} />
        ) : current.path === '/account' ? (
          <Account me={me} onClassifications={setOnScreen} />
        ) : current.path === '/dashboard' ? (
          <Dashboard onClassifications={setOnScreen} />
        ) : current.path === '/follow-ups' ? (
          <FollowUps key={path} id={path.startsWith('/follow-ups/') ? path.slice('/follow-ups/'.length) : null} onClassifications={setOnScreen} />
        ) : current.path === '/taskings' ? (
          <Taskings me={me} onClassifications={setOnScreen} />
        ) : current.path === '/cables' && cableId !== undefined ? (
          <CableEditor key={cableId} id={cableId === 'new' ? null : cableId} me={me} onClassifications={setOnScreen} />
        ) : current.path === '/cables' ? (
          <CableList onClassifications={setOnScreen} />
        ) : (
          <Inbox me={me} onClassifications={setOnScreen} />
        )}
      </main>
      {banner}
    </>
  );
}

render(<App />, document.getElementById('app')!);
