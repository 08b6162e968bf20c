import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { aggregateIdOf, type ReadModel, type RecordedEvent } from '@chancery/event-store';
import { isNarrowed, readingLevel } from '@chancery/identity/domain';
import type { CampaignEvent } from '../domain/campaign.aggregate.js';
import type { DeliveryEvent } from '../domain/delivery.aggregate.js';


/** What a batch's events do to one delivery row, folded in order: the columns they set. */
interface DeliveryPatch {
  campaign_id: string;
  post: string;
  version: number;
  /** Serialised by JSON.stringify as an ISO instant. */
  updated_at: Date;
  status?: string;
  delivered?: true;
  delivered_on?: string;
  counterpart?: unknown;
  level?: string;
  method?: string;
  responded?: true;
  received_on?: string;
  position?: string;
  summary?: string;
  quotes?: string[];
  reporting_cable_id?: string | null;
  not_delivered?: true;
  not_delivered_reason?: string;
  overdue?: true;
  overdue_since?: string;
}

/**
 * Campaigns and their per-post deliveries, kept in the transaction of every write. A batch is
 * applied set-at-a-time: its events are folded into one patch per delivery row, written by one
 * UPDATE; then each touched campaign's counts are recounted from its rows and its tally refreshed.
 * A command (one event) and a rebuild (thousands per batch) take the same path.
 */
@Injectable()
export class DemarchesProjection implements ReadModel {
  readonly name = 'demarches';
  readonly kind = 'read-model';
  readonly tables = ['demarche_campaigns', 'demarche_deliveries', 'demarche_counts'];
  readonly handles = ['CampaignOpened', 'DemarcheDelivered', 'ResponseLogged', 'DemarcheNotDelivered', 'DeliveryBecameOverdue'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    const touched = new Set<string>();
    const patches = new Map<string, DeliveryPatch>();
    // A campaign's opening precedes its deliveries in the feed, so opening the batch's campaigns first
    // and then patching deliveries keeps their order.
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as CampaignEvent | DeliveryEvent;
      if (event.type === 'CampaignOpened') {
        const id = aggregateIdOf('campaign', recorded.streamId);
        await this.open(tx, id, event.data, recorded.streamVersion, recorded.recordedAt);
        touched.add(id);
        continue;
      }
      const [campaignId, post] = aggregateIdOf('delivery', recorded.streamId).split(':');
      touched.add(campaignId);
      const key = `${campaignId}:${post}`;
      const patch = patches.get(key) ?? { campaign_id: campaignId, post, version: 0, updated_at: recorded.recordedAt };
      patches.set(key, fold(patch, event, recorded.streamVersion, recorded.recordedAt));
    }
    if (touched.size === 0) return;
    const campaignIds = [...touched].sort();
    // Lock the campaign rows first. Two commands for one campaign commit side by side; without the
    // lock each would recount from a snapshot missing the other's delivery. Once the lock is ours,
    // every statement below sees all that was committed before.
    await tx.query('SELECT 1 FROM demarche_campaigns WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [campaignIds]);
    if (patches.size > 0) await this.patch(tx, [...patches.values()]);
    await this.recount(tx, campaignIds);
  }

  private async open(tx: EntityManager, id: string, c: Extract<CampaignEvent, { type: 'CampaignOpened' }>['data'], version: number, recordedAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO demarche_campaigns (id, cable_id, mrn, subject, classification, classification_level, captions, narrowed,
         working_party, posts, report_by, targets, opened_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [id, c.cableId, c.mrn, c.subject, c.classification, readingLevel(c.classification), c.captions, isNarrowed(c.captions),
        c.workingParty, c.posts, c.reportBy, c.targets, c.openedAt, version],
    );
    await tx.query(
      `INSERT INTO demarche_deliveries (campaign_id, post, status, version, updated_at)
       SELECT $1, post, 'PENDING', 0, $3 FROM unnest($2::text[]) AS post`,
      [id, c.posts, recordedAt],
    );
  }

  /** One UPDATE for every delivery the batch changed; a column changes only if an event set it. */
  private async patch(tx: EntityManager, patches: DeliveryPatch[]): Promise<void> {
    await tx.query(
      `UPDATE demarche_deliveries d SET
         status = coalesce(p.status, d.status),
         delivered_on = CASE WHEN p.delivered THEN p.delivered_on ELSE d.delivered_on END,
         counterpart = CASE WHEN p.delivered THEN p.counterpart ELSE d.counterpart END,
         level = CASE WHEN p.delivered THEN p.level ELSE d.level END,
         method = CASE WHEN p.delivered THEN p.method ELSE d.method END,
         received_on = CASE WHEN p.responded THEN p.received_on ELSE d.received_on END,
         position = CASE WHEN p.responded THEN p.position ELSE d.position END,
         summary = CASE WHEN p.responded THEN p.summary ELSE d.summary END,
         quotes = CASE WHEN p.responded THEN p.quotes ELSE d.quotes END,
         reporting_cable_id = CASE WHEN p.responded THEN p.reporting_cable_id ELSE d.reporting_cable_id END,
         not_delivered_reason = CASE WHEN p.not_delivered THEN p.not_delivered_reason ELSE d.not_delivered_reason END,
         overdue_since = CASE WHEN p.overdue THEN p.overdue_since ELSE d.overdue_since END,
         version = p.version,
         updated_at = p.updated_at
       FROM jsonb_to_recordset($1::jsonb) AS p(
         campaign_id uuid, post text, version integer, updated_at timestamptz, status text,
         delivered boolean, delivered_on date, counterpart jsonb, level text, method text,
         responded boolean, received_on date, position text, summary text, quotes text[], reporting_cable_id uuid,
         not_delivered boolean, not_delivered_reason text, overdue boolean, overdue_since timestamptz)
       WHERE d.campaign_id = p.campaign_id AND d.post = p.post`,
      [JSON.stringify(patches)],
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
                             FROM demarche_deliveries d WHERE d.campaign_id = c.id AND d.status IN ('PENDING', 'DELIVERED'))
       WHERE c.id = ANY($1::uuid[])`,
      [campaignIds],
    );
  }
}

/** Folds one delivery event into the row's patch, in place: the columns it sets, its version and time. */
function fold(patch: DeliveryPatch, event: DeliveryEvent, version: number, recordedAt: Date): DeliveryPatch {
  patch.version = version;
  patch.updated_at = recordedAt;
  switch (event.type) {
    case 'DemarcheDelivered':
      patch.status = 'DELIVERED';
      patch.delivered = true;
      patch.delivered_on = event.data.deliveredOn;
      patch.counterpart = event.data.counterpart;
      patch.level = event.data.level;
      patch.method = event.data.method;
      break;
    case 'ResponseLogged':
      patch.status = 'RESPONDED';
      patch.responded = true;
      patch.received_on = event.data.receivedOn;
      patch.position = event.data.position;
      patch.summary = event.data.summary;
      patch.quotes = event.data.quotes;
      patch.reporting_cable_id = event.data.reportingCableId;
      break;
    case 'DemarcheNotDelivered':
      patch.status = 'NOT_DELIVERED';
      patch.not_delivered = true;
      patch.not_delivered_reason = event.data.reason;
      break;
    case 'DeliveryBecameOverdue':
      patch.overdue = true;
      patch.overdue_since = event.data.at;
      break;
  }
  return patch;
}
