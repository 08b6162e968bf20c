import jsonMergePatch from 'json-merge-patch';
import { dayIn, utcDate } from '@chancery/common';
import { type Permission, PERMISSIONS } from '@chancery/identity/domain';

/** The browser's client of the Chancery HTTP API: the same routes any client uses. */
export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  office: string | null;
  postCode: string | null;
  clearance: string;
  /** Whose calendar the Department's deadlines run on (`DEPARTMENT_TIME_ZONE`): see `today`. */
  departmentTimeZone: string;
}

/**
 * Whether the caller's roles hold a permission, read from the server's own table (`PERMISSIONS`): for
 * what is not an action on a record (a "new" link, an export, a screen). An action on a record is
 * shown from that record's `allowedActions`.
 */
export const mayDo = (me: Me, permission: Permission): boolean => PERMISSIONS[permission].some((role) => me.roles.includes(role));

/** A post officer bound to a post: their cables come from that post, and its taskings come to them. */
export const isPostOfficer = (me: Me): boolean => me.roles.includes('post_officer') && me.postCode !== null;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { detail?: string; title?: string; errors?: { field: string; message: string }[] },
    /** How many seconds the server asks the client to wait (`Retry-After`), where it says. */
    readonly retryAfter: number | null = null,
  ) {
    super(problem.detail ?? `HTTP ${status}`);
  }
}

/** `Retry-After` in seconds: a number of seconds, or an HTTP date (RFC 9110 §10.2.3); null without one. */
function retryAfterOf(header: string | null): number | null {
  if (!header) return null;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** A response's body, and the refusal it is when it is not a success. */
async function answerOf(response: Response): Promise<unknown> {
  const text = await response.text();
  const json = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!response.ok) throw new ApiError(response.status, typeof json === 'object' ? json : { detail: String(json) }, retryAfterOf(response.headers.get('retry-after')));
  return json;
}

const TOKEN = 'chancery.token';
const NEXT = 'chancery.next';

/** Whether the tab has been told its session ended since it last signed in (the sign-in dialog asked for). */
let endingSaid = false;

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN);
  },
  set token(value: string | null) {
    if (value) {
      sessionStorage.setItem(TOKEN, value);
      endingSaid = false;
    } else sessionStorage.removeItem(TOKEN);
  },
  /** The page a signed-out visitor asked for, opened once they have signed in. */
  rememberDestination(hash = location.hash) {
    const path = hash.replace(/^#/, '');
    if (path && path !== '/' && !path.startsWith('/sign-in')) sessionStorage.setItem(NEXT, path);
  },
  takeDestination(): string | null {
    const next = sessionStorage.getItem(NEXT);
    sessionStorage.removeItem(NEXT);
    return next;
  },
};

const UNSAVED = 'chancery.unsaved:';

/**
 * What a user typed into a form and has not saved, kept in the tab's session storage under their id
 * (`key` names the form), so that leaving the form (another screen, Back, a reload) loses nothing:
 * the form offers it again. A sign-out forgets all of it, and someone else signing in in the tab
 * what was not theirs; the tab's closing does too.
 */
export const unsaved = {
  read<T>(userId: string, key: string): T | null {
    try {
      const stored = sessionStorage.getItem(`${UNSAVED}${userId}:${key}`);
      return stored === null ? null : (JSON.parse(stored) as T);
    } catch {
      return null;
    }
  },
  write(userId: string, key: string, value: unknown): void {
    try {
      sessionStorage.setItem(`${UNSAVED}${userId}:${key}`, JSON.stringify(value));
    } catch {
      // Storage full or refused: the form goes on; only the keeping is lost.
    }
  },
  forget(userId: string, key: string): void {
    sessionStorage.removeItem(`${UNSAVED}${userId}:${key}`);
  },
  forgetAll(): void {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(UNSAVED)) sessionStorage.removeItem(key);
  },
  /** Someone signed in: what anyone else typed in this tab is put away (it may be classified, and is not theirs). */
  forgetAllBut(userId: string): void {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(UNSAVED) && !key.startsWith(`${UNSAVED}${userId}:`)) sessionStorage.removeItem(key);
  },
};

