import { followUpDefinition } from '../domain/follow-up.aggregate.js';
import { FollowUpsProjection } from './follow-ups.projection.js';

describe('FollowUpsProjection', () => {
  it('handles every event a follow-up records, so that none is skipped by the runner and left out of the table', () => {
    expect([...new FollowUpsProjection().handles].sort()).toEqual(Object.keys(followUpDefinition.schemaVersions).sort());
  });
});
