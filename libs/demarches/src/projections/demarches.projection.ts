import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { aggregateIdOf, type ReadModel, type RecordedEvent } from '@chancery/event-store';
import { isNarrowed, readingLevel } from '@chancery/identity/domain';
import type { CampaignEvent } from '../domain/campaign.aggregate.js';
import { blankDelivery, currentResponse, type DeliveryEvent, type DeliveryState, type DeliveryStatus, evolveDelivery, positionChanged } from '../domain/delivery.aggregate.js';


/** A delivery row's state as the projection keeps it: the fold's state, and the row's version and time. */
interface DeliveryRow {
  campaign_id: string;
  post: string;
  version: number;
  /** Serialised by JSON.stringify as an ISO instant. */
  updated_at: Date;
  state: DeliveryState;
}

interface StateRow {
  campaign_id: string;
  post: string;
  status: DeliveryStatus;
  contacts: DeliveryState['contacts'];
  responses: DeliveryState['responses'];
  documents: DeliveryState['documents'];
  not_delivered_reason: string | null;
  overdue_since: Date | null;
}

/**
 * Campaigns and their per-post deliveries, kept in the transaction of every write. A batch is
 * applied set-at-a-time: its events are folded per delivery row, the rows of campaigns opened in the
 * batch inserted once and the others written by one UPDATE; then each touched campaign's counts are
 * recounted from its rows and its tally refreshed.
 * A command (one event) and a rebuild (thousands per batch) take the same path.
 */
@Injectable()
export class DemarchesProjection implements ReadModel {
  readonly name = 'demarches';
  readonly kind = 'read-model';
  readonly tables = ['demarche_campaigns', 'demarche_deliveries', 'demarche_counts'];
  readonly handles = ['CampaignOpened', 'DemarcheDelivered', 'ContactRecorded', 'ResponseLogged', 'ReportingCableAttached', 'DemarcheNotDelivered', 'DocumentAttached', 'DeliveryBecameOverdue'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    const touched = new Set<string>();
    const opened = new Map<string, Opening>();
    const byDelivery = new Map<string, DeliveryEvents>();
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as CampaignEvent | DeliveryEvent;
      if (event.type === 'CampaignOpened') {
        const id = aggregateIdOf('campaign', recorded.streamId);
        opened.set(id, { id, data: event.data, version: recorded.streamVersion, recordedAt: recorded.recordedAt });
        touched.add(id);
        continue;
      }
      const [campaignId, post] = aggregateIdOf('delivery', recorded.streamId).split(':');
      touched.add(campaignId);
      const key = `${campaignId}:${post}`;
      const entry = byDelivery.get(key) ?? byDelivery.set(key, { campaignId, post, events: [] }).get(key)!;
      entry.events.push(recorded);
    }
    if (touched.size === 0) return;
    // A campaign opened in this batch (its opening precedes its deliveries in the feed) gets its
    // delivery rows written once, already folded: a rebuild's page holds a campaign's opening and
    // much of what its posts recorded. The others' rows are read, folded and written back.
    const fresh = [...byDelivery.values()].filter((d) => opened.has(d.campaignId));
    const existing = [...byDelivery.values()].filter((d) => !opened.has(d.campaignId));
    for (const opening of opened.values()) await this.open(tx, opening, fresh.filter((d) => d.campaignId === opening.id));
    const campaignIds = [...touched].sort();
    // Lock the campaign rows first. Two commands for one campaign commit side by side; without the
    // lock each would recount from a snapshot missing the other's delivery. Once the lock is ours,
    // every statement below sees all that was committed before.
    await tx.query('SELECT 1 FROM demarche_campaigns WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [campaignIds]);
    if (existing.length > 0) await this.fold(tx, existing);
    await this.recount(tx, campaignIds);
  }

