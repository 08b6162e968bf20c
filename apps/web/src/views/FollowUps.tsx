import { useEffect, useRef, useState } from 'preact/hooks';
import { CLASSIFICATIONS } from '@chancery/identity/domain';
import { highest, marking, markingsOf } from '../classification.js';
import { api, ApiError, changedFields, download, isStale, maybe, mayDo, type Me, placeProblems, problemText, refusalText, sendOnVersionShown, today, unsaved, when, words } from '../api.js';
import { keptText } from '../kept-text.js';
import { posts } from '../posts.js';
import { FieldProblem, markedBy, NotShown, Refused, useFocusAfterRender } from './FieldProblem.js';
import { type HistoryEntry, namesOf, type People, Timeline } from './History.js';
import { followUpIdOf, type FollowUpItem, markingOf, ShowMore, useShowMore } from './Inbox.js';
import { askedFor, type Paged, readOn, sectionPage } from '../inbox-pages.js';

interface FollowUp {
  id: string;
  title: string;
  description: string;
  classification?: string;
  /** The captions of what it is linked to (its answers carry them). */
  captions?: string[];
  owner: { office: string } | { post: string };
  ownerBureau: string;
  dueOn: string;
  status: string;
  version: number;
  overdue: boolean;
  escalatedTo: string | null;
  outcome: string | null;
  cancelReason: string | null;
  demarcheId?: string | null;
  post?: string | null;
  cableId?: string | null;
  /** The number of the post's response it was opened from. */
  response?: number | null;
  /** The response that has since corrected the one it grew out of. */
  responseCorrectedBy?: number | null;
  comments: { text: string; by: { id?: string; username: string }; at: string }[];
  /** Who opened it, by id. */
  createdBy?: string;
  history?: HistoryEntry[];
  allowedActions?: string[];
  /** The officers it names, by id (`{username, displayName}` now), as a delivery's `people`. */
  people?: People;
}

/** What a follow-up's page shows and its changes act on (not whether the overdue scan has run, nor its comments). */
const followUpAsShown = (f: FollowUp) => ({ title: f.title, description: f.description, dueOn: f.dueOn, owner: f.owner, status: f.status, classification: f.classification ?? 'UNCLASSIFIED' });

const ownerOf = (f: Pick<FollowUp, 'owner'>) => ('office' in f.owner ? f.owner.office : f.owner.post);

/** A due date is today or later (the server's day, UTC). */
const dueProblem = (dueOn: string, label: string) => (!dueOn ? `Choose the ${label.toLowerCase()}.` : dueOn < today() ? `The ${label.toLowerCase()} cannot be in the past: choose today or a later day.` : null);

/** An owner the directory does not know, said before sending; an empty directory (not loaded) lets the server judge. */
function ownerProblem(kind: 'office' | 'post', value: string, { offices, postCodes, ownPost }: Owners): string | null {
  if (!value.trim()) return `Name the owner: ${kind === 'office' ? 'an office symbol such as EAP/CM' : `a post code such as ${ownPost ?? 'BEIJING'}`}.`;
  if (kind === 'post' && ownPost !== null && value.trim() !== ownPost) return `You act for ${ownPost}: give the follow-up to ${ownPost} or to an office, not to another post.`;
  if (kind === 'office' && offices.length > 0 && !offices.some((o) => o.symbol === value.trim())) return `${value.trim()} is not an office in the directory: choose one of the suggestions.`;
  if (kind === 'post' && postCodes.length > 0 && !postCodes.some((p) => p.code === value.trim())) return `${value.trim()} is not an open post: choose one of the suggestions.`;
  return null;
}

/** The owners to suggest; `ownPost`, the post someone bound to one acts for: the only post they may give a follow-up to. */
interface Owners { offices: { symbol: string; name: string }[]; postCodes: { code: string; name: string }[]; ownPost: string | null }

/** Offices and posts, as suggestions for an owner: someone bound to a post is offered that post alone (`mayGiveFollowUpTo`). */
function useOwners(me: Me): Owners {
  const ownPost = me.postCode;
  const [offices, setOffices] = useState<{ symbol: string; name: string }[]>([]);
  const [postCodes, setPostCodes] = useState<{ code: string; name: string }[]>([]);
  useEffect(() => {
    void maybe(api<{ items: { symbol: string; name: string }[] }>('GET', '/offices?limit=500'), { items: [] }).then((a) => setOffices(a.items));
    void posts().then((all) => setPostCodes([...all.values()].filter((p) => p.status === 'OPEN' && (ownPost === null || p.code === ownPost))));
  }, [ownPost]);
  return { offices, postCodes, ownPost };
}

