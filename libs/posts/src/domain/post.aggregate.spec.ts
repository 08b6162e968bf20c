import { given } from '../../../../test/support/aggregate-spec.js';
import { US_POSTS } from '../seed/us-posts.seed.js';
import { addressDesignator, designatorCityProblem, Post, postDefinition, type PostFacts } from './post.aggregate.js';

const tokyo: PostFacts = { code: 'TOKYO', name: 'Embassy Tokyo', kind: 'EMBASSY', city: 'Tokyo', country: 'JP', countryTag: 'JA', bureau: 'EAP' };
const established = { type: 'PostEstablished' as const, data: tokyo };
const suspended = { type: 'PostSuspended' as const, data: { reason: 'typhoon' } };
const closed = { type: 'PostClosed' as const, data: { reason: 'relocated' } };

describe('Post', () => {
  it('is established with its facts', () => {
    const post = Post.establish(tokyo);
    expect(post.getUncommittedEvents()).toEqual([established]);
    expect(post.status).toBe('OPEN');
  });

  it.each([
    [{ code: 'tokyo' }, 'code'],
    [{ country: 'JPN' }, 'country'],
    [{ bureau: 'MARS' }, 'bureau'],
    [{ kind: 'OUTPOST' }, 'kind'],
    [{ name: '  ' }, 'name'],
    [{ countryTag: 'CH' }, 'countryTag'], // China's tag on a Japanese post
    [{ countryTag: 'QQ' }, 'countryTag'],
  ])('refuses to be established with %j', (override, field) => {
    expect(() => Post.establish({ ...tokyo, ...(override as Partial<PostFacts>) })).toThrow(expect.objectContaining({ code: 'RULE_VIOLATED', details: { errors: [expect.objectContaining({ field })] } }));
  });

  it('is suspended when open, and reopened when suspended', () => {
    given(postDefinition, 'TOKYO', [established]).when((p) => p.suspend('typhoon')).then([suspended]);
    given(postDefinition, 'TOKYO', [established, suspended]).when((p) => p.reopen()).then([{ type: 'PostReopened', data: {} }]);
  });

  it('is suspended or closed for a reason that says something', () => {
    given(postDefinition, 'TOKYO', [established]).when((p) => p.suspend(' \t ')).thenFails('RULE_VIOLATED', /say why the post is suspended/);
    given(postDefinition, 'TOKYO', [established]).when((p) => p.close('   ')).thenFails('RULE_VIOLATED', /say why the post is closed/);
    given(postDefinition, 'TOKYO', [established]).when((p) => p.suspend('  typhoon ')).then([suspended]);
  });

  it('refuses transitions that its status does not allow', () => {
    given(postDefinition, 'TOKYO', [established, suspended]).when((p) => p.suspend('again')).thenFails('INVALID_TRANSITION', /SUSPENDED/);
    given(postDefinition, 'TOKYO', [established]).when((p) => p.reopen()).thenFails('INVALID_TRANSITION', /TOKYO is OPEN; only a suspended post can be reopened/);
    given(postDefinition, 'TOKYO', [established, closed]).when((p) => p.reopen()).thenFails('INVALID_TRANSITION');
    given(postDefinition, 'TOKYO', [established, closed]).when((p) => p.rename('Embassy Edo')).thenFails('INVALID_TRANSITION', /CLOSED/);
    given(postDefinition, 'TOKYO', [established, closed]).when((p) => p.close('twice')).thenFails('INVALID_TRANSITION');
  });

  it('closes from open or suspended, and renames only to a new name', () => {
    given(postDefinition, 'TOKYO', [established, suspended]).when((p) => p.close('relocated')).then([closed]);
    given(postDefinition, 'TOKYO', [established]).when((p) => p.rename('Embassy Tokyo')).then([]);
    given(postDefinition, 'TOKYO', [established]).when((p) => p.rename('Embassy of the United States, Tokyo')).then([
      { type: 'PostRenamed', data: { name: 'Embassy of the United States, Tokyo' } },
    ]);
  });

  it('records its chief of mission, trimmed, only when it changes, and none again with null; not once closed', () => {
    const named = { type: 'ChiefOfMissionNamed' as const, data: { name: 'Margaret Ellison' } };
    given(postDefinition, 'TOKYO', [established]).when((p) => p.nameChiefOfMission('  Margaret Ellison ')).then([named]);
    given(postDefinition, 'TOKYO', [established, named]).when((p) => p.nameChiefOfMission('Margaret Ellison')).then([]);
    given(postDefinition, 'TOKYO', [established, named]).when((p) => p.nameChiefOfMission(null)).then([{ type: 'ChiefOfMissionNamed', data: { name: null } }]);
    given(postDefinition, 'TOKYO', [established]).when((p) => p.nameChiefOfMission('   ')).thenFails('RULE_VIOLATED');
    given(postDefinition, 'TOKYO', [established, closed]).when((p) => p.nameChiefOfMission('Margaret Ellison')).thenFails('INVALID_TRANSITION', /CLOSED/);
  });

  it('is addressed in telegrams by its designator', () => {
    expect(addressDesignator({ kind: 'EMBASSY', code: 'BEIJING', city: 'Beijing' })).toBe('AMEMBASSY BEIJING');
    expect(addressDesignator({ kind: 'CONSULATE_GENERAL', code: 'SHANGHAI', city: 'Shanghai' })).toBe('AMCONSUL SHANGHAI');
    expect(addressDesignator({ kind: 'CONSULATE_GENERAL', code: 'HONGKONG', city: 'Hong Kong' })).toBe('AMCONSUL HONG KONG');
    expect(addressDesignator({ kind: 'EMBASSY', code: 'PORTAUPRINCE', city: 'Port-au-Prince' })).toBe('AMEMBASSY PORT AU PRINCE');
    expect(addressDesignator({ kind: 'EMBASSY', code: 'NDJAMENA', city: "N'Djamena" })).toBe('AMEMBASSY NDJAMENA');
    expect(addressDesignator({ kind: 'EMBASSY', code: 'STGEORGES', city: "St. George's" })).toBe('AMEMBASSY ST GEORGES');
    expect(addressDesignator({ kind: 'EMBASSY', code: 'MEXICO', city: 'Mexico City' })).toBe('AMEMBASSY MEXICO');
    expect(addressDesignator({ kind: 'EMBASSY', code: 'VATICAN', city: 'Holy See' })).toBe('AMEMBASSY VATICAN');
    expect(addressDesignator({ kind: 'MISSION', code: 'AITTAIPEI', city: 'American Institute in Taiwan, Taipei' })).toBe('AIT TAIPEI');
    expect(addressDesignator({ kind: 'MISSION', code: 'USUNNEWYORK', city: 'U.S. Mission to the United Nations, New York' })).toBe('USMISSION USUN NEW YORK');
    expect(addressDesignator({ kind: 'MISSION', code: 'USXYZ', city: 'A new mission' })).toBe('USMISSION USXYZ');
  });

  it('writes a city in its designator as a telegram can carry it: compatibility forms folded, accents and invisible characters dropped', () => {
    const embassy = (city: string) => addressDesignator({ kind: 'EMBASSY', code: 'NEWPOST', city });
    // Full-width letters are the letters they stand for; a zero-width space or joiner writes nothing: each one is Tokyo.
    for (const city of ['\uff34\uff4f\uff4b\uff59\uff4f', 'To\u200bkyo', 'Tok\u200dyo', '\ufeffTokyo', 'To\u00adkyo', 'Tokyo\ufe0f']) expect(embassy(city)).toBe('AMEMBASSY TOKYO');
    expect(embassy('Reykjav\u00edk')).toBe('AMEMBASSY REYKJAVIK');
    expect(embassy('Reykjavi\u0301k')).toBe('AMEMBASSY REYKJAVIK');
    expect(embassy('\u0141\u00f3d\u017a')).toBe('AMEMBASSY LODZ');
    expect(embassy('T\u00f3rshavn \u00c6r\u00f8')).toBe('AMEMBASSY TORSHAVN AERO');
    expect(embassy('Gie\u00dfen')).toBe('AMEMBASSY GIESSEN');
    expect(embassy('Nuku\u02bbalofa')).toBe('AMEMBASSY NUKUALOFA');
  });

  it('says which character of a city a telegram designator cannot carry, and finds nothing to say of the seed\'s cities', () => {
    expect(designatorCityProblem('T\u043ekyo')).toBe('city must be written in Latin letters, as its telegram designator is: "\u043e" (U+043E) is not one');
    expect(designatorCityProblem('To\u200bkyo')).toBe("city must not hold the invisible character U+200B: a telegram designator cannot carry it");
    expect(designatorCityProblem('\ufeffTokyo')).toBe("city must not hold the invisible character U+FEFF: a telegram designator cannot carry it");
    expect(designatorCityProblem('Tokyo \u{1f5fc}')).toBe(`city must not hold "\u{1f5fc}" (U+1F5FC): a telegram designator carries letters A to Z (accented or not), digits, spaces and . , ' - ( ) only`);
    expect(designatorCityProblem('Tokyo\uffff')).toBe("city must not hold U+FFFF: a telegram designator carries letters A to Z (accented or not), digits, spaces and . , ' - ( ) only");
    for (const city of ['\uff34\uff4f\uff4b\uff59\uff4f', 'Reykjav\u00edk', '\u0141\u00f3d\u017a', "St. George's", 'Port-au-Prince', 'U.S. Mission to NATO, Brussels']) expect(designatorCityProblem(city)).toBeUndefined();
    for (const [, city] of US_POSTS) expect(designatorCityProblem(city)).toBeUndefined();
  });

  it('is refused a city whose designator a telegram cannot carry', () => {
    for (const city of ['T\u043ekyo', 'To\u200bkyo']) {
      expect(() => Post.establish({ ...tokyo, city })).toThrow(expect.objectContaining({ code: 'RULE_VIOLATED', details: { errors: [{ field: 'city', message: designatorCityProblem(city) }] } }));
    }
  });
});
