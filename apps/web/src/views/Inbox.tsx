import { useEffect, useState } from 'preact/hooks';
import { api, type Me, problemText, when, words } from '../api.js';
import { markingsOf, recordMarking } from '../classification.js';

interface CableItem { cableId?: string; id?: string; subject: string; classification: string; captions?: string[]; status?: string; since?: string; precedence?: string }
/** A follow-up in the inbox; newer servers give its marking (that of the record it is linked to). */
export interface FollowUpItem {
  followUpId?: string; id?: string; title: string; dueOn: string; status: string; overdue: boolean; owner?: { office?: string; post?: string }; escalatedTo?: string | null;
  classification?: string; captions?: string[];
}
interface InboxAnswer {
  toClear: CableItem[];
  toApprove: CableItem[];
  taskings: { demarcheId: string; mrn: string; subject: string; classification: string; captions?: string[]; reportBy: string; status: string; overdue: boolean; post?: string }[];
  followUps: FollowUpItem[];
  /** Cables the approver sent back to the caller (newer servers). */
  returned?: (CableItem & { reason?: string | null; withheld?: boolean; by?: string | { username?: string }; at?: string })[];
  /** Overdue follow-ups escalated to the caller's bureau (newer servers). */
  escalated?: FollowUpItem[];
}

/** A cable's id in an inbox item, whichever name the server gives it. */
const cableIdOf = (c: { cableId?: string; id?: string }) => c.cableId ?? c.id ?? '';

/** A follow-up's id, whichever name the server gives it. */
export const followUpIdOf = (f: { followUpId?: string; id?: string }) => f.followUpId ?? f.id ?? '';
const ownerText = (owner?: { office?: string; post?: string }) => owner?.office ?? owner?.post ?? '';
const byName = (by: unknown) => (typeof by === 'string' ? by : (by as { username?: string } | undefined)?.username ?? '');
/** A follow-up's marking before its title, "(CONFIDENTIAL NOFORN) ", where the server gives it. */
export const markingOf = (f: Pick<FollowUpItem, 'classification' | 'captions'>) => (f.classification ? `(${[f.classification, ...(f.captions ?? [])].join(' ')}) ` : '');

function FollowUpList({ items, empty }: { items: FollowUpItem[]; empty: string }) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul>
      {items.map((f) => (
        <li key={followUpIdOf(f)}>
          <a href={`#/follow-ups/${followUpIdOf(f)}`}>{markingOf(f)}{f.title}</a>{f.owner ? ` (${ownerText(f.owner)})` : ''}: due {f.dueOn}
          {f.overdue ? <strong class="error"> overdue</strong> : ''}, {words(f.status)}
        </li>
      ))}
    </ul>
  );
}

/** What waits for the caller: only the sections their roles concern. */
export function Inbox({ me, onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  const [inbox, setInbox] = useState<InboxAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<InboxAnswer>('GET', '/inbox').then((answer) => {
      setInbox(answer);
      onClassifications([
        ...[...answer.toClear, ...answer.toApprove, ...answer.taskings, ...(answer.returned ?? [])].map(recordMarking),
        ...markingsOf([...answer.followUps, ...(answer.escalated ?? [])]),
      ]);
    }, (failure) => setError(problemText(failure)));
  }, [me.id]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!inbox) return <p>Loading…</p>;
  const is = (role: string) => me.roles.includes(role);
  const drafts = is('drafter') || is('post_officer');
  const escalated = inbox.escalated ?? [];
  return (
    <>
      <h2>Inbox</h2>
      {drafts && (
        <section class="card" aria-labelledby="returned-h">
          <h3 id="returned-h">{inbox.returned ? `Returned to me (${inbox.returned.length})` : 'My drafts'}</h3>
          {/* A server without `returned[]`: the Cables screen's queue finds them from each draft's history. */}
          {!inbox.returned ? <p><a href="#/cables?queue=returned">Cables returned to me</a></p> : inbox.returned.length === 0 ? <p class="muted">No cable of yours has been returned.</p> : (
            <ul>
              {inbox.returned!.map((c) => (
                <li key={cableIdOf(c)}>
                  <a href={`#/cables/${cableIdOf(c)}`}>({c.classification}) {c.subject}</a>
                  {c.withheld ? <>: <em>reason withheld (written while the draft was marked above your clearance)</em></> : c.reason ? <>: “{c.reason}”</> : ''}{byName(c.by) ? <span class="muted"> · {byName(c.by)}</span> : ''}{c.at ? <span class="muted"> · {when(c.at)}</span> : ''}
                </li>
              ))}
            </ul>
          )}
          <p><a href="#/cables?queue=mine">My drafts</a> · <a href="#/cables/new">Draft a new cable</a></p>
        </section>
      )}
      {is('clearer') && (
        <section class="card" aria-labelledby="clear-h">
          <h3 id="clear-h">To clear for {me.office ?? 'your office'} ({inbox.toClear.length})</h3>
          {inbox.toClear.length === 0 ? <p class="muted">Nothing waits for your office's clearance.</p> : (
            <ul>{inbox.toClear.map((c) => <li key={cableIdOf(c)}><a href={`#/cables/${cableIdOf(c)}`}>({c.classification}) {c.subject}</a>{c.since ? <span class="muted"> · since {when(c.since)}</span> : ''}</li>)}</ul>
          )}
        </section>
      )}
      {is('approver') && (
        <section class="card" aria-labelledby="approve-h">
          <h3 id="approve-h">To approve or release ({inbox.toApprove.length})</h3>
          {inbox.toApprove.length === 0 ? <p class="muted">Nothing waits for your approval.</p> : (
            <ul>{inbox.toApprove.map((c) => <li key={cableIdOf(c)}><a href={`#/cables/${cableIdOf(c)}`}>({c.classification}) {c.subject}</a>{c.status ? ` · ${words(c.status)}` : ''}</li>)}</ul>
          )}
        </section>
      )}
      {me.postCode && is('post_officer') && (
        <section class="card" aria-labelledby="task-h">
          <h3 id="task-h">Open taskings for {me.postCode} ({inbox.taskings.length})</h3>
          {inbox.taskings.length === 0 ? <p class="muted">No open tasking for your post.</p> : (
            <ul>
              {inbox.taskings.map((t) => (
                <li key={t.demarcheId}>
                  <a href={`#/campaigns/${t.demarcheId}/posts/${me.postCode}`}>{t.mrn}: ({t.classification}) {t.subject}</a> · report by {t.reportBy}
                  {t.overdue ? <strong class="error"> overdue</strong> : ''} · {words(t.status)}
                </li>
              ))}
            </ul>
          )}
          <p><a href="#/taskings">All of the post's taskings and incoming traffic</a></p>
        </section>
      )}
      {(escalated.length > 0 || is('leadership')) && (
        <section class="card" aria-labelledby="esc-h">
          <h3 id="esc-h">Escalated to my bureau ({escalated.length})</h3>
          <FollowUpList items={escalated} empty="No overdue follow-up has been escalated to your bureau." />
        </section>
      )}
      <section class="card" aria-labelledby="fu-h">
        <h3 id="fu-h">My follow-ups ({inbox.followUps.length})</h3>
        <FollowUpList items={inbox.followUps} empty="No open follow-up is yours." />
      </section>
    </>
  );
}
