import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { connect } from '@chancery/database';
import { EventStore, FeedNotifier, UpcasterRegistry } from '@chancery/event-store';
import { benchDatabaseUrl, peakRssMb, round, runFor, writeResult } from './support.js';

/**
 * Appends through Chancery's event store against (a) plain INSERTs of the same rows through `pg`
 * into an equivalent table (same columns, constraints and indexes, no triggers): the database's own
 * limit on this machine; and (b) Emmett (`@event-driven-io/emmett-postgresql`) appending the same
 * events to the same PostgreSQL. Two shapes: single events to distinct streams, and 10-event
 * batches to one stream per writer, with the expected version checked. Same run, same database; the
 * plain INSERTs are measured before and after the others and averaged, to cancel drift.
 */
// BENCH_SECONDS: length of each run; BENCH_NO_NOTIFY=1 leaves the NOTIFY out, to see what it costs.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WRITERS = [1, 8, 32];
const BATCH = 10;

type Operation = (writer: number, n: number) => Promise<void>;

async function main() {
  const url = await benchDatabaseUrl();
  const dataSource = await connect({ url, embedded: false, poolSize: Math.max(...WRITERS) });
  await dataSource.query(`CREATE TABLE plain_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING IDENTITY)`);
  const store = new EventStore(dataSource, new UpcasterRegistry());
  const notifier = new FeedNotifier(dataSource, store); // as in a server process: NOTIFY after commits
  if (!process.env.BENCH_NO_NOTIFY) notifier.start();
  const pool = new pg.Pool({ connectionString: url, max: Math.max(...WRITERS) });
  const emmettPool = new pg.Pool({ connectionString: url, max: Math.max(...WRITERS) });
  const emmett = getPostgreSQLEventStore(url, { connectionOptions: { pool: emmettPool } });
  await emmett.schema.migrate();
  const payload = { subject: 'Demarche on AI model distillation', post: 'BEIJING', position: 'REJECTED' };
  const metadata = { actorId: 'bench', requestId: 'bench' };

  // The simplest statement that stores the rows: one multi-row INSERT ... VALUES.
  const plainInsert = (streamId: string, fromVersion: number, count: number) => {
    const rows = Array.from({ length: count }, (_, i) => `($${i * 2 + 1}, $${i * 2 + 2}, 'bench', ${fromVersion + i + 1}, 'BenchEvent', 1, $${count * 2 + 1}, $${count * 2 + 2})`);
    return pool.query(
      `INSERT INTO plain_events (event_id, stream_id, stream_type, stream_version, type, schema_version, data, metadata) VALUES ${rows.join(', ')}`,
      [...Array.from({ length: count }, () => [randomUUID(), streamId]).flat(), JSON.stringify(payload), JSON.stringify(metadata)],
    );
  };
  const newEvents = (count: number) => Array.from({ length: count }, () => ({ type: 'BenchEvent', data: payload, metadata }));
  const emmettEvents = (count: number) => Array.from({ length: count }, () => ({ type: 'BenchEvent', data: payload, metadata }));

  // Each run gets its own stream names, so that a batch run's n-th append expects version n * 10.
  const shapes: { name: string; eventsPerOp: number; plain: (run: string) => Operation; chancery: (run: string) => Operation; emmett: (run: string) => Operation }[] = [
    {
      name: 'single events, distinct streams',
      eventsPerOp: 1,
      plain: (run) => async (w, n) => void (await plainInsert(`plain-${run}-${w}-${n}`, 0, 1)),
      chancery: (run) => async (w, n) => void (await store.append(`bench-${run}-${w}-${n}`, 'bench', newEvents(1), 'no_stream')),
      emmett: (run) => async (w, n) => void (await emmett.appendToStream(`emmett-${run}-${w}-${n}`, emmettEvents(1), { expectedStreamVersion: 0n })),
    },
    {
      name: `${BATCH}-event batches, one stream per writer`,
      eventsPerOp: BATCH,
      plain: (run) => async (w, n) => void (await plainInsert(`plain-${run}-${w}`, n * BATCH, BATCH)),
      chancery: (run) => async (w, n) => void (await store.append(`bench-${run}-${w}`, 'bench', newEvents(BATCH), n === 0 ? 'no_stream' : n * BATCH)),
      emmett: (run) => async (w, n) => void (await emmett.appendToStream(`emmett-${run}-${w}`, emmettEvents(BATCH), { expectedStreamVersion: BigInt(n * BATCH) })),
    },
  ];

  // Warm every path up (connections, plans, caches) before measuring.
  for (const shape of shapes) {
    await runFor(1, 8, shape.chancery(randomUUID()));
    await runFor(1, 8, shape.emmett(randomUUID()));
    await runFor(1, 8, shape.plain(randomUUID()));
  }

  const rows = [];
  for (const shape of shapes) {
    for (const writers of WRITERS) {
      const first = await runFor(SECONDS, writers, shape.plain(randomUUID()));
      const ours = await runFor(SECONDS, writers, shape.chancery(randomUUID()));
      const theirs = await runFor(SECONDS, writers, shape.emmett(randomUUID()));
      const second = await runFor(SECONDS, writers, shape.plain(randomUUID()));
      const baseline = ((first.perSecond + second.perSecond) / 2) * shape.eventsPerOp;
      rows.push({
        shape: shape.name,
        writers,
        chanceryPerSecond: round(ours.perSecond * shape.eventsPerOp),
        chanceryP99Ms: round(ours.p99Ms, 2),
        emmettPerSecond: round(theirs.perSecond * shape.eventsPerOp),
        emmettP99Ms: round(theirs.p99Ms, 2),
        plainInsertPerSecond: round(baseline),
        plainInsertP99Ms: round(Math.max(first.p99Ms, second.p99Ms), 2),
        ratioToPlain: round((ours.perSecond * shape.eventsPerOp) / baseline, 3),
        ratioToEmmett: round(ours.perSecond / theirs.perSecond, 3),
      });
    }
  }
  const rssMb = peakRssMb();
  const file = await writeResult('append', { benchmark: 'append', secondsPerRun: SECONDS, rows, peakRssMb: rssMb, at: new Date().toISOString() });

  console.log(`\nAppends, events/s (${SECONDS} s per run; plain INSERT measured before and after)\n`);
  console.log('| shape | writers | Chancery | p99 ms | Emmett | p99 ms | plain INSERT | p99 ms | vs plain | vs Emmett |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.shape} | ${r.writers} | ${r.chanceryPerSecond} | ${r.chanceryP99Ms} | ${r.emmettPerSecond} | ${r.emmettP99Ms} | ${r.plainInsertPerSecond} | ${r.plainInsertP99Ms} | ${(r.ratioToPlain * 100).toFixed(0)}% | ${r.ratioToEmmett.toFixed(2)}x |`);
  }
  console.log(`\nTarget: at 8 writers, at least 70% of plain INSERT and ahead of Emmett. Peak RSS ${rssMb} MB. Written to ${file}`);
  await notifier.stop();
  await emmett.close();
  await pool.end();
  await dataSource.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