/** Dispatched on `window` when the token is no longer good: the app asks the user to sign in again. */
export const SESSION_ENDED = 'chancery:session-ended';

/**
 * The token is no longer good (a sign-out or a password change in another window, the user's access
 * changed): the app asks for a sign-in over the screen, which stays as it is, typed text and all
 * (main.tsx), or, with no screen shown yet, on the sign-in page, back to this page after.
 */
function signInAgain(reason: string | null = null): void {
  endingSaid = true;
  session.token = null;
  dispatchEvent(new CustomEvent(SESSION_ENDED, { detail: reason }));
}

/** What a 401 says of why the token is no longer good ("This account is disabled"), if anything. */
async function refusalReason(response: Response): Promise<string | null> {
  try {
    const detail = ((await response.clone().json()) as { detail?: unknown }).detail;
    return typeof detail === 'string' ? detail : null;
  } catch {
    return null;
  }
}

/** How long after a command's answer its screen is still taking it in (reading the record again, saying what happened). */
const COMMAND_SETTLING_MS = 2_000;
let commandsUnderWay = 0;

/**
 * Whether a command (anything but a read) the user sent is under way, or was answered a moment ago:
 * its screen is then reading its outcome in, and reading the screen again meanwhile (a notice of
 * someone else's change) would mount it afresh and lose what it was about to say ("Cleared for L.").
 */
export const commandUnderWay = (): boolean => commandsUnderWay > 0;

/** Requests that change nothing a screen shows: signing in and out, a live stream's ticket. */
const NOT_COMMANDS = new Set(['/auth/login', '/auth/logout', '/events/ticket']);

/**
 * The records this tab sent commands about lately (the ids in a command's path, and the id its answer
 * names: a new draft's), and when. A live notice of the user's own doing (`mine`) is this tab's
 * only for these: the same user's other tab, which sent nothing, is told of it as of anyone's.
 */
const commanded = new Map<string, number>();
const OWN_DOING_MS = 60_000;
const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const noteCommanded = (ids: readonly string[]) => {
  const now = Date.now();
  for (const id of ids) commanded.set(id.toLowerCase(), now);
};

/** Whether this tab sent a command about the record `id` in the last minute. */
export const commandedHere = (id: string): boolean => Date.now() - (commanded.get(id.toLowerCase()) ?? -Infinity) < OWN_DOING_MS;

async function asCommand<T>(method: string, path: string, send: () => Promise<T>): Promise<T> {
  if (method === 'GET' || method === 'HEAD' || NOT_COMMANDS.has(path)) return send();
  commandsUnderWay++;
  noteCommanded(path.match(UUIDS) ?? []);
  try {
    const answer = await send();
    const named = (answer as { id?: unknown } | null)?.id;
    if (typeof named === 'string') noteCommanded([named]);
    return answer;
  } finally {
    setTimeout(() => commandsUnderWay--, COMMAND_SETTLING_MS);
  }
}

/** How long after a command's answer the same command again is taken for the same click (a double click). */
export const DOUBLE_CLICK_MS = 1_000;
/** Commands under way, and answered within `DOUBLE_CLICK_MS`, by method, path, body and `If-Match`. */
const lastSent = new Map<string, { answer: Promise<unknown>; answeredAt: number | null }>();

/**
 * `ifMatch`: the version of the record the screen showed, sent as `If-Match: "<version>"`, so that a
 * change made since by someone else is not undone or decided on unseen: the server answers 412 instead.
 * A command sent again while the same one is under way, or within `DOUBLE_CLICK_MS` of its
 * successful answer (a double click on *Save draft* or *Release now*), is not sent twice: it gets
 * the first's answer. Once refused or failed, the same command is sent again when asked for.
 */
