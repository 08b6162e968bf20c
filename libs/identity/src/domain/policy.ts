import { type Classification, clearanceCovers, clearanceLevel, type Principal, type Role } from './access.js';

/**
 * What a route may ask permission for. Each is granted to roles below; a route states the
 * permission it needs, and resource-level checks (post, classification, captions) come on top.
 */
export const PERMISSIONS = {
  'users.create': ['admin'],
  'users.list': ['admin'],
  'posts.read': ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'],
  'posts.manage': ['admin'],
  'audit.read': ['auditor', 'admin'],
  'operations.read': ['admin'],
  'operations.manage': ['admin'],
  'dashboard.read': ['leadership'],
  'exports.read': ['leadership', 'drafter'],
  'cables.read': ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'],
  'cables.draft': ['drafter', 'post_officer'],
  'cables.clear': ['clearer'],
  'cables.approve': ['approver'],
  'cables.cancel': ['drafter', 'post_officer', 'approver'],
  'demarches.read': ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'],
  'demarches.report': ['post_officer'],
  'followups.read': ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'],
  'followups.create': ['drafter', 'post_officer', 'leadership'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

export function hasPermission(principal: Principal, permission: Permission): Decision {
  const granted: readonly Role[] = PERMISSIONS[permission];
  return principal.roles.some((role) => granted.includes(role))
    ? ALLOW
    : deny(`${permission} needs one of the roles ${granted.join(', ')}`);
}

/** Only officers of a post act for it. */
export function mayActForPost(principal: Principal, postCode: string): Decision {
  if (!principal.roles.includes('post_officer')) return deny('only post officers act for a post');
  return principal.postCode === postCode ? ALLOW : deny(`${principal.username} is an officer of ${principal.postCode ?? 'no post'}, not ${postCode}`);
}

/** Distribution captions that narrow who may read, beyond clearance. */
export const NARROWING_CAPTIONS = ['NODIS', 'EXDIS'] as const;

/** What the policy needs to know of a readable thing (a cable, a campaign, anything derived). */
export interface ReadableResource {
  classification: Classification;
  captions?: readonly string[];
  /** The people working it: drafter, clearers, approver. */
  workingParty?: readonly string[];
  /** Offices working it (drafting office, clearing offices). */
  offices?: readonly string[];
  /** Posts it is addressed to. */
  addressedPosts?: readonly string[];
}

/**
 * Clearance first: nobody reads above their level. NODIS and EXDIS then narrow distribution to the
 * people working the cable and the officers of the addressed posts; admins and auditors get no
 * exemption from either rule.
 */
export function mayRead(principal: Principal, resource: ReadableResource): Decision {
  if (!clearanceCovers(principal.clearance, resource.classification)) {
    return deny(`${resource.classification} is above ${principal.username}'s ${principal.clearance} clearance`);
  }
  const narrowed = (resource.captions ?? []).find((caption) => (NARROWING_CAPTIONS as readonly string[]).includes(caption));
  if (!narrowed) return ALLOW;
  if (resource.workingParty?.includes(principal.id)) return ALLOW;
  if (principal.postCode && principal.roles.includes('post_officer') && resource.addressedPosts?.includes(principal.postCode)) return ALLOW;
  return deny(`${narrowed} limits distribution to the people working it and the addressed posts`);
}

/**
 * `mayRead` as a SQL condition, for lists and searches that must not even count what the caller
 * may not read. The table has `classification_level`, `narrowed` (NODIS/EXDIS), `working_party`
 * and a column of the posts it went to. Parameters are numbered from `first`.
 */
export function readableSql(principal: Principal, first: number, postsColumn: string, alias = ''): { where: string; params: unknown[] } {
  const a = alias ? `${alias}.` : '';
  const postCode = principal.roles.includes('post_officer') ? principal.postCode : null;
  return {
    where: `${a}classification_level <= $${first} AND (NOT ${a}narrowed OR $${first + 1} = ANY(${a}working_party)
      OR ($${first + 2}::text IS NOT NULL AND $${first + 2} = ANY(${a}${postsColumn})))`,
    params: [clearanceLevel(principal.clearance), principal.id, postCode],
  };
}

export function isNarrowed(captions: readonly string[]): boolean {
  return captions.some((caption) => (NARROWING_CAPTIONS as readonly string[]).includes(caption));
}
