import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { Clock, DepartmentCalendar } from '@chancery/common';
import { type Db, pageAndCount, prepared, sql } from '@chancery/database';
import { EventStore } from '@chancery/event-store';
import { PolicyService } from '@chancery/identity';
import { type Principal, readableCableSql } from '@chancery/identity/domain';
import { countInto, type DeliveryCount, type DeliverySummary, emptySummary, isOverdue, summarizeCounts } from './domain/summary.js';
import {
  type AttachedDocument, blankDelivery, type Contact, currentResponse, type DeliveryState, type DeliveryStatus, evolveDeliveryRow, type LoggedResponse,
  positionChanged, type Quote,
} from './domain/delivery.aggregate.js';
import type { CampaignScope } from './domain/campaign.aggregate.js';

export interface DeliveryView {
  post: string;
  status: string;
  overdue: boolean;
  /** The delivery: the first contact. */
  deliveredOn: string | null;
  counterpart: { name: string; title: string; organization: string } | null;
  level: string | null;
  method: string | null;
  /** The current response: the latest standing one. */
  receivedOn: string | null;
  position: string | null;
  summary: string | null;
  quotes: Quote[];
  reportingCableId: string | null;
  /** The latest standing response's position differs from the first's. */
  positionChanged: boolean;
  notDeliveredReason: string | null;
  /** When the scheduler recorded it as overdue. */
  overdueSince: string | null;
  contacts: Contact[];
  responses: LoggedResponse[];
  documents: (AttachedDocument & { href: string })[];
  /** The reporting cables its responses name, those the caller may read, with their MRNs. */
  reportingCables: { response: number; cableId: string; mrn: string | null }[];
  /** The officers its meetings, responses and documents name (`by`), by id. */
  people: Record<string, Person>;
  version: number;
}

/** An officer as a delivery's readers see them: who logged what. */
export interface Person {
  username: string;
  displayName: string;
}

/**
 * A delivery's view from its folded state: the one shape commands and reads answer. `readable`
 * holds the reporting cables its reader may read (id to MRN, `DemarchesQuery.readableMrns`): a
 * response naming another cable answers `reportingCableId: null` with `reportingCableWithheld: true`
 * (so that nobody is offered to attach one to it, and refused), and that cable is not listed (a
 * reporting cable is often more sensitive than its campaign).
 */
export function deliveryView(
  campaign: { id: string; reportBy: string },
  post: string,
  folded: DeliveryState,
  version: number,
  today: string,
  readable: ReadonlyMap<string, string>,
  people: ReadonlyMap<string, Person> = new Map(),
): DeliveryView {
  const state = withReadableCables(folded, readable);
  const delivered = state.contacts[0];
  const response = currentResponse(state);
  return {
    post,
    status: state.status,
    overdue: isOverdue(state.status, campaign.reportBy, today),
    deliveredOn: delivered?.on ?? null,
    counterpart: delivered?.counterpart ?? null,
    level: delivered?.level ?? null,
    method: delivered?.method ?? null,
    receivedOn: response?.receivedOn ?? null,
    position: response?.position ?? null,
    summary: response?.summary ?? null,
    quotes: response?.quotes ?? [],
    reportingCableId: response?.reportingCableId ?? null,
    positionChanged: positionChanged(state),
    notDeliveredReason: state.notDeliveredReason,
    overdueSince: state.overdueSince,
    contacts: state.contacts,
    responses: state.responses,
    documents: state.documents.map((d) => ({ ...d, href: `/demarches/${campaign.id}/deliveries/${post}/documents/${d.documentId}` })),
    reportingCables: state.responses.flatMap((r) => (r.reportingCableId ? [{ response: r.number, cableId: r.reportingCableId, mrn: readable.get(r.reportingCableId) ?? null }] : [])),
    people: Object.fromEntries(officersOf(state).flatMap((id) => (people.has(id) ? [[id, people.get(id)!]] : []))),
    version,
  };
}

/** The officers a delivery's records name. */
export function officersOf(state: Pick<DeliveryState, 'contacts' | 'responses' | 'documents'>): string[] {
  return [...new Set([...state.contacts, ...state.responses, ...state.documents].map((record) => record.by))];
}

