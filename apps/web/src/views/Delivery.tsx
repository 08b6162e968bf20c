import { languageTag, LEVELS, METHODS, POSITIONS } from '@chancery/demarches/domain';
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, download, latestDay, localToday, mayDo, type Me, placeProblems, problemText, refusalText, upload, when, words } from '../api.js';
import { markingsOf } from '../classification.js';
import { keepText } from '../kept-text.js';
import { countryName, type Post, posts } from '../posts.js';
import { FieldProblem, markedBy, NotShown, Outcome, useFocusAfterRender, useOutcome } from './FieldProblem.js';
import { type HistoryEntry, Timeline } from './History.js';

interface Counterpart { name?: string; title?: string; organization?: string }
interface Quote { text: string; language?: string | null; translation?: string | null }
/** A response; `number` (from 1, in the order logged) is what a follow-up grown out of it names. */
interface Response { number?: number; receivedOn?: string; position?: string; summary?: string; quotes?: Quote[]; reportingCableId?: string | null; reportingCableWithheld?: boolean; corrects?: number | null; correctedBy?: number | null; by?: string; at?: string }

/** A response that still counts: not corrected by a later one (a correction names the one it corrects). */
const stands = (r: Response) => r.correctedBy == null;
interface Contact { on?: string; counterpart?: Counterpart; level?: string; method?: string; by?: string; at?: string }
/** A document left behind: `documentId` and its download's `href` (older servers: `id` only). */
interface Document { documentId?: string; id?: string; href?: string; name: string; kind?: string; size?: number; sha256?: string; by?: string; at?: string }
/** Whom a delivery's `by` ids name. */
type People = Record<string, { username: string; displayName?: string | null }>;
export interface DeliveryView {
  post: string;
  status: string;
  overdue: boolean;
  deliveredOn?: string | null;
  counterpart?: Counterpart | null;
  level?: string | null;
  method?: string | null;
  receivedOn?: string | null;
  position?: string | null;
  summary?: string | null;
  quotes?: Quote[];
  reportingCableId?: string | null;
  notDeliveredReason?: string | null;
  contacts?: Contact[];
  responses?: Response[];
  documents?: Document[];
  /** The reporting cables its responses name: `cableId` (older servers: `id`). */
  reportingCables?: { cableId?: string; id?: string; mrn?: string | null; subject?: string }[];
  history?: HistoryEntry[];
  /** The officers its records name by id, by id (newer servers). */
  people?: People;
  allowedActions?: string[];
}
export interface CampaignView {
  id: string; cableId: string; mrn: string; subject: string; classification?: string; captions?: string[]; reportBy: string; targets?: string;
  summary: { total: number; delivered: number; responded: number; notDelivered: number; pending: number; overdue: number };
  deliveries: DeliveryView[];
}

/** How the delivery's form fields are labelled, for the server's messages about them. */
const LABELS = { deliveredOn: 'Delivered on', receivedOn: 'Response received on', on: 'Met on', text: 'The quote', language: 'Language of the quote', translation: 'The English translation', corrects: 'The response it corrects', summary: 'What the counterpart said', file: 'The file' };
/**
 * A meeting or a response has happened: its date is not after today where the post is. The page
 * does not know where that is, so it asks what the server asks: not after the latest day anywhere.
 */
/** The problems found, by the field they are said beside; a field with none is left out. */
const besideEach = (problems: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(problems).filter((entry): entry is [string, string] => entry[1] !== null));
const notFuture = (date: string, label: string) => (!date ? `Choose the date: ${label.toLowerCase()}.` : date > latestDay() ? `${label} cannot be in the future: choose today or an earlier day.` : null);
/**
 * What the server would refuse in the response's quote, found before sending and said beside the
 * field: a language that is no language code, said beside the language in the words the server's
 * refusal is said in; a language or a translation without a quote, which would be kept nowhere,
 * said beside the quote, so that nothing typed is dropped unseen.
 */
function quoteProblems({ text, language, translation }: QuoteRow, row: number): Record<string, string> {
  if (text.trim()) {
    const tag = language.trim();
    // The server's rule (`languageTag`, BCP 47 in any case: `EN` is kept as `en`).
    return tag && languageTag(tag) === undefined ? { [`language-${row}`]: `${LABELS.language} must be a language code such as zh or zh-Hans.` } : {};
  }
  const given = [language.trim() && 'language', translation.trim() && 'translation'].filter(Boolean);
  if (given.length === 0) return {};
  const what = given.length === 2 ? 'A language and a translation' : `A ${given[0]}`;
  return { [`quote-${row}`]: `${what} without a quote cannot be logged: write the quote in the words used, or clear the ${given.join(' and the ')}.` };
}
/** A quote as the response form holds it, one row of its own. */
interface QuoteRow { text: string; language: string; translation: string }
const BLANK_QUOTE: QuoteRow = { text: '', language: '', translation: '' };
/** The quotes to send: the rows typed in, each as typed (trimmed), a language or translation left out when empty. */
const quotesOf = (rows: readonly QuoteRow[]): Quote[] =>
  rows.filter((q) => q.text.trim()).map((q) => ({ text: q.text.trim(), ...(q.language.trim() ? { language: q.language.trim() } : {}), ...(q.translation.trim() ? { translation: q.translation.trim() } : {}) }));
