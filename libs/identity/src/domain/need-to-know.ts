import { type Classification, clearanceCovers, clearanceLevel, type Principal, type Role } from './access.js';
import { type Decision, hasPermission, isNarrowed, type Permission } from './policy.js';

/**
 * Need to know: the one decision of who reads a cable (and what derives from one: its campaign, the
 * campaign's deliveries, follow-ups linked to them) and who may act on it. Every path that answers
 * any part of such a record asks these functions, or `readableCableSql`, which says the same in SQL.
 *
 * The rules, from domain.md ("Who reads what"):
 * - nobody reads above their clearance, whatever else holds;
 * - before release (and if it never was released: cancelled), only its working party reads a cable:
 *   the drafter and the drafting office (members of the drafter's office; for a post's cable, that
 *   post's officers), the offices asked to clear it (their members), the approvers who may approve
 *   it, leadership, and anyone who has cleared or approved it; and never another post's people;
 * - once released, also the officers of the posts it went to (action and info), and, for a post's
 *   cable to the Department (SECSTATE) that cites by REF a tasking of that post (a released
 *   Department instruction that went to it), the tasking's drafter and drafting office ("the desk
 *   reads all replies to its tasking together"); SECSTATE is no post, so nobody else in the
 *   Department reads it. A REF to anything else (another post's cable, an informational cable, an
 *   instruction that did not go to the post) widens nothing.
 * - NODIS and EXDIS narrow a released cable to the working party, leadership and the addressed
 *   posts' officers; for a reply to the Department, whose addressee is the desk that tasked it, the
 *   desk reads a NODIS or EXDIS reply only to a tasking it sent under NODIS or EXDIS itself.
 */

/** The Department's originator code; a post's is its own code. */
export const DEPARTMENT_ORIGIN = 'STATE';
/** How a post's cable addresses the Department, as it appears in a distribution. */
export const DEPARTMENT_ADDRESS = 'SECSTATE';
/**
 * Names no post or office takes: the Department as originator and addressee, and the collectives
 * whose codes look like a post's (the bureaus' own, `EAP_POSTS`, hold an underscore and are refused
 * by their shape).
 */
export const RESERVED_NAMES: readonly string[] = [DEPARTMENT_ORIGIN, DEPARTMENT_ADDRESS, 'ALDAC', 'ALLDP'];

/** What the policy needs to know of a cable at one version. */
export interface CableAccess {
  classification: Classification;
  captions: readonly string[];
  status: string;
  /** STATE or the drafting post's code. */
  origin: string;
  drafterId: string;
  /** The drafter's office symbol (a Department cable's drafting office). */
  draftingOffice: string | null;
  /** Every office asked to clear it, with where its clearance stands. */
  clearances: readonly { office: string; status: string }[];
  /** Everyone who has cleared, non-concurred or approved it, ever (ids). */
  actedBy: readonly string[];
  /** The posts it was released to, action and info (SECSTATE for a post's cable); empty before. */
  distribution: readonly string[];
  /**
   * For a post's cable: the drafters and drafting offices of the taskings it cites by REF (released
   * Department instructions that went to the post), as `CablesQuery.taskingDesks` finds them, and
   * whether each tasking was itself NODIS or EXDIS.
   */
  taskingDesks: readonly { drafterId: string; draftingOffice: string | null; narrowed?: boolean }[];
}

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** An approver with release authority for the originator: the Department's, or that post's. */
export function hasReleaseAuthority(principal: Pick<Principal, 'roles' | 'postCode'>, origin: string): boolean {
  if (!principal.roles.includes('approver')) return false;
  return origin === DEPARTMENT_ORIGIN ? principal.postCode === null : principal.postCode === origin;
}

/**
 * The post whose officer `principal` is: a post officer's, or a post approver's (its chief of
 * mission, a deputy), the people bound to it. The chief of mission is the principal of a NODIS
 * cable to the post ("no distribution beyond the addressees' principals"), so reads what went to it.
 */
