/**
 * An independent oracle of who may read and do what in Chancery.
 *
 * Written from the written rules alone (shared/domain.md "People and access", "Who reads what",
 * "Clearing is joint drafting", "Follow-ups"; shared/api.md route tables and the Additions
 * "Reading rights and allowed actions" and "Follow-ups"), and the lead's product decisions where
 * recorded as such (R-fu-draft-text, R-acted, R-tasking-desk's placing), without reading the project's policy code, so that it does
 * not share that code's mistakes. No imports from libs/: the types below are
 * the oracle's own, filled by a test from its own bookkeeping (what it created, asked, released),
 * never from the API's answers.
 *
 * Layout: the rules are data (READ_RULES, ACTION_RULES, GUARDS, ROUTE_ROLES), each row citing the
 * sentence it comes from and saying whether it is the text itself ('text'), a one-step consequence
 * of it ('derived'), or a choice the oracle had to make where the text is silent or ambiguous
 * ('interpretation'; every one is listed in INTERPRETATIONS and in ORACLE.md). The functions at
 * the bottom are a thin evaluator over those rows. Every decision says which rows decided it and
 * whether it is `certain` (no interpretation involved), so a test can treat a disagreement on an
 * uncertain decision as a question for the lead rather than a failure.
 */

// ---------------------------------------------------------------------------------------------
// Interpretations: every place the text is silent or ambiguous and the oracle chose (the rows that
// rest on one say basis: 'interpretation'; ORACLE.md explains each).
// ---------------------------------------------------------------------------------------------

/** Interpretations (also in ORACLE.md), by id, for a test's messages. */
export const INTERPRETATIONS: Readonly<Record<string, string>> = {
  'I-drafting-office': 'Members of the drafting office read its cables whatever their role; office match is the exact symbol (EAP is not EAP/CM).',
  'I-tasking-desk': "A post's released reply citing a tasking by REF is read by the tasking's drafter and drafting office (\"the desk reads all replies to its tasking\"); the Department (SECSTATE) is not a post, so without this nobody at the desk would read a reporting cable.",
  'I-tasking-desk-placed':
    "The tasking desk is in the Department (product decision): the tasking's drafter and the members of its drafting office read a reply as the desk that tasked it only while bound to no post. One made a post's officer since (postCode set) is that post's people and no longer reads the reply as its desk; one moved to another Department office still does, as its drafter.",
  'I-acted-placed':
    "Those who acted on a cable (product decision): whoever has cleared it (a CLEARED or CLEARED_WITH_COMMENTS answer, for any office) or approved it reads it as its working party while bound to no post or to its origin (postCode null or the origin). Moved to another post since, they are that post's people to it: they read it only on other grounds (an officer of a post it went to). Who acted is the test's bookkeeping (actedBy).",
  'I-clear-decided': 'An office that already CLEARED (or CLEARED_WITH_COMMENTS) answers again only once its clearance is STALE; the office that did not concur may later clear.',
  'I-post-drafting-office': "For a post cable, the originating post's officers are its drafting office (the text forbids only another post's officers).",
  'I-clearing-office-readers': 'Every member of an office asked to clear reads the cable (option clearingOfficeReaders: clearers for only its clearers).',
  'I-withdrawn': 'An office whose request was withdrawn is no longer "asked to clear" and loses reading (the test drops it from clearances).',
  'I-other-post': "'Another post's officer' is any user bound to a post other than the origin (postCode set), whatever else they are; the drafter too, once moved there (I-drafter-placed).",
  'I-drafter-placed': "The drafter is its drafter while placed where the cable originates: a post cable's drafter bound to that post, a Department cable's bound to no post. One moved to another post (or from the post to the Department) neither reads nor works it as its drafter; 'never by the drafter' rules (clearing, approving) hold wherever they are.",
  'I-officers': "A post's officers, for reading, are the people bound to it: post officers and the post's approvers (its chief of mission, the principal NODIS traffic goes to). For acting on deliveries and owning follow-ups, post officers only.",
  'I-auditor-admin': 'auditor and admin grant no reading of their own ("Nobody else"): no cable, campaign or delivery; only what any user reads (an UNCLASSIFIED or SBU follow-up linked to nothing), and, as any member of an office, a classified one linked to nothing that their office owns (R-fu-owner-people).',
  'I-exdis': 'EXDIS/NODIS narrow a released cable to the same set that reads any released cable; they add nothing. NODIS "principals" is not modelled (no rank); LIMDIS, NOFORN and SIPDIS do not change who reads.',
  'I-version': 'A past version is judged with its own classification and captions against the current parties, status and distribution; both it and the current record must be readable.',
  'I-campaign': 'Campaigns and deliveries are read by exactly those who read their cable now.',
  'I-delivery-other-post': "A post officer of a distribution post reads other posts' deliveries in the same campaign.",
  'I-follow-up-reading': "A follow-up linked to a cable/campaign is read only by who may read the linked record(s), within its raised markings (option followUpReading: 'markings').",
  'I-follow-up-draft-text':
    "Follow-up text written under a draft (product decision): once any of its text (title and description at creation or in an edit, a comment, an outcome, a cancellation reason) was written while its linked cable was not yet RELEASED, the follow-up is read for good under that cable as an unreleased cable is read: its working party only (judged now), never a post it was later released to nor a tasking desk, even after release; markings still rise as before. Applies in both followUpReading modes. The flag is the test's bookkeeping (writtenUnderDraft) and bears on the `cable` link (a campaign exists only once its cable is released).",
  'I-follow-up-exdis': 'A follow-up marked EXDIS/NODIS narrows to linked-record readers, leadership, owner and creator.',
  'I-follow-up-owner': 'Owner of a follow-up, for acting: the members of the owning office who work there (drafter, clearer, approver or leadership; auditors and admins only read), or the owning post\'s post officers. For reading one linked to nothing (R-fu-owner-people, the lead\'s note): every member of the owning office whatever their role, and the people bound to the owning post (its post officers and approvers, as I-officers).',
  'I-edit-states': 'The drafter edits in DRAFT and IN_CLEARANCE; a clearer in DRAFT or IN_CLEARANCE; the approver (not the drafter) in PENDING_APPROVAL; nobody after.',
  'I-withdraw': 'A request may be withdrawn while PENDING (api.md) or NON_CONCUR (domain.md); not once CLEARED or STALE.',
  'I-clear-non-concur': 'The office that did not concur may later clear.',
  'I-submit-draft': 'A draft with no open clearance (none asked, or returned with clearances standing) may be submitted from DRAFT.',
  'I-drafter-approver': 'The drafter, if an eligible approver, may return, release or cancel their own cable (only approving is excluded); may not edit it as approver.',
  'I-allowed-actions': 'The api.md allowedActions examples are shortened: a clearer asked gets ["edit","clear"], an eligible approver of a submitted cable ["edit","approve","return","cancel"]. Action names beyond the examples are the oracle\'s own.',
  'I-export': '"leadership, drafter" on export.csv means the roles, each also needing to read the campaign.',
  'I-delivery-states': 'recordResponse and addContact need DELIVERED or RESPONDED; recordNotDelivered needs PENDING; uploadDocument any status.',
  'I-follow-up-states': 'start needs OPEN; edit, reassign, complete, cancel need OPEN or IN_PROGRESS; comment any status.',
  'I-escalation': "The escalation bureau's leadership are users with the leadership role whose office is the bureau's symbol; they may only reassign (owner, due date) an overdue follow-up.",
};

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export type Role = 'drafter' | 'clearer' | 'approver' | 'post_officer' | 'leadership' | 'auditor' | 'admin';
export type ClearanceLevel = 'UNCLASSIFIED' | 'CONFIDENTIAL' | 'SECRET' | 'TOP_SECRET';
export type Classification = 'UNCLASSIFIED' | 'SBU' | 'CONFIDENTIAL' | 'SECRET' | 'TOP_SECRET';
export type CableStatus = 'DRAFT' | 'IN_CLEARANCE' | 'PENDING_APPROVAL' | 'APPROVED' | 'RELEASED' | 'CANCELLED';
export type ClearanceState = 'PENDING' | 'CLEARED' | 'CLEARED_WITH_COMMENTS' | 'NON_CONCUR' | 'STALE';
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'RESPONDED' | 'NOT_DELIVERED';
export type FollowUpStatus = 'OPEN' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED';

