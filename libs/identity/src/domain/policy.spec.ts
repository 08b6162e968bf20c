import { readFileSync } from 'node:fs';
import { type Principal, ROLES } from './access.js';
import { hasPermission, mayActForPost, PERMISSIONS } from './policy.js';

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

describe("the README's permission table", () => {
  it('grants each permission to the roles the policy grants it, and names every permission', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('| permission | roles |'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
    const said: Record<string, string[]> = {};
    for (const row of rows) {
      const [permissions, roles] = row.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, ''));
      const granted = roles === 'every role' ? [...ROLES] : roles.split(', ').map((role) => role.replace(' ', '_'));
      for (const [, permission] of permissions.matchAll(/`([a-z]+\.[a-z]+)`/g)) said[permission] = [...granted].sort();
    }
    const policy = Object.fromEntries(Object.entries(PERMISSIONS).map(([permission, roles]) => [permission, [...roles].sort()]));
    expect(said).toEqual(policy);
  });
});
