import { useEffect, useState } from 'preact/hooks';
import { api, problemText, when } from '../api.js';
import { useFocusAfterRender } from './FieldProblem.js';
import { markingOf } from './Inbox.js';
import { markingsOf } from '../classification.js';

interface Notice {
  id: string;
  kind: string;
  text: string;
  record: { type: 'cable' | 'followup'; id: string };
  classification: string;
  /** Absent from an older server's answer. */
  captions?: string[];
  occurredAt: string;
  read: boolean;
}

const linkTo = (n: Notice) => (n.record.type === 'cable' ? `#/cables/${n.record.id}` : `#/follow-ups/${n.record.id}`);

/** The caller's notifications, newest first: what asks for them, each linked to its record. */
export function Notifications({ onClassifications, onRead }: { onClassifications: (c: string[]) => void; onRead: () => void }) {
  const [answer, setAnswer] = useState<{ items: Notice[]; total: number; unread: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Why marking read was not done: said above the list, which stays. */
  const [markProblem, setMarkProblem] = useState<string | null>(null);
  const focusOn = useFocusAfterRender();
  const load = () =>
    api<{ items: Notice[]; total: number; unread: number }>('GET', '/notifications?limit=100').then((a) => {
      setAnswer(a);
      onClassifications(markingsOf(a.items));
    }, (e: unknown) => setError(problemText(e)));
  useEffect(() => void load(), []);
  /** `then`: where the focus goes once done, the button pressed being gone (the notice's link, or the count). */
  const mark = async (path: string, then: string) => {
    setMarkProblem(null);
    try {
      await api('POST', path);
      onRead();
      await load();
      focusOn(then);
    } catch (e) {
      setMarkProblem(`Not marked read. ${problemText(e)}`);
    }
  };
  if (error) return <p role="alert">{error}</p>;
  if (!answer) return <p>Loading…</p>;
  return (
    <>
      <h2>Notifications</h2>
      <p id="notices-count" tabIndex={-1}>
        {answer.unread} unread of {answer.total}.{' '}
        {answer.unread > 0 && <button type="button" onClick={() => mark('/notifications/read-all', 'notices-count')}>Mark all read</button>}
      </p>
      {markProblem && <p class="error" role="alert">{markProblem}</p>}
      {answer.items.length === 0 ? (
        <p class="muted">Nothing yet. You are told here when a cable needs your clearance, comes back to you, is released to your post, or a follow-up of yours falls due or is escalated.</p>
      ) : (
        <ul class="notifications">
          {answer.items.map((n) => (
            <li key={n.id} class={n.read ? 'read' : 'unread'}>
              {!n.read && <strong>New: </strong>}
              <a id={`notice-${n.id}`} href={linkTo(n)}>{markingOf(n)}{n.text}</a>{' '}
              <span class="muted">{when(n.occurredAt)}</span>{' '}
              {!n.read && <button type="button" onClick={() => mark(`/notifications/${n.id}/read`, `notice-${n.id}`)} aria-label={`Mark read: ${n.text}`}>Mark read</button>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
