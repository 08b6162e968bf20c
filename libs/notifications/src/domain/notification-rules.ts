import { assertNever } from '@chancery/common';
import { OFFICE_WORKING_ROLES, type Principal, type Role } from '@chancery/identity/domain';

/**
 * Who is told about what: the one rule, pure, shared by the in-app list (its SQL twin is in
 * `NotificationsQuery`), the live stream and the email reaction. A notification names its
 * addressees as the event states them (an office, a post, a person), never as a list of people
 * resolved at the time: who is in an office changes, and the read model must rebuild from the
 * events to the same content; who held the office or post then, in a role the notice is for, is
 * told by when each person took each role they hold there (`Recipient.rolesSince`, from the user
 * events too). Whether someone may read the record is decided on top, at the moment they look (or
 * are emailed), by the one read policy.
 */
export const NOTIFICATION_KINDS = ['clearance-requested', 'cable-returned', 'cable-released', 'follow-up-overdue', 'follow-up-escalated'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The event types that make notifications. */
export const NOTIFYING_EVENTS = ['ClearancesRequested', 'ClearancesMadeStale', 'CableReturned', 'CableReleased', 'FollowUpBecameOverdue', 'FollowUpEscalated'] as const;
export type NotifyingEvent = (typeof NOTIFYING_EVENTS)[number];

/** The events that carry facts a later notification needs (a cable's drafter, a follow-up's owner). */
export const FACT_EVENTS = ['CableDrafted', 'FollowUpCreated', 'FollowUpReassigned'] as const;

export interface RecordRef {
  type: 'cable' | 'followup';
  id: string;
}

export interface Addressees {
  /** People named (a cable's drafter, a follow-up's creator). */
  users: string[];
  /** Members of these offices who held one of `officeRoles` there when it happened. */
  offices: string[];
  /**
   * The roles of an office a notice is for, those who act on it: its clearers (asked to clear), its
   * leadership (the bureau's front office, given an escalation), its working people (a follow-up it
   * owns fallen overdue: not its auditors). Empty when no office is addressed.
   */
  officeRoles: readonly Role[];
  /** Post officers of these posts. */
  posts: string[];
  /** Never this person (nobody is asked to clear their own cable). */
  exceptUser: string | null;
}

export interface NotificationDraft extends Addressees {
  kind: NotificationKind;
  record: RecordRef;
  /** Facts of the notice itself, never the record's content: the office asked, the bureau. */
  detail: Record<string, string>;
}

/** What the read model remembers of a record for later notifications about it. */
export interface RecordFacts {
  /** A cable's drafter, a follow-up's creator. */
  createdBy: string;
  owner?: { office?: string; post?: string };
}

/** The stored event as far as the rule needs it. */
export interface NotifyingEventInput {
  type: string;
  streamId: string;
  data: unknown;
}

/** Stream ids are `<type>-<uuid>`. */
export function recordOf(streamId: string): RecordRef | null {
  if (streamId.startsWith('cable-')) return { type: 'cable', id: streamId.slice('cable-'.length) };
  if (streamId.startsWith('followup-')) return { type: 'followup', id: streamId.slice('followup-'.length) };
  return null;
}

const none: Addressees = { users: [], offices: [], officeRoles: [], posts: [], exceptUser: null };
const DEPARTMENT_ADDRESS = 'SECSTATE';

/**
 * The notification an event makes, if any. `facts` are what the read model knows of the record
 * (absent for a record it never saw created: then the notices that need them are not made).
 */
export function notificationOf(event: NotifyingEventInput, facts: RecordFacts | undefined): NotificationDraft | null {
  const record = recordOf(event.streamId);
  if (!record || !(NOTIFYING_EVENTS as readonly string[]).includes(event.type)) return null;
  const type = event.type as NotifyingEvent;
  switch (type) {
    case 'ClearancesRequested': {
      const offices = unique((event.data as { offices: string[] }).offices);
      return offices.length ? { kind: 'clearance-requested', record, ...none, offices, officeRoles: ['clearer'], exceptUser: facts?.createdBy ?? null, detail: { offices: offices.join(', ') } } : null;
    }
    case 'ClearancesMadeStale': {
      // The substance changed after these offices cleared: they are asked again.
      const offices = unique((event.data as { offices: string[] }).offices);
      return offices.length ? { kind: 'clearance-requested', record, ...none, offices, officeRoles: ['clearer'], exceptUser: facts?.createdBy ?? null, detail: { offices: offices.join(', '), again: 'true' } } : null;
    }
    case 'CableReturned':
      return facts ? { kind: 'cable-returned', record, ...none, users: [facts.createdBy], detail: {} } : null;
    case 'CableReleased': {
      const { action = [], info = [] } = (event.data as { distribution?: { action?: string[]; info?: string[] } }).distribution ?? {};
      const posts = unique([...action, ...info]).filter((p) => p !== DEPARTMENT_ADDRESS);
      return posts.length ? { kind: 'cable-released', record, ...none, posts, detail: {} } : null;
    }
    case 'FollowUpBecameOverdue': {
      if (!facts) return null;
      const owner = facts.owner ?? {};
      return {
        kind: 'follow-up-overdue',
        record,
        ...none,
        users: [facts.createdBy],
        offices: owner.office ? [owner.office] : [],
        // Those who work the office's follow-ups (`worksFor`), not its auditors, who only read.
        officeRoles: owner.office ? OFFICE_WORKING_ROLES : [],
        posts: owner.post ? [owner.post] : [],
        detail: { dueOn: String((event.data as { dueOn?: string }).dueOn ?? '') },
      };
    }
    case 'FollowUpEscalated': {
      const to = (event.data as { to: string }).to;
      // To the bureau's front office, its leadership: those the escalation is for, who may act on it
      // (the inbox's escalated[]), not everyone whose office is the bureau's symbol.
      return { kind: 'follow-up-escalated', record, ...none, offices: [to], officeRoles: ['leadership'], detail: { bureau: to } };
    }
    default:
      return assertNever(type);
  }
}

/**
 * Someone a notice may be for: who they are now, and since when they have held each of their roles
 * in their current office or post (never before they were placed there).
 */
export interface Recipient extends Pick<Principal, 'id' | 'roles' | 'office' | 'postCode'> {
  rolesSince: Partial<Record<Role, Date>>;
}

/**
 * Whether the notice, made at `occurredAt`, is addressed to `recipient` (reading the record is
 * decided separately). A notice to an office or a post is for those who held it then, in a role it
 * is for (an office's clearers, its working people, a post's officers): one who joins it, moves to it, or is given the
 * role later is not told of what came before. One to a person is theirs wherever they are.
 */
export function isAddressedTo(recipient: Recipient, to: Addressees, occurredAt: Date): boolean {
  if (to.exceptUser === recipient.id) return false;
  if (to.users.includes(recipient.id)) return true;
  const heldThen = (role: Role) => {
    const since = recipient.rolesSince[role];
    return recipient.roles.includes(role) && since !== undefined && occurredAt >= since;
  };
  if (recipient.office !== null && to.offices.includes(recipient.office) && to.officeRoles.some(heldThen)) return true;
  return recipient.postCode !== null && to.posts.includes(recipient.postCode) && heldThen('post_officer');
}

/** What a notice says, in the app and in email. `subject` only when the reader may be shown it. */
export function noticeText(kind: NotificationKind, label: string, detail: Record<string, string>): string {
  switch (kind) {
    case 'clearance-requested':
      return detail.again
        ? `A cable changed since it was cleared and needs your clearance again (${detail.offices ?? 'your office'}): ${label}`
        : `A cable needs your clearance (${detail.offices ?? 'your office'}): ${label}`;
    case 'cable-returned':
      return `Your cable was returned to you: ${label}`;
    case 'cable-released':
      return `A cable was released to your post: ${label}`;
    case 'follow-up-overdue':
      return `A follow-up is overdue${detail.dueOn ? ` (due ${detail.dueOn})` : ''}: ${label}`;
    case 'follow-up-escalated':
      return `A follow-up was escalated to ${detail.bureau ?? 'your bureau'}: ${label}`;
    default:
      return assertNever(kind);
  }
}

/**
 * What an email may name of the record: email leaves the system, so only the subject line of an
 * UNCLASSIFIED record; for anything marked (SBU and above, or a subject line marked above (U)) the
 * MRN, or the record's id, and nothing else. The link leads to the record, read under the policy.
 */
export function emailLabel(record: { type: 'cable' | 'followup'; id: string; mrn?: string | null; title: string; classification: string; subjectMarking?: string | null }): string {
  const plain = record.classification === 'UNCLASSIFIED' && (record.subjectMarking ?? 'U') === 'U';
  if (plain) return record.mrn ? `${record.mrn} ${record.title}` : record.title;
  if (record.mrn) return record.mrn;
  return record.type === 'cable' ? `cable ${record.id}` : `follow-up ${record.id}`;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
