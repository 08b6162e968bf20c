import { cableDefinition } from '../../../../libs/cables/src/domain/cable.aggregate.js';
import { campaignDefinition } from '../../../../libs/demarches/src/domain/campaign.aggregate.js';
import { deliveryDefinition } from '../../../../libs/demarches/src/domain/delivery.aggregate.js';
import { followUpDefinition } from '../../../../libs/follow-ups/src/domain/follow-up.aggregate.js';
import { describeEvent } from './event-sentences.js';

/** What a type the page does not know reads as: its name in words. */
const fallback = (type: string) => type.replace(/([a-z])([A-Z])/g, '$1 $2');

describe('the timelines\' sentences', () => {
  // Every event a cable's, a campaign's, a delivery's or a follow-up's history can hold, as the
  // aggregates declare them (their schema versions list every type): each is said in words of its own.
  const shown = [cableDefinition, campaignDefinition, deliveryDefinition, followUpDefinition].flatMap((definition) => Object.keys(definition.schemaVersions));

  it.each(shown)('says %s in a sentence of its own', (type) => {
    const sentence = describeEvent({ version: 1, type, at: '2026-12-01T10:00:00.000Z', actor: null, data: {}, post: 'BEIJING' }, new Map([['BEIJING', { name: 'Embassy Beijing' }]]));
    expect(sentence).not.toBe(fallback(type));
    expect(sentence.length).toBeGreaterThan(0);
  });

  it('says a correction as one, not as a new answer', () => {
    const posts = new Map([['WARSAW', { name: 'Embassy Warsaw' }]]);
    const logged = (data: Record<string, unknown>) => describeEvent({ version: 4, type: 'ResponseLogged', at: '2026-12-03T10:00:00.000Z', actor: null, data, post: 'WARSAW' }, posts);
    expect(logged({ number: 2, position: 'OPPOSED', corrects: null })).toBe('Embassy Warsaw logged a response: opposed');
    expect(logged({ number: 3, position: 'RECEPTIVE', corrects: 1 })).toBe('Embassy Warsaw corrected response 1: receptive');
  });

  it('names a type it does not know in words, and an event withheld as withheld', () => {
    expect(describeEvent({ version: 1, type: 'SomethingNewHappened', at: '', actor: null, data: {} })).toBe('Something New Happened');
    expect(describeEvent({ version: 2, type: 'CableEdited', at: '', actor: null, data: null })).toBe('Cable edited: withheld (not yours to read as the cable stood then)');
  });
});
