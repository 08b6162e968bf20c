import { fipsOfIso } from '@chancery/cables/domain';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@chancery/identity/domain';
import { Fragment, type InputHTMLAttributes } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, changedFields, isStale, type Me, placeProblems, problemText, refusalText, sendOnVersionShown, when, words } from '../api.js';
import { countryName, forgetPosts } from '../posts.js';
import { describedBy, FieldProblem, markedBy, problemId, useFocusAfterRender } from './FieldProblem.js';
import { StaleNotice } from './StaleNotice.js';

export { problemText };

interface User extends Me {
  disabled: boolean;
  version: number;
}
interface Office {
  symbol: string;
  name: string;
  bureau: string;
}
interface Post {
  code: string;
  country?: string;
  name: string;
  kind: string;
  bureau: string;
  status: string;
  version: number;
  /** The ambassador, principal officer or chargé, whose surname signs the post's cables; null: none recorded. */
  chiefOfMission?: string | null;
}

/** What an admin sees of a user and changes: their profile, roles as a set (not their sessions). */
const userAsShown = (user: User) => ({ displayName: user.displayName, roles: [...user.roles].sort(), office: user.office ?? null, postCode: user.postCode ?? null, clearance: user.clearance, disabled: user.disabled });
/** What an admin sees of a post and acts on: its name, chief of mission and status. */
const postAsShown = (post: Post) => ({ name: post.name, chiefOfMission: post.chiefOfMission ?? null, status: post.status });

const ROLES = ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'];
const CLEARANCES = ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'];

/**
 * Where the user form shows each field of `POST /users` and `PATCH /users/<id>`: the id of its
 * control (the roles' group for the roles), in the order the form shows them, the focus going to
 * the first one marked.
 */
const USER_PLACES: Readonly<Record<string, string>> = { username: 'u-username', password: 'u-password', displayName: 'u-name', roles: 'u-roles', office: 'u-office', postCode: 'u-post', clearance: 'u-clearance' };
/** The user form's fields as it labels them, for what is said about them. */
const USER_LABELS = { username: 'Username', password: 'Initial password', displayName: 'Display name', roles: 'Roles', office: 'Office', postCode: 'Post', clearance: 'Clearance' };
/** The place of a field the server names (`roles.0` is the roles'), or null where the form shows none. */
const placeInUserForm = (field: string) => USER_PLACES[field.split('.')[0].replace(/\[\d+\]$/, '')] ?? null;

/** What an action came to: a refusal is announced as an error (an alert), a success as a status. */
type Outcome = { text: string; error: boolean };
const succeeded = (text: string): Outcome => ({ text, error: false });
const failed = (failure: unknown): Outcome => ({ text: problemText(failure), error: true });
function OutcomeText({ outcome }: { outcome: Outcome | null }) {
  return outcome && <p class={outcome.error ? 'error' : 'ok'} role={outcome.error ? 'alert' : 'status'}>{outcome.text}</p>;
}

