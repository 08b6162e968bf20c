import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Me, problemText, when, words } from '../api.js';
import { markingsOf, recordMarking } from '../classification.js';
import { askedFor, type InboxSection, joined, noteAsked, type Paged, readOn, sectionPage } from '../inbox-pages.js';

interface CableItem { cableId?: string; id?: string; subject: string; classification: string; captions?: string[]; status?: string; since?: string; precedence?: string }
/** A follow-up in the inbox; newer servers give its marking (that of the record it is linked to). */
export interface FollowUpItem {
  followUpId?: string; id?: string; title: string; dueOn: string; status: string; overdue: boolean; owner?: { office?: string; post?: string }; escalatedTo?: string | null;
  classification?: string; captions?: string[];
}
type ReturnedItem = CableItem & { reason?: string | null; withheld?: boolean; returnedByUsername?: string | null; returnedByDisplayName?: string | null; returnedAt?: string };
type TaskingItem = { demarcheId: string; mrn: string; subject: string; classification: string; captions?: string[]; reportBy: string; status: string; overdue: boolean; post?: string };
/** Each section's items. */
interface SectionItems {
  toClear: CableItem;
  toApprove: CableItem;
  taskings: TaskingItem;
  followUps: FollowUpItem;
  /** Cables the approver sent back to the caller (newer servers). */
  returned: ReturnedItem;
  /** Overdue follow-ups escalated to the caller's bureau (newer servers). */
  escalated: FollowUpItem;
}
/** The inbox as read: each section's first page and how many it holds (`totals`, newer servers; a section whole without). */
type InboxAnswer = { [S in InboxSection]?: SectionItems[S][] } & { totals?: Partial<Record<InboxSection, number>> };
type Lists = { [S in InboxSection]: Paged<SectionItems[S]> };

/** A cable's id in an inbox item, whichever name the server gives it. */
const cableIdOf = (c: { cableId?: string; id?: string }) => c.cableId ?? c.id ?? '';

/** A follow-up's id, whichever name the server gives it. */
export const followUpIdOf = (f: { followUpId?: string; id?: string }) => f.followUpId ?? f.id ?? '';
const ownerText = (owner?: { office?: string; post?: string }) => owner?.office ?? owner?.post ?? '';
/** A follow-up's marking before its title, "(CONFIDENTIAL NOFORN) ", where the server gives it. */
export const markingOf = (f: Pick<FollowUpItem, 'classification' | 'captions'>) => (f.classification ? `(${[f.classification, ...(f.captions ?? [])].join(' ')}) ` : '');

export function FollowUpList({ id, items, empty }: { id: string; items: FollowUpItem[]; empty: string }) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul id={id}>
      {items.map((f) => (
        <li key={followUpIdOf(f)}>
          <a href={`#/follow-ups/${followUpIdOf(f)}`}>{markingOf(f)}{f.title}</a>{f.owner ? ` (${ownerText(f.owner)})` : ''}: due {f.dueOn}
          {f.overdue ? <strong class="error"> overdue</strong> : ''}, {words(f.status)}
        </li>
      ))}
    </ul>
  );
}

/**
 * How many of a section are shown, of how many, and *Show more* for the next page, where there are
 * more. The button is described by the section's heading (there is one in each section).
 */
export function ShowMore({ shown, total, headingId, busy, problem, onMore }: { shown: number; total: number; headingId: string; busy: boolean; problem: string | null; onMore: () => void }) {
  return (
    <>
      {shown < total && (
        <p>
          <span class="muted">{shown} of {total} shown. </span>
          {/* aria-disabled, not disabled: the focus stays on the button while the page is read. */}
          <button type="button" class="secondary" aria-describedby={headingId} aria-disabled={busy ? 'true' : undefined} onClick={() => { if (!busy) onMore(); }}>Show more</button>
        </p>
      )}
      {problem && <p class="error" role="alert">{problem}</p>}
    </>
  );
}

/**
 * *Show more* for one section of the inbox on a screen: reads the next page, says a failure, puts the
 * focus on the first item it added (in the list `listId`), and remembers how many the user asked for
 * (a re-read of the screen shows as many again).
 */
