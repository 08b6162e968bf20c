import { ChanceryError, ErrorCode } from '@chancery/common';
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

function rule(condition: boolean, message: string, field: string): void {
  if (!condition) throw new ChanceryError(ErrorCode.RuleViolated, message, { errors: [{ field, message }] });
}

/** A person who uses Chancery: roles, office, post (for post officers) and clearance. */
export class User extends EventSourcedAggregate<UserEvent> {
  profile: UserProfile;

  static register(id: string, profile: UserProfile): User {
    rule(USERNAME_PATTERN.test(profile.username), 'username must be 3 to 32 lower-case letters, digits, dots, dashes or underscores, starting with a letter', 'username');
    rule(profile.displayName.trim().length > 0, 'displayName must not be empty', 'displayName');
    rule(profile.roles.length > 0, 'a user needs at least one role', 'roles');
    rule(profile.roles.every((role) => (ROLES as readonly string[]).includes(role)), `roles must be among ${ROLES.join(', ')}`, 'roles');
    rule(new Set(profile.roles).size === profile.roles.length, 'roles must not repeat', 'roles');
    rule(CLEARANCES.includes(profile.clearance), `clearance must be one of ${CLEARANCES.join(', ')}`, 'clearance');
    rule(profile.office === null || OFFICE_PATTERN.test(profile.office), 'office must be an office symbol such as EAP/CM', 'office');
    const postOfficer = profile.roles.includes('post_officer');
    rule(!postOfficer || profile.postCode !== null, 'a post officer needs a postCode', 'postCode');
    rule(postOfficer || profile.postCode === null, 'only post officers are bound to a post', 'postCode');
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
  blank: (id) => new User(id),
};
