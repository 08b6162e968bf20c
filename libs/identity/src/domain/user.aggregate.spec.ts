import { User, type UserProfile } from './user.aggregate.js';

const drafter: UserProfile = { username: 'jdoe', displayName: 'Jane Doe', roles: ['drafter'], office: 'EAP/CM', postCode: null, clearance: 'SECRET' };

describe('User', () => {
  it('is registered with a profile', () => {
    expect(User.register('id-1', drafter).getUncommittedEvents()).toEqual([{ type: 'UserRegistered', data: drafter }]);
  });

  it.each([
    [{ username: 'J' }, 'username'],
    [{ roles: [] }, 'roles'],
    [{ roles: ['drafter', 'drafter'] }, 'roles'],
    [{ roles: ['wizard'] }, 'roles'],
    [{ office: 'eap/cm' }, 'office'],
    [{ roles: ['post_officer'] }, 'postCode'],
    [{ postCode: 'BEIJING' }, 'postCode'],
    [{ clearance: 'COSMIC' }, 'clearance'],
  ])('refuses %j', (override, field) => {
    expect(() => User.register('id-1', { ...drafter, ...(override as Partial<UserProfile>) })).toThrow(
      expect.objectContaining({ code: 'RULE_VIOLATED', details: { errors: [expect.objectContaining({ field })] } }),
    );
  });

  it('binds post officers, and a post’s approvers, to their post', () => {
    const officer = User.register('id-2', { ...drafter, roles: ['post_officer'], office: null, postCode: 'BEIJING' });
    expect(officer.profile.postCode).toBe('BEIJING');
    const ambassador = User.register('id-3', { ...drafter, roles: ['approver'], office: null, postCode: 'BEIJING' });
    expect(ambassador.profile.postCode).toBe('BEIJING');
  });
});
