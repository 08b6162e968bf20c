import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Db, sql } from '@chancery/database';
import { type Principal, readableCableSql } from '@chancery/identity/domain';

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
  constructor(private readonly dataSource: DataSource) {}

  async list(principal: Principal, filter: CableFilter, limit: number, offset: number): Promise<{ items: CableSummary[]; total: number }> {
    // The caller's need-to-know, as SQL: what they may not read is neither listed nor counted.
    const access = readableCableSql(principal, 1);
    const where = `${access.where}
      AND ($7::text IS NULL OR status = $7) AND ($8::text IS NULL OR origin = $8) AND ($9::text IS NULL OR $9 = ANY(tags))
      AND ($10::text IS NULL OR search @@ websearch_to_tsquery('english', $10) OR search @@ websearch_to_tsquery('simple', $10))`;
    const params = [...access.params, filter.status ?? null, filter.origin ?? null, filter.tag ?? null, filter.q ?? null];
    const order = filter.q
      ? `ts_rank(search, websearch_to_tsquery('english', $10)) DESC, updated_at DESC`
      : 'updated_at DESC';
    const rows = await sql<Record<string, unknown>>(
      this.dataSource,
      `SELECT id, mrn, origin, status, kind, subject, classification, captions, precedence, tags, released_at, updated_at, version
       FROM cables k WHERE ${where} ORDER BY ${order}, id LIMIT $11 OFFSET $12`,
      [...params, limit, offset],
    );
    const [{ total }] = await sql<{ total: number }>(this.dataSource, `SELECT count(*)::int AS total FROM cables k WHERE ${where}`, params);
    return {
      items: rows.map((row) => ({
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
      })),
      total,
    };
  }

  async isReleasedMrn(mrn: string, db: Db = this.dataSource): Promise<boolean> {
    const rows = await sql(db, `SELECT 1 FROM cables WHERE mrn = $1 AND status = 'RELEASED'`, [mrn]);
    return rows.length > 0;
  }
}
