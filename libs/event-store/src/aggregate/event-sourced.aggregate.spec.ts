import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from './event-sourced.aggregate.js';

type MemoEvent = DomainEvent<'MemoWritten', { title: string }> | DomainEvent<'MemoRetitled', { title: string }>;
class Memo extends EventSourcedAggregate<MemoEvent> {}

describe('AggregateDefinition.schemaVersions', () => {
  it('must name every event type of its aggregate, and only those (checked by the compiler: npm run typecheck)', () => {
    const complete: AggregateDefinition<Memo> = { streamType: 'memo', schemaVersions: { MemoWritten: 1, MemoRetitled: 2 }, blank: (id) => new Memo(id) };
    // @ts-expect-error MemoRetitled declares no schema version
    const missing: AggregateDefinition<Memo> = { streamType: 'memo', schemaVersions: { MemoWritten: 1 }, blank: (id) => new Memo(id) };
    // @ts-expect-error MemoDeleted is not one of Memo's events
    const unknown: AggregateDefinition<Memo> = { streamType: 'memo', schemaVersions: { MemoWritten: 1, MemoRetitled: 1, MemoDeleted: 1 }, blank: (id) => new Memo(id) };
    expect([complete, missing, unknown].map((d) => Object.keys(d.schemaVersions).length)).toEqual([2, 1, 3]);
  });
});
