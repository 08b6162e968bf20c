import fc from 'fast-check';
import { decide, fold, stateOf, stored } from '../../../../test/support/fold-properties.js';
import { type Delivered, Delivery, deliveryDefinition } from './delivery.aggregate.js';

const today = '2026-11-29';
const date = fc.integer({ min: 20, max: 30 }).map((d) => `2026-11-${d}`);
const details = fc.tuple(date, fc.constantFrom('Li Wei', ' ')).map(
  ([deliveredOn, name]): Delivered => ({ deliveredOn, counterpart: { name, title: 'DG', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' }),
);

const command: fc.Arbitrary<(d: Delivery) => void> = fc.oneof(
  details.map((delivered) => (d: Delivery) => d.deliver(delivered, 'u1', today)),
  fc.tuple(date, fc.constantFrom('', 'Baseless.')).map(([receivedOn, summary]) => (d: Delivery) =>
    d.logResponse({ receivedOn, position: 'REJECTED', summary, quotes: ['The allegations are baseless.'], reportingCableId: null }, 'u1', today),
  ),
  fc.constantFrom('', 'No appointment granted').map((reason) => (d: Delivery) => d.notDelivered(reason, 'u1')),
  fc.tuple(date, date).map(([reportBy, now]) => (d: Delivery) => d.markOverdue(reportBy, `${now}T08:00:00.000Z`)),
);

const history = fc.array(command, { maxLength: 12 }).map((commands) => decide(() => deliveryDefinition.blank('c1:BEIJING'), commands));

describe('Delivery, folded', () => {
  it('folds its stored events to the state that decided them', () => {
    fc.assert(
      fc.property(history, ({ aggregate, events }) => {
        const folded = fold(deliveryDefinition, 'c1:BEIJING', stored(events));
        expect(stateOf(folded)).toEqual(stateOf(aggregate));
        expect(folded.version).toBe(events.length);
      }),
    );
  });
});