/** A person, as the test created them. */
export interface User {
  id: string;
  username: string;
  roles: readonly Role[];
  /** Office symbol, exactly as in the directory (`EAP/CM`). Matching is exact: `EAP` is not `EAP/CM`. */
  office?: string | null;
  /** The post a post officer is bound to (`BEIJING`). */
  postCode?: string | null;
  clearance: ClearanceLevel;
}

/** The markings of one version of a cable (a past version has its own). */
export interface Markings {
  classification: Classification;
  captions: readonly string[];
}

/** How one version of a cable stood: its markings and, where the test knows it, its status (left out: as the cable is now). */
export interface Standing extends Markings {
  status?: CableStatus;
}

/** A cable as the test knows it now (the current version). */
export interface CableRecord extends Markings {
  kind: 'cable';
  status: CableStatus;
  /** 'STATE' for a Department cable, else the originating post's code. */
  origin: string;
  drafterId: string;
  /** The drafter's office symbol (for a Department cable). May be null for a post cable. */
  draftingOffice: string | null;
  /**
   * Offices asked to clear, with where their answer stands. Drop an office whose request was
   * withdrawn (it is no longer "asked"); see interpretation I-withdrawn.
   */
  clearances: readonly { office: string; state: ClearanceState }[];
  /**
   * The approvers who may approve it, if the test wants to pin them. Left out, the oracle derives
   * them from the rule: a Department cable's are approvers without a post, a post cable's are
   * approvers of that post.
   */
  approverIds?: readonly string[];
  /** Posts it went to (action + info, collectives expanded) once released; [] before. */
  distribution: readonly string[];
  /** The cables it cites by REF (for a post's reply: the tasking), as the test knows them. */
  refs?: readonly CableRecord[];
  /** INSTRUCTION, INFORMATIONAL or REPORTING; only a Department instruction tasks posts. */
  cableKind?: 'INSTRUCTION' | 'INFORMATIONAL' | 'REPORTING';
  /**
   * Who has acted on it, as the test recorded them: the ids of those who cleared it (a CLEARED or
   * CLEARED_WITH_COMMENTS answer, for any office; a non-concurrence is not clearing) or approved it.
   * They read it as its working party while placed where it may be worked from (R-acted,
   * I-acted-placed).
   */
  actedBy?: readonly string[];
}

export interface CampaignRecord {
  kind: 'campaign';
  /** The released instruction cable the campaign came from. */
  cable: CableRecord;
}

export interface DeliveryRecord {
  kind: 'delivery';
  campaign: CampaignRecord;
  post: string;
  status: DeliveryStatus;
}

export type Owner = { office: string } | { post: string };

export interface FollowUpRecord {
  kind: 'followUp';
  status: FollowUpStatus;
  /** Its own markings, if it has any; the linked records' are added to them. */
  classification?: Classification;
  captions?: readonly string[];
  cable?: CableRecord;
  campaign?: CampaignRecord;
  post?: string;
  owner: Owner;
  creatorId: string;
  /** Past its due date and not done. */
  overdue?: boolean;
  /** The owner's bureau (the office's bureau, or the post's regional bureau), where it escalates. */
  escalationBureau?: string;
  /**
   * Some of its text (title and description at creation or in an edit, a comment, an outcome, a
   * cancellation reason) was written while its linked cable was not yet RELEASED (DRAFT through
   * APPROVED, or CANCELLED). Set by the test's bookkeeping at each write, never cleared: the
   * follow-up is then read for good under that cable as an unreleased cable is read
   * (R-fu-draft-text, I-follow-up-draft-text). It bears on the `cable` link; a follow-up linked
   * only to a campaign (which exists only once its cable is released, so this cannot arise through
   * the API) would have it bear on the campaign's cable.
   */
  writtenUnderDraft?: boolean;
}

export type AnyRecord = CableRecord | CampaignRecord | DeliveryRecord | FollowUpRecord;

export type CableAction =
  | 'edit'
  | 'requestClearance'
  | 'withdrawClearance'
  | 'clear'
  | 'submit'
  | 'approve'
  | 'return'
  | 'release'
  | 'cancel';
export type CampaignAction = 'exportCsv';
export type DeliveryAction = 'recordDelivery' | 'recordResponse' | 'recordNotDelivered' | 'addContact' | 'uploadDocument';
export type FollowUpAction = 'edit' | 'reassign' | 'start' | 'complete' | 'cancel' | 'comment';
export type Action = CableAction | CampaignAction | DeliveryAction | FollowUpAction;

export const ACTIONS: { [K in AnyRecord['kind']]: readonly Action[] } = {
  cable: ['edit', 'requestClearance', 'withdrawClearance', 'clear', 'submit', 'approve', 'return', 'release', 'cancel'],
  campaign: ['exportCsv'],
  delivery: ['recordDelivery', 'recordResponse', 'recordNotDelivered', 'addContact', 'uploadDocument'],
  followUp: ['edit', 'reassign', 'start', 'complete', 'cancel', 'comment'],
};

/** Extra argument of an action: the office a clearance is given for or withdrawn from. */
export interface ActionArg {
  office?: string;
}

export type Basis = 'text' | 'derived' | 'interpretation';

export interface Decision {
  allowed: boolean;
  /** Ids of the rows that decided it. */
  rules: string[];
  /** False when an interpretation row took part: a disagreement is then a question, not a bug. */
  certain: boolean;
}

/** Switches for the two readings the lead may want to flip (defaults are the oracle's choice). */
export interface OracleOptions {
  /**
   * "the offices asked to clear it": every member of such an office ('members', default: the text
   * names offices, as it names "the drafting office"), or only its clearers ('clearers').
   */
  clearingOfficeReaders: 'members' | 'clearers';
  /**
   * "A follow-up linked to a cable or campaign ... is read under them": whoever may read the
   * linked record(s), within the follow-up's own markings ('linkedRecord', default); or anyone
   * cleared for its markings, narrowed to need-to-know only by EXDIS/NODIS ('markings').
   */
  followUpReading: 'linkedRecord' | 'markings';
}

export const DEFAULT_OPTIONS: OracleOptions = { clearingOfficeReaders: 'members', followUpReading: 'linkedRecord' };

// ---------------------------------------------------------------------------------------------
// Small facts the rules are written with
// ---------------------------------------------------------------------------------------------

/** Reading level: SBU is "sensitive but unclassified", so it needs no clearance above UNCLASSIFIED. */
const LEVEL: Record<Classification, number> = { UNCLASSIFIED: 0, SBU: 0, CONFIDENTIAL: 1, SECRET: 2, TOP_SECRET: 3 };
/** Marking order, for carrying the highest marking (SBU outranks plain UNCLASSIFIED as a marking). */
const MARK: Record<Classification, number> = { UNCLASSIFIED: 0, SBU: 1, CONFIDENTIAL: 2, SECRET: 3, TOP_SECRET: 4 };

export const has = (u: User, role: Role): boolean => u.roles.includes(role);
const officeOf = (u: User): string | null => u.office ?? null;
const postOf = (u: User): string | null => u.postCode ?? null;

export const covers = (u: User, c: Classification): boolean => LEVEL[u.clearance] >= LEVEL[c];
export const isRestrictive = (captions: readonly string[]): boolean =>
  captions.some((c) => c.toUpperCase() === 'EXDIS' || c.toUpperCase() === 'NODIS');
const released = (c: CableRecord): boolean => c.status === 'RELEASED';
/** A tasking of `post`: a released Department instruction that went to it. */
const isTaskingOf = (t: CableRecord, post: string): boolean => t.origin === 'STATE' && t.cableKind === 'INSTRUCTION' && released(t) && t.distribution.includes(post);
const beforeRelease = (c: CableRecord): boolean => c.status !== 'RELEASED'; // DRAFT..APPROVED, and CANCELLED (never released)

/** An officer of post P: holds the post_officer role and is bound to P (who acts for the post). */
export const officerOf = (u: User, post: string): boolean => has(u, 'post_officer') && postOf(u) === post;
/** Who reads what went to post P: the people bound to it, its post officers and its approvers (I-officers). */
export const readsForPost = (u: User, post: string): boolean => (has(u, 'post_officer') || has(u, 'approver')) && postOf(u) === post;

/** The person who drafted it, wherever they are now ("never by the drafter" rules). */
export const draftedBy = (u: User, c: CableRecord): boolean => u.id === c.drafterId;
/** Its drafter, still placed where it originates (I-drafter-placed). */
export const isDrafter = (u: User, c: CableRecord): boolean => draftedBy(u, c) && (c.origin === 'STATE' ? postOf(u) === null : postOf(u) === c.origin);
/** The drafting office: members of the drafter's office; for a post cable, the originating post's officers (I-post-drafting-office). */
export const inDraftingOffice = (u: User, c: CableRecord): boolean =>
  (c.draftingOffice !== null && officeOf(u) === c.draftingOffice) || (c.origin !== 'STATE' && officerOf(u, c.origin));
