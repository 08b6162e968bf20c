import { useEffect, useRef, useState } from 'preact/hooks';
import { api, maybe, type Me, problemText, words } from '../api.js';
import type { CableSummary } from './Cables.js';
import { type DeliveryView, ReportForms } from './Delivery.js';
import { Outcome, useOutcome } from './FieldProblem.js';
import { followUpIdOf, type FollowUpItem, markingOf, ShowMore, useShowMore } from './Inbox.js';
import { markingsOf, recordMarking } from '../classification.js';
import { askedFor, type Paged, readOn, sectionPage } from '../inbox-pages.js';

interface Campaign { id: string; cableId: string; mrn: string; subject: string; classification: string; captions?: string[]; reportBy: string }
interface Tasking extends Campaign { delivery: DeliveryView }
type FollowUp = FollowUpItem;

/** The post's work: every tasking it received (open ones first, answered ones kept), its incoming traffic, its follow-ups. */
export function Taskings({ me, onClassifications }: { me: Me; onClassifications: (c: string[]) => void }) {
  const post = me.postCode!;
  const [taskings, setTaskings] = useState<Tasking[] | null>(null);
  const [traffic, setTraffic] = useState<CableSummary[] | null>(null);
  const [followUps, setFollowUps] = useState<Paged<FollowUp> | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  // The report's form closes once it is logged, its button with it: the focus goes to what happened.
  const outcome = useOutcome();
  const [error, setError] = useState<string | null>(null);
  // What the page shows, for its banners: the page's lists, and the reporting cables an open form offers.
  const shown = useRef<{ page: string[]; followUps: string[]; forms: string[] }>({ page: [], followUps: [], forms: [] });
  const report = () => onClassifications([...shown.current.page, ...shown.current.followUps, ...shown.current.forms]);
  const moreFollowUps = useShowMore(me, 'taskings', 'followUps', followUps, (update) => setFollowUps((current) => current && update(current)), 'pfu-list');
  const refresh = async () => {
    try {
      // The campaigns that task the post (one it is only informed of has no delivery of its own to read),
      // and its follow-ups: the inbox's section, a page of it (or as many as the user asked to see before).
      const [campaigns, owned] = await Promise.all([
        api<{ items: Campaign[] }>('GET', `/demarches?post=${encodeURIComponent(post)}&limit=100`),
        sectionPage<FollowUp>('followUps', 0).then((first) => readOn('followUps', first, askedFor(me.id, 'taskings', 'followUps'))),
      ]);
      // Each campaign's record for this post (a 404 still, should a campaign no longer task it, is left out).
      const found = await Promise.all(campaigns.items.map((c) => maybe(api<DeliveryView>('GET', `/demarches/${c.id}/deliveries/${post}`).then((delivery) => ({ ...c, delivery })), null)));
      const rank = (t: Tasking) => (t.delivery.status === 'PENDING' || t.delivery.status === 'DELIVERED' ? 0 : 1);
      const mine = found.filter((t): t is Tasking => t !== null).sort((a, b) => rank(a) - rank(b) || a.reportBy.localeCompare(b.reportBy));
      setTaskings(mine);
      setFollowUps(owned);
      const action = await maybe(api<{ items: CableSummary[] }>('GET', `/cables?addressee=${post}&role=action&limit=20`).then((a) => a.items), null);
      const incoming = action ?? (await maybe(api<{ items: CableSummary[] }>('GET', '/cables?status=RELEASED&limit=20').then((a) => a.items), []));
      setTraffic(incoming);
      // Its taskings, follow-ups and incoming traffic, each listed with its subject.
      shown.current = { ...shown.current, page: [...mine.map(recordMarking), ...(incoming ?? []).map(recordMarking)] };
      report();
    } catch (failure) {
      setError(problemText(failure));
    }
  };
  useEffect(() => void refresh(), [me.id]);
  // The follow-ups shown, those *Show more* added too.
  useEffect(() => {
    shown.current = { ...shown.current, followUps: markingsOf(followUps?.items ?? []) };
    report();
  }, [followUps]);
  // A form closed (or another opened) offers its cables no longer.
  useEffect(() => {
    shown.current = { ...shown.current, forms: [] };
    report();
  }, [open]);
  if (error) return <p class="error" role="alert">{error}</p>;
  const openCount = taskings?.filter((t) => t.delivery.status === 'PENDING' || t.delivery.status === 'DELIVERED').length ?? 0;
  return (
    <>
      <h2>Taskings for {post}</h2>
      <Outcome outcome={outcome} />
      <section class="card" aria-labelledby="taskings-h">
        <h3 id="taskings-h">Demarches tasked to the post ({taskings === null ? '…' : `${openCount} open of ${taskings.length}`})</h3>
        {taskings === null ? <p>Loading…</p> : taskings.length === 0 ? (
          <p class="muted">No demarche has been tasked to {post} yet. When the Department releases an instruction to your post, it appears here with its report-by date.</p>
        ) : (
          <div class="scroll" tabIndex={0} role="region" aria-label="Taskings">
            <table class="stack">
              <thead><tr><th>MRN</th><th>Subject</th><th>Report by</th><th>Status</th><th>Position</th><th>Record</th></tr></thead>
              <tbody>
                {taskings.map((t) => {
                  const allowed = t.delivery.allowedActions ?? [];
                  return (
                    <>
                      <tr key={t.id}>
                        <td data-label="MRN"><a href={`#/cables/${t.cableId}`}>{t.mrn}</a></td>
                        <td data-label="Subject">({t.classification}) {t.subject}</td>
                        <td data-label="Report by">{t.reportBy}{t.delivery.overdue ? <strong class="error"> overdue</strong> : ''}</td>
                        <td data-label="Status">{words(t.delivery.status)}</td>
                        <td data-label="Position">{words(t.delivery.position)}</td>
                        <td data-label="Record">
                          {allowed.length > 0 && <button type="button" aria-label={`Report on ${t.mrn}`} aria-expanded={open === t.id} onClick={() => setOpen(open === t.id ? null : t.id)}>Report</button>}{' '}
                          <a href={`#/campaigns/${t.id}/posts/${post}`} aria-label={`Details of ${t.mrn}`}>Details</a>
                        </td>
                      </tr>
                      {open === t.id && <tr key={`${t.id}-forms`}><td colSpan={6}><ReportForms campaign={t.id} post={post} allowed={allowed} label={t.mrn} onMarkings={(forms) => { shown.current = { ...shown.current, forms }; report(); }} onDone={(done) => { setOpen(null); void refresh().then(() => outcome.say(done)); }} /></td></tr>}
                    </>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="traffic-h">
        <h3 id="traffic-h">Incoming traffic</h3>
        {traffic === null ? <p>Loading…</p> : traffic.length === 0 ? <p class="muted">No cable has been released to {post} yet.</p> : (
          <ul>{traffic.map((c) => <li key={c.id}><a href={`#/cables/${c.id}`}>{c.mrn ?? ''} ({c.classification}) {c.subject}</a></li>)}</ul>
        )}
        <p><a href="#/cables?queue=incoming">All incoming traffic</a></p>
      </section>
      <section class="card" aria-labelledby="pfu-h">
        {/* The inbox's section: the follow-ups the post owns and those the officer opened (given to an office, say), each owner said where it is not the post. */}
        <h3 id="pfu-h">Follow-ups of the post and those you opened ({followUps === null ? '…' : followUps.total})</h3>
        {followUps === null ? <p>Loading…</p> : followUps.items.length === 0 ? <p class="muted">No open follow-up.</p> : (
          <ul id="pfu-list">{followUps.items.map((f) => <li key={followUpIdOf(f)}><a href={`#/follow-ups/${followUpIdOf(f)}`}>{markingOf(f)}{f.title}</a>{ownedElsewhere(f, me.postCode)}: due {f.dueOn}{f.overdue ? <strong class="error"> overdue</strong> : ''}, {words(f.status)}</li>)}</ul>
        )}
        {followUps && <ShowMore shown={followUps.items.length} total={followUps.total} headingId="pfu-h" busy={moreFollowUps.busy} problem={moreFollowUps.problem} onMore={() => void moreFollowUps.more()} />}
      </section>
    </>
  );
}

/** ", owned by EAP/CM" for a follow-up the post does not own (one its officer opened for an office or another owner). */
function ownedElsewhere(f: FollowUp, post: string | null): string {
  const owner = f.owner?.office ?? f.owner?.post;
  return owner && owner !== post ? `, owned by ${owner}` : '';
}
