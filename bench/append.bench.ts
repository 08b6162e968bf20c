import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connect } from '@chancery/database';
import { EventStore, FeedNotifier, UpcasterRegistry } from '@chancery/event-store';
import { benchDatabaseUrl, round, runFor, writeResult } from './support.js';

/**
 * Single-event appends to distinct streams through the event store, against plain INSERTs of the
 * same rows through `pg` into an equivalent table (same columns, constraints and indexes, no
 * triggers): the database's own limit on this machine. Same run, same database; the plain INSERTs
 * are measured before and after the event store and averaged, to cancel drift.
 */
// BENCH_SECONDS: length of each run; BENCH_NO_NOTIFY=1 leaves the NOTIFY out, to see what it costs.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WRITERS = [1, 8, 32];

async function main() {
  const url = await benchDatabaseUrl();
  const dataSource = await connect({ url, embedded: false, poolSize: Math.max(...WRITERS) });
  await dataSource.query(`CREATE TABLE plain_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING IDENTITY)`);
  const store = new EventStore(dataSource, new UpcasterRegistry());
  const notifier = new FeedNotifier(dataSource, store); // as in a server process: NOTIFY after commits
  if (!process.env.BENCH_NO_NOTIFY) notifier.start();
  const pool = new pg.Pool({ connectionString: url, max: Math.max(...WRITERS) });
  const payload = { subject: 'Demarche on AI model distillation', post: 'BEIJING', position: 'REJECTED' };
  const metadata = { actorId: 'bench', requestId: 'bench' };

  const chancery = (writer: number, n: number) =>
    store.append(`bench-${writer}-${n}-${randomUUID()}`, 'bench', [{ type: 'BenchEvent', data: payload, metadata }], 'no_stream').then(() => undefined);
  const plain = (writer: number, n: number) =>
    pool
      .query(
        `INSERT INTO plain_events (event_id, stream_id, stream_type, stream_version, type, schema_version, data, metadata)
         VALUES ($1, $2, 'bench', 1, 'BenchEvent', 1, $3, $4)`,
        [randomUUID(), `plain-${writer}-${n}-${randomUUID()}`, JSON.stringify(payload), JSON.stringify(metadata)],
      )
      .then(() => undefined);

  // Warm both paths up (connections, plans, caches) before measuring.
  await runFor(1, 8, chancery);
  await runFor(1, 8, plain);

  const rows = [];
  for (const writers of WRITERS) {
    const first = await runFor(SECONDS, writers, plain);
    const ours = await runFor(SECONDS, writers, chancery);
    const second = await runFor(SECONDS, writers, plain);
    const baseline = (first.perSecond + second.perSecond) / 2;
    rows.push({
      writers,
      chanceryPerSecond: round(ours.perSecond),
      chanceryP99Ms: round(ours.p99Ms, 2),
      plainInsertPerSecond: round(baseline),
      plainInsertP99Ms: round(Math.max(first.p99Ms, second.p99Ms), 2),
      ratio: round(ours.perSecond / baseline, 3),
    });
  }
  const rssMb = round(process.memoryUsage().rss / 1024 / 1024);
  const file = await writeResult('append', { benchmark: 'append', secondsPerRun: SECONDS, rows, peakRssMb: rssMb, at: new Date().toISOString() });

  console.log(`\nSingle-event appends to distinct streams (${SECONDS} s per run; plain INSERT measured before and after)\n`);
  console.log('| writers | Chancery events/s | p99 ms | plain INSERT events/s | p99 ms | ratio |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.writers} | ${r.chanceryPerSecond} | ${r.chanceryP99Ms} | ${r.plainInsertPerSecond} | ${r.plainInsertP99Ms} | ${(r.ratio * 100).toFixed(0)}% |`);
  }
  console.log(`\nPeak RSS ${rssMb} MB. Written to ${file}`);
  await notifier.stop();
  await pool.end();
  await dataSource.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
