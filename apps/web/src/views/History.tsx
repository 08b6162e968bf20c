import { diffWords } from 'diff';
import { useEffect, useState } from 'preact/hooks';
import type { CableDraft } from '@chancery/cables/domain';
import { api, when, words } from '../api.js';
import { posts } from '../posts.js';
import { describeEvent, type HistoryEntry, type PostNames } from './event-sentences.js';

export { describeEvent, type HistoryEntry, type PostNames };


/** The text a clearer read: subject and paragraphs, one per line, as the diff compares them. */
export const textOf = (draft: Pick<CableDraft, 'subject' | 'paragraphs'>) => [draft.subject, ...draft.paragraphs.map((p, i) => `${i + 1}. (${p.marking}) ${p.text}`)].join('\n');

/** What changed between two texts, word by word: insertions and deletions marked for eye and reader. */
export function Diff({ before, after }: { before: string; after: string }) {
  const parts = diffWords(before, after);
  if (parts.every((p) => !p.added && !p.removed)) return <p class="muted">No change in the text.</p>;
  return (
    <p class="diff">
      {parts.map((part, i) =>
        part.added ? <ins key={i}>{part.value}</ins> : part.removed ? <del key={i}>{part.value}</del> : <span key={i}>{part.value}</span>,
      )}
    </p>
  );
}

/** People by id, from the officers a stream's events name (`by`, `drafter`, `createdBy`): an event that names its actor by id only is then read by name. */
export function peopleOf(entries: HistoryEntry[]): Map<string, string> {
  const people = new Map<string, string>();
  for (const e of entries) {
    for (const key of ['by', 'drafter', 'createdBy']) {
      const officer = e.data?.[key] as { id?: string; username?: string; office?: string | null } | undefined;
      if (officer && typeof officer === 'object' && officer.id && officer.username) people.set(officer.id, `${officer.username}${officer.office ? ` (${officer.office})` : ''}`);
    }
  }
  return people;
}

/** Who did it, as the event names them (`by` is a username or an officer), else as `people` knows its `by` id or its actor, else nobody named. */
export function actorOf(e: HistoryEntry, people?: Map<string, string>): string {
  const named = namedActor(e);
  const by = typeof e.data?.by === 'string' ? e.data.by : null;
  return named || (by && people?.get(by)) || (e.actor && people?.get(e.actor)) || '';
}

function namedActor(e: HistoryEntry): string {
  if (!e.data) return '';
  const by = e.data.by as unknown;
  // Some events name their actor by id only: an id says nothing to a reader, so it is left out.
  if (typeof by === 'string') return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(by) ? '' : by;
  if (by && typeof by === 'object') {
    const officer = by as { username?: string; office?: string | null };
    return officer.username ? `${officer.username}${officer.office ? ` (${officer.office})` : ''}` : '';
  }
  const created = e.data.createdBy as { username?: string } | undefined;
  if (created?.username) return created.username;
  const drafter = e.data.drafter as { username?: string; office?: string | null } | undefined;
  if (drafter?.username) return `${drafter.username}${drafter.office ? ` (${drafter.office})` : ''}`;
  return '';
}

/**
 * A stream's events in sentences with actor and time, each a button that shows the record as it stood then.
 * `people` names the officers its events name by id only (a delivery's `people`).
 */
export function Timeline({ entries, chosen, onChoose, people: known }: { entries: HistoryEntry[]; chosen: number | null; onChoose?: (version: number) => void; people?: ReadonlyMap<string, string> }) {
  const people = new Map([...(known ?? []), ...peopleOf(entries)]);
  const [directory, setDirectory] = useState<PostNames>(new Map());
  useEffect(() => void posts().then(setDirectory), []);
  if (entries.length === 0) return <p class="muted">Nothing has happened yet.</p>;
  return (
    <ol class="timeline">
      {entries.map((e, i) => {
        const actor = actorOf(e, people);
        const text = describeEvent(e, directory);
        return (
          <li key={`${e.post ?? ''}${e.version}-${i}`}>
            {/* A withheld event has no "as it stood" for this reader: it is text, not a button that would be refused. */}
            {onChoose && !e.withheld && e.data !== null ? (
              <button type="button" class="link" aria-pressed={chosen === e.version} onClick={() => onChoose(e.version)}>{text}</button>
            ) : (
              <span>{text}</span>
            )}
            <span class="muted"> · {actor ? `${actor} · ` : ''}{when(e.at)} · v{e.version}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** A cable's events as a timeline; choosing one shows the cable as it stood right after it. */
export function CableHistory({ id, entries }: { id: string; entries: HistoryEntry[] }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const [then, setThen] = useState<(CableDraft & { status: string; version: number }) | null>(null);
  useEffect(() => {
    if (chosen !== null) void api<CableDraft & { status: string; version: number }>('GET', `/cables/${id}?version=${chosen}`).then(setThen, () => setThen(null));
  }, [chosen]);
  return (
    <section class="card" aria-labelledby="history-h">
      <h3 id="history-h">History</h3>
      <p class="muted">Choose an event to read the cable as it stood right after it.</p>
      <Timeline entries={entries} chosen={chosen} onChoose={setChosen} />
      {then && (
        <div aria-live="polite">
          <h4>As it stood at version {then.version}: {words(then.status)}</h4>
          <pre class="plain">{textOf(then)}</pre>
        </div>
      )}
    </section>
  );
}
