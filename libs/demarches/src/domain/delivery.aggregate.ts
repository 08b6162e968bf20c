import { ChanceryError, CONTROL_CHARACTERS, ensure, ensureCalendarDate, ErrorCode, LINE_OR_ORDER_BREAKING, showsText } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';

import { type DocumentKind, LANGUAGE_TAG_RULE, languageTag, type Level, type Method, type Position } from './vocabulary.js';

export { DOCUMENT_KINDS, type DocumentKind, LANGUAGE_TAG_RULE, languageTag, LEVELS, type Level, METHODS, type Method, POSITIONS, type Position } from './vocabulary.js';
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'RESPONDED' | 'NOT_DELIVERED';

export interface Counterpart {
  name: string;
  title: string;
  organization: string;
}

export interface Delivered {
  deliveredOn: string;
  counterpart: Counterpart;
  level: Level;
  method: Method;
}

/** The counterpart's words as said (`language`: a BCP 47 tag such as `zh`), and an English translation. */
export interface Quote {
  text: string;
  language?: string;
  translation?: string;
}

export interface Response {
  receivedOn: string;
  position: Position;
  summary: string;
  quotes: Quote[];
  reportingCableId: string | null;
  /** The number of an earlier response this one corrects (that one then no longer counts). */
  corrects?: number | null;
}

/** One meeting (or note, or call) with the counterpart. The first is the delivery itself. */
export interface Contact {
  on: string;
  counterpart: Counterpart;
  level: Level;
  method: Method;
  by: string;
  at: string | null;
}

/** A response as the delivery keeps it: numbered from 1 in the order logged. */
export interface LoggedResponse {
  number: number;
  receivedOn: string;
  position: Position;
  summary: string;
  quotes: Quote[];
  reportingCableId: string | null;
  /** In a reader's view only: a reporting cable is named on it that this reader may not read (`reportingCableId` is then null). */
  reportingCableWithheld?: true;
  corrects: number | null;
  correctedBy: number | null;
  by: string;
  at: string | null;
}

export interface DocumentFacts {
  documentId: string;
  name: string;
  kind: DocumentKind;
  mediaType: string;
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}

export interface AttachedDocument extends DocumentFacts {
  by: string;
  at: string | null;
}

type By = { by: string };
type At = { at: string };
export type DeliveryEvent =
  // `at` is absent from events written before it existed.
  | DomainEvent<'DemarcheDelivered', Delivered & By & Partial<At>>
  | DomainEvent<'ContactRecorded', Omit<Contact, 'at'> & At>
  // v2: numbered, quotes with language and translation, `corrects`, `at` (v1 is upcast: the only response, number 1).
  | DomainEvent<'ResponseLogged', { number: number; receivedOn: string; position: Position; summary: string; quotes: Quote[]; reportingCableId: string | null; corrects: number | null; at: string | null } & By>
  | DomainEvent<'ReportingCableAttached', { response: number; reportingCableId: string } & By & At>
  | DomainEvent<'DemarcheNotDelivered', { reason: string } & By & Partial<At>>
  | DomainEvent<'DocumentAttached', DocumentFacts & By & At>
  | DomainEvent<'DeliveryBecameOverdue', { reportBy: string; at: string }>;

/** A delivery's record over time, as every reader folds it (the aggregate, the read model, the dashboard's replay). */
export interface DeliveryState {
  status: DeliveryStatus;
  contacts: Contact[];
  responses: LoggedResponse[];
  documents: AttachedDocument[];
  notDeliveredReason: string | null;
  overdueSince: string | null;
}

export function blankDelivery(): DeliveryState {
  return { status: 'PENDING', contacts: [], responses: [], documents: [], notDeliveredReason: null, overdueSince: null };
}

/**
 * Folds one event into a delivery's state (a new object; arrays copied where they change).
 * `recordedAt` stands in for the `at` of events written before they carried one.
 */
