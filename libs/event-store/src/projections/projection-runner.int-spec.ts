import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { EventStore } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import { UpcasterRegistry } from '../store/upcasting.js';
import { FeedNotifier } from './feed-notifier.js';
import type { Projection, ReadModel } from './projection.js';
import { ProjectionRegistry } from './projection.registry.js';
import { ProjectionRunner } from './projection-runner.js';

/** Counts events per stream; `applied` has one row per event, so applying one twice fails loudly. */
function countingProjection(name: string, poison = false, type = 'Counted'): ReadModel {
  return {
    name,
    kind: 'read-model',
    tables: [`${name}_applied`, `${name}_counts`],
    handles: [type],
    async apply(tx: EntityManager, events: RecordedEvent[]) {
      for (const event of events) {
        if (poison && (event.data as { poison?: boolean }).poison) throw new Error('cannot fold a poisoned event');
      }
      await tx.query(`INSERT INTO ${name}_applied (global_position) SELECT unnest($1::bigint[])`, [events.map((e) => e.globalPosition)]);
      await tx.query(
        `INSERT INTO ${name}_counts (stream_id, count, total)
         SELECT stream_id, count(*), sum(n) FROM unnest($1::text[], $2::int[]) AS e(stream_id, n) GROUP BY stream_id
         ON CONFLICT (stream_id) DO UPDATE SET count = ${name}_counts.count + EXCLUDED.count, total = ${name}_counts.total + EXCLUDED.total`,
        [events.map((e) => e.streamId), events.map((e) => (e.data as { n: number }).n)],
      );
    },
  };
}

async function createTables(dataSource: DataSource, name: string) {
  await dataSource.query(`CREATE TABLE ${name}_applied (global_position bigint PRIMARY KEY)`);
  await dataSource.query(`CREATE TABLE ${name}_counts (stream_id text PRIMARY KEY, count int NOT NULL, total bigint NOT NULL)`);
}

async function appendMany(store: EventStore, streams: number, perStream: number, prefix: string) {
  for (let s = 0; s < streams; s++) {
    const events = Array.from({ length: perStream }, (_, i) => ({ type: i % 10 === 9 ? 'Ignored' : 'Counted', data: { n: i } }));
    await store.append(`${prefix}-${s}`, 'test', events);
  }
}

describe('ProjectionRunner', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: EventStore;
  const runners: ProjectionRunner[] = [];

  const runnerFor = (ds: DataSource, projection: Projection, options: Partial<ConstructorParameters<typeof ProjectionRunner>[3]> = {}) => {
    const registry = new ProjectionRegistry();
    registry.registerAsync(projection);
    const runner = new ProjectionRunner(ds, new EventStore(ds, new UpcasterRegistry()), registry, { batchSize: 250, pollMs: 50, ...options });
    runners.push(runner);
    return runner;
  };

  beforeAll(async () => {
    database = await createTestDatabase(10);
    dataSource = await database.dataSource();
    store = new EventStore(dataSource, new UpcasterRegistry());
  });
  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await database.drop();
  });

  it('applies each of 10,000 events exactly once with two runners at once, and a rebuild gives the same tables', async () => {
    await createTables(dataSource, 'twin');
    const projection = countingProjection('twin');
    const [first, second] = [runnerFor(await database.dataSource(5), projection), runnerFor(await database.dataSource(5), projection)];
    first.start();
    second.start();
    // Half the events exist before the runners start, half arrive while they run.
    await appendMany(store, 50, 100, 'a');
    await Promise.all([appendMany(store, 25, 100, 'b'), appendMany(store, 25, 100, 'c')]);
    await first.catchUp();
    await second.catchUp();

    const counted = 50 * 90 + 50 * 90; // every tenth event is of a type the projection ignores
    const [{ applied }] = await dataSource.query('SELECT count(*)::int AS applied FROM twin_applied');
    expect(applied).toBe(counted);
    const [{ dead }] = await dataSource.query('SELECT count(*)::int AS dead FROM projection_dead_letters');
    expect(dead).toBe(0);
    const incremental = await dataSource.query('SELECT * FROM twin_counts ORDER BY stream_id');
    expect(incremental).toHaveLength(100);
    expect(incremental.every((row: { count: number }) => row.count === 90)).toBe(true);

    await first.stop();
    await second.stop();
    const progress: number[] = [];
    // A rebuild reads only the types the projection folds, and still ends with no lag.
    expect(await first.rebuild('twin', (done) => progress.push(done))).toEqual({ replayed: counted, parked: 0 });
    expect(progress[progress.length - 1]).toBe(counted);
    expect(await dataSource.query('SELECT * FROM twin_counts ORDER BY stream_id')).toEqual(incremental);
    const [status] = await first.status();
    expect(status).toMatchObject({ name: 'twin', lag: 0, deadLetters: 0 });
  });

  it('parks an event that keeps failing and goes on with the rest', async () => {
    await createTables(dataSource, 'poisoned');
    const runner = runnerFor(dataSource, countingProjection('poisoned', true));
    await runner.rebuild('poisoned'); // start from the current end of the feed
    await store.append('p-1', 'test', [
      { type: 'Counted', data: { n: 1 } },
      { type: 'Counted', data: { n: 2, poison: true } },
      { type: 'Counted', data: { n: 3 } },
    ]);
    await runner.catchUp();
    const [row] = await dataSource.query(`SELECT count, total FROM poisoned_counts WHERE stream_id = 'p-1'`);
    expect(row).toEqual({ count: 2, total: '4' });
    const dead = await dataSource.query('SELECT projection, event_type, stream_id, error, attempts FROM projection_dead_letters');
    expect(dead).toEqual([{ projection: 'poisoned', event_type: 'Counted', stream_id: 'p-1', error: 'cannot fold a poisoned event', attempts: 3 }]);
    const status = await runner.status();
    expect(status[0]).toMatchObject({ deadLetters: 1, lag: 0 });
  });

  it('wakes on NOTIFY from another process instead of waiting for the poll', async () => {
    await createTables(dataSource, 'woken');
    const listening = await database.dataSource(2);
    const runner = runnerFor(listening, countingProjection('woken'), { pollMs: 60_000, listenUrl: database.target.url });
    await runner.rebuild('woken');
    runner.start();
    await sleep(500); // the loop's first pass is done; it now sleeps for a minute unless woken
    // Another process: its own store and notifier, no in-process signal to this runner.
    const otherProcess = await database.dataSource(2);
    const elsewhere = new EventStore(otherProcess, new UpcasterRegistry());
    const notifier = new FeedNotifier(otherProcess, elsewhere);
    notifier.start();
    await elsewhere.append('w-1', 'test', [{ type: 'Counted', data: { n: 7 } }]);
    await notifier.stop();
    let rows: unknown[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      await sleep(100);
      rows = await dataSource.query(`SELECT count FROM woken_counts WHERE stream_id = 'w-1'`);
    }
    expect(rows).toEqual([{ count: 1 }]);
  });
});
