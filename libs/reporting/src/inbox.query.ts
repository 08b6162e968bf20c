import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, DepartmentCalendar } from '@chancery/common';
import { pageAndCount, type SortKey, sql } from '@chancery/database';
import { PolicyService } from '@chancery/identity';
import { type Classification, hasPermission, OFFICE_WORKING_ROLES, type Principal, readableCableSql, readableFollowUpSql } from '@chancery/identity/domain';
import { isOverdue } from '@chancery/demarches';
import { type FollowUpMarkingsRow, followUpMarkings, isFollowUpOverdue, LINKED_MARKINGS_SQL } from '@chancery/follow-ups';

/** The inbox's sections, in the order its answer gives them. */
export const INBOX_SECTIONS = ['toClear', 'toApprove', 'taskings', 'followUps', 'returned', 'escalated'] as const;
export type InboxSection = (typeof INBOX_SECTIONS)[number];

/** How many items a section answers at most, and how many it answers when not told. */
export const INBOX_MAX_LIMIT = 200;
export const INBOX_DEFAULT_LIMIT = 50;

/** A cable as the inbox lists it; `date` columns are read as their text (`calendarDatesAsText`). */
interface CableItemRow {
  id: string;
  subject: string;
  classification: string;
  captions: string[];
  precedence: string;
}

interface ToClearRow extends CableItemRow {
  origin: string;
  since: Date;
}

interface ReturnedRow extends CableItemRow {
  returned_at: Date;
  return_reason: string | null;
  returned_by: string;
  /** The username of who returned it, now (null if no user has that id). */
  returned_by_username: string | null;
  returned_by_display_name: string | null;
  /** False when the reason was written above the reader's clearance (null with no level recorded). */
  reason_readable: boolean | null;
}

interface ToApproveRow extends CableItemRow {
  status: string;
  updated_at: Date;
}

interface TaskingRow {
  id: string;
  mrn: string;
  subject: string;
  classification: string;
  captions: string[];
  report_by: string;
  status: string;
}

interface FollowUpRow extends FollowUpMarkingsRow {
  id: string;
  title: string;
  due_on: string;
  status: string;
  owner_office: string | null;
  owner_post: string | null;
}

interface EscalatedRow extends FollowUpRow {
  owner_bureau: string;
  overdue_since: Date | null;
  demarche_id: string | null;
  post: string | null;
}

interface CableItem {
  cableId: string;
  subject: string;
  classification: string;
  captions: string[];
  precedence: string;
}

export interface ToClearItem extends CableItem {
  origin: string;
  office: string | null;
  since: string;
}

export interface ToApproveItem extends CableItem {
  status: string;
  since: string;
}

export interface ReturnedItem extends CableItem {
  reason: string | null;
  withheld?: true;
  /** The approver's user id, and their username and display name (those they have now). */
  returnedBy: string;
  returnedByUsername: string | null;
  returnedByDisplayName: string | null;
  returnedAt: string;
}

export interface TaskingItem {
  demarcheId: string;
  mrn: string;
  subject: string;
  classification: string;
  captions: string[];
  post: string | null;
  status: string;
  reportBy: string;
  overdue: boolean;
}

type Owner = { office: string | null } | { post: string | null };

export interface FollowUpItem {
  followUpId: string;
  title: string;
  classification: Classification;
  captions: string[];
  status: string;
  owner: Owner;
  dueOn: string;
  overdue: boolean;
}

/** An escalated follow-up: a follow-up as the inbox lists it, when it fell overdue for `overdue`, and what the bureau may do. */
export interface EscalatedItem extends Omit<FollowUpItem, 'overdue'> {
  ownerBureau: string;
  overdueSince: string | null;
  demarcheId: string | null;
  post: string | null;
  allowedActions: string[];
}

/** The items of each section. */
export interface InboxItems {
  toClear: ToClearItem;
  toApprove: ToApproveItem;
  taskings: TaskingItem;
  followUps: FollowUpItem;
  returned: ReturnedItem;
  escalated: EscalatedItem;
}