export function evolveDelivery(state: DeliveryState, event: DeliveryEvent, recordedAt: string | null = null): DeliveryState {
  const { status, contacts, responses, documents, notDeliveredReason, overdueSince } = state;
  // Each state built field by field: `{ ...state, status }` takes V8's slow path, and a rebuild folds a million events.
  switch (event.type) {
    case 'DemarcheDelivered': {
      const { deliveredOn, counterpart, level, method, by } = event.data;
      // Delivered (again, after not delivered): the earlier not-delivered record stays in the history.
      const contact: Contact = { on: deliveredOn, counterpart, level, method, by, at: event.data.at ?? recordedAt };
      return { status: 'DELIVERED', contacts: [...contacts, contact], responses, documents, notDeliveredReason: null, overdueSince };
    }
    case 'ContactRecorded':
      return { status, contacts: [...contacts, { ...event.data }], responses, documents, notDeliveredReason, overdueSince };
    case 'ResponseLogged': {
      const d = event.data;
      const logged: LoggedResponse = { number: d.number, receivedOn: d.receivedOn, position: d.position, summary: d.summary, quotes: d.quotes, reportingCableId: d.reportingCableId, corrects: d.corrects ?? null, correctedBy: null, by: d.by, at: d.at ?? recordedAt };
      const kept = responses.map((r) => (r.number === logged.corrects ? { ...r, correctedBy: logged.number } : r));
      return { status: 'RESPONDED', contacts, responses: [...kept, logged], documents, notDeliveredReason, overdueSince };
    }
    case 'ReportingCableAttached': {
      const attached = responses.map((r) => (r.number === event.data.response ? { ...r, reportingCableId: event.data.reportingCableId } : r));
      return { status, contacts, responses: attached, documents, notDeliveredReason, overdueSince };
    }
    case 'DemarcheNotDelivered':
      return { status: 'NOT_DELIVERED', contacts, responses, documents, notDeliveredReason: event.data.reason, overdueSince };
    case 'DocumentAttached':
      return { status, contacts, responses, documents: [...documents, { ...event.data }], notDeliveredReason, overdueSince };
    case 'DeliveryBecameOverdue':
      return { status, contacts, responses, documents, notDeliveredReason, overdueSince: event.data.at };
    default:
      return assertNoEvent(event);
  }
}

function assertNoEvent(event: never): never {
  throw new Error(`Unknown delivery event ${(event as { type: string }).type}`);
}

/** The responses that stand: those no later response corrected, in the order they were said (then logged). */
export function standingResponses(state: Pick<DeliveryState, 'responses'>): LoggedResponse[] {
  return state.responses.filter((r) => r.correctedBy === null).sort((a, b) => (a.receivedOn < b.receivedOn ? -1 : a.receivedOn > b.receivedOn ? 1 : a.number - b.number));
}

/** The counterpart's position now: that of the latest standing response. */
export function currentResponse(state: Pick<DeliveryState, 'responses'>): LoggedResponse | null {
  const standing = standingResponses(state);
  return standing.length > 0 ? standing[standing.length - 1] : null;
}

