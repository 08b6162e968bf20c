import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { combinedCaptions } from '@chancery/cables/domain';
import { Clock, DepartmentCalendar } from '@chancery/common';
import { type Db, pageAndCount, sql } from '@chancery/database';
import { PolicyService } from '@chancery/identity';
import { type Classification, highestClassification, type Principal, readableFollowUpSql } from '@chancery/identity/domain';

export interface FollowUpFilter {
  status?: string;
  overdue?: boolean;
  owner?: string;
  bureau?: string;
  demarcheId?: string;
}

export interface FollowUpSummary {
  id: string;
  /** The highest of its own and of the records it is linked to: what it is read under. */
  classification: Classification;
  captions: string[];
  title: string;
  description: string;
  owner: { office: string } | { post: string };
  ownerBureau: string;
  dueOn: string;
  status: string;
  overdue: boolean;
  overdueSince: string | null;
  escalatedTo: string | null;
  demarcheId: string | null;
  post: string | null;
  cableId: string | null;
  /** The number of the post's response it was opened from. */
  response: number | null;
  /** The response that has since corrected that one (which no longer counts), if any. */
  responseCorrectedBy: number | null;
  createdBy: string;
  outcome: string | null;
  cancelReason: string | null;
  comments: { text: string; by: { id: string; username: string }; at: string }[];
  version: number;
}

@Injectable()
export class FollowUpsQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
    private readonly policy: PolicyService,
  ) {}

  /**
   * The follow-ups the caller may read (the rest are neither listed nor counted), filtered; the
   * classified ones answered are audited as read in `view` (the list's, or the export's).
   */
  async list(principal: Principal, filter: FollowUpFilter, limit: number, offset: number, requestId: string, view: 'follow-ups' | 'follow-ups export' = 'follow-ups'): Promise<{ items: FollowUpSummary[]; total: number }> {
    const today = this.calendar.today();
    const access = readableFollowUpSql(principal, 7);
    const overdue = `(f.status IN ('OPEN', 'IN_PROGRESS') AND f.due_on < $1::date)`;
    const where = `($2::text IS NULL OR f.status = $2) AND ($3::boolean IS NULL OR ${overdue} = $3)
      AND ($4::text IS NULL OR f.owner_office = $4 OR f.owner_post = $4) AND ($5::text IS NULL OR f.owner_bureau = $5)
      AND ($6::uuid IS NULL OR f.demarche_id = $6) AND ${access.where}`;
    const params = [today, filter.status ?? null, filter.overdue ?? null, filter.owner ?? null, filter.bureau ?? null, filter.demarcheId ?? null, ...access.params];
    // The page and its total from one snapshot (pageAndCount).
    const { rows, counts } = await pageAndCount<FollowUpRow>(this.dataSource, {
      columns: `f.*, ${overdue} AS overdue, ${LINKED_MARKINGS_SQL}, ${RESPONSE_CORRECTED_SQL}`, from: `follow_ups f WHERE ${where}`, order: [['f.due_on'], ['f.id']], params, limit, offset,
    });
    const { total } = counts;
    const items = rows.map(toSummary);
    await this.policy.auditListRead(principal, { requestId, view, records: items.map((f) => ({ streamId: `followup-${f.id}`, classification: f.classification })) });
    return { items, total };
  }

  /**
   * One follow-up, whoever asks: the caller's right to read it is the FollowUpReader's to check.
   * `db`: inside a command, its transaction (the embedded pool has one connection: never ask for a second).
   */
  async get(id: string, db: Db = this.dataSource): Promise<FollowUpSummary | undefined> {
    const today = this.calendar.today();
    const [row] = await sql<FollowUpRow>(
      db,
      `SELECT f.*, (f.status IN ('OPEN', 'IN_PROGRESS') AND f.due_on < $2::date) AS overdue, ${LINKED_MARKINGS_SQL}, ${RESPONSE_CORRECTED_SQL} FROM follow_ups f WHERE f.id = $1::uuid`,
      [id, today],
    );
    return row && toSummary(row);
  }

  /** Open follow-ups past their due date that the scheduler has not yet recorded. */
  async newlyOverdue(now: Date = this.clock.now()): Promise<string[]> {
    const rows = await sql<{ id: string }>(
      this.dataSource,
      `SELECT id FROM follow_ups WHERE status IN ('OPEN', 'IN_PROGRESS') AND overdue_since IS NULL AND due_on < $1::date ORDER BY due_on`,
      [this.calendar.dayOf(now)],
    );
    return rows.map((row) => row.id);
  }
}

/**
 * Select-list columns (over `follow_ups f`) for the classification and captions of the records a
 * follow-up is linked to, as they are now; `followUpMarkings` reads them with its own (`f.classification`).
 */
export const LINKED_MARKINGS_SQL = `(SELECT array_agg(k.classification) FROM cables k WHERE k.id IN (f.cable_id, f.demarche_id)) AS linked_classifications,
  ARRAY(SELECT DISTINCT unnest(k.captions) FROM cables k WHERE k.id IN (f.cable_id, f.demarche_id) ORDER BY 1) AS linked_captions`;

/** The response that corrected the one a follow-up grew out of (the campaign's delivery read model says). */
const RESPONSE_CORRECTED_SQL = `(SELECT (r->>'correctedBy')::int FROM demarche_deliveries d, jsonb_array_elements(d.responses) r
  WHERE d.campaign_id = f.demarche_id AND d.post = f.post AND (r->>'number')::int = f.response_number) AS response_corrected_by`;

export interface FollowUpMarkingsRow {
  classification: Classification;
  linked_classifications: Classification[] | null;
  linked_captions: string[];
}
type FollowUpRow = Record<string, unknown> & FollowUpMarkingsRow;

/** A follow-up's markings as it is read: the highest of its own and its links' classifications, the links' captions combined by their rules. */
export function followUpMarkings(row: FollowUpMarkingsRow): { classification: Classification; captions: string[] } {
  return { classification: highestClassification(row.classification, ...(row.linked_classifications ?? [])), captions: combinedCaptions(row.linked_captions) };
}

function toSummary(row: FollowUpRow): FollowUpSummary {
  const date = (value: unknown) => value as string; // a `date` column, read as its text (`calendarDatesAsText`)
  return {
    id: row.id as string,
    ...followUpMarkings(row),
    title: row.title as string,
    description: row.description as string,
    owner: row.owner_office ? { office: row.owner_office as string } : { post: row.owner_post as string },
    ownerBureau: row.owner_bureau as string,
    dueOn: date(row.due_on),
    status: row.status as string,
    overdue: row.overdue as boolean,
    overdueSince: row.overdue_since ? (row.overdue_since as Date).toISOString() : null,
    escalatedTo: row.escalated_to as string | null,
    demarcheId: row.demarche_id as string | null,
    post: row.post as string | null,
    cableId: row.cable_id as string | null,
    response: (row.response_number as number | null) ?? null,
    responseCorrectedBy: (row.response_corrected_by as number | null) ?? null,
    createdBy: row.created_by as string,
    outcome: row.outcome as string | null,
    cancelReason: row.cancel_reason as string | null,
    comments: row.comments as FollowUpSummary['comments'],
    version: row.version as number,
  };
}