const counterpartText = (c?: Counterpart | null) => (c ? [c.name, c.title, c.organization].filter(Boolean).join(', ') : '');
const sizeText = (n?: number) => (n === undefined ? '' : n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} MB` : n >= 1000 ? `${Math.round(n / 1000)} kB` : `${n} byte${n === 1 ? '' : 's'}`);

/**
 * Where the report forms say a problem with a field of the request: the form's own field, by the
 * request's name. A quote's field is named `quotes.1.language` by the request's validation and
 * `quotes[1].language` by the delivery's own rules: said beside that quote's row (`language-1`);
 * the quotes sent are the rows typed in, in their order, so the numbers are the rows'.
 */
function placeInReport(field: string, rows: readonly QuoteRow[] = []): string | null {
  // The rows sent are those with a quote: the n-th sent is the n-th such row.
  const row = (sent: number) => rows.flatMap((q, i) => (q.text.trim() ? [i] : []))[sent] ?? sent;
  const quote = /^quotes(?:\[(\d+)\]|\.(\d+))(?:\.(text|language|translation))?$/.exec(field);
  if (quote) return `${quote[3] === undefined || quote[3] === 'text' ? 'quote' : quote[3]}-${row(Number(quote[1] ?? quote[2]))}`;
  if (field === 'quotes') return 'quote-0';
  if (field.startsWith('counterpart')) return field.split('.')[1] ?? 'name';
  if (field === 'reportingCableId') return 'reporting';
  return ['deliveredOn', 'level', 'method', 'receivedOn', 'position', 'summary', 'reason', 'corrects'].includes(field) ? field : null;
}

interface ReportingCable { id: string; mrn: string | null; subject: string; classification?: string; captions?: string[] }

/** A reporting cable as a choice names it: its marking first, as every list of cables does. */
const cableChoice = (c: ReportingCable) => `${c.classification ? `(${c.classification}) ` : ''}${c.mrn ?? c.id}: ${c.subject}`;

/** The post's released cables citing the tasking; `problem` says why they could not be listed (none is then offered). */
interface ReportingCandidates { cables: ReportingCable[]; listed: boolean; problem: string | null; listAgain: () => void }

/**
 * The post's released cables that may report a response to the tasking `mrn`: those citing it,
 * asked of the server as such (its own, released, citing the MRN), so that other posts' cables and
 * the post's drafts never crowd them out of a page. One the server could not list is no candidate.
 */
function useReportingCables(post: string, mrn: string, wanted: boolean): ReportingCandidates {
  const [found, setFound] = useState<{ cables: ReportingCable[]; listed: boolean; problem: string | null }>({ cables: [], listed: false, problem: null });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!wanted || !mrn) return undefined;
    // An answer for a tasking or post no longer asked about is dropped.
    let current = true;
    setFound({ cables: [], listed: false, problem: null });
    void api<{ items: ReportingCable[] }>('GET', `/cables?ref=${encodeURIComponent(mrn)}&origin=${encodeURIComponent(post)}&status=RELEASED&limit=500`).then(
      (answer) => current && setFound({ cables: answer.items, listed: true, problem: null }),
      (failure) => current && setFound({ cables: [], listed: false, problem: problemText(failure) }),
    );
    return () => { current = false; };
  }, [wanted, mrn, post, attempt]);
  return { ...found, listAgain: () => setAttempt((n) => n + 1) };
}

/** Whether none of the post's cables is offered as a reporting cable, for a reason NoReportingCable says: none cites the tasking, or none could be listed. */
const offersNone = (found: ReportingCandidates) => found.problem !== null || (found.listed && found.cables.length === 0);

/**
 * Why no reporting cable is offered, where the post's (`name`) released cables citing the tasking
 * `mrn` were asked for: none cites it yet (`then`: what comes once one does), or they could not be
 * listed, which is said as such, in an alert with *List them again*, and never as none. `id`: the
 * words' own, for a control they explain.
 */
function NoReportingCable({ id, name, mrn, found, then }: { id?: string; name: string; mrn: string; found: ReportingCandidates; then: string }) {
  if (!offersNone(found)) return null;
  if (found.problem) {
    return (
      <>
        <p id={id} class="error" role="alert">{name}'s released cables citing {mrn} could not be listed, so none is offered as a reporting cable. {found.problem}</p>
        <p><button type="button" onClick={found.listAgain}>List them again</button></p>
      </>
    );
  }
  return <p id={id} class="muted">No released cable from {name} cites {mrn} yet. {then}</p>;
}

/** What the post's counterpart said, in the original words with the translation. */
function Quotes({ quotes }: { quotes: Quote[] }) {
  if (quotes.length === 0) return null;
  return (
    <>
      {quotes.map((q, i) => (
        <figure key={i} class="quote">
          <blockquote lang={q.language ?? undefined}>{q.text}</blockquote>
          {q.translation && <figcaption>Translation{q.language ? ` (from ${q.language})` : ''}: “{q.translation}”</figcaption>}
        </figure>
      ))}
    </>
  );
}

/**
 * One quote of a response: the words used, their language and the English translation, as a group
 * named by its number; *Remove quote 2* where there are several. Its fields' ids and places are the
 * form's (`base`) with the row's number (`quote-1`, `language-1`, `translation-1`): `marked` and
 * `beside` mark a field and say its problem by its place.
 */
function QuoteFields({ base, row, quote, count, marked, beside, onChange, onRemove }: {
  base: string; row: number; quote: QuoteRow; count: number;
  marked: (place: string) => Record<string, unknown>; beside: (place: string) => JSX.Element; onChange: (quote: QuoteRow) => void; onRemove: () => void;
}) {
  const field = (name: keyof QuoteRow, place: string, label: string) => {
    const attributes = { id: `${base}-${place}-${row}`, class: 'full', value: quote[name], ...marked(`${place}-${row}`), onInput: (e: { currentTarget: { value: string } }) => onChange({ ...quote, [name]: e.currentTarget.value }) };
    return (
      <>
        <label for={attributes.id}>{label} (optional)</label>
        {name === 'language' ? <input {...attributes} /> : <textarea rows={3} {...attributes} />}
        {beside(`${place}-${row}`)}
      </>
    );
  };
  return (
    <fieldset class="quote-row">
      <legend>Quote {row + 1}</legend>
      {field('text', 'quote', 'A quote, in the words used')}
      {field('language', 'language', 'Language of the quote, e.g. zh')}
      {field('translation', 'translation', 'Its English translation')}
      {count > 1 && <p><button type="button" class="link" onClick={onRemove}>Remove quote {row + 1}</button></p>}
    </fieldset>
  );
}

/** The forms a post's officer uses, as the delivery's allowed actions permit. */
/**
 * `onMarkings`: the markings of the cables the forms offer (found here when the page gave none), for
 * the page's banners: a choice names a cable by its subject.
 */
export function ReportForms({ campaign, post, allowed, label, reportingCables: known, responses = [], onDone, onMarkings }: { campaign: string; post: string; allowed: string[]; label: string; reportingCables?: ReportingCable[]; responses?: Response[]; onDone: (message: string) => void; onMarkings?: (classifications: string[]) => void }) {
  const base = `/demarches/${campaign}/deliveries/${post}`;
  // Level, method and position are the officer's to choose: none is offered as if it were said.
  const [form, setForm] = useState({ deliveredOn: localToday(), name: '', title: '', organization: '', level: '', method: '', receivedOn: localToday(), position: '', summary: '', reason: '', corrects: '' });
  /** The response's quotes, a row each (*Add another quote*); a row left empty is not sent. */
  const [quotes, setQuotes] = useState<QuoteRow[]>([BLANK_QUOTE]);
  /** The responses a new one may correct: those that still count. */
  const correctable = responses.filter((r) => stands(r) && r.number !== undefined);
  /** What a form still lacks, or that the server refused it, said below the forms. */
  const [error, setError] = useState<string | null>(null);
  /** The server's refusal, said beside the fields it names. */
  const [refused, setRefused] = useState<unknown>(null);
  /** What the forms found wrong before sending, by the field it is said beside (`quote`). */
  const [lacking, setLacking] = useState<Record<string, string>>({});
  /** The field the focus goes to once its problem is said beside it. */
  const setFocusOn = useFocusAfterRender();
  // The cables the page has found already (a delivery's page), else found here.
  const found = useReportingCables(post, label, !known && allowed.includes('recordResponse'));
  const reportingCables = known ?? found.cables;
  useEffect(() => onMarkings?.(markingsOf(found.cables)), [found.cables]);
  /** The post as the directory names it, as the delivery's page names it. */
  const [postName, setPostName] = useState(post);
  useEffect(() => void posts().then((all) => setPostName(all.get(post)?.name ?? post)), [post]);
  const [reportingCableId, setReportingCableId] = useState('');
  const key = `${campaign}-${post}`;
  const placeIn = (field: string) => placeInReport(field, quotes);
  const problems = placeProblems(refused, placeIn, LABELS);
  const besideText: Record<string, string> = { ...problems.beside, ...lacking };
  const marked = (name: string) => markedBy(`${key}-${name}`, besideText[name]);
  const beside = (name: string) => <FieldProblem place={`${key}-${name}`} text={besideText[name]} />;
  const field = (name: keyof typeof form, text: string, type: 'text' | 'date' | 'area' = 'text', required = true) => (
    <>
      <label for={`${key}-${name}`}>{text}{required ? '' : ' (optional)'}</label>
      {type === 'area' ? (
        <textarea id={`${key}-${name}`} rows={3} class="full" value={form[name]} {...marked(name)} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      ) : type === 'date' ? (
        <input id={`${key}-${name}`} type="date" value={form[name]} {...marked(name)} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      ) : (
        <input id={`${key}-${name}`} class="full" value={form[name]} {...marked(name)} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
      )}
      {beside(name)}
    </>
  );
  const choice = (name: keyof typeof form, text: string, options: readonly string[]) => (
    <>
      <label for={`${key}-${name}`}>{text}</label>
      <select id={`${key}-${name}`} value={form[name]} {...marked(name)} onChange={(e) => setForm({ ...form, [name]: e.currentTarget.value })}>
        <option value="">Choose…</option>
        {options.map((o) => <option key={o} value={o}>{words(o)}</option>)}
      </select>
      {beside(name)}
    </>
  );
  /**
   * `misfit`: what the form lacks or has wrong, by field, said beside each (the form says once that
   * nothing was logged, and the focus goes to the first); then nothing is sent.
   */
  const send = async (path: string, body: unknown, done: string, misfit: Record<string, string> = {}) => {
    setError(null);
    setRefused(null);
    setLacking({});
    const places = Object.keys(misfit);
    if (places.length > 0) {
      setLacking(misfit);
      setFocusOn(`${key}-${places[0]}`);
      return setError(refusalText('Not logged.', { beside: misfit, rest: null }));
    }
    try {
      await api('POST', `${base}/${path}`, body);
      // A response logged leaves its form empty: the same words sent again would be a second response.
      if (path === 'response') {
        setForm((typed) => ({ ...typed, position: '', summary: '', corrects: '' }));
        setQuotes([BLANK_QUOTE]);
        setReportingCableId('');
      }
      onDone(done);
    } catch (failure) {
      // What the officer typed is sent as typed or not at all: a refused field is said beside it, for them to correct.
      const problems = placeProblems(failure, placeIn, LABELS);
      setRefused(failure);
      const first = Object.keys(problems.beside)[0];
      if (first) setFocusOn(`${key}-${first}`);
      setError(refusalText('Not logged.', problems));
    }
  };
  /** Another quote's row, the focus in its quote. */
  const addQuote = () => {
    setQuotes([...quotes, BLANK_QUOTE]);
    setFocusOn(`${key}-quote-${quotes.length}`);
  };
  /**
   * A quote's row taken out, the focus in the quote now in its place (the next one), else the one
   * before it. What was said beside the rows is put away: it named them by their places.
   */
  const removeQuote = (row: number) => {
    setQuotes(quotes.filter((_, i) => i !== row));
    setLacking({});
    setRefused(null);
    setError(null);
    setFocusOn(`${key}-quote-${Math.min(row, quotes.length - 2)}`);
  };
  const can = (action: string) => allowed.includes(action);
  if (!['recordDelivery', 'recordResponse', 'recordNotDelivered'].some(can)) return null;
  return (
    <div class="report">
      {can('recordDelivery') && (
        <form aria-label={`Log the delivery of ${label}`} onSubmit={(e) => {
          e.preventDefault();
          // What is missing or wrong is said beside its field, the focus on the first: nothing is sent.
          const lacking = besideEach({
            deliveredOn: notFuture(form.deliveredOn, LABELS.deliveredOn),
            name: form.name.trim() ? null : "Give the counterpart's name.",
            title: form.title.trim() ? null : "Give the counterpart's title.",
            organization: form.organization.trim() ? null : "Give the counterpart's organization.",
            level: form.level ? null : 'Choose the level of the meeting.',
            method: form.method ? null : 'Choose how it was delivered.',
          });
          void send('delivery', { deliveredOn: form.deliveredOn, counterpart: { name: form.name.trim(), title: form.title.trim(), organization: form.organization.trim() }, level: form.level, method: form.method }, 'Delivery logged.', lacking);
        }}>
          <h4>The delivery</h4>
          {field('deliveredOn', 'Delivered on', 'date')}{field('name', 'Counterpart name')}{field('title', 'Counterpart title')}{field('organization', 'Counterpart organization')}
          {choice('level', 'Level', LEVELS)}{choice('method', 'Method', METHODS)}
          <p><button type="submit">Log delivery</button></p>
        </form>
      )}
      {can('recordResponse') && (
        <form aria-label={`Log the response to ${label}`} onSubmit={(e) => {
          e.preventDefault();
          const sent = quotesOf(quotes);
          void send('response', { receivedOn: form.receivedOn, position: form.position, summary: form.summary.trim(), ...(sent.length ? { quotes: sent } : {}), ...(reportingCableId ? { reportingCableId } : {}), ...(form.corrects ? { corrects: Number(form.corrects) } : {}) }, form.corrects ? `Response logged; it corrects response ${form.corrects}.` : 'Response logged.', besideEach({
            receivedOn: notFuture(form.receivedOn, LABELS.receivedOn),
            position: form.position ? null : 'Choose the counterpart’s position.',
            summary: form.summary.trim() ? null : 'Say what the counterpart said: the summary cannot be empty.',
            ...Object.assign({}, ...quotes.map(quoteProblems)),
          }));
        }}>
          <h4>The response</h4>
          {/* A correction is a new response naming the one it corrects, which then no longer counts. */}
          {correctable.length > 0 && (
            <>
              <label for={`${key}-corrects`}>It corrects (optional)</label>
              <select id={`${key}-corrects`} value={form.corrects} {...marked('corrects')} onChange={(e) => setForm({ ...form, corrects: e.currentTarget.value })}>
                <option value="">No earlier response: it is a new one</option>
                {correctable.map((r) => <option key={r.number} value={String(r.number)}>Response {r.number}: {words(r.position)}{r.receivedOn ? `, received ${r.receivedOn}` : ''}</option>)}
              </select>
              {beside('corrects')}
            </>
          )}
          {field('receivedOn', 'Response received on', 'date')}{choice('position', 'Counterpart position', POSITIONS)}{field('summary', 'What the counterpart said', 'area')}
          {quotes.map((q, i) => <QuoteFields key={i} base={key} row={i} quote={q} count={quotes.length} marked={marked} beside={beside} onChange={(changed) => setQuotes(quotes.map((x, j) => (j === i ? changed : x)))} onRemove={() => removeQuote(i)} />)}
          <p><button type="button" class="secondary" onClick={addQuote}>Add another quote</button></p>
          {reportingCables.length > 0 && (
            <>
              <label for={`${key}-reporting`}>Reported in (optional)</label>
              <select id={`${key}-reporting`} value={reportingCableId} {...marked('reporting')} onChange={(e) => setReportingCableId(e.currentTarget.value)}>
                <option value="">No reporting cable yet</option>
                {reportingCables.map((c) => <option key={c.id} value={c.id}>{cableChoice(c)}</option>)}
              </select>
              {beside('reporting')}
            </>
          )}
          {/* Where the form finds the cables itself, it says why it offers none, as the delivery's page does, rather than leaving "Reported in" out unexplained. */}
          {!known && <NoReportingCable id={`${key}-no-reporting`} name={postName} mrn={label} found={found} then="Once one is, it is offered here, and a response logged without it can name it on the delivery's page (Details)." />}
          <p><button type="submit" aria-describedby={!known && offersNone(found) ? `${key}-no-reporting` : undefined}>Log response</button></p>
        </form>
      )}
      {can('recordNotDelivered') && (
        <form aria-label={`Record that ${label} could not be delivered`} onSubmit={(e) => { e.preventDefault(); void send('not-delivered', { reason: form.reason.trim() }, 'Recorded as not delivered.', besideEach({ reason: form.reason.trim() ? null : 'Say why it could not be delivered.' })); }}>
          <h4>Could not deliver</h4>
          {field('reason', 'Why it could not be delivered')}
          <p><button type="submit">Record not delivered</button></p>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

/**
 * Names the reporting cable of a response logged before the cable went out: one of the post's
 * released cables that cite the tasking. The server checks it again (422 for any other), said beside the choice.
 */
function AttachReportingCable({ base, response, mrn, cables, onDone }: { base: string; response: number; mrn: string; cables: ReportingCable[]; onDone: (message: string) => void }) {
  const [chosen, setChosen] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const id = `attach-${response}`;
  const attach = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    if (!chosen) {
      setProblem('Choose the reporting cable first.');
      document.getElementById(id)?.focus();
      return;
    }
    try {
      await api('POST', `${base}/responses/${response}/reporting-cable`, { reportingCableId: chosen });
      onDone(`Response ${response} now names its reporting cable.`);
    } catch (failure) {
      setProblem(problemText(failure, LABELS));
      document.getElementById(id)?.focus();
    }
  };
  return (
    <form class="attach" aria-label={`The reporting cable of response ${response}`} onSubmit={attach}>
      <label for={id}>Reporting cable of response {response}</label>
      <select id={id} value={chosen} {...markedBy(id, problem)} onChange={(e) => setChosen(e.currentTarget.value)}>
        <option value="">Choose a released cable citing {mrn}</option>
        {cables.map((c) => <option key={c.id} value={c.id}>{cableChoice(c)}</option>)}
      </select>{' '}
      <button type="submit">Attach the reporting cable</button>
      <FieldProblem place={id} text={problem} alert />
    </form>
  );
}

const DOCUMENT_KINDS = ['NON_PAPER', 'AIDE_MEMOIRE', 'DIPLOMATIC_NOTE', 'OTHER'];

/** How the meeting form labels its fields, for what is said about them. */
const MEETING_LABELS = { on: 'Met on', name: 'Counterpart name', title: 'Counterpart title', organization: 'Counterpart organization', level: 'Level', method: 'Method' };
type MeetingField = keyof typeof MEETING_LABELS;
/** The meeting form's fields in the order it shows them: the focus goes to the first one marked. */
const MEETING_FIELDS = Object.keys(MEETING_LABELS) as MeetingField[];
/** The server's limit on each of the counterpart's name, title and organization. */
const COUNTERPART_MAX = 200;

/** Where the meeting form says a problem with a field of the request (`counterpart.title` → `title`). */
function placeInMeeting(field: string): MeetingField | null {
  if (field === 'counterpart') return 'name'; // the counterpart as a whole: said at its first field
  const name = field.startsWith('counterpart.') ? field.slice('counterpart.'.length) : field;
  return (MEETING_FIELDS as string[]).includes(name) ? (name as MeetingField) : null;
}

/** A counterpart's name, title or organization as sent: one line (a pasted tab becomes a space, as the server takes no tab), trimmed. */
const oneLine = (value: string) => value.replace(/\t/g, ' ').trim();

/**
 * What the server would refuse in a meeting, found before sending, by field: a day not given or
 * still to come (not before the tasking either, which only the server knows), a counterpart's
 * name, title or organization left empty or longer than the server keeps. Level and method are
 * chosen from the server's own lists.
 */
function meetingProblems(meeting: Record<MeetingField, string>): Partial<Record<MeetingField, string>> {
  const problems: Partial<Record<MeetingField, string>> = {};
  if (!meeting.on) problems.on = 'Choose the day of the meeting.';
  else if (meeting.on > latestDay()) problems.on = `${MEETING_LABELS.on} cannot be in the future: choose today or an earlier day.`;
  for (const [field, what] of [['name', 'name'], ['title', 'title'], ['organization', 'organization']] as const) {
    const value = oneLine(meeting[field]);
    if (!value) problems[field] = `Give the counterpart's ${what}.`;
    else if (value.length > COUNTERPART_MAX) problems[field] = `${MEETING_LABELS[field]} can have at most ${COUNTERPART_MAX} characters (it has ${value.length}).`;
  }
  if (!(LEVELS as readonly string[]).includes(meeting.level)) problems.level = 'Choose the level of the meeting.';
  if (!(METHODS as readonly string[]).includes(meeting.method)) problems.method = 'Choose how the meeting took place.';
  return problems;
}

