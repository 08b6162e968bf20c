import fc from 'fast-check';
import { fold, stateOf, stored } from '../../../../test/support/fold-properties.js';
import { CLEARANCES, ROLES } from './access.js';
import { User, userDefinition } from './user.aggregate.js';

const profile = fc.record({
  username: fc.constantFrom('jdoe', 'li.wei', 'amb_tokyo'),
  displayName: fc.constantFrom('Jane Doe', ' Li Wei '),
  roles: fc.subarray([...ROLES], { minLength: 1 }),
  office: fc.constantFrom(null, 'EAP/CM'),
  postCode: fc.constant(null),
  clearance: fc.constantFrom(...CLEARANCES),
});

describe('User, folded', () => {
  it('folds its stored events to the state that decided them', () => {
    fc.assert(
      fc.property(
        // Valid profiles: no post officer (there is no post here), and an office for the roles that work for one.
        profile.filter((p) => !p.roles.includes('post_officer') && (p.office !== null || !p.roles.some((role) => ['drafter', 'clearer'].includes(role)))),
        (p) => {
          const user = User.register('u1', p);
          const events = [...user.getUncommittedEvents()];
          expect(stateOf(fold(userDefinition, 'u1', stored(events)))).toEqual(stateOf(user));
        },
      ),
    );
  });
});
