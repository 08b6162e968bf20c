import { placeInDraft } from './draft-places.js';

describe('where the draft form says what the server names', () => {
  it('places a paragraph’s problem beside the paragraph, whichever way the server names its member', () => {
    expect(placeInDraft('paragraphs[1].text')).toBe('para-1');
    expect(placeInDraft('paragraphs.0.text')).toBe('para-0');
    expect(placeInDraft('paragraphs.12.marking')).toBe('para-12');
  });

  it('places the classification block’s and the demarche’s fields, and nothing the form does not show', () => {
    expect(placeInDraft('classifiedBy.reasons.0')).toBe('classified-reasons');
    expect(placeInDraft('classifiedBy.name')).toBe('classified');
    expect(placeInDraft('demarche.scope.posts.1')).toBe('scope-posts');
    expect(placeInDraft('demarche.scope.kinds')).toBe('scope');
    expect(placeInDraft('actionAddressees[2]')).toBe('action');
    expect(placeInDraft('nosuch')).toBeNull();
  });
});
