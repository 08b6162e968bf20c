import type { EntityManager } from 'typeorm';
import type { RecordedEvent, Replay, ReplayWriter, Unfolded } from '@chancery/event-store';
import { blankDelivery } from '../domain/delivery.aggregate.js';
import { copyRows, type DeliveryRow, deliveryOf, foldEvent, insertCampaigns, type Opening, openingOf, readRows, recount, writeRows } from './delivery-rows.js';

/** A campaign held in memory: a row per tasked post. */
interface HeldCampaign {
  id: string;
  rows: Map<string, DeliveryRow>;
  /** Its opening, until its row is written; absent once read back (it was let go before). */
  opening?: Opening;
  /** The posts whose rows changed since they were read back (a campaign never written writes them all). */
  changed: Set<string>;
}

/** An event of a page, with what it is about: the campaign it opens, or the delivery it records. */
type Step = { recorded: RecordedEvent } & ({ opening: Opening } | { campaignId: string; post: string });

/** How many delivery rows a replay holds in memory before it writes the least recently touched campaigns. */
export const HELD_ROWS = 20_000;

/**
 * The demarches read model's rebuild (see `ReadModel.replay`). `apply` writes a delivery row on each
 * batch that touches it: replayed page by page, a campaign's ~270 rows would be inserted pending, then
 * read and updated again on every page holding one of its posts' events. Here campaigns stay in
 * memory, their rows folded through the domain's `evolveDelivery` as events come, and are written
 * once, with their counts, when the replay ends or when more than `limit` rows are held (the least
 * recently touched campaigns first; one touched again later is read back from the table).
 * An event the fold throws on is answered as unfolded and leaves its row as it was, as the
 * event-by-event retry of `apply` would.
 */
export class DemarchesReplay implements Replay {
  /** In the order they were last touched, least recent first. */
  private readonly held = new Map<string, HeldCampaign>();
  /** Every campaign opened so far in this replay: the only ones the (shadow) tables can have. */
  private readonly known = new Set<string>();
  private heldRows = 0;

  constructor(
    private readonly writer: ReplayWriter,
    private readonly limit = HELD_ROWS,
  ) {}

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<Unfolded[]> {
    // What each event is about, worked out once: a campaign it opens, or the delivery it records.
    const steps = events.map((recorded): Step => {
      if (recorded.type === 'CampaignOpened') return { recorded, opening: openingOf(recorded) };
      const { campaignId, post } = deliveryOf(recorded);
      return { recorded, campaignId, post };
    });
    await this.readBack(tx, steps);
    const unfolded: Unfolded[] = [];
    let current: HeldCampaign | undefined;
    for (const step of steps) {
      const { recorded } = step;
      if ('opening' in step) {
        const { opening } = step;
        if (this.known.has(opening.id)) {
          unfolded.push({ event: recorded, error: new Error(`campaign ${opening.id} is already open`) });
          continue;
        }
        this.known.add(opening.id);
        const pending = blankDelivery();
        const rows = new Map(opening.data.posts.map((post): [string, DeliveryRow] => [post, { campaign_id: opening.id, post, version: 0, updated_at: opening.recordedAt, state: pending }]));
        current = { id: opening.id, rows, opening, changed: new Set() };
        this.held.set(opening.id, current);
        this.heldRows += rows.size;
        continue;
      }
      const { campaignId, post } = step;
      if (current?.id !== campaignId) {
        current = this.held.get(campaignId);
        if (!current) continue; // a delivery of a campaign the table does not have: nothing to fold into
        this.held.delete(campaignId); // touched: to the back of the line
        this.held.set(campaignId, current);
      }
      const row = current.rows.get(post);
      if (!row) continue; // a post the campaign did not task
      try {
        current.rows.set(post, foldEvent(row, recorded));
        current.changed.add(post);
      } catch (error) {
        unfolded.push({ event: recorded, error });
      }
    }
    if (this.heldRows > this.limit) await this.letGo(this.heldRows - this.limit / 2);
    return unfolded;
  }

  async flush(): Promise<void> {
    await this.letGo(this.heldRows);
    await this.writer.drain();
  }

  /** The campaigns this page's deliveries belong to that were let go earlier: their rows, read back. */
  private async readBack(tx: EntityManager, steps: Step[]): Promise<void> {
    const wanted = new Set<string>();
    const openedHere = new Set<string>();
    let last = '';
    for (const step of steps) {
      if ('opening' in step) {
        openedHere.add(step.opening.id);
        continue;
      }
      const { campaignId } = step;
      if (campaignId === last) continue;
      last = campaignId;
      if (this.known.has(campaignId) && !this.held.has(campaignId) && !openedHere.has(campaignId)) wanted.add(campaignId);
    }
    if (wanted.size === 0) return;
    await this.writer.drain(); // what was let go last may still be on its way in
    const byCampaign = new Map<string, HeldCampaign>();
    for (const row of await readRows(tx, { campaigns: [...wanted] })) {
      const campaign = byCampaign.get(row.campaign_id) ?? byCampaign.set(row.campaign_id, { id: row.campaign_id, rows: new Map(), changed: new Set() }).get(row.campaign_id)!;
      campaign.rows.set(row.post, row);
    }
    for (const campaign of byCampaign.values()) {
      this.held.set(campaign.id, campaign);
      this.heldRows += campaign.rows.size;
    }
  }

  /**
   * Lets go of the least recently touched campaigns, `rows` rows' worth at least: the writer writes
   * them (rows of campaigns never written by COPY where it can, those read back and changed by UPDATE) and their
   * counts, while the replay goes on.
   */
  private async letGo(rows: number): Promise<void> {
    const going: HeldCampaign[] = [];
    let count = 0;
    for (const campaign of this.held.values()) {
      if (count >= rows) break;
      going.push(campaign);
      count += campaign.rows.size;
    }
    if (going.length === 0) return;
    const openings: Opening[] = [];
    const inserted: DeliveryRow[] = [];
    const updated: DeliveryRow[] = [];
    for (const campaign of going) {
      this.held.delete(campaign.id);
      this.heldRows -= campaign.rows.size;
      if (campaign.opening) {
        openings.push(campaign.opening);
        inserted.push(...campaign.rows.values());
      } else {
        for (const post of campaign.changed) updated.push(campaign.rows.get(post)!);
      }
    }
    const ids = going.map((c) => c.id).sort();
    await this.writer.write(async (tx) => {
      await insertCampaigns(tx, openings);
      await (this.writer.copy ? copyRows(tx, inserted) : writeRows(tx, inserted, 'insert'));
      await writeRows(tx, updated, 'update');
      await recount(tx, ids);
    });
  }
}
