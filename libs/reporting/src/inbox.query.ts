import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, utcDate } from '@chancery/common';
import { sql } from '@chancery/database';
import { PolicyService } from '@chancery/identity';
import { hasPermission, type Principal, readableCableSql, readableFollowUpSql } from '@chancery/identity/domain';
import { isOverdue } from '@chancery/demarches';
import { type FollowUpMarkingsRow, followUpMarkings, isFollowUpOverdue, LINKED_MARKINGS_SQL } from '@chancery/follow-ups';

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

/**
 * What waits for the caller: cables their office is asked to clear, cables they may approve, their
 * post's open taskings, their open follow-ups; each oldest first, and only what they may read.
 */
@Injectable()
export class InboxQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly policy: PolicyService,
  ) {}

  async inbox(principal: Principal, requestId: string) {
    const [toClear, toApprove, taskings, followUps, returned, escalated] = await Promise.all([
      this.toClear(principal),
      this.toApprove(principal),
      this.taskings(principal),
      this.followUps(principal),
      this.returned(principal),
      this.escalated(principal),
    ]);
    const records = [
      ...[...toClear, ...toApprove, ...returned].map((c) => ({ streamId: `cable-${c.cableId}`, classification: c.classification })),
      ...taskings.map((t) => ({ streamId: `campaign-${t.demarcheId}`, classification: t.classification })),
      // A follow-up's title and owner are read under its marking, its own or its links' (as the follow-ups list audits them).
      ...[...followUps, ...escalated].map((f) => ({ streamId: `followup-${f.followUpId}`, classification: f.classification })),
    ];
    await this.policy.auditListRead(principal, { requestId, view: 'inbox', records });
    return { toClear, toApprove, taskings, followUps, returned, escalated };
  }

  /**
   * Overdue follow-ups escalated to the caller's bureau, for its leadership (the front office: a
   * leadership user whose office is the bureau's symbol), who may give them a new owner or due date.
   */
  private async escalated(principal: Principal) {
    if (!principal.roles.includes('leadership') || !principal.office) return [];
    const access = readableFollowUpSql(principal, 1);
    const rows = await sql<EscalatedRow>(
      this.dataSource,
      `SELECT id, title, due_on, status, owner_office, owner_post, owner_bureau, overdue_since, demarche_id, post, f.classification, ${LINKED_MARKINGS_SQL} FROM follow_ups f
       WHERE escalated_to = $9 AND status IN ('OPEN', 'IN_PROGRESS') AND ${access.where}
       ORDER BY due_on, id`,
      [...access.params, principal.office],
    );
    return rows.map((r) => ({
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
  }

  private async toClear(principal: Principal) {
    if (!principal.roles.includes('clearer') || !principal.office) return [];
    const access = readableCableSql(principal, 1);
    // Nobody clears their own cable, so a drafter who is also a clearer is not asked to. A returned
    // cable (DRAFT) waits for the offices whose clearance went stale. `since`: when the office was
    // asked (or its clearance went stale), whatever has changed on the cable since.
    const rows = await sql<ToClearRow>(
      this.dataSource,
      `SELECT id, subject, classification, captions, precedence, origin, since FROM (
         SELECT k.*, coalesce((awaiting_since->>$9)::timestamptz, updated_at) AS since FROM cables k
         WHERE status IN ('DRAFT', 'IN_CLEARANCE') AND $9 = ANY(awaiting_clearance) AND drafter_id::text <> $2 AND ${access.where}) k
       ORDER BY since, id`,
      [...access.params, principal.office],
    );
    return rows.map((r) => ({ cableId: r.id, subject: r.subject, classification: r.classification, captions: r.captions, precedence: r.precedence, origin: r.origin, office: principal.office, since: r.since.toISOString() }));
  }

  /** The caller's cables the approver sent back, with the reason, while they sit in DRAFT: theirs to work, while they draft. */
  private async returned(principal: Principal) {
    if (!hasPermission(principal, 'cables.draft').allowed) return [];
    const access = readableCableSql(principal, 1);
    const rows = await sql<ReturnedRow>(
      this.dataSource,
      `SELECT id, subject, classification, captions, precedence, returned_at, return_reason, returned_by, return_level <= $1 AS reason_readable FROM cables k
       WHERE status = 'DRAFT' AND returned_at IS NOT NULL AND drafter_id::text = $2 AND ${access.where}
       ORDER BY returned_at, id`,
      access.params,
    );
    // A reason written while the draft stood above the reader's clearance (edited down since) is withheld, as on the cable.
    return rows.map((r) => ({
      cableId: r.id, subject: r.subject, classification: r.classification, captions: r.captions, precedence: r.precedence,
      reason: r.reason_readable === false ? null : r.return_reason, ...(r.reason_readable === false ? { withheld: true } : {}),
      returnedBy: r.returned_by, returnedAt: r.returned_at.toISOString(),
    }));
  }

  private async toApprove(principal: Principal) {
    if (!principal.roles.includes('approver')) return [];
    const access = readableCableSql(principal, 1);
    const rows = await sql<ToApproveRow>(
      this.dataSource,
      `SELECT id, subject, classification, captions, precedence, origin, status, updated_at FROM cables k
       WHERE status IN ('PENDING_APPROVAL', 'APPROVED') AND origin = $9 AND drafter_id::text <> $2 AND ${access.where}
       ORDER BY updated_at, id`,
      [...access.params, principal.postCode ?? 'STATE'],
    );
    return rows.map((r) => ({ cableId: r.id, subject: r.subject, classification: r.classification, captions: r.captions, precedence: r.precedence, status: r.status, since: r.updated_at.toISOString() }));
  }

  private async taskings(principal: Principal) {
    if (!principal.roles.includes('post_officer') || !principal.postCode) return [];
    const access = readableCableSql(principal, 1);
    const rows = await sql<TaskingRow>(
      this.dataSource,
      `SELECT c.id, c.mrn, c.subject, c.classification, c.captions, c.report_by, d.status FROM demarche_deliveries d JOIN demarche_campaigns c ON c.id = d.campaign_id
       JOIN cables k ON k.id = c.cable_id
       WHERE d.post = $9 AND d.status IN ('PENDING', 'DELIVERED') AND ${access.where}
       ORDER BY c.report_by, c.id`,
      [...access.params, principal.postCode],
    );
    const today = utcDate(this.clock.now());
    return rows.map((r) => ({ demarcheId: r.id, mrn: r.mrn, subject: r.subject, classification: r.classification, captions: r.captions, post: principal.postCode, status: r.status, reportBy: r.report_by, overdue: isOverdue(r.status, r.report_by, today) }));
  }

  private async followUps(principal: Principal) {
    const access = readableFollowUpSql(principal, 1);
    const rows = await sql<FollowUpRow>(
      this.dataSource,
      `SELECT id, title, due_on, status, owner_office, owner_post, f.classification, ${LINKED_MARKINGS_SQL} FROM follow_ups f
       WHERE status IN ('OPEN', 'IN_PROGRESS') AND ${access.where}
         AND (created_by = $2 OR ($9::text IS NOT NULL AND owner_office = $9) OR ($10::text IS NOT NULL AND owner_post = $10))
       ORDER BY due_on, id`,
      [...access.params, principal.office, principal.roles.includes('post_officer') ? principal.postCode : null],
    );
    const today = utcDate(this.clock.now());
    return rows.map((r) => ({
      followUpId: r.id,
      title: r.title,
      ...followUpMarkings(r),
      status: r.status,
      owner: r.owner_office ? { office: r.owner_office } : { post: r.owner_post },
      dueOn: r.due_on,
      overdue: isFollowUpOverdue(r.status, r.due_on, today),
    }));
  }
}
