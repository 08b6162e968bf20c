import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { POSITIONS as VOCABULARY_POSITIONS } from '@chancery/demarches/domain';
import { hashAddress } from '../address.js';
import { api, download, maybe, problemText, utcToday, when, words } from '../api.js';
import { countryName, type Post, posts as postDirectory } from '../posts.js';
import { actorOf, describeEvent } from './History.js';
import { COLOURS, type CountryState, WorldMap } from './WorldMap.js';
import { listKeyTarget } from './list-keys.js';
import { recordMarking } from '../classification.js';

type Counts = { total: number; delivered: number; responded: number; notDelivered: number; pending: number; overdue: number };
interface Campaign {
  id: string;
  mrn: string;
  subject: string;
  classification: string;
  captions?: string[];
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
/** `data` is null for an event withheld from the reader (a reporting cable they may not read). */
interface TimelineEntry { at: string; type: string; post: string | null; version?: number; data: Record<string, unknown> | null; withheld?: boolean; status?: string; position?: string | null }

/**
 * The instant of an event, to replay the dashboard to: an `asOf` names its whole millisecond, so the
 * event (recorded to the microsecond) is in.
 */
const afterEvent = (e: TimelineEntry) => e.at;

/** Every post a campaign addresses: its opening event names them. */
const postsOf = (timeline: TimelineEntry[]) => (timeline.find((e) => e.type === 'CampaignOpened')?.data?.posts as string[] | undefined) ?? [];

const POSITIONS: readonly string[] = VOCABULARY_POSITIONS;

/** The moment the dashboard stands at: an instant chosen on a timeline, else the end of a day, else now. */
interface Moment { day: string; instant: string | null }
const NOW: Moment = { day: '', instant: null };
// The end of a day is its last millisecond (an instant names its whole millisecond): an event in its last second counts.
const cutoffOf = (m: Moment) => m.instant ?? (m.day ? new Date(`${m.day}T23:59:59.999Z`).toISOString() : null);
const momentText = (m: Moment) => (m.instant ? `replayed from the event log to ${when(m.instant)}` : m.day ? `replayed from the event log to the end of ${m.day}` : 'now');

/** The earliest day the dashboard is replayed to: a year typed digit by digit passes through 0002, 0020, 0202 first. */
const FIRST_DAY = '1900-01-01';
/** A day typed in full: the field's own check (a real date, not before FIRST_DAY) and its shape. */
/** A whole day from the first to today: a day still to come is no replay (the server would answer today so far). */
const wholeDay = (input: HTMLInputElement) => input.validity.valid && /^\d{4}-\d{2}-\d{2}$/.test(input.value) && input.value >= FIRST_DAY && input.value <= utcToday();

/** A stacked bar: each part's share of the whole, with the numbers for screen readers too. */
function Bar({ parts, label }: { parts: [string, number][]; label: string }) {
  const total = parts.reduce((n, [, v]) => n + v, 0) || 1;
  const text = parts.map(([k, v]) => `${words(k)} ${v}`).join(', ');
  return (
    <div class="bar" role="img" aria-label={`${label}: ${text}`} title={text}>
      {parts.map(([k, v]) => <span key={k} style={`width:${(100 * v) / total}%;background:${COLOURS[k]}`} />)}
    </div>
  );
}

/**
 * Where the user is on the dashboard, kept in its address (`#/dashboard?campaign=…&country=CN&day=…`):
 * a live re-read mounts the dashboard afresh, and a reload or a copied link starts it again, in the
 * same place. What the address holds is taken only in its own shape; anything else is left out.
 */
interface Place { campaign: string | null; country: string | null; moment: Moment }
const PLACE_KEYS = ['campaign', 'country', 'day', 'at'];
function placeInAddress(): Place {
  const { query } = hashAddress();
  const shaped = (key: string, shape: RegExp) => (shape.test(query.get(key) ?? '') ? query.get(key) : null);
  const day = shaped('day', /^\d{4}-\d{2}-\d{2}$/);
  const at = shaped('at', /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
  return {
    campaign: shaped('campaign', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
    country: shaped('country', /^[A-Z]{2}$/),
    moment: { day: day && day >= FIRST_DAY && day <= utcToday() && realDay(day) ? day : '', instant: at && Date.parse(at) <= Date.now() ? at : null },
  };
}
/** A day that is on the calendar: not 2024-02-30, which Date.parse would roll over into March. */
const realDay = (day: string) => {
  const parsed = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === day;
};
/** Writes the place into the address in place (no history entry, no hashchange): other parameters are kept. */
function keepPlaceInAddress({ campaign, country, moment }: Place): void {
  const { path, query } = hashAddress();
  const values: Record<string, string | null> = { campaign, country, day: moment.day || null, at: moment.instant };
  for (const key of PLACE_KEYS) {
    if (values[key]) query.set(key, values[key]!);
    else query.delete(key);
  }
  const hash = `#${path}${query.toString() ? `?${query}` : ''}`;
  if (hash === location.hash) return;
  try {
    history.replaceState(history.state, '', hash);
  } catch {
    // Browsers limit how often the address may change (Firefox and Safari throw): the place then
    // waits for the next change, and the screen goes on.
  }
}

const deliveryParts = (c: Counts): [string, number][] => [['RESPONDED', c.responded], ['DELIVERED', c.delivered - c.responded], ['NOT_DELIVERED', c.notDelivered], ['PENDING', c.pending]];

/** Leadership's view: every campaign's progress and positions, on a map and by bureau; follow-ups. */
export function Dashboard({ onClassifications }: { me?: unknown; onClassifications: (c: string[]) => void }) {
  const [place] = useState(placeInAddress);
  /** What the "as of" field holds, typed or not yet whole. */
  const [entered, setEntered] = useState(place.moment.day);
  /** The moment asked for: a whole day typed, or an instant chosen on a campaign's timeline (it wins until cleared). */
  const [moment, setMoment] = useState<Moment>(place.moment);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  /** Why the chosen campaign's timeline, from which its map is drawn, could not be read. */
  const [timelineProblem, setTimelineProblem] = useState<string | null>(null);
  /**
   * The timeline's one Tab stop (a campaign to ALDAC has hundreds of events, which would otherwise
   * stand between the keyboard and the rest of the page): the event last focused, else the one chosen.
   */
  const [timelineFocus, setTimelineFocus] = useState<number | null>(null);
  /** The dashboard shown, with the moment it stands at: a moment that fails to load leaves the last good one. */
  const [shown, setShown] = useState<{ answer: DashboardAnswer; moment: Moment } | null>(null);
  const [selected, setSelected] = useState<string | null>(place.campaign);
  const [country, setCountry] = useState<string | null>(place.country);
  const [error, setError] = useState<string | null>(null);
  /** Why the moment asked for is not shown, said beside the field. */
  const [momentError, setMomentError] = useState<string | null>(null);
  /** A CSV download that failed, said beside the buttons of its section. */
  const [csvProblem, setCsvProblem] = useState<{ section: 'campaigns' | 'follow-ups'; text: string } | null>(null);
  const downloadCsv = (section: 'campaigns' | 'follow-ups', path: string, filename: string) => {
    setCsvProblem(null);
    void download(path, filename).catch((failure) => setCsvProblem({ section, text: `${filename} was not downloaded. ${problemText(failure)}` }));
  };

  // Only the newest moment's answer is shown, whichever answer arrives last.
  const latest = useRef(0);
  /** The campaign the address named, until the dashboard's next answer says whether it shows it. */
  const named = useRef(place.campaign);
  useEffect(() => {
    const ticket = ++latest.current;
    const at = cutoffOf(moment);
    api<DashboardAnswer>('GET', `/dashboard${at ? `?asOf=${encodeURIComponent(at)}` : ''}`).then((answer) => {
      if (ticket !== latest.current) return;
      setShown({ answer, moment });
      setMomentError(null);
      onClassifications(answer.campaigns.map(recordMarking));
      // A campaign the address names that is not on the dashboard (a stale link, or one to a
      // campaign the user may not read) gives way to the first one, as on a fresh visit.
      if (named.current !== null) {
        if (!answer.campaigns.some((c) => c.id === named.current)) {
          setSelected(answer.campaigns[0]?.id ?? null);
          setCountry(null);
        }
        named.current = null;
      }
      setSelected((current) => current ?? answer.campaigns[0]?.id ?? null);
    }, (failure) => {
      if (ticket !== latest.current) return;
      if (at) setMomentError(`The dashboard could not be replayed to ${moment.instant ? when(moment.instant) : `the end of ${moment.day}`}. ${problemText(failure, { asOf: 'The “as of” date' })}`);
      else setError(problemText(failure));
    });
  }, [moment]);
  /** When the first campaign opened: what an "as of" before it is told. */
  const [firstOpened, setFirstOpened] = useState<string | null>(null);
  useEffect(() => void maybe(api<{ items: { openedAt: string }[] }>('GET', '/demarches?limit=100'), { items: [] }).then((a) => setFirstOpened(a.items.map((c) => c.openedAt).sort()[0] ?? null)), []);
  /** The address as the dashboard last wrote or read it, and the path it was shown at. */
  const kept = useRef({ hash: location.hash, path: hashAddress().path });
  // After every render: an address the user changed to the bare path (the Dashboard link) takes the
  // place again. An address changed since it was last kept that names a place, or another screen,
  // is not written over: its hashchange, maybe not yet fired, goes to it (a render between the new
  // address and its event would otherwise put the old place back).
  useEffect(() => {
    const { path, query } = hashAddress();
    if (location.hash !== kept.current.hash && (path !== kept.current.path || PLACE_KEYS.some((key) => query.has(key)))) return;
    keepPlaceInAddress({ campaign: selected, country, moment });
    kept.current.hash = location.hash;
  });
  // An address naming another place on the dashboard, pasted or followed while it is shown, is gone to.
  useEffect(() => {
    const mountedAt = kept.current.path;
    const onAddress = () => {
      const { path, query } = hashAddress();
      if (path !== mountedAt || !PLACE_KEYS.some((key) => query.has(key))) return;
      kept.current.hash = location.hash;
      const next = placeInAddress();
      named.current = next.campaign;
      setSelected(next.campaign);
      setCountry(next.country);
      setEntered(next.moment.day);
      setMoment(next.moment);
    };
    addEventListener('hashchange', onAddress);
    return () => removeEventListener('hashchange', onAddress);
  }, []);

  // The chosen campaign's timeline, once it is on the dashboard shown (never asked of a campaign
  // the address named that the user may not read); only the latest choice's answer is taken.
  const onDashboard = shown?.answer.campaigns.some((c) => c.id === selected) ?? false;
  useEffect(() => {
    if (!selected || !onDashboard) return undefined;
    let latestChoice = true;
    api<{ items: TimelineEntry[] }>('GET', `/demarches/${selected}/history`).then(
      (history) => {
        if (!latestChoice) return;
        setTimeline(history.items);
        setTimelineFocus(null);
        setTimelineProblem(null);
      },
      (failure) => {
        if (!latestChoice) return;
        setTimeline([]);
        setTimelineProblem(problemText(failure));
      },
    );
    return () => {
      latestChoice = false;
    };
  }, [selected, onDashboard]);

  const [directory, setDirectory] = useState<Map<string, Post>>(new Map());
  useEffect(() => void postDirectory().then(setDirectory), []);

  // Each post's state at the chosen moment, from the campaign's timeline (its events up to then).
  // A country is coloured by its embassy (the post that speaks to its government); a country with
  // no embassy among the tasked posts, by the furthest along of its other posts. Missions located
  // in the United States (USUN New York) say nothing about the U.S., so they are left off the map.
  const countries = useMemo(() => {
    const cutoff = shown ? cutoffOf(shown.moment) : null;
    const byPost = new Map<string, string>();
    for (const e of timeline) {
      if (!e.post || (cutoff && e.at > cutoff)) continue;
      // The server says where the post stood after each event: its latest position, else its status.
      const state = e.position ?? (e.status && e.status !== 'RESPONDED' ? e.status : null);
      if (state) byPost.set(e.post, state);
    }
    const rank = (state: string) => (POSITIONS.includes(state) ? 3 : state === 'DELIVERED' ? 2 : state === 'NOT_DELIVERED' ? 1 : 0);
    const states = new Map<string, CountryState & { embassy: boolean }>();
    for (const code of postsOf(timeline)) {
      const post = directory.get(code);
      if (!post || post.country === 'US') continue;
      const state = byPost.get(code) ?? 'PENDING';
      const embassy = post.kind === 'EMBASSY';
      const entry = states.get(post.country) ?? { state, embassy, posts: [] };
      entry.posts.push({ code, name: post.name, state });
      if (entry.posts.length === 1) entry.state = state;
      else if (embassy && !entry.embassy) Object.assign(entry, { state, embassy: true });
      else if (!entry.embassy && rank(state) > rank(entry.state)) entry.state = state;
      states.set(post.country, entry);
    }
    // The embassy first, then the other posts by name.
    const first = (code: string) => (directory.get(code)?.kind === 'EMBASSY' ? 0 : 1);
    for (const entry of states.values()) entry.posts.sort((a, b) => first(a.code) - first(b.code) || a.name.localeCompare(b.name));
    return states as Map<string, CountryState>;
  }, [timeline, directory, shown]);

  const chosenEvent = timeline.findIndex((e) => moment.instant === afterEvent(e));
  const timelineStop = timelineFocus !== null && timelineFocus < timeline.length ? timelineFocus : Math.max(chosenEvent, 0);
  const onTimelineKey = (event: KeyboardEvent) => {
    const buttons = [...(event.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('li > button')];
    const target = listKeyTarget(event.key, Math.max(buttons.indexOf(document.activeElement as HTMLButtonElement), 0), buttons.length);
    if (target === null) return;
    event.preventDefault(); // the box is not scrolled by the key as well: focusing the event scrolls it into view
    setTimelineFocus(target);
    buttons[target].focus();
  };

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!shown) return <p>Loading…</p>;
  const dashboard = shown.answer;
  const campaign = dashboard.campaigns.find((c) => c.id === selected);
  const past = shown.moment.day || shown.moment.instant;
  const typing = entered !== moment.day && !moment.instant;
  return (
    <>
      <h2>Where every campaign stands</h2>
      <p>
        <label for="as-of" style="display:inline">As of </label>
        <input id="as-of" type="date" min={FIRST_DAY} max={utcToday()} value={entered} aria-describedby="as-of-state" onInput={(e) => {
          const input = e.currentTarget;
          setEntered(input.value);
          // Only a whole day is replayed; a field emptied (not one half typed) goes back to now.
          if (wholeDay(input)) setMoment({ day: input.value, instant: null });
          else if (input.value === '' && !input.validity.badInput) setMoment(NOW);
        }} />{' '}
        <span id="as-of-state" class="muted" aria-live="polite">{typing ? `type a whole date, from ${FIRST_DAY.slice(0, 4)} to today; showing ${momentText(shown.moment)}` : momentText(shown.moment)}</span>{' '}
        {(moment.day || moment.instant || entered) && <button type="button" onClick={() => { setEntered(''); setMoment(NOW); }}>Back to now</button>}
      </p>
      {momentError && <p class="error" role="alert">{momentError}</p>}
      {dashboard.campaigns.length === 0 && (
        <p class="card" role="status">
          {past
            ? `Nothing to show ${shown.moment.instant ? `at ${when(shown.moment.instant)}` : `at the end of ${shown.moment.day}`}: no campaign had been opened yet${firstOpened ? ` (the first opened ${when(firstOpened)})` : ''}. Choose a later date, or go back to now.`
            : 'No campaign has been opened yet: releasing an instruction that carries a demarche opens one.'}
        </p>
      )}
      <section class="card" aria-labelledby="campaigns-h">
        <h3 id="campaigns-h">Campaigns ({dashboard.campaigns.length})</h3>
        {/* The export is not replayed: what a replayed dashboard offers to download is said to be today's. */}
        {past && dashboard.campaigns.length > 0 && <p id="csv-now" class="muted">A CSV holds the campaign as it stands now, not as replayed here.</p>}
        {/* A replay's links open the records as they stand: said, as the CSV's is, so that today's page is not read as the moment replayed. */}
        {past && dashboard.campaigns.length > 0 && <p id="pages-now" class="muted">The campaign's and its posts' pages open as they stand now, not as replayed here.</p>}
        {csvProblem?.section === 'campaigns' && <p class="error" role="alert">{csvProblem.text}</p>}
        <div class="scroll" tabIndex={0} role="region" aria-label="Campaigns">
          <table class="stack">
            <thead><tr><th>MRN</th><th>Subject</th><th>Report by</th><th>Delivery</th><th>Positions</th><th>Overdue</th><th>CSV</th></tr></thead>
            <tbody>
              {dashboard.campaigns.map((c) => (
                <tr key={c.id} class={c.id === selected ? 'selected' : undefined}>
                  <td data-label="MRN"><button type="button" class="link" aria-pressed={c.id === selected} onClick={() => { setSelected(c.id); setCountry(null); }}>{c.mrn}</button></td>
                  <td data-label="Subject">({[c.classification, ...(c.captions ?? [])].join(' ')}) {c.subject} <a href={`#/campaigns/${c.id}`} aria-label={`Every post of ${c.mrn}`} aria-describedby={past ? 'pages-now' : undefined}>every post</a></td>
                  <td data-label="Report by">{c.reportBy}</td>
                  <td data-label="Delivery"><Bar label="Delivery" parts={deliveryParts(c.summary)} /> {c.summary.delivered}/{c.summary.total}</td>
                  <td data-label="Positions"><Bar label="Positions" parts={POSITIONS.map((p) => [p, c.positions[p] ?? 0])} /></td>
                  <td data-label="Overdue">{c.summary.overdue}</td>
                  <td data-label="CSV">
                    <button type="button" aria-label={`Download ${c.mrn} (CSV)`} aria-describedby={past ? 'csv-now' : undefined} onClick={() => downloadCsv('campaigns', `/demarches/${c.id}/export.csv`, `${c.mrn.replace(/ /g, '-')}.csv`)}>Download</button>
                    {past && <span class="muted"> as it stands now</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {campaign && (
        <div class="grid">
          <section class="card" aria-labelledby="map-h">
            <h3 id="map-h">{campaign.mrn}: counterpart positions and delivery by country</h3>
            {timelineProblem && <p class="error" role="alert">The campaign's events could not be read, so its map and country list are not shown. {timelineProblem}</p>}
            {!timelineProblem && (
              <>
                <WorldMap states={countries} chosen={country} onChoose={setCountry} title={`Map of ${campaign.mrn}: each country coloured by its embassy's delivery or its counterpart's position`} />
                {/* The map as a list: every country with a tasked post, by name, with its state (the map and the list choose together). */}
                <label for="map-country">Country</label>
                <select id="map-country" value={country && countries.has(country) ? country : ''} onChange={(e) => setCountry(e.currentTarget.value || null)}>
                  <option value="">Choose a country</option>
                  {[...countries].map(([code, c]) => ({ code, name: countryName(code), state: c.state })).sort((a, b) => a.name.localeCompare(b.name)).map((c) => <option key={c.code} value={c.code}>{c.name}: {words(c.state)}</option>)}
                </select>
                <p class="muted">Choose a country on the map or in the list to see its posts, or <a href={`#/campaigns/${campaign.id}`} aria-describedby={past ? 'pages-now' : undefined}>find any post of the campaign</a>.</p>
                {country && countries.get(country) && (
                  <div aria-live="polite">
                    <h4>Posts in {countryName(country)}</h4>
                    <ul>{countries.get(country)!.posts.map((p) => <li key={p.code}><a href={`#/campaigns/${campaign.id}/posts/${p.code}`} aria-describedby={past ? 'pages-now' : undefined}>{p.name}</a>: {words(p.state)}{past && <span class="muted"> (then; its page: now)</span>}</li>)}</ul>
                  </div>
                )}
              </>
            )}
          </section>
          <section class="card" aria-labelledby="bureau-h">
            <h3 id="bureau-h">By bureau</h3>
            <table class="stack">
              <thead><tr><th>Bureau</th><th>Delivered</th><th>Positions</th></tr></thead>
              <tbody>
                {campaign.byBureau.map((b) => (
                  <tr key={b.bureau}>
                    <td data-label="Bureau"><a href={`#/campaigns/${campaign.id}?bureau=${b.bureau}`} aria-label={`${b.bureau}: the bureau's posts`} aria-describedby={past ? 'pages-now' : undefined}>{b.bureau}</a></td>
                    <td data-label="Delivered">{b.delivered}/{b.total}</td>
                    <td data-label="Positions"><Bar label={`${b.bureau} positions`} parts={POSITIONS.map((p) => [p, b.positions[p] ?? 0])} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>Overdue posts ({campaign.overduePosts.length})</h3>
            {campaign.overduePosts.length === 0 ? <p>None</p> : <ul class="inline-list">{campaign.overduePosts.map((p) => <li key={p}><a href={`#/campaigns/${campaign.id}/posts/${p}`} aria-describedby={past ? 'pages-now' : undefined}>{directory.get(p)?.name ?? p}</a></li>)}</ul>}
          </section>
        </div>
      )}
      {campaign && (
        <section class="card" aria-labelledby="timeline-h">
          <h3 id="timeline-h">Timeline of {campaign.mrn}</h3>
          <p class="muted" id="timeline-keys">Choose an event to see the whole dashboard as it stood right after it. The list is one stop of the Tab key: the arrow keys, Page Up, Page Down, Home and End move within it.</p>
          <ol class="timeline" style="max-height: 16rem; overflow: auto" aria-label={`Events of ${campaign.mrn}`} aria-describedby="timeline-keys" onKeyDown={onTimelineKey}>
            {timeline.map((e, i) => (
              <li key={i}>
                <button type="button" class="link" tabIndex={i === timelineStop ? 0 : -1} onFocus={() => setTimelineFocus(i)} aria-pressed={moment.instant === afterEvent(e)} onClick={() => setMoment({ day: moment.day, instant: afterEvent(e) })}>
                  {describeEvent({ version: e.version ?? 0, type: e.type, at: e.at, actor: null, data: e.data, post: e.post }, directory)}
                </button>
                <span class="muted"> · {actorOf({ version: 0, type: e.type, at: e.at, actor: null, data: e.data }) ? `${actorOf({ version: 0, type: e.type, at: e.at, actor: null, data: e.data })} · ` : ''}{when(e.at)}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      <section class="card" aria-labelledby="fu-h">
        <h3 id="fu-h">Follow-ups by owner</h3>
        <p>
          <button type="button" onClick={() => downloadCsv('follow-ups', '/follow-ups/export.csv', 'follow-ups.csv')}>Download all follow-ups (CSV)</button>
          {past && <span class="muted"> as they stand now, not as replayed here</span>}
        </p>
        {csvProblem?.section === 'follow-ups' && <p class="error" role="alert">{csvProblem.text}</p>}
        {dashboard.followUps.byOwner.length === 0 ? <p class="muted">No follow-up action yet.</p> : (
          <div class="scroll" tabIndex={0} role="region" aria-label="Follow-ups by owner">
            <table class="stack">
              <thead><tr><th>Owner</th><th>Open</th><th>Overdue</th><th>Done</th><th>Cancelled</th></tr></thead>
              <tbody>
                {dashboard.followUps.byOwner.map((o) => (
                  <tr key={o.owner}>
                    <td data-label="Owner"><a href={`#/follow-ups?view=all&owner=${encodeURIComponent(o.owner)}`}>{o.owner}</a></td>
                    <td data-label="Open">{o.open}</td><td data-label="Overdue">{o.overdue}</td><td data-label="Done">{o.done}</td><td data-label="Cancelled">{o.cancelled}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p><a href="#/follow-ups?view=overdue">Overdue follow-ups</a> · <a href="#/follow-ups/new">New follow-up</a></p>
      </section>
    </>
  );
}