/** One section's page: its items from an offset, and how many it holds in all. */
export interface InboxPage<S extends InboxSection> {
  items: InboxItems[S][];
  total: number;
}

/** The whole inbox: each section's first `limit` items, and each section's total. */
export type Inbox = { [S in InboxSection]: InboxItems[S][] } & { totals: Record<InboxSection, number> };

/** A row of a page as `page` reads it: the section's total on each, and its place in the section (null: the page is empty). */

interface Window {
  limit: number;
  offset: number;
}

/** A section the caller's roles do not concern: nothing in it, nothing counted. */
const NONE = { items: [], total: 0 };

/** The record each item names, as the audit log names it. */
const STREAM_OF: { [S in InboxSection]: (item: InboxItems[S]) => string } = {
  toClear: (c) => `cable-${c.cableId}`,
  toApprove: (c) => `cable-${c.cableId}`,
  returned: (c) => `cable-${c.cableId}`,
  taskings: (t) => `campaign-${t.demarcheId}`,
  // A follow-up's title and owner are read under its marking, its own or its links' (as the follow-ups list audits them).
  followUps: (f) => `followup-${f.followUpId}`,
  escalated: (f) => `followup-${f.followUpId}`,
};

function recordsOf<S extends InboxSection>(section: S, items: readonly InboxItems[S][]): { streamId: string; classification: string }[] {
  const stream = STREAM_OF[section];
  return items.map((item) => ({ streamId: stream(item), classification: item.classification }));
}

/**
 * What waits for the caller: cables their office is asked to clear, cables they may approve, their
 * post's open taskings, their open follow-ups; each oldest first, and only what they may read. Each
 * section is read a page at a time in SQL, and counted under the same filter: an office with
 * thousands of open follow-ups is answered a page of them and their number, and only the items
 * answered are named in the audit log.
 */
