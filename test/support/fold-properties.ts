import { ChanceryError } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';

class Bare extends EventSourcedAggregate {}
/** The fields of the base classes (the id, the version, @nestjs/cqrs's pending events). */
const MACHINERY = new Set(Object.keys(new Bare('bare')));

/** The aggregate's own state: its fields, without the id and the machinery of the base classes. */
export function stateOf(aggregate: EventSourcedAggregate<any>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(aggregate).filter(([key]) => !MACHINERY.has(key)));
}

/**
 * Runs commands on an aggregate in turn; a command the aggregate refuses (a ChanceryError) is
 * skipped, as the repository would roll it back. Answers the aggregate and every event it decided.
 */
export function decide<A extends EventSourcedAggregate<any>>(start: () => A, commands: readonly ((aggregate: A) => void)[]): { aggregate: A; events: DomainEvent[] } {
  const aggregate = start();
  for (const command of commands) {
    const before = aggregate.getUncommittedEvents().length;
    try {
      command(aggregate);
    } catch (error) {
      if (!(error instanceof ChanceryError)) throw error;
      // A refusal decides nothing.
      if (aggregate.getUncommittedEvents().length !== before) throw new Error(`a refused command left events behind: ${error.message}`);
    }
  }
  return { aggregate, events: [...aggregate.getUncommittedEvents()] as DomainEvent[] };
}

/** Events as the store gives them back: through JSON (jsonb), each a fresh object. */
export function stored(events: readonly DomainEvent[]): DomainEvent[] {
  return JSON.parse(JSON.stringify(events)) as DomainEvent[];
}

/** A blank aggregate that has folded `events`, as the repository loads one without a snapshot. */
export function fold<A extends EventSourcedAggregate<any>>(definition: AggregateDefinition<A>, id: string, events: readonly DomainEvent[]): A {
  const aggregate = definition.blank(id);
  if (events.length > 0) aggregate.replay(events, events.length);
  return aggregate;
}

/**
 * The aggregate as the repository loads it from a snapshot taken after `cut` events: the snapshot
 * through JSON (it is stored as jsonb), restored, then the events after it folded on top.
 */
export function foldFromSnapshot<A extends EventSourcedAggregate<any>>(definition: AggregateDefinition<A>, id: string, events: readonly DomainEvent[], cut: number): A {
  const snapshots = definition.snapshots;
  if (!snapshots) throw new Error(`${definition.streamType} takes no snapshots`);
  const state = JSON.parse(JSON.stringify(snapshots.take(fold(definition, id, events.slice(0, cut)))));
  const aggregate = snapshots.restore(id, state);
  aggregate.markSaved(cut);
  const rest = events.slice(cut);
  if (rest.length > 0) aggregate.replay(rest, events.length);
  return aggregate;
}
