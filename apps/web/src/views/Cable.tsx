import type { CableDraft } from '@chancery/cables/domain';
import { scopedPosts } from '@chancery/demarches/domain';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, isStale, maybe, mayDo, type Me, problemText, sendOnVersionShown, today, when, words } from '../api.js';
import { recordMarking } from '../classification.js';
import { posts } from '../posts.js';
import { cableAsShown, type CableSummary, type CableView, type CampaignLink, DraftForm, list, returnsOf, SinceCleared, StatusBadge } from './Cables.js';
import { actorOf, CableHistory, Diff, type HistoryEntry, type Names, namesOf, officerText, type People, peopleOf, textOf } from './History.js';
import { NotShown } from './FieldProblem.js';
import { distributionText } from '../distribution.js';
import { type LiveNotice, NOTICE } from '../live.js';

const DECISIONS = [
  ['CLEARED', 'Clear'],
  ['CLEARED_WITH_COMMENTS', 'Clear with comments'],
  ['NON_CONCUR', 'Do not concur'],
] as const;

/**
 * How many posts releasing the instruction tasks with its demarche, as the campaign opener counts
 * them: the action addressees with collectives expanded to the open posts they hold now (as release
 * expands them), kept by the scope's kinds, named posts and exclusions. Null when the page cannot tell.
 */
async function taskedPosts(cable: CableView): Promise<number | null> {
  type Collectives = { code: string; members: string[] }[] | { items: { code: string; members: string[] }[] };
  const [directory, collectives] = await Promise.all([posts(), maybe(api<Collectives>('GET', '/collectives'), null)]);
  if (directory.size === 0 || !collectives) return null;
  const members = new Map((Array.isArray(collectives) ? collectives : collectives.items).map((c) => [c.code, c.members]));
  const action = new Set(cable.actionAddressees.flatMap((code) => members.get(code) ?? [code]));
  // The campaign opener's own rule (scopedPosts); a closed post is not in the directory's open posts.
  return scopedPosts([...action].map((code) => ({ code, kind: directory.get(code)?.kind ?? '' })), cable.demarche?.scope).length;
}

/** The roles whose screens include a campaign's page (main.tsx's `/campaigns`). */
const CAMPAIGN_READERS = ['drafter', 'clearer', 'approver', 'post_officer', 'leadership'];
/** A clearance request the drafter withdrew, with where it stood then (`GET /cables/:id` `withdrawals[]`). */
interface Withdrawal { office?: string; status?: string; comments?: string | null; by?: { id?: string; username?: string; office?: string | null } | string; at?: string; withheld?: boolean }

/** What a reader is shown in place of text written while the cable stood under markings they may not read. */
const WITHHELD = 'withheld: written while the cable stood where you may not read it (a draft, or a marking above yours)';
/** Who did it, as the cable names them (an officer, or a name), by the name the answers' `people` give them. */
const byText = (by: unknown, names: Names) => (typeof by === 'string' ? by : by && typeof by === 'object' ? officerText(by as { id?: string; username?: string; office?: string | null }, names) : '');

/** The panels the cable's actions open, each from a button of its own. */
type Panel = 'release' | 'return' | 'cancel';
const openerId = (panel: Panel) => `open-${panel}`;

/** A step to release, as the card says it cannot be taken yet (`blockedActions`). */
const STEP_NAMES: Readonly<Record<string, string>> = { submit: 'Submitting for approval', approve: 'Approving', release: 'Releasing' };

