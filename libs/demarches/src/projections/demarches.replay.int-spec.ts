import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventStore, ProjectionRegistry, ProjectionRunner, type Replay, type ReplayWriter, UpcasterRegistry } from '@chancery/event-store';
import { capturingLogs } from '../../../../test/support/captured-logs.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { DemarchesProjection } from './demarches.projection.js';
import { DemarchesReplay } from './demarches.replay.js';

/** The read model with a replay that holds few rows: campaigns are let go and read back again and again. */
class ForgetfulDemarches extends DemarchesProjection {
  override replay(writer: ReplayWriter): Replay {
    return new DemarchesReplay(writer, 40);
  }
}

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function generator(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] };
}

const POSTS = Array.from({ length: 14 }, (_, i) => `POST${String(i).padStart(2, '0')}`);
const POSITIONS = ['SUPPORTIVE', 'RECEPTIVE', 'NONCOMMITTAL', 'OPPOSED', 'REJECTED'];

/**
 * A feed as posts write it over weeks: campaigns opening while others run, each post's delivery,
 * meetings, responses (some correcting earlier ones, quoting with tabs, newlines and backslashes
 * that COPY must escape), documents, reporting cables, overdue marks, all interleaved; deliveries
 * of a post a campaign did not task and of a campaign never opened.
 */
async function writeFeed(store: EventStore, seed: number): Promise<{ written: number; delivered: string }> {
  const random = generator(seed);
  const campaigns: { id: string; posts: string[] }[] = [];
  const versions = new Map<string, number>();
  const responses = new Map<string, number>();
  let written = 0;
  const append = async (streamId: string, streamType: string, type: string, data: unknown) => {
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    await store.append(streamId, streamType, [{ type, data: data as Record<string, unknown> }], version - 1);
    written++;
  };
  const counterpart = () => ({ name: random.pick(['Sato', 'Müller', 'Lee\tKim']), title: 'DG', organization: random.pick(['MOFA', 'MFA\\Europe']) });
  for (let step = 0; step < 700; step++) {
    if (campaigns.length === 0 || (campaigns.length < 9 && random.next() < 0.03)) {
      const id = randomUUID();
      const posts = POSTS.filter(() => random.next() < 0.7);
      campaigns.push({ id, posts });
      await append(`campaign-${id}`, 'campaign', 'CampaignOpened', {
        cableId: randomUUID(), mrn: `26 STATE ${String(step).padStart(6, '0')}`, subject: 'Replay check', classification: 'UNCLASSIFIED', captions: [],
        reportBy: '2026-12-15', targets: 'MFA', workingParty: [], openedAt: new Date().toISOString(), posts, scope: step % 2 ? { collective: 'EAP_POSTS' } : undefined,
      });
      continue;
    }
    const campaign = random.next() < 0.02 ? { id: randomUUID(), posts: POSTS } : random.pick(campaigns);
    const post = random.next() < 0.05 ? 'NOWHERE' : random.pick(campaign.posts.length ? campaign.posts : POSTS);
    const stream = `delivery-${campaign.id}:${post}`;
    const at = new Date(Date.UTC(2026, 10, 1, 0, step)).toISOString();
    const logged = responses.get(stream) ?? 0;
    const roll = random.next();
    if (roll < 0.3) await append(stream, 'delivery', 'DemarcheDelivered', { deliveredOn: '2026-11-20', counterpart: counterpart(), level: 'DIRECTOR', method: 'IN_PERSON', by: 'tester', at });
    else if (roll < 0.4) await append(stream, 'delivery', 'ContactRecorded', { on: '2026-11-21', counterpart: counterpart(), level: 'MINISTER', method: 'PHONE', by: 'tester', at });
    else if (roll < 0.7) {
      responses.set(stream, logged + 1);
      await append(stream, 'delivery', 'ResponseLogged', {
        number: logged + 1, receivedOn: `2026-11-${String(10 + Math.floor(random.next() * 18)).padStart(2, '0')}`, position: random.pick(POSITIONS),
        summary: random.pick(['Will study.', 'Line one\nline two', 'Path C:\\temp']), quotes: random.next() < 0.5 ? [{ text: '"検討します"\t\\', language: 'ja', translation: 'We will study it.' }] : [],
        reportingCableId: null, corrects: logged > 0 && random.next() < 0.4 ? logged : null, by: 'tester', at,
      });
    } else if (roll < 0.76 && logged > 0) await append(stream, 'delivery', 'ReportingCableAttached', { response: logged, reportingCableId: randomUUID(), by: 'tester', at });
    else if (roll < 0.82) await append(stream, 'delivery', 'DemarcheNotDelivered', { reason: 'Ministry closed', by: 'tester', at });
    else if (roll < 0.88) {
      await append(stream, 'delivery', 'DocumentAttached', { documentId: randomUUID(), name: 'non-paper.pdf', kind: 'NON_PAPER', mediaType: 'application/pdf', size: 100, sha256: 'a'.repeat(64), by: 'tester', at });
    } else await append(stream, 'delivery', 'DeliveryBecameOverdue', { reportBy: '2026-12-15', at });
  }
  return { written, delivered: `delivery-${campaigns[0].id}:${campaigns[0].posts[0]}` };
}

