import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PolicyService } from '@chancery/identity';
import { type Db, pageAndCount, type SortKey, sql } from '@chancery/database';
import { EventStore } from '@chancery/event-store';
import { fullMrn } from './domain/cable-format.js';
import { type CableAccess, DEPARTMENT_ORIGIN, type Principal, readableCableSql, TASKING_OF_POST_SQL } from '@chancery/identity/domain';

export interface CableFilter {
  status?: string;
  origin?: string;
  tag?: string;
  q?: string;
  /** Cables citing this MRN among their references (full or compact form). */
  ref?: string;
  /** Released cables that went to this post ... */
  addressee?: string;
  /** ... as an action or an info addressee (either when absent). */
  role?: 'action' | 'info';
  /** The cables this user drafted: `me` (the caller) or a user's id. */
  drafter?: string;
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

/** A cable that cites another by REF, as the cited one lists it. */
export type CableReply = Pick<CableSummary, 'id' | 'mrn' | 'origin' | 'kind' | 'subject' | 'status' | 'classification' | 'captions' | 'releasedAt'>;

const SUMMARY_COLUMNS = 'id, mrn, origin, status, kind, subject, classification, captions, precedence, tags, released_at, updated_at, version';

/** A summary as the cables table has it: times as `Date`s, in its column names. */
type SummaryRow = Omit<CableSummary, 'releasedAt' | 'updatedAt'> & { released_at: Date | null; updated_at: Date };

function toSummary(row: SummaryRow): CableSummary {
  return {
    id: row.id, mrn: row.mrn, origin: row.origin, status: row.status, kind: row.kind, subject: row.subject, classification: row.classification,
    captions: row.captions, precedence: row.precedence, tags: row.tags, releasedAt: row.released_at?.toISOString() ?? null, updatedAt: row.updated_at.toISOString(), version: row.version,
  };
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
    private readonly store: EventStore,
  ) {}

  async list(principal: Principal, filter: CableFilter, limit: number, offset: number, requestId: string): Promise<{ items: CableSummary[]; total: number }> {
    // The caller's need-to-know, as SQL: what they may not read is neither listed nor counted.
    const access = readableCableSql(principal, 1);
    const where = `${access.where}
      AND ($9::text IS NULL OR status = $9) AND ($10::text IS NULL OR origin = $10) AND ($11::text IS NULL OR $11 = ANY(tags))
      AND ($12::text IS NULL OR search @@ websearch_to_tsquery('chancery_english', $12) OR (NOT $16 AND search @@ websearch_to_tsquery('chancery_simple', $12)))
      AND ($13::text IS NULL OR reference_mrns @> ARRAY[$13::text])
      AND ($14::text IS NULL OR (status = 'RELEASED' AND (
        ($15::text IS DISTINCT FROM 'info' AND action_posts @> ARRAY[$14::text]) OR ($15::text IS DISTINCT FROM 'action' AND info_posts @> ARRAY[$14::text]))))
      AND ($17::uuid IS NULL OR drafter_id = $17::uuid)`;
    const params = [
      ...access.params, filter.status ?? null, filter.origin ?? null, filter.tag ?? null, filter.q ?? null,
      filter.ref ? fullMrn(filter.ref) : null, filter.addressee ?? null, filter.role ?? null,
      // A word excluded (`-chips`) is excluded by the English match alone: the unstemmed one would
      // find no `chips` among the stemmed words (`chip`) and let the cable through.
      filter.q !== undefined && /(^|\s)-[^\s-]/.test(filter.q),
      filter.drafter === 'me' ? principal.id : (filter.drafter ?? null),
    ];
    // The page and its total from one snapshot (pageAndCount).
    const rank: SortKey[] = filter.q ? [[`ts_rank(search, websearch_to_tsquery('chancery_english', $12))`, 'DESC']] : [];
    const { rows, counts } = await pageAndCount<SummaryRow>(this.dataSource, {
      columns: SUMMARY_COLUMNS, from: `cables k WHERE ${where}`, order: [...rank, ['updated_at', 'DESC'], ['id']], params, limit, offset,
    });
    const { total } = counts;
    const items = rows.map(toSummary);
    await this.policy.auditListRead(principal, { requestId, view: filter.q ? 'search' : 'list', records: items.map((c) => ({ streamId: `cable-${c.id}`, classification: c.classification })) });
    return { items, total };
  }

  /**
   * The cables that cite `mrn` by REF (replies, reporting cables), those `principal` may read (the
   * access filter is in the WHERE clause). `asOf`: as the citing cable stood at
   * that instant, the replies whose release the store recorded by then (by its clock, as every
   * as-of read; a released cable never changes, so each is as it was; a draft's state then is not
   * kept here, so drafts are left out).
   */
  async replies(principal: Principal, mrn: string, asOf?: Date, db: Db = this.dataSource): Promise<CableReply[]> {
    // Not before every release begun by `asOf` has committed (EventStore.settle).
    if (asOf) await this.store.settle(asOf, db);
    const access = readableCableSql(principal, 1);
    const rows = await sql<SummaryRow>(
      db,
      `SELECT ${SUMMARY_COLUMNS} FROM cables k
       WHERE ${access.where} AND reference_mrns @> ARRAY[$9::text]
         AND ($10::timestamptz IS NULL OR (status = 'RELEASED' AND EXISTS (
           SELECT 1 FROM events e WHERE e.stream_id = 'cable-' || k.id::text AND e.type = 'CableReleased'
             AND e.recorded_at < $10::timestamptz + interval '1 millisecond')))
       ORDER BY released_at NULLS LAST, drafted_at, id`,
      [...access.params, mrn, asOf ?? null],
    );
    // Marked as listed elsewhere, captions and all: a page that names a NOFORN reply's subject carries NOFORN.
    return rows.map(toSummary).map(({ id, mrn, origin, kind, subject, status, classification, captions, releasedAt }) => ({ id, mrn, origin, kind, subject, status, classification, captions, releasedAt }));
  }

  /**
   * For a post's cable, who tasked it: the drafters and drafting offices of the cables it cites by
   * REF (a Department cable is read by no tasking desk). Pass a command's transaction inside one.
   */
  async taskingDesks(cable: { origin: string; draft: { references: { mrn: string }[] } }, db: Db = this.dataSource): Promise<CableAccess['taskingDesks']> {
    if (cable.origin === DEPARTMENT_ORIGIN || cable.draft.references.length === 0) return [];
    const rows = await sql<{ drafter_id: string; drafting_office: string | null; narrowed: boolean }>(
      db,
      `SELECT drafter_id::text, drafting_office, narrowed FROM cables tasking WHERE mrn = ANY($1::text[]) AND ${TASKING_OF_POST_SQL('$2')} ORDER BY mrn`,
      [cable.draft.references.map((r) => r.mrn), cable.origin],
    );
    return rows.map((row) => ({ drafterId: row.drafter_id, draftingOffice: row.drafting_office, narrowed: row.narrowed }));
  }

  /** Whether `mrn` is a released cable (that `reader` may read, when one is named). */
  async isReleasedMrn(mrn: string, reader: Principal | null, db: Db = this.dataSource): Promise<boolean> {
    if (reader === null) return (await sql(db, `SELECT 1 FROM cables WHERE mrn = $1 AND status = 'RELEASED'`, [mrn])).length > 0;
    const access = readableCableSql(reader, 2);
    return (await sql(db, `SELECT 1 FROM cables k WHERE k.mrn = $1 AND k.status = 'RELEASED' AND ${access.where}`, [mrn, ...access.params])).length > 0;
  }
}