export const inClearingOffice = (u: User, c: CableRecord, o: OracleOptions): boolean =>
  officeOf(u) !== null &&
  c.clearances.some((x) => x.office === officeOf(u)) &&
  (o.clearingOfficeReaders === 'members' || has(u, 'clearer'));
/** Approvers who may approve it: a Department cable's are approvers without a post; a post cable's, that post's. */
export const isEligibleApprover = (u: User, c: CableRecord): boolean =>
  c.approverIds
    ? c.approverIds.includes(u.id)
    : has(u, 'approver') && (c.origin === 'STATE' ? postOf(u) === null : postOf(u) === c.origin);
/** Has cleared or approved it, wherever they are now (the test's bookkeeping). */
export const actedOn = (u: User, c: CableRecord): boolean => (c.actedBy ?? []).includes(u.id);
/**
 * Has cleared or approved it and is still placed where that makes them its working party: bound to
 * no post, or to its origin (I-acted-placed). Moved to another post, they are that post's people.
 */
export const actedOnPlaced = (u: User, c: CableRecord): boolean => actedOn(u, c) && (postOf(u) === null || postOf(u) === c.origin);
export const isWorkingParty = (u: User, c: CableRecord, o: OracleOptions): boolean =>
  isDrafter(u, c) || inDraftingOffice(u, c) || inClearingOffice(u, c, o) || isEligibleApprover(u, c) || actedOnPlaced(u, c) || has(u, 'leadership');
/**
 * The desk that tasked it, for a reply citing tasking `t`: its drafter or a member of its drafting
 * office, while bound to no post (I-tasking-desk-placed: the desk is in the Department; one made a
 * post's officer since is that post's people). One moved to another Department office is still its
 * drafter.
 */
export const inTaskingDesk = (u: User, t: CableRecord): boolean =>
  postOf(u) === null && (draftedBy(u, t) || (t.draftingOffice !== null && officeOf(u) === t.draftingOffice));
export const isDistributionOfficer = (u: User, c: CableRecord): boolean =>
  released(c) && c.distribution.some((p) => readsForPost(u, p));

export const ownsFollowUp = (u: User, f: FollowUpRecord): boolean =>
  'office' in f.owner
    ? officeOf(u) === f.owner.office && (['drafter', 'clearer', 'approver', 'leadership'] as const).some((role) => has(u, role))
    : officerOf(u, f.owner.post);
export const createdFollowUp = (u: User, f: FollowUpRecord): boolean => u.id === f.creatorId;
/** Linked to no cable and no campaign. */
export const unlinked = (f: FollowUpRecord): boolean => f.cable === undefined && f.campaign === undefined;
/**
 * The owner's people, for reading (README.md "its owner's people (the owning office's members, the
 * owning post's officers)"; the lead's note): anyone whose office is the owning office's symbol,
 * whatever their role; or the people bound to the owning post, its post officers and its approvers
 * (I-officers). The current owner: given a new one, the old one's people are no longer it.
 */
export const ownersPeople = (u: User, f: FollowUpRecord): boolean =>
  'office' in f.owner ? officeOf(u) === f.owner.office : readsForPost(u, f.owner.post);

/**
 * A cable as it is read while unreleased: the same parties (judged now), not released, so no
 * distribution and no tasking desk. Every unreleased status reads alike (the reading rows ask only
 * released or not), so APPROVED stands for them all.
 */
export const asUnreleased = (c: CableRecord): CableRecord => (released(c) ? { ...c, status: 'APPROVED', distribution: [] } : c);
/** The linked cable a follow-up's text was written under while it was unreleased (I-follow-up-draft-text), if any. */
export const draftTextCable = (f: FollowUpRecord): CableRecord | undefined =>
  f.writtenUnderDraft ? (f.cable ?? f.campaign?.cable) : undefined;

/** The follow-up's markings: its own, raised to those of the cable and campaign it links to. */
export function followUpMarkings(f: FollowUpRecord): Markings {
  const sources: Markings[] = [];
  if (f.classification || f.captions) sources.push({ classification: f.classification ?? 'UNCLASSIFIED', captions: f.captions ?? [] });
  if (f.cable) sources.push(f.cable);
  if (f.campaign) sources.push(f.campaign.cable);
  let classification: Classification = 'UNCLASSIFIED';
  const captions = new Set<string>();
  for (const s of sources) {
    if (MARK[s.classification] > MARK[classification]) classification = s.classification;
    s.captions.forEach((c) => captions.add(c));
  }
  return { classification, captions: [...captions] };
}

// ---------------------------------------------------------------------------------------------
// READING: the table
// ---------------------------------------------------------------------------------------------

/**
 * How the evaluator combines rows for one record: a failing 'bound' row denies; then a firing
 * 'deny' row denies; then, if a 'narrow' row fires, only the grants it lists count; then any firing
 * 'grant' row allows; no grant denies. 'flag' rows change nothing but make the decision uncertain.
 */
export interface ReadRule {
  id: string;
  on: 'cable' | 'campaign' | 'delivery' | 'followUp';
  effect: 'bound' | 'deny' | 'narrow' | 'grant' | 'flag';
  /** In plain words. */
  rule: string;
  /** The sentence(s) it comes from. */
  source: string;
  basis: Basis;
  /** For 'bound': must hold. For the others: fires when true. `m` is the markings being read. */
  test: (u: User, r: never, m: Markings, o: OracleOptions) => boolean;
  /** For 'narrow': the grants that still count. */
  keep?: readonly string[];
  /**
   * For a 'narrow' whose text names every reader ("is read by X, Y and Z"): a user none of its
   * kept grants reaches is refused by the text itself, so the refusal is certain even for a
   * follow-up (whose refusals are otherwise uncertain).
   */
  complete?: boolean;
}

type CableTest = (u: User, c: CableRecord, m: Markings, o: OracleOptions) => boolean;
type FollowUpTest = (u: User, f: FollowUpRecord, m: Markings, o: OracleOptions) => boolean;
const onCable = (t: CableTest) => t as ReadRule['test'];
const onFollowUp = (t: FollowUpTest) => t as ReadRule['test'];

