import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-app.js';
import { testAuditEnv } from '../support/audit-key.js';
import { API_MAIN, client, loginTo, readModels, rebuildAll, releaseInstruction, type Running, startProcess, stopProcess, userOn, waitFor, WORKER_MAIN } from './processes.js';

const CABLES = 12;
const POSTS = 16;

/** Runs `work` over `items`, `size` at a time. */
async function inParallel<T>(items: T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  }));
}

describe('two API processes and two projection workers on one database', () => {
  let database: TestDatabase;
  const processes: Running[] = [];
  let db: pg.Client;
  const count = async (sql: string) => (await db.query(sql)).rows[0].n as number;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Both APIs start at once on an empty database: migrations, the post seed and the first admin race.
    // One heads file for the deployment (a shared volume): both workers seal into it, and the APIs'
    // GET /audit/verify checks the log against it.
    const { AUDIT_HEADS_FILE } = testAuditEnv();
    const env = { SEED_POSTS: 'true', PROJECTIONS_INLINE: 'false', DB_POOL_SIZE: '8', AUDIT_HEADS_FILE };
    processes.push(...(await Promise.all([startProcess(API_MAIN, database.target.url, env), startProcess(API_MAIN, database.target.url, env)])));
    processes.push(await startProcess(WORKER_MAIN, database.target.url, { PROJECTIONS_POLL_MS: '50', AUDIT_HEADS_FILE }));
    processes.push(await startProcess(WORKER_MAIN, database.target.url, { PROJECTIONS_POLL_MS: '50', AUDIT_HEADS_FILE }));
    db = new pg.Client({ connectionString: database.target.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    for (const running of processes) await stopProcess(running, 'SIGKILL');
    await database.drop();
  });

  it('loses and duplicates nothing, numbers MRNs without gaps, and applies each event to each read model once', async () => {
    const [a, b] = processes.map((p) => p.base);
    const api = (n: number) => (n % 2 === 0 ? a : b);
    const admin = await loginTo(a, 'admin', TEST_ADMIN_PASSWORD);
    expect(await count('SELECT count(*)::int AS n FROM users')).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'PostEstablished'`)).toBe(await count('SELECT count(*)::int AS n FROM posts'));

    const drafter = await userOn(a, admin, { username: 'two.drafter', roles: ['drafter'], office: 'EAP/CM' });
    const approver = await userOn(b, admin, { username: 'two.approver', roles: ['approver'], office: 'EAP' });
    const posts = (await db.query(`SELECT code FROM posts WHERE status = 'OPEN' ORDER BY code LIMIT ${POSTS}`)).rows.map((r) => r.code as string);
    const officers = new Map<string, string>();
    await inParallel(posts, 4, async (post, i) => void officers.set(post, await userOn(api(i), admin, { username: `two.${post.toLowerCase()}`, roles: ['post_officer'], postCode: post })));

    // Cables released at once through both APIs: the MRN serials must come out 1..N.
    const cables: { id: string; mrn: string }[] = [];
    await inParallel(Array.from({ length: CABLES }, (_, i) => i), CABLES, async (i) => void cables.push(await releaseInstruction(api(i), drafter, approver, ['ALDAC'], `Two of everything ${i}`, admin)));
    const serials = cables.map((c) => Number(c.mrn.split(' ').pop())).sort((x, y) => x - y);
    expect(serials).toEqual(Array.from({ length: CABLES }, (_, i) => i + 1));

    // Both workers race for the campaign opener; each release opens exactly one campaign.
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM demarche_campaigns`)) === CABLES, 60_000);

    // Every post delivers to every campaign, the same delivery sent to both APIs at the same time.
    const work = cables.flatMap((cable) => posts.map((post) => ({ cable: cable.id, post })));
    const statuses: number[] = [];
    await inParallel(work, 16, async ({ cable, post }) => {
      const path = `/demarches/${cable}/deliveries/${post}`;
      // Dated the day the campaigns opened (the processes run on the real clock).
      const today = new Date().toISOString().slice(0, 10);
      const delivery = { deliveredOn: today, counterpart: { name: 'N', title: 'T', organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON' };
      const twice = await Promise.all([a, b].map((base) => client(base, officers.get(post)).post(`${path}/delivery`, delivery)));
      statuses.push(...twice.map((answer) => answer.status));
      expect(twice.map((answer) => answer.status).sort()).toEqual([201, 409]);
      const response = await client(api(statuses.length), officers.get(post)).post(`${path}/response`, { receivedOn: today, position: 'RECEPTIVE', summary: 'Will study it.' });
      expect(response.status).toBe(201);
    });
    expect(statuses.filter((s) => s >= 500)).toEqual([]);

    // Nothing lost, nothing doubled, no gap in any stream.
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'DemarcheDelivered'`)).toBe(work.length);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'ResponseLogged'`)).toBe(work.length);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE type = 'CampaignOpened'`)).toBe(CABLES);
    expect(await count(`SELECT count(*)::int AS n FROM (SELECT stream_id FROM events GROUP BY stream_id HAVING max(stream_version) <> count(*)) gaps`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM demarche_deliveries WHERE status = 'RESPONDED'`)).toBe(work.length);
    expect(await count(`SELECT coalesce(sum(count), 0)::int AS n FROM demarche_counts WHERE status = 'RESPONDED'`)).toBe(work.length);
    expect(await count(`SELECT count(*)::int AS n FROM events e WHERE NOT EXISTS (
      SELECT 1 FROM audit_log l WHERE l.stream_id = e.stream_id AND e.stream_version BETWEEN l.from_version AND l.to_version)`)).toBe(0);
    expect((await client(b, admin).get('/audit/verify')).body).toMatchObject({ valid: true });

    // And the read models are what a rebuild from the log gives.
    for (const running of processes) await stopProcess(running);
    const live = await readModels(database.target.url);
    await rebuildAll(database.target.url);
    expect(await readModels(database.target.url)).toEqual(live);
  });
});
