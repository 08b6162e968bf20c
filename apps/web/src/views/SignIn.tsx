import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Me, problemText, session } from '../api.js';

/**
 * The sign-in form: a page of its own, or (`inDialog`) only the form, for the dialog that asks for a
 * sign-in over a screen whose session ended (main.tsx).
 */
export function SignIn({ onSignedIn, inDialog = false }: { onSignedIn: (me: Me) => void; inDialog?: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  // In the dialog, the focus starts in it (the screen behind is out of reach).
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (inDialog) first.current?.focus();
  }, []);
  // A sign-in under way takes no second one (a double click, Enter twice): one login, one token, one try counted.
  const underWay = useRef(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (underWay.current) return;
    underWay.current = true;
    setError(null);
    try {
      const { accessToken } = await api<{ accessToken: string }>('POST', '/auth/login', { username, password });
      session.token = accessToken;
      onSignedIn(await api<Me>('GET', '/auth/me'));
    } catch (failure) {
      // Refused for too many tries, it says until when (the server's Retry-After).
      setError(problemText(failure));
    } finally {
      underWay.current = false;
    }
  };
  const form = (
    <form onSubmit={submit}>
      <label for="username">Username</label>
      <input id="username" ref={first} autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
      <label for="password">Password</label>
      <input id="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
      <p><button type="submit">Sign in</button></p>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
  if (inDialog) return form;
  return (
    <main>
      <section class="card" style="max-width: 420px; margin: 3rem auto;">
        <h2>Sign in to Chancery</h2>
        {form}
      </section>
    </main>
  );
}
