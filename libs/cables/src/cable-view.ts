import { type Classification, highestClassification } from '@chancery/identity/domain';
import type { Cable, WrittenUnder } from './domain/cable.aggregate.js';

/**
 * Whether the reader may read text written while the cable stood under `markings`: the same
 * question as for reading that version (`readDecision`, the cable as it is now and as it was then).
 */
export type MayReadWrittenUnder = (markings: WrittenUnder) => boolean;

/**
 * A cable as the API answers it: the draft fields plus its state. Each clearance shows its
 * comments and the edits made since that office last answered (`editsSince`: who changed which
 * fields, for which office); `edits` lists every edit, `returns` every return, `withdrawals` every
 * clearance request the drafter withdrew (with where it stood). What was written where the reader
 * may not read (`mayRead` of how the cable stood then: a draft since edited down; any draft, for the
 * posts a cable went to) is withheld as the cable's history withholds its events: an edit, a return
 * or a withdrawal keeps only its time (`{at, withheld: true}`), a clearance its office, decision,
 * clearer and time (what the telegram's Cleared lines print) without its comments.
 */
export function toCableView(cable: Cable, mayRead: MayReadWrittenUnder) {
  const hidden = (under: WrittenUnder | null) => under !== null && !mayRead(under);
  const shown = <T extends { at: string; writtenUnder: WrittenUnder }>({ writtenUnder, ...entry }: T) =>
    hidden(writtenUnder) ? { at: entry.at, withheld: true as const } : entry;
  const edits = cable.edits.map(shown);
  return {
    id: cable.id,
    ...cable.draft,
    origin: cable.origin,
    status: cable.status,
    version: cable.version,
    drafter: cable.drafter,
    clearances: cable.clearances.map(({ afterEdits, writtenUnder, objection: _objection, ...clearance }) => ({
      ...clearance,
      ...(hidden(writtenUnder) ? { comments: null, withheld: true } : {}),
      editsSince: edits.slice(afterEdits ?? 0),
    })),
    edits,
    returns: cable.returns.map(shown),
    withdrawals: cable.withdrawals.map(shown),
    approvedBy: cable.approvedBy,
    mrn: cable.release?.mrn ?? null,
    releasedAt: cable.release?.releasedAt ?? null,
    dateTimeGroup: cable.release?.dateTimeGroup ?? null,
    distribution: cable.release ? [...cable.release.distribution.action, ...cable.release.distribution.info] : [],
    distributionDetail: cable.release?.distribution ?? null,
  };
}

export type CableView = ReturnType<typeof toCableView>;

/** The officers a cable view names (`drafter`, `approvedBy`, and each clearance's, edit's, return's and withdrawal's `by`), by id. */
export function officersIn(view: CableView): string[] {
  const named = [view.drafter, view.approvedBy, ...view.clearances.map((c) => c.by), ...[...view.edits, ...view.returns, ...view.withdrawals].map((e) => ('by' in e ? e.by : null))];
  return [...new Set(named.flatMap((officer) => (officer ? [officer.id] : [])))];
}

/**
 * The officers an event names (its `by`, a cable's `drafter`, a follow-up's `createdBy`: an officer
 * or an id), by id, and its actor's: what a history entry shown names.
 */
export function officersOfEvent(data: object, actorId: string | null): string[] {
  const { by, drafter, createdBy } = data as { by?: unknown; drafter?: unknown; createdBy?: unknown };
  const idOf = (value: unknown) => (typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : null);
  return [idOf(by), idOf(drafter), idOf(createdBy), actorId].filter((id): id is string => id !== null);
}

/**
 * The highest marking of the text `toCableView` shows with the same `mayRead`: the draft's, and that
 * of each comment, reason and withdrawal it shows, as the cable stood when that was written (a draft
 * marked down keeps its SECRET-era comments for those cleared to read them). A read of the view is
 * audited at this marking. Edits show who changed which fields, not text, and do not raise it.
 */
export function highestShown(cable: Cable, mayRead: MayReadWrittenUnder): Classification {
  const written = [
    ...cable.clearances.filter((c) => c.comments !== null).map((c) => c.writtenUnder),
    ...cable.returns.map((r) => r.writtenUnder),
    ...cable.withdrawals.filter((w) => w.comments !== null).map((w) => w.writtenUnder),
  ];
  const shown = written.filter((under): under is WrittenUnder => under !== null && mayRead(under));
  return highestClassification(cable.draft.classification, ...shown.map((under) => under.classification));
}
