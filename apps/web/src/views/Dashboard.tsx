import { useEffect, useMemo, useState } from 'preact/hooks';
import { POSITIONS as VOCABULARY_POSITIONS } from '@chancery/demarches/domain';
import { api, download } from '../api.js';
import { COLOURS, WorldMap } from './WorldMap.js';

type Counts = { total: number; delivered: number; responded: number; notDelivered: number; pending: number; overdue: number };
interface Campaign {
  id: string;
  mrn: string;
  subject: string;
  classification: string;
  reportBy: string;
  summary: Counts;
  positions: Record<string, number>;
  byBureau: (Counts & { bureau: string; positions: Record<string, number> })[];
  overduePosts: string[];
}
interface DashboardAnswer {
  asOf: string;
  campaigns: Campaign[];
  followUps: { byOwner: { owner: string; open: number; overdue: number; done: number; cancelled: number }[] };
}
interface Post { code: string; country: string }
interface TimelineEntry { at: string; type: string; post: string | null; data: Record<string, unknown>; status?: string; position?: string | null }

/**
 * The instant right after an event: the store keeps microseconds and the API speaks milliseconds,
 * so the event's own millisecond is included (and anything else recorded within it).
 */
const afterEvent = (e: TimelineEntry) => new Date(Date.parse(e.at) + 1).toISOString();

/** Every post a campaign addresses: its opening event names them. */
const postsOf = (timeline: TimelineEntry[]) => (timeline.find((e) => e.type === 'CampaignOpened')?.data.posts as string[] | undefined) ?? [];

const POSITIONS: readonly string[] = VOCABULARY_POSITIONS;

/** A stacked bar: each part's share of the whole, with the numbers for screen readers too. */
function Bar({ parts, label }: { parts: [string, number][]; label: string }) {
  const total = parts.reduce((n, [, v]) => n + v, 0) || 1;
  const text = parts.map(([k, v]) => `${k.toLowerCase().replace('_', ' ')} ${v}`).join(', ');
  return (
    <div class="bar" role="img" aria-label={`${label}: ${text}`} title={text}>
      {parts.map(([k, v]) => <span key={k} style={`width:${(100 * v) / total}%;background:${COLOURS[k]}`} />)}
    </div>
  );
}

const deliveryParts = (c: Counts): [string, number][] => [['RESPONDED', c.responded], ['DELIVERED', c.delivered - c.responded], ['NOT_DELIVERED', c.notDelivered], ['PENDING', c.pending]];

