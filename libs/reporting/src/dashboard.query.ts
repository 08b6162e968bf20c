import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, DepartmentCalendar } from '@chancery/common';
import { sql } from '@chancery/database';
import { EventStore } from '@chancery/event-store';
import { PolicyService } from '@chancery/identity';
import { type Principal, readableCableSql, readableFollowUpSql } from '@chancery/identity/domain';
import {
  blankDelivery, currentResponse, type DeliveryCount, type DeliveryState, evolveDeliveryRow, isUnanswered, positionChanged,
} from '@chancery/demarches';
import { isFollowUpOverdue } from '@chancery/follow-ups';
import { type CampaignFacts, composeDashboard, type Dashboard, type FollowUpGroup } from './dashboard.js';


interface Replayed {
  type: string;
  stream_id: string;
  schema_version: number;
  recorded_at: Date;
  data: Record<string, unknown>;
}

const DELIVERY_EVENTS = new Set(['DemarcheDelivered', 'ContactRecorded', 'ResponseLogged', 'ReportingCableAttached', 'DemarcheNotDelivered', 'DocumentAttached', 'DeliveryBecameOverdue']);

/**
 * The leadership dashboard. Now: aggregated in SQL from the read tables. As of an instant: the
 * same facts rebuilt by replaying the events recorded up to then, which is what an event store is
 * for. Both go through one composition, so they cannot drift apart.
 */
