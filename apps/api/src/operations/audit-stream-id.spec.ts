import { streamIdAsStored } from './audit.controller.js';

describe("the audit list's streamId filter", () => {
  const campaign = '6c26b089-2f4e-4a51-9d3b-0e6f1c2a7b11';

  it('reads a stream id as the store spells it: record ids in lower case, post codes in capitals', () => {
    expect(streamIdAsStored(`cable-${campaign.toUpperCase()}`)).toBe(`cable-${campaign}`);
    for (const post of ['tokyo', 'Tokyo', 'TOKYO']) {
      expect(streamIdAsStored(`delivery-${campaign.toUpperCase()}:${post}`)).toBe(`delivery-${campaign}:TOKYO`);
      expect(streamIdAsStored(`post-${post}`)).toBe('post-TOKYO');
    }
    expect(streamIdAsStored(' offices-department ')).toBe('offices-department');
  });

  it('leaves what is no stream id of a known shape as it is (it matches nothing)', () => {
    expect(streamIdAsStored('delivery-not-a-uuid:tokyo')).toBe('delivery-not-a-uuid:tokyo');
    expect(streamIdAsStored('post-tokyo-2')).toBe('post-tokyo-2');
  });
});
