import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReadModel, RecordedEvent, Replay, ReplayWriter } from '@chancery/event-store';
import { blankDelivery } from '../domain/delivery.aggregate.js';
import { DemarchesReplay } from './demarches.replay.js';
import { type DeliveryRow, deliveryOf, foldEvent, insertCampaigns, insertPendingRows, type Opening, openingOf, readRows, recount, updateRows, writeRows } from './delivery-rows.js';

/** One delivery's events in this batch, in feed order. */
interface DeliveryEvents {
  campaignId: string;
  post: string;
  events: RecordedEvent[];
}

/**
 * Campaigns and their per-post deliveries, kept in the transaction of every write. A batch is
 * applied set-at-a-time: its events are folded per delivery row, the rows of campaigns opened in the
 * batch inserted once and counted; the others read (their campaigns locked) and written back by one
 * statement that also moves their campaigns' tallies by the difference (`updateRows`).
 * A command (one event) and a live runner's batch take this path; a rebuild replays through
 * `DemarchesReplay`, which holds rows in memory and writes each once, with the same statements.
 */
@Injectable()
export class DemarchesProjection implements ReadModel {
  readonly name = 'demarches';
  readonly kind = 'read-model';
  readonly tables = ['demarche_campaigns', 'demarche_deliveries', 'demarche_counts'];
  readonly handles = ['CampaignOpened', 'DemarcheDelivered', 'ContactRecorded', 'ResponseLogged', 'ReportingCableAttached', 'DemarcheNotDelivered', 'DocumentAttached', 'DeliveryBecameOverdue'];

  replay(writer: ReplayWriter): Replay {
    return new DemarchesReplay(writer);
  }

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    const touched = new Set<string>();
    const opened = new Map<string, Opening>();
    const byDelivery = new Map<string, DeliveryEvents>();
    for (const recorded of events) {
      if (recorded.type === 'CampaignOpened') {
        const opening = openingOf(recorded);
        opened.set(opening.id, opening);
        touched.add(opening.id);
        continue;
      }
      const { campaignId, post } = deliveryOf(recorded);
      touched.add(campaignId);
      const key = `${campaignId}:${post}`;
      const entry = byDelivery.get(key) ?? byDelivery.set(key, { campaignId, post, events: [] }).get(key)!;
      entry.events.push(recorded);
    }
    if (touched.size === 0) return;
    // A campaign opened in this batch (its opening precedes its deliveries in the feed) gets its
    // delivery rows written once, already folded. The others' rows are read, folded and written back.
    const fresh = [...byDelivery.values()].filter((d) => opened.has(d.campaignId));
    const existing = [...byDelivery.values()].filter((d) => !opened.has(d.campaignId));
    for (const opening of opened.values()) await this.open(tx, opening, fresh.filter((d) => d.campaignId === opening.id));
    // A new campaign's counts are counted from the rows just written; the others' move with their rows.
    if (opened.size > 0) await recount(tx, [...opened.keys()].sort());
    if (existing.length > 0) await this.fold(tx, existing);
  }

  /** The campaign's row, and a row per tasked post: pending, or folded from this batch's events. */
  private async open(tx: EntityManager, opening: Opening, deliveries: DeliveryEvents[]): Promise<void> {
    await insertCampaigns(tx, [opening]);
    const tasked = new Set(opening.data.posts);
    const folded = deliveries
      .filter((d) => tasked.has(d.post))
      .map(({ campaignId, post, events }) => events.reduce(foldEvent, { campaign_id: campaignId, post, version: 0, updated_at: opening.recordedAt, state: blankDelivery() }));
    const recorded = new Set(folded.map((row) => row.post));
    await insertPendingRows(tx, opening.id, opening.data.posts.filter((post) => !recorded.has(post)), opening.recordedAt);
    await writeRows(tx, folded, 'insert');
  }

  /**
   * Reads the touched rows' state in one statement, folds the batch's events into it in memory
   * (through the domain's `evolveDelivery`, the one fold), and writes every row back in one UPDATE.
   */
  private async fold(tx: EntityManager, deliveries: DeliveryEvents[]): Promise<void> {
    // The campaigns are locked with the read: two commands for one campaign commit side by side, and
    // each moves the campaign's tallies from what the other committed.
    const rows = await readRows(tx, { keys: deliveries.map((d) => ({ campaign_id: d.campaignId, post: d.post })), lock: true });
    const stored = new Map(rows.map((row) => [`${row.campaign_id}:${row.post}`, row]));
    const out: DeliveryRow[] = [];
    for (const { campaignId, post, events } of deliveries) {
      const row = stored.get(`${campaignId}:${post}`);
      if (!row) continue; // a delivery of a campaign this table does not have: nothing to fold into
      out.push(events.reduce(foldEvent, row));
    }
    await updateRows(tx, rows, out);
  }
}
