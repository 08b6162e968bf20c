import fc from 'fast-check';
import type { Principal } from '@chancery/identity/domain';
import { decide, fold, stateOf, stored } from '../../../../test/support/fold-properties.js';
import { FollowUp, followUpDefinition, type Owner } from './follow-up.aggregate.js';

const creator: Principal = { id: 'd1', username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', postCode: null, clearance: 'SECRET' };
const beijing: Principal = { id: 'p1', username: 'bj', roles: ['post_officer'], office: null, postCode: 'BEIJING', clearance: 'SECRET' };
const other: Principal = { id: 'x1', username: 'x', roles: ['drafter'], office: 'EUR/WE', postCode: null, clearance: 'SECRET' };
const owners: Owner[] = [{ post: 'BEIJING' }, { office: 'EUR/WE' }, { office: 'eap' }];
const day = fc.integer({ min: 1, max: 28 }).map((d) => `2026-12-${String(d).padStart(2, '0')}`);
const at = fc.integer({ min: 1, max: 28 }).map((d) => `2026-12-${String(d).padStart(2, '0')}T09:00:00.000Z`);
const who = fc.constantFrom(creator, beijing, other);
const text = fc.constantFrom('', '  ', 'Seek a second meeting', 'Report back');

const command: fc.Arbitrary<(f: FollowUp) => void> = fc.oneof(
  fc.tuple(who, fc.option(text), fc.option(text), at).map(([by, title, description, when]) => (f: FollowUp) => f.edit(by, { title: title ?? undefined, description: description ?? undefined }, when)),
  fc.tuple(who, fc.constantFrom(...owners), at).map(([by, owner, when]) => (f: FollowUp) => f.reassign(by, owner, owner.office ? owner.office.split('/')[0] : 'EAP', when)),
  fc.tuple(who, fc.oneof(day, fc.constant('soon')), at).map(([by, dueOn, when]) => (f: FollowUp) => f.changeDueDate(by, dueOn, when)),
  fc.tuple(who, at).map(([by, when]) => (f: FollowUp) => f.start(by, when)),
  fc.tuple(who, text, at).map(([by, outcome, when]) => (f: FollowUp) => f.complete(by, outcome, when)),
  fc.tuple(who, text, at).map(([by, reason, when]) => (f: FollowUp) => f.cancel(by, reason, when)),
  fc.tuple(who, text, at).map(([by, comment, when]) => (f: FollowUp) => f.comment(by, comment, when)),
  at.map((now) => (f: FollowUp) => f.markOverdue(now)),
);

const history = fc.tuple(day, fc.array(command, { maxLength: 30 })).map(([dueOn, commands]) =>
  decide(
    () => FollowUp.create('f1', { title: 'Seek a second meeting', description: '', owner: { post: 'BEIJING' }, ownerBureau: 'EAP', dueOn, links: { demarcheId: null, post: 'BEIJING', cableId: null } }, creator, '2026-11-29T10:00:00.000Z'),
    commands,
  ),
);

describe('FollowUp, folded', () => {
  it('folds its stored events to the state that decided them', () => {
    fc.assert(
      fc.property(history, ({ aggregate, events }) => {
        const folded = fold(followUpDefinition, 'f1', stored(events));
        expect(stateOf(folded)).toEqual(stateOf(aggregate));
        expect(folded.version).toBe(events.length);
      }),
    );
  });
});