export const READ_RULES: readonly ReadRule[] = [
  // ---- cables --------------------------------------------------------------------------------
  {
    id: 'R-clearance',
    on: 'cable',
    effect: 'bound',
    rule: 'The reader is cleared to the markings read (UNCLASSIFIED < CONFIDENTIAL < SECRET < TOP_SECRET; SBU needs only UNCLASSIFIED).',
    source:
      'domain.md People and access: "nobody sees a cable above their level"; Who reads what: "Every rule is also bounded by clearance level."; Cable: "SBU (sensitive but unclassified)".',
    basis: 'text',
    test: onCable((u, _c, m) => covers(u, m.classification)),
  },
  {
    id: 'R-draft-other-post',
    on: 'cable',
    effect: 'deny',
    rule: 'Before release, a user bound to a post other than the cable\'s origin never reads it (whatever else they are), its drafter moved there included.',
    source: 'domain.md Who reads what: "Nobody else, and never another post\'s officers, reads a draft."',
    basis: 'text',
    test: onCable((u, c) => beforeRelease(c) && postOf(u) !== null && postOf(u) !== c.origin),
  },
  {
    id: 'R-drafter',
    on: 'cable',
    effect: 'grant',
    rule: 'Its drafter reads it.',
    source: 'domain.md Who reads what: "working party: the drafter and the drafting office, ..."; "A released cable is read by its working party ...".',
    basis: 'text',
    test: onCable((u, c) => isDrafter(u, c)),
  },
  {
    id: 'R-drafting-office',
    on: 'cable',
    effect: 'grant',
    rule: 'Members of the drafting office (the drafter\'s office symbol, matched exactly; any role) read it.',
    source: 'domain.md Who reads what: "working party: the drafter and the drafting office".',
    basis: 'text',
    test: onCable((u, c) => c.draftingOffice !== null && officeOf(u) === c.draftingOffice),
  },
  {
    id: 'R-origin-post',
    on: 'cable',
    effect: 'grant',
    rule: 'For a post cable, the originating post\'s officers read it (they are its drafting office).',
    source: 'domain.md Who reads what: "never another post\'s officers, reads a draft" (so the own post\'s officers may).',
    basis: 'interpretation',
    test: onCable((u, c) => c.origin !== 'STATE' && officerOf(u, c.origin)),
  },
  {
    id: 'R-clearing-offices',
    on: 'cable',
    effect: 'grant',
    rule: 'Members of an office asked to clear it (request not withdrawn, whatever its answer) read it; exact office symbol.',
    source: 'domain.md Who reads what: "the offices asked to clear it".',
    basis: 'text',
    test: onCable((u, c, _m, o) => inClearingOffice(u, c, o)),
  },
  {
    id: 'R-approvers',
    on: 'cable',
    effect: 'grant',
    rule: 'The approvers who may approve it read it: for a Department cable approvers without a post, for a post cable that post\'s approvers.',
    source:
      'domain.md Who reads what: "the approvers who may approve it (for a post cable, that post\'s approvers)"; Cable: "Approval by an officer holding release authority for the originator".',
    basis: 'text',
    test: onCable((u, c) => isEligibleApprover(u, c)),
  },
  {
    id: 'R-acted',
    on: 'cable',
    effect: 'grant',
    rule:
      'Whoever has cleared it (for any office) or approved it reads it as its working party, while bound to no post or to its origin. Moved to another post since, they are that post\'s people to it: they read it only on other grounds (as an officer of a post it went to).',
    source:
      'Product decision (lead): "Those who acted on a cable count as its working party only while not bound to another post" ("whoever has cleared or approved it" reads it as working party while their post is none or the cable\'s origin). domain.md Who reads what: "never another post\'s officers".',
    basis: 'interpretation',
    test: onCable((u, c) => actedOnPlaced(u, c)),
  },
  {
    id: 'R-leadership',
    on: 'cable',
    effect: 'grant',
    rule: 'Leadership reads every cable (within clearance), before and after release, EXDIS/NODIS included.',
    source:
      'domain.md Who reads what: "... and leadership"; "EXDIS and NODIS narrow that to ... the working party, leadership (the principals ...)".',
    basis: 'text',
    test: onCable((u) => has(u, 'leadership')),
  },
  {
    id: 'R-distribution',
    on: 'cable',
    effect: 'grant',
    rule: 'Once released, the officers (post_officer role) of each post it went to (distribution: action + info, collectives expanded) read it.',
    source: 'domain.md Who reads what: "A released cable is read by its working party and the officers of the posts it went to".',
    basis: 'text',
    test: onCable((u, c) => isDistributionOfficer(u, c)),
  },
  {
    id: 'R-tasking-desk',
    on: 'cable',
    effect: 'grant',
    rule:
      'Once released, a post\'s cable to the Department (SECSTATE) that cites by REF a tasking of that post (a released Department instruction that went to the post) is read by that tasking\'s drafter and drafting office, while they are bound to no post (the desk is in the Department: one made a post\'s officer since is that post\'s people). Citing anything else widens nothing.',
    source:
      'domain.md Posts report over time: "The reporting cable cites the tasking by REF, and the desk reads all replies to its tasking together." Only a reply to the tasking: a REF is no distribution decision, and another post\'s officers never gain from it. Product decision (lead): "The tasking desk is in the Department" (I-tasking-desk-placed).',
    basis: 'interpretation',
    test: onCable((u, c, m) => released(c) && c.origin !== 'STATE' && c.distribution.includes('SECSTATE') && (c.refs ?? []).some((t) => isTaskingOf(t, c.origin) && (!isRestrictive(m.captions) || isRestrictive(t.captions)) && inTaskingDesk(u, t))),
  },
  {
    id: 'R-exdis-nodis',
    on: 'cable',
    effect: 'narrow',
    rule:
      'A released EXDIS or NODIS cable: only the working party, leadership and the addressed posts\' officers. A reply to the Department is addressed to the desk that tasked it: that desk reads a NODIS or EXDIS reply only to a tasking it sent NODIS or EXDIS itself (R-tasking-desk checks that).',
    source:
      'domain.md Who reads what: "EXDIS and NODIS narrow that to officers with a need to know: the working party, leadership ... and the addressed posts\' officers."',
    basis: 'text',
    keep: ['R-drafter', 'R-drafting-office', 'R-origin-post', 'R-clearing-offices', 'R-approvers', 'R-acted', 'R-leadership', 'R-distribution', 'R-tasking-desk'],
    test: onCable((_u, c, m) => released(c) && isRestrictive(m.captions)),
  },
  // Not a row: auditor and admin get no grant of their own (I-auditor-admin); nor any other role.

  // ---- campaigns and deliveries ------------------------------------------------------------------
  {
    id: 'R-campaign',
    on: 'campaign',
    effect: 'grant',
    rule: 'A campaign is read by exactly those who may read its (current) cable.',
    source:
      'api.md Reading rights: "Every read of a cable, campaign, delivery ... answers only what the caller may read"; domain.md: release "opens the campaign" (the campaign is the cable\'s content).',
    basis: 'derived',
    test: () => true, // evaluated by delegation, see mayRead
  },
  {
    id: 'R-delivery',
    on: 'delivery',
    effect: 'grant',
    rule: 'A delivery is read by exactly those who may read its campaign, officers of other distribution posts included.',
    source: 'as R-campaign; the text does not narrow a delivery to its own post.',
    basis: 'derived',
    test: () => true,
  },
  {
    id: 'R-delivery-other-post',
    on: 'delivery',
    effect: 'flag',
    rule: 'A post officer reading another post\'s delivery: allowed by R-delivery, but the text is silent (I-delivery-other-post).',
    source: '(silent)',
    basis: 'interpretation',
    test: ((u: User, d: DeliveryRecord) => has(u, 'post_officer') && postOf(u) !== d.post) as ReadRule['test'],
  },

  // ---- follow-ups ---------------------------------------------------------------------------------
  {
    id: 'R-fu-clearance',
    on: 'followUp',
    effect: 'bound',
    rule: 'The reader is cleared to the follow-up\'s markings: its own raised to those of the cable/campaign it links to.',
    source:
      'domain.md Follow-ups: "carry the classification of what they are about"; api.md Follow-ups: "A follow-up linked to a cable or campaign carries that record\'s classification and captions, and is read under them."',
    basis: 'text',
    test: onFollowUp((u, _f, m) => covers(u, m.classification)),
  },
  {
    id: 'R-fu-linked',
    on: 'followUp',
    effect: 'bound',
    rule: "('linkedRecord' mode) A follow-up linked to a cable or campaign is read only by who may read each linked record.",
    source: 'api.md Follow-ups: "... and is read under them."',
    basis: 'interpretation',
    test: onFollowUp((u, f, _m, o) => o.followUpReading !== 'linkedRecord' || linkedReadable(u, f, o)),
  },
  {
    id: 'R-fu-draft-text',
    on: 'followUp',
    effect: 'bound',
    rule:
      'A follow-up any of whose text was written while its linked cable was unreleased is read, for good, only by who may read that cable as an unreleased cable (its working party, judged now): never a post it was later released to, nor a tasking desk reading a reply as such. Both followUpReading modes.',
    source:
      'Product decision (lead): "Follow-up text written under a draft" is the working party\'s deliberation; domain.md Who reads what: "Nobody else, and never another post\'s officers, reads a draft." (the cable\'s own history withholds its drafts from the posts it went to; the follow-up agrees).',
    basis: 'interpretation',
    test: onFollowUp((u, f, _m, o) => {
      const c = draftTextCable(f);
      return c === undefined || mayRead(u, asUnreleased(c), o).allowed;
    }),
  },
  {
    id: 'R-fu-need-to-know',
    on: 'followUp',
    effect: 'narrow',
    rule:
      'A follow-up marked EXDIS/NODIS (own or carried): only those who may read the linked record(s), leadership, its owner and its creator.',
    source: 'domain.md Who reads what: EXDIS and NODIS narrow to "officers with a need to know".',
    basis: 'interpretation',
    keep: ['R-fu-linked-reader', 'R-fu-leadership', 'R-fu-owner', 'R-fu-owner-people', 'R-fu-creator'],
    test: onFollowUp((_u, _f, m) => isRestrictive(m.captions)),
  },
  {
    id: 'R-fu-unlinked-classified',
    on: 'followUp',
    effect: 'narrow',
    rule:
      'A follow-up linked to no cable or campaign and marked CONFIDENTIAL or above (its own classification: nothing raises it): only its owner\'s people (as it is owned now), its creator and leadership, each within their clearance. Given a new owner, the old one\'s people stop reading it. UNCLASSIFIED or SBU: not narrowed (R-fu-any-user).',
    source:
      'README.md (lead\'s decision): "A follow-up linked to no cable or campaign and marked CONFIDENTIAL or above is read by its owner\'s people (the owning office\'s members, the owning post\'s officers), its creator and leadership, each within their clearance: no distribution says who else needs to know it. Given a new owner, the old one\'s people stop reading it. An unclassified (or SBU) one, any user."',
    basis: 'text',
    keep: ['R-fu-owner-people', 'R-fu-owner', 'R-fu-creator', 'R-fu-leadership'],
    complete: true,
    test: onFollowUp((_u, f, m) => unlinked(f) && LEVEL[m.classification] >= LEVEL.CONFIDENTIAL),
  },
  {
    id: 'R-fu-linked-reader',
    on: 'followUp',
    effect: 'grant',
    rule: 'Whoever may read every cable/campaign it links to reads it.',
    source: 'api.md Follow-ups: "... is read under them."',
    basis: 'derived',
    test: onFollowUp((u, f, _m, o) => (f.cable !== undefined || f.campaign !== undefined) && linkedReadable(u, f, o)),
  },
  {
    id: 'R-fu-leadership',
    on: 'followUp',
    effect: 'grant',
    rule: 'Leadership reads follow-ups (they review "which follow-up actions are open or overdue").',
    source: 'domain.md Who uses the system: "Leadership reviews ... which follow-up actions are open or overdue".',
    basis: 'derived',
    test: onFollowUp((u) => has(u, 'leadership')),
  },
  {
    id: 'R-fu-owner',
    on: 'followUp',
    effect: 'grant',
    rule: 'Its owner (members of the owning office; officers of the owning post) reads it.',
    source: 'api.md Follow-up actions: PATCH and status changes by "owner, creator" (acting requires reading).',
    basis: 'derived',
    test: onFollowUp((u, f) => ownsFollowUp(u, f)),
  },
  {
    id: 'R-fu-owner-people',
    on: 'followUp',
    effect: 'grant',
    rule:
      'A follow-up linked to nothing is read by its owner\'s people, as it is owned now: every member of the owning office (office symbol matched exactly, any role), or the people bound to the owning post (its post officers and its approvers).',
    source:
      'README.md (lead\'s decision): "is read by its owner\'s people (the owning office\'s members, the owning post\'s officers) ... Given a new owner, the old one\'s people stop reading it." Lead\'s note: "the owning office\'s members" is anyone whose office is its symbol (any role); "the owning post\'s officers", for reading, the people bound to that post (post officers and its approvers, I-officers).',
    basis: 'text',
    test: onFollowUp((u, f) => unlinked(f) && ownersPeople(u, f)),
  },
  {
    id: 'R-fu-creator',
    on: 'followUp',
    effect: 'grant',
    rule: 'Its creator reads it.',
    source: 'api.md Follow-up actions: "owner, creator".',
    basis: 'derived',
    test: onFollowUp((u, f) => createdFollowUp(u, f)),
  },
  {
    id: 'R-fu-any-user',
    on: 'followUp',
    effect: 'grant',
    rule:
      'A follow-up linked to no cable or campaign: any user (within its own markings), while it is UNCLASSIFIED or SBU; CONFIDENTIAL or above, R-fu-unlinked-classified narrows it. In \'markings\' mode, also a linked one.',
    source: 'README.md: "An unclassified (or SBU) one, any user."; api.md Follow-up actions: "GET /follow-ups/:id | any user".',
    basis: 'text',
    test: onFollowUp((_u, f, _m, o) => o.followUpReading === 'markings' || unlinked(f)),
  },
];