/** Owner: an office or a post, chosen from the directory; `problem`, what is wrong with it, said beside it. */
function OwnerFields({ kind, value, onKind, onValue, idPrefix, owners, problem, alert = false }: { kind: 'office' | 'post'; value: string; onKind: (k: 'office' | 'post') => void; onValue: (v: string) => void; idPrefix: string; owners: Owners; problem?: string | null; alert?: boolean }) {
  const { offices, postCodes } = owners;
  return (
    <>
      <fieldset>
        <legend>Owner</legend>
        <label class="inline"><input type="radio" name={`${idPrefix}-kind`} checked={kind === 'office'} onChange={() => onKind('office')} /> An office</label>
        <label class="inline"><input type="radio" name={`${idPrefix}-kind`} checked={kind === 'post'} onChange={() => onKind('post')} /> A post</label>
        <label for={`${idPrefix}-owner`}>{kind === 'office' ? 'Office symbol, e.g. EAP/CM' : 'Post code, e.g. BEIJING'}</label>
        <input id={`${idPrefix}-owner`} list={`${idPrefix}-owners`} value={value} {...markedBy(`${idPrefix}-owner`, problem)} onInput={(e) => onValue(e.currentTarget.value.toUpperCase())} />
        <datalist id={`${idPrefix}-owners`}>
          {kind === 'office' ? offices.map((o) => <option key={o.symbol} value={o.symbol}>{o.name}</option>) : postCodes.map((p) => <option key={p.code} value={p.code}>{p.name}</option>)}
        </datalist>
        <FieldProblem place={`${idPrefix}-owner`} text={problem} alert={alert} />
      </fieldset>
    </>
  );
}

