import { useEffect, useState } from 'preact/hooks';
import { api, type Me, session, words } from '../api.js';
import { problemText } from './Admin.js';

/** The caller's account: who they are, and a new password (which ends their other sessions). */
export function Account({ me, onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  useEffect(() => onClassifications([]), []);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (next !== again) return setMessage({ text: 'The two new passwords differ.', error: true });
    try {
      const { accessToken } = await api<{ accessToken: string }>('POST', '/auth/password', { currentPassword: current, newPassword: next });
      session.token = accessToken; // the old token stopped working with the change
      setCurrent('');
      setNext('');
      setAgain('');
      setMessage({ text: 'Password changed. Your other sessions have ended.', error: false });
    } catch (failure) {
      setMessage({ text: problemText(failure), error: true });
    }
  };
  return (
    <>
      <h2>Your account</h2>
      <section class="card">
        <p>{me.displayName} ({me.username}) · {me.roles.map((role) => words(role)).join(', ')}{me.office ? ` · ${me.office}` : ''}{me.postCode ? ` · ${me.postCode}` : ''} · cleared {me.clearance}</p>
      </section>
      <section class="card" style="max-width: 480px">
        <h3>Change your password</h3>
        <form onSubmit={submit}>
          <label for="pw-current">Current password</label>
          <input id="pw-current" type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required />
          <label for="pw-new">New password</label>
          <input id="pw-new" type="password" autocomplete="new-password" minLength={12} value={next} onInput={(e) => setNext(e.currentTarget.value)} required aria-describedby="pw-rules" />
          <p id="pw-rules" class="muted">At least 12 characters; a phrase of unrelated words works well. Common and easily guessed passwords are refused.</p>
          <label for="pw-again">New password again</label>
          <input id="pw-again" type="password" autocomplete="new-password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} required />
          <p><button type="submit">Change password</button></p>
          {message && <p class={message.error ? 'error' : undefined} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
        </form>
      </section>
    </>
  );
}
