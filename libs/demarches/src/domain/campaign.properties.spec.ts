import fc from 'fast-check';
import { fold, stateOf, stored } from '../../../../test/support/fold-properties.js';
import { Campaign, campaignDefinition } from './campaign.aggregate.js';

describe('Campaign, folded', () => {
  it('folds its stored events to the state that decided them', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('BEIJING', 'TOKYO', 'LONDON'), { minLength: 1, maxLength: 6 }), fc.subarray(['NODIS', 'SIPDIS']), (posts, captions) => {
        const campaign = Campaign.open(
          { cableId: 'k1', mrn: '26 STATE 000124', subject: 'Demarche', classification: 'CONFIDENTIAL', captions, reportBy: '2026-12-15', targets: 'MFA', posts, workingParty: ['d1'] },
          '2026-11-29T10:00:00.000Z',
        );
        const events = [...campaign.getUncommittedEvents()];
        expect(stateOf(fold(campaignDefinition, 'k1', stored(events)))).toEqual(stateOf(campaign));
      }),
    );
  });
});
