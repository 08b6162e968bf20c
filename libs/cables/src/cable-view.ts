import type { Cable } from './domain/cable.aggregate.js';

/** A cable as the API answers it: the draft fields plus its state. */
export function toCableView(cable: Cable) {
  return {
    id: cable.id,
    ...cable.draft,
    origin: cable.origin,
    status: cable.status,
    version: cable.version,
    drafter: cable.drafter,
    clearances: cable.clearances,
    approvedBy: cable.approvedBy,
    mrn: cable.release?.mrn ?? null,
    releasedAt: cable.release?.releasedAt ?? null,
    dateTimeGroup: cable.release?.dateTimeGroup ?? null,
    distribution: cable.release ? [...cable.release.distribution.action, ...cable.release.distribution.info] : [],
    distributionDetail: cable.release?.distribution ?? null,
  };
}

export type CableView = ReturnType<typeof toCableView>;
