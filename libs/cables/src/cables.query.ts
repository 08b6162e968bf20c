import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PolicyService } from '@chancery/identity';
import { type Db, sql } from '@chancery/database';
import { type CableAccess, DEPARTMENT_ORIGIN, type Principal, readableCableSql } from '@chancery/identity/domain';

export interface CableFilter {
  status?: string;
  origin?: string;
  tag?: string;
  q?: string;
}

export interface CableSummary {
  id: string;
  mrn: string | null;
  origin: string;
  status: string;
  kind: string;
  subject: string;
  classification: string;
  captions: string[];
  precedence: string;
  tags: string[];
  releasedAt: string | null;
  updatedAt: string;
  version: number;
}

/**
 * Lists and full-text search over cables. What the caller may not read is excluded by the WHERE
 * clause itself (clearance level, NODIS/EXDIS narrowing), so counts and pages never leak it.
 */
@Injectable()
export class CablesQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: PolicyService,
  ) {}

  async list(principal: Principal, filter: CableFilter, limit: number, offset: number, requestId: string): Promise<{ items: CableSummary[]; total: number }> {
    // The caller's need-to-know, as SQL: what they may not read is neither listed nor counted.
    const access = readableCableSql(principal, 1);
    const where = `${access.where}
      AND ($9::text IS NULL OR status = $9) AND ($10::text IS NULL OR origin = $10) AND ($11::text IS NULL OR $11 = ANY(tags))
      AND ($12::text IS NULL OR search @@ websearch_to_tsquery('english', $12) OR search @@ websearch_to_tsquery('simple', $12))`;
    const params = [...access.params, filter.status ?? null, filter.origin ?? null, filter.tag ?? null, filter.q ?? null];
    const order = filter.q
      ? `ts_rank(search, websearch_to_tsquery('english', $12)) DESC, updated_at DESC`
      : 'updated_at DESC';
    const rows = await sql<Record<string, unknown>>(
      this.dataSource,
      `SELECT id, mrn, origin, status, kind, subject, classification, captions, precedence, tags, released_at, updated_at, version
       FROM cables k WHERE ${where} ORDER BY ${order}, id LIMIT $13 OFFSET $14`,
      [...params, limit, offset],
    );
    const [{ total }] = await sql<{ total: number }>(this.dataSource, `SELECT count(*)::int AS total FROM cables k WHERE ${where}`, params);
    const items = rows.map((row) => ({
        id: row.id as string,
        mrn: row.mrn as string | null,
        origin: row.origin as string,
        status: row.status as string,
        kind: row.kind as string,
        subject: row.subject as string,
        classification: row.classification as string,
        captions: row.captions as string[],
        precedence: row.precedence as string,
        tags: row.tags as string[],
        releasedAt: row.released_at ? (row.released_at as Date).toISOString() : null,
        updatedAt: (row.updated_at as Date).toISOString(),
        version: row.version as number,
      }));
    await this.policy.auditListRead(principal, { requestId, view: filter.q ? 'search' : 'list', records: items.map((c) => ({ streamId: `cable-${c.id}`, classification: c.classification })) });
    return { items, total };
  }

  /**
   * For a post's cable, who tasked it: the drafters and drafting offices of the cables it cites by
   * REF (a Department cable is read by no tasking desk). Pass a command's transaction inside one.
   */
  async taskingDesks(cable: { origin: string; draft: { references: { mrn: string }[] } }, db: Db = this.dataSource): Promise<CableAccess['taskingDesks']> {
    if (cable.origin === DEPARTMENT_ORIGIN || cable.draft.references.length === 0) return [];
    const rows = await sql<{ drafter_id: string; drafting_office: string | null }>(
      db,
      'SELECT drafter_id::text, drafting_office FROM cables WHERE mrn = ANY($1::text[]) ORDER BY mrn',
      [cable.draft.references.map((r) => r.mrn)],
    );
    return rows.map((row) => ({ drafterId: row.drafter_id, draftingOffice: row.drafting_office }));
  }

  async isReleasedMrn(mrn: string, db: Db = this.dataSource): Promise<boolean> {
    const rows = await sql(db, `SELECT 1 FROM cables WHERE mrn = $1 AND status = 'RELEASED'`, [mrn]);
    return rows.length > 0;
  }
}
