import { assertNever, ChanceryError, ensure, ErrorCode, showsText } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';
import { CLEARANCES, type Clearance, clearanceLevel, OFFICE_PATTERN, type Role, ROLES, USERNAME_PATTERN } from './access.js';

export interface UserProfile {
  username: string;
  displayName: string;
  roles: Role[];
  office: string | null;
  postCode: string | null;
  clearance: Clearance;
}

/** What an admin may change of a profile (the username stays). */
export type ProfileChanges = Partial<Omit<UserProfile, 'username'>>;

export type UserEvent =
  | DomainEvent<'UserRegistered', UserProfile>
  | DomainEvent<'UserProfileChanged', { changes: ProfileChanges }>
  | DomainEvent<'UserDisabled', { reason: string | null }>
  | DomainEvent<'UserEnabled', Record<string, never>>
  | DomainEvent<'UserPasswordReset', Record<string, never>>
  | DomainEvent<'UserPasswordChanged', Record<string, never>>
  | DomainEvent<'UserLoggedOut', Record<string, never>>;

/** Usernames are matched in any case and kept in lower case: `JDoe` and `jdoe` are one user. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/**
 * The names the audit log and the records give their own actors (the system's jobs, a caller not
 * signed in): no user takes one, or the log's `?actor=system` would mix a person with the system.
 */
export const RESERVED_USERNAMES: readonly string[] = ['system', 'anonymous'];

function mustNotBeReserved(username: string): void {
  ensure(!RESERVED_USERNAMES.includes(username), 'username', `${username} is reserved: the audit log names its own actors so`);
}

/**
 * A new username is the local part of the user's email address (`<username>@MAIL_DOMAIN`): no two
 * dots in a row, and it ends with a letter or a digit (`a..b` and `abc.` name no mailbox, and the
 * mailer would try them for ever). Users registered before the rule keep theirs.
 */
function mustBeMailable(username: string): void {
  ensure(!username.includes('..') && /[a-z0-9]$/.test(username), 'username', 'username must end with a letter or a digit and have no two dots in a row: it is the first part of the user\'s email address');
}

function validateProfile(profile: UserProfile): void {
  ensure(USERNAME_PATTERN.test(profile.username), 'username', 'username must be 3 to 32 letters (a to z), digits, dots, dashes or underscores, starting with a letter');
  ensure(showsText(profile.displayName), 'displayName', 'displayName must not be empty');
  ensure(profile.roles.length > 0, 'roles', 'a user needs at least one role');
  ensure(profile.roles.every((role) => (ROLES as readonly string[]).includes(role)), 'roles', `roles must be among ${ROLES.join(', ')}`);
  ensure(new Set(profile.roles).size === profile.roles.length, 'roles', 'roles must not repeat');
  ensure(CLEARANCES.includes(profile.clearance), 'clearance', `clearance must be one of ${CLEARANCES.join(', ')}`);
  ensure(profile.office === null || OFFICE_PATTERN.test(profile.office), 'office', 'office must be an office symbol such as EAP/CM');
  const postOfficer = profile.roles.includes('post_officer');
  ensure(!postOfficer || profile.postCode !== null, 'postCode', 'a post officer needs a post (postCode)');
  // A post's approvers (the chief of mission and deputies) hold release authority for that post.
  const postApprover = profile.roles.includes('approver');
  ensure(postOfficer || postApprover || profile.postCode === null, 'postCode', 'only post officers and post approvers are bound to a post');
  // A post's people act for the post: a Department office as well would make them its drafting
  // office, its clearer and its desk (reading its drafts, and cables to other posts).
  ensure(profile.postCode === null || profile.office === null, 'office', 'a user bound to a post has no Department office: give an office or a post, not both');
}

/**
 * The roles a profile gives out of place: a clearer clears for a Department office, a drafter drafts
 * for one (a post's officers draft as post officers), so without one such a user would be refused at
 * their first clearance or draft; and leadership belongs to the Department, not to a post. (An
 * approver needs neither: with no post, they release for the Department.)
 */
function unplacedRoles(profile: UserProfile): string[] {
  const unplaced = profile.office === null ? profile.roles.filter((role) => role === 'clearer' || role === 'drafter') : [];
  // Leadership are the Department's principals (they read NODIS traffic as such, and a bureau's
  // front office is a leadership office): a post's officer or approver made leadership too would
  // read every post's traffic from one post.
  return profile.postCode !== null && profile.roles.includes('leadership') ? [...unplaced, 'leadership'] : unplaced;
}

/**
 * A profile made, or changed, is refused a working role with nowhere to work for. A user an earlier
 * version made so may still be changed (a clearance lowered, a role taken away) as long as the
 * change gives them no other such role.
 */
function placeRoles(next: UserProfile, before: UserProfile | null): void {
  const already = new Set(before ? unplacedRoles(before) : []);
  const unplaced = unplacedRoles(next).find((role) => !already.has(role));
  ensure(unplaced !== 'clearer', 'office', 'a clearer clears for a Department office: give one');
  ensure(unplaced !== 'drafter', 'office', "a drafter drafts for a Department office: give one (a post's officers draft as post officers)");
  ensure(unplaced !== 'leadership', 'roles', "leadership are the Department's principals, not bound to a post: give leadership to a user of a Department office");
}

