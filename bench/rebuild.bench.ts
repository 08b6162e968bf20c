import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { AppModule } from '../apps/api/src/app.module.js';
import { loadConfig } from '@chancery/config';
import { DataSource } from 'typeorm';
import { EventStore, ProjectionRegistry, ProjectionRunner } from '@chancery/event-store';
import { benchDatabase, peakRssMb, round, writeResult } from './support.js';

/**
 * Rebuilds every read model from 1,000,000 events, against a plain SELECT scan of the same events
 * in the same order and pages (the read limit; run before and after, and averaged, since a shared
 * machine's load drifts). The events are a realistic mix written straight
 * into the store: campaigns opened to every open post, each post's delivery and response.
 * BENCH_EVENTS scales it; BENCH_REUSE=1 keeps the events a previous run wrote; BENCH_DATABASE names the database.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = 5000; // the page a rebuild reads (REBUILD_BATCH)

async function seed(pool: pg.Pool, campaigns: number, posts: number): Promise<void> {
  const chunk = 25;
  for (let done = 0; done < campaigns; done += chunk) {
    const n = Math.min(chunk, campaigns - done);
    // Campaigns first, in a transaction of their own, so that their deliveries follow them in the feed.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE bench_campaigns ON COMMIT DROP AS SELECT gen_random_uuid() AS id, '26 STATE ' || lpad((${done} + i)::text, 6, '0') AS mrn FROM generate_series(1, ${n}) i`);
      await client.query(`
        INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
        SELECT gen_random_uuid(), 'campaign-' || c.id, 'campaign', 1, 'CampaignOpened',
               jsonb_build_object('cableId', c.id, 'mrn', c.mrn, 'subject', 'Benchmark demarche', 'classification', 'UNCLASSIFIED',
                 'captions', '[]'::jsonb, 'reportBy', '2026-12-15', 'targets', 'MFA', 'workingParty', '[]'::jsonb, 'openedAt', now(),
                 'posts', (SELECT jsonb_agg(code ORDER BY code) FROM posts WHERE status = 'OPEN')),
               '{"actorId":"bench"}'
        FROM bench_campaigns c`);
      await client.query('COMMIT');
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE bench_campaigns ON COMMIT DROP AS SELECT substr(stream_id, 10)::uuid AS id FROM events WHERE type = 'CampaignOpened' ORDER BY global_position DESC LIMIT ${n}`);
      await client.query(`
        INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
        SELECT gen_random_uuid(), 'delivery-' || c.id || ':' || p.code, 'delivery', v,
               CASE v WHEN 1 THEN 'DemarcheDelivered' ELSE 'ResponseLogged' END,
               CASE v WHEN 1 THEN jsonb_build_object('deliveredOn', '2026-11-20', 'counterpart', jsonb_build_object('name', 'N', 'title', 'T', 'organization', 'O'),
                                                     'level', 'DIRECTOR', 'method', 'IN_PERSON', 'by', 'bench', 'at', now())
                      ELSE jsonb_build_object('receivedOn', '2026-11-21', 'position', (ARRAY['SUPPORTIVE','RECEPTIVE','NONCOMMITTAL','OPPOSED','REJECTED'])[1 + abs(hashtext(p.code)) % 5],
                                              'summary', 'Noted; will consider.', 'quotes', '[]'::jsonb, 'reportingCableId', null, 'by', 'bench', 'at', now()) END,
               '{"actorId":"bench"}'
        FROM bench_campaigns c CROSS JOIN (SELECT code FROM posts WHERE status = 'OPEN') p CROSS JOIN generate_series(1, 2) v
        ORDER BY c.id, p.code, v`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    process.stdout.write(`\rseeding: ${Math.min(done + n, campaigns)}/${campaigns} campaigns (${posts * 2 + 1} events each)`);
  }
  process.stdout.write('\n');
}

/** The read limit: every event, in commit order, in the runner's page size, decoded by `pg`. */
async function scan(pool: pg.Pool): Promise<number> {
  let after = { tx: '0', pos: 0 };
  let read = 0;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT global_position, transaction_id::text AS tx, event_id, stream_id, stream_type, stream_version, type, schema_version, data, metadata, recorded_at
       FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2) ORDER BY transaction_id, global_position LIMIT ${BATCH}`,
      [after.tx, after.pos],
    );
    if (rows.length === 0) return read;
    read += rows.length;
    const last = rows[rows.length - 1];
    after = { tx: last.tx, pos: Number(last.global_position) };
  }
}

async function main() {
  const { url, fresh } = await benchDatabase(process.env.BENCH_DATABASE ?? 'chancery_bench_rebuild', process.env.BENCH_REUSE === '1');
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', JWT_SECRET: 'bench-only-signing-key-that-is-long-enough', ADMIN_PASSWORD: 'bench-admin-password', OVERDUE_SCAN_MS: '0', DB_POOL_SIZE: '4', PROJECTIONS_INLINE: 'false' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { logger: ['error', 'warn'] });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const [{ posts }] = (await pool.query(`SELECT count(*)::int AS posts FROM posts WHERE status = 'OPEN'`)).rows;
  if (fresh) await seed(pool, Math.ceil(EVENTS / (posts * 2 + 1)), posts);
  await pool.query('VACUUM ANALYZE events');
  const [{ total }] = (await pool.query('SELECT count(*)::int AS total FROM events')).rows;

  let t0 = performance.now();
  const scanned = await scan(pool);
  const scanBefore = (performance.now() - t0) / 1000;
  console.log(`plain scan: ${scanned} events in ${round(scanBefore)} s`);

  // The app's runner, or one with the rebuild's options switched (BENCH_UNLOGGED=1, BENCH_READ_AHEAD=0, BENCH_FILLFACTOR=100) to compare.
  const variant = { unloggedRebuild: process.env.BENCH_UNLOGGED === '1', readAhead: process.env.BENCH_READ_AHEAD !== '0', rebuildFillfactor: process.env.BENCH_FILLFACTOR ? Number(process.env.BENCH_FILLFACTOR) : undefined };
  const runner = variant.unloggedRebuild || !variant.readAhead || variant.rebuildFillfactor !== undefined
    ? new ProjectionRunner(app.get(DataSource), app.get(EventStore), app.get(ProjectionRegistry), { batchSize: 500, pollMs: 1000, ...variant })
    : app.get(ProjectionRunner);
  const projections = [];
  // Peak resident memory while rebuilding, sampled (the rebuild holds at most two pages at once).
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  t0 = performance.now();
  // Every read model in one pass over the feed, as `projections:rebuild` does.
  let last = 0;
  const names = app.get(ProjectionRegistry).all.filter((p) => p.kind === 'read-model').map((p) => p.name);
  const results = await runner.rebuildTogether(names, (done, all) => {
    if (performance.now() - last > 2000 || done === all) {
      last = performance.now();
      process.stdout.write(`\rrebuilding ${names.length} read models: ${done}/${all}`);
    }
  });
  process.stdout.write('\n');
  for (const [name, { replayed }] of Object.entries(results)) projections.push({ name, replayed });
  const rebuildSeconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  // The scan again, after: the mean of the two cancels drift in the machine's load.
  t0 = performance.now();
  await scan(pool);
  const scanAfter = (performance.now() - t0) / 1000;
  console.log(`plain scan again: ${round(scanAfter)} s`);
  const scanSeconds = (scanBefore + scanAfter) / 2;
  const scanPerSecond = scanned / scanSeconds;
  const rebuildPerSecond = total / rebuildSeconds;
  const result = {
    benchmark: 'rebuild', events: total, batch: BATCH, ...variant,
    scanSeconds: round(scanSeconds, 2), scanSecondsBeforeAfter: [round(scanBefore, 2), round(scanAfter, 2)], scanPerSecond: round(scanPerSecond),
    rebuildSeconds: round(rebuildSeconds, 2), rebuildPerSecond: round(rebuildPerSecond),
    ratio: round(rebuildPerSecond / scanPerSecond, 3), projections, rebuildPeakRssMb: round(peakRss / 2 ** 20), peakRssMb: peakRssMb(), at: new Date().toISOString(),
  };
  const file = await writeResult('rebuild', result);
  console.log(`\nRebuilding every read model from ${total} events\n`);
  console.log('| what | seconds | events/s |');
  console.log('|---|---:|---:|');
  console.log(`| plain SELECT scan, ${BATCH} a page (mean of one before and one after) | ${result.scanSeconds} | ${result.scanPerSecond} |`);
  console.log(`| rebuild of all ${projections.length} read models, one pass | ${result.rebuildSeconds} | ${result.rebuildPerSecond} (${(result.ratio * 100).toFixed(1)}% of the scan) |`);
  for (const p of projections) console.log(`| - ${p.name}: ${p.replayed} events folded | | |`);
  console.log(`\nTarget: rebuild at least 35% of the scan rate. Peak RSS while rebuilding ${result.rebuildPeakRssMb} MB (sampled), of the process ${result.peakRssMb} MB. Written to ${file}`);
  await pool.end();
  await app.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