/** The administration screen's tabs, each at its own address (`#/admin/<tab>`; `#/admin` is the first). */
export const ADMIN_TABS = ['users', 'offices', 'posts', 'projections'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

/** Administration: users (create, edit, disable, reset), offices and posts; `me`, the admin using it; `tab`, the one the address names. */
export function Admin({ me, tab, onClassifications }: { me: Me; tab: AdminTab; onClassifications: (c: string[]) => void }) {
  useEffect(() => onClassifications([]), []); // nothing classified here
  const [offices, setOffices] = useState<Office[]>([]);
  const [posts, setPosts] = useState<Post[]>([]);
  const reload = () => {
    void api<{ items: Office[] }>('GET', '/offices').then((answer) => setOffices(answer.items));
    void api<{ items: Post[] }>('GET', '/posts?limit=500').then((answer) => setPosts(answer.items));
  };
  useEffect(reload, []);
  return (
    <>
      <h2>Administration</h2>
      <nav aria-label="Administration" class="tabs">
        {ADMIN_TABS.map((name) => (
          <a key={name} href={`#/admin/${name}`} aria-current={tab === name ? 'page' : undefined}>
            {name[0].toUpperCase() + name.slice(1)}
          </a>
        ))}
      </nav>
      {tab === 'users' ? <Users me={me} offices={offices} posts={posts} /> : tab === 'offices' ? <Offices offices={offices} onChanged={reload} /> : tab === 'posts' ? <Posts posts={posts} onChanged={() => { forgetPosts(); reload(); }} /> : <Projections />}
    </>
  );
}

/** How many users a page of the list shows. */
const USERS_SHOWN = 50;

function Users({ me, offices, posts }: { me: Me; offices: Office[]; posts: Post[] }) {
  /** The page of users shown and how many match; null until read. */
  const [list, setList] = useState<{ items: User[]; total: number } | null>(null);
  /** Why the list could not be read (a refusal, a busy database): said, with a way to read it again. */
  const [unread, setUnread] = useState<unknown>(null);
  const [text, setText] = useState('');
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [message, setMessage] = useState<Outcome | null>(null);
  /** The user a disabling or a new password is being asked for, below their row. */
  const [asking, setAsking] = useState<{ id: string; what: 'disable' | 'reset' } | null>(null);
  const wanted = text.trim();
  const load = () => {
    const query = new URLSearchParams({ limit: String(USERS_SHOWN), offset: String(offset), ...(wanted ? { q: wanted } : {}) });
    void api<{ items: User[]; total: number }>('GET', `/users?${query}`).then(
      (answer) => { setList(answer); setUnread(null); },
      (failure) => setUnread(failure),
    );
  };
  // Read as the search is typed (a moment after the last key), and at each page.
  useEffect(() => {
    const timer = setTimeout(load, wanted ? 250 : 0);
    return () => clearTimeout(timer);
  }, [wanted, offset]);
  /** The edit form, where the focus goes when it opens (it is above the list, out of sight from a row far down). */
  const form = useRef<HTMLDivElement>(null);
  /** The row's Edit button the form was opened from, where the focus goes back when it closes. */
  const openedFrom = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (editing) form.current?.querySelector<HTMLElement>('input:not([type=hidden]), select')?.focus();
  }, [editing === null ? null : editing === 'new' ? 'new' : editing.id]);
  const close = () => {
    setEditing(null);
    if (openedFrom.current?.isConnected) openedFrom.current.focus();
    openedFrom.current = null;
  };
  /** The user being edited as they are now: the form opens again on them, what was typed in it replaced. */
  const reopen = async (id: string) => {
    try {
      setEditing(await api<User>('GET', `/users/${id}`));
    } catch (failure) {
      setEditing(null);
      setMessage(failed(failure));
    }
  };
  const act = async (what: string, call: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await call();
      setMessage(succeeded(what));
      load();
    } catch (failure) {
      setMessage(failed(failure));
    }
  };
  // A form opened anew: what the last one came to is no longer said above it.
  const open = (user: User | 'new', from: EventTarget | null) => {
    setMessage(null);
    setAsking(null);
    openedFrom.current = from instanceof HTMLElement ? from : null;
    setEditing(user);
  };
  const ask = (user: User, what: 'disable' | 'reset') => {
    setMessage(null);
    setAsking(asking?.id === user.id && asking.what === what ? null : { id: user.id, what });
  };
  const users = list?.items ?? [];
  const total = list?.total ?? 0;
  return (
    <section class="card">
      <h3>Users</h3>
      <p><button type="button" onClick={(e) => open('new', e.currentTarget)}>New user</button></p>
      <OutcomeText outcome={message} />
      {editing && (
        <div ref={form}>
          <UserForm
            key={editing === 'new' ? 'new' : `${editing.id}@${editing.version}`}
            user={editing === 'new' ? null : editing}
            self={editing !== 'new' && editing.id === me.id}
            offices={offices}
            // Open posts, and the one the user is at whatever its status (suspended since): the form shows where they stand.
            posts={posts.filter((p) => p.status === 'OPEN' || (editing !== 'new' && p.code === editing.postCode))}
            onDone={(said) => { close(); setMessage(succeeded(said)); load(); }}
            onCancel={close}
            onReload={(id) => void reopen(id)}
          />
        </div>
      )}
      <form class="filters" role="search" aria-label="Find users" onSubmit={(e) => e.preventDefault()}>
        <span><label for="u-find">Find a user</label><input id="u-find" type="search" placeholder="username, name, office, post" value={text} onInput={(e) => { setText(e.currentTarget.value); setOffset(0); }} /></span>
      </form>
      {unread !== null && (
        <div class="error" role="alert">
          <p>The users could not be read: {problemText(unread)}</p>
          <p><button type="button" onClick={load}>Read them again</button></p>
        </div>
      )}
      {list === null && unread === null && <p>Loading…</p>}
      {list !== null && (
        <p class="muted" aria-live="polite">
          {total === 0 ? (wanted ? 'No user matches.' : 'No users.') : `${wanted ? 'Matching users' : 'Users'} ${offset + 1}–${offset + users.length} of ${total}, by username.`}
        </p>
      )}
      <div class="scroll" tabIndex={0} role="region" aria-label="Users">
        <table class="stack">
          <thead><tr><th>Username</th><th>Name</th><th>Roles</th><th>Office / post</th><th>Clearance</th><th>Status</th><th>Actions</th></tr></thead>
          <tbody>
            {users.map((user) => (
              <Fragment key={user.id}>
              <tr>
                <td data-label="Username">{user.username}{user.id === me.id && <span class="muted"> (you)</span>}</td>
                <td data-label="Name">{user.displayName}</td>
                <td data-label="Roles">{user.roles.map((role) => words(role)).join(', ')}</td>
                <td data-label="Office / post">{user.office ?? user.postCode ?? ''}</td>
                <td data-label="Clearance">{user.clearance}</td>
                <td data-label="Status">{user.disabled ? 'disabled' : 'active'}</td>
                <td data-label="Actions">
                  <button type="button" class="link" onClick={(e) => open(user, e.currentTarget)} aria-label={`Edit ${user.username}`}>Edit</button>{' '}
                  {/* The server refuses an admin's disabling of their own account, always: not offered. */}
                  {user.id === me.id ? null : user.disabled ? (
                    <button type="button" class="link" onClick={() => act(`${user.username} enabled.`, () => api('POST', `/users/${user.id}/enable`))} aria-label={`Enable ${user.username}`}>Enable</button>
                  ) : (
                    <button type="button" class="link" aria-expanded={asking?.id === user.id && asking.what === 'disable'} onClick={() => ask(user, 'disable')} aria-label={`Disable ${user.username}`}>Disable</button>
                  )}{' '}
                  {/* Reset, one's own password would end this very session too: one's own is changed on the account screen, which keeps it. */}
                  {user.id === me.id
                    ? <a href="#/account">Change your password</a>
                    : <button type="button" class="link" aria-expanded={asking?.id === user.id && asking.what === 'reset'} onClick={() => ask(user, 'reset')} aria-label={`Reset password of ${user.username}`}>Reset password</button>}
                </td>
              </tr>
              {asking?.id === user.id && asking.what === 'disable' && (
                <tr>
                  <td colSpan={7}>
                    <AskForm
                      id={`disable-${user.id}`}
                      label={`Why disable ${user.username}? (optional)`}
                      hint="Kept in the user's history and the audit log. Their sessions end at once; enabling them again does not bring those back."
                      field={{ name: 'reason', label: 'Reason' }}
                      input={{ type: 'text', maxLength: 500, required: false }}
                      send={`Disable ${user.username}`}
                      onSend={(reason) => api('POST', `/users/${user.id}/disable`, reason.trim() ? { reason: reason.trim() } : {})}
                      onDone={() => { setAsking(null); setMessage(succeeded(`${user.username} disabled.`)); load(); }}
                      onCancel={() => setAsking(null)}
                    />
                  </td>
                </tr>
              )}
              {asking?.id === user.id && asking.what === 'reset' && (
                <tr>
                  <td colSpan={7}>
                    <AskForm
                      id={`reset-${user.id}`}
                      label={`New password for ${user.username}`}
                      hint={`${PASSWORD_MIN_LENGTH} or more characters, not a common one. Their sessions end at once: give them the password another way than this screen.`}
                      field={{ name: 'password', label: 'New password' }}
                      input={{ type: 'password', autoComplete: 'new-password', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }}
                      send="Reset password"
                      onSend={(password) => api('POST', `/users/${user.id}/password`, { password })}
                      onDone={() => { setAsking(null); setMessage(succeeded(`Password of ${user.username} reset; their sessions have ended.`)); load(); }}
                      onCancel={() => setAsking(null)}
                    />
                  </td>
                </tr>
              )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {total > USERS_SHOWN && (
        <p>
          <button type="button" class="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - USERS_SHOWN))}>Previous {USERS_SHOWN}</button>{' '}
          <button type="button" class="secondary" disabled={offset + USERS_SHOWN >= total} onClick={() => setOffset(offset + USERS_SHOWN)}>Next {USERS_SHOWN}</button>
        </p>
      )}
    </section>
  );
}

/**
 * A user's profile, new or as read: an edit sends what the form changed, on the version read
 * (`If-Match`). `self`: the admin's own, whose admin role the server never lets them take away.
 */
function UserForm({ user, self = false, offices, posts, onDone, onCancel, onReload }: { user: User | null; self?: boolean; offices: Office[]; posts: Post[]; onDone: (message: string) => void; onCancel: () => void; onReload: (id: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [roles, setRoles] = useState<string[]>(user?.roles ?? ['drafter']);
  const [office, setOffice] = useState(user?.office ?? '');
  const [postCode, setPostCode] = useState(user?.postCode ?? '');
  const [clearance, setClearance] = useState(user?.clearance ?? 'UNCLASSIFIED');
  const [refused, setRefused] = useState<unknown>(null);
  /** The server refuses an admin's taking away their own admin role, always: the box stays ticked. */
  const keepsAdmin = self && (user?.roles ?? []).includes('admin');
  /** The save was refused because the user was changed since the form read them. */
  const [stale, setStale] = useState(false);
  // What is wrong with a field is said beside it, and once below that nothing was saved; what names no field of the form, below.
  const problems = placeProblems(refused, placeInUserForm, USER_LABELS);
  const beside = problems.beside;
  const error = refused === null ? null : Object.keys(beside).length > 0 ? refusalText('Not saved.', problems) : problemText(refused, USER_LABELS);
  /** The focus goes to the first field marked, once the render that marks it is done (the roles' group: its first box). */
  const setFocusOn = useFocusAfterRender();
  const markFirst = (failure: unknown) => {
    const placed = placeProblems(failure, placeInUserForm).beside;
    const first = Object.values(USER_PLACES).find((place) => placed[place]);
    if (first) setFocusOn(first === 'u-roles' ? `u-role-${ROLES[0]}` : first);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setRefused(null);
    setStale(false);
    const profile = { displayName, roles, clearance, office: office || null, postCode: postCode || null };
    try {
      if (user) {
        // Roles are a set: the same roles ticked in another order are no change.
        const changes = changedFields(userAsShown(user), { ...profile, roles: [...roles].sort() });
        if (Object.keys(changes).length === 0) return onDone(`Nothing changed for ${user.username}.`);
        await sendOnVersionShown('PATCH', `/users/${user.id}`, changes, user, { read: `/users/${user.id}`, seen: userAsShown });
        onDone(`${user.username} updated; the change applies from their next request.`);
      } else {
        const { office: o, postCode: p, ...rest } = profile;
        await api('POST', '/users', { username, password, ...rest, ...(o ? { office: o } : {}), ...(p ? { postCode: p } : {}) });
        onDone(`${username.toLowerCase()} created.`);
      }
    } catch (failure) {
      if (isStale(failure)) return setStale(true);
      setRefused(failure);
      markFirst(failure);
    }
  };
  return (
    <form onSubmit={submit} class="card" aria-label={user ? `Edit ${user.username}` : 'New user'}>
      <h4>{user ? `Edit ${user.username}` : 'New user'}</h4>
      {!user && (
        <>
          <label for="u-username">Username</label>
          <input id="u-username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autocomplete="off" {...markedBy('u-username', beside['u-username'])} />
          <FieldProblem place="u-username" text={beside['u-username']} />
          <label for="u-password">Initial password</label>
          <input id="u-password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={PASSWORD_MIN_LENGTH} autocomplete="new-password" {...markedBy('u-password', beside['u-password'])} />
          <FieldProblem place="u-password" text={beside['u-password']} />
        </>
      )}
      <label for="u-name">Display name</label>
      <input id="u-name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} required {...markedBy('u-name', beside['u-name'])} />
      <FieldProblem place="u-name" text={beside['u-name']} />
      <fieldset {...describedBy('u-roles', beside['u-roles'])}>
        <legend>Roles</legend>
        {ROLES.map((role) => {
          const kept = role === 'admin' && keepsAdmin;
          return (
            <label key={role} style="display:inline-block; font-weight:normal; margin-right:1rem; white-space:nowrap">
              <input id={`u-role-${role}`} type="checkbox" name="roles" value={role} checked={roles.includes(role)} disabled={kept} aria-describedby={kept ? 'u-own-admin' : undefined} onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, role] : roles.filter((r) => r !== role))} /> {words(role, { capital: true })}
            </label>
          );
        })}
        {keepsAdmin && <p id="u-own-admin" class="muted">You keep your own admin role: only another admin may take it away.</p>}
        <FieldProblem place="u-roles" text={beside['u-roles']} />
      </fieldset>
      <label for="u-office">Office</label>
      <select id="u-office" value={office} onChange={(e) => setOffice(e.currentTarget.value)} {...markedBy('u-office', beside['u-office'])}>
        <option value="">(none)</option>
        {offices.map((o) => <option key={o.symbol} value={o.symbol}>{o.symbol}: {o.name}</option>)}
      </select>
      <FieldProblem place="u-office" text={beside['u-office']} />
      <label for="u-post">Post (post officers and post approvers)</label>
      <select id="u-post" value={postCode} onChange={(e) => setPostCode(e.currentTarget.value)} {...markedBy('u-post', beside['u-post'])}>
        <option value="">(none)</option>
        {posts.map((p) => <option key={p.code} value={p.code}>{p.code}: {p.name}{p.status !== 'OPEN' ? ` (${words(p.status)})` : ''}</option>)}
      </select>
      <FieldProblem place="u-post" text={beside['u-post']} />
      <label for="u-clearance">Clearance</label>
      <select id="u-clearance" value={clearance} onChange={(e) => setClearance(e.currentTarget.value)} {...markedBy('u-clearance', beside['u-clearance'])}>
        {CLEARANCES.map((c) => <option key={c} value={c}>{c.replace('_', ' ')}</option>)}
      </select>
      <FieldProblem place="u-clearance" text={beside['u-clearance']} />
      <p>
        <button type="submit">{user ? 'Save' : 'Create user'}</button>{' '}
        <button type="button" class="link" onClick={onCancel}>Cancel</button>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {stale && user && <StaleNotice onReload={() => onReload(user.id)} />}
    </form>
  );
}

function Offices({ offices, onChanged }: { offices: Office[]; onChanged: () => void }) {
  const [symbol, setSymbol] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<Outcome | null>(null);
  const add = async (event: Event) => {
    event.preventDefault();
    try {
      await api('POST', '/offices', { symbol, name });
      setMessage(succeeded(`${symbol} added.`));
      setSymbol('');
      setName('');
      onChanged();
    } catch (failure) {
      setMessage(failed(failure));
    }
  };
  return (
    <section class="card">
      <h3>Offices</h3>
      <form onSubmit={add}>
        <label for="o-symbol">Office symbol</label>
        <input id="o-symbol" value={symbol} onInput={(e) => setSymbol(e.currentTarget.value.toUpperCase())} placeholder="EAP/PHL" required />
        <label for="o-name">Office name</label>
        <input id="o-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <p><button type="submit">Add office</button></p>
        <OutcomeText outcome={message} />
      </form>
      <div class="scroll" tabIndex={0} role="region" aria-label="Offices">
        <table class="stack">
          <thead><tr><th>Symbol</th><th>Name</th><th>Bureau</th></tr></thead>
          <tbody>{offices.map((o) => <tr key={o.symbol}><td data-label="Symbol">{o.symbol}</td><td data-label="Name">{o.name}</td><td data-label="Bureau">{o.bureau}</td></tr>)}</tbody>
        </table>
      </div>
    </section>
  );
}

const SHOWN = 60;

function Posts({ posts, onChanged }: { posts: Post[]; onChanged: () => void }) {
  const [message, setMessage] = useState<Outcome | null>(null);
  /** The post whose chief of mission is being set. */
  const [naming, setNaming] = useState<string | null>(null);
  const [text, setText] = useState('');
  const wanted = text.trim().toLowerCase();
  const matching = posts.filter((p) => !wanted || `${p.code} ${p.name} ${p.bureau} ${words(p.kind)} ${words(p.status)} ${p.country ?? ''}`.toLowerCase().includes(wanted) || countryName(p.country).toLowerCase().includes(wanted));
  /** The post whose suspension or closing is being asked why, below its row. */
  const [asking, setAsking] = useState<{ code: string; action: 'suspend' | 'close' } | null>(null);
  // Decided on the post as the list shows it: one changed since (reopened, say) is refused (412).
  const send = (post: Post, action: 'suspend' | 'reopen' | 'close', reason?: string) =>
    sendOnVersionShown('POST', `/posts/${post.code}/${action}`, reason === undefined ? {} : { reason }, post, { read: `/posts/${post.code}`, seen: postAsShown });
  const changed = (post: Post, action: 'suspend' | 'reopen' | 'close') => {
    setAsking(null);
    setMessage(succeeded(`${post.name}: ${action === 'reopen' ? 'reopened' : action === 'close' ? 'closed' : 'suspended'}.`));
    onChanged();
  };
  const reopen = async (post: Post) => {
    setMessage(null);
    try {
      await send(post, 'reopen');
      changed(post, 'reopen');
    } catch (failure) {
      setMessage(failed(failure));
    }
  };
  const ask = (post: Post, action: 'suspend' | 'close') => {
    setMessage(null);
    setNaming(null);
    setAsking(asking?.code === post.code && asking.action === action ? null : { code: post.code, action });
  };
  return (
    <section class="card">
      <h3>Posts</h3>
      <p class="muted">{posts.length} posts. A suspended post receives no taskings; reopening it restores them.</p>
      <EstablishPost onDone={(text) => { setMessage(succeeded(text)); onChanged(); }} />
      <form class="filters" role="search" aria-label="Find posts" onSubmit={(e) => e.preventDefault()}>
        <span><label for="p-find">Find a post</label><input id="p-find" type="search" placeholder="code, name, bureau, country" value={text} onInput={(e) => setText(e.currentTarget.value)} /></span>
      </form>
      <OutcomeText outcome={message} />
      {matching.length > SHOWN && <p class="muted">Showing {SHOWN} of {matching.length}; narrow the search to see the others.</p>}
      {matching.length === 0 && <p class="muted">No post matches.</p>}
      <div class="scroll" tabIndex={0} role="region" aria-label="Posts">
        <table class="stack">
          <thead><tr><th>Code</th><th>Name</th><th>Kind</th><th>Bureau</th><th>Status</th><th>Chief of mission</th><th>Actions</th></tr></thead>
          <tbody>
            {matching.slice(0, SHOWN).map((post) => (
              <Fragment key={post.code}>
                <tr>
                  <td data-label="Code">{post.code}</td><td data-label="Name">{post.name}</td><td data-label="Kind">{words(post.kind)}</td><td data-label="Bureau">{post.bureau}</td><td data-label="Status">{words(post.status)}</td>
                  <td data-label="Chief of mission">{post.chiefOfMission ?? <span class="muted">none recorded</span>}</td>
                  <td data-label="Actions">
                    {post.status === 'OPEN' && <button type="button" class="link" aria-expanded={asking?.code === post.code && asking.action === 'suspend'} onClick={() => ask(post, 'suspend')} aria-label={`Suspend ${post.name}`}>Suspend</button>}
                    {post.status === 'SUSPENDED' && <button type="button" class="link" onClick={() => void reopen(post)} aria-label={`Reopen ${post.name}`}>Reopen</button>}
                    {post.status !== 'CLOSED' && <> <button type="button" class="link" aria-expanded={asking?.code === post.code && asking.action === 'close'} onClick={() => ask(post, 'close')} aria-label={`Close ${post.name}`}>Close</button></>}
                    {post.status !== 'CLOSED' && <> <button type="button" class="link" aria-expanded={naming === post.code} onClick={() => { setAsking(null); setNaming(naming === post.code ? null : post.code); }} aria-label={`Set the chief of mission of ${post.name}`}>Chief of mission</button></>}
                  </td>
                </tr>
                {asking?.code === post.code && (
                  <tr>
                    <td colSpan={7}>
                      <AskForm
                        key={asking.action}
                        id={`why-${post.code}`}
                        label={`Why ${asking.action} ${post.name}?`}
                        hint={asking.action === 'suspend' ? 'Kept in the post\'s history. A suspended post receives no taskings until it is reopened.' : 'Kept in the post\'s history. A closed post is never reopened: it receives no taskings and no users.'}
                        field={{ name: 'reason', label: 'Reason' }}
                        input={{ type: 'text', maxLength: 1000 }}
                        send={asking.action === 'suspend' ? `Suspend ${post.name}` : `Close ${post.name}`}
                        onSend={(reason) => send(post, asking.action, reason)}
                        onDone={() => changed(post, asking.action)}
                        onCancel={() => setAsking(null)}
                      />
                    </td>
                  </tr>
                )}
                {naming === post.code && (
                  <tr>
                    <td colSpan={7}>
                      <ChiefOfMission key={post.version} post={post} onCancel={() => setNaming(null)} onDone={(text) => { setNaming(null); setMessage(succeeded(text)); onChanged(); }} onReload={onChanged} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The one value an action on a row needs (a user's new password, why a post is suspended), asked
 * below the row rather than in the browser's prompt(), which hides the page, takes no keyboard
 * Escape as a way back on every browser, and says nothing of a refusal: here a refusal is said beside
 * the field, which keeps what was typed. Escape or Cancel closes it; the focus starts in it and goes
 * back to what opened it.
 */
function AskForm({ id, label, hint, field, input, send, onSend, onDone, onCancel }: {
  id: string;
  label: string;
  hint: string;
  /** The request's field and the words that name it in a refusal. */
  field: { name: string; label: string };
  /** The control's kind and limits (`type`, `autoComplete`, `minLength`, `maxLength`). */
  input: InputHTMLAttributes<HTMLInputElement>;
  /** The submit button's words. */
  send: string;
  onSend: (value: string) => Promise<unknown>;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const control = useRef<HTMLInputElement>(null);
  /** What had the focus when the form was first drawn: the control that opened it. */
  const [opener] = useState(() => document.activeElement);
  // The focus starts in the field, and goes back to the control that opened the form when it closes
  // (the row's button: the keyboard goes on from the row, not from the top of the page).
  useEffect(() => {
    const own = control.current?.form ?? null;
    control.current?.focus();
    return () => {
      const now = document.activeElement;
      const lost = now === null || now === document.body || (own !== null && own.contains(now));
      if (lost && opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    setSending(true);
    try {
      await onSend(value);
      onDone();
    } catch (failure) {
      setProblem(problemText(failure, { [field.name]: field.label }));
      control.current?.focus();
    } finally {
      setSending(false);
    }
  };
  return (
    <form onSubmit={submit} onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); onCancel(); } }}>
      <label for={id}>{label}</label>
      <p class="muted" id={`${id}-hint`}>{hint}</p>
      <input ref={control} id={id} class="full" required {...input} value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-invalid={problem ? true : undefined} aria-describedby={problem ? `${id}-hint ${problemId(id)}` : `${id}-hint`} />
      <FieldProblem place={id} text={problem} alert />
      <p><button type="submit" disabled={sending}>{send}</button> <button type="button" class="secondary" onClick={onCancel}>Cancel</button></p>
    </form>
  );
}

/**
 * Who heads a post (ambassador, principal officer or chargé): their surname signs its cables. Empty
 * records none. Saved on the post as read (`If-Match`): a name recorded since by someone else is not replaced unseen.
 */
function ChiefOfMission({ post, onDone, onCancel, onReload }: { post: Post; onDone: (message: string) => void; onCancel: () => void; onReload: () => void }) {
  const [name, setName] = useState(post.chiefOfMission ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const id = `chief-${post.code}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    setStale(false);
    const chief = name.trim() || null;
    try {
      await sendOnVersionShown('PATCH', `/posts/${post.code}`, { chiefOfMission: chief }, post, { read: `/posts/${post.code}`, seen: postAsShown });
      onDone(chief ? `${post.name}: chief of mission ${chief}.` : `${post.name}: no chief of mission recorded.`);
    } catch (failure) {
      if (isStale(failure)) setStale(true);
      else setProblem(problemText(failure, { chiefOfMission: 'Chief of mission' }));
    }
  };
  return (
    <form onSubmit={submit}>
      <label for={id}>Chief of mission of {post.name}</label>
      <p class="muted">The ambassador, principal officer or chargé d'affaires: their surname signs the post's cables. Leave it empty to record none.</p>
      <input id={id} class="full" maxLength={120} value={name} {...markedBy(id, problem)} onInput={(e) => setName(e.currentTarget.value)} />
      <FieldProblem place={id} text={problem} alert />
      {stale && <StaleNotice onReload={onReload} />}
      <p><button type="submit">Save</button> <button type="button" class="secondary" onClick={onCancel}>Cancel</button></p>
    </form>
  );
}

interface Projection { name: string; kind: string; mode: string; state: string; lag: number; deadLetters: number; updatedAt: string | null; failure: { message?: string; error?: string; attempts?: number } | null }

/** The read models and reactions: are they caught up, has any stopped; redrive one that stopped or parked events. */
function Projections() {
  const [items, setItems] = useState<Projection[] | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const load = () => void api<{ items: Projection[] }>('GET', '/admin/projections').then((a) => setItems(a.items), (f) => setMessage({ text: problemText(f), error: true }));
  useEffect(load, []);
  const redrive = async (name: string) => {
    setMessage(null);
    try {
      await api('POST', `/admin/projections/${encodeURIComponent(name)}/redrive`, {});
      setMessage({ text: `${name} redriven.`, error: false });
      load();
    } catch (failure) {
      setMessage({ text: problemText(failure), error: true });
    }
  };
  return (
    <section class="card" aria-labelledby="proj-h">
      <h3 id="proj-h">Projections and reactions</h3>
      <p class="muted">A read model that parked events (dead letters) or a reaction that stopped can be redriven once the cause is fixed.</p>
      <p><button type="button" class="secondary" onClick={load}>Refresh</button></p>
      {message && <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
      {items === null ? <p>Loading…</p> : (
        <div class="scroll" tabIndex={0} role="region" aria-label="Projections">
          <table class="stack">
            <thead><tr><th>Name</th><th>Kind</th><th>State</th><th>Lag</th><th>Dead letters</th><th>Last change</th><th>Failure</th><th>Action</th></tr></thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.name}>
                  <td data-label="Name">{p.name}</td><td data-label="Kind">{p.kind} ({p.mode})</td><td data-label="State">{p.state}</td><td data-label="Lag">{p.lag}</td>
                  <td data-label="Dead letters">{p.deadLetters}</td><td data-label="Last change">{when(p.updatedAt)}</td><td data-label="Failure">{p.failure ? (p.failure.message ?? p.failure.error ?? 'failing') : ''}</td>
                  <td data-label="Action">{(p.state === 'stopped' || p.deadLetters > 0 || p.failure) ? <button type="button" onClick={() => redrive(p.name)} aria-label={`Redrive ${p.name}`}>Redrive</button> : <span class="muted">nothing to do</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const POST_KINDS = ['EMBASSY', 'CONSULATE_GENERAL', 'CONSULATE', 'MISSION'];
const BUREAUS = ['AF', 'EAP', 'EUR', 'NEA', 'SCA', 'WHA', 'IO'];

/** A new post: its code as in MRNs, name, kind, city, host country (ISO and TAGS codes) and bureau. */
function EstablishPost({ onDone }: { onDone: (message: string) => void }) {
  const [form, setForm] = useState({ code: '', name: '', kind: 'CONSULATE_GENERAL', city: '', country: '', countryTag: '', bureau: 'EAP' });
  const [error, setError] = useState<string | null>(null);
  /** Whether the admin typed a TAGS tag of their own: until then it follows the country (PH: RP). */
  const [tagTyped, setTagTyped] = useState(false);
  const set = (key: keyof typeof form, value: string) => {
    if (key === 'countryTag') setTagTyped(value !== '');
    const following = key === 'country' && !tagTyped;
    setForm({ ...form, [key]: value, ...(following ? { countryTag: fipsOfIso(value) ?? '' } : {}) });
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (!/^[A-Z]{3,24}$/.test(form.code)) return setError('The code is 3 to 24 capital letters, as in MRNs (e.g. CEBU).');
    if (!/^[A-Z]{2}$/.test(form.country) || !/^[A-Z]{2}$/.test(form.countryTag)) return setError('The country is two letters (ISO 3166, e.g. PH), and so is its TAGS code (e.g. RP).');
    try {
      await api('POST', '/posts', form);
      onDone(`${form.name} established.`);
      setForm({ ...form, code: '', name: '', city: '' });
    } catch (failure) {
      setError(problemText(failure));
    }
  };
  const text = (key: keyof typeof form, label: string, upper = false) => (
    <span>
      <label for={`np-${key}`}>{label}</label>
      <input id={`np-${key}`} value={form[key]} onInput={(e) => set(key, upper ? e.currentTarget.value.toUpperCase() : e.currentTarget.value)} />
    </span>
  );
  return (
    <details>
      <summary>Establish a post</summary>
      <form class="filters" onSubmit={submit} aria-label="Establish a post">
        {text('code', 'Code', true)}{text('name', 'Name')}
        <span><label for="np-kind">Kind</label><select id="np-kind" value={form.kind} onChange={(e) => set('kind', e.currentTarget.value)}>{POST_KINDS.map((k) => <option key={k} value={k}>{words(k)}</option>)}</select></span>
        {text('city', 'City')}{text('country', 'Country (ISO)', true)}{text('countryTag', 'TAGS country', true)}
        <span><label for="np-bureau">Bureau</label><select id="np-bureau" value={form.bureau} onChange={(e) => set('bureau', e.currentTarget.value)}>{BUREAUS.map((b) => <option key={b}>{b}</option>)}</select></span>
        <span><button type="submit">Establish</button></span>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </details>
  );
}
