import type { Principal, Role } from './access.js';

/**
 * What a route may ask permission for. Each is granted to roles below; a route states the
 * permission it needs, and resource-level checks (post, classification, captions) come on top.
 */
export const PERMISSIONS = {
  'users.create': ['admin'],
  'users.list': ['admin'],
  'users.manage': ['admin'],
  'offices.read': ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'],
  'offices.manage': ['admin'],
  'posts.read': ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'],
  'posts.manage': ['admin'],
  'audit.read': ['auditor', 'admin'],
  'operations.read': ['admin'],
  'operations.manage': ['admin'],
  'dashboard.read': ['leadership'],
  'exports.read': ['leadership', 'drafter'],
  'cables.read': ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'],
  'cables.draft': ['drafter', 'post_officer'],
  /** Editing a cable: its drafter, a clearer of an office asked (clearing with edits), the approver of a submitted one. */
  'cables.edit': ['drafter', 'post_officer', 'clearer', 'approver'],
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

export function hasPermission(principal: Pick<Principal, 'roles'>, permission: Permission): Decision {
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

/** Distribution captions that narrow who may read (see need-to-know.ts). */
export const NARROWING_CAPTIONS = ['NODIS', 'EXDIS'] as const;

export function isNarrowed(captions: readonly string[]): boolean {
  return captions.some((caption) => (NARROWING_CAPTIONS as readonly string[]).includes(caption));
}
