import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { EventBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ChanceryError, ErrorCode, systemContext } from '@chancery/common';
import { ConfigModule, loadConfig } from '@chancery/config';
import { DatabaseModule } from '@chancery/database';
import { Note, noteDefinition } from '../../../../test/fixtures/note.aggregate.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { EventStoreModule } from '../event-store.module.js';
import { CommandCommitter } from '../commit/command-committer.js';
import { ProjectionRegistry } from '../projections/projection.registry.js';
import { SnapshotStore } from '../store/snapshot-store.js';
import { EventStore } from '../store/event-store.js';
import { UpcasterRegistry } from '../store/upcasting.js';
import { AggregateRepository, AggregateRepositoryFactory } from './aggregate.repository.js';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from './event-sourced.aggregate.js';

/** A memo whose MemoRetitled was reshaped: v1 said `name`, v2 (written today) says `title`. */
type MemoEvent = DomainEvent<'MemoWritten', { title: string }> | DomainEvent<'MemoRetitled', { title: string }>;
class Memo extends EventSourcedAggregate<MemoEvent> {
  titles: string[] = [];
  onMemoWritten(event: MemoEvent): void {
    this.titles.push(event.data.title);
  }
  onMemoRetitled(event: MemoEvent): void {
    this.titles.push(event.data.title);
  }
}
const memoDefinition: AggregateDefinition<Memo> = {
  streamType: 'memo',
  schemaVersions: { MemoWritten: 1, MemoRetitled: 2 },
  blank: (id) => new Memo(id),
};

