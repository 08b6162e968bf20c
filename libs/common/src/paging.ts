/** A page of a list held whole in memory (a record's history): `limit` items from `offset`; all of them without a limit. */
export interface HistoryPage {
  limit?: number;
  offset?: number;
}

export function pageOf<T>(items: readonly T[], { limit, offset = 0 }: HistoryPage): T[] {
  return items.slice(offset, limit === undefined ? undefined : offset + limit);
}
