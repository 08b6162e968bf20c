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
    [{ roles: ['post_officer'], postCode: 'BEIJING' }, 'office'], // a post's officer with a Department office too
    [{ roles: ['approver'], postCode: 'BEIJING' }, 'office'],
    [{ clearance: 'COSMIC' }, 'clearance'],
    // The audit log's own actors' names, in any case.
    [{ username: 'system' }, 'username'],
    [{ username: 'Anonymous' }, 'username'],
    // No mailbox bears the name: <username>@MAIL_DOMAIN must be an address.
    [{ username: 'a..b' }, 'username'],
    [{ username: 'abc.' }, 'username'],
    [{ username: 'abc-' }, 'username'],
    // A working role with nowhere to work for: refused when made, not when first used.
    [{ office: null }, 'office'],
    [{ roles: ['clearer'], office: null }, 'office'],
    [{ roles: ['drafter', 'post_officer'], office: null, postCode: 'BEIJING' }, 'office'], // a post's officers draft as post officers
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
    // Leadership are the Department's principals: not a post's officer or approver as well.
    for (const roles of [['post_officer', 'leadership'], ['approver', 'leadership']] as const) {
      expect(() => User.register('id-4', { ...drafter, roles: [...roles], office: null, postCode: 'BEIJING' })).toThrow(/leadership are the Department's principals, not bound to a post/);
    }
    expect(() => officer.changeProfile({ roles: ['post_officer', 'leadership'] }, 'admin-1')).toThrow(/not bound to a post/);
  });
});

