import fc from 'fast-check';
import { decide, fold, stateOf, stored } from '../../../../test/support/fold-properties.js';
import { Post, postDefinition } from './post.aggregate.js';

const command: fc.Arbitrary<(p: Post) => void> = fc.oneof(
  fc.constantFrom('Embassy Tokyo', ' Embassy of the United States, Tokyo ', '', 'Tokyo').map((name) => (p: Post) => p.rename(name)),
  fc.constantFrom('Ordered departure', '').map((reason) => (p: Post) => p.suspend(reason)),
  fc.constant((p: Post) => p.reopen()),
  fc.constantFrom('Relations severed').map((reason) => (p: Post) => p.close(reason)),
);

const history = fc.array(command, { maxLength: 15 }).map((commands) =>
  decide(() => Post.establish({ code: 'TOKYO', name: 'Tokyo', kind: 'EMBASSY', city: 'Tokyo', country: 'JP', countryTag: 'JA', bureau: 'EAP' }), commands),
);

describe('Post, folded', () => {
  it('folds its stored events to the state that decided them', () => {
    fc.assert(
      fc.property(history, ({ aggregate, events }) => {
        const folded = fold(postDefinition, 'TOKYO', stored(events));
        expect(stateOf(folded)).toEqual(stateOf(aggregate));
        expect(folded.version).toBe(events.length);
      }),
    );
  });
});
