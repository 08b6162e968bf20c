import { CABLE_KINDS, type CableDraft, CAPTIONS, CLASSIFICATION_REASONS, PORTION_MARKINGS, PRECEDENCES, tagAdvice, validateDraft } from '@chancery/cables/domain';
import { CLASSIFICATIONS } from '@chancery/identity/domain';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api.js';
import { CableHistory, Diff, type HistoryEntry, textOf } from './History.js';

interface Clearance { office: string; status: string; by: { username: string } | null; at: string | null; comments: string | null }
interface CableView extends CableDraft { id: string; origin: string; status: string; version: number; clearances: Clearance[]; mrn: string | null; drafter: { id: string } }

const blank = (): CableDraft => ({
  kind: 'INSTRUCTION', subject: '', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: [],
  actionAddressees: [], infoAddressees: [], references: [], paragraphs: [{ marking: 'U', text: '' }], classifiedBy: null, demarche: null,
});
const list = (value: string) => value.split(/[\s,]+/).map((s) => s.trim().toUpperCase()).filter(Boolean);

/** The first rule the draft breaks, by the same rules the server applies; null when it passes. */
function firstViolation(draft: CableDraft, addressable: Set<string>): { field: string; message: string } | null {
  try {
    validateDraft(draft, { today: new Date().toISOString().slice(0, 10), isAddressable: (code) => addressable.has(code), isReleasedMrn: () => true });
    return null;
  } catch (error) {
    const failure = error as { message: string; details?: { errors?: { field: string }[] } };
    return { field: failure.details?.errors?.[0]?.field ?? '', message: failure.message };
  }
}

export function CableList({ onClassifications }: { onClassifications: (c: string[]) => void }) {
  const [cables, setCables] = useState<CableView[]>([]);
  useEffect(() => {
    api<{ items: CableView[] }>('GET', '/cables?limit=100').then((answer) => {
      setCables(answer.items);
      onClassifications(answer.items.map((c) => c.classification));
    });
  }, []);
  return (
    <>
      <h2>Cables</h2>
      <p><a href="#/cables/new">Draft a new cable</a></p>
      <section class="card">
        <table>
          <thead><tr><th>Subject</th><th>Status</th><th>MRN</th></tr></thead>
          <tbody>{cables.map((c) => <tr key={c.id}><td><a href={`#/cables/${c.id}`}>({c.classification}) {c.subject}</a></td><td>{c.status}</td><td>{c.mrn ?? ''}</td></tr>)}</tbody>
        </table>
      </section>
    </>
  );
}

