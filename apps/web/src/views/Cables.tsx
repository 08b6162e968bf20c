import { type CableDraft, cableKindsFrom, CAPTIONS, type ClassificationAuthority, CLASSIFICATION_REASONS, DECLASSIFICATION_EXEMPTIONS, type DemarcheScope, isDeclassificationDate, networkReach, PORTION_MARKINGS, PRECEDENCES, SCOPE_POST_KINDS, tagAdvice, validateDraft } from '@chancery/cables/domain';
import { CLASSIFICATIONS } from '@chancery/identity/domain';
import { Semaphore } from 'async-mutex';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { afterFieldName, api, ApiError, canonical, fieldName, isPostOfficer, isStale, maybe, mayDo, mergePatch, type Me, placeProblems, problemText, refusalText, sendOnVersionShown, today, unsaved, when, words } from '../api.js';
import { describedBy, FieldProblem, markedBy } from './FieldProblem.js';
import { Diff, type HistoryEntry, type People, textOf } from './History.js';
import { StaleNotice } from './StaleNotice.js';
import { replyDraft } from '../reply.js';
import { keepText, keptText } from '../kept-text.js';
import { marking, recordMarking } from '../classification.js';
import { itemKey, sectionPage } from '../inbox-pages.js';
import { placeInDraft } from './draft-places.js';

/** A clearance; `editsSince` (newer servers) lists the edits made since the office last answered. */
/** `withheld`: the comments were written while the cable stood under markings the reader may not read. */
export interface Clearance { office: string; status: string; by: { id?: string; username: string; office?: string | null } | null; at: string | null; comments: string | null; withheld?: boolean; editsSince?: unknown[] }
export interface CableView extends CableDraft {
  id: string; origin: string; status: string; version: number; clearances: Clearance[]; mrn: string | null; drafter: { id: string; username?: string; office?: string | null };
  releasedAt?: string | null; dateTimeGroup?: string | null; distribution?: string[]; approvedBy?: { id?: string; username?: string } | null;
  /** The officers it names, by id (`{username, displayName}`), as a delivery's `people`. */
  people?: People;
  /** A return written where the reader may not read is `{at, withheld: true}`. */
  returns?: { reason?: string | null; withheld?: boolean; by?: string | { id?: string; username?: string; office?: string | null }; at?: string }[];
  replies?: CableSummary[];
  /** A released instruction's campaign as its counts stand now; null before it opens, for other cables and past versions. */
  campaign?: CampaignLink | null;
  allowedActions?: string[];
  /** The next step to release where the rules would refuse it now, with the refusal's reasons. */
  blockedActions?: { action: string; reasons: string[] }[];
}
/** The campaign a released instruction opened: its id (its cable's) and counts. */
export interface CampaignLink { id: string; summary: { total: number; delivered: number; responded: number; notDelivered: number; pending: number; overdue: number } }
export interface CableSummary { id: string; mrn: string | null; origin: string; status: string; kind?: string; subject: string; classification: string; captions?: string[]; precedence?: string; tags?: string[]; releasedAt?: string | null; updatedAt?: string; drafterId?: string; drafter?: { id: string } }

/** A new cable as its drafter starts it: a post's reports to the Department, the Department's instructs. */
const blank = (fromPost = false): CableDraft => ({
  kind: fromPost ? 'REPORTING' : 'INSTRUCTION', subject: '', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: [],
  actionAddressees: [], infoAddressees: [], references: [], paragraphs: [{ marking: 'U', text: '' }], classifiedBy: null, demarche: null,
});
/** A rule's message that begins with its field's name in the API (`reportBy must be…`), begun with the form's ("Report-by date must be…"). */
const namedAsPeopleSay = ({ field, message }: { field: string; message: string }) => {
  const rest = afterFieldName(field, message);
  return rest === null ? message : `${fieldName(field)} ${rest}`;
};
/** A rule's message as a sentence: capital first, full stop last. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
export const list = (value: string) => value.split(/[\s,;]+/).map((s) => s.trim().toUpperCase()).filter(Boolean);
/** The block with an optional member set as typed, or left out when emptied (a derivative source, an exemption). */
function withOptional(block: ClassificationAuthority, key: 'derivedFrom' | 'exemption', value: string): ClassificationAuthority {
  const changed: ClassificationAuthority = { ...block };
  if (value.trim() === '') delete changed[key];
  else Object.assign(changed, { [key]: value });
  return changed;
}
/** Classification reasons as typed ("1.4(b) 1.4(d)"), kept as written. */
const reasonList = (value: string) => value.split(/[\s,]+/).filter(Boolean);
/** REFs as typed, an MRN a line or separated by semicolons ("26 STATE 000123; 26 BEIJING 000004"), lettered A, B, C… */
const referenceList = (value: string): CableDraft['references'] =>
  value.split(/[;\n]+/).map((mrn) => mrn.trim().toUpperCase().replace(/\s+/g, ' ')).filter(Boolean).map((mrn, i) => ({ label: String.fromCharCode(65 + i), mrn }));
/** Paragraph numbers as typed ("2, 3"); anything that is not a number is kept as NaN, for the rules to name. */
const pointList = (value: string) => value.split(/[\s,]+/).filter(Boolean).map(Number);
/** A demarche's scope from the form: null when it narrows nothing (every open action post is tasked). */
const scopeOf = (kinds: readonly string[], posts: string, excluded: string): DemarcheScope | null => {
  const scope: DemarcheScope = {
    ...(kinds.length > 0 ? { kinds: kinds as NonNullable<DemarcheScope['kinds']> } : {}),
    ...(list(posts).length > 0 ? { posts: list(posts) } : {}),
    ...(list(excluded).length > 0 ? { excludePosts: list(excluded) } : {}),
  };
  return Object.keys(scope).length > 0 ? scope : null;
};


/** Fields whose change brings others into play: a classification its block, the demarche's box its fields. */
const BRINGS: Readonly<Record<string, readonly string[]>> = { classification: ['classified'], demarche: ['report-by', 'targets', 'points', 'scope'] };
/** A place within `place` (`classified-reasons` in `classified`, a paragraph's marking `para-0-marking` in `para-0`), or `place` itself. */
const within = (inner: string, place: string) => inner === place || inner.startsWith(`${place}-`);
/** Whether the officer touched `place`: one of its controls, or a field that brought it into play. */
const isTouched = (touched: ReadonlySet<string>, place: string) =>
  [...touched].some((t) => within(t, place) || (BRINGS[t] ?? []).some((brought) => within(place, brought)));

