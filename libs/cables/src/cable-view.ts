import type { Cable } from './domain/cable.aggregate.js';

/**
 * A cable as the API answers it: the draft fields plus its state. Each clearance shows its
 * comments and the edits made since that office last answered (`editsSince`: who changed which
 * fields, for which office); `edits` lists every edit, `returns` every return, `withdrawals` every
 * clearance request the drafter withdrew (with where it stood).
 */
export function toCableView(cable: Cable) {
  return {
    id: cable.id,
    ...cable.draft,
    origin: cable.origin,
    status: cable.status,
    version: cable.version,
    drafter: cable.drafter,
    clearances: cable.clearances.map(({ afterEdits, ...clearance }) => ({ ...clearance, editsSince: cable.edits.slice(afterEdits ?? 0) })),
    edits: cable.edits,
    returns: cable.returns,
    withdrawals: cable.withdrawals,
    approvedBy: cable.approvedBy,
    mrn: cable.release?.mrn ?? null,
    releasedAt: cable.release?.releasedAt ?? null,
    dateTimeGroup: cable.release?.dateTimeGroup ?? null,
    distribution: cable.release ? [...cable.release.distribution.action, ...cable.release.distribution.info] : [],
    distributionDetail: cable.release?.distribution ?? null,
  };
}

export type CableView = ReturnType<typeof toCableView>;