function officerPost(principal: Principal): string | null {
  return principal.roles.includes('post_officer') || principal.roles.includes('approver') ? principal.postCode : null;
}

/**
 * Whether `principal` is the cable's drafter, and still placed where it originates: a post's cable
 * with that post, a Department cable in the Department (bound to no post). Someone moved to another
 * post since is no longer its drafter: they neither read nor work the drafts they left behind (the
 * post's officers, or the drafting office, read them; an approver may cancel them).
 */
export function isDrafter(principal: Pick<Principal, 'id' | 'postCode'>, cable: Pick<CableAccess, 'drafterId' | 'origin'>): boolean {
  return principal.id === cable.drafterId && (cable.origin === DEPARTMENT_ORIGIN ? principal.postCode === null : principal.postCode === cable.origin);
}

/**
 * The drafter who may still work the cable as its drafter: `isDrafter`, and holding a role that
 * drafts (`cables.draft`). One whose drafting role was taken away keeps reading the draft, but no
 * longer edits, sends, submits or cancels it as its drafter.
 */
export function actsAsDrafter(principal: Pick<Principal, 'id' | 'postCode' | 'roles'>, cable: Pick<CableAccess, 'drafterId' | 'origin'>): boolean {
  return isDrafter(principal, cable) && hasPermission(principal, 'cables.draft').allowed;
}

/**
 * Whether `principal` is bound to no post but the cable's origin (the Department's people, or the
 * originating post's): someone moved to another post since is "another post's people" to it.
 */
function notAtAnotherPost(principal: Pick<Principal, 'postCode'>, origin: string): boolean {
  return principal.postCode === null || principal.postCode === origin;
}

export function isWorkingParty(principal: Principal, cable: CableAccess): boolean {
  // Who cleared or approved it counts while not bound to another post (moved there since, they are
  // that post's people); the drafter only while placed where it originates (`isDrafter`).
  if (isDrafter(principal, cable) || (cable.actedBy.includes(principal.id) && notAtAnotherPost(principal, cable.origin))) return true;
  if (principal.roles.includes('leadership')) return true;
  if (hasReleaseAuthority(principal, cable.origin)) return true;
  const office = principal.office;
  if (office !== null && (office === cable.draftingOffice || cable.clearances.some((c) => c.office === office))) return true;
  return cable.origin !== DEPARTMENT_ORIGIN && officerPost(principal) === cable.origin;
}

/**
 * The desk that tasked a post reads the post's reply to the Department; a NODIS or EXDIS reply only
 * if its tasking was NODIS or EXDIS too (the desk held that need to know already). The desk is in
 * the Department: its drafter or drafting office, while bound to no post (`isDrafter` of a tasking).
 */
function readsAsTaskingDesk(principal: Principal, cable: CableAccess): boolean {
  if (cable.origin === DEPARTMENT_ORIGIN || !cable.distribution.includes(DEPARTMENT_ADDRESS) || principal.postCode !== null) return false;
  const narrowed = isNarrowed(cable.captions);
  return cable.taskingDesks.some((t) => (!narrowed || t.narrowed === true) && (t.drafterId === principal.id || (principal.office !== null && t.draftingOffice === principal.office)));
}

/** Who reads the cable as it stands in `cable` (one version). */
export function mayReadCable(principal: Principal, cable: CableAccess): Decision {
  if (!clearanceCovers(principal.clearance, cable.classification)) return deny(`${cable.classification} is above ${principal.username}'s ${principal.clearance} clearance`);
  const released = cable.status === 'RELEASED';
  if (!released && principal.postCode !== null && principal.postCode !== cable.origin) {
    return deny(`another post's people never read a ${cable.status} cable`);
  }
  if (isWorkingParty(principal, cable)) return ALLOW;
  if (!released) return deny(`a ${cable.status} cable is read only by its working party`);
  const post = officerPost(principal);
  if (post !== null && cable.distribution.includes(post)) return ALLOW;
  if (readsAsTaskingDesk(principal, cable)) return ALLOW;
  return deny(`${principal.username} is neither in the cable's working party, nor an officer of a post it went to, nor the desk that tasked it`);
}

