import { diffWords } from 'diff';
import { useEffect, useState } from 'preact/hooks';
import type { CableDraft } from '@chancery/cables/domain';
import { api } from '../api.js';

export interface HistoryEntry { version: number; type: string; at: string; actor: string | null; data: Record<string, unknown> }

/** The text a clearer read: subject and paragraphs, one per line, as the diff compares them. */
export const textOf = (draft: Pick<CableDraft, 'subject' | 'paragraphs'>) => [draft.subject, ...draft.paragraphs.map((p, i) => `${i + 1}. (${p.marking}) ${p.text}`)].join('\n');

/** What changed between two texts, word by word: insertions and deletions marked for eye and reader. */
export function Diff({ before, after }: { before: string; after: string }) {
  const parts = diffWords(before, after);
  if (parts.every((p) => !p.added && !p.removed)) return <p class="muted">No change in the text.</p>;
  return (
    <p style="white-space:pre-wrap">
      {parts.map((part, i) =>
        part.added ? <ins key={i} style="background:#dafbe1">{part.value}</ins> : part.removed ? <del key={i} style="background:#ffebe9">{part.value}</del> : <span key={i}>{part.value}</span>,
      )}
    </p>
  );
}

/** A stream's events, each a button that chooses the version to see it as it stood then. */
export function Timeline({ entries, chosen, onChoose }: { entries: HistoryEntry[]; chosen: number | null; onChoose: (version: number) => void }) {
  return (
    <ol>
      {entries.map((e) => (
        <li key={e.version}>
          <button type="button" class="link" aria-pressed={chosen === e.version} onClick={() => onChoose(e.version)}>
            v{e.version} {e.type}
          </button>{' '}
          <span class="muted">{new Date(e.at).toLocaleString()}</span>
        </li>
      ))}
    </ol>
  );
}

/** A cable's events as a timeline; choosing one shows the cable as it stood right after it. */
export function CableHistory({ id }: { id: string }) {
  const [entries, setEntries] = useState<HistoryEntry[]>([]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [then, setThen] = useState<(CableDraft & { status: string; version: number }) | null>(null);
  useEffect(() => void api<{ items: HistoryEntry[] }>('GET', `/cables/${id}/history`).then((history) => setEntries(history.items)), [id]);
  useEffect(() => {
    if (chosen !== null) void api<CableDraft & { status: string; version: number }>('GET', `/cables/${id}?version=${chosen}`).then(setThen);
  }, [chosen]);
  return (
    <section class="card" aria-labelledby="history-h">
      <h3 id="history-h">History</h3>
      <Timeline entries={entries} chosen={chosen} onChoose={setChosen} />
      {then && (
        <div aria-live="polite">
          <h4>As it stood at version {then.version}: {then.status}</h4>
          <pre style="white-space:pre-wrap">{textOf(then)}</pre>
        </div>
      )}
    </section>
  );
}