describe('a user over time', () => {
  const profile = { username: 'jdoe', displayName: 'Jane Doe', roles: ['drafter' as const], office: 'EAP/CM', postCode: null, clearance: 'SECRET' as const };
  const registered = () => {
    const user = User.register('u-1', { ...profile, username: 'JDoe' });
    user.uncommit();
    return user;
  };

  it('keeps usernames in lower case', () => {
    expect(registered().profile.username).toBe('jdoe');
  });

  it('takes a username that is an email address\'s first part, and lets one registered before that rule be changed', () => {
    expect(User.register('id-1', { ...drafter, username: 'jane.q_doe-2' }).profile.username).toBe('jane.q_doe-2');
    const earlier = new User('id-9');
    earlier.replay([{ type: 'UserRegistered', data: { ...drafter, username: 'old..name.' } }], 1);
    earlier.changeProfile({ displayName: 'Old Name' }, 'admin-id');
    expect(earlier.getUncommittedEvents()).toEqual([{ type: 'UserProfileChanged', data: { changes: { displayName: 'Old Name' } } }]);
  });

  it('changes only the fields given; a field given as undefined stays', () => {
    const user = registered();
    user.changeProfile({ clearance: 'TOP_SECRET', office: undefined }, 'admin-1');
    expect(user.getUncommittedEvents()).toEqual([{ type: 'UserProfileChanged', data: { changes: { clearance: 'TOP_SECRET' } } }]);
    expect(user.profile).toEqual({ ...profile, clearance: 'TOP_SECRET' });
  });

  it('records nothing when nothing changes, and validates the result like a new user', () => {
    const user = registered();
    user.changeProfile({ clearance: 'SECRET', displayName: ' Jane Doe ' }, 'admin-1');
    expect(user.getUncommittedEvents()).toEqual([]);
    expect(() => user.changeProfile({ roles: ['post_officer'] }, 'admin-1')).toThrow(/needs a post \(postCode\)/);
  });

  it('lets a user an earlier version made with nowhere to work be changed, but given no other such role', () => {
    const unplaced = { ...profile, roles: ['drafter' as const, 'clearer' as const], office: null };
    const user = new User('u-2');
    user.replay([{ type: 'UserRegistered', data: unplaced }], 1);
    user.changeProfile({ clearance: 'UNCLASSIFIED' }, 'admin-1');
    user.changeProfile({ roles: ['drafter'] }, 'admin-1');
    expect(user.profile).toMatchObject({ roles: ['drafter'], clearance: 'UNCLASSIFIED', office: null });
    expect(() => user.changeProfile({ roles: ['drafter', 'clearer'] }, 'admin-1')).toThrow(/a clearer clears for a Department office/);
    user.changeProfile({ office: 'EAP/CM' }, 'admin-1');
    expect(() => user.changeProfile({ office: null }, 'admin-1')).toThrow(/a drafter drafts for a Department office/);
    // An approver with no post releases for the Department: no office needed.
    expect(User.register('u-3', { ...profile, roles: ['approver'], office: null }).profile.office).toBeNull();
  });

  it('has its own password changed by its user alone, and is disabled for a reason or none, never a blank one', () => {
    const user = registered();
    expect(() => user.resetPassword(user.id)).toThrow(/POST \/auth\/password/);
    expect(() => user.disable('   ', 'admin-1')).toThrow(/say why the account is disabled, or leave the reason out/);
    expect(user.getUncommittedEvents().map((e) => e.type)).toEqual(registered().getUncommittedEvents().map((e) => e.type));
    user.disable(' Retired ', 'admin-1');
    expect(user.getUncommittedEvents().at(-1)).toEqual({ type: 'UserDisabled', data: { reason: 'Retired' } });
  });

  it('ends every session on a logout, a password change or reset, and a disabling; not on enabling', () => {
    const user = registered();
    user.logOut();
    user.changePassword();
    user.resetPassword('admin-1');
    user.disable('Retired', 'admin-1');
    expect(user.tokenGeneration).toBe(4);
    expect(user.disabled).toBe(true);
    user.enable();
    expect(user.tokenGeneration).toBe(4);
    expect(user.disabled).toBe(false);
  });

  it('refuses to let an admin disable themselves or drop their own admin role', () => {
    const admin = User.register('a-1', { ...profile, username: 'boss', roles: ['admin'], office: null });
    expect(() => admin.disable(null, 'a-1')).toThrow(/your own account/);
    expect(() => admin.changeProfile({ roles: ['leadership'] }, 'a-1')).toThrow(/your own admin role/);
    admin.changeProfile({ roles: ['leadership'] }, 'other-admin');
    expect(admin.profile.roles).toEqual(['leadership']);
  });

  it('lets an admin give up access of their own, never widen it: a role, a clearance, an office or post are another admin\'s to give', () => {
    const admin = User.register('a-1', { ...profile, username: 'boss', roles: ['admin', 'drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const refused = (changes: Parameters<User['changeProfile']>[0]) => {
      try {
        admin.changeProfile(changes, 'a-1');
      } catch (error) {
        return (error as { details?: { errors?: { field: string }[] } }).details?.errors?.map((e) => e.field);
      }
      return 'changed';
    };
    expect(refused({ roles: ['admin', 'drafter', 'leadership'] })).toEqual(['roles']);
    expect(refused({ clearance: 'TOP_SECRET' })).toEqual(['clearance']);
    expect(refused({ office: 'L' })).toEqual(['office']);
    expect(refused({ roles: ['admin', 'leadership'], clearance: 'TOP_SECRET', office: 'S' })).toEqual(['roles', 'clearance', 'office']);
    expect(admin.getUncommittedEvents()).toHaveLength(1); // registered, nothing since
    // Giving up access, or changing nothing that widens it, is theirs.
    for (const changes of [{ clearance: 'CONFIDENTIAL' as const }, { roles: ['admin' as const], office: 'EAP/CM' }, { displayName: 'The Boss', office: 'EAP/CM', clearance: 'CONFIDENTIAL' as const }]) expect(refused(changes)).toBe('changed');
    // Another admin gives all of it.
    admin.changeProfile({ roles: ['admin', 'leadership'], clearance: 'TOP_SECRET', office: 'S' }, 'other-admin');
    expect(admin.profile).toMatchObject({ roles: ['admin', 'leadership'], clearance: 'TOP_SECRET', office: 'S' });
  });
});