/** Leadership's view: every campaign's progress and positions, on a map and by bureau; follow-ups. */
export function Dashboard({ onClassifications }: { onClassifications: (c: string[]) => void }) {
  const [asOf, setAsOf] = useState('');
  /** An instant chosen on a campaign's timeline; it wins over the date field until cleared. */
  const [instant, setInstant] = useState<string | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [dashboard, setDashboard] = useState<DashboardAnswer | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const at = instant ?? (asOf ? new Date(`${asOf}T23:59:59Z`).toISOString() : null);
    const query = at ? `?asOf=${encodeURIComponent(at)}` : '';
    api<DashboardAnswer>('GET', `/dashboard${query}`).then((answer) => {
      setDashboard(answer);
      onClassifications(answer.campaigns.map((c) => c.classification));
      setSelected((current) => current ?? answer.campaigns[0]?.id ?? null);
    }, (failure: Error) => setError(failure.message));
  }, [asOf, instant]);

  useEffect(() => {
    if (selected) void api<{ items: TimelineEntry[] }>('GET', `/demarches/${selected}/history`).then((history) => setTimeline(history.items));
  }, [selected]);

  const [countryOf, setCountryOf] = useState<Map<string, string>>(new Map());
  useEffect(() => void api<{ items: Post[] }>('GET', '/posts?limit=500').then((posts) => setCountryOf(new Map(posts.items.map((p) => [p.code, p.country])))), []);

  // Each post's state at the chosen moment, from the campaign's timeline (its events up to then);
  // a country with several posts (an embassy and consulates) shows the furthest along: an answer's
  // position, then delivered, not delivered, pending.
  const countries = useMemo(() => {
    const cutoff = instant ?? (asOf ? new Date(`${asOf}T23:59:59Z`).toISOString() : null);
    const byPost = new Map<string, string>();
    for (const e of timeline) {
      if (!e.post || (cutoff && e.at > cutoff)) continue;
      // The server says where the post stood after each event: its latest position, else its status.
      const state = e.position ?? (e.status && e.status !== 'RESPONDED' ? e.status : null);
      if (state) byPost.set(e.post, state);
    }
    const rank = (state: string) => (POSITIONS.includes(state) ? 3 : state === 'DELIVERED' ? 2 : state === 'NOT_DELIVERED' ? 1 : 0);
    const states = new Map<string, string>();
    for (const post of postsOf(timeline)) {
      const country = countryOf.get(post);
      const state = byPost.get(post) ?? 'PENDING';
      if (country && (!states.has(country) || rank(state) > rank(states.get(country)!))) states.set(country, state);
    }
    return states;
  }, [timeline, countryOf, instant, asOf]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!dashboard) return <p>Loading…</p>;
  const campaign = dashboard.campaigns.find((c) => c.id === selected);
  return (
    <>
      <h2>Where every campaign stands</h2>
      <p>
        <label for="as-of" style="display:inline">As of </label>
        <input id="as-of" type="date" value={asOf} onInput={(e) => { setInstant(null); setAsOf(e.currentTarget.value); }} />{' '}
        <span class="muted" aria-live="polite">
          {instant ? `replayed from the event log to ${new Date(instant).toLocaleString()}` : asOf ? `replayed from the event log to the end of ${asOf}` : 'now'}
        </span>{' '}
        {(instant || asOf) && <button type="button" onClick={() => { setInstant(null); setAsOf(''); }}>Back to now</button>}
      </p>
      <section class="card" aria-labelledby="campaigns-h">
        <h3 id="campaigns-h">Campaigns ({dashboard.campaigns.length})</h3>
        <table>
          <thead><tr><th>MRN</th><th>Subject</th><th>Report by</th><th>Delivery</th><th>Positions</th><th>Overdue</th><th>CSV</th></tr></thead>
          <tbody>
            {dashboard.campaigns.map((c) => (
              <tr key={c.id} aria-selected={c.id === selected}>
                <td><a href="#/dashboard" onClick={(e) => { e.preventDefault(); setSelected(c.id); }}>{c.mrn}</a></td>
                <td>({c.classification}) {c.subject}</td>
                <td>{c.reportBy}</td>
                <td><Bar label="Delivery" parts={deliveryParts(c.summary)} /> {c.summary.delivered}/{c.summary.total}</td>
                <td><Bar label="Positions" parts={POSITIONS.map((p) => [p, c.positions[p] ?? 0])} /></td>
                <td>{c.summary.overdue}</td>
                <td><button type="button" onClick={() => download(`/demarches/${c.id}/export.csv`, `${c.mrn.replace(/ /g, '-')}.csv`)}>Download</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {campaign && (
        <div class="grid">
          <section class="card" aria-labelledby="map-h">
            <h3 id="map-h">{campaign.mrn}: counterpart positions and delivery by country</h3>
            <WorldMap states={countries} title={`Map of ${campaign.mrn}: each post's country coloured by its counterpart's position or its delivery status`} />
          </section>
          <section class="card" aria-labelledby="bureau-h">
            <h3 id="bureau-h">By bureau</h3>
            <table>
              <thead><tr><th>Bureau</th><th>Delivered</th><th>Positions</th></tr></thead>
              <tbody>{campaign.byBureau.map((b) => <tr key={b.bureau}><td>{b.bureau}</td><td>{b.delivered}/{b.total}</td><td><Bar label={`${b.bureau} positions`} parts={POSITIONS.map((p) => [p, b.positions[p] ?? 0])} /></td></tr>)}</tbody>
            </table>
            <h3>Overdue posts ({campaign.overduePosts.length})</h3>
            <p>{campaign.overduePosts.join(', ') || 'None'}</p>
          </section>
        </div>
      )}
      {campaign && (
        <section class="card" aria-labelledby="timeline-h">
          <h3 id="timeline-h">Timeline of {campaign.mrn}</h3>
          <p class="muted">Choose an event to see the whole dashboard as it stood right after it.</p>
          <ol style="max-height: 16rem; overflow: auto">
            {timeline.map((e, i) => (
              <li key={i}>
                <button type="button" class="link" aria-pressed={instant === afterEvent(e)} onClick={() => setInstant(afterEvent(e))}>
                  {new Date(e.at).toLocaleString()}: {e.type}{e.post ? ` (${e.post})` : ''}
                </button>
              </li>
            ))}
          </ol>
        </section>
      )}
      <section class="card" aria-labelledby="fu-h">
        <h3 id="fu-h">Follow-ups by owner</h3>
        <p><button type="button" onClick={() => download('/follow-ups/export.csv', 'follow-ups.csv')}>Download all follow-ups (CSV)</button></p>
        <table>
          <thead><tr><th>Owner</th><th>Open</th><th>Overdue</th><th>Done</th><th>Cancelled</th></tr></thead>
          <tbody>{dashboard.followUps.byOwner.map((o) => <tr key={o.owner}><td>{o.owner}</td><td>{o.open}</td><td>{o.overdue}</td><td>{o.done}</td><td>{o.cancelled}</td></tr>)}</tbody>
        </table>
      </section>
    </>
  );
}