/**
 * The one question every read asks: may `principal` read the record as it is `now` and, for a past
 * version, as it stood `then`: its classification, captions and status (api.md: "the right to read
 * BOTH that version (its own classification and captions) and the record as it is now")? Who it
 * reaches is decided as it is now: a version later edited down is no way around the marking it
 * stood under, a released cable's drafts stay its working party's (a post it went to reads what
 * was released, not the drafts and deliberation before), and today's rule is no way around either.
 */
export function readDecision(principal: Principal, now: CableAccess, then?: Pick<CableAccess, 'classification' | 'captions' | 'status'>): Decision {
  const current = mayReadCable(principal, now);
  if (!current.allowed || !then) return current;
  const past = mayReadCable(principal, { ...now, classification: then.classification, captions: then.captions, status: then.status });
  return past.allowed ? ALLOW : deny(`as it stood at that version: ${past.reason}`);
}

/** The commands a cable takes, as `allowedActions` names them. */
export const CABLE_ACTIONS = ['edit', 'requestClearance', 'withdrawClearance', 'clear', 'submit', 'approve', 'return', 'release', 'cancel'] as const;
export type CableActionName = (typeof CABLE_ACTIONS)[number];

/** The permission each command's route asks (`@RequirePermission`): no command is offered to, or taken from, a caller without its role. */
export const CABLE_ACTION_PERMISSIONS = {
  edit: 'cables.edit',
  requestClearance: 'cables.draft',
  withdrawClearance: 'cables.draft',
  clear: 'cables.clear',
  submit: 'cables.draft',
  approve: 'cables.approve',
  return: 'cables.approve',
  release: 'cables.approve',
  cancel: 'cables.cancel',
} as const satisfies Record<CableActionName, Permission>;

const BEFORE_RELEASE = ['DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED'];
const DONE = ['CLEARED', 'CLEARED_WITH_COMMENTS'];

/** Who may send `action`, and in which state: the rule, read access first (domain.md "Clearing is joint drafting"). */
export function mayActOnCable(principal: Principal, cable: CableAccess, action: CableActionName): Decision {
  const read = mayReadCable(principal, cable);
  if (!read.allowed) return read;
  const role = hasPermission(principal, CABLE_ACTION_PERMISSIONS[action]);
  if (!role.allowed) return role;
  const drafter = actsAsDrafter(principal, cable);
  // Nobody approves their own cable, wherever they have moved since.
  const authority = hasReleaseAuthority(principal, cable.origin) && principal.id !== cable.drafterId;
  // Worked before submission: in clearance, or returned to the drafter with its clearances.
  const editable = cable.status === 'DRAFT' || cable.status === 'IN_CLEARANCE';
  const ownClearance = cable.clearances.find((c) => c.office === principal.office);
  switch (action) {
    case 'edit':
      return (drafter && editable) || (editable && !drafter && mayClear(principal, cable)) || (authority && cable.status === 'PENDING_APPROVAL')
        ? ALLOW
        : deny('only the drafter or a clearer of an office asked edits a draft, and the approver a submitted cable');
    case 'requestClearance':
      return drafter && editable ? ALLOW : deny('only the drafter asks for clearances on a draft');
    case 'withdrawClearance':
      return drafter && editable && cable.clearances.some((c) => c.status === 'PENDING' || c.status === 'NON_CONCUR') ? ALLOW : deny('only the drafter withdraws a pending or non-concurring request');
    case 'submit':
      return drafter && editable && cable.clearances.every((c) => DONE.includes(c.status)) ? ALLOW : deny('only the drafter submits a fully cleared draft');
    case 'clear':
      return mayClear(principal, cable) && editable && ownClearance !== undefined && !DONE.includes(ownClearance.status)
        ? ALLOW
        : deny('only a clearer of an office asked, not the drafter, clears a draft its office has not cleared');
    case 'approve':
      return authority && cable.status === 'PENDING_APPROVAL' ? ALLOW : deny('only an approver for the originator, not the drafter, approves a submitted cable');
    case 'return':
      return authority && cable.status === 'PENDING_APPROVAL' ? ALLOW : deny('only an approver for the originator returns a submitted cable');
    case 'release':
      return authority && cable.status === 'APPROVED' ? ALLOW : deny('only an approver for the originator releases an approved cable');
    case 'cancel':
      // Its drafter (an approver now, no longer drafting, included: the role's own permission is checked above).
      return (isDrafter(principal, cable) || authority) && BEFORE_RELEASE.includes(cable.status) ? ALLOW : deny('only the drafter or an approver cancels an unreleased cable');
  }
}