function linkedReadable(u: User, f: FollowUpRecord, o: OracleOptions): boolean {
  return (!f.cable || mayRead(u, f.cable, o).allowed) && (!f.campaign || mayRead(u, f.campaign, o).allowed);
}

// ---------------------------------------------------------------------------------------------
// ACTING: the table
// ---------------------------------------------------------------------------------------------

/**
 * An action is allowed when the caller may read the record (G-read), no guard denies it, and at
 * least one row for that record kind and action has both `who` and `state` true.
 */
export interface ActionRule {
  id: string;
  on: 'cable' | 'campaign' | 'delivery' | 'followUp';
  action: Action;
  who: string;
  when: string;
  source: string;
  basis: Basis;
  /** Where refusing in the other states is itself a reading of a silent text (default: basis). */
  stateBasis?: Basis;
  mayAsk: (u: User, r: never, arg: ActionArg) => boolean;
  stateOk: (r: never, arg: ActionArg, u: User) => boolean;
}

const C = (f: (u: User, c: CableRecord, arg: ActionArg) => boolean) => f as ActionRule['mayAsk'];
const CS = (f: (c: CableRecord, arg: ActionArg, u: User) => boolean) => f as ActionRule['stateOk'];
const D = (f: (u: User, d: DeliveryRecord) => boolean) => f as ActionRule['mayAsk'];
const DS = (f: (d: DeliveryRecord) => boolean) => f as ActionRule['stateOk'];
const F = (f: (u: User, x: FollowUpRecord) => boolean) => f as ActionRule['mayAsk'];
const FS = (f: (x: FollowUpRecord) => boolean) => f as ActionRule['stateOk'];

const statusIn =
  (...s: CableStatus[]) =>
  (c: CableRecord) =>
    s.includes(c.status);
const requestIn = (c: CableRecord, office: string | null | undefined, states: ClearanceState[]): boolean =>
  office != null && c.clearances.some((x) => x.office === office && states.includes(x.state));
const anyRequestIn = (c: CableRecord, states: ClearanceState[]): boolean => c.clearances.some((x) => states.includes(x.state));
const allCleared = (c: CableRecord): boolean => !anyRequestIn(c, ['PENDING', 'STALE', 'NON_CONCUR']);
const clearsFor = (u: User, office: string | undefined): string | null =>
  has(u, 'clearer') && officeOf(u) !== null && (office === undefined || office === officeOf(u)) ? officeOf(u) : null;
const fuOpen = (f: FollowUpRecord): boolean => f.status === 'OPEN' || f.status === 'IN_PROGRESS';
// The creator while they still hold a role that opens follow-ups (README, follow-ups: one made an
// auditor, or a clearer elsewhere, only reads it; as a drafter whose drafting role is taken away).
const opensFollowUps = (u: User): boolean => has(u, 'drafter') || has(u, 'post_officer') || has(u, 'leadership');
const ownerOrCreator = (u: User, f: FollowUpRecord): boolean => ownsFollowUp(u, f) || (createdFollowUp(u, f) && opensFollowUps(u));