export function api<T>(method: string, path: string, body?: unknown, options: { ifMatch?: number } = {}): Promise<T> {
  // Reads, and signing in and out (a password is kept nowhere; each sign-in gets a token of its own), are sent as asked.
  if (method === 'GET' || method === 'HEAD' || NOT_COMMANDS.has(path)) return asCommand(method, path, () => send<T>(method, path, body, options));
  const key = JSON.stringify([session.token, method, path, body ?? null, options.ifMatch ?? null]);
  const kept = lastSent.get(key);
  // Answered longer ago than a double click (a timer of a tab in the background fires late), it is sent again.
  if (kept && (kept.answeredAt === null || Date.now() - kept.answeredAt < DOUBLE_CLICK_MS)) return kept.answer as Promise<T>;
  const answer = asCommand(method, path, () => send<T>(method, path, body, options));
  const entry = { answer, answeredAt: null as number | null };
  lastSent.set(key, entry);
  // A refused or failed command is not kept: trying again (the server busy, a field corrected and put back) is sent.
  const forget = () => lastSent.get(key) === entry && lastSent.delete(key);
  answer.then(() => {
    entry.answeredAt = Date.now();
    setTimeout(forget, DOUBLE_CLICK_MS);
  }, forget);
  return answer;
}

async function send<T>(method: string, path: string, body: unknown, { ifMatch }: { ifMatch?: number }): Promise<T> {
  const headers: Record<string, string> = {};
  const sentWith = session.token;
  if (sentWith) headers.authorization = `Bearer ${sentWith}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { detail: 'The server cannot be reached; check your connection and try again.' });
  }
  // A refusal of a token the tab no longer holds (sent before a sign-out, answered after the next
  // sign-in) says nothing of the session the tab has now; nor does one of a request sent with none
  // once the tab was told its session ended (its reason, "disabled", stands, not "this route needs a
  // token"). One sent with none before that (the token taken from the tab's storage) ends the session
  // as any refused token does, with no reason: not the API's "log in at POST /auth/login".
  if (response.status === 401 && path !== '/auth/login' && path !== '/auth/password') {
    if (sentWith !== null && session.token === sentWith) signInAgain(await refusalReason(response));
    else if (sentWith === null && !endingSaid) signInAgain(null);
  }
  return (await answerOf(response)) as T;
}

/** A read that may fail (a route or field the server does not have yet): `fallback` then. */
export const maybe = <T,>(promise: Promise<T>, fallback: T): Promise<T> => promise.catch(() => fallback);

/** Sends a form with a file (multipart/form-data) with the caller's token. */
export function upload<T>(path: string, form: FormData): Promise<T> {
  return asCommand('POST', path, () => sendForm<T>(path, form));
}

async function sendForm<T>(path: string, form: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${session.token}` }, body: form });
  } catch {
    throw new ApiError(0, { detail: 'The server cannot be reached; check your connection and try again.' });
  }
  return (await answerOf(response)) as T;
}

/** Downloads a file (CSV export, a delivery's document) with the caller's token. */
export async function download(path: string, filename: string): Promise<void> {
  let response: Response;
  let body: Blob;
  try {
    const sentWith = session.token;
    response = await fetch(path, { headers: { authorization: `Bearer ${sentWith}` } });
    if (response.status === 401 && sentWith !== null && session.token === sentWith) signInAgain(await refusalReason(response));
    if (!response.ok) throw new ApiError(response.status, { detail: STATUS_TEXT[response.status] ?? `The download failed (${response.status}).` });
    body = await response.blob();
  } catch (failure) {
    if (failure instanceof ApiError) throw failure;
    throw new ApiError(0, { detail: STATUS_TEXT[0] });
  }
  const url = URL.createObjectURL(body);
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  URL.revokeObjectURL(url);
}

/** Field names as people say them. */
const FIELD_NAMES: Record<string, string> = {
  dueOn: 'Due date', reportBy: 'Report-by date', deliveredOn: 'Delivery date', receivedOn: 'Date the response came', actionAddressees: 'Action addressees',
  infoAddressees: 'Info addressees', classifiedBy: 'Classification block', declassifyOn: 'Declassify-on date', postCode: 'Post', displayName: 'Display name',
  newPassword: 'New password', currentPassword: 'Current password', countryTag: 'Country tag', subjectMarking: 'Subject marking', reportingCableId: 'Reporting cable',
  demarcheId: 'Campaign', cableId: 'Cable',
};

/** Labels a form gives its fields, by the field's name in the request: `{ on: 'Met on' }`. */
export type Labels = Readonly<Record<string, string>>;

