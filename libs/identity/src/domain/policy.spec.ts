import type { Principal } from './access.js';
import { hasPermission, mayActForPost } from './policy.js';

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
});