export const ACTION_RULES: readonly ActionRule[] = [
  // ---- cables --------------------------------------------------------------------------------
  {
    id: 'A-edit-drafter',
    on: 'cable',
    action: 'edit',
    who: 'its drafter',
    when: 'DRAFT',
    source: 'api.md Cables: "PATCH /cables/:id | its drafter | edit a draft"; Additions: "the drafter".',
    basis: 'text',
    mayAsk: C((u, c) => isDrafter(u, c)),
    stateOk: CS(statusIn('DRAFT')),
  },
  {
    id: 'A-edit-drafter-in-clearance',
    on: 'cable',
    action: 'edit',
    who: 'its drafter',
    when: 'IN_CLEARANCE',
    source: 'domain.md Clearance: "an edit to the substance after it makes that clearance stale" (so the drafter edits while in clearance).',
    basis: 'interpretation',
    mayAsk: C((u, c) => isDrafter(u, c)),
    stateOk: CS(statusIn('IN_CLEARANCE')),
  },
  {
    id: 'A-edit-clearer',
    on: 'cable',
    action: 'edit',
    who: 'a clearer (role) of an office whose clearance is asked for (any answer)',
    when: 'IN_CLEARANCE',
    source:
      'api.md Additions PATCH: "a clearer of an office whose clearance is asked for"; domain.md: "Clearers \'clear with edits\': they change the text themselves".',
    basis: 'text',
    mayAsk: C((u, c) => clearsFor(u, undefined) !== null && c.clearances.some((x) => x.office === officeOf(u))),
    stateOk: CS(statusIn('IN_CLEARANCE')),
    stateBasis: 'interpretation',
  },
  {
    id: 'A-edit-clearer-draft',
    on: 'cable',
    action: 'edit',
    who: 'a clearer (role) of an office whose clearance is asked for (any answer)',
    when: 'DRAFT (returned with its clearances)',
    source:
      'api.md Additions PATCH: "a clearer of an office whose clearance is asked for"; domain.md: "Clearers \'clear with edits\': they change the text themselves".',
    basis: 'interpretation',
    mayAsk: C((u, c) => clearsFor(u, undefined) !== null && c.clearances.some((x) => x.office === officeOf(u))),
    stateOk: CS(statusIn('DRAFT')),
  },
  {
    id: 'A-edit-approver',
    on: 'cable',
    action: 'edit',
    who: 'an approver who may approve it, not its drafter',
    when: 'PENDING_APPROVAL',
    source: 'api.md Additions PATCH: "the approver of a submitted cable"; domain.md: "An approver may also edit before approving."',
    basis: 'text',
    mayAsk: C((u, c) => isEligibleApprover(u, c) && !draftedBy(u, c)),
    stateOk: CS(statusIn('PENDING_APPROVAL')),
    stateBasis: 'interpretation',
  },
  {
    id: 'A-request-clearance',
    on: 'cable',
    action: 'requestClearance',
    who: 'its drafter',
    when: 'DRAFT or IN_CLEARANCE',
    source:
      'api.md: "POST /cables/:id/clearance-requests | its drafter"; Additions: asking again for a STALE or NON_CONCUR office; domain.md lifecycle DRAFT --request clearances--> IN_CLEARANCE.',
    basis: 'text',
    mayAsk: C((u, c) => isDrafter(u, c)),
    stateOk: CS(statusIn('DRAFT', 'IN_CLEARANCE')),
  },
  {
    id: 'A-withdraw-clearance',
    on: 'cable',
    action: 'withdrawClearance',
    who: 'its drafter',
    when: 'DRAFT or IN_CLEARANCE, and that office\'s request is PENDING (not yet decided) or NON_CONCUR',
    source:
      'api.md Additions: "DELETE /cables/:id/clearance-requests/:office | its drafter | withdraw a request not yet decided"; domain.md: "or the drafter withdraws the request [after a non-concurrence]".',
    basis: 'interpretation',
    mayAsk: C((u, c) => isDrafter(u, c)),
    stateOk: CS(
      (c, arg) =>
        statusIn('DRAFT', 'IN_CLEARANCE')(c) &&
        (arg.office !== undefined ? requestIn(c, arg.office, ['PENDING', 'NON_CONCUR']) : anyRequestIn(c, ['PENDING', 'NON_CONCUR'])),
    ),
  },
  {
    id: 'A-clear',
    on: 'cable',
    action: 'clear',
    who: 'a clearer (role) whose office is exactly the office cleared for (not its drafter: G-own-cable)',
    when: 'DRAFT or IN_CLEARANCE, and that office\'s request is PENDING or STALE',
    source:
      'api.md: "POST /cables/:id/clearances {office,...} | clearer of that office"; Additions: "also accepted for an office whose clearance is STALE (re-clearing), in any status before PENDING_APPROVAL".',
    basis: 'text',
    mayAsk: C((u, _c, arg) => clearsFor(u, arg.office) !== null),
    stateOk: CS((c, arg, u) => statusIn('DRAFT', 'IN_CLEARANCE')(c) && requestIn(c, clearsFor(u, arg.office), ['PENDING', 'STALE'])),
  },
  {
    id: 'A-clear-after-non-concur',
    on: 'cable',
    action: 'clear',
    who: 'a clearer (role) of the office that did not concur (not its drafter)',
    when: 'DRAFT or IN_CLEARANCE, and that office\'s request is NON_CONCUR',
    source: 'domain.md: "A non-concurrence blocks the cable until that office clears".',
    basis: 'interpretation',
    mayAsk: C((u, _c, arg) => clearsFor(u, arg.office) !== null),
    stateOk: CS((c, arg, u) => statusIn('DRAFT', 'IN_CLEARANCE')(c) && requestIn(c, clearsFor(u, arg.office), ['NON_CONCUR'])),
  },
  {
    id: 'A-submit',
    on: 'cable',
    action: 'submit',
    who: 'its drafter',
    when: 'IN_CLEARANCE, every request CLEARED or CLEARED_WITH_COMMENTS',
    source:
      'api.md: "POST /cables/:id/submit | its drafter"; domain.md: "IN_CLEARANCE --all cleared--> (submit) PENDING_APPROVAL"; "cannot go to approval with a pending, stale or non-concur clearance".',
    basis: 'text',
    mayAsk: C((u, c) => isDrafter(u, c)),
    stateOk: CS((c) => c.status === 'IN_CLEARANCE' && allCleared(c)),
  },
  {
    id: 'A-submit-from-draft',
    on: 'cable',
    action: 'submit',
    who: 'its drafter',
    when: 'DRAFT (never asked for clearance, or returned with its clearances), no PENDING/STALE/NON_CONCUR request',
    source: 'domain.md lifecycle (silent on a draft without clearances, and on resubmitting a returned draft).',
    basis: 'interpretation',
    mayAsk: C((u, c) => isDrafter(u, c)),
    stateOk: CS((c) => c.status === 'DRAFT' && allCleared(c)),
  },
  {
    id: 'A-approve',
    on: 'cable',
    action: 'approve',
    who: 'an approver who may approve it, not its drafter (G-approver-not-drafter)',
    when: 'PENDING_APPROVAL',
    source: 'api.md: "POST /cables/:id/approve | approver, not the drafter"; domain.md: "never by the drafter of the same cable".',
    basis: 'text',
    mayAsk: C((u, c) => isEligibleApprover(u, c)),
    stateOk: CS(statusIn('PENDING_APPROVAL')),
  },
  {
    id: 'A-return',
    on: 'cable',
    action: 'return',
    who: 'an approver who may approve it',
    when: 'PENDING_APPROVAL',
    source: 'api.md: "POST /cables/:id/return {reason} | approver | back to DRAFT"; domain.md: "PENDING_APPROVAL --return--> DRAFT".',
    basis: 'text',
    mayAsk: C((u, c) => isEligibleApprover(u, c)),
    stateOk: CS(statusIn('PENDING_APPROVAL')),
  },
  {
    id: 'A-release',
    on: 'cable',
    action: 'release',
    who: 'an approver who may approve it',
    when: 'APPROVED',
    source: 'api.md: "POST /cables/:id/release | approver | to RELEASED"; domain.md: "APPROVED --release--> RELEASED".',
    basis: 'text',
    mayAsk: C((u, c) => isEligibleApprover(u, c)),
    stateOk: CS(statusIn('APPROVED')),
  },
  {
    id: 'A-cancel',
    on: 'cable',
    action: 'cancel',
    who: 'its drafter, or an approver who may approve it',
    when: 'DRAFT, IN_CLEARANCE, PENDING_APPROVAL or APPROVED',
    source: 'api.md: "POST /cables/:id/cancel {reason} | drafter, approver"; domain.md: "any state before RELEASED --cancel--> CANCELLED".',
    basis: 'text',
    mayAsk: C((u, c) => isDrafter(u, c) || isEligibleApprover(u, c)),
    stateOk: CS(statusIn('DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED')),
  },

  // ---- campaigns --------------------------------------------------------------------------------
  {
    id: 'A-export',
    on: 'campaign',
    action: 'exportCsv',
    who: 'leadership or the drafter role (and, as always, a reader of the campaign)',
    when: 'always',
    source: 'api.md: "GET /demarches/:id/export.csv | leadership, drafter | one row a post".',
    basis: 'interpretation',
    mayAsk: ((u: User) => has(u, 'leadership') || has(u, 'drafter')) as ActionRule['mayAsk'],
    stateOk: () => true,
  },

  // ---- deliveries --------------------------------------------------------------------------------
  {
    id: 'A-record-delivery',
    on: 'delivery',
    action: 'recordDelivery',
    who: "that post's officers",
    when: 'PENDING or NOT_DELIVERED',
    source:
      'api.md: "POST /demarches/:id/deliveries/:post/delivery | that post\'s officers"; Additions: "also accepted after NOT_DELIVERED".',
    basis: 'text',
    mayAsk: D((u, d) => officerOf(u, d.post)),
    stateOk: DS((d) => d.status === 'PENDING' || d.status === 'NOT_DELIVERED'),
    stateBasis: 'interpretation',
  },
  {
    id: 'A-record-response',
    on: 'delivery',
    action: 'recordResponse',
    who: "that post's officers",
    when: 'DELIVERED or RESPONDED (again)',
    source: 'api.md: ".../response | that post\'s officers"; Additions: "may be sent again"; domain.md: a post delivers it, then logs the response.',
    basis: 'interpretation',
    mayAsk: D((u, d) => officerOf(u, d.post)),
    stateOk: DS((d) => d.status === 'DELIVERED' || d.status === 'RESPONDED'),
  },
  {
    id: 'A-record-not-delivered',
    on: 'delivery',
    action: 'recordNotDelivered',
    who: "that post's officers",
    when: 'PENDING',
    source: 'api.md: ".../not-delivered | that post\'s officers"; domain.md: "or records not delivered".',
    basis: 'interpretation',
    mayAsk: D((u, d) => officerOf(u, d.post)),
    stateOk: DS((d) => d.status === 'PENDING'),
  },
  {
    id: 'A-add-contact',
    on: 'delivery',
    action: 'addContact',
    who: "that post's officers",
    when: 'DELIVERED or RESPONDED',
    source: 'api.md Additions: ".../contacts | that post\'s officers | another meeting".',
    basis: 'interpretation',
    mayAsk: D((u, d) => officerOf(u, d.post)),
    stateOk: DS((d) => d.status === 'DELIVERED' || d.status === 'RESPONDED'),
  },
  {
    id: 'A-upload-document',
    on: 'delivery',
    action: 'uploadDocument',
    who: "that post's officers",
    when: 'any delivery status',
    source: 'api.md Additions: ".../documents | that post\'s officers".',
    basis: 'text',
    mayAsk: D((u, d) => officerOf(u, d.post)),
    stateOk: () => true,
  },

  // ---- follow-ups --------------------------------------------------------------------------------
  {
    id: 'A-fu-edit',
    on: 'followUp',
    action: 'edit',
    who: 'its owner or its creator',
    when: 'OPEN or IN_PROGRESS',
    source: 'api.md: "PATCH /follow-ups/:id | owner, creator | {dueOn?, owner?, title?, description?}".',
    basis: 'text',
    mayAsk: F(ownerOrCreator),
    stateOk: FS(fuOpen),
    stateBasis: 'interpretation',
  },
  {
    id: 'A-fu-reassign',
    on: 'followUp',
    action: 'reassign',
    who: 'its owner or its creator',
    when: 'OPEN or IN_PROGRESS',
    source: 'api.md: PATCH "owner, creator" (owner? and dueOn? are among its fields).',
    basis: 'text',
    mayAsk: F(ownerOrCreator),
    stateOk: FS(fuOpen),
    stateBasis: 'interpretation',
  },
  {
    id: 'A-fu-reassign-escalated',
    on: 'followUp',
    action: 'reassign',
    who: "leadership whose office is the escalation bureau's symbol (its front office)",
    when: 'overdue (OPEN or IN_PROGRESS past its due date)',
    source:
      'api.md Follow-ups: "Escalation makes it appear in the escalation bureau\'s inbox, whose leadership may change its owner or due date"; domain.md: "land in the escalation bureau\'s front office, which can reassign them".',
    basis: 'text',
    mayAsk: F((u, f) => has(u, 'leadership') && f.escalationBureau !== undefined && officeOf(u) === f.escalationBureau),
    stateOk: FS((f) => fuOpen(f) && f.overdue === true),
  },
  {
    id: 'A-fu-start',
    on: 'followUp',
    action: 'start',
    who: 'its owner or its creator',
    when: 'OPEN',
    source: 'api.md: "POST /follow-ups/:id/start ... | owner, creator"; domain.md: status OPEN, IN_PROGRESS, DONE, CANCELLED.',
    basis: 'text',
    mayAsk: F(ownerOrCreator),
    stateOk: FS((f) => f.status === 'OPEN'),
  },
  {
    id: 'A-fu-complete',
    on: 'followUp',
    action: 'complete',
    who: 'its owner or its creator',
    when: 'OPEN or IN_PROGRESS',
    source: 'api.md: "/complete {outcome} | owner, creator".',
    basis: 'text',
    mayAsk: F(ownerOrCreator),
    stateOk: FS(fuOpen),
    stateBasis: 'interpretation',
  },
  {
    id: 'A-fu-cancel',
    on: 'followUp',
    action: 'cancel',
    who: 'its owner or its creator',
    when: 'OPEN or IN_PROGRESS',
    source: 'api.md: "/cancel {reason} | owner, creator".',
    basis: 'text',
    mayAsk: F(ownerOrCreator),
    stateOk: FS(fuOpen),
    stateBasis: 'interpretation',
  },
  {
    id: 'A-fu-comment',
    on: 'followUp',
    action: 'comment',
    who: 'its owner or its creator',
    when: 'any status',
    source: 'api.md: "/comments {text} | owner, creator".',
    basis: 'interpretation',
    mayAsk: F(ownerOrCreator),
    stateOk: () => true,
  },
];

