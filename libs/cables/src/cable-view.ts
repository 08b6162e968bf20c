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
 * clearance request the drafter withdrew (with where it stood). Comments and reasons written while
 * the cable stood under markings the reader may not read (a draft since edited down) are withheld,
 * `null` with `withheld: true`, as the cable's history withholds their events.
 */
export function toCableView(cable: Cable, mayRead: MayReadWrittenUnder) {
  const hidden = (under: WrittenUnder | null) => under !== null && !mayRead(under);
  return {
    id: cable.id,
    ...cable.draft,
    origin: cable.origin,
    status: cable.status,
    version: cable.version,
    drafter: cable.drafter,
    clearances: cable.clearances.map(({ afterEdits, writtenUnder, ...clearance }) => ({
      ...clearance,
      ...(hidden(writtenUnder) ? { comments: null, withheld: true } : {}),
      editsSince: cable.edits.slice(afterEdits ?? 0),
    })),
    edits: cable.edits,
    returns: cable.returns.map(({ writtenUnder, ...ret }) => (hidden(writtenUnder) ? { ...ret, reason: null, withheld: true } : ret)),
    withdrawals: cable.withdrawals.map(({ writtenUnder, ...withdrawal }) => (hidden(writtenUnder) ? { ...withdrawal, comments: null, withheld: true } : withdrawal)),
    approvedBy: cable.approvedBy,
    mrn: cable.release?.mrn ?? null,
    releasedAt: cable.release?.releasedAt ?? null,
    dateTimeGroup: cable.release?.dateTimeGroup ?? null,
    distribution: cable.release ? [...cable.release.distribution.action, ...cable.release.distribution.info] : [],
    distributionDetail: cable.release?.distribution ?? null,
  };
}

export type CableView = ReturnType<typeof toCableView>;
