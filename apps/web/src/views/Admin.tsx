import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api.js';

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
  name: string;
  kind: string;
  bureau: string;
  status: string;
}

const ROLES = ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'];
const CLEARANCES = ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'];

/** The server's reasons, field by field, in plain words. */
export function problemText(failure: unknown): string {
  if (!(failure instanceof ApiError)) return 'The server cannot be reached; try again.';
  const fields = failure.problem.errors?.map((e) => e.message).join('; ');
  return fields || failure.problem.detail || `The request failed (${failure.status}).`;
}

/** Administration: users (create, edit, disable, reset), offices and posts. */
export function Admin({ onClassifications }: { onClassifications: (c: string[]) => void }) {
  useEffect(() => onClassifications([]), []); // nothing classified here
  const [tab, setTab] = useState<'users' | 'offices' | 'posts'>('users');
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
      <nav aria-label="Administration">
        {(['users', 'offices', 'posts'] as const).map((name) => (
          <button key={name} type="button" class="link tab" aria-pressed={tab === name} onClick={() => setTab(name)}>
            {name[0].toUpperCase() + name.slice(1)}
          </button>
        ))}
      </nav>
      {tab === 'users' ? <Users offices={offices} posts={posts} /> : tab === 'offices' ? <Offices offices={offices} onChanged={reload} /> : <Posts posts={posts} onChanged={reload} />}
    </>
  );
}

function Users({ offices, posts }: { offices: Office[]; posts: Post[] }) {
  const [users, setUsers] = useState<User[]>([]);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = () => void api<{ items: User[] }>('GET', '/users?limit=500').then((answer) => setUsers(answer.items));
  useEffect(load, []);
  const act = async (what: string, call: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await call();
      setMessage(what);
      load();
    } catch (failure) {
      setMessage(problemText(failure));
    }
  };
  const reset = (user: User) => {
    const password = prompt(`New password for ${user.username} (12 or more characters, not a common one):`);
    if (password) void act(`Password of ${user.username} reset; their sessions have ended.`, () => api('POST', `/users/${user.id}/password`, { password }));
  };
  return (
    <section class="card">
      <h3>Users</h3>
      <p><button type="button" onClick={() => setEditing('new')}>New user</button></p>
      {message && <p role="status">{message}</p>}
      {editing && (
        <UserForm
          user={editing === 'new' ? null : editing}
          offices={offices}
          posts={posts.filter((p) => p.status === 'OPEN')}
          onDone={(text) => { setEditing(null); setMessage(text); load(); }}
          onCancel={() => setEditing(null)}
        />
      )}
      <div class="scroll">
        <table>
          <thead><tr><th>Username</th><th>Name</th><th>Roles</th><th>Office / post</th><th>Clearance</th><th>Status</th><th>Actions</th></tr></thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td>{user.username}</td>
                <td>{user.displayName}</td>
                <td>{user.roles.join(', ')}</td>
                <td>{user.office ?? user.postCode ?? ''}</td>
                <td>{user.clearance}</td>
                <td>{user.disabled ? 'disabled' : 'active'}</td>
                <td>
                  <button type="button" class="link" onClick={() => setEditing(user)} aria-label={`Edit ${user.username}`}>Edit</button>{' '}
                  {user.disabled ? (
                    <button type="button" class="link" onClick={() => act(`${user.username} enabled.`, () => api('POST', `/users/${user.id}/enable`))} aria-label={`Enable ${user.username}`}>Enable</button>
                  ) : (
                    <button type="button" class="link" onClick={() => confirm(`Disable ${user.username}? Their sessions end at once.`) && act(`${user.username} disabled.`, () => api('POST', `/users/${user.id}/disable`, {}))} aria-label={`Disable ${user.username}`}>Disable</button>
                  )}{' '}
                  <button type="button" class="link" onClick={() => reset(user)} aria-label={`Reset password of ${user.username}`}>Reset password</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function UserForm({ user, offices, posts, onDone, onCancel }: { user: User | null; offices: Office[]; posts: Post[]; onDone: (message: string) => void; onCancel: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [roles, setRoles] = useState<string[]>(user?.roles ?? ['drafter']);
  const [office, setOffice] = useState(user?.office ?? '');
  const [postCode, setPostCode] = useState(user?.postCode ?? '');
  const [clearance, setClearance] = useState(user?.clearance ?? 'UNCLASSIFIED');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const profile = { displayName, roles, clearance, office: office || null, postCode: postCode || null };
    try {
      if (user) {
        await api('PATCH', `/users/${user.id}`, profile);
        onDone(`${user.username} updated; the change applies from their next request.`);
      } else {
        const { office: o, postCode: p, ...rest } = profile;
        await api('POST', '/users', { username, password, ...rest, ...(o ? { office: o } : {}), ...(p ? { postCode: p } : {}) });
        onDone(`${username.toLowerCase()} created.`);
      }
    } catch (failure) {
      setError(problemText(failure));
    }
  };
  return (
    <form onSubmit={submit} class="card" aria-label={user ? `Edit ${user.username}` : 'New user'}>
      <h4>{user ? `Edit ${user.username}` : 'New user'}</h4>
      {!user && (
        <>
          <label for="u-username">Username</label>
          <input id="u-username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autocomplete="off" />
          <label for="u-password">Initial password</label>
          <input id="u-password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={12} autocomplete="new-password" />
        </>
      )}
      <label for="u-name">Display name</label>
      <input id="u-name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} required />
      <fieldset>
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <label key={role} style="display:inline; font-weight:normal; margin-right:1rem">
            <input type="checkbox" checked={roles.includes(role)} onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, role] : roles.filter((r) => r !== role))} /> {role}
          </label>
        ))}
      </fieldset>
      <label for="u-office">Office</label>
      <select id="u-office" value={office} onChange={(e) => setOffice(e.currentTarget.value)}>
        <option value="">(none)</option>
        {offices.map((o) => <option key={o.symbol} value={o.symbol}>{o.symbol}: {o.name}</option>)}
      </select>
      <label for="u-post">Post (post officers and post approvers)</label>
      <select id="u-post" value={postCode} onChange={(e) => setPostCode(e.currentTarget.value)}>
        <option value="">(none)</option>
        {posts.map((p) => <option key={p.code} value={p.code}>{p.code}: {p.name}</option>)}
      </select>
      <label for="u-clearance">Clearance</label>
      <select id="u-clearance" value={clearance} onChange={(e) => setClearance(e.currentTarget.value)}>
        {CLEARANCES.map((c) => <option key={c}>{c}</option>)}
      </select>
      <p>
        <button type="submit">{user ? 'Save' : 'Create user'}</button>{' '}
        <button type="button" class="link" onClick={onCancel}>Cancel</button>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