/** An admin's changes to their own account widen nothing they read (`User.changeProfile`). */
function mustNotWidenOwnAccess(now: UserProfile, next: UserProfile): void {
  const widened = [
    ...(next.roles.some((role) => !now.roles.includes(role)) ? [{ field: 'roles', message: 'another admin gives you a role' }] : []),
    ...(clearanceLevel(next.clearance) > clearanceLevel(now.clearance) ? [{ field: 'clearance', message: 'another admin raises your clearance' }] : []),
    ...((next.office ?? null) !== (now.office ?? null) ? [{ field: 'office', message: 'another admin moves you to another office' }] : []),
    ...((next.postCode ?? null) !== (now.postCode ?? null) ? [{ field: 'postCode', message: 'another admin moves you to a post' }] : []),
  ];
  if (widened.length > 0) throw new ChanceryError(ErrorCode.RuleViolated, 'You cannot widen your own access (a role, a clearance, an office or post): another admin must', { errors: widened });
}

/**
 * A person who uses Chancery: roles, office, post (for post officers) and clearance; whether they may
 * sign in; and the generation their tokens carry. Anything that must end every session the user
 * has (a logout, a password change or reset, disabling) raises the generation.
 */
export class User extends EventSourcedAggregate<UserEvent> {
  profile: UserProfile;
  disabled = false;
  tokenGeneration = 0;

  static register(id: string, profile: UserProfile): User {
    const normalized = { ...profile, username: normalizeUsername(profile.username), displayName: profile.displayName.trim() };
    validateProfile(normalized);
    mustNotBeReserved(normalized.username);
    mustBeMailable(normalized.username);
    placeRoles(normalized, null);
    const user = new User(id);
    user.apply({ type: 'UserRegistered', data: normalized });
    return user;
  }

  /**
   * Applies an admin's changes. To their own account (`actorId`) an admin may only give up access:
   * not take away their own admin role, and not widen what they read (a role added, a clearance
   * raised, another office or post, whose drafts its members read): another admin does that. (No
   * two-person rule: an admin still creates accounts with any access, each in the audit log.)
   */
  changeProfile(requested: ProfileChanges, actorId: string): void {
    // A field absent from the request (or present as undefined) stays as it is.
    const changes = Object.fromEntries(Object.entries(requested).filter(([, value]) => value !== undefined)) as ProfileChanges;
    const next: UserProfile = { ...this.profile, ...changes, displayName: (changes.displayName ?? this.profile.displayName).trim() };
    validateProfile(next);
    // A user stored with one before the rule keeps it; no one takes one anew.
    if (next.username !== this.profile.username) mustNotBeReserved(next.username);
    placeRoles(next, this.profile);
    if (actorId === this.id && this.profile.roles.includes('admin') && !next.roles.includes('admin')) {
      throw new ChanceryError(ErrorCode.RuleViolated, 'You cannot take away your own admin role', { errors: [{ field: 'roles', message: 'keeps admin for yourself' }] });
    }
    if (actorId === this.id) mustNotWidenOwnAccess(this.profile, next);
    const changed = Object.fromEntries(
      (Object.keys(changes) as (keyof ProfileChanges)[])
        .filter((key) => JSON.stringify(next[key]) !== JSON.stringify(this.profile[key]))
        .map((key) => [key, next[key]]),
    ) as ProfileChanges;
    if (Object.keys(changed).length > 0) this.apply({ type: 'UserProfileChanged', data: { changes: changed } });
  }

  disable(reason: string | null, actorId: string): void {
    if (actorId === this.id) throw new ChanceryError(ErrorCode.RuleViolated, 'You cannot disable your own account');
    // A reason is optional; one given says something (blank is not a reason).
    ensure(reason === null || showsText(reason), 'reason', 'say why the account is disabled, or leave the reason out');
    if (!this.disabled) this.apply({ type: 'UserDisabled', data: { reason: reason?.trim() ?? null } });
  }

  enable(): void {
    if (this.disabled) this.apply({ type: 'UserEnabled', data: {} });
  }

  /** An admin set a new password (its hash is stored beside the events, not in them). */
  /**
   * An administrator sets another user's password. Their own they change as everyone does (POST
   * /auth/password), proving the current one: a stolen admin token must not lock the admin out.
   */
  resetPassword(actorId: string): void {
    if (actorId === this.id) {
      throw new ChanceryError(ErrorCode.RuleViolated, 'Your own password is changed with POST /auth/password, which asks for the current one', {
        errors: [{ field: 'password', message: 'your own: change it with your current password' }],
      });
    }
    this.apply({ type: 'UserPasswordReset', data: {} });
  }

  changePassword(): void {
    this.apply({ type: 'UserPasswordChanged', data: {} });
  }

  logOut(): void {
    this.apply({ type: 'UserLoggedOut', data: {} });
  }

  protected override evolve(event: UserEvent): void {
    switch (event.type) {
      case 'UserRegistered':
        this.profile = event.data;
        return;
      case 'UserProfileChanged':
        this.profile = { ...this.profile, ...event.data.changes };
        return;
      case 'UserDisabled':
        this.disabled = true;
        this.tokenGeneration++;
        return;
      case 'UserEnabled':
        this.disabled = false;
        return;
      case 'UserPasswordReset':
      case 'UserPasswordChanged':
      case 'UserLoggedOut':
        this.tokenGeneration++;
        return;
      default:
        assertNever(event);
    }
  }
}

export const userDefinition: AggregateDefinition<User> = {
  streamType: 'user',
  schemaVersions: { UserRegistered: 1, UserProfileChanged: 1, UserDisabled: 1, UserEnabled: 1, UserPasswordReset: 1, UserPasswordChanged: 1, UserLoggedOut: 1 },
  blank: (id) => new User(id),
};
