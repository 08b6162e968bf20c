import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createEmbeddedTestDatabase, createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { DuplicateEventError, WrongExpectedVersionError } from './event-store.errors.js';
import { EventStore } from './event-store.js';
import { START_OF_FEED } from './event-store.types.js';
import { UpcasterRegistry } from './upcasting.js';

const backends: [string, () => Promise<TestDatabase>][] = [
  ['PostgreSQL', () => createTestDatabase(60)],
  ['PGlite', () => createEmbeddedTestDatabase()],
];

describe.each(backends)('EventStore on %s', (_backend, open) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    database = await open();
    dataSource = await database.dataSource();
    store = new EventStore(dataSource, new UpcasterRegistry());
  });
  afterAll(() => database.drop());

  const stream = () => `test-${randomUUID()}`;
  const event = (n: number) => ({ type: 'Noted', data: { n } });

  it('appends with each kind of expected version', async () => {
    const id = stream();
    const first = await store.append(id, 'test', [event(1), event(2)], 'no_stream');
    expect(first).toMatchObject({ fromVersion: 0, nextVersion: 2, duplicate: false });
    expect(first.events.map((e) => e.streamVersion)).toEqual([1, 2]);
    await expect(store.append(id, 'test', [event(3)], 'no_stream')).rejects.toThrow(WrongExpectedVersionError);
    await expect(store.append(id, 'test', [event(3)], 1)).rejects.toMatchObject({ expected: 1, actual: 2 });
    expect((await store.append(id, 'test', [event(3)], 2)).nextVersion).toBe(3);
    expect((await store.append(id, 'test', [event(4)], 'any')).nextVersion).toBe(4);
    await expect(store.append(stream(), 'test', [event(1)], 3)).rejects.toMatchObject({ actual: 0 });
  });

  it('lets exactly one of 50 concurrent appends with the same expected version through', async () => {
    const id = stream();
    await store.append(id, 'test', [event(0)], 'no_stream');
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.append(id, 'test', [event(i + 1)], 1)));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const failure of lost) expect(failure.reason).toBeInstanceOf(WrongExpectedVersionError);
    const versions = (await store.readStream(id)).map((e) => e.streamVersion);
    expect(versions).toEqual([1, 2]);
  });

  it('serializes concurrent appends that expect any version, without gaps or duplicates', async () => {
    const id = stream();
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.append(id, 'test', [event(i), event(i)], 'any')));
    const versions = (await store.readStream(id)).map((e) => e.streamVersion);
    expect(versions).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('treats a retried append with the same event ids as already done', async () => {
    const id = stream();
    const events = [{ ...event(1), eventId: randomUUID() }, { ...event(2), eventId: randomUUID() }];
    const first = await store.append(id, 'test', events, 'no_stream');
    const retry = await store.append(id, 'test', events, 'no_stream');
    expect(retry.duplicate).toBe(true);
    expect(retry.events.map((e) => e.globalPosition)).toEqual(first.events.map((e) => e.globalPosition));
    expect(await store.readStream(id)).toHaveLength(2);
    await expect(store.append(stream(), 'test', [events[0]], 'any')).rejects.toThrow(DuplicateEventError);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on events in the database itself', async () => {
    const id = stream();
    await store.append(id, 'test', [event(1)]);
    await expect(dataSource.query(`UPDATE events SET data = '{}' WHERE stream_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM events WHERE stream_id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(dataSource.query('TRUNCATE events')).rejects.toThrow(/append-only/);
    expect(await store.readStream(id)).toHaveLength(1);
  });

  it('reads a stream between versions and as it stood at an instant', async () => {
    const id = stream();
    await store.append(id, 'test', [event(1), event(2)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.append(id, 'test', [event(3), event(4)]);
    expect((await store.readStream(id, { fromVersion: 2, toVersion: 3 })).map((e) => e.data)).toEqual([{ n: 2 }, { n: 3 }]);
    expect((await store.readStream(id, { asOf: between })).map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(await store.readStream(id, { asOf: new Date(0) })).toEqual([]);
  });

  it('reads as of an event\'s own instant (milliseconds, as the API gives it) with that event in it', async () => {
    const id = stream();
    await store.append(id, 'test', [event(1)]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.append(id, 'test', [event(2)]);
    for (const recorded of await store.readStream(id)) {
      const versions = (await store.readStream(id, { asOf: new Date(recorded.recordedAt.toISOString()) })).map((e) => e.streamVersion);
      expect(versions).toEqual(Array.from({ length: recorded.streamVersion }, (_, i) => i + 1));
    }
  });

  it('stamps each event when it is inserted, not when its transaction began', async () => {
    const id = stream();
    await dataSource.transaction(async (tx) => {
      await store.append(id, 'test', [event(1)], 'any', tx);
      await tx.query('SELECT pg_sleep(0.02)');
      await store.append(id, 'test', [event(2), event(3)], 'any', tx);
    });
    const rows: { stream_version: number; later: boolean }[] = await dataSource.query(
      `SELECT stream_version, recorded_at > lag(recorded_at) OVER (ORDER BY stream_version) AS later
       FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [id],
    );
    // Rows of one statement may share a microsecond; the second append, 20 ms on, may not.
    expect(rows.map((r) => [r.stream_version, r.later])).toEqual([[1, null], [2, true], [3, rows[2].later]]);
    const [{ ordered }] = await dataSource.query(
      `SELECT bool_and(recorded_at >= previous) AS ordered
       FROM (SELECT recorded_at, lag(recorded_at) OVER (ORDER BY stream_version) AS previous FROM events WHERE stream_id = $1) s`,
      [id],
    );
    expect(ordered).toBe(true);
  });

  it('reads a stream as it stood in whole transactions: never halfway through a change, by version or by instant', async () => {
    const [id, other] = [stream(), stream()];
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    await store.append(id, 'test', [event(1)]);
    await pause();
    // One change: two events to `id`, 20 ms apart, and one to another stream between them.
    await dataSource.transaction(async (tx) => {
      await store.append(id, 'test', [event(2)], 'any', tx);
      await tx.query('SELECT pg_sleep(0.02)');
      await store.append(other, 'test', [event(1)], 'any', tx);
      await tx.query('SELECT pg_sleep(0.02)');
      await store.append(id, 'test', [event(3), event(4)], 'any', tx);
    });
    await pause();
    await store.append(id, 'test', [event(5)]);
    const all = await store.readStream(id);
    const versions = (events: { streamVersion: number }[]) => events.map((e) => e.streamVersion);
    // By version: up to the end of the change that wrote it.
    for (const [asked, shown] of [[1, [1]], [2, [1, 2, 3, 4]], [3, [1, 2, 3, 4]], [4, [1, 2, 3, 4]], [5, [1, 2, 3, 4, 5]], [6, [1, 2, 3, 4, 5]]] as const) {
      expect({ asked, shown: versions(await store.readStreamAsItStood(id, { toVersion: asked })) }).toEqual({ asked, shown });
    }
    // By instant: a change begun by then is there whole, from any of its events' instants (whole milliseconds).
    const at = (v: number) => new Date(all[v - 1].recordedAt.toISOString());
    expect(versions(await store.readStreamAsItStood(id, { asOf: at(1) }))).toEqual([1]);
    for (const v of [2, 3, 4]) expect({ v, shown: versions(await store.readStreamAsItStood(id, { asOf: at(v) })) }).toEqual({ v, shown: [1, 2, 3, 4] });
    const [{ between }] = await dataSource.query(`SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS between FROM events WHERE stream_id = $1`, [other]);
    expect(versions(await store.readStreamAsItStood(id, { asOf: new Date(between) }))).toEqual([1, 2, 3, 4]);
    expect(versions(await store.readStreamAsItStood(id, { asOf: at(5) }))).toEqual([1, 2, 3, 4, 5]);
    expect(await store.readStreamAsItStood(id, { asOf: new Date(0) })).toEqual([]);
    // The plain read still cuts where it is told (the feed and the audit name single events).
    expect(versions(await store.readStream(id, { toVersion: 2 }))).toEqual([1, 2]);
  });

  it('upcasts old event shapes on read without rewriting them', async () => {
    const upcasters = new UpcasterRegistry();
    upcasters.register(
      { type: 'NameGiven', fromSchemaVersion: 1, upcast: (data) => ({ data: { fullName: (data as { name: string }).name } }) },
      { type: 'NameGiven', fromSchemaVersion: 2, toType: 'NamedV3', upcast: (data) => ({ data: { ...(data as object), source: 'legacy' } }) },
    );
    const upcasting = new EventStore(dataSource, upcasters);
    const id = stream();
    await store.append(id, 'test', [{ type: 'NameGiven', schemaVersion: 1, data: { name: 'Jane Doe' } }]);
    const [read] = await upcasting.readStream(id);
    expect(read).toMatchObject({ type: 'NamedV3', schemaVersion: 3, data: { fullName: 'Jane Doe', source: 'legacy' } });
    const [raw] = await dataSource.query('SELECT type, schema_version, data FROM events WHERE stream_id = $1', [id]);
    expect(raw).toEqual({ type: 'NameGiven', schema_version: 1, data: { name: 'Jane Doe' } });
  });

  it('feeds an event an upcaster fails on as stored, with the error, and refuses it in a stream read', async () => {
    const upcasters = new UpcasterRegistry();
    upcasters.register({
      type: 'Priced',
      fromSchemaVersion: 1,
      upcast: (data) => {
        const { amount } = data as { amount?: number };
        if (amount === undefined) throw new Error('no amount to convert');
        return { data: { cents: amount * 100 } };
      },
    });
    upcasters.declare({ Priced: 2 });
    const upcasting = new EventStore(dataSource, upcasters);
    const id = stream();
    const from = await store.lastCheckpoint(dataSource, { watermark: false });
    await store.append(id, 'test', [
      { type: 'Priced', schemaVersion: 1, data: { amount: 3 } },
      { type: 'Priced', schemaVersion: 1, data: { price: 'three' } },
    ]);
    await upcasting.append(id, 'test', [{ type: 'Priced', data: { cents: 500 } }]); // at the declared v2
    const fed = (await upcasting.readAll(from ?? START_OF_FEED, 100, dataSource, { watermark: false })).filter((e) => e.streamId === id);
    expect(fed.map(({ schemaVersion, data, upcastError }) => ({ schemaVersion, data, upcastError }))).toEqual([
      { schemaVersion: 2, data: { cents: 300 }, upcastError: undefined },
      { schemaVersion: 1, data: { price: 'three' }, upcastError: expect.stringMatching(/^Upcasting Priced v1 \(event .+\) failed: no amount to convert$/) },
      { schemaVersion: 2, data: { cents: 500 }, upcastError: undefined },
    ]);
    expect(fed.filter((e) => 'upcastError' in e)).toHaveLength(1);
    await expect(upcasting.readStream(id)).rejects.toThrow(/Upcasting Priced v1 .* failed: no amount to convert/);
  });

  it('feeds a reader that decodes a few types every event, the others without data, metadata or upcasting', async () => {
    const upcasters = new UpcasterRegistry();
    upcasters.register({
      type: 'Priced',
      fromSchemaVersion: 1,
      upcast: () => {
        throw new Error('an event of a type not decoded is not upcast');
      },
    });
    // A type that an upcaster renames into a decoded one is decoded too.
    upcasters.register({ type: 'Jotted', fromSchemaVersion: 1, toType: 'Noted', upcast: (data) => ({ data: { n: (data as { m: number }).m } }) });
    const upcasting = new EventStore(dataSource, upcasters);
    const id = stream();
    const from = (await store.lastCheckpoint(dataSource, { watermark: false })) ?? START_OF_FEED;
    await store.append(id, 'test', [event(1), { type: 'Priced', schemaVersion: 1, data: { amount: 3 } }, { type: 'Jotted', schemaVersion: 1, data: { m: 2 } }]);
    const whole = (await store.readAll(from, 100, dataSource, { watermark: false })).filter((e) => e.streamId === id);
    const fed = (await upcasting.readAll(from, 100, dataSource, { decode: ['Noted'], watermark: false })).filter((e) => e.streamId === id);
    expect(fed.map(({ globalPosition, type, data, metadata, upcastError }) => ({ globalPosition, type, data, metadata, upcastError }))).toEqual([
      { globalPosition: whole[0].globalPosition, type: 'Noted', data: { n: 1 }, metadata: whole[0].metadata, upcastError: undefined },
      { globalPosition: whole[1].globalPosition, type: 'Priced', data: null, metadata: null, upcastError: undefined },
      { globalPosition: whole[2].globalPosition, type: 'Noted', data: { n: 2 }, metadata: whole[2].metadata, upcastError: undefined },
    ]);
    expect(fed.map((e) => e.transactionId)).toEqual(whole.map((e) => e.transactionId));
  });

  it('feeds every event of the global log once, in commit order, from any checkpoint', async () => {
    const ids = [stream(), stream()];
    await store.append(ids[0], 'test', [event(1)]);
    await store.append(ids[1], 'test', [event(2), event(3)]);
    const all = [];
    for (let checkpoint = START_OF_FEED; ; ) {
      const page = await store.readAll(checkpoint, 7, dataSource, { watermark: false });
      if (page.length === 0) break;
      all.push(...page);
      const last = page[page.length - 1];
      checkpoint = { transactionId: last.transactionId, globalPosition: last.globalPosition };
    }
    const positions = all.map((e) => e.globalPosition);
    expect(new Set(positions).size).toBe(positions.length);
    expect(all.filter((e) => ids.includes(e.streamId)).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('orders the feed by transaction number, not by its text: 9 before 10', async () => {
    // Transactions 9 and 10 are older than any this database has run, so they lead the feed.
    const insert = (transactionId: number) =>
      dataSource.query(`INSERT INTO events (transaction_id, event_id, stream_id, stream_type, stream_version, type, data) VALUES ($1::text::xid8, $2, $3, 'test', 1, 'Noted', '{}')`, [transactionId, randomUUID(), stream()]);
    await insert(10);
    await insert(9);
    const page = await store.readAll(START_OF_FEED, 2);
    expect(page.map((e) => e.transactionId)).toEqual(['9', '10']);
  });
});

describe('EventStore feed on PostgreSQL with a transaction that commits late', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase(10);
    dataSource = await database.dataSource();
    store = new EventStore(dataSource, new UpcasterRegistry());
  });
  afterAll(() => database.drop());

  it('never passes an event that commits after later ones, and delivers each exactly once in order', async () => {
    const seen: number[] = [];
    let checkpoint = START_OF_FEED;
    const drain = async () => {
      for (;;) {
        const page = await store.readAll(checkpoint, 100);
        if (page.length === 0) return;
        seen.push(...page.map((e) => e.data as number));
        const last = page[page.length - 1];
        checkpoint = { transactionId: last.transactionId, globalPosition: last.globalPosition };
      }
    };

    const drainUntil = async (count: number) => {
      // Another test run's open transaction may hold the watermark for a while: read on until there.
      for (const deadline = Date.now() + 30_000; seen.length < count && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) await drain();
    };

    await store.append('early', 'test', [{ type: 'N', data: 1 }]);
    await drainUntil(1);
    const late = dataSource.createQueryRunner();
    await late.connect();
    await late.startTransaction();
    await store.append('late', 'test', [{ type: 'N', data: 2 }], 'any', late.manager); // takes its position now
    await store.append('after', 'test', [{ type: 'N', data: 3 }]); // commits first, with a later position
    await store.append('after', 'test', [{ type: 'N', data: 4 }]);

    await drain();
    expect(seen).toEqual([1]); // the feed waits for the open transaction instead of skipping it
    await late.commitTransaction();
    await late.release();
    await drainUntil(4);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('reads a stream as of any instant as a prefix of it, even past a transaction that ran long', async () => {
    const id = `asof-${randomUUID()}`;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    await store.append(id, 'test', [{ type: 'N', data: 1 }]);
    const long = dataSource.createQueryRunner();
    await long.connect();
    await long.startTransaction();
    await long.query('SELECT 1'); // now() is this instant for the rest of the transaction
    await pause();
    await store.append(id, 'test', [{ type: 'N', data: 2 }]); // committed while the long one runs
    await pause();
    await store.append(id, 'test', [{ type: 'N', data: 3 }], 'any', long.manager);
    await long.commitTransaction();
    await long.release();

    for (const recorded of await store.readStream(id)) {
      // recordedAt is cut to the millisecond; the events are 20 ms apart.
      const asOf = new Date(recorded.recordedAt.getTime() + 1);
      const versions = (await store.readStream(id, { asOf })).map((e) => e.streamVersion);
      expect(versions).toEqual(Array.from({ length: recorded.streamVersion }, (_, i) => i + 1));
    }
  });
});