/** A clearer of an office asked to clear, who is not the drafter: nobody clears their own cable. */
export function mayClear(principal: Pick<Principal, 'id' | 'roles' | 'office'>, cable: Pick<CableAccess, 'drafterId' | 'clearances'>, office = principal.office): boolean {
  return principal.roles.includes('clearer') && principal.id !== cable.drafterId && office !== null && principal.office === office && cable.clearances.some((c) => c.office === office);
}

export function allowedCableActions(principal: Principal, cable: CableAccess): CableActionName[] {
  return CABLE_ACTIONS.filter((action) => mayActOnCable(principal, cable, action).allowed);
}

/** A campaign and its deliveries are read under the cable that opened them (its id is the cable's). */
export const DELIVERY_ACTIONS = ['recordDelivery', 'recordResponse', 'recordNotDelivered', 'addContact', 'uploadDocument'] as const;
export type DeliveryActionName = (typeof DELIVERY_ACTIONS)[number];

/** A post's officers record its delivery: delivered (again, after not delivered), the response, or why not. */
export function allowedDeliveryActions(principal: Principal, cable: CableAccess, post: string, status: string): DeliveryActionName[] {
  if (!mayReadCable(principal, cable).allowed || !principal.roles.includes('post_officer') || principal.postCode !== post) return [];
  switch (status) {
    case 'PENDING':
      return ['recordDelivery', 'recordNotDelivered', 'uploadDocument'];
    case 'DELIVERED':
    case 'RESPONDED':
      // A delivery is kept over time: more meetings, more responses (the position may move).
      return ['recordResponse', 'addContact', 'uploadDocument'];
    case 'NOT_DELIVERED':
      // A post that could not deliver may deliver later.
      return ['recordDelivery', 'uploadDocument'];
    default:
      return [];
  }
}

/** What the policy needs to know of a follow-up: its own classification and what it is linked to. */
export interface FollowUpAccess {
  classification: Classification;
  /** The linked cable as it stands now; null when none is linked. */
  cable: CableAccess | null;
  /** The linked campaign's cable as it stands now; null when none is linked. */
  campaign: CableAccess | null;
  /** A link names a record that is not there (never readable). */
  missingLink?: boolean;
  /**
   * Text of its own was written while its linked cable (`cable`) was unreleased (the working party's
   * deliberation): it is read under that cable as an unreleased cable is, even after its release. A
   * campaign is opened by its cable's release, so a campaign link was always released.
   */
  writtenUnderDraft?: boolean;
  /** Its owner now (an office, or a post) and its creator's id: a classified follow-up linked to nothing is theirs. */
  owner: { office?: string; post?: string };
  createdBy: string;
}

/**
 * A cable as it is read while unreleased: by its working party only (`mayReadCable`), whatever it
 * became since. What was written under a draft stays where the draft was.
 */