export const fieldName = (field: string, labels: Labels = {}) => {
  const last = field.split('.').pop()!.replace(/\[\d+\]$/, '');
  const known = labels[field] ?? labels[last] ?? FIELD_NAMES[last];
  if (known) return known;
  const words = last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A message that says what the field must be ("must be a date"): the field's name goes before it. */
const PREDICATE = /^(must|cannot|can|is|are|should|needs|has|may|was|does)\b/;

/** One validation message in plain words: the field by its label, class-validator's jargon rephrased. */
/**
 * What a message says after the field's name as the API spells it, when it begins with it
 * ("reportBy 2026-12-01 has passed" → "2026-12-01 has passed"); null when it does not.
 */
export function afterFieldName(field: string, message: string): string | null {
  const raw = field.split('.').pop() ?? field;
  return raw && message.startsWith(`${raw} `) ? message.slice(raw.length + 1) : null;
}

export function plainMessage(field: string, message: string, labels: Labels = {}): string {
  const name = fieldName(field, labels);
  // A message that names its field, then what is wrong with its value: "reportBy: 2027-02-30 is no day of the calendar".
  const raw = field.split('.').pop() ?? field;
  if (raw && message.trim().startsWith(`${raw}: `)) return `${name}: ${message.trim().slice(raw.length + 2).replace(/\.$/, '')}.`;
  // A message that names its field first ("reportBy 2026-12-01 has passed") is about that field, said by its label.
  const rest = afterFieldName(field, message.trim());
  const named = rest !== null;
  const text = (rest ?? message.trim())
    .replace(/must be longer than or equal to 1 characters?/, 'cannot be empty')
    .replace(/must be longer than or equal to (\d+) characters?/, 'needs at least $1 characters')
    .replace(/must be shorter than or equal to (\d+) characters?/, 'can have at most $1 characters')
    .replace(/must be a date, not in the future/, 'cannot be in the future')
    .replace(/must be (?:a date, )?YYYY-MM-DD/, 'must be a date')
    .replace(/must be an ISO 8601 instant/, 'must be a date')
    .replace(/should not be empty/, 'cannot be empty')
    .replace(/must be one of the following values: (.*)/, 'must be one of $1')
    .replace(/^is a BCP 47 tag such as/, 'must be a language code such as')
    .replace(/^property .* should not exist$/, 'is not expected here')
    // The API's routes mean nothing to the people using the forms.
    .replace(/\s*\((?:GET|POST|PATCH|PUT|DELETE) \/[^)]*\)/g, '')
    .replace(/\.$/, '');
  // A message that is a sentence of its own ("XYZ is not an office…", "say why…") is not put after the field's name.
  return named || PREDICATE.test(text) ? `${name} ${text}.` : `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

const STATUS_TEXT: Record<number, string> = {
  0: 'The server cannot be reached; check your connection and try again.',
  403: 'You are not allowed to do this.',
  404: 'This record does not exist, or it was removed.',
  409: 'Someone changed this at the same moment; reload the page and try again.',
  412: 'Someone changed this since you opened it; reload the page and try again.',
  429: 'Too many attempts; wait a minute and try again.',
};

/** A change refused because the record changed since the screen read it (`If-Match` no longer holds). */
export const isStale = (failure: unknown): boolean => failure instanceof ApiError && failure.status === 412;

/** A value as JSON with object keys in one order, an absent value as null: equal values, equal text. */
export const canonical = (value: unknown): string =>
  JSON.stringify(value ?? null, (_, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

/**
 * What a merge patch (RFC 7396) needs to say: the fields of `edited` whose value differs from
 * `shown`'s (the record as the form read it), so that a field someone else changed is not sent back.
 */
export function changedFields<T extends object>(shown: object, edited: T): Partial<T> {
  const before = shown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(edited).filter(([field, value]) => canonical(value) !== canonical(before[field]))) as Partial<T>;
}

/**
 * The merge patch (RFC 7396) that makes `edited` of `shown` (the record as the form read it), by the
 * library the server applies it with: what the form changed and nothing else, down to a member
 * inside an object, a member taken away sent as null (an object sent whole is merged member by
 * member, and the server would keep what it lacks). `{}` when nothing changed.
 */
export function mergePatch(shown: object, edited: object): Record<string, unknown> {
  // Both as JSON, as the server reads them: an undefined member is no member.
  const json = (value: object): unknown => JSON.parse(JSON.stringify(value));
  return (jsonMergePatch.generate(json(shown), json(edited)) ?? {}) as Record<string, unknown>;
}

/**
 * A change to a record as the screen shows it (`shown`), sent on its version (`If-Match`). A 412
 * says only that the record moved on, often for what the screen does not show (its user signed out,
 * another office cleared, the overdue scan ran, someone commented): the record is read again
 * (`read`), and if what the user saw and acts on (`seen`) is as shown, the change is sent once more,
 * on the new version. Otherwise the 412 stands: someone changed what the change was made on.
 */
export async function sendOnVersionShown<T, R extends { version: number }>(
  method: string, path: string, body: unknown, shown: R, { read, seen }: { read: string; seen: (record: R) => unknown },
): Promise<T> {
  try {
    return await api<T>(method, path, body, { ifMatch: shown.version });
  } catch (failure) {
    if (!isStale(failure)) throw failure;
    const latest = await maybe(api<R>('GET', read), null);
    if (!latest || canonical(seen(latest)) !== canonical(seen(shown))) throw failure;
    return api<T>(method, path, body, { ifMatch: latest.version });
  }
}

/** What went wrong, in plain words: each field's problem, or the server's explanation. */
export function problemText(failure: unknown, labels: Labels = {}): string {
  if (!(failure instanceof ApiError)) return 'Something went wrong in the page; reload it and try again.';
  const fields = failure.problem.errors?.map((e) => plainMessage(e.field, e.message, labels));
  if (fields?.length) return fields.join(' ');
  if (failure.status === 403 && !failure.problem.detail) return STATUS_TEXT[403];
  // Said in the API's terms ("log in at POST /auth/login", "followups.create needs one of the roles …"): in the page's words instead.
  if (failure.status === 401 && /bearer token|\/auth\/login/i.test(failure.problem.detail ?? '')) return 'Your session has ended: sign in again.';
  if (failure.status === 403 && /^Not allowed: [a-z]+\.[a-z]+ needs one of the roles /.test(failure.problem.detail ?? '')) return 'Your roles do not allow this.';
  // The server's detail names streams and versions ("cable … is at version 5, not 3"): said in plain words instead.
  if (isStale(failure)) return STATUS_TEXT[412];
  if (failure.status >= 500) return 'The server could not do this just now; try again in a moment.';
  const detail = failure.problem.detail && !/^HTTP \d+$/.test(failure.problem.detail) ? failure.problem.detail : null;
  // Refused for too many tries: when the server says how long to wait, say until when (its "in 873 s" says it badly).
  if (failure.status === 429 && failure.retryAfter !== null) {
    const why = (detail ?? 'Too many attempts').replace(/[;,.]?\s*try again in \d+\s*s(?:econds)?\.?$/i, '');
    return `${why.charAt(0).toUpperCase()}${why.slice(1)}. Try again ${waitText(failure.retryAfter)}.`;
  }
  if (detail) {
    const plain = detail.replace(STATUS_CONSTANT, (status) => words(status));
    return plain.charAt(0).toUpperCase() + plain.slice(1) + (/[.!?]$/.test(plain) ? '' : '.');
  }
  return STATUS_TEXT[failure.status] ?? `The request failed (${failure.status}).`;
}

/**
 * The statuses the API names in its refusals ("The delivery is DELIVERED; …"), said in words as
 * everywhere else ("The delivery is delivered; …"). Only these: a code such as TOKYO, EAP or NODIS is
 * a name, kept as written.
 */
const STATUS_CONSTANT = new RegExp(
  `\\b(${['NOT_DELIVERED', 'DELIVERED', 'RESPONDED', 'PENDING_APPROVAL', 'PENDING', 'IN_CLEARANCE', 'DRAFT', 'APPROVED', 'RELEASED', 'CANCELLED', 'IN_PROGRESS', 'OPEN', 'DONE', 'STALE', 'CLEARED_WITH_COMMENTS', 'CLEARED', 'NON_CONCUR', 'SUSPENDED', 'CLOSED'].join('|')})\\b`,
  'g',
);

/** A wait in words, and until when (UTC, as the service keeps time): "in 15 minutes, at 14:20 UTC". */
function waitText(seconds: number): string {
  if (seconds < 60) return seconds <= 1 ? 'in a moment' : `in ${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  // The whole minute from which a try is taken again.
  const at = new Date(Math.ceil((Date.now() + seconds * 1000) / 60_000) * 60_000);
  const clock = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')} UTC`;
  return `in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}, at ${clock}`;
}

/**
 * A refusal's problems for a form that says each beside its field: `place` names where the form
 * shows a field of the request (`demarche.reportBy` → `report-by`), or null where it shows none.
 * `beside` holds the plain words by place; `rest` what no field of the form can hold (the whole
 * problem when it names no field), null when everything has its place.
 */
export function placeProblems(failure: unknown, place: (field: string) => string | null, labels: Labels = {}): { beside: Record<string, string>; rest: string | null } {
  const errors = failure instanceof ApiError ? failure.problem.errors ?? [] : [];
  if (errors.length === 0) return { beside: {}, rest: failure === null || failure === undefined ? null : problemText(failure, labels) };
  const beside: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const e of errors) {
    const text = plainMessage(e.field, e.message, labels);
    const where = place(e.field);
    if (where) beside[where] = beside[where] ? `${beside[where]} ${text}` : text;
    else unplaced.push(text);
  }
  return { beside, rest: unplaced.length > 0 ? unplaced.join(' ') : null };
}

