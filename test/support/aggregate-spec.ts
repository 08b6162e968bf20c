import { ChanceryError } from '@chancery/common';
import type { AggregateDefinition, DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';

/**
 * Given-when-then specs for aggregates, as Emmett writes them:
 * `given(postDefinition, 'TOKYO', [established]).when((p) => p.suspend('x')).then([suspended])`.
 */
export function given<A extends EventSourcedAggregate<any>>(definition: AggregateDefinition<A>, id: string, history: DomainEvent[]) {
  const aggregate = definition.blank(id);
  if (history.length > 0) aggregate.replay(history, history.length);
  return {
    when(action: (aggregate: A) => void) {
      return {
        then(expected: DomainEvent[]): A {
          action(aggregate);
          expect(aggregate.getUncommittedEvents()).toEqual(expected);
          return aggregate;
        },
        thenFails(code: string, message?: RegExp): void {
          let caught: unknown;
          try {
            action(aggregate);
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(ChanceryError);
          expect((caught as ChanceryError).code).toBe(code);
          if (message) expect((caught as ChanceryError).message).toMatch(message);
          expect(aggregate.getUncommittedEvents()).toEqual([]);
        },
      };
    },
  };
}