export function asUnreleased(cable: CableAccess): CableAccess {
  return cable.status === 'RELEASED' ? { ...cable, status: 'APPROVED' } : cable;
}

/** The marking a follow-up's answers carry: the highest of its own and of what it is linked to, now. */
export function followUpMarking(followUp: FollowUpAccess): Classification {
  return highestClassification(followUp.classification, ...[followUp.cable, followUp.campaign].flatMap((linked) => (linked ? [linked.classification] : [])));
}

/** The markings from which need to know holds for text that no record's distribution decides. */
const CLASSIFIED: readonly Classification[] = ['CONFIDENTIAL', 'SECRET', 'TOP_SECRET'];

/**
 * Who reads a classified follow-up linked to no cable or campaign: no distribution says who needs
 * to know it, so its owner's people (the owning office's members, the owning post's officers), its
 * creator and leadership, who review every follow-up. `readableFollowUpSql` says the same.
 */
function readsUnlinkedFollowUp(principal: Principal, followUp: FollowUpAccess): boolean {
  const { owner } = followUp;
  return (
    principal.roles.includes('leadership') ||
    principal.id === followUp.createdBy ||
    (owner.office !== undefined && principal.office === owner.office) ||
    (owner.post !== undefined && officerPost(principal) === owner.post)
  );
}

/**
 * A follow-up is read under its own classification and under every record it is linked to; a
 * classified one linked to nothing, by its owner, its creator and leadership (`readsUnlinkedFollowUp`).
 */
export function mayReadFollowUp(principal: Principal, followUp: FollowUpAccess): Decision {
  if (followUp.missingLink) return deny('it is linked to a record that does not exist');
  if (!clearanceCovers(principal.clearance, followUp.classification)) return deny(`${followUp.classification} is above ${principal.username}'s ${principal.clearance} clearance`);
  if (followUp.cable) {
    const underDraft = followUp.writtenUnderDraft === true;
    const decision = mayReadCable(principal, underDraft ? asUnreleased(followUp.cable) : followUp.cable);
    if (!decision.allowed) return deny(underDraft && followUp.cable.status === 'RELEASED' ? `linked: written while the cable was a draft, it stays its working party's` : `linked: ${decision.reason}`);
  }
  if (followUp.campaign) {
    const decision = mayReadCable(principal, followUp.campaign);
    if (!decision.allowed) return deny(`linked: ${decision.reason}`);
  }
  if (!followUp.cable && !followUp.campaign && CLASSIFIED.includes(followUp.classification) && !readsUnlinkedFollowUp(principal, followUp)) {
    return deny('classified and linked to no cable or campaign: read by its owner, its creator and leadership');
  }
  return ALLOW;
}

export const FOLLOW_UP_ACTIONS = ['edit', 'reassign', 'start', 'complete', 'cancel', 'comment'] as const;
export type FollowUpActionName = (typeof FOLLOW_UP_ACTIONS)[number];

/** Its owners (the office, or the post's officers) and its creator change it, if they may read it. */
export function allowedFollowUpActions(
  principal: Principal,
  followUp: FollowUpAccess & { createdBy: string; owner: { office?: string; post?: string }; status: string; escalatedTo?: string | null },
): FollowUpActionName[] {
  if (!mayReadFollowUp(principal, followUp).allowed) return [];
  const open = followUp.status === 'OPEN' || followUp.status === 'IN_PROGRESS';
  if (!isFollowUpOwner(principal, followUp)) {
    // The escalation bureau's leadership may give an escalated follow-up a new owner or due date.
    const escalation = !!followUp.escalatedTo && principal.roles.includes('leadership') && principal.office === followUp.escalatedTo;
    return escalation && open ? ['reassign'] : [];
  }
  return FOLLOW_UP_ACTIONS.filter((action) => (action === 'start' ? followUp.status === 'OPEN' : action === 'comment' ? true : open));
}

