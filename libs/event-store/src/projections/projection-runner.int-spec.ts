import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleLogger, Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { capturingLogs } from '../../../../test/support/captured-logs.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../../../test/support/test-database.js';
import { EventStore } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import { UpcasterRegistry } from '../store/upcasting.js';
import { FeedNotifier } from './feed-notifier.js';
import type { Projection, Reaction, ReadModel } from './projection.js';
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

/**
 * Catches up until `done` holds. The feed is read below the cluster's oldest running transaction,
 * so on a shared server an event just appended may take a moment to become readable.
 */
async function settle(runner: ProjectionRunner, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await runner.catchUp();
    if (await done()) return;
    await sleep(50);
  }
  throw new Error('the projection did not settle in 10 s');
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

  type Options = Partial<ConstructorParameters<typeof ProjectionRunner>[3]>;
  const runnerWith = (ds: DataSource, projections: { async?: Projection[]; inline?: Projection[] }, options: Options = {}, upcasters = new UpcasterRegistry()) => {
    const registry = new ProjectionRegistry();
    for (const projection of projections.async ?? []) registry.registerAsync(projection);
    for (const projection of projections.inline ?? []) registry.registerInline(projection);
    const runner = new ProjectionRunner(ds, new EventStore(ds, upcasters), registry, { batchSize: 250, pollMs: 50, retryBaseMs: 10, ...options });
    runners.push(runner);
    return runner;
  };
  const runnerFor = (ds: DataSource, projection: Projection, options: Options = {}) => runnerWith(ds, { async: [projection] }, options);

  // These tests make projections fail on purpose; what the runner logs then is no news, so it is
  // not printed (the tests read the runner's status, and one asserts the log line it captures).
  beforeEach(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

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
    const counted = 50 * 90 + 50 * 90; // every tenth event is of a type the projection ignores
    const appliedCount = async () => (await dataSource.query('SELECT count(*)::int AS n FROM twin_applied'))[0].n;
    await settle(first, async () => (await appliedCount()) >= counted);
    await second.catchUp();
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
    // Said every 500 events at most, not once a page of 5,000 (a small log's whole replay).
    expect(Math.max(...progress.map((done, i) => done - (progress[i - 1] ?? 0)))).toBeLessThanOrEqual(500);
    expect(await dataSource.query('SELECT * FROM twin_counts ORDER BY stream_id')).toEqual(incremental);
    const [status] = await first.status();
    expect(status).toMatchObject({ name: 'twin', lag: 0, deadLetters: 0 });
  });

  it('catches up on what was committed before it was called, though a transaction open in another database holds the feed back', async () => {
    await createTables(dataSource, 'waiting');
    const runner = runnerFor(dataSource, countingProjection('waiting'));
    await runner.catchUp();
    // A transaction with an id, open on another database of the same server: the watermark stops below it.
    const elsewhere = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      await store.append('held-1', 'test', [{ type: 'Counted', data: { n: 7 } }]);
      await expect(runner.catchUp('waiting', 200)).rejects.toThrow(/did not catch up within 200 ms/);
      setTimeout(() => void elsewhere.query('COMMIT'), 300);
      await runner.catchUp('waiting');
      expect(await dataSource.query(`SELECT stream_id, count, total::int FROM waiting_counts WHERE stream_id = 'held-1'`)).toEqual([{ stream_id: 'held-1', count: 1, total: 7 }]);
    } finally {
      await elsewhere.end();
    }
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
    const { logs } = await capturingLogs(() => settle(runner, async () => (await runner.status())[0].deadLetters === 1));
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^poisoned: parked event \d+ \(Counted\) after 3 attempts: .*cannot fold a poisoned event/),
    );
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

  it('retries a reaction after a transient failure, and stops it at an event that keeps failing, never skipping one', async () => {
    await dataSource.query('CREATE TABLE orders_log (global_position bigint PRIMARY KEY, n int NOT NULL)');
    let deadlocks = 2;
    let fixed = false;
    const orders: Reaction = {
      name: 'orders',
      kind: 'reaction',
      handles: ['Ordered'],
      async apply(tx, events) {
        for (const event of events) {
          const data = event.data as { n: number; flaky?: boolean; poison?: boolean };
          if (data.flaky && deadlocks-- > 0) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
          if (data.poison && !fixed) throw new Error('the order refers to nothing');
          await tx.query('INSERT INTO orders_log (global_position, n) VALUES ($1, $2)', [event.globalPosition, data.n]);
        }
      },
    };
    const runner = runnerFor(dataSource, orders);
    const logged = async () => (await dataSource.query('SELECT n FROM orders_log ORDER BY global_position')).map((r: { n: number }) => r.n);
    const order = (stream: string, ...data: object[]) => store.append(stream, 'test', data.map((d) => ({ type: 'Ordered', data: d })));

    await order('o-1', { n: 1 }, { n: 2, flaky: true }, { n: 3 });
    await settle(runner, async () => (await logged()).length === 3);
    expect(await logged()).toEqual([1, 2, 3]);
    expect(deadlocks).toBe(-1); // tried three times: two deadlocks, then through
    expect((await runner.status())[0]).toMatchObject({ kind: 'reaction', state: 'caught-up', failure: null });

    const { events } = await order('o-2', { n: 4 }, { n: 5, poison: true }, { n: 6 });
    await order('o-3', { n: 7 });
    await settle(runner, async () => (await runner.status())[0].state === 'stopped');
    // What came before the poison is done; nothing after it is, and the checkpoint stays before it.
    expect(await logged()).toEqual([1, 2, 3, 4]);
    const [stopped] = await runner.status();
    expect(stopped).toMatchObject({
      state: 'stopped',
      checkpoint: { globalPosition: events[0].globalPosition },
      failure: { error: 'the order refers to nothing', attempts: 3, globalPosition: events[1].globalPosition, eventId: events[1].eventId, eventType: 'Ordered', stoppedAt: expect.any(Date) },
    });
    expect(stopped.lag).toBeGreaterThanOrEqual(3);
    await runner.catchUp(); // stays stopped
    expect(await logged()).toEqual([1, 2, 3, 4]);
    await expect(runner.rebuild('orders')).rejects.toThrow(/orders is a reaction/);

    // Redriven before the cause is fixed: it tries again, and stops again.
    expect(await runner.redrive('orders')).toEqual({ name: 'orders', kind: 'reaction', resumed: true });
    await settle(runner, async () => (await runner.status())[0].state === 'stopped');
    expect((await runner.status())[0]).toMatchObject({ state: 'stopped', failure: { attempts: 3 } });
    fixed = true;
    await runner.redrive('orders');
    await settle(runner, async () => (await logged()).length === 7);
    expect(await logged()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await runner.status())[0]).toMatchObject({ state: 'caught-up', lag: 0, failure: null });
  });

  it('runs each projection on its own: one that fails every time holds up none of the others', async () => {
    await createTables(dataSource, 'isolated');
    let tries = 0;
    const broken: ReadModel = {
      name: 'broken',
      kind: 'read-model',
      tables: [],
      handles: ['Counted'],
      async apply() {
        tries++;
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      },
    };
    const runner = runnerWith(dataSource, { async: [broken, countingProjection('isolated')] }, { retryBaseMs: 100 });
    runner.start();
    await store.append('i-1', 'test', [{ type: 'Counted', data: { n: 5 } }]);
    let rows: unknown[] = [];
    // Up to 30 s: it starts at the feed's beginning, the earlier tests' 10,000 events before this one.
    for (let i = 0; i < 300 && rows.length === 0; i++) {
      await sleep(100);
      rows = await dataSource.query(`SELECT count FROM isolated_counts WHERE stream_id = 'i-1'`);
    }
    await runner.stop();
    expect(rows).toEqual([{ count: 1 }]);
    // Backed off (100, 200, 400 ms, …), not retried in a tight loop; and nothing was parked for a transient failure.
    expect(tries).toBeGreaterThan(0);
    expect(tries).toBeLessThan(10);
    const [{ dead }] = await dataSource.query(`SELECT count(*)::int AS dead FROM projection_dead_letters WHERE projection = 'broken'`);
    expect(dead).toBe(0);
  });

  it('parks an event whose upcaster throws for a read model, stops a reaction at it, and does not hold up the feed', async () => {
    await createTables(dataSource, 'shaped');
    await dataSource.query('CREATE TABLE shaped_log (global_position bigint PRIMARY KEY, upcast boolean NOT NULL)');
    const upcasters = new UpcasterRegistry();
    upcasters.register({
      type: 'Shaped',
      fromSchemaVersion: 1,
      upcast(data) {
        if ((data as { bad?: boolean }).bad) throw new Error('no newer shape for this one');
        return { data: { ...(data as object), upcast: true } };
      },
    });
    const reaction: Reaction = {
      name: 'shaped-reaction',
      kind: 'reaction',
      handles: ['Shaped'],
      async apply(tx, events) {
        for (const e of events) await tx.query('INSERT INTO shaped_log VALUES ($1, $2)', [e.globalPosition, (e.data as { upcast?: boolean }).upcast === true]);
      },
    };
    const runner = runnerWith(dataSource, { async: [countingProjection('shaped', false, 'Shaped'), reaction] }, {}, upcasters);
    const { events } = await store.append('s-1', 'test', [
      { type: 'Shaped', data: { n: 1 } },
      { type: 'Shaped', data: { n: 2, bad: true } },
      { type: 'Shaped', data: { n: 3 } },
    ]);
    await settle(runner, async () => (await runner.status()).every((s) => s.state === 'stopped' || s.deadLetters === 1));
    expect(await dataSource.query(`SELECT count, total FROM shaped_counts`)).toEqual([{ count: 2, total: '4' }]);
    expect(await dataSource.query(`SELECT global_position, error FROM projection_dead_letters WHERE projection = 'shaped'`)).toEqual([
      { global_position: String(events[1].globalPosition), error: expect.stringMatching(/^cannot upcast the event: .*no newer shape for this one$/) },
    ]);
    expect(await dataSource.query('SELECT global_position, upcast FROM shaped_log')).toEqual([{ global_position: String(events[0].globalPosition), upcast: true }]);
    const byName = Object.fromEntries((await runner.status()).map((s) => [s.name, s]));
    expect(byName['shaped']).toMatchObject({ state: 'caught-up', deadLetters: 1 });
    expect(byName['shaped-reaction']).toMatchObject({ state: 'stopped', failure: { globalPosition: events[1].globalPosition, error: expect.stringMatching(/cannot upcast/) } });
    // A rebuild parks it again, and says so.
    expect(await runner.rebuild('shaped')).toEqual({ replayed: 3, parked: 1 });
  });

  it('rebuilds several read models in one pass over the feed, each to the tables it had, each with its own parked events', async () => {
    await createTables(dataSource, 'left');
    await createTables(dataSource, 'right');
    const runner = runnerWith(dataSource, { async: [countingProjection('left', false, 'Left'), countingProjection('right', true, 'Right')] });
    for (let s = 0; s < 20; s++) {
      await store.append(`lr-${s}`, 'test', [
        { type: 'Left', data: { n: s } },
        { type: 'Right', data: { n: s, poison: s === 7 } },
        { type: 'Right', data: { n: 1 } },
      ]);
    }
    await settle(runner, async () => (await runner.status()).every((status) => status.lag === 0));
    const before = { left: await dataSource.query('SELECT * FROM left_counts ORDER BY 1'), right: await dataSource.query('SELECT * FROM right_counts ORDER BY 1') };
    expect(before.left).toHaveLength(20);
    await runner.stop();
    const progress: number[] = [];
    const results = await runner.rebuildTogether(['left', 'right'], (done) => progress.push(done));
    expect(results).toEqual({ left: { replayed: 20, parked: 0 }, right: { replayed: 40, parked: 1 } });
    // One pass: the events of both types, read once.
    expect(progress[progress.length - 1]).toBe(60);
    expect(await dataSource.query('SELECT * FROM left_counts ORDER BY 1')).toEqual(before.left);
    expect(await dataSource.query('SELECT * FROM right_counts ORDER BY 1')).toEqual(before.right);
    expect(await dataSource.query(`SELECT projection, count(*)::int AS n FROM projection_dead_letters WHERE projection IN ('left', 'right') GROUP BY 1`)).toEqual([{ projection: 'right', n: 1 }]);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`)).toEqual([{ n: 0 }]);
    await expect(runner.rebuildTogether(['left', 'nothing'])).rejects.toThrow(/No projection named nothing/);
  });

  it('redrives a read model: parked events that apply now are removed, the others kept', async () => {
    await createTables(dataSource, 'healed');
    let healed = false;
    const inner = countingProjection('healed', false, 'Healing');
    const projection: ReadModel = {
      ...inner,
      async apply(tx, events) {
        for (const e of events) {
          const data = e.data as { poison?: boolean; forever?: boolean };
          if (data.forever || (data.poison && !healed)) throw new Error('not yet');
        }
        await inner.apply(tx, events);
      },
    };
    const runner = runnerFor(dataSource, projection);
    await store.append('h-1', 'test', [{ type: 'Healing', data: { n: 1 } }, { type: 'Healing', data: { n: 2, poison: true } }, { type: 'Healing', data: { n: 3 } }]);
    await store.append('h-2', 'test', [{ type: 'Healing', data: { n: 10, forever: true } }]);
    await settle(runner, async () => (await runner.status())[0].deadLetters === 2);
    expect((await runner.status())[0]).toMatchObject({ deadLetters: 2, state: 'caught-up' });
    healed = true;
    expect(await runner.redrive('healed')).toEqual({ name: 'healed', kind: 'read-model', applied: 1, stillParked: 1 });
    expect(await dataSource.query(`SELECT stream_id, count, total FROM healed_counts ORDER BY 1`)).toEqual([{ stream_id: 'h-1', count: 3, total: '6' }]);
    expect(await dataSource.query(`SELECT stream_id, attempts FROM projection_dead_letters WHERE projection = 'healed'`)).toEqual([{ stream_id: 'h-2', attempts: 4 }]);
    expect(await runner.rebuild('healed')).toEqual({ replayed: 4, parked: 1 });
    await expect(runner.redrive('nothing')).rejects.toThrow(/No projection named nothing/);
  });

  it('rebuilds an inline read model while readers read it, commands write it and other projections run', async () => {
    await createTables(dataSource, 'live');
    await createTables(dataSource, 'mirror');
    await createTables(dataSource, 'bystander');
    await dataSource.query('CREATE INDEX live_counts_total_idx ON live_counts (total)');
    const mirror = countingProjection('mirror', false, 'Live');
    const inner = countingProjection('live', false, 'Live');
    // The hook: the replay's first page waits for the test, before it writes anything (so it holds
    // no transaction id, and no projection's watermark is held back by it).
    let gate: Promise<void> | undefined;
    let release!: () => void;
    let pausedAt!: () => void;
    const paused = new Promise<void>((resolve) => (pausedAt = resolve));
    const live: ReadModel = {
      ...inner,
      async apply(tx, events) {
        const [{ schema }] = await tx.query('SELECT current_schema() AS schema');
        if (schema === 'rebuild_live' && gate) {
          const wait = gate;
          gate = undefined;
          pausedAt();
          await wait;
        }
        await inner.apply(tx, events);
      },
    };
    // A command: its event and the inline read models in one transaction, as the committer does;
    // it refuses to wait more than 5 s for a lock.
    const writers = await database.dataSource(4);
    const writerStore = new EventStore(writers, new UpcasterRegistry());
    const command = (stream: string, n: number, count = 1) =>
      writers.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '5s'`);
        const { events } = await writerStore.append(stream, 'test', Array.from({ length: count }, () => ({ type: 'Live', data: { n } })), 'any', tx);
        await live.apply(tx, events);
        await mirror.apply(tx, events);
      });
    for (let s = 0; s < 12; s++) await command(`l-${s}`, s, 1000);

    const rebuilder = runnerWith(await database.dataSource(4), { inline: [live] });
    const bystander = runnerFor(await database.dataSource(3), countingProjection('bystander', false, 'Live'), { pollMs: 20 });
    bystander.start();
    gate = new Promise<void>((resolve) => (release = resolve));

    // Throughout: a reader and a writer, whose every statement must succeed.
    let running = true;
    const readers = await database.dataSource(2);
    const failures: string[] = [];
    let reads = 0;
    let writes = 0;
    const reading = (async () => {
      while (running) {
        await readers.query('SELECT sum(count)::int AS n FROM live_counts').then(() => reads++, (e: Error) => failures.push(`read: ${e.message}`));
      }
    })();
    const writing = (async () => {
      for (let i = 0; running; i++) {
        await command(`w-${i % 7}`, i).then(() => writes++, (e: Error) => failures.push(`write: ${e.message}`));
        await sleep(5);
      }
    })();

    const rebuilt = rebuilder.rebuild('live');
    await paused;
    // The replay is under way: readers read the old table whole, commands commit, the others run.
    expect(await readers.query(`SELECT count FROM live_counts WHERE stream_id = 'l-3'`)).toEqual([{ count: 1000 }]);
    const t0 = performance.now();
    await command('during', 42);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await readers.query(`SELECT count, total FROM live_counts WHERE stream_id = 'during'`)).toEqual([{ count: 1, total: '42' }]);
    let seen: unknown[] = [];
    for (let i = 0; i < 100 && seen.length === 0; i++) {
      await sleep(50);
      seen = await dataSource.query(`SELECT count FROM bystander_counts WHERE stream_id = 'during'`);
    }
    expect(seen).toEqual([{ count: 1 }]);
    const [readsBefore, writesBefore] = [reads, writes];
    await sleep(300);
    expect(reads).toBeGreaterThan(readsBefore);
    expect(writes).toBeGreaterThan(writesBefore);

    release();
    const result = await rebuilt;
    await sleep(100); // a few more commands on the new tables
    running = false;
    await Promise.all([reading, writing]);
    await bystander.stop();

    expect(failures).toEqual([]);
    expect(result.parked).toBe(0);
    expect(result.replayed).toBeGreaterThanOrEqual(12_001);
    // The rebuilt tables hold what the incremental ones would, including every command's event.
    expect(await dataSource.query('SELECT * FROM live_counts ORDER BY stream_id')).toEqual(await dataSource.query('SELECT * FROM mirror_counts ORDER BY stream_id'));
    const [{ missing }] = await dataSource.query('SELECT count(*)::int AS missing FROM mirror_applied m WHERE NOT EXISTS (SELECT 1 FROM live_applied l WHERE l.global_position = m.global_position)');
    const [{ extra }] = await dataSource.query('SELECT (SELECT count(*) FROM live_applied)::int - (SELECT count(*) FROM mirror_applied)::int AS extra');
    expect({ missing, extra }).toEqual({ missing: 0, extra: 0 });
    expect(await dataSource.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'live_counts' ORDER BY 1`)).toEqual([{ indexname: 'live_counts_pkey' }, { indexname: 'live_counts_total_idx' }]);
    expect(await dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'rebuild_live'`)).toEqual([]);
  });
});
