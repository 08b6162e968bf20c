import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventStore, type RecordedEvent, UpcasterRegistry } from '@chancery/event-store';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { recount } from './delivery-rows.js';
import { DemarchesProjection } from './demarches.projection.js';

const POSTS = Array.from({ length: 12 }, (_, i) => `POST${String(i).padStart(2, '0')}`);
const POSITIONS = ['SUPPORTIVE', 'RECEPTIVE', 'OPPOSED'];

/**
 * Commands for one campaign commit side by side, each moving the campaign's tallies by what it
 * changed: what they leave must be what a recount from every row gives.
 */
describe('DemarchesProjection under concurrent commands', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(8);
    dataSource = await database.dataSource();
  });
  afterAll(async () => {
    await database.drop();
  });

  const tallies = async (id: string) => ({
    campaign: await dataSource.query('SELECT counts::text, unanswered_posts::text, positions_changed FROM demarche_campaigns WHERE id = $1', [id]),
    counts: await dataSource.query('SELECT bureau, status, position, count FROM demarche_counts WHERE campaign_id = $1 AND count > 0 ORDER BY bureau, status, position', [id]),
  });

  it('moves the tallies of one campaign from every concurrent writer, as a recount would count them', async () => {
    const store = new EventStore(dataSource, new UpcasterRegistry());
    const projection = new DemarchesProjection();
    await dataSource.query(`INSERT INTO posts (code, name, kind, city, country, country_tag, bureau, status, version, updated_at)
      SELECT code, code, 'EMBASSY', code, 'JP', 'JA', CASE WHEN n % 2 = 0 THEN 'EAP' ELSE 'EUR' END, 'OPEN', 1, now()
      FROM unnest($1::text[]) WITH ORDINALITY AS p(code, n)`, [POSTS]);
    const id = randomUUID();
    // Each write is a command's: its event appended and the read model applied in one transaction.
    const write = (streamId: string, streamType: string, type: string, data: Record<string, unknown>) =>
      dataSource.transaction(async (tx) => {
        const version = (await tx.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [streamId]))[0].n;
        const appended = await store.append(streamId, streamType, [{ type, data }], version === 0 ? 'no_stream' : version, tx);
        await projection.apply(tx, appended.events as RecordedEvent[]);
      });
    await write(`campaign-${id}`, 'campaign', 'CampaignOpened', {
      cableId: randomUUID(), mrn: '26 STATE 000001', subject: 'Tallies', classification: 'UNCLASSIFIED', captions: [], reportBy: '2026-12-15',
      targets: 'MFA', workingParty: [], openedAt: new Date().toISOString(), posts: POSTS,
    });
    const at = new Date().toISOString();
    const counterpart = { name: 'Sato', title: 'DG', organization: 'MOFA' };
    // Three rounds, each with every post writing at once: delivered, then a position, then
    // another (a changed position for some, the same for others, not delivered for one).
    const rounds: ((post: string, i: number) => [string, Record<string, unknown>])[] = [
      () => ['DemarcheDelivered', { deliveredOn: '2026-11-20', counterpart, level: 'DIRECTOR', method: 'IN_PERSON', by: 'tester', at }],
      (_, i) => ['ResponseLogged', { number: 1, receivedOn: '2026-11-21', position: POSITIONS[i % 3], summary: 'First', quotes: [], reportingCableId: null, corrects: null, by: 'tester', at }],
      (_, i) => i === 0
        ? ['DemarcheNotDelivered', { reason: 'Closed', by: 'tester', at }]
        : ['ResponseLogged', { number: 2, receivedOn: '2026-11-22', position: POSITIONS[(i * 2) % 3], summary: 'Second', quotes: [], reportingCableId: null, corrects: null, by: 'tester', at }],
    ];
    for (const round of rounds) {
      await Promise.all(POSTS.slice(0, 10).map((post, i) => {
        const [type, data] = round(post, i);
        return write(`delivery-${id}:${post}`, 'delivery', type, data);
      }));
    }
    const moved = await tallies(id);
    expect(moved.counts.length).toBeGreaterThan(3);
    expect(JSON.parse(moved.campaign[0].unanswered_posts)).toEqual(['POST10', 'POST11']);
    expect(moved.campaign[0].positions_changed).toBeGreaterThan(0);
    await dataSource.transaction((tx) => recount(tx, [id]));
    expect(await tallies(id)).toEqual(moved);
  });
});