/** Drafting and working a cable: the rules flagged as the officer types, clearances, the actions. */
export function CableEditor({ id, me, onClassifications }: { id: string | null; me: Me; onClassifications: (c: string[]) => void }) {
  const [cable, setCable] = useState<CableView | null>(null);
  const [draft, setDraft] = useState<CableDraft>(blank());
  const [addressable, setAddressable] = useState<Set<string>>(new Set());
  const [labels, setLabels] = useState<[string, string][]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [offices, setOffices] = useState('');
  const [telegram, setTelegram] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([api<{ items: { code: string; name: string; status: string }[] }>('GET', '/posts?limit=500'), api<{ code: string }[] | { items: { code: string }[] }>('GET', '/collectives')]).then(([posts, collectives]) => {
      const open: [string, string][] = posts.items.filter((p) => p.status === 'OPEN').map((p) => [p.code, p.name]);
      const groups: [string, string][] = (Array.isArray(collectives) ? collectives : collectives.items).map((c) => [c.code, 'collective']);
      setLabels([...groups, ...open]);
      setAddressable(new Set([...groups, ...open].map(([code]) => code)));
    });
  }, []);
  const load = (cableId: string) =>
    api<CableView>('GET', `/cables/${cableId}`).then((view) => {
      setCable(view);
      setDraft(view);
    });
  useEffect(() => {
    if (id) void load(id);
  }, [id]);
  useEffect(() => onClassifications([draft.classification]), [draft.classification]);

  const violation = useMemo(() => (addressable.size ? firstViolation(draft, addressable) : null), [draft, addressable]);
  const set = (patch: Partial<CableDraft>) => setDraft({ ...draft, ...patch });
  const act = async (work: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await work();
      setMessage(done);
    } catch (error) {
      setMessage(error instanceof ApiError ? `Refused: ${error.problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') || error.message}` : String(error));
    }
  };
  const { kind, subject, subjectMarking, classification, captions, precedence, tags, actionAddressees, infoAddressees, references, paragraphs, classifiedBy, demarche } = draft;
  const body = {
    kind, subject, ...(subjectMarking ? { subjectMarking } : {}), classification, captions, precedence, tags, actionAddressees, infoAddressees, references, paragraphs,
    ...(classifiedBy ? { classifiedBy } : {}), ...(demarche ? { demarche } : {}),
  };
  const advice = tags.map(tagAdvice).filter((note): note is string => note !== undefined);
  const save = () =>
    act(async () => {
      if (cable) await load((await api<CableView>('PATCH', `/cables/${cable.id}`, body)).id);
      else location.hash = `#/cables/${(await api<CableView>('POST', '/cables', body)).id}`;
    }, 'Saved.');
  const step = (path: string, payload: unknown = {}, done = 'Done.') => act(async () => { await api('POST', `/cables/${cable!.id}/${path}`, payload); await load(cable!.id); }, done);
  const editable = !cable || cable.status === 'DRAFT' || cable.status === 'IN_CLEARANCE';
  const authority = () => classifiedBy ?? { name: '', title: '', office: me.office ?? '', reasons: [], declassifyOn: '' };

  return (
    <>
      <h2>{cable ? `${cable.status === 'RELEASED' ? cable.mrn : 'Draft'}: ${cable.subject}` : 'New cable'}</h2>
      <div class="grid">
        <section class="card" aria-labelledby="draft-h">
          <h3 id="draft-h">Draft</h3>
          <fieldset disabled={!editable} style="border:0;padding:0">
            <label for="subject">Subject</label>
            <input id="subject" style="width:100%" value={subject} onInput={(e) => set({ subject: e.currentTarget.value })} />
            <label for="subject-marking">Portion marking of the subject</label>
            <select id="subject-marking" value={subjectMarking ?? 'U'} onChange={(e) => set({ subjectMarking: e.currentTarget.value as NonNullable<CableDraft['subjectMarking']> })}>
              {PORTION_MARKINGS.map((m) => <option key={m}>{m}</option>)}
            </select>
            <label for="kind">Kind</label>
            <select id="kind" value={kind} onChange={(e) => set({ kind: e.currentTarget.value as CableDraft['kind'] })}>{CABLE_KINDS.map((k) => <option key={k}>{k}</option>)}</select>
            <label for="classification">Classification</label>
            <select id="classification" value={classification} onChange={(e) => set({ classification: e.currentTarget.value as CableDraft['classification'] })}>{CLASSIFICATIONS.map((c) => <option key={c}>{c}</option>)}</select>
            {classification !== 'UNCLASSIFIED' && classification !== 'SBU' && (
              <fieldset>
                <legend>Classification block</legend>
                {(['name', 'title', 'office'] as const).map((key) => (
                  <span key={key}>
                    <label for={`classified-${key}`}>Classified by: {key}</label>
                    <input id={`classified-${key}`} value={classifiedBy?.[key] ?? ''} onInput={(e) => set({ classifiedBy: { ...authority(), [key]: e.currentTarget.value } })} />
                  </span>
                ))}
                <label for="classified-reasons">Reasons (of {CLASSIFICATION_REASONS.join(' ')})</label>
                <input id="classified-reasons" value={(classifiedBy?.reasons ?? []).join(' ')} onInput={(e) => set({ classifiedBy: { ...authority(), reasons: e.currentTarget.value.split(/[\s,]+/).filter(Boolean) } })} />
                <label for="classified-declassify">Declassify on</label>
                <input id="classified-declassify" type="date" value={classifiedBy?.declassifyOn ?? ''} onInput={(e) => set({ classifiedBy: { ...authority(), declassifyOn: e.currentTarget.value } })} />
              </fieldset>
            )}
            <label for="precedence">Precedence</label>
            <select id="precedence" value={precedence} onChange={(e) => set({ precedence: e.currentTarget.value as CableDraft['precedence'] })}>{PRECEDENCES.map((p) => <option key={p}>{p}</option>)}</select>
            <label for="captions">Captions (of {CAPTIONS.join(', ')})</label>
            <input id="captions" value={captions.join(' ')} onInput={(e) => set({ captions: list(e.currentTarget.value) as CableDraft['captions'] })} />
            <label for="tags">TAGS</label>
            <input id="tags" value={tags.join(' ')} onInput={(e) => set({ tags: list(e.currentTarget.value) })} />
            {advice.length > 0 && <p class="hint" role="note">{advice.join('. ')}.</p>}
            <datalist id="addressable-codes">{labels.map(([code, label]) => <option key={code} value={code}>{label}</option>)}</datalist>
            <AddresseePicker id="action" label="Action addressees" value={actionAddressees} onChange={(codes) => set({ actionAddressees: codes })} />
            <AddresseePicker id="info" label="Info addressees" value={infoAddressees} onChange={(codes) => set({ infoAddressees: codes })} />
            {paragraphs.map((p, i) => (
              <div key={i}>
                <label for={`para-${i}`}>Paragraph {i + 1}</label>
                <select aria-label={`Portion marking of paragraph ${i + 1}`} value={p.marking} onChange={(e) => set({ paragraphs: paragraphs.map((q, j) => (j === i ? { ...q, marking: e.currentTarget.value as typeof p.marking } : q)) })}>
                  {PORTION_MARKINGS.map((m) => <option key={m}>{m}</option>)}
                </select>
                <textarea id={`para-${i}`} rows={3} style="width:100%" value={p.text} onInput={(e) => set({ paragraphs: paragraphs.map((q, j) => (j === i ? { ...q, text: e.currentTarget.value } : q)) })} />
              </div>
            ))}
            <p><button type="button" onClick={() => set({ paragraphs: [...paragraphs, { marking: 'U', text: '' }] })}>Add a paragraph</button></p>
            <label><input type="checkbox" checked={demarche !== null} onChange={(e) => set({ demarche: e.currentTarget.checked ? { reportBy: '', targets: '', points: [1] } : null })} /> This cable tasks posts with a demarche</label>
            {demarche && (
              <>
                <label for="report-by">Report by</label>
                <input id="report-by" type="date" value={demarche.reportBy} onInput={(e) => set({ demarche: { ...demarche, reportBy: e.currentTarget.value } })} />
                <label for="targets">Whom to see</label>
                <input id="targets" style="width:100%" value={demarche.targets} onInput={(e) => set({ demarche: { ...demarche, targets: e.currentTarget.value } })} />
              </>
            )}
          </fieldset>
          <p role="status" aria-live="polite" class={violation ? 'error' : 'muted'}>
            {addressable.size === 0 ? 'Checking the draft…' : violation ? `${violation.field ? `${violation.field}: ` : ''}${violation.message}` : 'The draft meets every drafting rule.'}
          </p>
          {editable && <button type="button" onClick={save} disabled={violation !== null || addressable.size === 0}>{cable ? 'Save changes' : 'Save draft'}</button>}
          {message && <p role="alert">{message}</p>}
        </section>
        {cable && (
          <section class="card" aria-labelledby="clear-h">
            <h3 id="clear-h">Clearances</h3>
            <table>
              <thead><tr><th>Office</th><th>Status</th><th>By</th></tr></thead>
              <tbody>{cable.clearances.map((c) => <tr key={c.office}><td>{c.office}</td><td>{c.status === 'STALE' ? 'STALE (changed since cleared)' : c.status}</td><td>{c.by?.username ?? ''}</td></tr>)}</tbody>
            </table>
            <SinceCleared cable={cable} />
            {cable.drafter.id === me.id && editable && (
              <p>
                <label for="offices">Ask offices to clear</label>
                <input id="offices" value={offices} onInput={(e) => setOffices(e.currentTarget.value)} />{' '}
                <button type="button" onClick={() => step('clearance-requests', { offices: list(offices) }, 'Clearances requested.')}>Request</button>
              </p>
            )}
            {me.roles.includes('clearer') && cable.clearances.some((c) => c.office === me.office && c.status !== 'CLEARED') && (
              <p><button type="button" onClick={() => step('clearances', { office: me.office, decision: 'CLEARED' }, 'Cleared.')}>Clear for {me.office}</button></p>
            )}
            <h3>Actions</h3>
            <p>
              {cable.drafter.id === me.id && editable && <button type="button" onClick={() => step('submit')}>Submit for approval</button>}{' '}
              {me.roles.includes('approver') && cable.status === 'PENDING_APPROVAL' && <button type="button" onClick={() => step('approve')}>Approve</button>}{' '}
              {me.roles.includes('approver') && cable.status === 'APPROVED' && <button type="button" onClick={() => step('release', {}, 'Released.')}>Release</button>}{' '}
              {me.roles.includes('approver') && (cable.status === 'PENDING_APPROVAL' || cable.status === 'APPROVED') && (
                <button type="button" onClick={() => { const reason = prompt('Why does it go back to the drafter?'); if (reason) void step('return', { reason }, 'Returned to the drafter.'); }}>Return to drafter</button>
              )}{' '}
              {cable.status !== 'RELEASED' && cable.status !== 'CANCELLED' && (cable.drafter.id === me.id || me.roles.includes('approver')) && (
                <button type="button" onClick={() => { const reason = prompt('Why is the cable cancelled?'); if (reason) void step('cancel', { reason }, 'Cancelled.'); }}>Cancel cable</button>
              )}{' '}
              <button type="button" onClick={async () => setTelegram(await api<string>('GET', `/cables/${cable.id}/telegram`))}>Telegram view</button>
            </p>
            {telegram && <pre aria-label="Telegram" style="white-space:pre-wrap">{telegram}</pre>}
          </section>
        )}
      </div>
      {cable && <CableHistory key={cable.version} id={cable.id} />}
    </>
  );
}