describe('AggregateRepository', () => {
  let database: TestDatabase;
  let close: () => Promise<void>;
  let notes: AggregateRepository<Note>;
  let dataSource: DataSource;
  let eventBus: EventBus;
  let committer: CommandCommitter;
  let snapshots: SnapshotStore;
  let registry: ProjectionRegistry;
  let moduleRef: TestingModule;
  const ctx = () => systemContext(randomUUID());

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = { ...loadConfig({}), databaseUrl: database.target.url, poolSize: 20 };
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), EventStoreModule.forRoot({ runProjections: false })],
    }).compile();
    const app = await moduleRef.init();
    close = () => app.close();
    notes = moduleRef.get(AggregateRepositoryFactory).for(noteDefinition);
    dataSource = moduleRef.get(DataSource);
    eventBus = moduleRef.get(EventBus);
    committer = moduleRef.get(CommandCommitter);
    snapshots = moduleRef.get(SnapshotStore);
    registry = moduleRef.get(ProjectionRegistry);
  });
  afterAll(async () => {
    await close();
    await database.drop();
  });

  it('saves, loads, and answers what the command returns', async () => {
    const id = randomUUID();
    const created = await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'first'), (n) => n.toView());
    expect(created).toEqual({ id, title: 'first', edits: 0, version: 1 });
    const edited = await notes.update(ctx(), 'EditNote', id, (n) => n.edit('second'), (n) => n.toView());
    expect(edited).toEqual({ id, title: 'second', edits: 1, version: 2 });
    expect((await notes.load(id))?.toView()).toEqual(edited);
    expect((await notes.load(id, { version: 1 }))?.title).toBe('first');
    expect(await notes.load(randomUUID())).toBeUndefined();
  });

  it('refuses to create what exists, at once, and to update what does not', async () => {
    const id = randomUUID();
    await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'a'), (n) => n.version);
    const transactions = jest.spyOn(dataSource, 'transaction');
    await expect(notes.create(ctx(), 'CreateNote', () => Note.create(id, 'b'), (n) => n.version)).rejects.toMatchObject({
      code: ErrorCode.AlreadyExists,
      message: `note-${id} exists already`,
    });
    // Not tried again: the stream would be there again.
    expect(transactions).toHaveBeenCalledTimes(1);
    transactions.mockRestore();
    await expect(notes.update(ctx(), 'EditNote', randomUUID(), (n) => n.edit('x'), (n) => n.version)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('retries a command on a fresh load when another writer got there first', async () => {
    const id = randomUUID();
    await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'start'), (n) => n.version);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => notes.update(ctx(), 'EditNote', id, (n) => n.edit(`edit ${i}`), (n) => n.version)),
    );
    expect(new Set(results).size).toBe(30); // every writer got its own version
    const note = await notes.load(id);
    expect(note?.version).toBe(31);
    expect(note?.edits).toBe(30);
  });

  it('fails with 412 semantics instead of retrying when the caller pinned a version', async () => {
    const id = randomUUID();
    await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'start'), (n) => n.version);
    await notes.update(ctx(), 'EditNote', id, (n) => n.edit('moved on'), (n) => n.version);
    const stale = { ...ctx(), expectedVersions: [1] };
    await expect(notes.update(stale, 'EditNote', id, (n) => n.edit('stale'), (n) => n.version)).rejects.toMatchObject({
      code: ErrorCode.PreconditionFailed,
    });
    const fresh = { ...ctx(), expectedVersions: [2] };
    expect(await notes.update(fresh, 'EditNote', id, (n) => n.edit('fresh'), (n) => n.version)).toBe(3);
  });

  it('publishes events on the EventBus only after the transaction commits', async () => {
    const published: string[] = [];
    const subscription = eventBus.subscribe((event) => published.push((event as { type: string }).type));
    const failing = { name: 'fails', order: 1, onCommit: async () => Promise.reject(new Error('participant failed')) };
    try {
      const id = randomUUID();
      await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'visible'), (n) => n.version);
      expect(published).toEqual(['NoteCreated']);
      committer.register(failing);
      await expect(notes.update(ctx(), 'EditNote', id, (n) => n.edit('rolled back'), (n) => n.version)).rejects.toThrow('participant failed');
      expect(published).toEqual(['NoteCreated']);
      expect((await notes.load(id))?.title).toBe('visible'); // nothing half-written
    } finally {
      subscription.unsubscribe();
      committer.unregister('fails');
    }
  });

  it('takes snapshots and loads from them, and ignores a snapshot of another schema version', async () => {
    const id = randomUUID();
    await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'v0'), (n) => n.version);
    for (let i = 1; i <= 104; i++) await notes.update(ctx(), 'EditNote', id, (n) => n.edit(`v${i}`), (n) => n.version);
    const snapshot = await snapshots.load<{ title: string }>(notes.streamId(id));
    expect(snapshot).toMatchObject({ streamVersion: 100, schemaVersion: 1, state: { title: 'v99' } });
    // A snapshot that lies about the state would show through: prove the load used it.
    await dataSource.query(`UPDATE snapshots SET state = jsonb_set(state, '{edits}', '1000') WHERE stream_id = $1`, [notes.streamId(id)]);
    expect((await notes.load(id))?.edits).toBe(1005); // 1000 from the snapshot, 5 edits after it
    expect((await notes.load(id))?.title).toBe('v104');
    await dataSource.query('UPDATE snapshots SET schema_version = 0 WHERE stream_id = $1', [notes.streamId(id)]);
    expect((await notes.load(id))?.edits).toBe(104);
  });

  it('updates inline projections in the same transaction as the events', async () => {
    await dataSource.query('CREATE TABLE note_titles (id text PRIMARY KEY, title text NOT NULL)');
    registry.registerInline({
      name: 'note-titles',
      kind: 'read-model',
      tables: ['note_titles'],
      handles: ['NoteCreated', 'NoteEdited'],
      async apply(tx, events) {
        for (const event of events) {
          const { title } = event.data as { title: string };
          if (title === 'unprojectable') throw new Error('read model refused the title');
          await tx.query('INSERT INTO note_titles (id, title) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = $2', [event.streamId, title]);
        }
      },
    });
    const id = randomUUID();
    await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'projected'), (n) => n.version);
    expect(await dataSource.query('SELECT title FROM note_titles WHERE id = $1', [notes.streamId(id)])).toEqual([{ title: 'projected' }]);

    // The read model's failure undoes the events too: the two never disagree.
    await expect(notes.update(ctx(), 'EditNote', id, (n) => n.edit('unprojectable'), (n) => n.version)).rejects.toThrow('read model refused');
    expect((await notes.load(id))?.version).toBe(1);
    expect(await dataSource.query('SELECT title FROM note_titles WHERE id = $1', [notes.streamId(id)])).toEqual([{ title: 'projected' }]);
  });

  it.each([
    ['a deadlock', '40P01'],
    ['a serialization failure', '40001'],
    ['a lock timeout', '55P03'],
  ])('runs a command again when PostgreSQL reports %s, then answers busy', async (_what, code) => {
    const id = randomUUID();
    await notes.create(ctx(), 'CreateNote', () => Note.create(id, 'start'), (n) => n.version);
    let failures = 2;
    const flaky = {
      name: 'flaky',
      order: 1,
      onCommit: async () => {
        if (failures-- > 0) throw Object.assign(new Error('asked to retry'), { driverError: { code } });
      },
    };
    committer.register(flaky);
    try {
      // Twice refused, then committed once: one edit, not three.
      expect(await notes.update(ctx(), 'EditNote', id, (n) => n.edit('after retries'), (n) => n.version)).toBe(2);
      expect((await notes.load(id))?.version).toBe(2);
      failures = Number.POSITIVE_INFINITY;
      await expect(notes.update(ctx(), 'EditNote', id, (n) => n.edit('never'), (n) => n.version)).rejects.toMatchObject({ code: ErrorCode.DatabaseBusy });
      expect((await notes.load(id))?.version).toBe(2);
    } finally {
      committer.unregister('flaky');
    }
  });

  it('writes each event at the schema version its definition declares, and upcasts only older ones', async () => {
    const upcastFrom: unknown[] = [];
    const upcast = (data: unknown) => {
      upcastFrom.push(data);
      return { data: { title: (data as { name: string }).name } };
    };
    moduleRef.get(UpcasterRegistry).register({ type: 'MemoRetitled', fromSchemaVersion: 1, upcast });
    const memos = moduleRef.get(AggregateRepositoryFactory).for(memoDefinition);
    moduleRef.get(UpcasterRegistry).verify();
    const id = randomUUID();
    await memos.create(ctx(), 'WriteMemo', () => {
      const memo = new Memo(id);
      memo.apply({ type: 'MemoWritten', data: { title: 'first' } });
      return memo;
    }, () => undefined);
    // An event stored before MemoRetitled was reshaped, then one written by today's code.
    await moduleRef.get(EventStore).append(memos.streamId(id), 'memo', [{ type: 'MemoRetitled', schemaVersion: 1, data: { name: 'second' } }], 1);
    await memos.update(ctx(), 'RetitleMemo', id, (memo) => memo.apply({ type: 'MemoRetitled', data: { title: 'third' } }), () => undefined);

    const stored = await dataSource.query('SELECT type, schema_version FROM events WHERE stream_id = $1 ORDER BY stream_version', [memos.streamId(id)]);
    expect(stored).toEqual([
      { type: 'MemoWritten', schema_version: 1 },
      { type: 'MemoRetitled', schema_version: 1 },
      { type: 'MemoRetitled', schema_version: 2 },
    ]);
    upcastFrom.length = 0;
    expect((await memos.load(id))?.titles).toEqual(['first', 'second', 'third']);
    expect(upcastFrom).toEqual([{ name: 'second' }]);
  });

  it('keeps domain errors typed', async () => {
    await expect(notes.update(ctx(), 'EditNote', 'missing', () => undefined, () => 0)).rejects.toBeInstanceOf(ChanceryError);
  });
});
