import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Me, problemText, when } from '../api.js';

/** An entry; newer servers name its actor (`actorUsername`, `actorDisplayName`; null for 'anonymous' or a user not known). */
/** An event of a user, a post or the offices the entry names, as the list answers it beside the entry. */
interface Change { type: string; version: number; data: Record<string, unknown> }
/** A value of a change in words: a list joined, nothing as "none". */
const shownValue = (value: unknown): string => (value === null || value === undefined ? 'none' : Array.isArray(value) ? value.join(', ') || 'none' : typeof value === 'object' ? JSON.stringify(value) : String(value));
/** What a change set, field by field (a profile change's `changes` taken apart). */
const changeText = (change: Change): string => {
  const fields = Object.entries(change.data.changes && typeof change.data.changes === 'object' ? (change.data.changes as Record<string, unknown>) : change.data);
  return fields.length === 0 ? '' : `: ${fields.map(([field, value]) => `${field} ${shownValue(value)}`).join('; ')}`;
};

/** The entry as it was recorded and hashed: without what the list answers beside it (who its actor is, what it changed). */
const asRecorded = ({ changes: _changes, actorUsername: _username, actorDisplayName: _displayName, ...entry }: Entry) => entry;

interface Entry { changes?: Change[]; seq: number | null; id: string; at: string; actorId: string; actorUsername?: string | null; actorDisplayName?: string | null; actorRole: string; action: string; streamId: string | null; streamType: string | null; fromVersion: number | null; toVersion: number | null; requestId: string | null; details: Record<string, unknown>; leafHash?: string | null }
interface TreeHead { treeSize: number; rootHash: string | null; timestamp: string | null; signature: string | null; publicKey: string | null }
interface Verify { valid: boolean; entries: number; agreed?: number; head: string; treeSize?: number; pending?: number; firstBroken?: { seq: number; reason: string }; headsProblem?: string }
interface Proof { leafIndex: number; treeSize: number; leafHash: string; auditPath: string[] }

const PAGE = 50;

