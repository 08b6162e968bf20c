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

/** Officers as an answer's `people` names them, by id (a delivery's, a cable's and its history's). */
export type People = Record<string, { username: string; displayName?: string | null }>;
/** Officers' names by id, as the screens show them: the display name, else the username. */
export type Names = ReadonlyMap<string, string>;

/** The names `people` gives (several answers' `people` merged, the later winning). */
export function namesOf(...people: (People | null | undefined)[]): Map<string, string> {
  return new Map(people.flatMap((p) => Object.entries(p ?? {})).map(([id, person]) => [id, person.displayName || person.username]));
}

/** An officer as a record names them (`{id, username, office}`): by the name `names` knows for their id, else their username; their office beside it. */
export function officerText(officer: { id?: string; username?: string; office?: string | null } | null | undefined, names?: Names): string {
  const name = (officer?.id && names?.get(officer.id)) || officer?.username;
  return name ? `${name}${officer?.office ? ` (${officer.office})` : ''}` : '';
}

/** People by id, from the officers a stream's events name (`by`, `drafter`, `createdBy`), by name as `names` knows them: an event that names its actor by id only is then read by name. */
export function peopleOf(entries: HistoryEntry[], names?: Names): Map<string, string> {
  const people = new Map<string, string>();
  for (const e of entries) {
    for (const key of ['by', 'drafter', 'createdBy']) {
      const officer = e.data?.[key] as { id?: string; username?: string; office?: string | null } | undefined;
      if (officer && typeof officer === 'object' && officer.id && officer.username) people.set(officer.id, officerText(officer, names));
    }
  }
  return people;
}

/** Who did it, as the event names them (`by` is a username or an officer, named as `names` knows them), else as `people` knows its `by` id or its actor, else nobody named. */
export function actorOf(e: HistoryEntry, people?: Names, names?: Names): string {
  const named = namedActor(e, names);
  const by = typeof e.data?.by === 'string' ? e.data.by : null;
  return named || (by && people?.get(by)) || (e.actor && people?.get(e.actor)) || '';
}

function namedActor(e: HistoryEntry, names?: Names): string {
  if (!e.data) return '';
  const by = e.data.by as unknown;
  // Some events name their actor by id only: an id says nothing to a reader, so it is left out.
  if (typeof by === 'string') return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(by) ? '' : by;
  if (by && typeof by === 'object') return officerText(by as { id?: string; username?: string; office?: string | null }, names);
  const created = e.data.createdBy as { id?: string; username?: string } | undefined;
  if (created?.username) return officerText({ id: created.id, username: created.username }, names);
  const drafter = e.data.drafter as { id?: string; username?: string; office?: string | null } | undefined;
  if (drafter?.username) return officerText(drafter, names);
  return '';
}

/**
 * A stream's events in sentences with actor and time, each a button that shows the record as it stood then.
 * `people` names the officers its events name by id only (a delivery's `people`).
 */
export function Timeline({ entries, chosen, onChoose, people: known }: { entries: HistoryEntry[]; chosen: number | null; onChoose?: (version: number) => void; people?: Names }) {
  const people = new Map([...(known ?? []), ...peopleOf(entries, known)]);
  const [directory, setDirectory] = useState<PostNames>(new Map());
  useEffect(() => void posts().then(setDirectory), []);
  if (entries.length === 0) return <p class="muted">Nothing has happened yet.</p>;
  return (
    <ol class="timeline">
      {entries.map((e, i) => {
        const actor = actorOf(e, people, known);
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

/**
 * A cable's events as a timeline, officers named as `names` knows them; choosing one shows the cable
 * as it stood right after it. `read`: `loading` until the history's first answer (or while it is read
 * again), or what its read failed with: said so (with what else on the page it leaves out), never as
 * a cable to which nothing has happened; `onReadAgain` reads it again.
 */
export function CableHistory({ id, entries, names, read = null, onReadAgain }: { id: string; entries: HistoryEntry[]; names?: Names; read?: 'loading' | { problem: string } | null; onReadAgain?: () => void }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const [then, setThen] = useState<(CableDraft & { status: string; version: number }) | null>(null);
  useEffect(() => {
    if (chosen !== null) void api<CableDraft & { status: string; version: number }>('GET', `/cables/${id}?version=${chosen}`).then(setThen, () => setThen(null));
  }, [chosen]);
  return (
    <section class="card" aria-labelledby="history-h">
      <h3 id="history-h" tabIndex={-1}>History</h3>
      {read === 'loading' ? <p class="muted">Reading the history…</p> : read ? (
        <>
          <p class="error" role="alert">The history could not be read, so the page shows neither it nor who edited what, nor the approver's returns. {read.problem}</p>
          {onReadAgain && <p><button type="button" onClick={onReadAgain}>Read it again</button></p>}
        </>
      ) : (
        <>
          <p class="muted">Choose an event to read the cable as it stood right after it.</p>
          <Timeline entries={entries} chosen={chosen} onChoose={setChosen} people={names} />
        </>
      )}
      {then && read === null && (
        <div aria-live="polite">
          <h4>As it stood at version {then.version}: {words(then.status)}</h4>
          <pre class="plain">{textOf(then)}</pre>
        </div>
      )}
    </section>
  );
}
