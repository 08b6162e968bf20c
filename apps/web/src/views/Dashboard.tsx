import { useEffect, useState } from 'preact/hooks';
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
interface Demarche { deliveries: { post: string; status: string; position: string | null }[] }

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
  const [dashboard, setDashboard] = useState<DashboardAnswer | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [countries, setCountries] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const query = asOf ? `?asOf=${encodeURIComponent(new Date(`${asOf}T23:59:59Z`).toISOString())}` : '';
    api<DashboardAnswer>('GET', `/dashboard${query}`).then((answer) => {
      setDashboard(answer);
      onClassifications(answer.campaigns.map((c) => c.classification));
      setSelected((current) => current ?? answer.campaigns[0]?.id ?? null);
    }, (failure: Error) => setError(failure.message));
  }, [asOf]);

  useEffect(() => {
    if (!selected) return;
    Promise.all([api<{ items: Post[] }>('GET', '/posts?limit=500'), api<Demarche>('GET', `/demarches/${selected}`)]).then(([posts, demarche]) => {
      // A country with several posts (an embassy and consulates) shows the furthest along: an
      // answer's position, then delivered, not delivered, pending.
      const countryOf = new Map(posts.items.map((p) => [p.code, p.country]));
      const rank = (state: string) => (POSITIONS.includes(state) ? 3 : state === 'DELIVERED' ? 2 : state === 'NOT_DELIVERED' ? 1 : 0);
      const states = new Map<string, string>();
      for (const d of demarche.deliveries) {
        const country = countryOf.get(d.post);
        const state = d.position ?? d.status;
        if (country && rank(state) > rank(states.get(country) ?? 'PENDING')) states.set(country, state);
        else if (country && !states.has(country)) states.set(country, state);
      }
      setCountries(states);
    });
  }, [selected]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!dashboard) return <p>Loading…</p>;
  const campaign = dashboard.campaigns.find((c) => c.id === selected);
  return (
    <>
      <h2>Where every campaign stands</h2>
      <p>
        <label for="as-of" style="display:inline">As of </label>
        <input id="as-of" type="date" value={asOf} onInput={(e) => setAsOf(e.currentTarget.value)} />{' '}
        <span class="muted">{asOf ? `replayed from the event log to the end of ${asOf}` : 'now'}</span>
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