/** For auditors: the audit log by user and record (newest first), the signed tree head, verification, an entry's proof. */
export function Audit({ onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  useEffect(() => onClassifications([]), []);
  const [actor, setActor] = useState('');
  const [record, setRecord] = useState('');
  const [order, setOrder] = useState<'desc' | 'asc'>('desc');
  const [offset, setOffset] = useState(0);
  const [entries, setEntries] = useState<{ items: Entry[]; total: number } | null>(null);
  const [head, setHead] = useState<TreeHead | null>(null);
  /** Why the signed tree head could not be read (said with *Read it again*, never left "Loading…"). */
  const [headProblem, setHeadProblem] = useState<string | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [chosen, setChosen] = useState<Entry | null>(null);
  const [proof, setProof] = useState<{ leafHash?: string; proof?: Proof; error?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Only the newest search's answer is shown, whichever answer arrives last.
  const latest = useRef(0);
  const search = async (from = 0, who = actor, what = record) => {
    const mine = ++latest.current;
    setError(null);
    const params = new URLSearchParams({ order, limit: String(PAGE), offset: String(from) });
    if (who.trim()) params.set('actor', who.trim());
    if (what.trim()) params.set('streamId', what.trim());
    try {
      const found = await api<{ items: Entry[]; total: number }>('GET', `/audit?${params}`);
      if (mine !== latest.current) return;
      setEntries(found);
      setOffset(from);
    } catch (failure) {
      if (mine === latest.current) setError(problemText(failure));
    }
  };
  const readHead = async () => {
    setHeadProblem(null);
    try {
      setHead(await api<TreeHead>('GET', '/audit/tree-head'));
    } catch (failure) {
      setHeadProblem(`The signed tree head could not be read. ${problemText(failure)}`);
    }
  };
  useEffect(() => {
    void search(0);
    void readHead();
  }, [order]);
  const runVerify = async () => {
    setVerifying(true);
    setVerify(null);
    try {
      setVerify(await api<Verify>('GET', '/audit/verify'));
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setVerifying(false);
    }
  };
  const choose = async (entry: Entry) => {
    setChosen(entry);
    setProof(null);
    if (entry.seq === null) return setProof({ error: 'Not sealed yet: an entry is sealed into a signed tree head within seconds of its commit.' });
    try {
      // The proof is for the tree the head on screen signed, so that it checks against the root shown;
      // an entry sealed since that head brings the newest head onto the screen first.
      let shown = head;
      if (!shown || shown.treeSize < entry.seq) {
        shown = await api<TreeHead>('GET', '/audit/tree-head');
        setHead(shown);
      }
      const [one, inclusion] = await Promise.all([
        api<{ leafHash: string }>('GET', `/audit/entries/${entry.seq}`),
        api<Proof>('GET', `/audit/entries/${entry.seq}/proof?treeSize=${shown.treeSize}`),
      ]);
      setProof({ leafHash: one.leafHash, proof: inclusion });
    } catch (failure) {
      setProof({ error: problemText(failure) });
    }
  };
  /** Who acted, by name where the entry says it (the API names each actor), else by id. */
  const actorName = (e: Entry) => e.actorDisplayName || e.actorUsername || e.actorId;
  /** What else identifies them beside the name: username and role. */
  const actorDetail = (e: Entry) => [e.actorDisplayName && e.actorUsername !== e.actorDisplayName ? e.actorUsername : null, e.actorRole].filter(Boolean).join(', ');

  return (
    <>
      <h2>Audit log</h2>
      <div class="grid">
        <section class="card" aria-labelledby="head-h">
          <h3 id="head-h">Signed tree head</h3>
          {headProblem !== null && head === null ? (
            <div role="alert"><p class="error">{headProblem}</p><p><button type="button" onClick={() => void readHead()}>Read it again</button></p></div>
          ) : head === null ? <p>Loading…</p> : head.treeSize === 0 ? <p class="muted">Nothing has been sealed yet.</p> : (
            <dl class="facts">
              <div><dt>Entries</dt><dd>{head.treeSize}</dd></div>
              <div><dt>Signed</dt><dd>{when(head.timestamp)}</dd></div>
              <div class="wide"><dt>Root hash</dt><dd><code class="hash">{head.rootHash}</code></dd></div>
              <div class="wide"><dt>Signature (Ed25519)</dt><dd><code class="hash">{head.signature}</code></dd></div>
            </dl>
          )}
          <p><button type="button" onClick={runVerify} disabled={verifying}>{verifying ? 'Verifying…' : 'Verify the whole log'}</button></p>
          {verify && (
            <p role="status" class={verify.valid ? 'ok' : 'error'}>
              {verify.valid
                ? `Valid: ${verify.entries} entries re-hashed and matched the signed heads${verify.pending ? `; ${verify.pending} waiting to be sealed` : ''}.`
                : verify.firstBroken
                  ? `Broken at entry ${verify.firstBroken.seq}: ${verify.firstBroken.reason}. ${verify.agreed ? `Entries 1 to ${verify.agreed} agree with a signed head.` : 'No signed head was found to agree with the entries.'}`
                  : `Not verified: ${verify.headsProblem ?? 'the server gave no reason'}.`}
            </p>
          )}
        </section>
        <section class="card" aria-labelledby="proof-h">
          <h3 id="proof-h">An entry's proof</h3>
          {!chosen ? <p class="muted">Choose an entry in the log to see its leaf hash and its inclusion proof in the signed tree.</p> : (
            <div aria-live="polite">
              <p>Entry {chosen.seq ?? '(unsealed)'}: {chosen.action} by {actorName(chosen)} ({actorDetail(chosen)}), {when(chosen.at)}</p>
              {proof?.error && <p class="error">{proof.error}</p>}
              {proof?.proof && (
                <dl class="facts">
                  <div class="wide"><dt>Leaf hash</dt><dd><code class="hash">{proof.leafHash ?? proof.proof.leafHash}</code></dd></div>
                  <div><dt>Leaf index</dt><dd>{proof.proof.leafIndex}</dd></div>
                  <div><dt>In the tree of</dt><dd>{proof.proof.treeSize} entries</dd></div>
                  <div class="wide"><dt>Audit path ({proof.proof.auditPath.length} hashes)</dt><dd><ol class="hashes">{proof.proof.auditPath.map((h) => <li key={h}><code class="hash">{h}</code></li>)}</ol></dd></div>
                </dl>
              )}
              {chosen.changes && chosen.changes.length > 0 && (
                <>
                  <h4>What it changed</h4>
                  <ul>{chosen.changes.map((change) => <li key={change.version}>{change.type} (version {change.version}){changeText(change)}</li>)}</ul>
                </>
              )}
              <details><summary>The entry as recorded</summary><pre class="plain">{JSON.stringify(asRecorded(chosen), null, 2)}</pre></details>
            </div>
          )}
        </section>
      </div>
      <section class="card" aria-labelledby="log-h">
        <h3 id="log-h">Entries ({entries?.total ?? '…'})</h3>
        <form class="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => { e.preventDefault(); void search(0); }}>
          <span><label for="a-actor">User (username or id)</label><input id="a-actor" value={actor} onInput={(e) => setActor(e.currentTarget.value)} /></span>
          <span><label for="a-record">Record (stream id, e.g. cable-…)</label><input id="a-record" value={record} onInput={(e) => setRecord(e.currentTarget.value)} /></span>
          <span>
            <label for="a-order">Order</label>
            <select id="a-order" value={order} onChange={(e) => setOrder(e.currentTarget.value as 'asc' | 'desc')}><option value="desc">Newest first</option><option value="asc">Oldest first</option></select>
          </span>
          <span><button type="submit">Show</button></span>
        </form>
        {error && <p class="error" role="alert">{error}</p>}
        {entries && entries.items.length === 0 && <p class="muted">No entry matches.</p>}
        {entries && entries.items.length > 0 && (
          <div class="scroll" tabIndex={0} role="region" aria-label="Audit entries">
            <table class="stack">
              <thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th><th>Record</th><th>Proof</th></tr></thead>
              <tbody>
                {entries.items.map((e) => (
                  <tr key={e.id} class={chosen?.id === e.id ? 'selected' : undefined}>
                    <td data-label="#">{e.seq ?? '…'}</td>
                    <td data-label="When">{when(e.at)}</td>
                    <td data-label="Who"><button type="button" class="link" onClick={() => { const who = e.actorUsername || e.actorId; setActor(who); void search(0, who, record); }} aria-label={`Filter by ${actorName(e)}`}>{actorName(e)}</button> <span class="muted">({actorDetail(e)})</span></td>
                    <td data-label="What">{e.action}</td>
                    <td data-label="Record">{e.streamId ? <button type="button" class="link" onClick={() => { setRecord(e.streamId!); void search(0, actor, e.streamId!); }} aria-label={`Filter by record ${e.streamId}`}>{e.streamId}</button> : ''}{e.toVersion ? ` v${e.toVersion}` : ''}</td>
                    <td data-label="Proof"><button type="button" class="link" onClick={() => choose(e)} aria-label={`Proof of entry ${e.seq ?? e.id}`}>proof</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {entries && entries.total > PAGE && (
          <p>
            <button type="button" class="secondary" disabled={offset === 0} onClick={() => search(Math.max(0, offset - PAGE))}>Previous</button>{' '}
            <span class="muted">{offset + 1}–{Math.min(offset + PAGE, entries.total)} of {entries.total}</span>{' '}
            <button type="button" class="secondary" disabled={offset + PAGE >= entries.total} onClick={() => search(offset + PAGE)}>Next</button>
          </p>
        )}
      </section>
    </>
  );
}
