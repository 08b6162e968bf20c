import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { aggregateIdOf, type Projection, type RecordedEvent } from '@chancery/event-store';
import { isNarrowed, readingLevel } from '@chancery/identity/domain';
import type { CampaignEvent } from '../domain/campaign.aggregate.js';
import type { DeliveryEvent } from '../domain/delivery.aggregate.js';


/** Campaigns and their per-post deliveries, kept in the transaction of every write. */
@Injectable()
export class DemarchesProjection implements Projection {
  readonly name = 'demarches';
  readonly handles = ['CampaignOpened', 'DemarcheDelivered', 'ResponseLogged', 'DemarcheNotDelivered', 'DeliveryBecameOverdue'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    const touched = new Set<string>();
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as CampaignEvent | DeliveryEvent;
      if (event.type === 'CampaignOpened') {
        const c = event.data;
        const id = aggregateIdOf('campaign', recorded.streamId);
        await tx.query(
          `INSERT INTO demarche_campaigns (id, cable_id, mrn, subject, classification, classification_level, captions, narrowed,
             working_party, posts, report_by, targets, opened_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [id, c.cableId, c.mrn, c.subject, c.classification, readingLevel(c.classification), c.captions, isNarrowed(c.captions),
            c.workingParty, c.posts, c.reportBy, c.targets, c.openedAt, recorded.streamVersion],
        );
        await tx.query(
          `INSERT INTO demarche_deliveries (campaign_id, post, status, version, updated_at)
           SELECT $1, post, 'PENDING', 0, $3 FROM unnest($2::text[]) AS post`,
          [id, c.posts, recorded.recordedAt],
        );
        await tx.query(
          `INSERT INTO demarche_counts (campaign_id, bureau, status, position, count)
           SELECT $1::uuid, coalesce(p.bureau, '?'), 'PENDING', '', count(*) FROM unnest($2::text[]) AS post LEFT JOIN posts p ON p.code = post
           GROUP BY 2`,
          [id, c.posts],
        );
        touched.add(id);
        continue;
      }
      const [campaignId, post] = aggregateIdOf('delivery', recorded.streamId).split(':');
      touched.add(campaignId);
      const key = [campaignId, post, recorded.streamVersion, recorded.recordedAt];
      await this.recount(tx, campaignId, post, event);
      switch (event.type) {
        case 'DemarcheDelivered':
          await tx.query(
            `UPDATE demarche_deliveries SET status = 'DELIVERED', delivered_on = $5, counterpart = $6, level = $7, method = $8, version = $3, updated_at = $4
             WHERE campaign_id = $1 AND post = $2`,
            [...key, event.data.deliveredOn, JSON.stringify(event.data.counterpart), event.data.level, event.data.method],
          );
          break;
        case 'ResponseLogged':
          await tx.query(
            `UPDATE demarche_deliveries SET status = 'RESPONDED', received_on = $5, position = $6, summary = $7, quotes = $8, reporting_cable_id = $9,
               version = $3, updated_at = $4 WHERE campaign_id = $1 AND post = $2`,
            [...key, event.data.receivedOn, event.data.position, event.data.summary, event.data.quotes, event.data.reportingCableId],
          );
          break;
        case 'DeliveryBecameOverdue':
          await tx.query('UPDATE demarche_deliveries SET overdue_since = $5, version = $3, updated_at = $4 WHERE campaign_id = $1 AND post = $2', [...key, event.data.at]);
          break;
        case 'DemarcheNotDelivered':
          await tx.query(
            `UPDATE demarche_deliveries SET status = 'NOT_DELIVERED', not_delivered_reason = $5, version = $3, updated_at = $4
             WHERE campaign_id = $1 AND post = $2`,
            [...key, event.data.reason],
          );
          break;
      }
    }
    await this.tally(tx, [...touched]);
  }

  /**
   * Refreshes the campaigns' counts and unanswered posts as JSON, once per batch for each campaign
   * it touched: the dashboard then reads one row per campaign, ready to use.
   */
  private async tally(tx: EntityManager, campaignIds: string[]): Promise<void> {
    if (campaignIds.length === 0) return;
    // Lock the campaign rows first. Two commands for one campaign commit side by side; an UPDATE
    // that only waited on the row would still read the counts as of its own start and write a
    // tally missing the other's delivery. Once the lock is ours, the UPDATE's fresh snapshot sees
    // everything committed before it.
    await tx.query('SELECT 1 FROM demarche_campaigns WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [campaignIds]);
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

  /** Moves the delivery from its old (status, position) count to its new one. */
  private async recount(tx: EntityManager, campaignId: string, post: string, event: DeliveryEvent): Promise<void> {
    const next = event.type === 'DemarcheDelivered' ? ['DELIVERED', ''] : event.type === 'ResponseLogged' ? ['RESPONDED', event.data.position] : event.type === 'DemarcheNotDelivered' ? ['NOT_DELIVERED', ''] : null;
    if (!next) return;
    const [row] = await tx.query(
      `SELECT d.status, coalesce(d.position, '') AS position, coalesce(p.bureau, '?') AS bureau
       FROM demarche_deliveries d LEFT JOIN posts p ON p.code = d.post WHERE d.campaign_id = $1 AND d.post = $2`,
      [campaignId, post],
    );
    if (!row) return;
    await tx.query(
      `UPDATE demarche_counts SET count = count - 1 WHERE campaign_id = $1 AND bureau = $2 AND status = $3 AND position = $4`,
      [campaignId, row.bureau, row.status, row.position],
    );
    await tx.query(
      `INSERT INTO demarche_counts (campaign_id, bureau, status, position, count) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (campaign_id, bureau, status, position) DO UPDATE SET count = demarche_counts.count + 1`,
      [campaignId, row.bureau, ...next],
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE demarche_campaigns, demarche_deliveries, demarche_counts');
  }
}
