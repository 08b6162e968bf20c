import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, download } from '../api.js';
import { type HistoryEntry, Timeline } from './History.js';

interface FollowUp {
  id: string;
  title: string;
  description: string;
  owner: { office: string } | { post: string };
  ownerBureau: string;
  dueOn: string;
  status: string;
  overdue: boolean;
  escalatedTo: string | null;
  outcome: string | null;
  cancelReason: string | null;
  comments: { text: string; by: { username: string }; at: string }[];
  history?: HistoryEntry[];
}

const ownerOf = (f: FollowUp) => ('office' in f.owner ? f.owner.office : f.owner.post);

/** Follow-up actions: the list, oldest due first, and one with its comments, actions and history. */
export function FollowUps({ id, onClassifications }: { id: string | null; onClassifications: (c: string[]) => void }) {
  const [items, setItems] = useState<FollowUp[]>([]);
  const [overdueOnly, setOverdueOnly] = useState(false);
  // Follow-up actions carry no classification of their own.
  useEffect(() => onClassifications([]), []);
  useEffect(() => void api<{ items: FollowUp[] }>('GET', `/follow-ups?limit=200${overdueOnly ? '&overdue=true' : ''}`).then((answer) => setItems(answer.items)), [overdueOnly, id]);
  if (id) return <FollowUpDetail id={id} />;
  return (
    <>
      <h2>Follow-up actions</h2>
      <p>
        <label style="display:inline"><input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.currentTarget.checked)} /> Overdue only</label>{' '}
        <button type="button" onClick={() => download('/follow-ups/export.csv', 'follow-ups.csv')}>Download CSV</button>
      </p>
      <section class="card">
        <table>
          <thead><tr><th>Title</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead>
          <tbody>
            {items.map((f) => (
              <tr key={f.id}>
                <td><a href={`#/follow-ups/${f.id}`}>{f.title}</a></td><td>{ownerOf(f)} ({f.ownerBureau})</td>
                <td>{f.dueOn}{f.overdue ? <strong class="error"> overdue</strong> : ''}</td><td>{f.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function FollowUpDetail({ id }: { id: string }) {
  const [followUp, setFollowUp] = useState<FollowUp | null>(null);
  const [text, setText] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [then, setThen] = useState<FollowUp & { version: number } | null>(null);
  const load = () => api<FollowUp>('GET', `/follow-ups/${id}`).then(setFollowUp);
  useEffect(() => void load(), [id]);
  const act = async (path: string, body: unknown, done: string) => {
    setMessage(null);
    try {
      await api('POST', `/follow-ups/${id}/${path}`, body);
      setMessage(done);
      setText('');
      await load();
    } catch (error) {
      setMessage(error instanceof ApiError ? `Refused: ${error.message}` : String(error));
    }
  };
  if (!followUp) return <p>Loading…</p>;
  const open = followUp.status === 'OPEN' || followUp.status === 'IN_PROGRESS';
  return (
    <>
      <p><a href="#/follow-ups">All follow-ups</a></p>
      <h2>{followUp.title}</h2>
      <div class="grid">
        <section class="card">
          <p>{followUp.description}</p>
          <p>Owner: {ownerOf(followUp)} ({followUp.ownerBureau}) · due {followUp.dueOn}{followUp.overdue ? ' (overdue)' : ''} · {followUp.status}{followUp.escalatedTo ? ` · escalated to ${followUp.escalatedTo}` : ''}</p>
          {followUp.outcome && <p>Outcome: {followUp.outcome}</p>}
          <h3>Comments</h3>
          <ul>{followUp.comments.map((c, i) => <li key={i}>{c.by.username}: {c.text} <span class="muted">{new Date(c.at).toLocaleString()}</span></li>)}</ul>
          <label for="note">Comment, outcome or reason</label>
          <textarea id="note" rows={3} style="width:100%" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <p>
            <button type="button" onClick={() => act('comments', { text }, 'Comment added.')} disabled={!text.trim()}>Comment</button>{' '}
            {followUp.status === 'OPEN' && <button type="button" onClick={() => act('start', {}, 'Started.')}>Start</button>}{' '}
            {open && <button type="button" onClick={() => act('complete', { outcome: text }, 'Completed.')} disabled={!text.trim()}>Complete with this outcome</button>}{' '}
            {open && <button type="button" onClick={() => act('cancel', { reason: text }, 'Cancelled.')} disabled={!text.trim()}>Cancel with this reason</button>}
          </p>
          {message && <p role="alert">{message}</p>}
        </section>
        <section class="card" aria-labelledby="fu-history">
          <h3 id="fu-history">History</h3>
          <Timeline entries={followUp.history ?? []} chosen={then?.version ?? null} onChoose={async (version) => setThen(await api('GET', `/follow-ups/${id}?version=${version}`))} />
          {then && (
            <div aria-live="polite">
              <h4>As it stood at version {then.version}</h4>
              <p>{then.title}: {then.status}, owner {ownerOf(then)}, due {then.dueOn}{then.outcome ? `, outcome: ${then.outcome}` : ''}; {then.comments.length} comment(s)</p>
            </div>
          )}
        </section>
      </div>
    </>
  );
}