/** The post network as the form reads it: what may be addressed, each collective's open posts, each post's kind. */
interface Network {
  addressable: Set<string>;
  members: Map<string, Set<string>>;
  kinds: Map<string, string>;
}

/**
 * The first rule the draft breaks, by the same rules the server applies, against the network as the
 * form read it (an addressee reached through a collective, a scope that tasks no post); null when it
 * passes. REFs are the server's to judge (whether the officer may read what is cited).
 */
function firstViolation(draft: CableDraft, { addressable, members, kinds }: Network): { field: string; message: string } | null {
  try {
    validateDraft(draft, { today: today(), isAddressable: (code) => addressable.has(code), isReleasedMrn: () => true, ...networkReach(members, kinds) });
    return null;
  } catch (error) {
    const failure = error as { message: string; details?: { errors?: { field: string }[] } };
    return { field: failure.details?.errors?.[0]?.field ?? '', message: failure.message };
  }
}

const STATUSES = ['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED', 'RELEASED', 'CANCELLED'];
const SORTS: Record<string, { label: string; compare: (a: CableSummary, b: CableSummary) => number }> = {
  recent: { label: 'Most recently changed', compare: (a, b) => (b.updatedAt ?? b.releasedAt ?? '').localeCompare(a.updatedAt ?? a.releasedAt ?? '') },
  oldest: { label: 'Least recently changed', compare: (a, b) => (a.updatedAt ?? a.releasedAt ?? '').localeCompare(b.updatedAt ?? b.releasedAt ?? '') },
  subject: { label: 'Subject, A to Z', compare: (a, b) => a.subject.localeCompare(b.subject) },
  mrn: { label: 'MRN', compare: (a, b) => (a.mrn ?? '~').localeCompare(b.mrn ?? '~') },
  status: { label: 'Status', compare: (a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) },
};

/** A status as a badge: the word, coloured by where the cable stands. */
export const StatusBadge = ({ status }: { status: string }) => <span class={`badge ${status}`}>{words(status)}</span>;

type Queue = 'all' | 'mine' | 'returned' | 'incoming';

/** The most a page of `GET /cables` holds (its `limit`). */
const LIST_PAGE = 500;
/**
 * Every cable of a status the caller drafted, page after page until the list's `total` (a page
 * shorter than asked is not taken for the last), each once (one edited between two pages moves up
 * the order, and would come twice). The server picks them (`drafter=me`): nobody else's draft is read.
 */
async function everyCableOfMine(status: string): Promise<CableSummary[]> {
  const found = new Map<string, CableSummary>();
  for (let offset = 0; ;) {
    const page = await api<{ items: CableSummary[]; total: number }>('GET', `/cables?drafter=me&status=${status}&limit=${LIST_PAGE}&offset=${offset}`);
    for (const cable of page.items) if (!found.has(cable.id)) found.set(cable.id, cable);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) return [...found.values()];
  }
}

/** How many cables the queues read at once: the drafts of a busy office are many, the server one. */
const READS_AT_ONCE = 6;
/** `read` of each of `items`, at most READS_AT_ONCE at a time, in their order. */
function eachAtMost<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const reads = new Semaphore(READS_AT_ONCE);
  return Promise.all(items.map((item) => reads.runExclusive(() => read(item))));
}

/**
 * Which of the caller's drafts were returned to them: those the inbox's `returned` section names,
 * and of the others in draft, each read (six at a time) for its `returns[]` (a draft beyond the
 * section's page, or on a server without it).
 */
async function returnedOf(mine: CableSummary[], named: ReadonlySet<string>): Promise<CableSummary[]> {
  const returned = await eachAtMost(mine, async (listed) => {
    if (named.has(listed.id)) return true;
    if (listed.status !== 'DRAFT') return false;
    const cable = await maybe(api<CableView>('GET', `/cables/${listed.id}`), null);
    return cable !== null && (await returnsOf(cable)).length > 0;
  });
  return mine.filter((_, i) => returned[i]);
}

/** A cable's returns: `returns[]` when the server gives it, else its CableReturned events. */
export async function returnsOf(cable: CableView, history?: HistoryEntry[]): Promise<NonNullable<CableView['returns']>> {
  if (Array.isArray(cable.returns)) return cable.returns;
  const events = history ?? (await maybe(api<{ items: HistoryEntry[] }>('GET', `/cables/${cable.id}/history`), { items: [] })).items;
  return events.filter((e) => e.type === 'CableReturned').map((e) => (e.data ? { reason: String(e.data.reason ?? ''), by: e.data.by as { username?: string }, at: e.at } : { reason: null, withheld: true, at: e.at }));
}

type Filters = { q: string; status: string; origin: string; tag: string };

/**
 * The search and filters the list's address names (`#/cables?words=3f9a02c1&status=…`), each empty
 * when absent or forgotten: the words of a search are kept in the tab's memory only (`keepText`),
 * the address naming them, as they may quote classified text.
 */
const filtersIn = (query: URLSearchParams, userId: string): Filters => ({
  q: keptText(userId, query.get('words')) ?? '', status: query.get('status') ?? '', origin: query.get('origin') ?? '', tag: query.get('tag') ?? '',
});
const sortIn = (query: URLSearchParams) => {
  const asked = query.get('sort') ?? 'recent';
  return Object.hasOwn(SORTS, asked) ? asked : 'recent';
};
/** The list's address for a search: the words by their name (`words`), the filters and the sort as asked, so that Back from a cable shows the same list. */
export function cablesAddress({ status, origin, tag }: Filters, sort: string, words: string | null): string {
  const params = new URLSearchParams();
  if (words) params.set('words', words);
  for (const [key, value] of Object.entries({ status, origin, tag })) if (value.trim()) params.set(key, value.trim());
  if (sort !== 'recent') params.set('sort', sort);
  const text = params.toString();
  return `#/cables${text ? `?${text}` : ''}`;
}

/**
 * Cables: search, filters, sorting, and the queues the caller's roles concern. A search is kept in
 * the address (`cablesAddress`: its words by name), a new entry in the history; the sort
 * replaces the address shown.
 */
