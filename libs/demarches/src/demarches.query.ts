import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, utcDate } from '@chancery/common';
import { sql } from '@chancery/database';
import { PolicyService } from '@chancery/identity';
import { type Principal, readableCableSql } from '@chancery/identity/domain';
import { countInto, type DeliveryCount, type DeliverySummary, emptySummary, isOverdue, summarizeCounts } from './domain/summary.js';

export interface DeliveryView {
  post: string;
  status: string;
  overdue: boolean;
  deliveredOn: string | null;
  counterpart: { name: string; title: string; organization: string } | null;
  level: string | null;
  method: string | null;
  receivedOn: string | null;
  position: string | null;
  summary: string | null;
  quotes: string[];
  reportingCableId: string | null;
  notDeliveredReason: string | null;
  /** When the scheduler recorded it as overdue. */
  overdueSince: string | null;
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
}

const dateOf = (value: unknown) => (value instanceof Date ? utcDate(value) : (value as string | null));

/**
 * Campaigns and deliveries. Summaries are counted from the delivery rows when asked, so they are
 * exact right after any write and no row is shared by the posts writing at once.
 */
@Injectable()
export class DemarchesQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly policy: PolicyService,
  ) {}

  async list(principal: Principal, limit: number, offset: number, requestId: string) {
    // A campaign is read under the cable that opened it, as that cable stands now.
    const access = readableCableSql(principal, 1);
    const rows = await sql<Record<string, unknown>>(
      this.dataSource,
      `SELECT c.id, c.cable_id, c.mrn, c.subject, c.classification, c.report_by::text AS report_by, c.opened_at, c.counts
       FROM demarche_campaigns c JOIN cables k ON k.id = c.cable_id
       WHERE ${access.where} ORDER BY c.opened_at DESC, c.id LIMIT $9 OFFSET $10`,
      [...access.params, limit, offset],
    );
    const [{ total }] = await sql<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM demarche_campaigns c JOIN cables k ON k.id = c.cable_id WHERE ${access.where}`,
      access.params,
    );
    const today = utcDate(this.clock.now());
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
   * delivery, response or not-delivered record. The delivery streams are named by the
   * campaign's posts, so each is an index lookup.
   */
  async history(campaign: CampaignRow): Promise<{ at: string; type: string; post: string | null; version: number; data: unknown }[]> {
    const streams = [`campaign-${campaign.id}`, ...campaign.posts.map((post) => `delivery-${campaign.id}:${post}`)];
    const rows = await sql<{ stream_id: string; stream_version: number; type: string; recorded_at: Date; data: unknown }>(
      this.dataSource,
      `SELECT stream_id, stream_version, type, recorded_at, data FROM events
       WHERE stream_id = ANY($1::text[]) ORDER BY events.transaction_id, events.global_position`,
      [streams],
    );
    return rows.map((row) => ({
      at: row.recorded_at.toISOString(),
      type: row.type,
      post: row.stream_id.startsWith('delivery-') ? row.stream_id.slice(row.stream_id.indexOf(':') + 1) : null,
      version: row.stream_version,
      data: row.data,
    }));
  }

  async campaign(id: string): Promise<CampaignRow | undefined> {
    const [row] = await sql<Record<string, unknown>>(
      this.dataSource,
      `SELECT id, cable_id, mrn, subject, classification, captions, report_by, targets, posts, opened_at, working_party
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
    };
  }

  async deliveries(campaign: CampaignRow, post?: string): Promise<DeliveryView[]> {
    const today = utcDate(this.clock.now());
    const rows = await sql<Record<string, unknown>>(
      this.dataSource,
      'SELECT * FROM demarche_deliveries WHERE campaign_id = $1 AND ($2::text IS NULL OR post = $2) ORDER BY post',
      [campaign.id, post ?? null],
    );
    return rows.map((row) => ({
      post: row.post as string,
      status: row.status as string,
      overdue: isOverdue(row.status as string, campaign.reportBy, today),
      deliveredOn: dateOf(row.delivered_on),
      counterpart: (row.counterpart as DeliveryView['counterpart']) ?? null,
      level: row.level as string | null,
      method: row.method as string | null,
      receivedOn: dateOf(row.received_on),
      position: row.position as string | null,
      summary: row.summary as string | null,
      quotes: (row.quotes as string[] | null) ?? [],
      reportingCableId: row.reporting_cable_id as string | null,
      notDeliveredReason: row.not_delivered_reason as string | null,
      overdueSince: row.overdue_since ? (row.overdue_since as Date).toISOString() : null,
      version: row.version as number,
    }));
  }
}

export function summarize(deliveries: DeliveryView[]): DeliverySummary {
  return deliveries.reduce((summary, d) => countInto(summary, d.status, d.overdue), emptySummary());
}
