import { useEffect, useRef, useState } from 'preact/hooks';
import { PASSWORD_MIN_LENGTH } from '@chancery/identity/domain';
import { api, type Me, placeProblems, refusalText, session, words } from '../api.js';
import { FieldProblem, markedBy } from './FieldProblem.js';

/** Where the form shows each field of `POST /auth/password`: the id of its control. */
const PLACES: Readonly<Record<string, string>> = { currentPassword: 'pw-current', newPassword: 'pw-new' };
/** The fields as the form labels them, for what the server says of them ("New password is one of…", not "The newPassword…"). */
const LABELS = { currentPassword: 'Current password', newPassword: 'New password' };

/** The caller's account: who they are, and a new password (which ends their other sessions). */
export function Account({ me, onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  useEffect(() => onClassifications([]), []);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [changed, setChanged] = useState(false);
  /** The last change refused by the server: what it names is said beside its field. */
  const [refused, setRefused] = useState<unknown>(null);
  /**
   * What the form checks before sending (the current password given, the new one long enough, typed
   * the same twice), by field: said beside each, nothing sent. The form checks these itself rather
   * than leaving them to the browser's own bubbles, which say nothing in the page and leave an earlier
   * refusal standing beside a field since corrected.
   */
  const [lacking, setLacking] = useState<Record<string, string>>({});
  /** Bumped at each refusal, so that the focus goes to the first field marked even when the same one is marked again. */
  const [refusals, setRefusals] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (refusals > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);

  const problems = placeProblems(refused, (field) => PLACES[field] ?? null, LABELS);
  const beside: Record<string, string> = { ...problems.beside, ...lacking };
  const error = refused === null && Object.keys(lacking).length === 0 ? null : refusalText('Not changed.', { beside, rest: problems.rest });
  const submit = async (event: Event) => {
    event.preventDefault();
    setChanged(false);
    setRefused(null);
    const missing: Record<string, string> = {
      ...(current === '' ? { 'pw-current': 'Give your current password.' } : {}),
      ...(next === '' ? { 'pw-new': 'Give a new password.' } : next.length < PASSWORD_MIN_LENGTH ? { 'pw-new': `The new password must be at least ${PASSWORD_MIN_LENGTH} characters.` } : {}),
      ...(next !== again ? { 'pw-again': 'The two new passwords differ: type the same one twice.' } : {}),
    };
    setLacking(missing);
    if (Object.keys(missing).length > 0) return setRefusals((n) => n + 1);
    try {
      const { accessToken } = await api<{ accessToken: string }>('POST', '/auth/password', { currentPassword: current, newPassword: next });
      session.token = accessToken; // the old token stopped working with the change
      setCurrent('');
      setNext('');
      setAgain('');
      setChanged(true);
    } catch (failure) {
      setRefused(failure);
      setRefusals((n) => n + 1);
    }
  };
  // The new password's field is described by the rules it must meet, and by what was wrong with it.
  const newMarks: { 'aria-describedby'?: string } = markedBy('pw-new', beside['pw-new']);
  return (
    <>
      <h2>Your account</h2>
      <section class="card">
        <p>{me.displayName} ({me.username}) · {me.roles.map((role) => words(role)).join(', ')}{me.office ? ` · ${me.office}` : ''}{me.postCode ? ` · ${me.postCode}` : ''} · cleared {me.clearance}</p>
      </section>
      <section class="card" style="max-width: 480px">
        <h3>Change your password</h3>
        <form onSubmit={submit} ref={form} noValidate>
          <label for="pw-current">Current password</label>
          <input id="pw-current" type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required {...markedBy('pw-current', beside['pw-current'])} />
          <FieldProblem place="pw-current" text={beside['pw-current']} />
          <label for="pw-new">New password</label>
          <input id="pw-new" type="password" autocomplete="new-password" minLength={PASSWORD_MIN_LENGTH} value={next} onInput={(e) => setNext(e.currentTarget.value)} required {...newMarks} aria-describedby={[newMarks['aria-describedby'], 'pw-rules'].filter(Boolean).join(' ')} />
          <FieldProblem place="pw-new" text={beside['pw-new']} />
          <p id="pw-rules" class="muted">At least 12 characters; a phrase of unrelated words works well. Common and easily guessed passwords are refused.</p>
          <label for="pw-again">New password again</label>
          <input id="pw-again" type="password" autocomplete="new-password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} required {...markedBy('pw-again', beside['pw-again'])} />
          <FieldProblem place="pw-again" text={beside['pw-again']} />
          <p><button type="submit">Change password</button></p>
          {error && <p class="error" role="alert">{error}</p>}
          {changed && <p role="status">Password changed. Your other sessions have ended.</p>}
        </form>
      </section>
    </>
  );
}