export function useShowMore<T extends object>(me: Me, screen: string, section: InboxSection, list: Paged<T> | null, setList: (update: (list: Paged<T>) => Paged<T>) => void, listId: string) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const focusFrom = useRef<number | null>(null);
  useEffect(() => {
    if (focusFrom.current === null || !list) return;
    const first = document.querySelectorAll<HTMLElement>(`#${listId} > li`)[focusFrom.current];
    focusFrom.current = null;
    first?.querySelector<HTMLElement>('a, button')?.focus();
  }, [list]);
  const more = async () => {
    if (!list) return;
    setBusy(true);
    setProblem(null);
    try {
      const page = await sectionPage<T>(section, list.items.length);
      focusFrom.current = list.items.length;
      setList((current) => {
        const next = joined(current, page);
        noteAsked(me.id, screen, section, next.items.length);
        return next;
      });
    } catch (failure) {
      setProblem(`The next page could not be read. ${problemText(failure)}`);
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, more };
}

/** The inbox's sections as read: each section's first page, read on to as many as the user asked to see before. */
async function readInbox(me: Me): Promise<{ lists: Lists; hasReturned: boolean }> {
  const answer = await api<InboxAnswer>('GET', '/inbox');
  const listOf = <S extends InboxSection>(section: S): Paged<SectionItems[S]> => {
    const items = (answer[section] ?? []) as SectionItems[S][];
    return { items, total: answer.totals?.[section] ?? items.length };
  };
  const readAgain = async <S extends InboxSection>(section: S): Promise<Paged<SectionItems[S]>> => {
    const first = listOf(section);
    const count = askedFor(me.id, 'inbox', section);
    return answer.totals && count > first.items.length ? readOn(section, first, count) : first;
  };
  const [toClear, toApprove, taskings, followUps, returned, escalated] = await Promise.all([
    readAgain('toClear'), readAgain('toApprove'), readAgain('taskings'), readAgain('followUps'), readAgain('returned'), readAgain('escalated'),
  ]);
  return { lists: { toClear, toApprove, taskings, followUps, returned, escalated }, hasReturned: answer.returned !== undefined };
}

