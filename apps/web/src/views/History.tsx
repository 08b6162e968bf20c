import { diffWords } from 'diff';
import { useEffect, useState } from 'preact/hooks';
import type { CableDraft } from '@chancery/cables/domain';
import { api, when, words } from '../api.js';
import { posts } from '../posts.js';

/** `withheld`: the reader may not read the record as it stood after this event; `data` is then null. */
export interface HistoryEntry { version: number; type: string; at: string; actor: string | null; data: Record<string, unknown> | null; withheld?: boolean; post?: string | null }

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

const str = (value: unknown) => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));
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

const titleCase = (code: string) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');
/** Posts by code, for their names ("Embassy Buenos Aires", not "Buenosaires" from the code). */
export type PostNames = ReadonlyMap<string, { name: string }>;

/** An event in a sentence: "Embassy Beijing logged a response: rejected", "L cleared with comments". Posts are named as `directory` names them. */
export function describeEvent(e: HistoryEntry, directory?: PostNames): string {
  const d = e.data;
  if (d === null) {
    const what = e.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    // A delivery's event is withheld for the reporting cable it names; a cable's, for how the cable stood then.
    return e.post
      ? `${directory?.get(e.post)?.name ?? titleCase(e.post)}: ${what} (a cable you may not read; withheld)`
      : `${what.charAt(0).toUpperCase()}${what.slice(1)}: withheld (not yours to read as the cable stood then)`;
  }
  const postName = (code: string) => directory?.get(code)?.name ?? titleCase(code);
  const ownerText = (owner: unknown) => {
    const o = owner as { office?: string; post?: string } | undefined;
    return o?.office ?? (o?.post ? postName(o.post) : '');
  };
  const post = e.post ? postName(e.post) : 'The post';
  const office = str(d.office);
  switch (e.type) {
    case 'CableDrafted': return 'Drafted';
    case 'CableEdited': return d.office ? `Edited for ${office}${d.substantive === false ? ' (no change of substance)' : ''}` : `Edited${d.substantive === false ? ' (no change of substance)' : ''}`;
    case 'ClearancesRequested': return `Clearance asked of ${(d.offices as string[] | undefined)?.join(', ') ?? ''}`;
    case 'ClearanceRequestWithdrawn': return `Clearance request to ${office} withdrawn`;
    case 'ClearanceGranted': return `${office} cleared`;
    case 'ClearanceGrantedWithComments': return `${office} cleared with comments: “${str(d.comments)}”`;
    case 'ClearanceNonConcurred': return `${office} did not concur: “${str(d.comments)}”`;
    case 'ClearancesMadeStale': return `An edit made the clearance of ${(d.offices as string[] | undefined)?.join(', ') ?? ''} stale`;
    case 'CableSubmitted': return 'Submitted for approval';
    case 'CableApproved': return 'Approved';
    case 'CableReturned': return `Returned to the drafter: “${str(d.reason)}”`;
    case 'CableReleased': return `Released as ${str(d.mrn)}`;
    case 'CableCancelled': return `Cancelled: “${str(d.reason)}”`;
    case 'CampaignOpened': return `Campaign opened: ${(d.posts as unknown[] | undefined)?.length ?? 'its'} posts tasked`;
    case 'DemarcheDelivered': {
      const c = d.counterpart as { name?: string; title?: string; organization?: string } | undefined;
      return `${post} delivered the demarche${c?.name ? ` to ${c.name}${c.title ? `, ${c.title}` : ''}${c.organization ? `, ${c.organization}` : ''}` : ''}${d.method ? ` (${words(str(d.method))})` : ''}`;
    }
    case 'ContactLogged':
    case 'ContactRecorded': {
      const c = d.counterpart as { name?: string } | undefined;
      return `${post} met ${c?.name ?? 'a counterpart'}${d.method ? ` (${words(str(d.method))})` : ''}`;
    }
    case 'ResponseLogged': return `${post} logged a response: ${words(str(d.position))}`;
    case 'ReportingCableAttached': return `${post} named the reporting cable of response ${str(d.response)}`;
    case 'DemarcheNotDelivered': return `${post} could not deliver: “${str(d.reason)}”`;
    case 'DeliveryBecameOverdue': return `${post} passed the report-by date without reporting`;
    case 'DocumentAttached':
    case 'DocumentUploaded': return `${post} attached ${words(str(d.kind)) || 'a document'}${d.name ? `: ${str(d.name)}` : ''}`;
    case 'FollowUpCreated': return `Created for ${ownerText(d.owner)}, due ${str(d.dueOn)}${d.writtenUnderDraft ? ', on a draft: read by the cable’s working party only' : ''}`;
    case 'FollowUpEdited': return 'Title or description edited';
    case 'FollowUpReassigned': return `Reassigned to ${ownerText(d.owner)}`;
    case 'FollowUpDueDateChanged': return `Due date moved from ${str(d.previous)} to ${str(d.dueOn)}`;
    case 'FollowUpStarted': return 'Work started';
    case 'FollowUpCompleted': return `Completed: “${str(d.outcome)}”`;
    case 'FollowUpCancelled': return `Cancelled: “${str(d.reason)}”`;
    case 'FollowUpCommented': return `Comment: “${str(d.text)}”`;
    case 'FollowUpClassificationRaised': return `Marked ${str(d.classification)} (was ${str(d.previous)}): what it is linked to was so marked when text was written on it`;
    case 'FollowUpWrittenUnderDraft': return 'Written on a draft: read by the cable’s working party only, as the draft is';
    case 'FollowUpBecameOverdue': return `Became overdue (due ${str(d.dueOn)})`;
    case 'FollowUpEscalated': return `Escalated to ${str(d.to)}`;
    default: return e.type.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
  }
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