/** Cross-cutting rules, applied to every action before the rows above. */
export interface Guard {
  id: string;
  effect: 'deny' | 'flag';
  rule: string;
  source: string;
  basis: Basis;
  fires: (u: User, r: AnyRecord, action: Action, arg: ActionArg, o: OracleOptions) => boolean;
}

export const GUARDS: readonly Guard[] = [
  {
    id: 'G-read',
    effect: 'deny',
    rule: 'Who may not read the record may not act on it.',
    source:
      'api.md Reading rights: "a caller who may not read a record may not act on it (403, nothing written)"; domain.md: "You cannot approve, clear or release what you may not read."',
    basis: 'text',
    fires: (u, r, _a, _arg, o) => !mayRead(u, r, o).allowed,
  },
  {
    id: 'G-own-cable',
    effect: 'deny',
    rule: 'Nobody clears their own cable: the drafter never clears it, for any office.',
    source: 'domain.md: "Nobody clears their own cable."; api.md Additions: "A drafter who is also a clearer may not clear their own cable (403)."',
    basis: 'text',
    fires: (u, r, a) => r.kind === 'cable' && a === 'clear' && draftedBy(u, r),
  },
  {
    id: 'G-approver-not-drafter',
    effect: 'deny',
    rule: 'The drafter never approves their own cable.',
    source: 'domain.md: "Approval ... never by the drafter of the same cable"; api.md: "approver, not the drafter".',
    basis: 'text',
    fires: (u, r, a) => r.kind === 'cable' && a === 'approve' && draftedBy(u, r),
  },
  {
    id: 'G-drafter-approver',
    effect: 'flag',
    rule:
      'A drafter who is also an eligible approver returning, releasing or (in PENDING_APPROVAL) editing their own cable: return and release allowed, edit not (the text excludes the drafter from approving only).',
    source: '(silent)',
    basis: 'interpretation',
    fires: (u, r, a) =>
      r.kind === 'cable' &&
      isDrafter(u, r) &&
      isEligibleApprover(u, r) &&
      (a === 'return' || a === 'release' || (a === 'edit' && r.status === 'PENDING_APPROVAL')),
  },
  {
    id: 'G-clear-decided',
    effect: 'flag',
    rule: 'Answering again for an office that already CLEARED (not STALE): refused by the oracle, but the text is silent.',
    source: '(silent)',
    basis: 'interpretation',
    fires: (u, r, a, arg) =>
      r.kind === 'cable' &&
      a === 'clear' &&
      clearsFor(u, arg.office) !== null &&
      requestIn(r, clearsFor(u, arg.office), ['CLEARED', 'CLEARED_WITH_COMMENTS']) &&
      !requestIn(r, clearsFor(u, arg.office), ['PENDING', 'STALE', 'NON_CONCUR']),
  },
];

/** Routes that are not about one record: who may call them, by role only. */
export const ROUTE_ROLES: readonly { route: string; roles: readonly Role[] | 'any user'; source: string }[] = [
  { route: 'POST /cables', roles: ['drafter', 'post_officer'], source: 'api.md Cables' },
  { route: 'POST /follow-ups', roles: ['drafter', 'post_officer', 'leadership'], source: 'api.md Follow-up actions (and the caller must read what it links to: G-read)' },
  { route: 'GET /dashboard', roles: ['leadership'], source: 'api.md Leadership' },
  { route: 'GET /audit*', roles: ['auditor', 'admin'], source: 'api.md Leadership, audit; Additions Audit' },
  { route: 'POST/GET/PATCH /users*', roles: ['admin'], source: 'api.md Identity' },
  { route: 'POST /posts*, POST /offices', roles: ['admin'], source: 'api.md Posts, Offices' },
  { route: 'GET /cables, /demarches, /follow-ups, /inbox, /posts, /offices, /collectives', roles: 'any user', source: 'api.md (lists answer only what the caller may read)' },
];


