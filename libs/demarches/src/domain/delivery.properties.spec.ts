import fc from 'fast-check';
import { decide, fold, stateOf, stored } from '../../../../test/support/fold-properties.js';
import { type Delivered, Delivery, deliveryDefinition } from './delivery.aggregate.js';

const today = '2026-11-29';
/** Generated dates fall on both sides of it. */
const days = { today, taskedOn: '2026-11-22' };
const at = '2026-11-29T10:00:00.000Z';
const date = fc.integer({ min: 20, max: 30 }).map((d) => `2026-11-${d}`);
const details = fc.tuple(date, fc.constantFrom('Li Wei', ' ')).map(
  ([deliveredOn, name]): Delivered => ({ deliveredOn, counterpart: { name, title: 'DG', organization: 'MFA' }, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' }),
);

const command: fc.Arbitrary<(d: Delivery) => void> = fc.oneof(
  details.map((delivered) => (d: Delivery) => d.deliver(delivered, 'u1', days, at)),
  details.map((delivered) => (d: Delivery) => d.recordContact({ ...delivered, on: delivered.deliveredOn }, 'u1', days, at)),
  fc.tuple(date, fc.constantFrom('', 'Baseless.'), fc.constantFrom('REJECTED', 'OPPOSED') as fc.Arbitrary<'REJECTED' | 'OPPOSED'>, fc.option(fc.integer({ min: 1, max: 3 }), { nil: null })).map(
    ([receivedOn, summary, position, corrects]) => (d: Delivery) =>
      d.logResponse({ receivedOn, position, summary, quotes: [{ text: '毫无根据', language: 'zh', translation: 'Baseless' }], reportingCableId: null, corrects }, 'u1', today, at),
  ),
  fc.integer({ min: 1, max: 3 }).map((n) => (d: Delivery) => d.attachReportingCable(n, 'k2', 'u1', at)),
  fc.constant((d: Delivery) => d.attachDocument({ documentId: 'd1', name: 'note.txt', kind: 'OTHER', mediaType: 'text/plain', size: 3, sha256: 'b'.repeat(64) }, 'u1', at)),
  fc.constantFrom('', 'No appointment granted').map((reason) => (d: Delivery) => d.notDelivered(reason, 'u1', at)),
  fc.tuple(date, date).map(([reportBy, now]) => (d: Delivery) => d.markOverdue(reportBy, `${now}T08:00:00.000Z`)),
);

const history = fc.array(command, { maxLength: 14 }).map((commands) => decide(() => deliveryDefinition.blank('c1:BEIJING'), commands));

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
