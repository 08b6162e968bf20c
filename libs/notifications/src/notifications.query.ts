import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pageAndCount, sql } from '@chancery/database';
import { followUpMarkings, LINKED_MARKINGS_SQL } from '@chancery/follow-ups';
import { type Classification, type Principal, readableCableSql, readableFollowUpSql } from '@chancery/identity/domain';
import { type NotificationKind, noticeText } from './domain/notification-rules.js';

interface NotificationRow {
  id: string;
  global_position: string;
  kind: NotificationKind;
  record_type: 'cable' | 'followup';
  record_id: string;
  detail: Record<string, string>;
  occurred_at: Date;
  read: boolean;
  subject: string | null;
  mrn: string | null;
  cable_classification: string | null;
  cable_captions: string[] | null;
  title: string | null;
  followup_classification: Classification | null;
  linked_classifications: Classification[] | null;
  linked_captions: string[];
}

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  text: string;
  record: { type: 'cable' | 'followup'; id: string };
  /** The cable's MRN once released. */
  mrn: string | null;
  classification: string;
  /** Its captions (a follow-up's, its links' combined, as the follow-up is marked). */
  captions: string[];
  occurredAt: string;
  read: boolean;
  position: number;
}

/**
 * The caller's notifications: those addressed to them (the SQL twin of `isAddressedTo`; `@>` on the
 * arrays, which their GIN indexes serve; to their office or post in a role the notice is for, only
 * since they have held that role there: `users.roles_since`) about a
 * record they may read now (`readableCableSql`, `readableFollowUpSql`: the one read policy), so a
 * notice about what they may not read is neither listed nor counted.
 */
@Injectable()
export class NotificationsQuery {
  constructor(private readonly dataSource: DataSource) {}

  async list(principal: Principal, limit: number, offset: number, unreadOnly = false): Promise<{ items: NotificationView[]; total: number; unread: number }> {
    const { from, params } = this.mine(principal);
    // The page, how many there are and how many unread, from one snapshot (pageAndCount).
    const { rows, counts } = await pageAndCount<NotificationRow, { total: number; unread: number }>(this.dataSource, {
      columns: `n.id, n.global_position, n.kind, n.record_type, n.record_id, n.detail, n.occurred_at, ${READ} AS read,
              k.subject, k.mrn, k.classification AS cable_classification, k.captions AS cable_captions, f.title, f.classification AS followup_classification,
              ${LINKED_MARKINGS_SQL}`,
      from: `${from.replace(/^\s*FROM\s+/i, '')} ${unreadOnly ? `AND NOT ${READ}` : ''}`,
      // How many the list holds (the unread alone, when it is of the unread) and how many of them are unread.
      counts: `count(*)::int AS total, (count(*) FILTER (WHERE NOT ${READ}))::int AS unread`,
      order: [['n.global_position', 'DESC']],
      params,
      limit,
      offset,
    });
    const { total, unread } = counts;
    return { items: rows.map(toView), total: unreadOnly ? unread : total, unread };
  }

  /** One of the caller's notifications, or undefined (not theirs, or about what they may not read). */
  async position(principal: Principal, id: string): Promise<number | undefined> {
    const { from, params } = this.mine(principal);
    const [row] = await sql<{ global_position: string }>(this.dataSource, `SELECT n.global_position ${from} AND n.id = $${params.length + 1}::uuid`, [...params, id]);
    return row ? Number(row.global_position) : undefined;
  }

  /** The newest of the caller's notifications, for "read them all"; 0 when none. */
  async newestPosition(principal: Principal): Promise<number> {
    const { from, params } = this.mine(principal);
    const [row] = await sql<{ newest: string | null }>(this.dataSource, `SELECT max(n.global_position) AS newest ${from}`, params);
    return Number(row?.newest ?? 0);
  }

  private mine(principal: Principal): { from: string; params: unknown[] } {
    const cable = readableCableSql(principal, 1, 'kr');
    const followUp = readableFollowUpSql(principal, 1, 'fr');
    const officerPost = principal.roles.includes('post_officer') ? principal.postCode : null;
    const params = [...cable.params, principal.roles, officerPost];
    return {
      params,
      from: `FROM notifications n
        LEFT JOIN cables k ON n.record_type = 'cable' AND k.id = n.record_id
        LEFT JOIN follow_ups f ON n.record_type = 'followup' AND f.id = n.record_id
        LEFT JOIN notification_reads r ON r.user_id = $2::text::uuid AND r.notification_id = n.id
        LEFT JOIN notification_read_marks m ON m.user_id = $2::text::uuid
        LEFT JOIN users u ON u.id = $2::text::uuid
        WHERE (n.except_user IS NULL OR n.except_user <> $2)
          AND (n.user_ids @> ARRAY[$2::text]
            OR ($4::text IS NOT NULL AND n.offices @> ARRAY[$4::text]
              AND EXISTS (SELECT 1 FROM unnest(n.office_roles) AS role WHERE role = ANY($9::text[]) AND n.occurred_at >= (u.roles_since->>role)::timestamptz))
            OR ($10::text IS NOT NULL AND n.posts @> ARRAY[$10::text] AND n.occurred_at >= (u.roles_since->>'post_officer')::timestamptz))
          AND CASE n.record_type
            WHEN 'cable' THEN EXISTS (SELECT 1 FROM cables kr WHERE kr.id = n.record_id AND ${cable.where})
            WHEN 'followup' THEN EXISTS (SELECT 1 FROM follow_ups fr WHERE fr.id = n.record_id AND ${followUp.where})
            ELSE false END`,
    };
  }
}

const READ = '(r.notification_id IS NOT NULL OR n.global_position <= coalesce(m.up_to, 0))';

function toView(row: NotificationRow): NotificationView {
  const cable = row.record_type === 'cable';
  const label = cable ? [row.mrn, row.subject].filter(Boolean).join(' ') : (row.title ?? '');
  return {
    id: row.id,
    kind: row.kind,
    text: noticeText(row.kind, label, row.detail),
    record: { type: row.record_type, id: row.record_id },
    mrn: cable ? row.mrn : null,
    // A follow-up is marked as it is read: the highest classification of itself and its links, their captions combined.
    ...(cable
      ? { classification: row.cable_classification ?? 'UNCLASSIFIED', captions: row.cable_captions ?? [] }
      : followUpMarkings({ classification: row.followup_classification ?? 'UNCLASSIFIED', linked_classifications: row.linked_classifications, linked_captions: row.linked_captions })),
    occurredAt: row.occurred_at.toISOString(),
    read: row.read,
    position: Number(row.global_position),
  };
}