export function CableList({ me, query, onClassifications }: { me: Me; query: URLSearchParams; onClassifications: (c: string[]) => void }) {
  const drafts = mayDo(me, 'cables.draft');
  const incoming = isPostOfficer(me);
  // A queue the caller has no tab for (a link followed by someone else) is the list of all cables.
  const asked = (query.get('queue') as Queue | null) ?? 'all';
  const queue: Queue = (asked === 'incoming' && !incoming) || ((asked === 'mine' || asked === 'returned') && !drafts) || !['all', 'mine', 'returned', 'incoming'].includes(asked) ? 'all' : asked;
  // The search as the address names it (`applied`), and as typed in the form, not yet asked for.
  const applied = filtersIn(query, me.id);
  // Words the address names that this tab no longer holds (a reload, a link from elsewhere).
  const wordsForgotten = query.has('words') && keptText(me.id, query.get('words')) === undefined;
  const [filters, setFilters] = useState(applied);
  const [sort, setSort] = useState(() => sortIn(query));
  const [cables, setCables] = useState<CableSummary[] | null>(null);
  const [total, setTotal] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Only the newest search's answer is shown, whichever answer arrives last.
  const latest = useRef(0);
  const search = async (offset: number, asked: Filters) => {
    const ticket = ++latest.current;
    const stale = () => ticket !== latest.current;
    setError(null);
    setNote(null);
    try {
      if (queue === 'mine' || queue === 'returned') {
        const [draft, clearing] = await Promise.all(['DRAFT', 'IN_CLEARANCE'].map(everyCableOfMine));
        // The inbox's returned section, read whole in one page: a drafter's own cables sent back and still in draft are few by
        // nature, and a draft beyond it (or on a server without it) is found by its returns below.
        const returnedOnes = queue === 'returned' ? sectionPage<{ cableId?: string; id?: string }>('returned', 0, 200).then((r) => r.items) : Promise.resolve([]);
        // Each once: one sent to clear between the two reads is in both.
        const mine = [...draft, ...clearing].filter((c, i, all) => all.findIndex((d) => d.id === c.id) === i);
        // Shown as the list gives them, with when each last changed.
        const items = queue === 'returned' ? await returnedOf(mine, new Set((await maybe(returnedOnes, [])).map(itemKey))) : mine;
        if (stale()) return;
        setCables(items);
        setTotal(items.length);
      } else if (queue === 'incoming') {
        const [action, info] = await Promise.all(['action', 'info'].map((role) => api<{ items: CableSummary[] }>('GET', `/cables?addressee=${me.postCode}&role=${role}&limit=100`).then((a) => a.items, () => null)));
        if (action === null) {
          // An older server has no addressee filter: the released cables the post may read are its traffic.
          const released = await api<{ items: CableSummary[]; total: number }>('GET', '/cables?status=RELEASED&limit=100');
          if (stale()) return;
          setNote('Showing every released cable your post may read.');
          setCables(released.items);
          setTotal(released.total);
        } else {
          const seen = new Set<string>();
          const items = [...action, ...(info ?? [])].filter((c) => !seen.has(c.id) && seen.add(c.id));
          if (stale()) return;
          setCables(items);
          setTotal(items.length);
        }
      } else {
        const params = new URLSearchParams({ limit: '100', offset: String(offset) });
        for (const [key, value] of Object.entries(asked)) if (value.trim()) params.set(key, key === 'q' ? value.trim() : value.trim().toUpperCase());
        const answer = await api<{ items: CableSummary[]; total: number }>('GET', `/cables?${params}`);
        if (stale()) return;
        setCables((shown) => (offset > 0 ? [...(shown ?? []), ...answer.items] : answer.items));
        setTotal(answer.total);
      }
    } catch (failure) {
      if (stale()) return;
      setError(problemText(failure));
      setCables([]);
    }
  };
  // The address changed under the list (a search asked for, Back, Forward): the list it names.
  useEffect(() => {
    setFilters(applied);
    setSort(sortIn(query));
    void search(0, applied);
  }, [queue, query.toString()]);
  /** A search: a new address (an entry in the history) that names it; the same one asked again is read again. */
  const ask = () => {
    const same = JSON.stringify(filters) === JSON.stringify(applied) && !wordsForgotten;
    if (queue !== 'all' || same) return void search(0, filters);
    // Named afresh each time, never reused after a reload: Back to an older address finds its own words or none.
    const words = filters.q.trim() ? keepText(me.id, filters.q.trim()) : null;
    location.hash = cablesAddress(filters, sort, words);
  };
  /** Another order: the address shown says it, in place (Back does not step through sorts). */
  const sortBy = (chosen: string) => {
    setSort(chosen);
    if (queue === 'all') history.replaceState(history.state, '', cablesAddress(applied, chosen, query.get('words')));
  };
  useEffect(() => onClassifications((cables ?? []).map(recordMarking)), [cables]);
  const sorted = useMemo(() => [...(cables ?? [])].sort(SORTS[sort].compare), [cables, sort]);
  const tabs: [Queue, string][] = [['all', 'All cables'], ...(drafts ? ([['mine', 'My drafts'], ['returned', 'Returned to me']] as [Queue, string][]) : []), ...(incoming ? ([['incoming', `Incoming to ${me.postCode}`]] as [Queue, string][]) : [])];
  return (
    <>
      <h2>Cables</h2>
      {drafts && <p><a href="#/cables/new">Draft a new cable</a></p>}
      {tabs.length > 1 && (
        <nav aria-label="Cable queues" class="tabs">
          {tabs.map(([name, label]) => <a key={name} href={`#/cables?queue=${name}`} aria-current={queue === name ? 'page' : undefined}>{label}</a>)}
        </nav>
      )}
      {queue === 'all' && (
        <form class="filters card" role="search" aria-label="Search cables" onSubmit={(e) => { e.preventDefault(); ask(); }}>
          <span><label for="f-q">Words</label><input id="f-q" type="search" value={filters.q} onInput={(e) => setFilters({ ...filters, q: e.currentTarget.value })} /></span>
          <span>
            <label for="f-status">Status</label>
            <select id="f-status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })}>
              <option value="">Any</option>{STATUSES.map((s) => <option key={s} value={s}>{words(s)}</option>)}
            </select>
          </span>
          <span><label for="f-origin">Origin</label><input id="f-origin" size={10} placeholder="STATE" value={filters.origin} onInput={(e) => setFilters({ ...filters, origin: e.currentTarget.value })} /></span>
          <span><label for="f-tag">TAG</label><input id="f-tag" size={6} placeholder="PREL" value={filters.tag} onInput={(e) => setFilters({ ...filters, tag: e.currentTarget.value })} /></span>
          <span><button type="submit">Search</button></span>
        </form>
      )}
      <section class="card" aria-labelledby="cables-h">
        <h3 id="cables-h">{tabs.find(([name]) => name === queue)?.[1] ?? 'Cables'} ({cables === null ? '…' : total})</h3>
        <p>
          <label for="sort" class="inline">Sort by </label>
          <select id="sort" value={sort} onChange={(e) => sortBy(e.currentTarget.value)}>{Object.entries(SORTS).map(([key, s]) => <option key={key} value={key}>{s.label}</option>)}</select>
        </p>
        {note && <p class="muted">{note}</p>}
        {wordsForgotten && queue === 'all' && <p class="muted">The words of this search are not kept in its address (they may be classified): type them again to search with them.</p>}
        {error && <p class="error" role="alert">{error}</p>}
        {cables === null ? <p>Loading…</p> : sorted.length === 0 ? (
          <p class="muted">{queue === 'mine' ? 'You have no draft in progress.' : queue === 'returned' ? 'No cable of yours has been returned.' : queue === 'incoming' ? 'Nothing has been released to your post yet.' : 'No cable matches.'}</p>
        ) : (
          <div class="scroll" tabIndex={0} role="region" aria-label="Cables found">
            <table class="stack">
              <thead><tr><th>Subject</th><th>Status</th><th>MRN</th><th>Origin</th><th>Changed</th></tr></thead>
              <tbody>
                {sorted.map((c) => (
                  <tr key={c.id}>
                    <td data-label="Subject"><a href={`#/cables/${c.id}`}>({c.classification}) {c.subject}</a></td>
                    <td data-label="Status"><StatusBadge status={c.status} /></td>
                    <td data-label="MRN">{c.mrn ?? ''}</td>
                    <td data-label="Origin">{c.origin}</td>
                    <td data-label="Changed">{when(c.updatedAt ?? c.releasedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {queue === 'all' && cables !== null && cables.length < total && (
          <p><span class="muted">{cables.length} of {total} shown. </span><button type="button" class="secondary" onClick={() => search(cables.length, applied)}>Show more</button></p>
        )}
      </section>
    </>
  );
}

/** A new cable: the drafting form, then (`onCreated`) the cable's own page. */
export function CableEditor({ me, query, onCreated, onClassifications }: { me: Me; query?: URLSearchParams; onCreated: (cable: CableView) => void; onClassifications: (c: string[]) => void }) {
  // `?ref=<MRN>&tasking=<id>`: a post's reporting cable answering a tasking, addressed to the
  // Department, citing it as REF A, under the tasking's markings (`replyDraft`), read first.
  // (A Department drafter sent here drafts as the Department does, citing it still.)
  const ref = query?.get('ref');
  const taskingId = query?.get('tasking');
  const fromPost = isPostOfficer(me);
  const [initial, setInitial] = useState<CableDraft | undefined | null>(ref && taskingId ? null : undefined);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    if (!ref || !taskingId) return;
    api<CableView>('GET', `/cables/${encodeURIComponent(taskingId)}`).then(
      (tasking) => setInitial(replyDraft(blank(fromPost), { mrn: tasking.mrn ?? ref, subject: tasking.subject, classification: tasking.classification, captions: tasking.captions, subjectMarking: tasking.subjectMarking }, fromPost)),
      (failure) => setFailed(problemText(failure)),
    );
  }, [ref, taskingId]);
  return (
    <>
      <h2>{ref ? `New reporting cable on ${ref}` : 'New cable'}</h2>
      {failed ? <p role="alert">The tasking could not be read: {failed}</p>
        : initial === null ? <p>Loading the tasking…</p>
        : <DraftForm me={me} cable={null} initial={initial} onClassifications={onClassifications} onSaved={onCreated} />}
    </>
  );
}

/** The list fields as typed (see `DraftForm`). */
interface TypedLists { captions: string; tags: string; reasons: string; references: string; points: string; scopePosts: string; scopeExcluded: string }
const typedListsOf = (draft: CableDraft): TypedLists => ({
  captions: draft.captions.join(' '), tags: draft.tags.join(' '), reasons: (draft.classifiedBy?.reasons ?? []).join(' '),
  references: draft.references.map((r) => r.mrn).join('; '), points: (draft.demarche?.points ?? [1]).join(', '),
  scopePosts: (draft.demarche?.scope?.posts ?? []).join(' '), scopeExcluded: (draft.demarche?.scope?.excludePosts ?? []).join(' '),
});

/**
 * Drafting: the rules flagged as the officer types (the server's own rules), then save. A refusal
 * that names fields (the save's, or `refusal`: the page's submit or approval refused for the draft)
 * is said beside each field the form shows. An edit is saved on the version the form was opened on
 * (`If-Match`): a cable changed since is not overwritten; the form keeps what was typed and offers
 * `onReload`, the latest.
 */
export function DraftForm({ me, cable, initial, refusal, onSaved, onReload, onForbidden, onClassifications }: { me: Me; cable: CableView | null; initial?: CableDraft; refusal?: unknown; onSaved: (view: CableView) => void; onReload?: () => void; onForbidden?: (failure: ApiError) => void; onClassifications: (c: string[]) => void }) {
  // Where the cable comes from, as the server decides it: its origin, or for a new one its drafter's post.
  const origin = (cable ? cable.origin !== 'STATE' : isPostOfficer(me)) ? 'post' : 'department';
  // A new cable's typing is kept until it is saved (`unsaved`): leaving the form loses none of it.
  const keptAs = cable === null ? `new-cable${initial?.references[0] ? `:${initial.references[0].mrn}` : ''}` : null;
  const [start] = useState<CableDraft>(() => cable ?? initial ?? blank(origin === 'post'));
  const [kept] = useState(() => (keptAs ? unsaved.read<{ draft: CableDraft; typed: TypedLists }>(me.id, keptAs) : null));
  const [restored, setRestored] = useState(kept !== null);
  const [draft, setDraft] = useState<CableDraft>(kept?.draft ?? start);
  // A draft stored as another kind before the rule (a post's instruction) shows it, to be changed: the server says why beside it.
  const kinds = [...new Set([...cableKindsFrom(origin), ...(cable ? [cable.kind] : [])])];
  /**
   * The list fields as typed: the draft holds each as a list, read from the text (so the rules are
   * checked as the officer types), but the box keeps what was typed, spaces and commas included.
   */
  const [typed, setTyped] = useState<TypedLists>(() => kept?.typed ?? typedListsOf(draft));
  useEffect(() => {
    if (!keptAs) return;
    if (JSON.stringify(draft) === JSON.stringify(start)) unsaved.forget(me.id, keptAs);
    else unsaved.write(me.id, keptAs, { draft, typed });
  }, [draft, typed]);
  /** What was typed and kept, put away: the form starts again. */
  const startAfresh = () => {
    if (keptAs) unsaved.forget(me.id, keptAs);
    setTouched(new Set());
    setDraft(start);
    setTyped(typedListsOf(start));
    setRestored(false);
  };
  /** The paragraph just added, whose text box takes the focus. */
  const added = useRef<number | null>(null);
  useEffect(() => {
    if (added.current === null) return;
    document.getElementById(`para-${added.current}`)?.focus();
    added.current = null;
  });
  const [network, setNetwork] = useState<Network>({ addressable: new Set(), members: new Map(), kinds: new Map() });
  const { addressable } = network;
  const [labels, setLabels] = useState<[string, string][]>([]);
  const [message, setMessage] = useState<string | null>(null);
  /** The last save's refusal, said beside the fields it names. */
  const [refused, setRefused] = useState<unknown>(null);
  /**
   * A save was tried while the draft broke a rule: the rule it breaks now is said beside its field,
   * as the officer corrects it (the next one once it is mended; nothing once none is broken), not the
   * one it broke when the save was tried. `tries` moves the focus to it at each try.
   */
  const [triedBroken, setTriedBroken] = useState(false);
  /**
   * The fields typed in, changed or left, by their places (`subject`, `para-0`, `classified-reasons`):
   * a new draft says a rule it breaks only once its field is touched or a save is tried, not in red
   * on a form nobody has typed in yet. An existing draft, or typing kept from before, says it at once.
   */
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const touch = (place: string) => setTouched((before) => (place === '' || before.has(place) ? before : new Set([...before, place])));
  const onTouch = (event: Event) => {
    const field = event.target as HTMLElement;
    // A box ticked or an option chosen is taken at its `change`: drawn again at its `input`, which
    // comes first, the control would be put back as the draft still has it before its own handler reads it.
    if (event.type === 'input' && (field instanceof HTMLSelectElement || (field instanceof HTMLInputElement && ['checkbox', 'radio'].includes(field.type)))) return;
    touch(field.id);
  };
  const [tries, setTries] = useState(0);
  /** The last save was refused because the cable changed since the form read it. */
  const [stale, setStale] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // A save refused for a field: the focus goes to the first field marked, where the problem is said.
  useEffect(() => {
    if (refused !== null || tries > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"], fieldset[aria-describedby] input')?.focus();
  }, [refused, tries]);

  useEffect(() => {
    type Collective = { code: string; members?: string[] };
    Promise.all([api<{ items: { code: string; name: string; kind: string; status: string }[] }>('GET', '/posts?limit=500'), api<Collective[] | { items: Collective[] }>('GET', '/collectives')]).then(([posts, collectives]) => {
      const openPosts = posts.items.filter((p) => p.status === 'OPEN');
      const open: [string, string][] = openPosts.map((p) => [p.code, p.name]);
      const listed = Array.isArray(collectives) ? collectives : collectives.items;
      const groups: [string, string][] = listed.map((c) => [c.code, 'collective']);
      // A post's cables go to the Department for action.
      const department: [string, string][] = me.roles.includes('post_officer') ? [['SECSTATE', 'the Department (SECSTATE WASHDC)']] : [];
      setLabels([...department, ...groups, ...open]);
      setNetwork({
        addressable: new Set([...department, ...groups, ...open].map(([code]) => code)),
        members: new Map(listed.map((c) => [c.code, new Set(c.members ?? [])])),
        kinds: new Map(openPosts.map((p) => [p.code, p.kind])),
      });
    }, (failure) => setMessage(problemText(failure)));
  }, []);
  useEffect(() => onClassifications([marking(draft.classification, draft.captions)]), [draft.classification, draft.captions.join(' ')]);

  // The classification block typed is kept while the officer tries another classification, but
  // checked and sent only with a classified one: an unclassified cable carries none.
  const unclassified = draft.classification === 'UNCLASSIFIED' || draft.classification === 'SBU';
  const checked = useMemo(() => (unclassified && draft.classifiedBy ? { ...draft, classifiedBy: null } : draft), [draft]);
  const violation = useMemo(() => (addressable.size ? firstViolation(checked, network) : null), [checked, network]);
  const set = (patch: Partial<CableDraft>) => setDraft({ ...draft, ...patch });
  const { kind, subject, subjectMarking, classification, captions, precedence, tags, actionAddressees, infoAddressees, references, paragraphs, classifiedBy, demarche } = draft;
  // A new draft: what the form holds, without the blocks it leaves empty.
  const body = {
    kind, subject, ...(subjectMarking ? { subjectMarking } : {}), classification, captions, precedence, tags, actionAddressees, infoAddressees, references, paragraphs,
    ...(checked.classifiedBy ? { classifiedBy: checked.classifiedBy } : {}), ...(demarche ? { demarche } : {}),
  };
  // The rule broken, said once its field (a control within its place) is touched, or a save tried.
  const sayAtOnce = cable !== null || restored || tries > 0;
  const violationPlace = violation ? placeInDraft(violation.field) : null;
  const said = violation && (sayAtOnce || (violationPlace === null ? touched.size > 0 : isTouched(touched, violationPlace))) ? violation : null;
  const advice = tags.map(tagAdvice).filter((note): note is string => note !== undefined);
  const save = async () => {
    setMessage(null);
    setRefused(null);
    setStale(false);
    // A rule the draft breaks is said beside its field, the focus on it, as the server would say it:
    // the button stays in reach of the keyboard (and Enter in a field sends the form) whatever the draft.
    setTriedBroken(violation !== null);
    if (violation) return setTries((n) => n + 1);
    // Nothing changed is said, not sent (the server refuses a merge patch that names nothing).
    const patch = cable ? mergePatch(draftOf(cable), draftOf(checked)) : null;
    if (patch && Object.keys(patch).length === 0) return setMessage('Nothing to save: the draft is as it stands.');
    try {
      // An edit: the merge patch from the draft as the form read it to the draft as edited, so that a
      // field someone else changed meanwhile is not sent back, and a member taken out of a block
      // (a scope's kinds, say) is sent as null rather than kept by the merge.
      onSaved(cable
        ? await sendOnVersionShown<CableView, CableView>('PATCH', `/cables/${cable.id}`, patch, cable, { read: `/cables/${cable.id}`, seen: cableAsShown })
        : await api<CableView>('POST', '/cables', body).then((created) => {
          if (keptAs) unsaved.forget(me.id, keptAs);
          return created;
        }));
    } catch (failure) {
      if (isStale(failure)) setStale(true);
      // No longer theirs to edit, or to read (a clearance lowered, a role or office taken away): the
      // page that holds the form reads the cable again, and says what they may do now.
      else if (onForbidden && failure instanceof ApiError && failure.status === 403) onForbidden(failure);
      else setRefused(failure);
    }
  };
  // Only a place the form shows now holds a problem (no classification block for an unclassified cable).
  const shown = (place: string) =>
    place.startsWith('classified') ? !unclassified : ['report-by', 'targets', 'points', 'scope', 'scope-posts', 'scope-excluded'].includes(place) ? Boolean(demarche) : place.startsWith('para-') ? Number(place.slice(5)) < paragraphs.length : true;
  const broken = triedBroken && violation ? new ApiError(422, { detail: violation.message, errors: [violation] }) : null;
  const problems = placeProblems(refused ?? broken ?? refusal ?? null, (field) => {
    const place = placeInDraft(field);
    return place && shown(place) ? place : null;
  });
  const problem = (place: string) => problems.beside[place];
  const notSaved = refused === null && broken === null ? null : refusalText('Not saved.', problems);
  const authority = () => classifiedBy ?? { name: '', title: '', office: me.office ?? '', reasons: [], declassifyOn: '' };
  // Declassified on a date (typed in the date box, or none yet) or on an event (typed as words).
  const declassifiesOnDate = !classifiedBy?.declassifyOn || isDeclassificationDate(classifiedBy.declassifyOn);

  return (
    <form class="card" aria-labelledby="draft-h" ref={form} noValidate onInput={onTouch} onChange={onTouch} onFocusOut={onTouch} onSubmit={(event) => { event.preventDefault(); if (addressable.size > 0) void save(); }}>
      <h3 id="draft-h">{cable ? 'Edit the draft' : 'Draft'}</h3>
      {restored && (
        <p class="kept" role="status">
          What you typed here before is back: it is not saved yet.{' '}
          <button type="button" class="link" onClick={startAfresh}>Start afresh</button>
        </p>
      )}
      <div class="form-grid">
        <span class="wide">
          <label for="subject">Subject</label>
          {/* A tab pasted with the subject is spacing, not a control character the rules would refuse. */}
          <input id="subject" class="full" value={subject} {...markedBy('subject', problem('subject'))} onInput={(e) => set({ subject: e.currentTarget.value.replace(/\t/g, ' ') })} />
          <FieldProblem place="subject" text={problem('subject')} />
        </span>
        <span>
          <label for="subject-marking">Portion marking of the subject</label>
          <select id="subject-marking" value={subjectMarking ?? 'U'} {...markedBy('subject-marking', problem('subject-marking'))} onChange={(e) => set({ subjectMarking: e.currentTarget.value as NonNullable<CableDraft['subjectMarking']> })}>
            {PORTION_MARKINGS.map((m) => <option key={m}>{m}</option>)}
          </select>
          <FieldProblem place="subject-marking" text={problem('subject-marking')} />
        </span>
        <span>
          <label for="kind">Kind</label>
          <select id="kind" value={kind} {...markedBy('kind', problem('kind'))} onChange={(e) => set({ kind: e.currentTarget.value as CableDraft['kind'] })}>{kinds.map((k) => <option key={k} value={k}>{words(k)}</option>)}</select>
          <FieldProblem place="kind" text={problem('kind')} />
        </span>
        <span>
          <label for="classification">Classification</label>
          <select id="classification" value={classification} {...markedBy('classification', problem('classification'))} onChange={(e) => set({ classification: e.currentTarget.value as CableDraft['classification'] })}>{CLASSIFICATIONS.map((c) => <option key={c} value={c}>{c.replace('_', ' ')}</option>)}</select>
          <FieldProblem place="classification" text={problem('classification')} />
        </span>
        <span>
          <label for="precedence">Precedence</label>
          <select id="precedence" value={precedence} {...markedBy('precedence', problem('precedence'))} onChange={(e) => set({ precedence: e.currentTarget.value as CableDraft['precedence'] })}>{PRECEDENCES.map((p) => <option key={p} value={p}>{words(p)}</option>)}</select>
          <FieldProblem place="precedence" text={problem('precedence')} />
        </span>
      </div>
      {classification !== 'UNCLASSIFIED' && classification !== 'SBU' && (
        <fieldset {...describedBy('classified', problem('classified'))}>
          <legend>Classification block</legend>
          {(['name', 'title', 'office'] as const).map((key) => (
            <span key={key}>
              <label for={`classified-${key}`}>Classified by: {key}</label>
              <input id={`classified-${key}`} value={classifiedBy?.[key] ?? ''} onInput={(e) => set({ classifiedBy: { ...authority(), [key]: e.currentTarget.value } })} />
            </span>
          ))}
          <label for="classified-reasons">Reasons (of {CLASSIFICATION_REASONS.join(' ')}; none when derived)</label>
          <input id="classified-reasons" value={typed.reasons} {...markedBy('classified-reasons', problem('classified-reasons'))} onInput={(e) => { const text = e.currentTarget.value; setTyped({ ...typed, reasons: text }); set({ classifiedBy: { ...authority(), reasons: reasonList(text) } }); }} />
          <FieldProblem place="classified-reasons" text={problem('classified-reasons')} />
          <label for="classified-derived">Derived from (a derivative classification: its source, such as a cable's MRN or a classification guide)</label>
          <input id="classified-derived" value={classifiedBy?.derivedFrom ?? ''} {...markedBy('classified-derived', problem('classified-derived'))} onInput={(e) => set({ classifiedBy: withOptional(authority(), 'derivedFrom', e.currentTarget.value) })} />
          <FieldProblem place="classified-derived" text={problem('classified-derived')} />
          <label for="classified-declassify">Declassify on (a date)</label>
          <input id="classified-declassify" type="date" value={declassifiesOnDate ? (classifiedBy?.declassifyOn ?? '') : ''} {...markedBy('classified-declassify', problem('classified-declassify'))} onInput={(e) => set({ classifiedBy: { ...authority(), declassifyOn: e.currentTarget.value } })} />
          <label for="classified-declassify-event">or on an event (instead of a date)</label>
          <input id="classified-declassify-event" value={declassifiesOnDate ? '' : (classifiedBy?.declassifyOn ?? '')} {...describedBy('classified-declassify', problem('classified-declassify'))} onInput={(e) => set({ classifiedBy: { ...authority(), declassifyOn: e.currentTarget.value } })} />
          <FieldProblem place="classified-declassify" text={problem('classified-declassify')} />
          <label for="classified-exemption">Exemption from declassification at 25 years (EO 13526 §3.3)</label>
          <select id="classified-exemption" value={classifiedBy?.exemption ?? ''} {...markedBy('classified-exemption', problem('classified-exemption'))} onChange={(e) => set({ classifiedBy: withOptional(authority(), 'exemption', e.currentTarget.value) })}>
            <option value="">None</option>{DECLASSIFICATION_EXEMPTIONS.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
          <FieldProblem place="classified-exemption" text={problem('classified-exemption')} />
          <FieldProblem place="classified" text={problem('classified')} />
        </fieldset>
      )}
      <label for="captions">Captions (of {CAPTIONS.join(', ')})</label>
      <input id="captions" value={typed.captions} {...markedBy('captions', problem('captions'))} onInput={(e) => { const text = e.currentTarget.value; setTyped({ ...typed, captions: text }); set({ captions: list(text) as CableDraft['captions'] }); }} />
      <FieldProblem place="captions" text={problem('captions')} />
      <label for="tags">TAGS</label>
      <input id="tags" value={typed.tags} {...markedBy('tags', problem('tags'))} onInput={(e) => { const text = e.currentTarget.value; setTyped({ ...typed, tags: text }); set({ tags: list(text) }); }} />
      <FieldProblem place="tags" text={problem('tags')} />
      {advice.length > 0 && <p class="hint" role="note">{advice.join('. ')}.</p>}
      <datalist id="addressable-codes">{labels.map(([code, label]) => <option key={code} value={code}>{label}</option>)}</datalist>
      <AddresseePicker id="action" label="Action addressees" value={actionAddressees} problem={problem('action')} onChange={(codes) => { touch('action'); set({ actionAddressees: codes }); }} />
      <AddresseePicker id="info" label="Info addressees" value={infoAddressees} problem={problem('info')} onChange={(codes) => { touch('info'); set({ infoAddressees: codes }); }} />
      <label for="references">References (released cables cited as REF A, B…: their MRNs, separated by semicolons)</label>
      <input id="references" class="full" placeholder="26 STATE 000123; 26 BEIJING 000004" value={typed.references} {...markedBy('references', problem('references'))} onInput={(e) => { const text = e.currentTarget.value; setTyped({ ...typed, references: text }); set({ references: referenceList(text) }); }} />
      <FieldProblem place="references" text={problem('references')} />
      {paragraphs.map((p, i) => (
        <div key={i}>
          <label for={`para-${i}`}>Paragraph {i + 1}</label>
          <select id={`para-${i}-marking`} aria-label={`Portion marking of paragraph ${i + 1}`} value={p.marking} onChange={(e) => set({ paragraphs: paragraphs.map((q, j) => (j === i ? { ...q, marking: e.currentTarget.value as typeof p.marking } : q)) })}>
            {PORTION_MARKINGS.map((m) => <option key={m}>{m}</option>)}
          </select>
          <textarea id={`para-${i}`} rows={3} class="full" value={p.text} {...markedBy(`para-${i}`, problem(`para-${i}`))} onInput={(e) => set({ paragraphs: paragraphs.map((q, j) => (j === i ? { ...q, text: e.currentTarget.value } : q)) })} />
          <FieldProblem place={`para-${i}`} text={problem(`para-${i}`)} />
          {/* Any paragraph but a lone one may go (one added by mistake, one the cable no longer needs); the focus goes to the paragraph that takes its place. */}
          {paragraphs.length > 1 && (
            <p><button type="button" class="link" aria-label={`Remove paragraph ${i + 1}`} onClick={() => { added.current = Math.min(i, paragraphs.length - 2); set({ paragraphs: paragraphs.filter((_, j) => j !== i) }); }}>Remove paragraph {i + 1}</button></p>
          )}
        </div>
      ))}
      <p><button type="button" class="secondary" onClick={() => { added.current = paragraphs.length; set({ paragraphs: [...paragraphs, { marking: 'U', text: '' }] }); }}>Add a paragraph</button></p>
      {/* Only the Department's instructions task posts: a post's cable is offered no demarche (one stored with it before shows it, to be taken out). */}
      {(kinds.includes('INSTRUCTION') || Boolean(demarche)) && <label class="inline"><input type="checkbox" id="demarche" checked={demarche !== null && demarche !== undefined} onChange={(e) => set({ demarche: e.currentTarget.checked ? { reportBy: '', targets: '', points: pointList(typed.points), scope: scopeOf([], typed.scopePosts, typed.scopeExcluded) } : null })} /> This cable tasks posts with a demarche</label>}
      {demarche && (
        <>
          <label for="report-by">Report by</label>
          <input id="report-by" type="date" value={demarche.reportBy} {...markedBy('report-by', problem('report-by'))} onInput={(e) => set({ demarche: { ...demarche, reportBy: e.currentTarget.value } })} />
          <FieldProblem place="report-by" text={problem('report-by')} />
          <label for="targets">Whom to see</label>
          <input id="targets" class="full" value={demarche.targets} {...markedBy('targets', problem('targets'))} onInput={(e) => set({ demarche: { ...demarche, targets: e.currentTarget.value } })} />
          <FieldProblem place="targets" text={problem('targets')} />
          <label for="points">Points to make (paragraph numbers)</label>
          <input id="points" value={typed.points} {...markedBy('points', problem('points'))} onInput={(e) => { const text = e.currentTarget.value; setTyped({ ...typed, points: text }); set({ demarche: { ...demarche, points: pointList(text) } }); }} />
          <FieldProblem place="points" text={problem('points')} />
          <fieldset {...describedBy('scope', problem('scope'))}>
            <legend>Which action posts it tasks (left empty: all of them)</legend>
            {SCOPE_POST_KINDS.map((k) => (
              <label key={k} class="inline">
                <input type="checkbox" id={`scope-kind-${k}`} checked={demarche.scope?.kinds?.includes(k) ?? false} onChange={(e) => {
                  const kinds = [...(demarche.scope?.kinds ?? []).filter((x) => x !== k), ...(e.currentTarget.checked ? [k] : [])];
                  set({ demarche: { ...demarche, scope: scopeOf(kinds, typed.scopePosts, typed.scopeExcluded) } });
                }} /> {words(k)} only
              </label>
            ))}
            <label for="scope-posts">Only these posts (codes)</label>
            <input id="scope-posts" list="addressable-codes" value={typed.scopePosts} {...markedBy('scope-posts', problem('scope-posts'))} onInput={(e) => { const text = e.currentTarget.value; setTyped({ ...typed, scopePosts: text }); set({ demarche: { ...demarche, scope: scopeOf(demarche.scope?.kinds ?? [], text, typed.scopeExcluded) } }); }} />
            <FieldProblem place="scope-posts" text={problem('scope-posts')} />
            <label for="scope-excluded">All but these posts (codes)</label>
            <input id="scope-excluded" list="addressable-codes" value={typed.scopeExcluded} {...markedBy('scope-excluded', problem('scope-excluded'))} onInput={(e) => { const text = e.currentTarget.value; setTyped({ ...typed, scopeExcluded: text }); set({ demarche: { ...demarche, scope: scopeOf(demarche.scope?.kinds ?? [], typed.scopePosts, text) } }); }} />
            <FieldProblem place="scope-excluded" text={problem('scope-excluded')} />
            <FieldProblem place="scope" text={problem('scope')} />
          </fieldset>
        </>
      )}
      <p role="status" aria-live="polite" class={said ? 'error' : 'muted'}>
        {addressable.size === 0 ? 'Checking the draft…' : said ? sentence(namedAsPeopleSay(said)) : violation ? 'The draft is checked against the drafting rules as you type.' : 'The draft meets every drafting rule.'}
      </p>
      <button type="submit" disabled={addressable.size === 0}>{cable ? 'Save changes' : 'Save draft'}</button>
      {notSaved && <p class="error" role="alert">{notSaved}</p>}
      {stale && <StaleNotice onReload={onReload ?? (() => location.reload())} />}
      {message && <p class="error" role="alert">{message}</p>}
    </form>
  );
}

/** For each office that decided, what has changed since (the text word by word, and any other field); nothing where nothing has. */
export function SinceCleared({ cable, history }: { cable: CableView; history: HistoryEntry[] }) {
  const [changes, setChanges] = useState<{ office: string; version: number; before: string; fields: string[] }[]>([]);
  useEffect(() => {
    let current = true;
    void (async () => {
      const found = [];
      // An office whose answer no edit has followed (the server's `editsSince`) has nothing to compare.
      for (const clearance of cable.clearances.filter((c) => c.status !== 'PENDING' && c.editsSince?.length !== 0)) {
        const granted = [...history].reverse().find((e) => e.type.startsWith('Clearance') && e.type !== 'ClearancesRequested' && e.type !== 'ClearancesMadeStale' && e.data?.office === clearance.office);
        if (!granted) continue;
        const then = await maybe(api<CableDraft>('GET', `/cables/${cable.id}?version=${granted.version}`), null);
        if (!then) continue;
        // Only what differs now: edits that were undone change nothing the office read.
        const before = textOf(then);
        const fields = otherChanges(then, cable);
        if (before !== textOf(cable) || fields.length > 0) found.push({ office: clearance.office, version: granted.version, before, fields });
      }
      if (current) setChanges(found);
    })();
    return () => {
      current = false;
    };
  }, [cable.id, cable.version, history.length]);
  return (
    <>
      {changes.map((c) => (
        <details key={c.office} open={cable.clearances.find((x) => x.office === c.office)?.status === 'STALE'}>
          <summary>Changed since {c.office} decided (version {c.version})</summary>
          <Diff before={c.before} after={textOf(cable)} />
          {c.fields.length > 0 && <p>Also changed: {c.fields.join(', ')}.</p>}
        </details>
      ))}
    </>
  );
}

/** Every field of a draft besides the text (subject and paragraphs, which the diff shows), as people name it. */
const OTHER_FIELDS: Record<Exclude<keyof CableDraft, 'subject' | 'paragraphs'>, string> = {
  kind: 'kind', subjectMarking: 'subject marking', classification: 'classification', captions: 'captions', precedence: 'precedence', tags: 'TAGS',
  actionAddressees: 'action addressees', infoAddressees: 'info addressees', references: 'references', classifiedBy: 'classification block', demarche: 'demarche',
};
type OtherField = keyof typeof OTHER_FIELDS;
/** A draft's fields out of a cable's view (which has its id, status, clearances… besides), a block it lacks as null. */
const draftOf = (cable: CableDraft): CableDraft => ({
  ...(Object.fromEntries((['subject', 'paragraphs', ...Object.keys(OTHER_FIELDS)] as (keyof CableDraft)[]).map((field) => [field, cable[field]])) as unknown as CableDraft),
  classifiedBy: cable.classifiedBy ?? null,
  demarche: cable.demarche ?? null,
});
/** What a reader of a cable sees and acts on, an edit or a decision: its draft and where it stands. */
export const cableAsShown = (cable: CableView) => ({ ...draftOf(cable), status: cable.status });
/** A field's value for comparison: object keys in one order, an absent value as its default. */
const comparable = (draft: CableDraft, field: OtherField) => canonical(draft[field] ?? (field === 'subjectMarking' ? 'U' : null));
/** The fields besides the text that differ between two drafts. */
const otherChanges = (before: CableDraft, after: CableDraft) =>
  (Object.keys(OTHER_FIELDS) as OtherField[]).filter((field) => comparable(before, field) !== comparable(after, field)).map((field) => OTHER_FIELDS[field]);

/** Addressees as removable chips, added one code at a time with suggestions of every post and collective. */
function AddresseePicker({ id, label, value, problem, onChange }: { id: string; label: string; value: string[]; problem?: string; onChange: (codes: string[]) => void }) {
  const [entry, setEntry] = useState('');
  const chips = useRef<HTMLUListElement>(null);
  const input = useRef<HTMLInputElement>(null);
  /**
   * A removed addressee's button goes with it: the focus goes to the next addressee's button (its
   * code here), else to the input (null), not to the page's body. Undefined: nothing to move.
   */
  const focusAfterRemoval = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (focusAfterRemoval.current === undefined) return;
    const next = focusAfterRemoval.current;
    focusAfterRemoval.current = undefined;
    const button = next === null ? null : chips.current?.querySelector<HTMLElement>(`button[aria-label="${CSS.escape(`Remove ${next}`)}"]`);
    (button ?? input.current)?.focus();
  });
  // Several may be typed at once, as TAGS and captions are ("TOKYO, SEOUL").
  const add = () => {
    const codes = [...new Set(entry.split(/[\s,;]+/).map((code) => code.trim().toUpperCase()).filter(Boolean))].filter((code) => !value.includes(code));
    if (codes.length > 0) onChange([...value, ...codes]);
    setEntry('');
  };
  const remove = (code: string) => {
    focusAfterRemoval.current = value[value.indexOf(code) + 1] ?? null;
    onChange(value.filter((c) => c !== code));
  };
  return (
    <div>
      <label for={id}>{label} (a post or a collective such as ALDAC or EAP_POSTS)</label>
      <ul class="chips" aria-label={`${label} chosen`} ref={chips}>
        {value.map((code) => (
          <li key={code}>{code} <button type="button" class="link" aria-label={`Remove ${code}`} onClick={() => remove(code)}>×</button></li>
        ))}
      </ul>
      <input id={id} ref={input} list="addressable-codes" value={entry} {...markedBy(id, problem)} onInput={(e) => setEntry(e.currentTarget.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />{' '}
      <button type="button" onClick={add}>Add</button>
      <FieldProblem place={id} text={problem} />
    </div>
  );
}