/** Follow-up actions: the list, a new one, and one with its comments, actions and history. */
export function FollowUps({ id, query, me, onClassifications, onCreated }: { id: string | null; query: URLSearchParams; me: Me; onClassifications: (c: string[]) => void; onCreated?: (id: string) => void }) {
  const [items, setItems] = useState<FollowUp[] | null>(null);
  const [escalated, setEscalated] = useState<Paged<FollowUpItem> | null>(null);
  const moreEscalated = useShowMore(me, 'follow-ups', 'escalated', escalated, (update) => setEscalated((current) => current && update(current)), 'escalated-list');
  const [exportProblem, setExportProblem] = useState<string | null>(null);
  /** Why the list could not be read: said, never shown as a list with nothing in it. */
  const [readProblem, setReadProblem] = useState<string | null>(null);
  const view = query.get('view') ?? 'all';
  const mayCreate = mayDo(me, 'followups.create');
  // The roles the server lets export (anyone else is refused the CSV: 403).
  const mayExport = mayDo(me, 'exports.read');
  // The CSV of what the list shows: its overdue tab and owner filter are the export's filters too.
  // The escalated tab (the inbox's section) has no filter of the export's: it offers every follow-up, and says so.
  const csvFilter = new URLSearchParams();
  if (view === 'overdue') csvFilter.set('overdue', 'true');
  if (query.get('owner') && view !== 'escalated') csvFilter.set('owner', query.get('owner')!);
  const csvName = view === 'overdue' ? 'follow-ups-overdue.csv' : 'follow-ups.csv';
  const exportCsv = async () => {
    setExportProblem(null);
    try {
      await download(`/follow-ups/export.csv${csvFilter.toString() ? `?${csvFilter}` : ''}`, csvName);
    } catch (failure) {
      setExportProblem(`${csvName} was not downloaded. ${problemText(failure)}`);
    }
  };
  useEffect(() => {
    if (id) return;
    onClassifications([]);
    if (view === 'escalated') {
      // The inbox's section, a page of it (or as many as the user asked to see before).
      void sectionPage<FollowUpItem>('escalated', 0).then((first) => readOn('escalated', first, askedFor(me.id, 'follow-ups', 'escalated'))).then((read) => {
        setReadProblem(null);
        setEscalated(read);
      }, (failure) => setReadProblem(`The follow-ups could not be read. ${problemText(failure)}`));
    } else {
      const owner = query.get('owner');
      void api<{ items: FollowUp[] }>('GET', `/follow-ups?limit=200${view === 'overdue' ? '&overdue=true' : ''}${owner ? `&owner=${encodeURIComponent(owner)}` : ''}`).then((answer) => {
        setReadProblem(null);
        setItems(answer.items);
        onClassifications(markingsOf(answer.items.map((f) => ({ classification: f.classification ?? 'UNCLASSIFIED', captions: f.captions }))));
      }, (failure) => setReadProblem(`The follow-ups could not be read. ${problemText(failure)}`));
    }
  }, [view, id]);
  // The escalated follow-ups shown, those *Show more* added too, are in the banners.
  useEffect(() => {
    if (!id && view === 'escalated' && escalated) onClassifications(markingsOf(escalated.items));
  }, [escalated]);
  if (id === 'new') {
    // Its address typed by a role that may not open one (a clearer, a post's approver): said as any
    // page their roles do not open is, not a form the server would refuse.
    if (!mayCreate) return <Refused me={me} what="Opening a follow-up" back={{ href: '#/follow-ups', text: 'All follow-ups' }} />;
    return <FollowUpForm me={me} query={query} onClassifications={onClassifications} onCreated={onCreated} />;
  }
  if (id) return <FollowUpDetail id={id} me={me} onClassifications={onClassifications} />;
  const tabs: [string, string][] = [['all', 'All'], ['overdue', 'Overdue'], ...(me.roles.includes('leadership') ? [['escalated', 'Escalated to my bureau'] as [string, string]] : [])];
  return (
    <>
      <h2>Follow-up actions</h2>
      {(mayCreate || mayExport) && (
        <p>
          {mayCreate && <a href="#/follow-ups/new">New follow-up</a>}
          {mayCreate && mayExport && ' · '}
          {mayExport && <button type="button" class="link" onClick={() => void exportCsv()}>{view === 'escalated' ? 'Download every follow-up (CSV)' : view === 'overdue' ? 'Download the overdue (CSV)' : 'Download CSV'}</button>}
        </p>
      )}
      {exportProblem && <p class="error" role="alert">{exportProblem}</p>}
      <nav aria-label="Follow-up queues" class="tabs">
        {tabs.map(([name, label]) => <a key={name} href={`#/follow-ups?view=${name}`} aria-current={view === name ? 'page' : undefined}>{label}</a>)}
      </nav>
      <section class="card" aria-labelledby="fus-h">
        <h3 id="fus-h">{tabs.find(([name]) => name === view)?.[1] ?? 'All'}{query.get('owner') && view !== 'escalated' ? ` owned by ${query.get('owner')}` : ''}</h3>
        {query.get('owner') && view !== 'escalated' && <p><a href={`#/follow-ups?view=${view}`}>Every owner</a></p>}
        {readProblem ? <p class="error" role="alert">{readProblem}</p> : view === 'escalated' ? (
          escalated === null ? <p>Loading…</p> : (
            <>
              {escalated.items.length === 0 ? <p class="muted">No overdue follow-up has been escalated to your bureau.</p> : (
                <ul id="escalated-list">{escalated.items.map((f) => <li key={followUpIdOf(f)}><a href={`#/follow-ups/${followUpIdOf(f)}`}>{markingOf(f)}{f.title}</a> ({f.owner?.office ?? f.owner?.post ?? ''}): due {f.dueOn}, {words(f.status)}</li>)}</ul>
              )}
              <ShowMore shown={escalated.items.length} total={escalated.total} headingId="fus-h" busy={moreEscalated.busy} problem={moreEscalated.problem} onMore={() => void moreEscalated.more()} />
            </>
          )
        ) : items === null ? <p>Loading…</p> : items.length === 0 ? <p class="muted">{view === 'overdue' ? 'Nothing is overdue.' : 'No follow-up action you may read.'}</p> : (
          <div class="scroll" tabIndex={0} role="region" aria-label="Follow-up actions">
            <table class="stack">
              <thead><tr><th>Title</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead>
              <tbody>
                {items.map((f) => (
                  <tr key={f.id}>
                    <td data-label="Title"><a href={`#/follow-ups/${f.id}`}>{markingOf(f)}{f.title}</a></td><td data-label="Owner">{ownerOf(f)} ({f.ownerBureau})</td>
                    <td data-label="Due">{f.dueOn}{f.overdue ? <strong class="error"> overdue</strong> : ''}{f.escalatedTo ? ` · ${f.status === 'DONE' || f.status === 'CANCELLED' ? 'was escalated' : 'escalated'} to ${f.escalatedTo}` : ''}</td><td data-label="Status">{words(f.status)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** The new follow-up form's fields, in the order it shows them (the focus goes to the first one marked), by their controls' ids. */
const NEW_FIELDS = { title: 'fu-title', description: 'fu-description', owner: 'fu-new-owner', due: 'fu-due' } as const;
type NewField = keyof typeof NEW_FIELDS;
/** How the new follow-up form names the request's fields, for what is said about them. */
const NEW_LABELS = { title: 'Title', description: 'Description', owner: 'Owner', 'owner.office': 'Owner', 'owner.post': 'Owner', dueOn: 'Due date' };
/** Where the new follow-up form says a problem with a field of the request (`owner.office` → the owner); null for one it does not show. */
function placeInNew(field: string): NewField | null {
  if (field === 'title' || field === 'description') return field;
  if (field === 'owner' || field.startsWith('owner.')) return 'owner';
  return field === 'dueOn' ? 'due' : null;
}

/** The new follow-up form's fields as typed, kept until it is created. */
interface NewFollowUp { title: string; description: string; kind: 'office' | 'post'; owner: string; dueOn: string }

/** A new follow-up, linked to what it grows out of (a campaign, a post's response, a cable) when the link says so. */
function FollowUpForm({ me, query, onClassifications, onCreated }: { me: Me; query: URLSearchParams; onClassifications: (c: string[]) => void; onCreated?: (id: string) => void }) {
  const inWeeks = (n: number) => new Date(Date.now() + n * 7 * 86_400_000).toISOString().slice(0, 10);
  // The title offered by the page it came from is kept in the tab's memory, the address naming it
  // (`words`): it may quote classified facts, and an address goes into the browser's history.
  const offered = keptText(me.id, query.get('words'));
  // The response it grows out of is named by its number, with the campaign and the post.
  const response = Number(query.get('response')) || undefined;
  const links = { demarcheId: query.get('demarche') ?? undefined, post: query.get('post') ?? undefined, cableId: query.get('cable') ?? undefined, response };
  // What is typed is kept until the follow-up is created (`unsaved`), as a new cable's typing is:
  // leaving the form (a reload too) loses none of it. Each form, by what it links to, keeps its own.
  const keptAs = `new-follow-up:${new URLSearchParams(Object.entries(links).flatMap(([name, value]) => (value ? [[name, String(value)]] : [])))}`;
  const [start] = useState<NewFollowUp>(() => ({
    title: offered ?? '', description: '', kind: query.get('ownerPost') || me.postCode ? 'post' : 'office', owner: query.get('ownerPost') ?? me.postCode ?? me.office ?? '', dueOn: inWeeks(2),
  }));
  const [kept] = useState(() => unsaved.read<Partial<NewFollowUp>>(me.id, keptAs));
  const [restored, setRestored] = useState(kept !== null);
  const from = { ...start, ...kept };
  const [title, setTitle] = useState(from.title);
  const [description, setDescription] = useState(from.description);
  const [kind, setKind] = useState<'office' | 'post'>(from.kind);
  const [owner, setOwner] = useState(from.owner);
  const [dueOn, setDueOn] = useState(from.dueOn);
  useEffect(() => {
    const typed: NewFollowUp = { title, description, kind, owner, dueOn };
    if ((Object.keys(start) as (keyof NewFollowUp)[]).every((field) => typed[field] === start[field])) unsaved.forget(me.id, keptAs);
    else unsaved.write(me.id, keptAs, typed);
  }, [title, description, kind, owner, dueOn]);
  /** What the form says once below: that nothing was created, and anything no field of it holds. */
  const [error, setError] = useState<string | null>(null);
  /** What is wrong with each field, found before sending or said by the server: beside it. */
  const [beside, setBeside] = useState<Partial<Record<NewField, string>>>({});
  /** What was typed and kept, put away: the form starts again as it was opened. */
  const startAfresh = () => {
    unsaved.forget(me.id, keptAs);
    setTitle(start.title);
    setDescription(start.description);
    setKind(start.kind);
    setOwner(start.owner);
    setDueOn(start.dueOn);
    setBeside({});
    setError(null);
    setRestored(false);
  };
  // An offered title the tab no longer holds (a reload) and nothing typed kept it: said, to be written again.
  const titleForgotten = query.has('words') && offered === undefined && !(restored && kept?.title);
  /** The field the focus goes to once its problem is said beside it. */
  const focusAfterRender = useFocusAfterRender();
  const setFocusOn = (field: NewField) => focusAfterRender(NEW_FIELDS[field]);
  const owners = useOwners(me);
  // What it links to is what it is written about: the page is marked as that stands (at once as the
  // page it came from said, `marking`, then as the record answers), and the follow-up is created at
  // the highest marking the page showed (should the record be marked down while the follow-up is
  // being written, the server would go by the lower one).
  const linked = links.cableId ? `/cables/${links.cableId}` : links.demarcheId ? `/demarches/${links.demarcheId}` : null;
  const given = query.get('marking');
  const [linkedAt, setLinkedAt] = useState<string | null>(linked && given && (CLASSIFICATIONS as readonly string[]).includes(given) ? given : null);
  /** The captions of the record it is linked to, as read (the follow-up is marked by them too). */
  const [linkedCaptions, setLinkedCaptions] = useState<string[]>([]);
  const [linkProblem, setLinkProblem] = useState<string | null>(null);
  const [linkRead, setLinkRead] = useState(0);
  useEffect(() => {
    if (linkedAt) onClassifications([marking(linkedAt, linkedCaptions)]);
  }, [linkedAt, linkedCaptions.join('/')]);
  useEffect(() => {
    if (!linked) return;
    setLinkProblem(null);
    void api<{ classification?: string; captions?: string[] }>('GET', linked).then(
      (record) => {
        setLinkedAt((before) => highest([before ?? 'UNCLASSIFIED', record.classification ?? 'UNCLASSIFIED']));
        setLinkedCaptions(record.captions ?? []);
      },
      (failure) => setLinkProblem(problemText(failure)),
    );
  }, [linked, linkRead]);
  /** The form's problems beside their fields, said once below it; the focus on the first field marked. */
  const sayBeside = (problems: Partial<Record<NewField, string>>, rest: string | null) => {
    setBeside(problems);
    setError(refusalText('Not created.', { beside: problems, rest }));
    const first = (Object.keys(NEW_FIELDS) as NewField[]).find((field) => problems[field]);
    if (first) setFocusOn(first);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setBeside({});
    const lacking: Partial<Record<NewField, string>> = Object.fromEntries(Object.entries({
      title: title.trim() ? null : 'Give the follow-up a title.', owner: ownerProblem(kind, owner, owners), due: dueProblem(dueOn, 'Due date'),
    }).filter(([, problem]) => problem));
    if (Object.keys(lacking).length > 0) return sayBeside(lacking, null);
    try {
      const created = await api<{ id: string }>('POST', '/follow-ups', {
        title: title.trim(), ...(description.trim() ? { description: description.trim() } : {}), owner: { [kind]: owner.trim() }, dueOn,
        ...Object.fromEntries(Object.entries(links).filter(([, v]) => v)),
        ...(linkedAt ? { classification: linkedAt } : {}),
      });
      unsaved.forget(me.id, keptAs);
      // Opened with the focus on its heading, as a new cable is: the keyboard does not start again at the top.
      if (onCreated) onCreated(created.id);
      else location.hash = `#/follow-ups/${created.id}`;
    } catch (failure) {
      const problems = placeProblems(failure, placeInNew, NEW_LABELS);
      sayBeside(problems.beside as Partial<Record<NewField, string>>, problems.rest);
    }
  };
  return (
    <>
      <p><a href="#/follow-ups">All follow-ups</a></p>
      <h2>New follow-up action</h2>
      <form class="card" onSubmit={submit} aria-label="New follow-up action">
        {linkProblem && (
          <>
            <p class="error" role="alert">What it links to could not be read, so its classification is not known{linkedAt ? ` beyond ${linkedAt}` : ''}. {linkProblem}</p>
            <p><button type="button" onClick={() => setLinkRead((n) => n + 1)}>Read it again</button></p>
          </>
        )}
        {(links.demarcheId || links.cableId) && <p class="muted">Linked to {links.demarcheId ? `${response && links.post ? `response ${response} of ${links.post} in ` : ''}the campaign${links.post && !response ? ` (${links.post})` : ''}` : 'the cable'}; it is read under that record's classification.</p>}
        {restored && (
          <p class="kept" role="status">
            What you typed here before is back: it is not saved yet.{' '}
            <button type="button" class="link" onClick={startAfresh}>Start afresh</button>
          </p>
        )}
        {titleForgotten && <p class="muted">The title this form was opened with is not kept in its address (it may be classified): write it again.</p>}
        <label for="fu-title">Title</label>
        <input id="fu-title" class="full" value={title} {...markedBy('fu-title', beside.title)} onInput={(e) => setTitle(e.currentTarget.value)} />
        <FieldProblem place="fu-title" text={beside.title} />
        <label for="fu-description">Description (optional)</label>
        <textarea id="fu-description" rows={3} class="full" value={description} {...markedBy('fu-description', beside.description)} onInput={(e) => setDescription(e.currentTarget.value)} />
        <FieldProblem place="fu-description" text={beside.description} />
        <OwnerFields idPrefix="fu-new" owners={owners} kind={kind} value={owner} problem={beside.owner} onKind={(k) => { setKind(k); setOwner(''); }} onValue={setOwner} />
        <label for="fu-due">Due on</label>
        <input id="fu-due" type="date" value={dueOn} {...markedBy('fu-due', beside.due)} onInput={(e) => setDueOn(e.currentTarget.value)} />
        <FieldProblem place="fu-due" text={beside.due} />
        <p><button type="submit">Create the follow-up</button></p>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </>
  );
}

/** How the follow-up's edit forms name the request's fields, for what is said about them. */
const EDIT_LABELS = { title: 'Title', description: 'Description', owner: 'Owner', 'owner.office': 'Owner', 'owner.post': 'Owner', dueOn: 'New due date' };
/** Where the title and description form says a problem with a field of the request: its control's id. */
const placeInText = (field: string) => (field === 'title' ? 'fu-edit-title' : field === 'description' ? 'fu-edit-description' : null);
const placeInRedate = (field: string) => (field === 'dueOn' ? 'fu-redate' : null);
const placeInReassign = (field: string) => (field === 'owner' || field.startsWith('owner.') ? 'fu-edit-owner' : null);
/** The front office's form for an escalated follow-up: a new owner, a new due date, or both. */
const placeInEscalated = (field: string) => (field === 'owner' || field.startsWith('owner.') ? 'fu-escalated-owner' : field === 'dueOn' ? 'fu-escalated-due' : null);

function FollowUpDetail({ id, me, onClassifications }: { id: string; me: Me; onClassifications: (c: string[]) => void }) {
  const [followUp, setFollowUp] = useState<FollowUp | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [text, setText] = useState('');
  /** `stale`: refused because the follow-up changed since the page read it; the latest is offered. */
  const [message, setMessage] = useState<{ text: string; error: boolean; stale?: boolean } | null>(null);
  const [then, setThen] = useState<FollowUp & { version: number } | null>(null);
  const [dueOn, setDueOn] = useState('');
  const [kind, setKind] = useState<'office' | 'post'>('office');
  const [owner, setOwner] = useState('');
  /** The title and description as typed in the edit form. */
  const [wording, setWording] = useState({ title: '', description: '' });
  /** What is wrong with the edit forms' fields, found before sending or said by the server: beside each, by its control's id. */
  const [beside, setBeside] = useState<Record<string, string>>({});
  /** The field the focus goes to once its problem is said beside it. */
  const setFocusOn = useFocusAfterRender();
  const owners = useOwners(me);
  // The highest marking this page has shown the follow-up at: text written here is marked with it,
  // even if a linked record was marked down (and the page re-read) while it was being written.
  const shownAt = useRef<{ id: string; classification: string } | null>(null);
  /** The follow-up as last read: a form's field still showing its value was not typed in. */
  const lastRead = useRef<FollowUp | null>(null);
  /** `keepTyped`: after a change made here, the other forms keep what is typed in them; a reload asked for shows the latest in every field. */
  const load = (keepTyped = false) => api<FollowUp>('GET', `/follow-ups/${id}`).then((f) => {
    const shown = f.classification ?? 'UNCLASSIFIED';
    shownAt.current = { id, classification: shownAt.current?.id === id ? highest([shownAt.current.classification, shown]) : shown };
    // Read again after a change, each field shows the follow-up as it stands, unless typed in: what
    // was typed for another change (a comment, a new owner) is not lost to this one.
    const before = keepTyped && lastRead.current?.id === f.id ? lastRead.current : null;
    const fresh = <T,>(typed: T, was: T | undefined, now: T) => (before === null || typed === was ? now : typed);
    lastRead.current = f;
    setFollowUp(f);
    setDueOn((typed) => fresh(typed, before?.dueOn, f.dueOn));
    const ownerKind = (x: FollowUp) => ('office' in x.owner ? 'office' : 'post') as 'office' | 'post';
    setKind((typed) => fresh(typed, before ? ownerKind(before) : undefined, ownerKind(f)));
    setOwner((typed) => fresh(typed, before ? ownerOf(before) : undefined, ownerOf(f)));
    setWording((typed) => ({ title: fresh(typed.title, before?.title, f.title), description: fresh(typed.description, before?.description, f.description) }));
    onClassifications([marking(f.classification ?? 'UNCLASSIFIED', f.captions ?? [])]);
  }, (error) => setFailure(error instanceof ApiError ? error : new ApiError(0, {})));
  useEffect(() => void load(), [id]);
  /** Text sent with the marking the page showed it under. */
  const marked = (body: Record<string, string>) => ({ ...body, classification: shownAt.current?.classification ?? 'UNCLASSIFIED' });
  /**
   * A change (a new due date or owner, start, complete, cancel) is made on the follow-up as the page
   * shows it (`If-Match`): one changed since is refused (412), what was typed kept, but not one that only
   * moved on (a comment, the overdue scan); a comment is added whatever came before. `place`: where
   * the form that sent it shows a field of the request (its control's id), for a refusal naming
   * fields to be said beside them; `alone`: the form has that one field, and says its problem there
   * only (a form of several says once that nothing was saved).
   */
  const send = async (method: 'POST' | 'PATCH', path: string, body: unknown, done: string, { onVersionShown = true, place, alone = false, usesText = false }: { onVersionShown?: boolean; place?: (field: string) => string | null; alone?: boolean; usesText?: boolean } = {}) => {
    setMessage(null);
    setBeside({});
    const url = `/follow-ups/${id}${path}`;
    try {
      await (onVersionShown && followUp ? sendOnVersionShown(method, url, body, followUp, { read: `/follow-ups/${id}`, seen: followUpAsShown }) : api(method, url, body));
      // The note box is emptied by what sent it (a comment, an outcome, a reason), not by another change.
      if (usesText) setText('');
      await load(true);
      setMessage({ text: done, error: false });
      // The button pressed may be gone (Start, Complete): the focus goes to what happened.
      setFocusOn('fu-outcome');
    } catch (error) {
      if (isStale(error)) return setMessage({ text: 'Not done: someone changed this follow-up since you opened it. Your changes are kept here; reload to see theirs.', error: true, stale: true });
      if (error instanceof ApiError && error.status === 403) {
        // No longer theirs to do (given to another owner, its escalation resolved by a colleague, a role
        // taken away): read again, the page offers only what they may do now, or says they may no
        // longer read it, and shows nothing of it (as the cable page does).
        await load(true);
        return setMessage({ text: `Not done. ${problemText(error, EDIT_LABELS)} The follow-up was read again: the page shows what you may do now.`, error: true });
      }
      const problems = place ? placeProblems(error, place, EDIT_LABELS) : { beside: {}, rest: problemText(error, EDIT_LABELS) };
      const placed = Object.keys(problems.beside).length > 0;
      sayBeside(problems.beside, placed && !alone ? refusalText('Not saved.', problems) : problems.rest === null ? null : `Not done. ${problems.rest}`);
    }
  };
  /** What a change form lacks, said before sending. */
  const refuse = (text: string) => setMessage({ text, error: true });
  /**
   * Problems with the edit forms' fields, each beside its field (the focus on the first), and `rest`,
   * what no field holds, below. A form of one field says its problem beside it alone.
   */
  const sayBeside = (problems: Record<string, string>, rest: string | null) => {
    setBeside(problems);
    const first = Object.keys(problems)[0];
    if (first) setFocusOn(first);
    if (rest !== null) setMessage({ text: rest, error: true });
  };
  if (failure) {
    return <NotShown failure={failure} what="follow-up" back={{ href: '#/follow-ups', text: 'All follow-ups' }} />;
  }
  if (!followUp) return <p>Loading…</p>;
  const allowed = followUp.allowedActions ?? [];
  const can = (action: string) => allowed.includes(action);
  // Officers by the name they go by (its `people`), as the cable and delivery pages name them; a username only where the server names nobody.
  const names = namesOf(followUp.people);
  const nameOf = (officer: { id?: string; username: string }) => (officer.id && names.get(officer.id)) || officer.username;
  const opener = followUp.createdBy ? names.get(followUp.createdBy) : undefined;
  // Said beside the box, which is marked and takes the focus; nothing is sent.
  const needsText = (what: string) => {
    setMessage(null);
    sayBeside({ note: `Write the ${what} in the box first.` }, null);
  };
  return (
    <>
      <p><a href="#/follow-ups">All follow-ups</a></p>
      <h2>{followUp.title}</h2>
      <div class="grid">
        <section class="card" aria-label="The follow-up">
          {followUp.description && <p class="said">{followUp.description}</p>}
          <dl class="facts">
            <div><dt>Owner</dt><dd>{ownerOf(followUp)} ({followUp.ownerBureau})</dd></div>
            <div><dt>Due</dt><dd>{followUp.dueOn}{followUp.overdue ? <strong class="error"> overdue</strong> : ''}</dd></div>
            <div><dt>Status</dt><dd>{words(followUp.status)}</dd></div>
            {opener && <div><dt>Opened by</dt><dd>{opener}</dd></div>}
            {followUp.escalatedTo && <div><dt>Escalated to</dt><dd>{followUp.escalatedTo}</dd></div>}
            {followUp.demarcheId && <div><dt>Campaign</dt><dd><a href={followUp.post ? `#/campaigns/${followUp.demarcheId}/posts/${followUp.post}` : `#/campaigns/${followUp.demarcheId}`}>{followUp.post ? `${followUp.post}'s delivery` : 'the campaign'}</a>{followUp.response ? `, response ${followUp.response}` : ''}{followUp.response && followUp.responseCorrectedBy ? ` (since corrected by response ${followUp.responseCorrectedBy}: it no longer counts)` : ''}</dd></div>}
            {followUp.cableId && <div><dt>Cable</dt><dd><a href={`#/cables/${followUp.cableId}`}>the linked cable</a></dd></div>}
          </dl>
          {followUp.outcome && <p>Outcome: {followUp.outcome}</p>}
          {followUp.cancelReason && <p>Cancelled: {followUp.cancelReason}</p>}
          <h3>Comments</h3>
          {followUp.comments.length === 0 ? <p class="muted">No comment yet.</p> : (
            <ul>{followUp.comments.map((c, i) => <li key={i}>{nameOf(c.by)}: <span class="said">{c.text}</span> <span class="muted">{when(c.at)}</span></li>)}</ul>
          )}
          {['comment', 'complete', 'cancel'].some(can) && (
            <>
              <label for="note">Comment, outcome or reason</label>
              <textarea id="note" rows={3} class="full" value={text} {...markedBy('note', beside.note)} onInput={(e) => setText(e.currentTarget.value)} />
              <FieldProblem place="note" text={beside.note} alert />
            </>
          )}
          <p class="actions">
            {can('comment') && <button type="button" onClick={() => (text.trim() ? send('POST', '/comments', marked({ text: text.trim() }), 'Comment added.', { onVersionShown: false, usesText: true }) : needsText('comment'))}>Comment</button>}
            {can('start') && <button type="button" onClick={() => send('POST', '/start', {}, 'Started.')}>Start</button>}
            {can('complete') && <button type="button" onClick={() => (text.trim() ? send('POST', '/complete', marked({ outcome: text.trim() }), 'Completed.', { usesText: true }) : needsText('outcome'))}>Complete with this outcome</button>}
            {can('cancel') && <button type="button" class="danger" onClick={() => (text.trim() ? send('POST', '/cancel', marked({ reason: text.trim() }), 'Cancelled.', { usesText: true }) : needsText('reason'))}>Cancel with this reason</button>}
          </p>
          {can('reassign') && !can('edit') && (
            <form aria-labelledby="fu-escalated-h" onSubmit={(e) => {
              e.preventDefault();
              setMessage(null);
              setBeside({});
              // Both in one change: either resolves the escalation, and with it this bureau's say.
              const newOwner = kind !== ('office' in followUp.owner ? 'office' : 'post') || owner.trim() !== ownerOf(followUp);
              const newDue = dueOn !== followUp.dueOn;
              if (!newOwner && !newDue) return refuse('Give it a new owner or a new due date first.');
              // Each problem beside its field (the focus on the first), the form saying once that nothing was saved.
              const problems: Record<string, string> = {};
              const ownerWrong = newOwner ? ownerProblem(kind, owner, owners) : null;
              if (ownerWrong) problems['fu-escalated-owner'] = ownerWrong;
              const dueWrong = newDue ? dueProblem(dueOn, 'New due date') : null;
              // Handed over past its due date, it would be overdue for its new owner at once (the server says so too).
              if (dueWrong) problems['fu-escalated-due'] = dueWrong;
              else if (newOwner && !newDue && followUp.overdue) problems['fu-escalated-due'] = `It was due on ${followUp.dueOn}: give its new owner a new due date with it.`;
              if (Object.keys(problems).length > 0) return sayBeside(problems, 'Not saved. See what is said beside the field.');
              const done = newOwner && newDue ? `Reassigned to ${owner.trim()}, due date moved to ${dueOn}.` : newOwner ? `Reassigned to ${owner.trim()}.` : `Due date moved to ${dueOn}.`;
              void send('PATCH', '', { ...(newOwner ? { owner: { [kind]: owner.trim() } } : {}), ...(newDue ? { dueOn } : {}) }, done, { place: placeInEscalated });
            }}>
              <h3 id="fu-escalated-h">Escalated to your bureau</h3>
              <p class="muted">
                It is overdue and was escalated to {followUp.escalatedTo}, your bureau: its front office may give it a new owner or a new due date, or both at once, which
                takes it out of the bureau's queue. Anything else is for its owner and its creator.
              </p>
              <OwnerFields idPrefix="fu-escalated" owners={owners} kind={kind} value={owner} problem={beside['fu-escalated-owner']} onKind={(k) => { setKind(k); setOwner(''); }} onValue={setOwner} />
              <label for="fu-escalated-due">New due date</label>
              <input id="fu-escalated-due" type="date" value={dueOn} {...markedBy('fu-escalated-due', beside['fu-escalated-due'])} onInput={(e) => setDueOn(e.currentTarget.value)} />
              <FieldProblem place="fu-escalated-due" text={beside['fu-escalated-due']} />
              <p><button type="submit">Save changes</button></p>
            </form>
          )}
          {allowed.length === 0 && <p class="muted">Only its owner, and its creator while they may open follow-ups, change this follow-up.</p>}
          {message && <p id="fu-outcome" tabIndex={-1} class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
          {message?.stale && <p><button type="button" onClick={() => { setMessage(null); void load(); }}>Reload the latest</button></p>}
          {can('edit') && (
            <details>
              <summary>Change the title, description, due date or owner</summary>
              <form aria-label="The title and description" onSubmit={(e) => {
                e.preventDefault();
                setMessage(null);
                setBeside({});
                // Only what changed is sent (the rest as shown may have been changed by someone else
                // since: If-Match says so), marked as the page showed the follow-up; an emptied description as null.
                const changes = changedFields({ title: followUp.title, description: followUp.description }, { title: wording.title.trim(), description: wording.description.trim() });
                if (changes.title === '') return sayBeside({ 'fu-edit-title': 'Give the follow-up a title.' }, 'Not saved. See what is said beside the field.');
                if (Object.keys(changes).length === 0) return refuse('The title and description are as they stand: change one of them first.');
                const done = changes.title !== undefined && changes.description !== undefined ? 'Title and description saved.' : changes.title !== undefined ? 'Title saved.' : changes.description ? 'Description saved.' : 'Description removed.';
                const body = { ...changes, ...(changes.description === '' ? { description: null } : {}), classification: shownAt.current?.classification ?? 'UNCLASSIFIED' };
                void send('PATCH', '', body, done, { place: placeInText });
              }}>
                <label for="fu-edit-title">Title</label>
                <input id="fu-edit-title" class="full" value={wording.title} {...markedBy('fu-edit-title', beside['fu-edit-title'])} onInput={(e) => setWording({ ...wording, title: e.currentTarget.value })} />
                <FieldProblem place="fu-edit-title" text={beside['fu-edit-title']} />
                <label for="fu-edit-description">Description (optional)</label>
                <textarea id="fu-edit-description" rows={3} class="full" value={wording.description} {...markedBy('fu-edit-description', beside['fu-edit-description'])} onInput={(e) => setWording({ ...wording, description: e.currentTarget.value })} />
                <FieldProblem place="fu-edit-description" text={beside['fu-edit-description']} />
                <p><button type="submit">Save the title and description</button></p>
              </form>
              <form onSubmit={(e) => {
                e.preventDefault();
                setMessage(null);
                setBeside({});
                if (dueOn === followUp.dueOn) return sayBeside({ 'fu-redate': `The follow-up is already due on ${dueOn}: choose another day.` }, null);
                const problem = dueProblem(dueOn, 'New due date');
                if (problem) return sayBeside({ 'fu-redate': problem }, null);
                void send('PATCH', '', { dueOn }, `Due date moved to ${dueOn}.`, { place: placeInRedate, alone: true });
              }}>
                <label for="fu-redate">New due date</label>
                <input id="fu-redate" type="date" value={dueOn} {...markedBy('fu-redate', beside['fu-redate'])} onInput={(e) => setDueOn(e.currentTarget.value)} /> <button type="submit">Re-date</button>
                <FieldProblem place="fu-redate" text={beside['fu-redate']} alert />
              </form>
              <form onSubmit={(e) => {
                e.preventDefault();
                setMessage(null);
                setBeside({});
                const problem = ownerProblem(kind, owner, owners) ?? (followUp.overdue ? `It was due on ${followUp.dueOn}: give it a new due date first (above), so that it is not overdue for its new owner at once.` : null);
                if (problem) return sayBeside({ 'fu-edit-owner': problem }, null);
                void send('PATCH', '', { owner: { [kind]: owner.trim() } }, `Reassigned to ${owner.trim()}.`, { place: placeInReassign, alone: true });
              }}>
                <OwnerFields idPrefix="fu-edit" owners={owners} kind={kind} value={owner} problem={beside['fu-edit-owner']} alert onKind={(k) => { setKind(k); setOwner(''); }} onValue={setOwner} />
                <button type="submit">Reassign</button>
              </form>
            </details>
          )}
        </section>
        <section class="card" aria-labelledby="fu-history">
          <h3 id="fu-history">History</h3>
          <Timeline entries={followUp.history ?? []} chosen={then?.version ?? null} onChoose={async (version) => setThen(await api('GET', `/follow-ups/${id}?version=${version}`))} people={names} />
          {then && (
            <div aria-live="polite">
              <h4>As it stood at version {then.version}</h4>
              <p>{then.title}: {words(then.status)}, owner {ownerOf(then)}, due {then.dueOn}{then.outcome ? `, outcome: ${then.outcome}` : ''}; {then.comments.length} comment(s)</p>
            </div>
          )}
        </section>
      </div>
    </>
  );
}