/** One cable: what it says and where it stands, and only the controls the caller may use. */
export function CablePage({ id, me, onClassifications }: { id: string; me: Me; onClassifications: (c: string[]) => void }) {
  const [cable, setCable] = useState<CableView | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  /**
   * Whether the history was read: `loading` until its first answer, else null, or what its read
   * failed with (said as such, with a way to read it again: never as a cable to which nothing happened).
   */
  const [historyRead, setHistoryRead] = useState<'loading' | { problem: string } | null>('loading');
  /** The officers the history's events name (its `people`). */
  const [historyPeople, setHistoryPeople] = useState<People>({});
  const [returns, setReturns] = useState<NonNullable<CableView['returns']>>([]);
  const [telegram, setTelegram] = useState<string | { problem: string } | null>(null);
  const [replies, setReplies] = useState<CableSummary[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  /** `stale`: refused because the cable changed since the page read it; the latest is offered. */
  const [message, setMessage] = useState<{ text: string; error: boolean; stale?: boolean } | null>(null);
  /** The last action refused: the draft form says beside each field what it names. */
  const [refused, setRefused] = useState<unknown>(null);
  /** What a form still lacks, said beside it. */
  const [formError, setFormError] = useState<{ form: string; text: string } | null>(null);
  const [editing, setEditing] = useState<boolean | null>(null);
  const [pending, setPending] = useState<Panel | null>(null);
  /** How many posts releasing tasks, for an instruction with a demarche; null until known. */
  const [tasked, setTasked] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  // None chosen at first: a clearance is a choice made on the text read, never a default sent by a
  // click on Send (and choosing one marks the page in use: a change of the text is then offered,
  // not swapped in under the choice).
  const [decision, setDecision] = useState('');
  const [comments, setComments] = useState('');
  const [offices, setOffices] = useState('');
  const [directory, setDirectory] = useState<{ symbol: string; name: string }[]>([]);
  /** The confirmation that opens (release) or the reason it asks for (return, cancel): the focus goes there. */
  const confirmation = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (pending === 'release') confirmation.current?.focus();
    else if (pending) document.getElementById('reason')?.focus();
  }, [pending]);
  /** The office whose clearance request the drafter is asked to confirm withdrawing; the focus goes to the question. */
  const [withdrawing, setWithdrawing] = useState<string | null>(null);
  const withdrawal = useRef<HTMLDivElement>(null);
  /**
   * Where the focus goes once a question or a panel is gone: back to the button that opened it when
   * it is closed unanswered (the office's "Withdraw the request…", "Release…", "Return to the
   * drafter…", "Cancel the cable…"), to the page's message once it is done (its button is gone).
   */
  const [focusAfterQuestion, setFocusAfterQuestion] = useState<{ office: string } | { opener: Panel } | 'message' | null>(null);
  useEffect(() => {
    if (!focusAfterQuestion) return;
    const target = focusAfterQuestion === 'message'
      ? document.getElementById('cable-message')
      : 'opener' in focusAfterQuestion
        ? document.getElementById(openerId(focusAfterQuestion.opener))
        : document.querySelector<HTMLElement>(`button[aria-label="${CSS.escape(`Withdraw the request to ${focusAfterQuestion.office}…`)}"]`);
    target?.focus();
    setFocusAfterQuestion(null); // once: a target that is not there is not waited for
  });
  /** The release, return or cancel panel closed unanswered ("Not yet", "Back", Escape): the focus goes back to its button. */
  const closePanel = () => {
    if (pending) setFocusAfterQuestion({ opener: pending });
    setPending(null);
  };
  /** The withdrawal question closed unanswered ("Keep the request", Escape): the focus goes back to the office's button. */
  const keepRequest = () => {
    if (withdrawing) setFocusAfterQuestion({ office: withdrawing });
    setWithdrawing(null);
  };
  /** Escape closes a panel as its button that sends nothing does (from within it, or from the button that opened it). */
  const onEscape = (close: () => void) => (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    close();
  };
  useEffect(() => {
    if (withdrawing) withdrawal.current?.focus();
  }, [withdrawing]);
  useEffect(() => {
    let current = true;
    setTasked(null);
    if (pending === 'release' && cable?.kind === 'INSTRUCTION' && cable.demarche) void taskedPosts(cable).then((count) => current && setTasked(count));
    return () => {
      current = false;
    };
  }, [pending, cable]);

  /** The page's reads, newest last: an older one answered late does not undo a newer one (a read on a notice during the read after an action). */
  const reads = useRef(0);
  const load = async () => {
    const read = ++reads.current;
    const superseded = () => read !== reads.current;
    try {
      const view = await api<CableView>('GET', `/cables/${id}`);
      if (superseded()) return;
      setCable(view);
      const now = recordMarking(view);
      onClassifications([now]);
      // The drafter works in the form; a clearer or approver who may edit opens it when they want to.
      setEditing((open) => open ?? ((view.allowedActions ?? []).includes('edit') && view.drafter.id === me.id));
      // What the page can be shown without (the history, the telegram as rendered) is read apart:
      // a read that fails is said where its part of the page would be, not shown as empty.
      const apart = <T,>(read: Promise<T>) => read.then((value) => ({ value }), (error: unknown) => ({ problem: problemText(error) }));
      const [historyAnswer, text] = await Promise.all([
        apart(api<{ items: HistoryEntry[]; people?: People }>('GET', `/cables/${id}/history`)),
        apart(api<string>('GET', `/cables/${id}/telegram`)),
      ]);
      if (superseded()) return;
      const events = 'value' in historyAnswer ? historyAnswer.value : { items: [] as HistoryEntry[], people: {} };
      setHistoryRead('value' in historyAnswer ? null : historyAnswer);
      setHistory(events.items);
      setHistoryPeople(events.people ?? {});
      // The page shows the text of every version the reader may read (who edited what, the history's
      // "as it stood"): it is marked by the highest of them, not only by the marking of today's.
      const versions = events.items.flatMap((e) => {
        const draft = (e.type === 'CableDrafted' || e.type === 'CableEdited') ? (e.data?.draft as CableDraft | undefined) : undefined;
        return draft ? [recordMarking(draft)] : [];
      });
      onClassifications([now, ...versions]);
      const returned = await returnsOf(view, events.items);
      if (superseded()) return;
      setReturns(returned);
      setTelegram('value' in text ? text.value : text);
      const replies = Array.isArray(view.replies) ? view.replies
        : view.mrn ? await maybe(api<{ items: CableSummary[] }>('GET', `/cables?ref=${encodeURIComponent(view.mrn)}&limit=50`).then((a) => a.items), null) : null;
      if (superseded()) return;
      setReplies(replies);
      // So is every reply it lists by its subject.
      if (replies?.length) onClassifications([now, ...versions, ...replies.map(recordMarking)]);
    } catch (error) {
      if (superseded()) return;
      // Read again and refused (the reader's access changed), the page shows no record: unmarked.
      onClassifications([]);
      setFailure(error instanceof ApiError ? error : new ApiError(0, {}));
    }
  };
  useEffect(() => void load(), [id]);
  /**
   * The history and the telegram read again after a failed read: said to be under way where they
   * fail (an alert that comes back is a new one, said again), the focus kept in the section whose
   * button went with the alert.
   */
  const readAgain = (heading: string) => {
    setHistoryRead((read) => (read === null ? read : 'loading'));
    setTelegram((text) => (typeof text === 'string' ? text : null));
    document.getElementById(heading)?.focus();
    void load();
  };
  /**
   * A release sent from this page: the campaign it opens (a reaction, moments after the release's
   * answer, by no user) is the page's own doing, not a change by someone else. Its notice reads the
   * page again in place, the outcome said ("Released.") and the focus kept, and the campaign's link
   * appears.
   */
  const releasedHere = useRef(false);
  const latestLoad = useRef(load);
  latestLoad.current = load;
  useEffect(() => {
    const onNotice = (event: Event) => {
      const notice = (event as CustomEvent<LiveNotice>).detail;
      if (!releasedHere.current || notice.eventType !== 'CampaignOpened' || notice.record.id !== id) return;
      event.preventDefault();
      void latestLoad.current();
    };
    addEventListener(NOTICE, onNotice);
    return () => removeEventListener(NOTICE, onNotice);
  }, [id]);
  // The outcome of an action is said at the top of the page: bring it into view. Where the control
  // used is gone with it (a panel closed by its answer, a decision no longer offered, the editor
  // read afresh), the focus goes to what happened rather than to the page's body.
  useEffect(() => {
    const said = message && document.getElementById('cable-message');
    if (!said) return;
    said.scrollIntoView({ block: 'nearest' });
    if (document.activeElement === null || document.activeElement === document.body) said.focus();
  }, [message]);
  useEffect(() => void maybe(api<{ items: { symbol: string; name: string }[] }>('GET', '/offices?limit=500'), { items: [] }).then((a) => setDirectory(a.items)), []);

  if (failure) {
    return <NotShown failure={failure} what="cable" back={{ href: '#/cables', text: 'All cables' }} />;
  }
  if (!cable) return <p>Loading…</p>;
  const allowed = cable.allowedActions ?? [];
  const can = (action: string) => allowed.includes(action);
  // The campaign opens moments after the release, and not at all when the scope leaves no post: the
  // cable's answer carries it (its counts, not every post's delivery) once the server has it, for a
  // reader it lets read it; linked for the roles whose screens include its page.
  const campaign: CampaignLink | null = me.roles.some((r) => CAMPAIGN_READERS.includes(r)) ? cable.campaign ?? null : null;
  /**
   * A decision (submit, approve, release, return, cancel, clear) is taken on the cable as the page
   * shows it (`If-Match`): on a cable whose draft or status changed since, it is refused (412), and
   * the page says so; a cable that moved on otherwise (another office cleared) is decided on still.
   * Answers whether it was done: a refused action leaves what the user typed where it was.
   */
  const act = async (path: string, body: unknown, done: string, { onVersionShown = true, seen = cableAsShown } = {}): Promise<boolean> => {
    setMessage(null);
    setRefused(null);
    const url = `/cables/${cable.id}/${path}`;
    try {
      await (onVersionShown ? sendOnVersionShown('POST', url, body, cable, { read: `/cables/${cable.id}`, seen }) : api('POST', url, body));
      setFormError(null);
      setPending(null);
      setReason('');
      setComments('');
      await load();
      setMessage({ text: done, error: false });
      return true;
    } catch (error) {
      if (isStale(error)) setMessage({ text: 'Not done: someone changed this cable since you opened it. Reload it to read the latest before you decide.', error: true, stale: true });
      else if (error instanceof ApiError && error.status === 403) {
        // No longer theirs to do (moved to another office, a role taken away, the cable moved on):
        // the cable is read again, so the page offers only what they may do now.
        setPending(null);
        await load();
        setMessage({ text: `Not done. ${problemText(error)} The cable was read again: the page shows what you may do now.`, error: true });
      } else {
        setMessage({ text: `Not done. ${problemText(error)}`, error: true });
        setRefused(error);
      }
      return false;
    }
  };
  /** Release: the campaign it opens is known to be this page's doing before the answer comes (its notice may come first). */
  const release = () => {
    releasedHere.current = true;
    void act('release', {}, 'Released.').then((done) => { releasedHere.current = done; });
  };
  const decide = (event: Event) => {
    event.preventDefault();
    setFormError(null);
    if (!decision) {
      document.querySelector<HTMLInputElement>('input[name="decision"]')?.focus();
      return setFormError({ form: 'clear', text: `Choose your decision: ${DECISIONS.map(([, label]) => label).join(', ')}.` });
    }
    if (decision !== 'CLEARED' && !comments.trim()) {
      // Said below the form, and the focus goes to the box to write them in.
      document.getElementById('clear-comments')?.focus();
      return setFormError({ form: 'clear', text: `Write your comments: “${DECISIONS.find(([d]) => d === decision)![1]}” needs them.` });
    }
    // A clearer decides for their office as they saw its clearance too: a colleague's answer for
    // it since (a non-concurrence) is not overridden unseen.
    const ownOffice = (c: CableView) => {
      const mine = c.clearances.find((x) => x.office === me.office);
      return { ...cableAsShown(c), mine: mine ? { status: mine.status, by: mine.by?.username ?? null, comments: mine.comments ?? null } : null };
    };
    void act('clearances', { office: me.office, decision, ...(decision !== 'CLEARED' ? { comments: comments.trim() } : {}) }, decision === 'NON_CONCUR' ? `${me.office} does not concur.` : decision === 'CLEARED_WITH_COMMENTS' ? `Cleared with comments for ${me.office}.` : `Cleared for ${me.office}.`, { seen: ownOffice });
  };
  const cancelled = [...history].reverse().find((e) => e.type === 'CableCancelled');
  const edits = history.filter((e) => e.type === 'CableEdited');
  // Officers by the name they go by (the answers' `people`), as the delivery pages name them; a username only where the server names nobody.
  const names = namesOf(historyPeople, cable.people);
  const people = peopleOf(history, names);
  const draftBefore = (version: number) => [...history].reverse().find((e) => e.version < version && (e.type === 'CableDrafted' || e.type === 'CableEdited'))?.data?.draft as CableDraft | undefined;
  const controls = ['submit', 'approve', 'release', 'return', 'cancel'].some(can) || (cable.blockedActions ?? []).length > 0;
  // Withdrawing a request sent to the wrong office, where the server names that action.
  const mayWithdraw = allowed.some((a) => /withdraw/i.test(a));
  const withdrawals = (cable as { withdrawals?: Withdrawal[] }).withdrawals ?? [];
  const withdraw = async (office: string) => {
    setMessage(null);
    try {
      await api('DELETE', `/cables/${cable.id}/clearance-requests/${encodeURIComponent(office)}`);
      setWithdrawing(null);
      await load();
      setMessage({ text: `The request to ${office} is withdrawn.`, error: false });
      setFocusAfterQuestion('message');
    } catch (error) {
      setMessage({ text: `Not withdrawn. ${problemText(error)}`, error: true });
    }
  };

  return (
    <>
      <p><a href="#/cables">All cables</a></p>
      <h2>({cable.classification}) {cable.subject}</h2>
      <section class="card" aria-label="Where the cable stands">
        <dl class="facts">
          <div><dt>Status</dt><dd><StatusBadge status={cable.status} /></dd></div>
          <div><dt>MRN</dt><dd>{cable.mrn ?? 'assigned at release'}</dd></div>
          <div><dt>Date-time group</dt><dd>{cable.dateTimeGroup ?? (cable.releasedAt ? when(cable.releasedAt) : 'at release')}</dd></div>
          <div><dt>Origin</dt><dd>{cable.origin}</dd></div>
          <div><dt>Drafted by</dt><dd>{byText(cable.drafter, names) || '—'}</dd></div>
          <div><dt>Precedence</dt><dd>{words(cable.precedence)}</dd></div>
          <div><dt>Kind</dt><dd>{words(cable.kind)}</dd></div>
          {cable.approvedBy?.username && <div><dt>Approved by</dt><dd>{officerText({ id: cable.approvedBy.id, username: cable.approvedBy.username }, names)}</dd></div>}
          {(cable.distribution?.length ?? 0) > 0 && <div><dt>Distribution</dt><dd>{distributionText(cable.distribution!)}</dd></div>}
          {campaign && (
            <div>
              <dt>Demarche campaign</dt>
              <dd>
                <a href={`#/campaigns/${campaign.id}`}>What the posts report back</a>
                <span class="muted"> · {campaign.summary.delivered} of {campaign.summary.total} delivered ({campaign.summary.responded} with a response){campaign.summary.overdue ? `, ${campaign.summary.overdue} overdue` : ''}</span>
              </dd>
            </div>
          )}
        </dl>
        {/* What is acted on is the released cable: a follow-up linked to it carries its marking. */}
        {cable.status === 'RELEASED' && mayDo(me, 'followups.create') && <p><a href={`#/follow-ups/new?${new URLSearchParams({ cable: cable.id, marking: cable.classification })}`}>New follow-up on this cable</a></p>}
        {cancelled && <p class="error">Cancelled by {actorOf(cancelled, people, names) || 'its drafter or approver'} on {when(cancelled.at)}: “{String(cancelled.data?.reason ?? '')}”</p>}
      </section>
      {message && <p id="cable-message" class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'} tabIndex={-1}>{message.text}</p>}
      {message?.stale && <p><button type="button" onClick={() => { setMessage(null); void load(); }}>Reload the latest</button></p>}

      {returns.length > 0 && (
        <section class="card" aria-labelledby="returns-h">
          <h3 id="returns-h">Returned by the approver</h3>
          <ul>{returns.map((r, i) => <li key={i}>{r.withheld || r.reason == null ? <em>{WITHHELD}</em> : `“${r.reason}”`} <span class="muted">{`· ${[byText(r.by, names), r.at ? when(r.at) : ''].filter(Boolean).join(' · ')}`}</span></li>)}</ul>
        </section>
      )}

      {controls && (
        <section class="card" aria-labelledby="actions-h" onKeyDown={pending ? onEscape(closePanel) : undefined}>
          <h3 id="actions-h">What you can do</h3>
          <p class="actions">
            {can('submit') && <button type="button" onClick={() => act('submit', {}, 'Submitted for approval.')}>Submit for approval</button>}
            {can('approve') && <button type="button" onClick={() => act('approve', {}, 'Approved.')}>Approve</button>}
            {can('release') && <button type="button" id={openerId('release')} onClick={() => setPending('release')} aria-expanded={pending === 'release'}>Release…</button>}
            {can('return') && <button type="button" id={openerId('return')} class="secondary" onClick={() => setPending('return')} aria-expanded={pending === 'return'}>Return to the drafter…</button>}
            {can('cancel') && <button type="button" id={openerId('cancel')} class="danger" onClick={() => setPending('cancel')} aria-expanded={pending === 'cancel'}>Cancel the cable…</button>}
          </p>
          {(cable.blockedActions ?? []).map((blocked) => (
            <div key={blocked.action} class="blocked" id={`blocked-${blocked.action}`}>
              <p>{STEP_NAMES[blocked.action] ?? blocked.action} is not possible yet:</p>
              <ul>{blocked.reasons.map((reason, i) => <li key={i}>{reason.charAt(0).toUpperCase() + reason.slice(1)}.</li>)}</ul>
            </div>
          ))}
          {pending === 'release' && (
            <div id="release-confirm" class="confirm" role="group" aria-labelledby="confirm-h" tabIndex={-1} ref={confirmation}>
              <h4 id="confirm-h">Release this cable?</h4>
              <p>It is transmitted at once to its addressees ({[...cable.actionAddressees, ...cable.infoAddressees].join(', ')}), receives its MRN and can never be edited again; corrections go out as a new cable.</p>
              {cable.kind === 'INSTRUCTION' && cable.demarche && cable.demarche.reportBy < today() && (
                <p class="error" role="alert">
                  Its report-by date, {cable.demarche.reportBy}, has passed: the release will be refused, since every post would be overdue
                  at once. An approved cable is no longer edited: cancel it and draft it again with a later date.
                </p>
              )}
              {cable.kind === 'INSTRUCTION' && cable.demarche && cable.demarche.reportBy >= today() && (
                <p>
                  {tasked === 0
                    ? 'Its demarche tasks none of its action posts (its scope leaves none), so no demarche campaign opens.'
                    : `Releasing it also opens its demarche campaign, tasking ${tasked === null ? 'its action posts' : tasked === 1 ? 'one post' : `${tasked} posts`} to deliver the demarche and report by ${cable.demarche.reportBy}.`}
                </p>
              )}
              <button type="button" onClick={release}>Release now</button> <button type="button" class="secondary" onClick={closePanel}>Not yet</button>
            </div>
          )}
          {(pending === 'return' || pending === 'cancel') && (
            <form class="confirm" onSubmit={(e) => { e.preventDefault(); setFormError(null); if (!reason.trim()) { setFormError({ form: 'reason', text: pending === 'return' ? 'Write the reason first: the drafter reads it.' : 'Write the reason first: it stays on the cable.' }); document.getElementById('reason')?.focus(); return; } void act(pending, { reason: reason.trim() }, pending === 'return' ? 'Returned to the drafter.' : 'Cancelled.'); }}>
              <label for="reason">{pending === 'return' ? 'Why it goes back to the drafter' : 'Why the cable is cancelled'}</label>
              <textarea id="reason" rows={3} class="full" value={reason} onInput={(e) => setReason(e.currentTarget.value)} {...(formError?.form === 'reason' ? { 'aria-invalid': true, 'aria-describedby': 'reason-problem' } : {})} />
              {formError?.form === 'reason' && <p id="reason-problem" class="error" role="alert">{formError.text}</p>}
              <p><button type="submit">{pending === 'return' ? 'Return it' : 'Cancel it'}</button> <button type="button" class="secondary" onClick={closePanel}>Back</button></p>
            </form>
          )}
        </section>
      )}

      {can('edit') && (
        <p><button type="button" class="secondary" aria-expanded={!!editing} onClick={() => setEditing(!editing)}>{editing ? 'Close the editor' : 'Edit the draft'}</button></p>
      )}
      {can('edit') && editing && (
        <DraftForm key={cable.version} me={me} cable={cable} refusal={refused} onClassifications={onClassifications} onSaved={() => { setRefused(null); void load().then(() => setMessage({ text: 'Saved.', error: false })); }} onReload={() => { setRefused(null); setMessage(null); void load(); }}
          onForbidden={(error) => { setRefused(null); setEditing(false); void load().then(() => setMessage({ text: `Not saved. ${problemText(error)} The cable was read again: the page shows what you may do now.`, error: true })); }} />
      )}

      <section class="card" aria-labelledby="clear-h">
        <h3 id="clear-h">Clearances</h3>
        {cable.clearances.length === 0 ? <p class="muted">{withdrawals.length > 0 ? 'No office is asked to clear now.' : 'No office has been asked to clear.'}</p> : (
          <div class="scroll" tabIndex={0} role="region" aria-label="Clearances">
            <table class="stack">
              <thead><tr><th>Office</th><th>Decision</th><th>By</th><th>When</th><th>Comments</th></tr></thead>
              <tbody>
                {cable.clearances.map((c) => (
                  <tr key={c.office}>
                    <td data-label="Office">{c.office}</td>
                    <td data-label="Decision">{words(c.status, { capital: true })}{c.status === 'STALE' ? ' (changed since cleared)' : ''}</td>
                    <td data-label="By">{c.by ? officerText({ id: c.by.id, username: c.by.username }, names) : ''}</td>
                    <td data-label="When">{when(c.at)}</td>
                    <td data-label="Comments">
                      {c.withheld ? <em>{WITHHELD}</em> : (c.comments ?? '')}
                      {mayWithdraw && (c.status === 'PENDING' || c.status === 'NON_CONCUR') && (
                        <button type="button" class="link" aria-label={`Withdraw the request to ${c.office}…`} aria-expanded={withdrawing === c.office} onClick={() => setWithdrawing(c.office)}>Withdraw the request…</button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {withdrawals.length > 0 && <Withdrawals withdrawals={withdrawals} names={names} />}
        {withdrawing && (
          <div id="withdraw-confirm" class="confirm" role="group" aria-labelledby="withdraw-h" tabIndex={-1} ref={withdrawal} onKeyDown={onEscape(keepRequest)}>
            <h4 id="withdraw-h">Withdraw the request to {withdrawing}?</h4>
            <p>
              {withdrawing} is no longer asked to clear this cable
              {cable.clearances.find((c) => c.office === withdrawing)?.status === 'NON_CONCUR' ? ', and its non-concurrence no longer holds the cable back; the approver sees that the request was withdrawn' : ''}.
              {' '}The withdrawal stays in the cable's history; you may ask {withdrawing} again later.
            </p>
            <button type="button" onClick={() => withdraw(withdrawing)}>Withdraw it</button> <button type="button" class="secondary" onClick={keepRequest}>Keep the request</button>
          </div>
        )}
        <SinceCleared cable={cable} history={history} />
        {can('requestClearance') && (
          <form onSubmit={(e) => { e.preventDefault(); setFormError(null); if (!list(offices).length) return setFormError({ form: 'offices', text: 'Name at least one office, such as L or EB.' }); void act('clearance-requests', { offices: list(offices) }, 'Clearances requested.', { onVersionShown: false }).then((done) => done && setOffices('')); }}>
            <label for="offices">Ask offices to clear</label>
            <datalist id="office-symbols">{directory.map((o) => <option key={o.symbol} value={o.symbol}>{o.name}</option>)}</datalist>
            <input id="offices" list="office-symbols" value={offices} placeholder="L EB ISN" onInput={(e) => setOffices(e.currentTarget.value)} /> <button type="submit">Request</button>
            {formError?.form === 'offices' && <p class="error" role="alert">{formError.text}</p>}
          </form>
        )}
        {can('clear') && (
          <form onSubmit={decide} aria-labelledby="decide-h">
            <h4 id="decide-h">Your decision for {me.office}</h4>
            <fieldset {...(formError?.form === 'clear' && !decision ? { 'aria-describedby': 'clear-problem' } : {})}>
              <legend>Decision</legend>
              {DECISIONS.map(([value, label]) => (
                <label key={value} class="inline"><input type="radio" name="decision" value={value} checked={decision === value} onChange={() => setDecision(value)} /> {label}</label>
              ))}
            </fieldset>
            {/* A plain clearance carries no comments (the server refuses them): the box is for the decisions that do. */}
            {decision !== 'CLEARED' && decision !== '' && (
              <>
                <label for="clear-comments">Comments (required)</label>
                <textarea id="clear-comments" rows={3} class="full" value={comments} onInput={(e) => setComments(e.currentTarget.value)} {...(formError?.form === 'clear' ? { 'aria-invalid': true, 'aria-describedby': 'clear-problem' } : {})} />
              </>
            )}
            {formError?.form === 'clear' && <p id="clear-problem" class="error" role="alert">{formError.text}</p>}
            <p><button type="submit">Send the decision</button></p>
          </form>
        )}
      </section>

      <section class="card" aria-labelledby="telegram-h">
        <h3 id="telegram-h" tabIndex={-1}>Telegram</h3>
        {typeof telegram === 'string' ? <pre class="telegram" tabIndex={0} role="region" aria-label="Telegram text">{telegram}</pre> : (
          <>
            {telegram && (
              <>
                <p class="error" role="alert">The telegram could not be read, so its text is shown below as drafted, without its heading, addressees or banner lines. {telegram.problem}</p>
                <p><button type="button" onClick={() => readAgain('telegram-h')}>Read it again</button></p>
              </>
            )}
            <pre class="plain">{textOf(cable)}</pre>
          </>
        )}
      </section>

      {edits.length > 0 && (
        <section class="card" aria-labelledby="edits-h">
          <h3 id="edits-h">Who edited what</h3>
          {edits.map((e) => {
            const before = draftBefore(e.version);
            const after = e.data?.draft as CableDraft | undefined;
            return (
              <details key={e.version}>
                <summary>{actorOf(e, people, names) || 'An officer'}{e.data?.office && !actorOf(e, people, names).includes(String(e.data.office)) ? ` for ${String(e.data.office)}` : ''} · {when(e.at)} · version {e.version}{e.data?.substantive === false ? ' (no change of substance)' : ''}</summary>
                {before && after ? <Diff before={textOf(before)} after={textOf(after)} /> : <p class="muted">The text of this edit is not available.</p>}
              </details>
            );
          })}
        </section>
      )}

      {cable.status === 'RELEASED' && replies !== null && (
        <section class="card" aria-labelledby="replies-h">
          <h3 id="replies-h">Replies and reporting cables ({replies.length})</h3>
          {replies.length === 0 ? <p class="muted">No cable you may read cites {cable.mrn} yet.</p> : (
            <ul>{replies.map((r) => ({ ...r, id: r.id ?? (r as { cableId?: string }).cableId ?? '' })).map((r) => <li key={r.id}><a href={`#/cables/${r.id}`}>{r.mrn ?? words(r.status)} · {r.origin}: ({r.classification}) {r.subject}</a></li>)}</ul>
          )}
        </section>
      )}

      <CableHistory id={cable.id} entries={history} names={names} read={historyRead} onReadAgain={() => readAgain('history-h')} />
    </>
  );
}

/**
 * The clearance requests the drafter withdrew, each with where it stood: above all a non-concurrence
 * no longer holding the cable back, with the office's comments, which the approver decides on.
 */
function Withdrawals({ withdrawals, names }: { withdrawals: Withdrawal[]; names: Names }) {
  return (
    <>
      <h4 id="withdrawn-h">Requests withdrawn by the drafter ({withdrawals.length})</h4>
      <div class="scroll" tabIndex={0} role="region" aria-labelledby="withdrawn-h">
        <table class="stack">
          <thead><tr><th>Office</th><th>Where it stood</th><th>Withdrawn by</th><th>When</th><th>Comments</th></tr></thead>
          <tbody>
            {withdrawals.map((w, i) => (
              <tr key={i}>
                <td data-label="Office">{w.withheld ? <em>withheld</em> : w.office}</td>
                <td data-label="Where it stood">{w.withheld ? '' : w.status === 'NON_CONCUR' ? 'Did not concur' : w.status === 'PENDING' ? 'Not yet answered' : words(w.status, { capital: true })}</td>
                <td data-label="Withdrawn by">{w.withheld ? '' : byText(w.by, names)}</td>
                <td data-label="When">{when(w.at)}</td>
                <td data-label="Comments">{w.withheld ? <em>{WITHHELD}</em> : w.comments ? `“${w.comments}”` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