@Injectable()
export class InboxQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
    private readonly policy: PolicyService,
  ) {}

  private readonly sections: { [S in InboxSection]: (principal: Principal, window: Window) => Promise<InboxPage<S>> } = {
    toClear: (p, w) => this.toClear(p, w),
    toApprove: (p, w) => this.toApprove(p, w),
    taskings: (p, w) => this.taskings(p, w),
    followUps: (p, w) => this.followUps(p, w),
    returned: (p, w) => this.returned(p, w),
    escalated: (p, w) => this.escalated(p, w),
  };

  /** Every section's first `limit` items, with each section's total. */
  async inbox(principal: Principal, limit: number, requestId: string): Promise<Inbox> {
    const window = { limit, offset: 0 };
    const pages = await Promise.all(INBOX_SECTIONS.map((section) => this.sections[section](principal, window)));
    const each = <T>(of: (page: InboxPage<InboxSection>) => T) => Object.fromEntries(INBOX_SECTIONS.map((section, i) => [section, of(pages[i])]));
    const records = INBOX_SECTIONS.flatMap((section, i) => recordsOf(section, pages[i].items));
    await this.policy.auditListRead(principal, { requestId, view: 'inbox', records });
    return { ...each((page) => page.items), totals: each((page) => page.total) } as Inbox;
  }

  /** One section, `limit` items from `offset`, and how many it holds; its audit entry names the section. */
  async section<S extends InboxSection>(principal: Principal, section: S, limit: number, offset: number, requestId: string): Promise<InboxPage<S>> {
    const page = await this.sections[section](principal, { limit, offset });
    await this.policy.auditListRead(principal, { requestId, view: 'inbox', section, records: recordsOf(section, page.items) });
    return page;
  }

  /**
   * A page of rows and their count, in one statement, so one snapshot (`pageAndCount`): a page never
   * disagrees with its total, whatever commits meanwhile. `from` holds the caller's access filter.
   */
  private async page<Row>(columns: string, from: string, order: SortKey[], params: unknown[], { limit, offset }: Window): Promise<{ rows: Row[]; total: number }> {
    const { rows, counts } = await pageAndCount<Row>(this.dataSource, { columns, from, order, params, limit, offset });
    return { rows, total: counts.total };
  }

  /**
   * Overdue follow-ups escalated to the caller's bureau, for its leadership (the front office: a
   * leadership user whose office is the bureau's symbol), who may give them a new owner or due date.
   */
  private async escalated(principal: Principal, window: Window): Promise<InboxPage<'escalated'>> {
    if (!principal.roles.includes('leadership') || !principal.office) return NONE;
    const access = readableFollowUpSql(principal, 1);
    const { rows, total } = await this.page<EscalatedRow>(
      `id, title, due_on, status, owner_office, owner_post, owner_bureau, overdue_since, demarche_id, post, f.classification, ${LINKED_MARKINGS_SQL}`,
      `follow_ups f WHERE escalated_to = $9 AND status IN ('OPEN', 'IN_PROGRESS') AND ${access.where}`,
      [['due_on'], ['id']],
      [...access.params, principal.office],
      window,
    );
    const items = rows.map((r) => ({
      followUpId: r.id,
      title: r.title,
      ...followUpMarkings(r),
      status: r.status,
      owner: r.owner_office ? { office: r.owner_office } : { post: r.owner_post },
      ownerBureau: r.owner_bureau,
      dueOn: r.due_on,
      overdueSince: r.overdue_since ? r.overdue_since.toISOString() : null,
      demarcheId: r.demarche_id,
      post: r.post,
      allowedActions: ['reassign'],
    }));
    return { items, total };
  }

  private async toClear(principal: Principal, window: Window): Promise<InboxPage<'toClear'>> {
    if (!principal.roles.includes('clearer') || !principal.office) return NONE;
    const access = readableCableSql(principal, 1);
    // Nobody clears their own cable, so a drafter who is also a clearer is not asked to. A returned
    // cable (DRAFT) waits for the offices whose clearance went stale. `since`: when the office was
    // asked (or its clearance went stale), whatever has changed on the cable since.
    const { rows, total } = await this.page<ToClearRow>(
      'id, subject, classification, captions, precedence, origin, since',
      `(SELECT k.*, coalesce((awaiting_since->>$9)::timestamptz, updated_at) AS since FROM cables k
         WHERE status IN ('DRAFT', 'IN_CLEARANCE') AND $9 = ANY(awaiting_clearance) AND drafter_id::text <> $2 AND ${access.where}) k`,
      [['since'], ['id']],
      [...access.params, principal.office],
      window,
    );
    const items = rows.map((r) => ({ cableId: r.id, subject: r.subject, classification: r.classification, captions: r.captions, precedence: r.precedence, origin: r.origin, office: principal.office, since: r.since.toISOString() }));
    return { items, total };
  }

  /** The caller's cables the approver sent back, with the reason, while they sit in DRAFT: theirs to work, while they draft. */
  private async returned(principal: Principal, window: Window): Promise<InboxPage<'returned'>> {
    if (!hasPermission(principal, 'cables.draft').allowed) return NONE;
    const access = readableCableSql(principal, 1);
    const { rows, total } = await this.page<ReturnedRow>(
      `id, subject, classification, captions, precedence, returned_at, return_reason, returned_by, return_level <= $1 AS reason_readable,
       returner.username AS returned_by_username, returner.display_name AS returned_by_display_name`,
      `cables k LEFT JOIN LATERAL (SELECT u.username, u.display_name FROM users u WHERE u.id::text = k.returned_by) returner ON true
        WHERE status = 'DRAFT' AND returned_at IS NOT NULL AND drafter_id::text = $2 AND ${access.where}`,
      [['returned_at'], ['id']],
      access.params,
      window,
    );
    // A reason written while the draft stood above the reader's clearance (edited down since) is withheld, as on the cable.
    const items = rows.map((r) => ({
      cableId: r.id, subject: r.subject, classification: r.classification, captions: r.captions, precedence: r.precedence,
      reason: r.reason_readable === false ? null : r.return_reason, ...(r.reason_readable === false ? { withheld: true as const } : {}),
      returnedBy: r.returned_by, returnedByUsername: r.returned_by_username, returnedByDisplayName: r.returned_by_display_name, returnedAt: r.returned_at.toISOString(),
    }));
    return { items, total };
  }

  private async toApprove(principal: Principal, window: Window): Promise<InboxPage<'toApprove'>> {
    if (!principal.roles.includes('approver')) return NONE;
    const access = readableCableSql(principal, 1);
    const { rows, total } = await this.page<ToApproveRow>(
      'id, subject, classification, captions, precedence, origin, status, updated_at',
      `cables k WHERE status IN ('PENDING_APPROVAL', 'APPROVED') AND origin = $9 AND drafter_id::text <> $2 AND ${access.where}`,
      [['updated_at'], ['id']],
      [...access.params, principal.postCode ?? 'STATE'],
      window,
    );
    const items = rows.map((r) => ({ cableId: r.id, subject: r.subject, classification: r.classification, captions: r.captions, precedence: r.precedence, status: r.status, since: r.updated_at.toISOString() }));
    return { items, total };
  }

  private async taskings(principal: Principal, window: Window): Promise<InboxPage<'taskings'>> {
    if (!principal.roles.includes('post_officer') || !principal.postCode) return NONE;
    const access = readableCableSql(principal, 1);
    // One delivery a campaign and post (its key): the campaign's id orders those due the same day.
    const { rows, total } = await this.page<TaskingRow>(
      'c.id, c.mrn, c.subject, c.classification, c.captions, c.report_by, d.status',
      `demarche_deliveries d JOIN demarche_campaigns c ON c.id = d.campaign_id JOIN cables k ON k.id = c.cable_id
       WHERE d.post = $9 AND d.status IN ('PENDING', 'DELIVERED') AND ${access.where}`,
      [['c.report_by'], ['c.id']],
      [...access.params, principal.postCode],
      window,
    );
    const today = this.calendar.today();
    const items = rows.map((r) => ({ demarcheId: r.id, mrn: r.mrn, subject: r.subject, classification: r.classification, captions: r.captions, post: principal.postCode, status: r.status, reportBy: r.report_by, overdue: isOverdue(r.status, r.report_by, today) }));
    return { items, total };
  }

  private async followUps(principal: Principal, window: Window): Promise<InboxPage<'followUps'>> {
    const access = readableFollowUpSql(principal, 1);
    const { rows, total } = await this.page<FollowUpRow>(
      `id, title, due_on, status, owner_office, owner_post, f.classification, ${LINKED_MARKINGS_SQL}`,
      `follow_ups f WHERE status IN ('OPEN', 'IN_PROGRESS') AND ${access.where}
         AND ((created_by = $2 AND $11::boolean) OR ($9::text IS NOT NULL AND owner_office = $9) OR ($10::text IS NOT NULL AND owner_post = $10))`,
      [['due_on'], ['id']],
      // Those the caller works (isFollowUpOwner): an office's for its working people (worksFor: not
      // its auditors or admins, who only read), a post's for its officers, and the caller's own
      // while they hold a role that opens follow-ups.
      [
        ...access.params,
        principal.roles.some((role) => OFFICE_WORKING_ROLES.includes(role)) ? principal.office : null,
        principal.roles.includes('post_officer') ? principal.postCode : null,
        hasPermission(principal, 'followups.create').allowed,
      ],
      window,
    );
    const today = this.calendar.today();
    const items = rows.map((r) => ({
      followUpId: r.id,
      title: r.title,
      ...followUpMarkings(r),
      status: r.status,
      owner: r.owner_office ? { office: r.owner_office } : { post: r.owner_post },
      dueOn: r.due_on,
      overdue: isFollowUpOverdue(r.status, r.due_on, today),
    }));
    return { items, total };
  }
}