/** What waits for the caller: only the sections their roles concern, a page of each, with how many there are. */
export function Inbox({ me, onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  const [lists, setLists] = useState<Lists | null>(null);
  const [hasReturned, setHasReturned] = useState(true);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    readInbox(me).then((read) => {
      setHasReturned(read.hasReturned);
      setLists(read.lists);
    }, (failure) => setError(problemText(failure)));
  }, [me.id]);
  // Everything shown, the pages *Show more* added too, is in the banners.
  useEffect(() => {
    if (!lists) return;
    onClassifications([
      ...[...lists.toClear.items, ...lists.toApprove.items, ...lists.taskings.items, ...lists.returned.items].map(recordMarking),
      ...markingsOf([...lists.followUps.items, ...lists.escalated.items]),
    ]);
  }, [lists]);
  const pager = <S extends InboxSection>(section: S) =>
    useShowMore<SectionItems[S]>(me, 'inbox', section, lists?.[section] ?? null, (update) => setLists((current) => current && { ...current, [section]: update(current[section]) }), `${section}-list`);
  const pagers = { toClear: pager('toClear'), toApprove: pager('toApprove'), taskings: pager('taskings'), followUps: pager('followUps'), returned: pager('returned'), escalated: pager('escalated') };
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!lists) return <p>Loading…</p>;
  const more = (section: InboxSection, headingId: string) => (
    <ShowMore shown={lists[section].items.length} total={lists[section].total} headingId={headingId} busy={pagers[section].busy} problem={pagers[section].problem} onMore={() => void pagers[section].more()} />
  );
  const is = (role: string) => me.roles.includes(role);
  const drafts = is('drafter') || is('post_officer');
  const { toClear, toApprove, taskings, followUps, returned, escalated } = lists;
  return (
    <>
      <h2>Inbox</h2>
      {drafts && (
        <section class="card" aria-labelledby="returned-h">
          <h3 id="returned-h">{hasReturned ? `Returned to me (${returned.total})` : 'My drafts'}</h3>
          {/* A server without `returned[]`: the Cables screen's queue finds them from each draft's history. */}
          {!hasReturned ? <p><a href="#/cables?queue=returned">Cables returned to me</a></p> : returned.items.length === 0 ? <p class="muted">No cable of yours has been returned.</p> : (
            <ul id="returned-list">
              {returned.items.map((c) => (
                <li key={cableIdOf(c)}>
                  <a href={`#/cables/${cableIdOf(c)}`}>({c.classification}) {c.subject}</a>
                  {c.withheld ? <>: <em>reason withheld (written while the draft was marked above your clearance)</em></> : c.reason ? <>: “{c.reason}”</> : ''}{c.returnedByDisplayName ?? c.returnedByUsername ? <span class="muted"> · returned by {c.returnedByDisplayName ?? c.returnedByUsername}</span> : ''}{c.returnedAt ? <span class="muted"> · {when(c.returnedAt)}</span> : ''}
                </li>
              ))}
            </ul>
          )}
          {hasReturned && more('returned', 'returned-h')}
          <p><a href="#/cables?queue=mine">My drafts</a> · <a href="#/cables/new">Draft a new cable</a></p>
        </section>
      )}
      {is('clearer') && (
        <section class="card" aria-labelledby="clear-h">
          <h3 id="clear-h">To clear for {me.office ?? 'your office'} ({toClear.total})</h3>
          {toClear.items.length === 0 ? <p class="muted">Nothing waits for your office's clearance.</p> : (
            <ul id="toClear-list">{toClear.items.map((c) => <li key={cableIdOf(c)}><a href={`#/cables/${cableIdOf(c)}`}>({c.classification}) {c.subject}</a>{c.since ? <span class="muted"> · since {when(c.since)}</span> : ''}</li>)}</ul>
          )}
          {more('toClear', 'clear-h')}
        </section>
      )}
      {is('approver') && (
        <section class="card" aria-labelledby="approve-h">
          <h3 id="approve-h">To approve or release ({toApprove.total})</h3>
          {toApprove.items.length === 0 ? <p class="muted">Nothing waits for your approval.</p> : (
            <ul id="toApprove-list">{toApprove.items.map((c) => <li key={cableIdOf(c)}><a href={`#/cables/${cableIdOf(c)}`}>({c.classification}) {c.subject}</a>{c.status ? ` · ${words(c.status)}` : ''}</li>)}</ul>
          )}
          {more('toApprove', 'approve-h')}
        </section>
      )}
      {me.postCode && is('post_officer') && (
        <section class="card" aria-labelledby="task-h">
          <h3 id="task-h">Open taskings for {me.postCode} ({taskings.total})</h3>
          {taskings.items.length === 0 ? <p class="muted">No open tasking for your post.</p> : (
            <ul id="taskings-list">
              {taskings.items.map((t) => (
                <li key={t.demarcheId}>
                  <a href={`#/campaigns/${t.demarcheId}/posts/${me.postCode}`}>{t.mrn}: ({t.classification}) {t.subject}</a> · report by {t.reportBy}
                  {t.overdue ? <strong class="error"> overdue</strong> : ''} · {words(t.status)}
                </li>
              ))}
            </ul>
          )}
          {more('taskings', 'task-h')}
          <p><a href="#/taskings">All of the post's taskings and incoming traffic</a></p>
        </section>
      )}
      {(escalated.total > 0 || is('leadership')) && (
        <section class="card" aria-labelledby="esc-h">
          <h3 id="esc-h">Escalated to my bureau ({escalated.total})</h3>
          <FollowUpList id="escalated-list" items={escalated.items} empty="No overdue follow-up has been escalated to your bureau." />
          {more('escalated', 'esc-h')}
        </section>
      )}
      <section class="card" aria-labelledby="fu-h">
        <h3 id="fu-h">My follow-ups ({followUps.total})</h3>
        <FollowUpList id="followUps-list" items={followUps.items} empty="No open follow-up is yours." />
        {more('followUps', 'fu-h')}
      </section>
    </>
  );
}