/** The reporting cables a delivery's responses name. */
export function citedCables(responses: readonly LoggedResponse[]): string[] {
  return responses.flatMap((r) => (r.reportingCableId ? [r.reportingCableId] : []));
}

/** The state with every reporting cable its reader may not read taken out of its responses. */
function withReadableCables(state: DeliveryState, readable: ReadonlyMap<string, string>): DeliveryState {
  if (state.responses.every((r) => r.reportingCableId === null || readable.has(r.reportingCableId))) return state;
  const responses = state.responses.map((r) => (r.reportingCableId === null || readable.has(r.reportingCableId) ? r : { ...r, reportingCableId: null, reportingCableWithheld: true as const }));
  return { ...state, responses };
}

/**
 * A delivery event as a reader of its campaign sees it in a history: one that names a reporting
 * cable the reader may not read says no cable (`ResponseLogged`), or, having nothing else to say
 * (`ReportingCableAttached`), keeps its place, type and time without its data or actor
 * (`withheld`), as a cable's history keeps an event its reader may not read.
 */
export function readableEventData(type: string, data: unknown, readable: ReadonlyMap<string, string>): { data: unknown; withheld: boolean } {
  const cited = (data as { reportingCableId?: unknown } | null)?.reportingCableId;
  if (typeof cited !== 'string' || readable.has(cited)) return { data, withheld: false };
  if (type === 'ReportingCableAttached') return { data: null, withheld: true };
  return { data: { ...(data as object), reportingCableId: null }, withheld: false };
}

interface DeliveryRow {
  post: string;
  status: DeliveryStatus;
  contacts: Contact[];
  responses: LoggedResponse[];
  documents: AttachedDocument[];
  not_delivered_reason: string | null;
  overdue_since: Date | null;
  version: number;
}

export interface CampaignRow {
  id: string;
  cableId: string;
  mrn: string;
  subject: string;
  classification: string;
  captions: string[];
  reportBy: string;
  targets: string;
  posts: string[];
  openedAt: string;
  scope: CampaignScope | null;
}

/** A `date` column, read as its text (`calendarDatesAsText`). */
const dateOf = (value: unknown) => value as string | null;

/**
 * Campaigns and deliveries. Summaries are counted from the delivery rows when asked, so they are
 * exact right after any write and no row is shared by the posts writing at once.
 */