describe('DemarchesReplay', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(6);
    dataSource = await database.dataSource();
  });
  afterAll(async () => {
    await database.drop();
  });

  const runner = (projection: DemarchesProjection, options: { readAhead: boolean; copy: boolean }) => {
    const registry = new ProjectionRegistry();
    registry.registerAsync(projection);
    return new ProjectionRunner(dataSource, new EventStore(dataSource, new UpcasterRegistry()), registry, { batchSize: 7, rebuildBatch: 25, pollMs: 50, retryBaseMs: 1, maxAttempts: 1, ...options });
  };
  const tables = async () => ({
    campaigns: await dataSource.query('SELECT * FROM demarche_campaigns ORDER BY id'),
    deliveries: await dataSource.query('SELECT * FROM demarche_deliveries ORDER BY campaign_id, post'),
    // A count that fell to nought stays as a row after `apply` (its moves), not after a replay (a recount).
    counts: await dataSource.query('SELECT * FROM demarche_counts WHERE count > 0 ORDER BY campaign_id, bureau, status, position'),
    parked: await dataSource.query(`SELECT global_position, event_type, error FROM projection_dead_letters WHERE projection = 'demarches' ORDER BY global_position`),
  });

  const settle = async (live: ProjectionRunner) => {
    // The feed is read below the cluster's oldest open transaction: on a shared server the last
    // events may take a moment to become readable.
    for (let i = 0; i < 200 && (await live.status())[0].lag > 0; i++) await live.catchUp().then(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect((await live.status())[0].lag).toBe(0);
  };

  it('rebuilds the tables that applying the feed in small batches made, holding few rows, with COPY and without', async () => {
    const store = new EventStore(dataSource, new UpcasterRegistry());
    const { written, delivered } = await writeFeed(store, 20261130);
    // The live way: `apply`, seven events at a time.
    const live = runner(new DemarchesProjection(), { readAhead: true, copy: true });
    await settle(live);
    const applied = await tables();
    expect(applied.campaigns.length).toBeGreaterThan(3);
    expect(applied.deliveries.filter((d: { status: string }) => d.status !== 'PENDING').length).toBeGreaterThan(40);
    expect(applied.parked).toEqual([]);

    // Server mode (COPY, written on a second connection while the next pages are folded), and the
    // embedded way (one connection: written in the page's transaction, without COPY).
    for (const options of [{ readAhead: true, copy: true }, { readAhead: false, copy: false }]) {
      const { result, logs } = await capturingLogs(() => runner(new ForgetfulDemarches(), options).rebuild('demarches'));
      expect(result).toEqual({ replayed: written, parked: 0 });
      expect({ options, logs }).toEqual({ options, logs: [] }); // the replay wrote it all: no starting over with `apply`
      expect({ options, tables: await tables() }).toEqual({ options, tables: applied });
    }

    // An event the fold takes but the table refuses (not a time): `apply` parks it; the replay's
    // write fails, and the rebuild starts over with `apply`, to the same tables.
    await store.append(delivered, 'delivery', [{ type: 'DeliveryBecameOverdue', data: { reportBy: '2026-12-15', at: 'not a time' } }]);
    const { logs: parking } = await capturingLogs(() => settle(live));
    expect(parking.map((l) => l.level)).toEqual(['error']);
    const withParked = await tables();
    expect(withParked.parked).toEqual([expect.objectContaining({ event_type: 'DeliveryBecameOverdue', error: expect.stringMatching(/not a time/) })]);
    for (const options of [{ readAhead: true, copy: true }, { readAhead: false, copy: false }]) {
      const { result, logs } = await capturingLogs(() => runner(new ForgetfulDemarches(), options).rebuild('demarches'));
      expect(result).toEqual({ replayed: written + 1, parked: 1 });
      expect(logs.map((l) => `${l.level} ${l.message}`)).toEqual([
        expect.stringMatching(/^warn The rebuild's replay failed \(invalid input syntax .*"not a time"\); starting over with each read model's apply/),
        expect.stringMatching(/^error demarches: parked event \d+ \(DeliveryBecameOverdue\)/),
      ]);
      expect({ options, tables: await tables() }).toEqual({ options, tables: withParked });
    }
  });
});
