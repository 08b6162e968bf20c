import { ensure } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';
import { CLEARANCES, type Clearance, OFFICE_PATTERN, type Role, ROLES, USERNAME_PATTERN } from './access.js';

export interface UserProfile {
  username: string;
  displayName: string;
  roles: Role[];
  office: string | null;
  postCode: string | null;
  clearance: Clearance;
}

export type UserEvent = DomainEvent<'UserRegistered', UserProfile>;

/** A person who uses Chancery: roles, office, post (for post officers) and clearance. */
export class User extends EventSourcedAggregate<UserEvent> {
  profile: UserProfile;

  static register(id: string, profile: UserProfile): User {
    ensure(USERNAME_PATTERN.test(profile.username), 'username', 'username must be 3 to 32 lower-case letters, digits, dots, dashes or underscores, starting with a letter');
    ensure(profile.displayName.trim().length > 0, 'displayName', 'displayName must not be empty');
    ensure(profile.roles.length > 0, 'roles', 'a user needs at least one role');
    ensure(profile.roles.every((role) => (ROLES as readonly string[]).includes(role)), 'roles', `roles must be among ${ROLES.join(', ')}`);
    ensure(new Set(profile.roles).size === profile.roles.length, 'roles', 'roles must not repeat');
    ensure(CLEARANCES.includes(profile.clearance), 'clearance', `clearance must be one of ${CLEARANCES.join(', ')}`);
    ensure(profile.office === null || OFFICE_PATTERN.test(profile.office), 'office', 'office must be an office symbol such as EAP/CM');
    const postOfficer = profile.roles.includes('post_officer');
    ensure(!postOfficer || profile.postCode !== null, 'postCode', 'a post officer needs a postCode');
    // A post's approvers (the chief of mission and deputies) hold release authority for that post.
    const postApprover = profile.roles.includes('approver');
    ensure(postOfficer || postApprover || profile.postCode === null, 'postCode', 'only post officers and post approvers are bound to a post');
    const user = new User(id);
    user.apply({ type: 'UserRegistered', data: { ...profile, displayName: profile.displayName.trim() } });
    return user;
  }

  onUserRegistered(event: UserEvent): void {
    this.profile = event.data;
  }
}

export const userDefinition: AggregateDefinition<User> = {
  streamType: 'user',
  schemaVersions: { UserRegistered: 1 },
  blank: (id) => new User(id),
};
