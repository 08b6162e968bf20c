import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { AppModule } from '../apps/api/src/app.module.js';
import { configureApp } from '../apps/api/src/configure-app.js';
import { systemContext } from '@chancery/common';
import { loadConfig } from '@chancery/config';
import { Campaign, campaignDefinition, Delivery, deliveryDefinition, deliveryId } from '@chancery/demarches';
import { AggregateRepositoryFactory } from '@chancery/event-store';
import { FollowUp, followUpDefinition } from '@chancery/follow-ups';
import { PostsQuery } from '@chancery/posts';
import { benchDatabaseUrl, round, writeResult } from './support.js';

/**
 * Seeds the posts (269, 258 open), 200 campaigns with their deliveries (half delivered, a quarter answered) and
 * 2,000 follow-ups through the aggregates, then measures GET /dashboard and GET /inbox over HTTP.
 */
const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 200);
const FOLLOW_UPS = Number(process.env.BENCH_FOLLOW_UPS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function main() {
  const url = await benchDatabaseUrl('chancery_bench_dashboard');
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', JWT_SECRET: 'bench-only-signing-key-that-is-long-enough', ADMIN_PASSWORD: 'bench-admin-password', PROJECTIONS_INLINE: 'false', OVERDUE_SCAN_MS: '0', DB_POOL_SIZE: '16' });
  const app = await NestFactory.create(AppModule.forRoot({ config }), { bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();

  const started = performance.now();
  const repositories = app.get(AggregateRepositoryFactory);
  const campaigns = repositories.for(campaignDefinition);
  const deliveries = repositories.for(deliveryDefinition);
  const followUps = repositories.for(followUpDefinition);
  const posts = (await app.get(PostsQuery).list({ status: 'OPEN' }, 10_000, 0)).items;
  const ctx = systemContext('bench');
  const positions = ['SUPPORTIVE', 'RECEPTIVE', 'NONCOMMITTAL', 'OPPOSED', 'REJECTED'] as const;
  const campaignIds = Array.from({ length: CAMPAIGNS }, () => randomUUID());
  await pool(campaignIds, 8, (id) =>
    campaigns.create(ctx, 'OpenCampaign', () => Campaign.open({
      cableId: id, mrn: `26 STATE ${String(campaignIds.indexOf(id) + 1).padStart(6, '0')}`, subject: 'Benchmark demarche', classification: 'UNCLASSIFIED',
      captions: [], reportBy: '2026-12-15', targets: 'MFA', posts: posts.map((p) => p.code), workingParty: [],
    }, new Date().toISOString()), () => undefined),
  );
  const writes = campaignIds.flatMap((campaignId) => posts.filter((_, i) => i % 2 === 0).map((post, i) => ({ campaignId, post: post.code, respond: i % 2 === 0 })));
  await pool(writes, 8, async ({ campaignId, post, respond }) => {
    const id = deliveryId(campaignId, post);
    await deliveries.create(ctx, 'RecordDelivery', () => {
      const delivery = new Delivery(id);
      delivery.deliver({ deliveredOn: '2026-11-20', counterpart: { name: 'N', title: 'T', organization: 'O' }, level: 'DIRECTOR', method: 'IN_PERSON' }, 'bench', '2026-11-29');
      if (respond) delivery.logResponse({ receivedOn: '2026-11-21', position: positions[post.length % 5], summary: 'Noted.', quotes: [], reportingCableId: null }, 'bench', '2026-11-29');
      return delivery;
    }, () => undefined);
  });
  const actor = { id: 'bench', username: 'bench', roles: ['leadership' as const], office: 'S', postCode: null, clearance: 'SECRET' as const };
  await pool(Array.from({ length: FOLLOW_UPS }, (_, i) => i), 8, (i) =>
    followUps.create(ctx, 'CreateFollowUp', () => FollowUp.create(randomUUID(), {
      title: `Follow-up ${i}`, description: '', owner: i % 3 ? { post: posts[i % posts.length].code } : { office: 'EAP/CM' }, ownerBureau: i % 3 ? posts[i % posts.length].bureau : 'EAP',
      dueOn: i % 4 ? '2026-12-31' : '2026-11-01', links: { demarcheId: campaignIds[i % CAMPAIGNS], post: null, cableId: null },
    }, actor, new Date().toISOString()), () => undefined),
  );
  const seedSeconds = (performance.now() - started) / 1000;

  const login = async (username: string, password: string) =>
    ((await (await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()) as { accessToken: string }).accessToken;
  const admin = await login('admin', 'bench-admin-password');
  const create = (body: object) => fetch(`${base}/users`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(body) });
  await create({ username: 'bench.lead', password: 'bench-lead-password', displayName: 'Lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' });
  await create({ username: 'bench.post', password: 'bench-post-password', displayName: 'Post', roles: ['post_officer'], postCode: posts[1].code, clearance: 'SECRET' });
  const leader = await login('bench.lead', 'bench-lead-password');
  const officer = await login('bench.post', 'bench-post-password');

  const measure = async (path: string, token: string) => {
    const result = await autocannon({ url: `${base}${path}`, connections: 4, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
    if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} answers were not 2xx`);
    // autocannon reports fixed percentiles; p97.5 is the nearest above p95, so it is the stricter test.
    return { path, requestsPerSecond: round(result.requests.average), p50Ms: result.latency.p50, p97_5Ms: result.latency.p97_5, p99Ms: result.latency.p99, errors: result.errors };
  };
  const rows = [await measure('/dashboard', leader), await measure('/inbox', officer)];
  const rssMb = round(process.memoryUsage().rss / 1024 / 1024);
  const file = await writeResult('dashboard', { benchmark: 'dashboard', campaigns: CAMPAIGNS, deliveryRows: CAMPAIGNS * posts.length, followUps: FOLLOW_UPS, seedSeconds: round(seedSeconds), secondsPerRun: SECONDS, rows, peakRssMb: rssMb, at: new Date().toISOString() });
  console.log(`\nSeeded ${posts.length} posts, ${CAMPAIGNS} campaigns (${CAMPAIGNS * posts.length} deliveries, ${writes.length} written), ${FOLLOW_UPS} follow-ups in ${round(seedSeconds)} s\n`);
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