/** The roles that work an office's follow-ups: its desk (auditors and admins only read). */
export const OFFICE_WORKING_ROLES: readonly Role[] = ['drafter', 'clearer', 'approver', 'leadership'];

/**
 * Who works a follow-up owned by `owner`: the office's working people (`OFFICE_WORKING_ROLES`), or
 * the post's post officers (its approvers read what went to it, but the post's work is its officers').
 */
export function worksFor(principal: Pick<Principal, 'roles' | 'office' | 'postCode'>, owner: { office?: string; post?: string }): boolean {
  if (owner.office !== undefined) return principal.office === owner.office && principal.roles.some((role) => OFFICE_WORKING_ROLES.includes(role));
  return principal.roles.includes('post_officer') && principal.postCode === owner.post;
}

/**
 * Whom a follow-up may be given to by `principal`, at creation or reassignment: someone bound to a
 * post (its officers and approvers) acts for that post alone, so gives follow-ups to it or to an
 * office of the Department, never to another post (posts are tasked by the Department).
 */
export function mayGiveFollowUpTo(principal: Pick<Principal, 'postCode'>, owner: { office?: string; post?: string }): Decision {
  if (principal.postCode === null || owner.post === undefined || owner.post === principal.postCode) return ALLOW;
  return deny(`someone of ${principal.postCode} gives a follow-up to ${principal.postCode} or to an office of the Department, not to another post (${owner.post})`);
}

/**
 * Its owner's working people (`worksFor`) and its creator change a follow-up; its creator while they
 * still hold a role that opens follow-ups (as a drafter whose drafting role is taken away no longer
 * edits their draft): one made an auditor, or a clearer of another office, only reads it.
 */
export function isFollowUpOwner(principal: Principal, followUp: { createdBy: string; owner: { office?: string; post?: string } }): boolean {
  return (principal.id === followUp.createdBy && hasPermission(principal, 'followups.create').allowed) || worksFor(principal, followUp.owner);
}

/** The higher of two classifications, in the order of `CLASSIFICATION_RANK`. */
export const CLASSIFICATION_RANK: readonly Classification[] = ['UNCLASSIFIED', 'SBU', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'];
export function highestClassification(...classifications: Classification[]): Classification {
  return classifications.reduce((a, b) => (CLASSIFICATION_RANK.indexOf(b) > CLASSIFICATION_RANK.indexOf(a) ? b : a), 'UNCLASSIFIED');
}

/**
 * Which cited cable (alias `tasking`) is a tasking of the post `post` (an SQL expression): a
 * released Department instruction that went to it. `CablesQuery.taskingDesks` and
 * `readableCableSql` both ask it.
 */
export const TASKING_OF_POST_SQL = (post: string): string =>
  `tasking.origin = '${DEPARTMENT_ORIGIN}' AND tasking.kind = 'INSTRUCTION' AND tasking.status = 'RELEASED' AND ${post} = ANY(tasking.distribution)`;

/**
 * `mayReadCable` as a SQL condition over a `cables` row (alias `k` unless given), for lists,
 * counts, joins and searches that must not even count what the caller may not read. Parameters
 * are numbered from `first`. `cable-access.int-spec.ts` checks it agrees with `mayReadCable`.
 */

export function readableCableSql(principal: Principal, first: number, alias = 'k', status = `${alias}.status`): { where: string; params: unknown[] } {
  const k = `${alias}.`;
  const [level, id, leader, office, anyPost, deptApprover, postApprover, officerOf] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `$${first + i}`);
  return {
    where: `(${k}classification_level <= ${level}
      AND NOT (${status} <> 'RELEASED' AND ${anyPost}::text IS NOT NULL AND ${anyPost} <> ${k}origin)
      AND (
        (${id} = ANY(${k}working_party) AND (${anyPost}::text IS NULL OR ${k}origin = ${anyPost})
          AND (${k}drafter_id::text <> ${id} OR (${k}origin = '${DEPARTMENT_ORIGIN}' AND ${anyPost}::text IS NULL) OR ${k}origin = ${anyPost}))
        OR ${leader}
        OR (${k}origin = '${DEPARTMENT_ORIGIN}' AND ${deptApprover}) OR (${postApprover}::text IS NOT NULL AND ${k}origin = ${postApprover})
        OR (${office}::text IS NOT NULL AND (${office} = ${k}drafting_office OR ${office} = ANY(${k}clearing_offices)))
        OR (${officerOf}::text IS NOT NULL AND ${k}origin <> '${DEPARTMENT_ORIGIN}' AND ${k}origin = ${officerOf})
        OR (${status} = 'RELEASED' AND (
          (${officerOf}::text IS NOT NULL AND ${officerOf} = ANY(${k}distribution))
          OR (${k}origin <> '${DEPARTMENT_ORIGIN}' AND '${DEPARTMENT_ADDRESS}' = ANY(${k}distribution) AND ${anyPost}::text IS NULL AND EXISTS (
            SELECT 1 FROM cables tasking WHERE tasking.mrn = ANY(${k}reference_mrns) AND ${TASKING_OF_POST_SQL(`${k}origin`)}
              AND (NOT ${k}narrowed OR tasking.narrowed)
              AND (tasking.drafter_id::text = ${id} OR (${office}::text IS NOT NULL AND tasking.drafting_office = ${office}))))))))`,
    params: [
      clearanceLevel(principal.clearance),
      principal.id,
      principal.roles.includes('leadership'),
      principal.office,
      principal.postCode,
      principal.roles.includes('approver') && principal.postCode === null,
      principal.roles.includes('approver') ? principal.postCode : null,
      officerPost(principal),
    ],
  };
}