  /** The campaign's row, and a row per tasked post: pending, or folded from this batch's events. */
  private async open(tx: EntityManager, { id, data: c, version, recordedAt }: Opening, deliveries: DeliveryEvents[]): Promise<void> {
    await tx.query(
      `INSERT INTO demarche_campaigns (id, cable_id, mrn, subject, classification, classification_level, captions, narrowed,
         working_party, posts, report_by, targets, opened_at, version, scope)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [id, c.cableId, c.mrn, c.subject, c.classification, readingLevel(c.classification), c.captions, isNarrowed(c.captions),
        c.workingParty, c.posts, c.reportBy, c.targets, c.openedAt, version, c.scope ? JSON.stringify(c.scope) : null],
    );
    const tasked = new Set(c.posts);
    const folded = deliveries.filter((d) => tasked.has(d.post)).map(({ campaignId, post, events }) => foldInto(campaignId, post, blankDelivery(), events));
    const recorded = new Set(folded.map((row) => row.post));
    await tx.query(
      `INSERT INTO demarche_deliveries (campaign_id, post, status, version, updated_at)
       SELECT $1, post, 'PENDING', 0, $3 FROM unnest($2::text[]) AS post`,
      [id, c.posts.filter((post) => !recorded.has(post)), recordedAt],
    );
    if (folded.length > 0) {
      await tx.query(
        `INSERT INTO demarche_deliveries (${ROW_COLUMNS.join(', ')})
         SELECT ${ROW_COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS p(${ROW_TYPES})`,
        [JSON.stringify(folded.map(toRecord))],
      );
    }
  }

  /**
   * Reads the touched rows' state in one statement, folds the batch's events into it in memory
   * (through the domain's `evolveDelivery`, the one fold), and writes every row back in one UPDATE.
   */
  private async fold(tx: EntityManager, deliveries: DeliveryEvents[]): Promise<void> {
    const keys = deliveries.map((d) => ({ campaign_id: d.campaignId, post: d.post }));
    const rows: StateRow[] = await tx.query(
      `SELECT d.campaign_id, d.post, d.status, d.contacts, d.responses, d.documents, d.not_delivered_reason, d.overdue_since
       FROM demarche_deliveries d JOIN jsonb_to_recordset($1::jsonb) AS k(campaign_id uuid, post text) ON d.campaign_id = k.campaign_id AND d.post = k.post`,
      [JSON.stringify(keys)],
    );
    const states = new Map(rows.map((r) => [`${r.campaign_id}:${r.post}`, r]));
    const out: DeliveryRow[] = [];
    for (const { campaignId, post, events } of deliveries) {
      const row = states.get(`${campaignId}:${post}`);
      if (!row) continue; // a delivery of a campaign this table does not have: nothing to fold into
      const state: DeliveryState = {
        status: row.status, contacts: row.contacts, responses: row.responses, documents: row.documents,
        notDeliveredReason: row.not_delivered_reason, overdueSince: row.overdue_since ? row.overdue_since.toISOString() : null,
      };
      out.push(foldInto(campaignId, post, state, events));
    }
    if (out.length === 0) return;
    const assignments = ROW_COLUMNS.filter((column) => column !== 'campaign_id' && column !== 'post').map((column) => `${column} = p.${column}`);
    await tx.query(
      `UPDATE demarche_deliveries d SET ${assignments.join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS p(${ROW_TYPES})
       WHERE d.campaign_id = p.campaign_id AND d.post = p.post`,
      [JSON.stringify(out.map(toRecord))],
    );
  }

  /**
   * Counts each campaign's deliveries by bureau, status and position afresh from its rows, then
   * copies them and its unanswered posts into the campaign row as JSON (deterministic order), which
   * is what the dashboard reads.
   */
  private async recount(tx: EntityManager, campaignIds: string[]): Promise<void> {
    await tx.query('DELETE FROM demarche_counts WHERE campaign_id = ANY($1::uuid[])', [campaignIds]);
    await tx.query(
      `INSERT INTO demarche_counts (campaign_id, bureau, status, position, count)
       SELECT d.campaign_id, coalesce(p.bureau, '?'), d.status, coalesce(d.position, ''), count(*)
       FROM demarche_deliveries d LEFT JOIN posts p ON p.code = d.post
       WHERE d.campaign_id = ANY($1::uuid[])
       GROUP BY 1, 2, 3, 4`,
      [campaignIds],
    );
    await tx.query(
      `UPDATE demarche_campaigns c SET
         counts = (SELECT coalesce(json_agg(json_build_array(n.bureau, n.status, nullif(n.position, ''), n.count)
                                            ORDER BY n.bureau, n.status, n.position), '[]')
                   FROM demarche_counts n WHERE n.campaign_id = c.id AND n.count > 0),
         unanswered_posts = (SELECT coalesce(json_agg(d.post ORDER BY d.post), '[]')
                             FROM demarche_deliveries d WHERE d.campaign_id = c.id AND d.status IN ('PENDING', 'DELIVERED')),
         positions_changed = (SELECT count(*) FROM demarche_deliveries d WHERE d.campaign_id = c.id AND d.position_changed)
       WHERE c.id = ANY($1::uuid[])`,
      [campaignIds],
    );
  }
}


interface Opening {
  id: string;
  data: Extract<CampaignEvent, { type: 'CampaignOpened' }>['data'];
  version: number;
  recordedAt: Date;
}

/** One delivery's events in this batch, in feed order. */
interface DeliveryEvents {
  campaignId: string;
  post: string;
  events: RecordedEvent[];
}

/** The columns of a delivery row that the projection writes, and their types as JSON records carry them. */
const ROW_SHAPE: [string, string][] = [
  ['campaign_id', 'uuid'], ['post', 'text'], ['version', 'integer'], ['updated_at', 'timestamptz'], ['status', 'text'],
  ['delivered_on', 'date'], ['counterpart', 'jsonb'], ['level', 'text'], ['method', 'text'],
  ['received_on', 'date'], ['position', 'text'], ['summary', 'text'], ['quotes', 'text[]'], ['reporting_cable_id', 'uuid'],
  ['not_delivered_reason', 'text'], ['overdue_since', 'timestamptz'],
  ['contacts', 'jsonb'], ['responses', 'jsonb'], ['documents', 'jsonb'], ['position_changed', 'boolean'],
];
const ROW_COLUMNS = ROW_SHAPE.map(([column]) => column);
const ROW_TYPES = ROW_SHAPE.map(([column, type]) => `${column} ${type}`).join(', ');

/** A delivery's events folded into its state (the domain's one fold), with the row's version and time. */
function foldInto(campaignId: string, post: string, state: DeliveryState, events: RecordedEvent[]): DeliveryRow {
  for (const recorded of events) state = evolveDelivery(state, { type: recorded.type, data: recorded.data } as DeliveryEvent, recorded.recordedAt.toISOString());
  const last = events[events.length - 1];
  return { campaign_id: campaignId, post, version: last.streamVersion, updated_at: last.recordedAt, state };
}

/** A delivery row as the JSON record the INSERT and UPDATE read (`ROW_SHAPE`). */
function toRecord({ state, ...row }: DeliveryRow) {
  const delivered = state.contacts[0];
  const response = currentResponse(state);
  return {
    ...row,
    status: state.status,
    delivered_on: delivered?.on ?? null,
    counterpart: delivered?.counterpart ?? null,
    level: delivered?.level ?? null,
    method: delivered?.method ?? null,
    received_on: response?.receivedOn ?? null,
    position: response?.position ?? null,
    summary: response?.summary ?? null,
    quotes: response ? response.quotes.map((q) => q.text) : null,
    reporting_cable_id: response?.reportingCableId ?? null,
    not_delivered_reason: state.notDeliveredReason,
    overdue_since: state.overdueSince,
    contacts: state.contacts,
    responses: state.responses,
    documents: state.documents,
    position_changed: positionChanged(state),
  };
}