@Injectable()
export class DashboardQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
    private readonly policy: PolicyService,
    private readonly store: EventStore,
  ) {}

  /** The dashboard now, or replayed `asOf` an instant. */
  async dashboard(principal: Principal, asOf: Date | undefined, requestId: string): Promise<Dashboard> {
    const dashboard = asOf ? await this.replayed(principal, asOf) : await this.current(principal);
    const records = dashboard.campaigns.map((c) => ({ streamId: `campaign-${c.id}`, classification: c.classification }));
    await this.policy.auditListRead(principal, { requestId, view: asOf ? 'dashboard as of' : 'dashboard', records });
    return dashboard;
  }

  private async current(principal: Principal): Promise<Dashboard> {
    const now = this.clock.now();
    const today = this.calendar.dayOf(now);
    // Only what the caller may read is shown or counted: campaigns under their cables, follow-ups
    // under their own classification and what they are linked to.
    const access = readableCableSql(principal, 1);
    // One row per campaign: the demarches projection keeps each campaign's counts (by bureau,
    // status and position) and its unanswered posts as JSON, so nothing is aggregated per load.
    const campaigns = (
      await sql<Record<string, unknown>>(
        this.dataSource,
        `SELECT c.id, c.mrn, c.subject, c.classification, c.captions, c.report_by::text AS "reportBy", c.counts, c.positions_changed AS "positionsChanged",
                CASE WHEN c.report_by < $${access.params.length + 1}::date THEN c.unanswered_posts ELSE '[]' END AS "unansweredPosts"
         FROM demarche_campaigns c JOIN cables k ON k.id = c.cable_id WHERE ${access.where} ORDER BY c.opened_at, c.id`,
        [...access.params, today],
      )
    ) as unknown as CampaignFacts[];
    const readableFollowUps = readableFollowUpSql(principal, 2);
    const followUps = (
      await sql<Record<string, unknown>>(
        this.dataSource,
        `SELECT coalesce(owner_office, owner_post) AS owner, owner_bureau AS bureau, status,
                (status IN ('OPEN', 'IN_PROGRESS') AND due_on < $1::date) AS overdue, count(*)::int AS count
         FROM follow_ups f WHERE ${readableFollowUps.where} GROUP BY 1, 2, 3, 4`,
        [today, ...readableFollowUps.params],
      )
    ).map((r): FollowUpGroup => ({ owner: r.owner as string, bureau: r.bureau as string, status: r.status as string, overdue: r.overdue as boolean, count: r.count as number }));
    return composeDashboard(now.toISOString(), today, campaigns, followUps);
  }

  /**
   * The events up to `asOf`, folded as the read model folds them. Overdue is judged on the day of
   * `asOf`, or today for an instant still to come: the end of today (what the web app asks for a
   * day) is today so far, never a forecast that counts as overdue what is not overdue yet.
   */
  private async replayed(principal: Principal, asOf: Date): Promise<Dashboard> {
    const now = this.clock.now();
    const today = this.calendar.dayOf(asOf > now ? now : asOf);
    // Not before every change begun by `asOf` has ended: one still open would be left out now and
    // counted when asked again (its events are stamped when inserted, and commit later).
    await this.store.settle(asOf);
    const events = await sql<Replayed>(
      this.dataSource,
      // In whole transactions, as a past read of one record is (`EventStore.readStreamAsItStood`): a
      // campaign opened to 270 posts, begun by `asOf`, is shown with all its deliveries, never some.
      `SELECT type, stream_id, schema_version, recorded_at, data FROM events
       WHERE stream_type IN ('campaign', 'delivery', 'followup')
         AND transaction_id IN (SELECT transaction_id FROM events WHERE recorded_at < $1::timestamptz + interval '1 millisecond')
       ORDER BY transaction_id, global_position`,
      [asOf],
    );
    const bureauOf = new Map((await sql<{ code: string; bureau: string }>(this.dataSource, 'SELECT code, bureau FROM posts')).map((p) => [p.code, p.bureau]));
    const campaigns = new Map<string, Omit<CampaignFacts, 'counts' | 'unansweredPosts' | 'positionsChanged'> & { posts: string[]; captions: string[]; workingParty: string[] }>();
    // Each delivery folded as the read model folds it: the latest standing position, whether it moved.
    const deliveries = new Map<string, DeliveryState>();
    const followUps = new Map<string, { owner: string; bureau: string; status: string; dueOn: string }>();
    for (const event of events) {
      const data = event.data;
      if (DELIVERY_EVENTS.has(event.type)) {
        deliveries.set(event.stream_id, evolveDeliveryRow(deliveries.get(event.stream_id) ?? blankDelivery(), event, event.recorded_at.toISOString()));
        continue;
      }
      switch (event.type) {
        case 'CampaignOpened': {
          const id = event.stream_id.slice('campaign-'.length);
          campaigns.set(id, { id, mrn: data.mrn as string, subject: data.subject as string, classification: data.classification as string, reportBy: data.reportBy as string, posts: data.posts as string[], captions: data.captions as string[], workingParty: data.workingParty as string[] });
          break;
        }
        case 'FollowUpCreated': {
          const owner = data.owner as { office?: string; post?: string };
          followUps.set(event.stream_id, { owner: (owner.office ?? owner.post)!, bureau: data.ownerBureau as string, status: 'OPEN', dueOn: data.dueOn as string });
          break;
        }
        case 'FollowUpReassigned': {
          const owner = data.owner as { office?: string; post?: string };
          Object.assign(followUps.get(event.stream_id)!, { owner: (owner.office ?? owner.post)!, bureau: data.ownerBureau as string });
          break;
        }
        case 'FollowUpDueDateChanged':
          followUps.get(event.stream_id)!.dueOn = data.dueOn as string;
          break;
        case 'FollowUpStarted':
          followUps.get(event.stream_id)!.status = 'IN_PROGRESS';
          break;
        case 'FollowUpCompleted':
          followUps.get(event.stream_id)!.status = 'DONE';
          break;
        case 'FollowUpCancelled':
          followUps.get(event.stream_id)!.status = 'CANCELLED';
          break;
      }
    }
    // What the caller may read is decided on the records as they stand now, by the same SQL as above.
    const cableAccess = readableCableSql(principal, 1);
    const readableCampaigns = new Set(
      (await sql<{ id: string }>(this.dataSource, `SELECT c.id FROM demarche_campaigns c JOIN cables k ON k.id = c.cable_id WHERE ${cableAccess.where}`, cableAccess.params)).map((r) => r.id),
    );
    const followUpAccess = readableFollowUpSql(principal, 1);
    const readableFollowUps = new Set(
      (await sql<{ id: string }>(this.dataSource, `SELECT f.id FROM follow_ups f WHERE ${followUpAccess.where}`, followUpAccess.params)).map((r) => `followup-${r.id}`),
    );
    const readable = [...campaigns.values()].filter((c) => readableCampaigns.has(c.id));
    const facts = readable.map(({ id, mrn, subject, classification, captions, reportBy, posts }): CampaignFacts => {
      const counts = new Map<string, DeliveryCount>();
      const unansweredPosts: string[] = [];
      let positionsChanged = 0;
      for (const post of posts) {
        const delivery = deliveries.get(`delivery-${id}:${post}`) ?? blankDelivery();
        const position = currentResponse(delivery)?.position ?? null;
        if (isUnanswered(delivery.status)) unansweredPosts.push(post);
        if (positionChanged(delivery)) positionsChanged++;
        const bureau = bureauOf.get(post) ?? '?';
        const key = [bureau, delivery.status, position].join('|');
        const count = counts.get(key) ?? counts.set(key, [bureau, delivery.status, position, 0]).get(key)!;
        count[3]++;
      }
      return { id, mrn, subject, classification, captions, reportBy, counts: [...counts.values()], unansweredPosts, positionsChanged };
    });
    const followUpGroups = new Map<string, FollowUpGroup>();
    for (const [streamId, f] of followUps) {
      if (!readableFollowUps.has(streamId)) continue;
      const overdue = isFollowUpOverdue(f.status, f.dueOn, today);
      const key = [f.owner, f.bureau, f.status, overdue].join('|');
      const group = followUpGroups.get(key) ?? { owner: f.owner, bureau: f.bureau, status: f.status, overdue, count: 0 };
      group.count++;
      followUpGroups.set(key, group);
    }
    return composeDashboard(asOf.toISOString(), today, facts, [...followUpGroups.values()]);
  }
}
