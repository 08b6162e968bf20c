import { api, ApiError } from './api.js';

/** The inbox's sections, as `GET /inbox?section=` names them. */
export type InboxSection = 'toClear' | 'toApprove' | 'taskings' | 'followUps' | 'returned' | 'escalated';

/** One section's items read so far, and how many it holds. */
export interface Paged<T> {
  items: T[];
  total: number;
}

/** How many items a section's page holds: the server's default for the whole inbox, and the page *Show more* reads. */
export const INBOX_PAGE = 50;
/** The most a section answers in one request. */
const MOST = 200;

/** An inbox item's record id, whichever section it is in (and whichever name the server gives it). */
export const itemKey = (item: object): string => {
  const { cableId, demarcheId, followUpId, id } = item as { cableId?: string; demarcheId?: string; followUpId?: string; id?: string };
  return cableId ?? demarcheId ?? followUpId ?? id ?? '';
};

/**
 * `next` after `shown`, each item once: an item that moved up a page between the two reads (one
 * before it was cleared meanwhile) is not shown twice. The total is the newer read's.
 */
export function joined<T extends object>(shown: Paged<T>, next: Paged<T>): Paged<T> {
  const seen = new Set(shown.items.map(itemKey));
  return { items: [...shown.items, ...next.items.filter((item) => !seen.has(itemKey(item)))], total: next.total };
}

/**
 * How many items of a section the user asked to see on a screen (*Show more*), by user, kept in
 * this tab's memory: the screen read again (a live notice mounts it afresh) shows as many again, not
 * its first page. A reload forgets it.
 */
const asked = new Map<string, number>();
const askedKey = (userId: string, screen: string, section: InboxSection) => `${userId}:${screen}:${section}`;
export const askedFor = (userId: string, screen: string, section: InboxSection): number => asked.get(askedKey(userId, screen, section)) ?? 0;
export const noteAsked = (userId: string, screen: string, section: InboxSection, count: number): void => void asked.set(askedKey(userId, screen, section), count);

/**
 * One page of a section, `limit` items from `offset`. A server without sections (it refuses the
 * parameters, 400) answers its whole inbox: the section is then read whole, once.
 */
export async function sectionPage<T extends object>(section: InboxSection, offset: number, limit = INBOX_PAGE): Promise<Paged<T>> {
  try {
    return await api<Paged<T>>('GET', `/inbox?section=${section}&limit=${Math.min(limit, MOST)}&offset=${offset}`);
  } catch (failure) {
    if (!(failure instanceof ApiError && failure.status === 400)) throw failure;
    const whole = await api<Partial<Record<InboxSection, T[]>>>('GET', '/inbox');
    const items = whole[section] ?? [];
    return { items: offset === 0 ? items : [], total: items.length };
  }
}

/** The section read on from `shown` until it holds `count` items (or all there are), a page of at most 200 at a time. */
export async function readOn<T extends object>(section: InboxSection, shown: Paged<T>, count: number): Promise<Paged<T>> {
  let page = shown;
  while (page.items.length < Math.min(count, page.total)) {
    const next = joined(page, await sectionPage<T>(section, page.items.length, count - page.items.length));
    // Nothing new (the section shrank meanwhile, or what came was shown already): as far as it goes.
    if (next.items.length === page.items.length) return next;
    page = next;
  }
  return page;
}
