import { useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api.js';

interface InboxAnswer {
  toClear: { cableId: string; subject: string; classification: string }[];
  toApprove: { cableId: string; subject: string; classification: string }[];
  taskings: { demarcheId: string; mrn: string; subject: string; classification: string; reportBy: string; status: string; overdue: boolean }[];
  followUps: { id: string; title: string; dueOn: string; status: string; overdue: boolean }[];
}

/** What waits for the caller: cables to clear or approve, their post's taskings, their follow-ups. */
export function Inbox({ me, onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  const [inbox, setInbox] = useState<InboxAnswer | null>(null);
  useEffect(() => {
    api<InboxAnswer>('GET', '/inbox').then((answer) => {
      setInbox(answer);
      onClassifications([...answer.toClear, ...answer.toApprove, ...answer.taskings].map((item) => item.classification));
    });
  }, [me.id]);
  if (!inbox) return <p>Loading…</p>;
  return (
    <>
      <h2>Inbox</h2>
      <section class="card" aria-labelledby="clear-h">
        <h3 id="clear-h">To clear ({inbox.toClear.length})</h3>
        <ul>{inbox.toClear.map((c) => <li key={c.cableId}><a href={`#/cables/${c.cableId}`}>({c.classification}) {c.subject}</a></li>)}</ul>
      </section>
      <section class="card" aria-labelledby="approve-h">
        <h3 id="approve-h">To approve ({inbox.toApprove.length})</h3>
        <ul>{inbox.toApprove.map((c) => <li key={c.cableId}><a href={`#/cables/${c.cableId}`}>({c.classification}) {c.subject}</a></li>)}</ul>
      </section>
      {me.postCode && <section class="card" aria-labelledby="task-h">
        <h3 id="task-h">Taskings for my post ({inbox.taskings.length})</h3>
        <table>
          <thead><tr><th>MRN</th><th>Subject</th><th>Report by</th><th>Status</th></tr></thead>
          <tbody>{inbox.taskings.map((t) => <tr key={t.demarcheId}><td>{t.mrn}</td><td>({t.classification}) {t.subject}</td><td>{t.reportBy}{t.overdue ? ' (overdue)' : ''}</td><td>{t.status}</td></tr>)}</tbody>
        </table>
        <p><a href="#/taskings">Report on the post's taskings</a></p>
      </section>}
      <section class="card" aria-labelledby="fu-h">
        <h3 id="fu-h">My follow-ups ({inbox.followUps.length})</h3>
        <ul>{inbox.followUps.map((f) => <li key={f.id}><a href={`#/follow-ups/${f.id}`}>{f.title}</a>: due {f.dueOn}{f.overdue ? ' (overdue)' : ''}, {f.status}</li>)}</ul>
      </section>
    </>
  );
}
