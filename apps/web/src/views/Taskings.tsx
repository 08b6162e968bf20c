import { LEVELS, METHODS, POSITIONS } from '@chancery/demarches/domain';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api.js';

interface Tasking { demarcheId: string; mrn: string; subject: string; classification: string; post: string; status: string; reportBy: string; overdue: boolean }
interface FollowUp { id: string; title: string; dueOn: string; status: string; overdue: boolean }

const today = () => new Date().toISOString().slice(0, 10);

/** One tasking's forms: the delivery, then the response or the reason it could not be delivered. */
function Report({ tasking, onDone }: { tasking: Tasking; onDone: (message: string) => void }) {
  const base = `/demarches/${tasking.demarcheId}/deliveries/${tasking.post}`;
  const [form, setForm] = useState({ deliveredOn: today(), name: '', title: '', organization: '', level: 'DIRECTOR', method: 'IN_PERSON', receivedOn: today(), position: 'RECEPTIVE', summary: '', reason: '' });
  const [error, setError] = useState<string | null>(null);
  const field = (name: keyof typeof form, label: string, type: 'text' | 'date' = 'text') => (
    <>
      <label for={`${tasking.demarcheId}-${name}`}>{label}</label>
      {type === 'date' ? (
        <input id={`${tasking.demarcheId}-${name}`} type="date" value={form[name]} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      ) : (
        <input id={`${tasking.demarcheId}-${name}`} value={form[name]} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      )}
    </>
  );
  const choice = (name: keyof typeof form, label: string, options: readonly string[]) => (
    <>
      <label for={`${tasking.demarcheId}-${name}`}>{label}</label>
      <select id={`${tasking.demarcheId}-${name}`} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.currentTarget.value })}>{options.map((o) => <option key={o}>{o}</option>)}</select>
    </>
  );
  const send = async (path: string, body: unknown, done: string) => {
    setError(null);
    try {
      await api('POST', `${base}/${path}`, body);
      onDone(done);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  return (
    <div>
      {tasking.status === 'PENDING' && (
        <form aria-label={`Log the delivery of ${tasking.mrn}`} onSubmit={(e) => { e.preventDefault(); void send('delivery', { deliveredOn: form.deliveredOn, counterpart: { name: form.name, title: form.title, organization: form.organization }, level: form.level, method: form.method }, 'Delivery logged.'); }}>
          {field('deliveredOn', 'Delivered on', 'date')}{field('name', 'Counterpart name')}{field('title', 'Counterpart title')}{field('organization', 'Counterpart organization')}
          {choice('level', 'Level', LEVELS)}{choice('method', 'Method', METHODS)}
          <p><button type="submit">Log delivery</button></p>
        </form>
      )}
      {tasking.status === 'DELIVERED' && (
        <form aria-label={`Log the response to ${tasking.mrn}`} onSubmit={(e) => { e.preventDefault(); void send('response', { receivedOn: form.receivedOn, position: form.position, summary: form.summary }, 'Response logged.'); }}>
          {field('receivedOn', 'Response received on', 'date')}{choice('position', 'Counterpart position', POSITIONS)}{field('summary', 'What the counterpart said')}
          <p><button type="submit">Log response</button></p>
        </form>
      )}
      {(tasking.status === 'PENDING' || tasking.status === 'DELIVERED') && (
        <form aria-label={`Record that ${tasking.mrn} could not be delivered`} onSubmit={(e) => { e.preventDefault(); void send('not-delivered', { reason: form.reason }, 'Recorded as not delivered.'); }}>
          {field('reason', 'Why it could not be delivered')}
          <p><button type="submit">Record not delivered</button></p>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

/** The post's work: taskings with report-by dates and overdue marks, and its follow-ups. */
export function Taskings({ me, onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  const [taskings, setTaskings] = useState<Tasking[]>([]);
  const [followUps, setFollowUps] = useState<FollowUp[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const refresh = () =>
    api<{ taskings: Tasking[]; followUps: FollowUp[] }>('GET', '/inbox').then((inbox) => {
      setTaskings(inbox.taskings);
      setFollowUps(inbox.followUps);
      onClassifications(inbox.taskings.map((t) => t.classification));
    });
  useEffect(() => void refresh(), [me.id]);
  return (
    <>
      <h2>Taskings for {me.postCode}</h2>
      {message && <p role="status">{message}</p>}
      <section class="card">
        <table>
          <thead><tr><th>MRN</th><th>Subject</th><th>Report by</th><th>Status</th><th /></tr></thead>
          <tbody>
            {taskings.map((t) => (
              <>
                <tr key={t.demarcheId}>
                  <td>{t.mrn}</td><td>({t.classification}) {t.subject}</td><td>{t.reportBy}{t.overdue ? <strong class="error"> overdue</strong> : ''}</td><td>{t.status}</td>
                  <td>{t.status !== 'RESPONDED' && t.status !== 'NOT_DELIVERED' && <button type="button" aria-expanded={open === t.demarcheId} onClick={() => setOpen(open === t.demarcheId ? null : t.demarcheId)}>Report</button>}</td>
                </tr>
                {open === t.demarcheId && <tr><td colSpan={5}><Report tasking={t} onDone={(done) => { setMessage(done); setOpen(null); void refresh(); }} /></td></tr>}
              </>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h3>Follow-ups owned by the post</h3>
        <ul>{followUps.map((f) => <li key={f.id}>{f.title}: due {f.dueOn}{f.overdue ? ' (overdue)' : ''}, {f.status}</li>)}</ul>
      </section>
    </>
  );
}
