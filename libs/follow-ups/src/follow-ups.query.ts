import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, utcDate } from '@chancery/common';
import { sql } from '@chancery/database';

export interface FollowUpFilter {
  status?: string;
  overdue?: boolean;
  owner?: string;
  bureau?: string;
  demarcheId?: string;
}

export interface FollowUpSummary {
  id: string;
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
  ) {}

  async list(filter: FollowUpFilter, limit: number, offset: number): Promise<{ items: FollowUpSummary[]; total: number }> {
    const today = utcDate(this.clock.now());
    const overdue = `(status IN ('OPEN', 'IN_PROGRESS') AND due_on < $1::date)`;
    const where = `($2::text IS NULL OR status = $2) AND ($3::boolean IS NULL OR ${overdue} = $3)
      AND ($4::text IS NULL OR owner_office = $4 OR owner_post = $4) AND ($5::text IS NULL OR owner_bureau = $5)
      AND ($6::uuid IS NULL OR demarche_id = $6)`;
    const params = [today, filter.status ?? null, filter.overdue ?? null, filter.owner ?? null, filter.bureau ?? null, filter.demarcheId ?? null];
    const rows = await sql<Record<string, unknown>>(this.dataSource, `SELECT *, ${overdue} AS overdue FROM follow_ups WHERE ${where} ORDER BY due_on, id LIMIT $7 OFFSET $8`, [...params, limit, offset]);
    const [{ total }] = await sql<{ total: number }>(this.dataSource, `SELECT count(*)::int AS total FROM follow_ups WHERE ${where}`, params);
    return { items: rows.map(toSummary), total };
  }

  async get(id: string): Promise<FollowUpSummary | undefined> {
    const today = utcDate(this.clock.now());
    const [row] = await sql<Record<string, unknown>>(
      this.dataSource,
      `SELECT *, (status IN ('OPEN', 'IN_PROGRESS') AND due_on < $2::date) AS overdue FROM follow_ups WHERE id = $1::uuid`,
      [id, today],
    );
    return row && toSummary(row);
  }

  /** Open follow-ups past their due date that the scheduler has not yet recorded. */
  async newlyOverdue(now: Date = this.clock.now()): Promise<string[]> {
    const rows = await sql<{ id: string }>(
      this.dataSource,
      `SELECT id FROM follow_ups WHERE status IN ('OPEN', 'IN_PROGRESS') AND overdue_since IS NULL AND due_on < $1::date ORDER BY due_on`,
      [utcDate(now)],
    );
    return rows.map((row) => row.id);
  }
}

function toSummary(row: Record<string, unknown>): FollowUpSummary {
  const date = (value: unknown) => (value instanceof Date ? utcDate(value) : (value as string));
  return {
    id: row.id as string,
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
    createdBy: row.created_by as string,
    outcome: row.outcome as string | null,
    cancelReason: row.cancel_reason as string | null,
    comments: row.comments as FollowUpSummary['comments'],
    version: row.version as number,
  };
}