/** For each office that cleared, what has changed in the text since it did. */
function SinceCleared({ cable }: { cable: CableView }) {
  const [changes, setChanges] = useState<{ office: string; version: number; before: string }[]>([]);
  useEffect(() => {
    void (async () => {
      const history = (await api<{ items: HistoryEntry[] }>('GET', `/cables/${cable.id}/history`)).items;
      const found = [];
      for (const clearance of cable.clearances.filter((c) => c.status !== 'PENDING')) {
        const granted = [...history].reverse().find((e) => e.type.startsWith('Clearance') && e.type !== 'ClearancesRequested' && e.type !== 'ClearancesMadeStale' && e.data.office === clearance.office);
        if (!granted) continue;
        const then = await api<CableDraft>('GET', `/cables/${cable.id}?version=${granted.version}`);
        found.push({ office: clearance.office, version: granted.version, before: textOf(then) });
      }
      setChanges(found);
    })();
  }, [cable.id, cable.version]);
  return (
    <>
      {changes.map((c) => (
        <details key={c.office} open={cable.clearances.find((x) => x.office === c.office)?.status === 'STALE'}>
          <summary>Changed since {c.office} decided (version {c.version})</summary>
          <Diff before={c.before} after={textOf(cable)} />
        </details>
      ))}
    </>
  );
}

/** Addressees as removable chips, added one code at a time with suggestions of every post and collective. */
function AddresseePicker({ id, label, value, onChange }: { id: string; label: string; value: string[]; onChange: (codes: string[]) => void }) {
  const [entry, setEntry] = useState('');
  const add = () => {
    const code = entry.trim().toUpperCase();
    if (code && !value.includes(code)) onChange([...value, code]);
    setEntry('');
  };
  return (
    <div>
      <label for={id}>{label} (a post or a collective such as ALDAC or EAP_POSTS)</label>
      <ul class="chips" aria-label={`${label} chosen`}>
        {value.map((code) => (
          <li key={code}>{code} <button type="button" class="link" aria-label={`Remove ${code}`} onClick={() => onChange(value.filter((c) => c !== code))}>×</button></li>
        ))}
      </ul>
      <input id={id} list="addressable-codes" value={entry} onInput={(e) => setEntry(e.currentTarget.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />{' '}
      <button type="button" onClick={add}>Add</button>
    </div>
  );
}