function Offices({ offices, onChanged }: { offices: Office[]; onChanged: () => void }) {
  const [symbol, setSymbol] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const add = async (event: Event) => {
    event.preventDefault();
    try {
      await api('POST', '/offices', { symbol, name });
      setMessage(`${symbol} added.`);
      setSymbol('');
      setName('');
      onChanged();
    } catch (failure) {
      setMessage(problemText(failure));
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
        {message && <p role="status">{message}</p>}
      </form>
      <div class="scroll">
        <table>
          <thead><tr><th>Symbol</th><th>Name</th><th>Bureau</th></tr></thead>
          <tbody>{offices.map((o) => <tr key={o.symbol}><td>{o.symbol}</td><td>{o.name}</td><td>{o.bureau}</td></tr>)}</tbody>
        </table>
      </div>
    </section>
  );
}

function Posts({ posts, onChanged }: { posts: Post[]; onChanged: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const change = async (post: Post, action: 'suspend' | 'reopen' | 'close') => {
    const reason = action === 'reopen' ? undefined : prompt(`Why ${action} ${post.name}?`);
    if (action !== 'reopen' && !reason) return;
    try {
      await api('POST', `/posts/${post.code}/${action}`, reason ? { reason } : {});
      setMessage(`${post.name}: ${action === 'reopen' ? 'reopened' : action === 'close' ? 'closed' : 'suspended'}.`);
      onChanged();
    } catch (failure) {
      setMessage(problemText(failure));
    }
  };
  return (
    <section class="card">
      <h3>Posts</h3>
      {message && <p role="status">{message}</p>}
      <div class="scroll">
        <table>
          <thead><tr><th>Code</th><th>Name</th><th>Kind</th><th>Bureau</th><th>Status</th><th>Actions</th></tr></thead>
          <tbody>
            {posts.map((post) => (
              <tr key={post.code}>
                <td>{post.code}</td><td>{post.name}</td><td>{post.kind}</td><td>{post.bureau}</td><td>{post.status}</td>
                <td>
                  {post.status === 'OPEN' && <button type="button" class="link" onClick={() => change(post, 'suspend')}>Suspend</button>}
                  {post.status === 'SUSPENDED' && <button type="button" class="link" onClick={() => change(post, 'reopen')}>Reopen</button>}
                  {post.status !== 'CLOSED' && <> <button type="button" class="link" onClick={() => change(post, 'close')}>Close</button></>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