/** The position moved: the latest standing response says otherwise than the first. */
export function positionChanged(state: Pick<DeliveryState, 'responses'>): boolean {
  const standing = standingResponses(state);
  return standing.length > 1 && standing[0].position !== standing[standing.length - 1].position;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** The id of a post's delivery in a campaign: one stream per post, so posts never contend. */
export function deliveryId(campaignId: string, post: string): string {
  return `${campaignId}:${post}`;
}

/**
 * One post's delivery of a demarche, kept as posts keep it: delivered in one or more meetings,
 * answered (perhaps several times, the position moving), documents left behind; or not delivered,
 * and perhaps delivered later. Nothing is rewritten: a correction is a new response that says
 * which one it corrects.
 */
/** The days a meeting's date is judged by: not after today, not before the post was tasked (its campaign opened). */
export interface MeetingDays {
  today: string;
  taskedOn: string;
}

export class Delivery extends EventSourcedAggregate<DeliveryEvent> {
  state: DeliveryState = blankDelivery();

  get status(): DeliveryStatus {
    return this.state.status;
  }

  /** The day it was delivered, its first meeting: later meetings and the responses come on or after it. */
  private get deliveredOn(): string {
    return this.state.contacts[0].on;
  }

  deliver(details: Delivered, by: string, days: MeetingDays, at: string): void {
    if (this.state.status !== 'PENDING' && this.state.status !== 'NOT_DELIVERED') {
      throw new ChanceryError(ErrorCode.InvalidTransition, `The delivery is ${this.state.status}; record another meeting as a contact`, { status: this.state.status });
    }
    this.contact('deliveredOn', details.deliveredOn, details.counterpart, days);
    this.apply({ type: 'DemarcheDelivered', data: { ...details, by, at } });
  }

  recordContact(contact: { on: string; counterpart: Counterpart; level: Level; method: Method }, by: string, days: MeetingDays, at: string): void {
    if (this.state.status !== 'DELIVERED' && this.state.status !== 'RESPONDED') {
      throw new ChanceryError(ErrorCode.InvalidTransition, `The delivery is ${this.state.status}; record the delivery first`, { status: this.state.status });
    }
    this.contact('on', contact.on, contact.counterpart, days);
    ensure(contact.on >= this.deliveredOn, 'on', `another meeting cannot come before the delivery (${this.deliveredOn})`);
    this.apply({ type: 'ContactRecorded', data: { ...contact, by, at } });
  }

  logResponse(response: Response, by: string, today: string, at: string): void {
    if (this.state.status === 'PENDING' || this.state.status === 'NOT_DELIVERED') {
      throw new ChanceryError(ErrorCode.InvalidTransition, 'Record the delivery before the response', { status: this.state.status });
    }
    ensureCalendarDate(response.receivedOn, 'receivedOn');
    ensure(response.receivedOn <= today, 'receivedOn', 'receivedOn must be a date, not in the future');
    ensure(response.receivedOn >= this.deliveredOn, 'receivedOn', 'the response cannot come before the delivery');
    ensure(showsText(response.summary), 'summary', 'summarize what the counterpart said');
    response.quotes.forEach((quote, i) => {
      ensure(showsText(quote.text), `quotes[${i}].text`, 'a quote needs the words said');
      ensure(quote.language === undefined || languageTag(quote.language) !== undefined, `quotes[${i}].language`, LANGUAGE_TAG_RULE);
      ensure(quote.translation === undefined || showsText(quote.translation), `quotes[${i}].translation`, 'a translation cannot be blank');
    });
    const corrects = response.corrects ?? null;
    if (corrects !== null) {
      const earlier = this.state.responses.find((r) => r.number === corrects);
      ensure(earlier !== undefined, 'corrects', `there is no response ${corrects} to correct`);
      ensure(earlier!.correctedBy === null, 'corrects', `response ${corrects} was already corrected by response ${earlier!.correctedBy}`);
    }
    // A language is kept in its canonical form (`EN` as `en`), as BCP 47 compares tags.
    const quotes = response.quotes.map((q) => ({ text: q.text, ...(q.language ? { language: languageTag(q.language) } : {}), ...(q.translation ? { translation: q.translation.trim() } : {}) }));
    this.apply({
      type: 'ResponseLogged',
      data: { number: this.state.responses.length + 1, receivedOn: response.receivedOn, position: response.position, summary: response.summary, quotes, reportingCableId: response.reportingCableId, corrects, by, at },
    });
  }

  /** The reporting cable that reported a response, when it comes after it. Given once per response. */
  attachReportingCable(response: number, reportingCableId: string, by: string, at: string): void {
    const logged = this.state.responses.find((r) => r.number === response);
    if (!logged) throw new ChanceryError(ErrorCode.NotFound, `There is no response ${response}`);
    if (logged.reportingCableId === reportingCableId) return;
    // A corrected response no longer counts: its correction is the one a reporting cable reports.
    ensure(logged.correctedBy === null, 'response', `response ${response} was corrected by response ${logged.correctedBy}: name the reporting cable on that one`);
    ensure(logged.reportingCableId === null, 'reportingCableId', `response ${response} already names its reporting cable`);
    this.apply({ type: 'ReportingCableAttached', data: { response, reportingCableId, by, at } });
  }

  /**
   * A document left behind (a non-paper, a note): whatever the delivery's state. Its name is a line
   * its readers go by, held as names and titles are: something shown before its extension, no
   * control character, no bidirectional control (`report\u202Efdp.txt` shows as `reporttxt.pdf`),
   * and valid UTF-8 (a byte that is not arrives as U+FFFD).
   */
  attachDocument(document: DocumentFacts, by: string, at: string): void {
    const { name } = document;
    const stem = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
    ensure(showsText(stem) && name.length <= 255, 'file', 'the file needs a name of at most 255 characters, with something shown before its extension');
    ensure(!CONTROL_CHARACTERS.test(name) && !LINE_OR_ORDER_BREAKING.test(name), 'file', "the file's name must not hold a control character, a line break or a bidirectional control (U+202A to U+202E, U+2066 to U+2069)");
    ensure(!name.includes('\uFFFD'), 'file', "the file's name is not valid UTF-8: send it encoded as UTF-8");
    ensure(document.size > 0, 'file', 'the file is empty');
    ensure(SHA256.test(document.sha256), 'file', 'the digest must be a SHA-256');
    this.apply({ type: 'DocumentAttached', data: { ...document, by, at } });
  }

  notDelivered(reason: string, by: string, at: string): void {
    if (this.state.status !== 'PENDING') throw new ChanceryError(ErrorCode.InvalidTransition, `The delivery is ${this.state.status}; it cannot be recorded as not delivered`, { status: this.state.status });
    ensure(showsText(reason), 'reason', 'say why the demarche was not delivered');
    this.apply({ type: 'DemarcheNotDelivered', data: { reason: reason.trim(), by, at } });
  }

  /** Records, once, that the report-by date passed (the Department's `today` at `now`) with no response or not-delivered record. */
  markOverdue(reportBy: string, now: string, today: string = now.slice(0, 10)): void {
    if (this.state.overdueSince || this.state.status === 'RESPONDED' || this.state.status === 'NOT_DELIVERED') return;
    if (today <= reportBy) return;
    this.apply({ type: 'DeliveryBecameOverdue', data: { reportBy, at: now } });
  }

  protected override evolve(event: DeliveryEvent): void {
    this.state = evolveDelivery(this.state, event);
  }

  private contact(field: string, on: string, counterpart: Counterpart, { today, taskedOn }: MeetingDays): void {
    ensureCalendarDate(on, field);
    ensure(on <= today, field, `${field} must be a date, not in the future`);
    ensure(on >= taskedOn, field, `${field} cannot be before the post was tasked (${taskedOn})`);
    ensure([counterpart.name, counterpart.title, counterpart.organization].every((s) => showsText(s)), 'counterpart', 'name the counterpart: name, title, organization');
  }
}

/** ResponseLogged v1 (one response per delivery, quotes as strings) to v2. */
export const responseLoggedV1Upcaster = {
  type: 'ResponseLogged',
  fromSchemaVersion: 1,
  upcast(data: unknown) {
    const v1 = data as { receivedOn: string; position: Position; summary: string; quotes?: string[]; reportingCableId?: string | null; by: string };
    // Field by field, not `{ ...v1, number: 1, … }`: V8 builds a spread followed by more properties on a
    // slow path (~50 times slower here), and a rebuild upcasts every v1 response.
    return {
      data: { number: 1, receivedOn: v1.receivedOn, position: v1.position, summary: v1.summary, quotes: (v1.quotes ?? []).map((text) => ({ text })), reportingCableId: v1.reportingCableId ?? null, corrects: null, by: v1.by, at: null },
    };
  },
};

/**
 * A delivery folded one step by an event row read straight from the events table (past reads and
 * replays that skip the store's upcaster registry): a version-1 ResponseLogged upcast first.
 */
export function evolveDeliveryRow(state: DeliveryState, row: { type: string; schema_version: number; data: unknown }, recordedAt: string): DeliveryState {
  const data = row.type === 'ResponseLogged' && row.schema_version === 1 ? responseLoggedV1Upcaster.upcast(row.data).data : row.data;
  return evolveDelivery(state, { type: row.type, data } as DeliveryEvent, recordedAt);
}

export const deliveryDefinition: AggregateDefinition<Delivery> = {
  streamType: 'delivery',
  schemaVersions: { DemarcheDelivered: 1, ContactRecorded: 1, ResponseLogged: 2, ReportingCableAttached: 1, DemarcheNotDelivered: 1, DocumentAttached: 1, DeliveryBecameOverdue: 1 },
  blank: (id) => new Delivery(id),
};
