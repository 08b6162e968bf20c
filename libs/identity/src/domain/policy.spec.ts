import type { Principal } from './access.js';
import { hasPermission, mayActForPost, mayRead } from './policy.js';

const person = (overrides: Partial<Principal>): Principal => ({
  id: 'u1',
  username: 'someone',
  roles: ['drafter'],
  office: 'EAP/CM',
  postCode: null,
  clearance: 'UNCLASSIFIED',
  ...overrides,
});

describe('policy', () => {
  it('grants permissions by role', () => {
    expect(hasPermission(person({ roles: ['admin'] }), 'users.create').allowed).toBe(true);
    expect(hasPermission(person({ roles: ['drafter', 'leadership'] }), 'users.create')).toEqual({ allowed: false, reason: expect.stringMatching(/admin/) });
    expect(hasPermission(person({ roles: ['auditor'] }), 'audit.read').allowed).toBe(true);
    expect(hasPermission(person({ roles: ['post_officer'] }), 'posts.read').allowed).toBe(true);
  });

  it('lets only a post’s own officers act for it', () => {
    const beijing = person({ roles: ['post_officer'], postCode: 'BEIJING' });
    expect(mayActForPost(beijing, 'BEIJING').allowed).toBe(true);
    expect(mayActForPost(beijing, 'SHANGHAI').allowed).toBe(false);
    expect(mayActForPost(person({ roles: ['admin'] }), 'BEIJING').allowed).toBe(false);
  });

  it('never lets anyone read above their clearance; SBU is readable by all', () => {
    const unclassified = person({ clearance: 'UNCLASSIFIED', roles: ['admin', 'auditor'] });
    expect(mayRead(unclassified, { classification: 'SBU' }).allowed).toBe(true);
    expect(mayRead(unclassified, { classification: 'CONFIDENTIAL' }).allowed).toBe(false);
    expect(mayRead(person({ clearance: 'SECRET' }), { classification: 'SECRET' }).allowed).toBe(true);
    expect(mayRead(person({ clearance: 'SECRET' }), { classification: 'TOP_SECRET' }).allowed).toBe(false);
  });

  it('narrows NODIS and EXDIS to the working party and the addressed posts', () => {
    const cable = { classification: 'CONFIDENTIAL' as const, captions: ['NODIS'], workingParty: ['drafter-1', 'clearer-2'], addressedPosts: ['BEIJING'] };
    expect(mayRead(person({ id: 'drafter-1', clearance: 'SECRET' }), cable).allowed).toBe(true);
    expect(mayRead(person({ id: 'other', clearance: 'TOP_SECRET', roles: ['leadership'] }), cable)).toEqual({ allowed: false, reason: expect.stringMatching(/NODIS/) });
    expect(mayRead(person({ id: 'p1', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'CONFIDENTIAL' }), cable).allowed).toBe(true);
    expect(mayRead(person({ id: 'p2', roles: ['post_officer'], postCode: 'TOKYO', clearance: 'CONFIDENTIAL' }), cable).allowed).toBe(false);
    // Working on it does not lift the clearance rule.
    expect(mayRead(person({ id: 'drafter-1', clearance: 'UNCLASSIFIED' }), cable).allowed).toBe(false);
    expect(mayRead(person({ clearance: 'SECRET' }), { ...cable, captions: ['SIPDIS'] }).allowed).toBe(true);
  });
});