/** Another meeting with a counterpart, and a document left behind: for the post's officers, on a server that keeps them. */
function MoreForms({ base, contacts, documents, onDone }: { base: string; contacts: boolean; documents: boolean; onDone: (message: string) => void }) {
  const [meeting, setMeeting] = useState<Record<MeetingField, string>>(() => ({ on: localToday(), name: '', title: '', organization: '', level: '', method: '' }));
  const [kind, setKind] = useState('NON_PAPER');
  const [file, setFile] = useState<File | null>(null);
  /** What a form still lacks, or why the server refused it, said beside it. */
  const [error, setError] = useState<{ form: 'meeting' | 'document'; text: string } | null>(null);
  /** What is wrong with the meeting's fields, found before sending or said by the server: beside each. */
  const [meetingBeside, setMeetingBeside] = useState<Partial<Record<MeetingField, string>>>({});
  /** The meeting field the focus goes to once its problem is said beside it. */
  const focusAfterRender = useFocusAfterRender();
  const setFocusOn = (field: MeetingField) => focusAfterRender(`m-${field}`);
  /** The file input, emptied once its file is attached. */
  const fileInput = useRef<HTMLInputElement>(null);
  const blankMeeting = () => ({ on: localToday(), name: '', title: '', organization: '', level: '', method: '' });
  /** Sends a form; once it is taken, the form is emptied (`reset`): the same click again would record it twice. */
  const run = async (form: 'meeting' | 'document', work: () => Promise<unknown>, done: string, reset: () => void) => {
    setError(null);
    try {
      await work();
      reset();
      onDone(done);
    } catch (failure) {
      if (form !== 'meeting') return setError({ form, text: problemText(failure, LABELS) });
      const problems = placeProblems(failure, placeInMeeting, MEETING_LABELS);
      sayBesideMeeting(problems.beside as Partial<Record<MeetingField, string>>, problems.rest);
    }
  };
  /** The meeting form's problems beside their fields, said once below it; the focus on the first field marked. */
  const sayBesideMeeting = (beside: Partial<Record<MeetingField, string>>, rest: string | null) => {
    setMeetingBeside(beside);
    setError({ form: 'meeting', text: refusalText('Not logged.', { beside: beside as Record<string, string>, rest }) });
    const first = MEETING_FIELDS.find((field) => beside[field]);
    if (first) setFocusOn(first);
  };
  const logMeeting = (event: Event) => {
    event.preventDefault();
    setError(null);
    setMeetingBeside({});
    const problems = meetingProblems(meeting);
    if (Object.keys(problems).length > 0) return sayBesideMeeting(problems, null);
    const counterpart = { name: oneLine(meeting.name), title: oneLine(meeting.title), organization: oneLine(meeting.organization) };
    void run('meeting', () => api('POST', `${base}/contacts`, { on: meeting.on, counterpart, level: meeting.level, method: meeting.method }), 'Meeting logged.', () => setMeeting(blankMeeting()));
  };
  const errorFor = (form: 'meeting' | 'document') => error?.form === form && <p class="error" role="alert">{error.text}</p>;
  /** A field of the meeting form: its label, the control marked by its problem, the problem beside it. */
  const meetingField = (field: MeetingField, control: (attributes: Record<string, unknown>) => JSX.Element) => (
    <>
      <label for={`m-${field}`}>{MEETING_LABELS[field]}</label>
      {control({ id: `m-${field}`, ...markedBy(`m-${field}`, meetingBeside[field]) })}
      <FieldProblem place={`m-${field}`} text={meetingBeside[field]} />
    </>
  );
  const set = (field: MeetingField) => (e: { currentTarget: { value: string } }) => setMeeting({ ...meeting, [field]: e.currentTarget.value });
  return (
    <section class="card" aria-labelledby="more-h">
      <h3 id="more-h">Add to the record</h3>
      {contacts && (
        <details>
          <summary>Log another meeting</summary>
          <form aria-label="Log another meeting" onSubmit={logMeeting}>
            {meetingField('on', (a) => <input {...a} type="date" value={meeting.on} onInput={set('on')} />)}
            {meetingField('name', (a) => <input {...a} class="full" value={meeting.name} onInput={set('name')} />)}
            {meetingField('title', (a) => <input {...a} class="full" value={meeting.title} onInput={set('title')} />)}
            {meetingField('organization', (a) => <input {...a} class="full" value={meeting.organization} onInput={set('organization')} />)}
            {meetingField('level', (a) => <select {...a} value={meeting.level} onChange={set('level')}><option value="">Choose…</option>{LEVELS.map((l) => <option key={l} value={l}>{words(l)}</option>)}</select>)}
            {meetingField('method', (a) => <select {...a} value={meeting.method} onChange={set('method')}><option value="">Choose…</option>{METHODS.map((m) => <option key={m} value={m}>{words(m)}</option>)}</select>)}
            {errorFor('meeting')}
            <p><button type="submit">Log the meeting</button></p>
          </form>
        </details>
      )}
      {documents && (
        <details>
          <summary>Attach a document left behind</summary>
          <form onSubmit={(e) => {
            e.preventDefault();
            if (!file) return setError({ form: 'document', text: 'Choose a file first.' });
            if (file.size > 10 * 1024 * 1024) return setError({ form: 'document', text: 'The file is larger than 10 MB.' });
            const form = new FormData();
            form.append('kind', kind);
            form.append('file', file);
            void run('document', () => upload(`${base}/documents`, form), `${file.name} attached.`, () => {
              setFile(null);
              if (fileInput.current) fileInput.current.value = '';
            });
          }}>
            <label for="d-kind">Kind</label><select id="d-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>{DOCUMENT_KINDS.map((k) => <option key={k} value={k}>{words(k)}</option>)}</select>
            <label for="d-file">File (PDF, DOCX, ODT or TXT; at most 10 MB)</label><input id="d-file" ref={fileInput} type="file" accept=".pdf,.docx,.odt,.txt" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
            {errorFor('document')}
            <p><button type="submit">Attach</button></p>
          </form>
        </details>
      )}
    </section>
  );
}