/** What a form says once about a refusal it placed beside its fields: "Not saved. … See what is said beside the field." */
export function refusalText(outcome: string, problems: { beside: Record<string, string>; rest: string | null }): string {
  const placed = Object.keys(problems.beside).length;
  return [outcome, problems.rest, placed > 0 ? `See what is said beside ${placed === 1 ? 'the field' : 'the fields'}.` : null].filter(Boolean).join(' ');
}

let departmentTimeZone = 'UTC';

/** The Department's calendar, as the signed-in user's `/auth/me` names it. */
export function followDepartmentCalendar(me: Pick<Me, 'departmentTimeZone'>): void {
  departmentTimeZone = me.departmentTimeZone ?? 'UTC';
}

/**
 * Today on the Department's calendar (`DEPARTMENT_TIME_ZONE`, Washington's by default), as the
 * server judges the dates it holds to be today or later (a demarche's report-by date, a follow-up's
 * due date) and overdue: a day the server has left behind is refused, so a form checking "not
 * before today" asks no less than the server does, and no more.
 */
export const today = () => dayIn(new Date(), departmentTimeZone);

/** Today in UTC: the last day the dashboard replays to (its days are UTC's, each to 23:59:59.999Z). */
export const utcToday = () => utcDate(new Date());

/** Today on the user's own calendar (their computer's time zone): the day a post's meeting or answer happened, by default. */
export function localToday(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/**
 * The latest day anywhere (UTC+14, Kiribati), the server's bound for a date that must not be in
 * the future: a post east of Greenwich is on tomorrow's UTC date for part of the UTC day.
 */
export const latestDay = () => new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10);

/** A date-time for people: "30 Nov 2026, 14:05 UTC" (the service runs on UTC, as cables do). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const time = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${time} UTC`;
}

/** Constants whose words alone say them badly. */
const PHRASES: Record<string, string> = {
  NON_CONCUR: 'does not concur', NIACT_IMMEDIATE: 'NIACT immediate', NON_PAPER: 'non-paper', AIDE_MEMOIRE: 'aide-mémoire',
};

/**
 * The one way a constant of the API (a status, decision, position, level, method, kind) is shown to
 * people: CLEARED_WITH_COMMENTS as "cleared with comments", NON_CONCUR as "does not concur";
 * `capital` for a value that stands alone, as in a table cell ("Cleared with comments").
 */
export function words(value: string | null | undefined, { capital = false } = {}): string {
  const text = value ? PHRASES[value] ?? value.replace(/_/g, ' ').toLowerCase() : '';
  return capital ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