/**
 * `mayReadFollowUp` as a SQL condition over a `follow_ups` row (alias `f`): its own classification
 * and every cable or campaign (whose id is its cable's) it is linked to, as they stand now; its
 * linked cable as an unreleased cable is read if its text was written under that draft (`asUnreleased`);
 * a classified one linked to nothing, by its owner, creator and leadership. Its parameters are
 * `readableCableSql`'s, the same eight.
 */
export function readableFollowUpSql(principal: Principal, first: number, alias = 'f'): { where: string; params: unknown[] } {
  const f = `${alias}.`;
  const underDraft = `(CASE WHEN ${f}written_under_draft AND kc.status = 'RELEASED' THEN 'APPROVED' ELSE kc.status END)`;
  const linkedCable = readableCableSql(principal, first, 'kc', underDraft);
  const linkedCampaign = readableCableSql(principal, first, 'kd');
  // readableCableSql's parameters: the clearance level, the id, leadership, the office, and (the 8th) the post whose officer.
  const [level, id, leader, office, officerOf] = [0, 1, 2, 3, 7].map((i) => `$${first + i}`);
  return {
    where: `((CASE ${f}classification WHEN 'CONFIDENTIAL' THEN 1 WHEN 'SECRET' THEN 2 WHEN 'TOP_SECRET' THEN 3 ELSE 0 END) <= ${level}
      AND (${f}cable_id IS NULL OR EXISTS (SELECT 1 FROM cables kc WHERE kc.id = ${f}cable_id AND ${linkedCable.where}))
      AND (${f}demarche_id IS NULL OR EXISTS (SELECT 1 FROM cables kd WHERE kd.id = ${f}demarche_id AND ${linkedCampaign.where}))
      AND (${f}cable_id IS NOT NULL OR ${f}demarche_id IS NOT NULL OR ${f}classification NOT IN (${CLASSIFIED.map((c) => `'${c}'`).join(', ')})
        OR ${leader} OR ${f}created_by = ${id}::text OR (${office}::text IS NOT NULL AND ${f}owner_office = ${office})
        OR (${officerOf}::text IS NOT NULL AND ${f}owner_post = ${officerOf})))`,
    params: linkedCable.params,
  };
}