/** One post's delivery of a demarche: meetings, answers with quotes, documents, reporting cables, history. */
export function Delivery({ id, post, me, onClassifications }: { id: string; post: string; me: Me; onClassifications: (c: string[]) => void }) {
  const [campaign, setCampaign] = useState<CampaignView | null>(null);
  const [delivery, setDelivery] = useState<DeliveryView | null>(null);
  const [info, setInfo] = useState<Post | undefined>();
  const [failure, setFailure] = useState<ApiError | null>(null);
  // What each form here sent came to takes the focus, whether the form closes once its report is
  // logged (a delivery, not delivered, a reporting cable named) or stays for the next (a response,
  // a correction, a meeting, a document): the focus goes to what happened, from the control that
  // was focused when the server took it.
  const outcome = useOutcome();
  const said = (done: string) => {
    const from = document.activeElement;
    void load().then(() => outcome.say(done, from));
  };
  /** A download that failed, said beside the documents. */
  const [documentError, setDocumentError] = useState<string | null>(null);
  const load = async () => {
    try {
      const [c, d] = await Promise.all([api<CampaignView>('GET', `/demarches/${id}`), api<DeliveryView>('GET', `/demarches/${id}/deliveries/${post}`)]);
      setCampaign(c);
      setDelivery(d);
    } catch (error) {
      setFailure(error instanceof ApiError ? error : new ApiError(0, {}));
    }
  };
  useEffect(() => void load(), [id, post]);
  useEffect(() => void posts().then((all) => setInfo(all.get(post))), [post]);
  const ownPost = me.roles.includes('post_officer') && me.postCode === post;
  // A response's reporting cable, named after it: by whoever may log responses to the delivery (the
  // post's officers, as the server's allowedActions say; it names no action of its own for this).
  const mayAttach = (delivery?.allowedActions ?? []).includes('recordResponse');
  const found = useReportingCables(post, campaign?.mrn ?? '', mayAttach);
  const candidates = found.cables;
  // The page shows the campaign, and the subjects of the cables it offers as reporting cables.
  useEffect(() => {
    if (campaign) onClassifications(markingsOf([campaign, ...candidates]));
  }, [campaign, candidates]);
  if (failure) {
    return <NotShown failure={failure} what="delivery" />;
  }
  if (!campaign || !delivery) return <p>Loading…</p>;
  const name = info?.name ?? post;
  const responses: Response[] = delivery.responses?.length
    ? delivery.responses
    : delivery.position ? [{ receivedOn: delivery.receivedOn ?? undefined, position: delivery.position, summary: delivery.summary ?? '', quotes: delivery.quotes ?? [], reportingCableId: delivery.reportingCableId }] : [];
  const contacts: Contact[] = delivery.contacts?.length
    ? delivery.contacts
    : delivery.counterpart ? [{ on: delivery.deliveredOn ?? undefined, counterpart: delivery.counterpart, level: delivery.level ?? undefined, method: delivery.method ?? undefined }] : [];
  const listed = (delivery.reportingCables ?? []).map((c) => ({ id: c.cableId ?? c.id ?? '', mrn: c.mrn ?? null, subject: c.subject }));
  const reporting = [
    ...listed.filter((c, i) => c.id && listed.findIndex((d) => d.id === c.id) === i),
    ...responses.filter((r) => r.reportingCableId && !listed.some((c) => c.id === r.reportingCableId)).map((r) => ({ id: r.reportingCableId!, mrn: null, subject: undefined })),
  ];
  // Officers by name where the server says who they are; an id otherwise.
  const person = (id: string) => delivery.people?.[id]?.displayName || delivery.people?.[id]?.username || id;
  const people = new Map(Object.entries(delivery.people ?? {}).map(([id, p]) => [id, p.displayName || p.username]));
  // Meetings and documents: as the delivery's `allowedActions` name them.
  const allowed = delivery.allowedActions ?? [];
  const more = { contacts: allowed.includes('addContact'), documents: allowed.includes('uploadDocument') };
  const mayFollowUp = mayDo(me, 'followups.create');
  const followUpLink = (response?: number) =>
    `#/follow-ups/new?${new URLSearchParams({ demarche: id, post, marking: campaign.classification ?? 'UNCLASSIFIED', ...(response ? { response: String(response) } : {}), ...(me.roles.includes('post_officer') ? {} : { ownerPost: post }) })}`;
  /**
   * The new follow-up's form, its title offered: the title names the post's position and the
   * tasking, which may be classified, so the address names it only (`keepText`), as a search's
   * words. A link opened in another tab or window, where this tab's memory does not reach, opens
   * the form without it.
   */
  const openFollowUp = (event: MouseEvent, link: string, title: string) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    location.hash = `${link}&${new URLSearchParams({ words: keepText(me.id, title) })}`;
  };
  return (
    <>
      <p><a href={`#/campaigns/${id}`}>{campaign.mrn}: every post</a>{mayDo(me, 'dashboard.read') && <> · <a href="#/dashboard">Dashboard</a></>}</p>
      <h2>{name}: {campaign.subject}</h2>
      <section class="card" aria-label="Where the delivery stands">
        <dl class="facts">
          <div><dt>Status</dt><dd><span class={`badge ${delivery.status}`}>{words(delivery.status)}</span>{delivery.overdue ? <strong class="error"> overdue</strong> : ''}</dd></div>
          <div><dt>Tasking</dt><dd><a href={`#/cables/${campaign.cableId}`}>{campaign.mrn}</a></dd></div>
          <div><dt>Report by</dt><dd>{campaign.reportBy}</dd></div>
          {delivery.position && <div><dt>Latest position</dt><dd><span class={`badge ${delivery.position}`}>{words(delivery.position)}</span></dd></div>}
          {info && <div><dt>Post</dt><dd>{info.name} ({words(info.kind)}, {info.bureau})</dd></div>}
        </dl>
        {delivery.notDeliveredReason && <p class="said">Could not be delivered: “{delivery.notDeliveredReason}”</p>}
      </section>
      <Outcome outcome={outcome} />
      <ReportForms campaign={id} post={post} allowed={delivery.allowedActions ?? []} label={campaign.mrn} reportingCables={mayAttach ? candidates : undefined} responses={responses} onDone={said} />
      {(more.contacts || more.documents) && (
        <MoreForms base={`/demarches/${id}/deliveries/${post}`} contacts={more.contacts} documents={more.documents} onDone={said} />
      )}

      <section class="card" aria-labelledby="contacts-h">
        <h3 id="contacts-h">Meetings and contacts ({contacts.length})</h3>
        {contacts.length === 0 ? <p class="muted">{name} has not met a counterpart about this yet.</p> : (
          <ul>{contacts.map((c, i) => <li key={i}>{c.on ?? ''}: {counterpartText(c.counterpart)}{c.level ? ` · ${words(c.level)}` : ''}{c.method ? ` · ${words(c.method)}` : ''}{c.by ? <span class="muted"> · logged by {person(c.by)}</span> : ''}</li>)}</ul>
        )}
      </section>

      <section class="card" aria-labelledby="responses-h">
        <h3 id="responses-h">What the counterpart said ({responses.length})</h3>
        {responses.length === 0 ? <p class="muted">No response logged yet.</p> : responses.map((r, i) => (
          <article key={i} class="response" aria-label={`Response ${r.number ?? i + 1}`}>
            <h4>Response {r.number ?? i + 1}: <span class={`badge ${r.position}`}>{words(r.position)}</span> {r.receivedOn ? `received ${r.receivedOn}` : ''}{r.by ? <span class="muted"> · logged by {person(r.by)}{r.at ? `, ${when(r.at)}` : ''}</span> : ''}</h4>
            {!stands(r) && <p class="muted"><strong>Corrected by response {r.correctedBy}</strong>: it no longer counts.</p>}
            {r.corrects != null && <p class="muted">It corrects response {r.corrects}.</p>}
            {r.summary && <p class="said">{r.summary}</p>}
            <Quotes quotes={r.quotes ?? []} />
            {r.reportingCableId && <p>Reported in <a href={`#/cables/${r.reportingCableId}`}>{reporting.find((c) => c.id === r.reportingCableId)?.mrn ?? 'the reporting cable'}</a></p>}
            {r.reportingCableWithheld && <p class="muted">A reporting cable you may not read is named on it.</p>}
            {!r.reportingCableId && !r.reportingCableWithheld && stands(r) && mayAttach && candidates.length > 0 && r.number !== undefined && (
              <AttachReportingCable base={`/demarches/${id}/deliveries/${post}`} response={r.number} mrn={campaign.mrn} cables={candidates} onDone={said} />
            )}
            {mayFollowUp && stands(r) && <p><a href={followUpLink(r.number)} onClick={(e) => openFollowUp(e, followUpLink(r.number), `Follow up ${name}'s ${words(r.position)} response to ${campaign.mrn}`)}>Create a follow-up from this response</a></p>}
          </article>
        ))}
      </section>

      {(delivery.documents?.length ?? 0) > 0 && (
        <section class="card" aria-labelledby="docs-h">
          <h3 id="docs-h">Documents left behind ({delivery.documents!.length})</h3>
          <ul>
            {delivery.documents!.map((d) => (
              <li key={d.documentId ?? d.id}>
                <button type="button" class="link" onClick={() => {
                  setDocumentError(null);
                  void download(d.href ?? `/demarches/${id}/deliveries/${post}/documents/${d.documentId ?? d.id}`, d.name).catch((f) => setDocumentError(`${d.name} could not be downloaded. ${problemText(f)}`));
                }}>{d.name}</button>
                <span class="muted"> · {words(d.kind)} · {sizeText(d.size)}{d.by ? ` · attached by ${person(d.by)}` : ''}{d.at ? `, ${when(d.at)}` : ''}</span>
              </li>
            ))}
          </ul>
          {documentError && <p class="error" role="alert">{documentError}</p>}
        </section>
      )}

      <section class="card" aria-labelledby="reporting-h">
        <h3 id="reporting-h">Reporting cables ({reporting.length})</h3>
        {/* Listed are the cables its responses name: one sent and not yet named (or one the reader may not read) is not here. */}
        {reporting.length === 0 ? <p class="muted">None of {name}'s responses names a reporting cable you may read yet.</p> : (
          <ul>{reporting.map((c) => <li key={c.id}><a href={`#/cables/${c.id}`}>{c.mrn ?? 'Reporting cable'}{c.subject ? `: ${c.subject}` : ''}</a></li>)}</ul>
        )}
        {/* That none is offered is said to whoever may log a response (the form above offers none), and where a response could be given one; that none could be listed, always. */}
        {mayAttach && (
          <NoReportingCable name={name} mrn={campaign.mrn} found={found} then={responses.some((r) => stands(r) && !r.reportingCableId && !r.reportingCableWithheld)
            ? 'Once one is, each response above without a reporting cable offers to attach it.'
            : 'Once one is, the response form above offers it as the reporting cable.'} />
        )}
        {ownPost && <p><a href={`#/cables/new?${new URLSearchParams({ ref: campaign.mrn, tasking: campaign.cableId })}`}>Draft a reporting cable on {campaign.mrn}</a></p>}
      </section>

      <section class="card" aria-labelledby="dhistory-h">
        <h3 id="dhistory-h">History</h3>
        <Timeline entries={(delivery.history ?? []).map((e) => ({ ...e, post }))} chosen={null} people={people} />
      </section>
    </>
  );
}