// ---------------------------------------------------------------------------------------------
// The evaluator
// ---------------------------------------------------------------------------------------------

function basisOf(id: string): Basis {
  return (READ_RULES.find((r) => r.id === id) ?? ACTION_RULES.find((r) => r.id === id) ?? GUARDS.find((r) => r.id === id))?.basis ?? 'text';
}

function evaluate(kind: ReadRule['on'], u: User, r: AnyRecord, m: Markings, o: OracleOptions): Decision {
  const rows = READ_RULES.filter((x) => x.on === kind);
  const test = (x: ReadRule) => x.test(u, r as never, m, o);
  const flags = rows.filter((x) => x.effect === 'flag' && test(x)).map((x) => x.id);
  const out = (allowed: boolean, ids: string[], certain: boolean): Decision => ({
    allowed,
    rules: [...ids, ...flags],
    certain: certain && flags.length === 0,
  });
  const failedBound = rows.find((x) => x.effect === 'bound' && !test(x));
  if (failedBound) return out(false, [failedBound.id], basisOf(failedBound.id) !== 'interpretation');
  const deny = rows.find((x) => x.effect === 'deny' && test(x));
  if (deny) return out(false, [deny.id], deny.basis !== 'interpretation');
  const narrows = rows.filter((x) => x.effect === 'narrow' && test(x));
  const granting = rows.filter((x) => x.effect === 'grant' && test(x));
  let grants = granting;
  for (const n of narrows) grants = grants.filter((g) => n.keep!.includes(g.id));
  const narrowCertain = narrows.every((n) => n.basis !== 'interpretation');
  if (grants.length > 0) {
    return out(true, [...narrows.map((n) => n.id), ...grants.map((g) => g.id)], grants.some((g) => g.basis !== 'interpretation') && narrowCertain);
  }
  // Nobody else. Certain for cables (every interpretive cable grant is a grant the user would have
  // got); uncertain for follow-ups, whose whole reader set is an interpretation, unless a text
  // narrow that names every reader (R-fu-unlinked-classified) refuses them by itself.
  const namesEveryReader = narrows.filter((n) => n.complete && n.basis !== 'interpretation' && !granting.some((g) => n.keep!.includes(g.id)));
  if (namesEveryReader.length > 0) return out(false, [...namesEveryReader.map((n) => n.id), 'no-grant'], true);
  return out(false, [...narrows.map((n) => n.id), 'no-grant'], kind !== 'followUp' && narrowCertain);
}

/** May this user read this record as it is now? */
export function mayRead(u: User, r: AnyRecord, options: Partial<OracleOptions> = {}): Decision {
  const o = { ...DEFAULT_OPTIONS, ...options };
  switch (r.kind) {
    case 'cable':
      return evaluate('cable', u, r, r, o);
    case 'campaign': {
      const d = mayRead(u, r.cable, o);
      return { ...d, rules: ['R-campaign', ...d.rules] };
    }
    case 'delivery': {
      const d = mayRead(u, r.campaign, o);
      const own = evaluate('delivery', u, r, r.campaign.cable, o); // only its flag can fire
      const flags = own.rules.filter((id) => id === 'R-delivery-other-post');
      return { allowed: d.allowed, rules: ['R-delivery', ...d.rules, ...(d.allowed ? flags : [])], certain: d.certain && (!d.allowed || flags.length === 0) };
    }
    case 'followUp':
      return evaluate('followUp', u, r, followUpMarkings(r), o);
  }
}

/**
 * May this user read a past version of a cable (`?version=`, `?asOf=`, `/telegram?version=`, that
 * version's events in `/history`, text written under it)? Both that version, with its own markings
 * and status, and the cable now.
 * Source: api.md Reading rights: "A past version ... needs the right to read BOTH that version
 * (its own classification and captions) and the record as it is now." The status too (interpretation,
 * from domain.md Who reads what: "A cable before release ... belongs to its working party ... never
 * another post's officers, reads a draft"): a post a cable went to reads what was released, not the
 * drafts and deliberation before it.
 */
export function mayReadVersion(u: User, current: CableRecord, version: Standing, options: Partial<OracleOptions> = {}): Decision {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const now = mayRead(u, current, o);
  const then = evaluate('cable', u, version.status ? { ...current, status: version.status } : current, version, o);
  const allowed = now.allowed && then.allowed;
  const deciding = !now.allowed ? now : !then.allowed ? then : now;
  return {
    allowed,
    rules: ['R-version-both', ...new Set([...now.rules, ...then.rules])],
    certain: allowed ? now.certain && then.certain : deciding.certain,
  };
}

/** May this user send this command to this record now? */
export function mayAct(u: User, r: AnyRecord, action: Action, arg: ActionArg = {}, options: Partial<OracleOptions> = {}): Decision {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const read = mayRead(u, r, o);
  if (!read.allowed) return { allowed: false, rules: ['G-read', ...read.rules], certain: read.certain };
  const flags = GUARDS.filter((g) => g.effect === 'flag' && g.fires(u, r, action, arg, o)).map((g) => g.id);
  const deny = GUARDS.find((g) => g.id !== 'G-read' && g.effect === 'deny' && g.fires(u, r, action, arg, o));
  if (deny) return { allowed: false, rules: [deny.id, ...flags], certain: deny.basis !== 'interpretation' && flags.length === 0 };
  const rows = ACTION_RULES.filter((x) => x.on === r.kind && x.action === action);
  if (rows.length === 0) return { allowed: false, rules: ['no-such-action'], certain: true };
  const whoRows = rows.filter((x) => x.mayAsk(u, r as never, arg));
  const passing = whoRows.filter((x) => x.stateOk(r as never, arg, u));
  if (passing.length > 0) {
    const certain = passing.some((x) => x.basis !== 'interpretation') && read.certain && flags.length === 0;
    return { allowed: true, rules: [...passing.map((x) => x.id), ...flags], certain };
  }
  if (whoRows.length > 0) {
    // Entitled, but not in this state (the API would answer 409/422 rather than 403).
    const interpretive = rows.some((x) => (x.stateBasis ?? x.basis) === 'interpretation' && x.mayAsk(u, r as never, arg));
    return { allowed: false, rules: ['state', ...whoRows.map((x) => x.id), ...flags], certain: !interpretive && flags.length === 0 };
  }
  return { allowed: false, rules: ['not-entitled', ...flags], certain: flags.length === 0 && rows.some((x) => x.basis !== 'interpretation') };
}

/**
 * Whether the user is among those who may send the command at all, whatever the record's state:
 * the caller may read it, no guard denies it, and some row's `who` matches. A test expecting `403`
 * (rather than a state conflict) should check this is false.
 */
export function entitled(u: User, r: AnyRecord, action: Action, arg: ActionArg = {}, options: Partial<OracleOptions> = {}): boolean {
  const o = { ...DEFAULT_OPTIONS, ...options };
  if (!mayRead(u, r, o).allowed) return false;
  if (GUARDS.some((g) => g.effect === 'deny' && g.id !== 'G-read' && g.fires(u, r, action, arg, o))) return false;
  return ACTION_RULES.some((x) => x.on === r.kind && x.action === action && x.mayAsk(u, r as never, arg));
}

/** The oracle's `allowedActions` for a record: every action of its kind that mayAct allows now. */
export function allowedActions(u: User, r: AnyRecord, options: Partial<OracleOptions> = {}): Action[] {
  return ACTIONS[r.kind].filter((a) => mayAct(u, r, a, {}, options).allowed);
}

/** May this user create a follow-up with these links? Role, and reading every linked record. */
export function mayCreateFollowUp(
  u: User,
  links: { cable?: CableRecord; campaign?: CampaignRecord },
  options: Partial<OracleOptions> = {},
): Decision {
  const o = { ...DEFAULT_OPTIONS, ...options };
  if (!(has(u, 'drafter') || has(u, 'post_officer') || has(u, 'leadership'))) return { allowed: false, rules: ['route-roles'], certain: true };
  for (const r of [links.cable, links.campaign]) {
    if (!r) continue;
    const d = mayRead(u, r, o);
    if (!d.allowed) return { allowed: false, rules: ['G-read', ...d.rules], certain: d.certain };
  }
  return { allowed: true, rules: ['route-roles'], certain: true };
}

/** Of these records, the ones a list, search, inbox or dashboard may show this user. */
export function visible<T extends AnyRecord>(u: User, records: readonly T[], options: Partial<OracleOptions> = {}): T[] {
  return records.filter((r) => mayRead(u, r, options).allowed);
}
