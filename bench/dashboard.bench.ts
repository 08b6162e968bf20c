import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { AppModule } from '../apps/api/src/app.module.js';
import { configureApp } from '../apps/api/src/configure-app.js';
import { systemContext, utcDate } from '@chancery/common';
import { loadConfig } from '@chancery/config';
import { Campaign, campaignDefinition, Delivery, deliveryDefinition, deliveryId } from '@chancery/demarches';
import { AggregateRepositoryFactory } from '@chancery/event-store';
import { FollowUp, followUpDefinition } from '@chancery/follow-ups';
import { PostsQuery } from '@chancery/posts';
import { benchDatabase, peakRssMb, pool, round, writeResult } from './support.js';

/**
 * Seeds the posts (269, 258 open), 200 campaigns (a quarter past their report-by date) with their deliveries (half delivered, a quarter answered) and
 * 2,000 follow-ups through the aggregates, then measures GET /dashboard (now, and as of the seeding's
 * middle event) and GET /inbox over HTTP.
 * BENCH_REUSE=1 measures again on the database a previous run seeded, skipping the seeding.
 */
const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 200);
const FOLLOW_UPS = Number(process.env.BENCH_FOLLOW_UPS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** Writes the benchmark's world through the aggregates, as commands would: campaigns, deliveries, follow-ups. */
async function seed(app: INestApplication, posts: { code: string; bureau: string }[]) {
  const repositories = app.get(AggregateRepositoryFactory);
  const campaigns = repositories.for(campaignDefinition);
  const deliveries = repositories.for(deliveryDefinition);
  const followUps = repositories.for(followUpDefinition);
  const ctx = systemContext('bench');
  const positions = ['SUPPORTIVE', 'RECEPTIVE', 'NONCOMMITTAL', 'OPPOSED', 'REJECTED'] as const;
  const campaignIds = Array.from({ length: CAMPAIGNS }, () => randomUUID());
  const mrnOf = (id: (typeof campaignIds)[number]) => `26 STATE ${String(campaignIds.indexOf(id) + 1).padStart(6, '0')}`;
  // A quarter of the campaigns are past their report-by date, so the dashboard has overdue posts to list.
  const day = 86_400_000;
  const reportBy = (id: (typeof campaignIds)[number]) => utcDate(new Date(Date.now() + (campaignIds.indexOf(id) % 4 === 0 ? -14 : 16) * day));
  await pool(campaignIds, 8, (id) =>
    campaigns.create(ctx, 'OpenCampaign', () => Campaign.open({
      cableId: id, mrn: mrnOf(id), subject: 'Benchmark demarche', classification: 'UNCLASSIFIED',
      captions: [], reportBy: reportBy(id), targets: 'MFA', posts: posts.map((p) => p.code), workingParty: [],
    }, new Date().toISOString()), () => undefined),
  );
  // Each campaign's cable, as its release left it in the cables read model (a released UNCLASSIFIED
  // instruction to every open post): the dashboard reads campaigns under their cables (need-to-know),
  // so a campaign without one is shown to nobody. Written straight into the read model, as the
  // campaigns' events are written straight through the aggregates: the benchmark measures the reads.
  const codes = posts.map((p) => p.code);
  await app.get(DataSource).query(
    `INSERT INTO cables (id, origin, status, kind, subject, classification, classification_level, captions, narrowed, precedence, tags, drafter_id,
       working_party, addressed_posts, mrn, released_at, drafted_at, updated_at, version, search, drafting_office, distribution, action_posts)
     SELECT c.id, 'STATE', 'RELEASED', 'INSTRUCTION', 'Benchmark demarche', 'UNCLASSIFIED', 0, '{}', false, 'ROUTINE', '{PREL}', gen_random_uuid(),
       '{}', $3::text[], c.mrn, now(), now(), now(), 4, to_tsvector('english', 'Benchmark demarche'), 'EAP/CM', $3::text[], $3::text[]
     FROM unnest($1::uuid[], $2::text[]) AS c(id, mrn)`,
    [campaignIds, campaignIds.map(mrnOf), codes],
  );
  // Half the posts delivered, half of those answered.
  const writes = campaignIds.flatMap((campaignId) => posts.filter((_, i) => i % 2 === 0).map((post, i) => ({ campaignId, post: post.code, respond: i % 2 === 0 })));
  await pool(writes, 8, async ({ campaignId, post, respond }) => {
    const id = deliveryId(campaignId, post);
    await deliveries.create(ctx, 'RecordDelivery', () => {
      const delivery = new Delivery(id);
      delivery.deliver({ deliveredOn: '2026-11-20', counterpart: { name: 'N', title: 'T', organization: 'O' }, level: 'DIRECTOR', method: 'IN_PERSON' }, 'bench', { today: '2026-11-29', taskedOn: '2026-11-01' }, '2026-11-29T00:00:00.000Z');
      if (respond) delivery.logResponse({ receivedOn: '2026-11-21', position: positions[post.length % 5], summary: 'Noted.', quotes: [], reportingCableId: null }, 'bench', '2026-11-29', '2026-11-29T00:00:00.000Z');
      return delivery;
    }, () => undefined);
  });
  const actor = { id: 'bench', username: 'bench', roles: ['leadership' as const], office: 'S', postCode: null, clearance: 'SECRET' as const };
  await pool(Array.from({ length: FOLLOW_UPS }, (_, i) => i), 8, (i) =>
    followUps.create(ctx, 'CreateFollowUp', () => FollowUp.create(randomUUID(), {
      title: `Follow-up ${i}`, description: '', owner: i % 3 ? { post: posts[i % posts.length].code } : { office: 'EAP/CM' }, ownerBureau: i % 3 ? posts[i % posts.length].bureau : 'EAP',
      dueOn: utcDate(new Date(Date.now() + (i % 4 ? 28 : -30) * day)), links: { demarcheId: campaignIds[i % CAMPAIGNS], post: null, cableId: null },
      // Opened 60 days ago, as a follow-up now a month overdue was (none is opened already past due).
    }, actor, new Date(Date.now() - 60 * day).toISOString()), () => undefined),
  );
}

async function main() {
  const { url, fresh } = await benchDatabase('chancery_bench_dashboard', process.env.BENCH_REUSE === '1');
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', JWT_SECRET: 'bench-only-signing-key-that-is-long-enough', ADMIN_PASSWORD: 'bench-admin-password', PROJECTIONS_INLINE: 'false', OVERDUE_SCAN_MS: '0', DB_POOL_SIZE: '16' });
  const app = await NestFactory.create(AppModule.forRoot({ config }), { bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();

  const started = performance.now();
  const posts = (await app.get(PostsQuery).list({ status: 'OPEN' }, 10_000, 0)).items;
  if (fresh) await seed(app, posts);
  const seedSeconds = (performance.now() - started) / 1000;

  const login = async (username: string, password: string) =>
    ((await (await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()) as { accessToken: string }).accessToken;
  const admin = await login('admin', 'bench-admin-password');
  const create = (body: object) => fetch(`${base}/users`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(body) });
  await create({ username: 'bench.lead', password: 'quartz-harbour-lantern-1947', displayName: 'Lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
  await create({ username: 'bench.post', password: 'velvet-orchard-compass-2031', displayName: 'Post', roles: ['post_officer'], postCode: posts[1].code, clearance: 'SECRET' });
  const leader = await login('bench.lead', 'quartz-harbour-lantern-1947');
  const officer = await login('bench.post', 'velvet-orchard-compass-2031');

  const measure = async (path: string, token: string) => {
    const result = await autocannon({ url: `${base}${path}`, connections: Number(process.env.BENCH_CONNECTIONS ?? 4), duration: SECONDS, workers: 1, headers: { authorization: `Bearer ${token}` } });
    if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} answers were not 2xx`);
    // autocannon reports fixed percentiles; p97.5 is the nearest above p95, so it is the stricter test.
    return { path, requestsPerSecond: round(result.requests.average), p50Ms: result.latency.p50, p97_5Ms: result.latency.p97_5, p99Ms: result.latency.p99, errors: result.errors };
  };
  // The dashboard as it stood halfway through the seeding (the instant of its middle event): a
  // replay of the events up to then, not a read of the read models.
  const [{ midway }] = await app.get(DataSource).query(
    `SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS midway FROM events ORDER BY global_position OFFSET (SELECT count(*) / 2 FROM events) LIMIT 1`,
  );
  const rows = [await measure('/dashboard', leader), await measure(`/dashboard?asOf=${midway}`, leader), await measure('/inbox', officer)];
  const rssMb = peakRssMb();
  const file = await writeResult('dashboard', { benchmark: 'dashboard', campaigns: CAMPAIGNS, deliveryRows: CAMPAIGNS * posts.length, followUps: FOLLOW_UPS, seedSeconds: round(seedSeconds), secondsPerRun: SECONDS, rows, peakRssMb: rssMb, at: new Date().toISOString() });
  console.log(`\n${fresh ? 'Seeded' : 'Reused'} ${posts.length} posts, ${CAMPAIGNS} campaigns (${CAMPAIGNS * posts.length} deliveries), ${FOLLOW_UPS} follow-ups in ${round(seedSeconds)} s\n`);
  console.log('| route | requests/s | p50 ms | p97.5 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| GET ${r.path} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p97_5Ms} | ${r.p99Ms} |`);
  console.log(`\nTarget: p95 under 100 ms (p97.5 shown, the nearest percentile autocannon reports above it). Peak RSS ${rssMb} MB. Written to ${file}`);
  await app.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
