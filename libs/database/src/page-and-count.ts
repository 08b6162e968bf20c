import { type Db, sql } from './sql.js';

/** A sort key: an expression over the rows of `from`, and how it sorts (`'DESC'`, `'DESC NULLS FIRST'`; ascending by default). */
export type SortKey = readonly [expression: string, direction?: string];

export interface PageQuery {
  /** The select list of a row of the page. */
  columns: string;
  /** `table alias WHERE …`, the caller's access filter in it: what is neither listed nor counted. */
  from: string;
  /** The page's order, to the last key that makes it total (an id). */
  order: readonly SortKey[];
  /** The parameters `from` and `columns` use, $1 to $n; the window's are put after them. */
  params: readonly unknown[];
  limit: number;
  offset: number;
  /** What is counted over all of `from`, by name (`count(*)::int AS total` unless told). */
  counts?: string;
}

/**
 * A page of rows and the counts of all of them, in one statement, so from one snapshot: a page never
 * disagrees with its total, whatever commits meanwhile (two reads apart do: a row committed between
 * them is counted and not listed, or the other way round).
 *
 * The counts' one row is joined `LEFT JOIN LATERAL` to the page (its own `ORDER BY`, `LIMIT`, `OFFSET`:
 * a top-N sort), so a page past the end still answers the counts; the page's rows carry their sort
 * keys out of the join, and are sorted again by them outside it (a page of rows, not the whole list).
 */
export async function pageAndCount<Row, Counts = { total: number }>(db: Db, query: PageQuery): Promise<{ rows: Row[]; counts: Counts }> {
  const { columns, from, order, params, limit, offset, counts = 'count(*)::int AS total' } = query;
  if (order.length === 0) throw new Error('pageAndCount needs an order');
  const keys = order.map(([expression], i) => `${expression} AS page_key_${i}`).join(', ');
  const inner = order.map(([expression, direction]) => `${expression} ${direction ?? ''}`.trim()).join(', ');
  const outer = order.map(([, direction], i) => `paged.page_key_${i} ${direction ?? ''}`.trim()).join(', ');
  const answer = await sql<Record<string, unknown>>(
    db,
    `SELECT row_to_json(counted) AS page_counts, paged.* FROM (SELECT ${counts} FROM ${from}) counted
     LEFT JOIN LATERAL (
       SELECT ${columns}, ${keys}, true AS page_row FROM ${from} ORDER BY ${inner} LIMIT $${params.length + 1} OFFSET $${params.length + 2}
     ) paged ON true
     ORDER BY ${outer}`,
    [...params, limit, offset],
  );
  const rows = answer
    .filter((row) => row.page_row !== null)
    .map((row) => {
      const { page_counts: _counts, page_row: _row, ...rest } = row;
      for (let i = 0; i < order.length; i++) delete rest[`page_key_${i}`];
      return rest as Row;
    });
  return { rows, counts: answer[0].page_counts as Counts };
}