@Injectable()
export class DemarchesQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
    private readonly policy: PolicyService,
    private readonly store: EventStore,
  ) {}

  /** The campaigns the principal may read, newest first; `filter.post`: only those that task that post. */
  async list(principal: Principal, limit: number, offset: number, requestId: string, filter: { post?: string } = {}) {
    // A campaign is read under the cable that opened it, as that cable stands now.
    const access = readableCableSql(principal, 1);
    const post = filter.post ?? null;
    // The page and its total from one snapshot (pageAndCount).
    const { rows, counts } = await pageAndCount<Record<string, unknown>>(this.dataSource, {
      columns: 'c.id, c.cable_id, c.mrn, c.subject, c.classification, c.report_by::text AS report_by, c.opened_at, c.counts',
      from: `demarche_campaigns c JOIN cables k ON k.id = c.cable_id WHERE ${access.where} AND ($9::text IS NULL OR $9::text = ANY(c.posts))`,
      order: [['c.opened_at', 'DESC'], ['c.id']],
      params: [...access.params, post],
      limit,
      offset,
    });
    const { total } = counts;
    const today = this.calendar.today();
    await this.policy.auditListRead(principal, { requestId, view: 'campaigns', records: rows.map((row) => ({ streamId: `campaign-${row.id}`, classification: row.classification as string })) });
    return {
      items: rows.map((row) => ({
        id: row.id,
        cableId: row.cable_id,
        mrn: row.mrn,
        subject: row.subject,
        classification: row.classification,
        reportBy: row.report_by,
        openedAt: (row.opened_at as Date).toISOString(),
        summary: summarizeCounts(row.counts as DeliveryCount[], row.report_by as string, today),
      })),
      total,
    };
  }

  /**
   * A campaign's events and its deliveries', in the feed's order: the opening, then each post's
   * delivery, contacts, responses, documents or not-delivered record, each with the post's status
   * and current position after it. The delivery streams are named by the
   * campaign's posts, so each is an index lookup.
   */
  async history(principal: Principal, campaign: CampaignRow): Promise<{ at: string; type: string; post: string | null; version: number; data: unknown; status?: string; position?: string | null }[]> {
    const streams = [`campaign-${campaign.id}`, ...campaign.posts.map((post) => `delivery-${campaign.id}:${post}`)];
    const rows = await sql<{ stream_id: string; stream_version: number; type: string; schema_version: number; recorded_at: Date; data: unknown }>(
      this.dataSource,
      `SELECT stream_id, stream_version, type, schema_version, recorded_at, data FROM events
       WHERE stream_id = ANY($1::text[]) ORDER BY events.transaction_id, events.global_position`,
      [streams],
    );
    // Each delivery event also says where the post stood after it (status, current position), as
    // the read model folds it: a late-logged older statement or a correction does not fool a map.
    const states = new Map<string, DeliveryState>();
    const entries = rows.map((row) => {
      const entry = {
        at: row.recorded_at.toISOString(),
        type: row.type,
        post: row.stream_id.startsWith('delivery-') ? row.stream_id.slice(row.stream_id.indexOf(':') + 1) : null,
        version: row.stream_version,
        data: row.data,
      };
      if (!entry.post) return entry;
      const state = evolveDeliveryRow(states.get(row.stream_id) ?? blankDelivery(), row, entry.at);
      states.set(row.stream_id, state);
      return { ...entry, status: state.status, position: currentResponse(state)?.position ?? null };
    });
    // The reporting cables named along the way, as the reader may see them.
    const readable = await this.readableMrns(principal, [...new Set([...states.values()].flatMap((state) => citedCables(state.responses)))]);
    return entries.map((entry) => {
      if (!entry.post) return entry;
      const { data, withheld } = readableEventData(entry.type, entry.data, readable);
      return data === entry.data ? entry : withheld ? { ...entry, data, withheld } : { ...entry, data };
    });
  }

  /**
   * The campaign a released instruction opened, as its counts stand: for the cable's own page, which
   * links to it (a campaign's id is its cable's). Undefined until the opener has opened it, and for a
   * cable that opened none. Its reader has read the cable: the campaign is read under it.
   */
  async campaignSummary(id: string): Promise<{ id: string; summary: DeliverySummary } | undefined> {
    const [row] = await sql<{ report_by: string; counts: DeliveryCount[] }>(
      this.dataSource,
      'SELECT report_by::text AS report_by, counts FROM demarche_campaigns WHERE id = $1::uuid',
      [id],
    );
    return row && { id, summary: summarizeCounts(row.counts, row.report_by, this.calendar.today()) };
  }

  /**
   * `campaignSummary` as it stood at `asOf`: the campaign's opening and its deliveries' events
   * recorded by then (in whole transactions, as every past read), folded as the read model folds
   * them, overdue judged on the day of `asOf` (today, for an instant still to come). Undefined if
   * it had not been opened by then.
   */
  async campaignSummaryAsOf(id: string, asOf: Date): Promise<{ id: string; summary: DeliverySummary } | undefined> {
    const opened = (await this.store.readStreamAsItStood(`campaign-${id}`, { asOf })).find((e) => e.type === 'CampaignOpened');
    if (!opened) return undefined;
    const { posts, reportBy } = opened.data as { posts: string[]; reportBy: string };
    const events = await sql<{ type: string; stream_id: string; schema_version: number; recorded_at: Date; data: Record<string, unknown> }>(
      this.dataSource,
      `SELECT type, stream_id, schema_version, recorded_at, data FROM events e
       WHERE stream_id = ANY($1::text[])
         AND EXISTS (SELECT 1 FROM events f WHERE f.transaction_id = e.transaction_id AND f.recorded_at < $2::timestamptz + interval '1 millisecond')
       ORDER BY stream_id, stream_version`,
      [posts.map((post) => `delivery-${id}:${post}`), asOf],
    );
    const deliveries = new Map<string, DeliveryState>();
    for (const event of events) {
      deliveries.set(event.stream_id, evolveDeliveryRow(deliveries.get(event.stream_id) ?? blankDelivery(), event, event.recorded_at.toISOString()));
    }
    const now = this.clock.now();
    const today = this.calendar.dayOf(asOf > now ? now : asOf);
    const summary = emptySummary();
    for (const post of posts) {
      const { status } = deliveries.get(`delivery-${id}:${post}`) ?? blankDelivery();
      countInto(summary, status, isOverdue(status, reportBy, today));
    }
    return { id, summary };
  }

  async campaign(id: string): Promise<CampaignRow | undefined> {
    const [row] = await prepared<Record<string, unknown>>(
      this.dataSource,
      'chancery_campaign',
      `SELECT id, cable_id, mrn, subject, classification, captions, report_by, targets, posts, opened_at, working_party, scope
       FROM demarche_campaigns WHERE id = $1::uuid`,
      [id],
    );
    if (!row) return undefined;
    return {
      id: row.id as string,
      cableId: row.cable_id as string,
      mrn: row.mrn as string,
      subject: row.subject as string,
      classification: row.classification as string,
      captions: row.captions as string[],
      reportBy: dateOf(row.report_by)!,
      targets: row.targets as string,
      posts: row.posts as string[],
      openedAt: (row.opened_at as Date).toISOString(),
      scope: (row.scope as CampaignScope | null) ?? null,
    };
  }

  /** The campaign's deliveries (or one post's) as `principal` may read them (`deliveryView`). */
  async deliveries(principal: Principal, campaign: CampaignRow, post?: string): Promise<DeliveryView[]> {
    const today = this.calendar.today();
    const rows = await sql<DeliveryRow>(
      this.dataSource,
      `SELECT post, status, contacts, responses, documents, not_delivered_reason, overdue_since, version
       FROM demarche_deliveries WHERE campaign_id = $1 AND ($2::text IS NULL OR post = $2) ORDER BY post`,
      [campaign.id, post ?? null],
    );
    const readable = await this.readableMrns(principal, [...new Set(rows.flatMap((r) => citedCables(r.responses)))]);
    const people = await this.people([...new Set(rows.flatMap(officersOf))]);
    return rows.map((row) =>
      deliveryView(campaign, row.post, {
        status: row.status, contacts: row.contacts, responses: row.responses, documents: row.documents,
        notDeliveredReason: row.not_delivered_reason, overdueSince: row.overdue_since ? row.overdue_since.toISOString() : null,
      }, row.version, today, readable, people),
    );
  }

  /** Officers by id (username and display name). `db`: inside a command, its transaction. */
  async people(ids: string[], db: Db = this.dataSource): Promise<Map<string, Person>> {
    const users = ids.filter((id) => isUUID(id)); // 'system' records (the overdue scan) name no user
    if (users.length === 0) return new Map();
    const rows = await sql<{ id: string; username: string; display_name: string }>(db, 'SELECT id::text, username, display_name FROM users WHERE id = ANY($1::uuid[])', [users]);
    return new Map(rows.map((r) => [r.id, { username: r.username, displayName: r.display_name }]));
  }

  /**
   * Of these cables, the released ones `principal` may read, with their MRNs (the need-to-know
   * policy in SQL, `readableCableSql`). `db`: inside a command, its transaction.
   */
  async readableMrns(principal: Principal, cableIds: string[], db: Db = this.dataSource): Promise<Map<string, string>> {
    if (cableIds.length === 0) return new Map();
    const access = readableCableSql(principal, 1);
    const rows = await sql<{ id: string; mrn: string }>(db, `SELECT k.id, k.mrn FROM cables k WHERE k.id = ANY($9::uuid[]) AND k.mrn IS NOT NULL AND ${access.where}`, [...access.params, cableIds]);
    return new Map(rows.map((r) => [r.id, r.mrn]));
  }
}

export function summarize(deliveries: DeliveryView[]): DeliverySummary {
  return deliveries.reduce((summary, d) => countInto(summary, d.status, d.overdue), emptySummary());
}