/** A campaign's posts: each delivery's status and position, filterable, each a link to the post's record. */
export function Campaign({ id, me, query, onClassifications }: { id: string; me: Me; query?: URLSearchParams; onClassifications: (c: string[]) => void }) {
  const [campaign, setCampaign] = useState<CampaignView | null>(null);
  const [directory, setDirectory] = useState<Map<string, Post>>(new Map());
  const [status, setStatus] = useState(query?.get('status') ?? '');
  const [bureau, setBureau] = useState(query?.get('bureau') ?? '');
  const [text, setText] = useState('');
  const [failure, setFailure] = useState<ApiError | null>(null);
  /** A CSV download that failed, said beside its button. */
  const [csvProblem, setCsvProblem] = useState<string | null>(null);
  useEffect(() => {
    api<CampaignView>('GET', `/demarches/${id}`).then(
      (c) => { setCampaign(c); onClassifications(markingsOf([c])); },
      (f) => setFailure(f instanceof ApiError ? f : new ApiError(0, {})),
    );
    void posts().then(setDirectory);
  }, [id]);
  const shown = useMemo(() => (campaign?.deliveries ?? []).filter((d) => {
    if (status && d.status !== status && !(status === 'OVERDUE' && d.overdue)) return false;
    const p = directory.get(d.post);
    if (bureau && p?.bureau !== bureau) return false;
    return !text.trim() || `${d.post} ${p?.name ?? ''} ${p?.country ?? ''} ${p?.country ? countryName(p.country) : ''}`.toLowerCase().includes(text.trim().toLowerCase());
  }), [campaign, directory, status, bureau, text]);
  if (failure) {
    return <NotShown failure={failure} what="campaign" />;
  }
  if (!campaign) return <p>Loading…</p>;
  const s = campaign.summary;
  // The export is open to the roles the server gives `exports.read`: leadership and the desks that draft.
  const mayExport = mayDo(me, 'exports.read');
  const exportCsv = () => {
    setCsvProblem(null);
    void download(`/demarches/${id}/export.csv`, `${campaign.mrn.replace(/ /g, '-')}.csv`).catch((failure) => setCsvProblem(`The CSV could not be downloaded. ${problemText(failure)}`));
  };
  return (
    <>
      {mayDo(me, 'dashboard.read') && <p><a href="#/dashboard">Dashboard</a></p>}
      <h2>{campaign.mrn}: {campaign.subject}</h2>
      <section class="card">
        <p>Report by {campaign.reportBy}. {s.total} {s.total === 1 ? 'post' : 'posts'} tasked: {s.delivered} delivered ({s.responded} with a response), {s.notDelivered} could not deliver, {s.pending} pending, {s.overdue} overdue. <a href={`#/cables/${campaign.cableId}`}>Read the instruction</a></p>
        {/* A follow-up linked to the campaign carries its marking: one raised from the follow-ups list is linked to nothing. */}
        {mayDo(me, 'followups.create') && <p><a href={`#/follow-ups/new?${new URLSearchParams({ demarche: id, marking: campaign.classification ?? 'UNCLASSIFIED' })}`}>New follow-up on this campaign</a></p>}
        {mayExport && <p><button type="button" onClick={exportCsv}>Download every post (CSV)</button></p>}
        {csvProblem && <p class="error" role="alert">{csvProblem}</p>}
        <form class="filters" role="search" aria-label="Find a post" onSubmit={(e) => e.preventDefault()}>
          <span><label for="c-text">Post or country</label><input id="c-text" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} /></span>
          <span>
            <label for="c-status">Status</label>
            <select id="c-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">Any</option>{['PENDING', 'DELIVERED', 'RESPONDED', 'NOT_DELIVERED', 'OVERDUE'].map((v) => <option key={v} value={v}>{words(v)}</option>)}
            </select>
          </span>
          <span>
            <label for="c-bureau">Bureau</label>
            <select id="c-bureau" value={bureau} onChange={(e) => setBureau(e.currentTarget.value)}>
              <option value="">Any</option>{['AF', 'EAP', 'EUR', 'NEA', 'SCA', 'WHA', 'IO'].map((b) => <option key={b} value={b}>{b}</option>)}
            </select>
          </span>
        </form>
        <div class="scroll" tabIndex={0} role="region" aria-label="Posts of the campaign">
          <table class="stack">
            <thead><tr><th>Post</th><th>Country</th><th>Status</th><th>Position</th><th>Counterpart</th></tr></thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.post}>
                  <td data-label="Post"><a href={`#/campaigns/${id}/posts/${d.post}`}>{directory.get(d.post)?.name ?? d.post}</a></td>
                  <td data-label="Country">{directory.get(d.post)?.country ? countryName(directory.get(d.post)!.country) : ''}</td>
                  <td data-label="Status">{words(d.status)}{d.overdue ? <strong class="error"> overdue</strong> : ''}</td>
                  <td data-label="Position">{words(d.position)}</td>
                  <td data-label="Counterpart">{counterpartText(d.counterpart)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="muted">{shown.length} of {campaign.deliveries.length} posts shown.</p>
        {shown.length === 0 && <p class="muted">No post matches.</p>}
      </section>
    </>
  );
}
