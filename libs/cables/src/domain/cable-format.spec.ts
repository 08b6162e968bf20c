import { confidentialDraft, world } from '../../../../test/fixtures/cable.fixtures.js';
import {
  type CableDraft, combinedCaptions, compactMrn, dateTimeGroup, FIPS_COUNTRIES, fipsOfIso, formatMrn, isCountryTagOf, markingFits, portionMarkingOf, ORGANISATION_TAGS, PROGRAM_TAGS, substanceOf, SUBJECT_TAGS, tagAdvice,
  tagKind, validateDraft,
} from './cable-format.js';

function rejects(change: Partial<CableDraft>, field: RegExp, message?: RegExp, within = world) {
  let caught: { code?: string; details?: { errors?: { field: string; message: string }[] } } | undefined;
  try {
    validateDraft({ ...confidentialDraft, ...change }, within);
  } catch (error) {
    caught = error as typeof caught;
  }
  expect(caught?.code).toBe('RULE_VIOLATED');
  expect(caught?.details?.errors?.[0].field).toMatch(field);
  if (message) expect(caught?.details?.errors?.[0].message).toMatch(message);
}

describe('cable drafting rules', () => {
  it('accepts a complete draft', () => {
    expect(() => validateDraft(confidentialDraft, world)).not.toThrow();
  });

  it('keeps control characters out of the subject and the text (line breaks and tabs in the text are spacing)', () => {
    rejects({ subject: 'Demarche\u001b[2J on AI' }, /^subject$/, /control characters/);
    rejects({ subject: 'Two\nlines' }, /^subject$/);
    // Nor is a subject or a paragraph only invisible characters, nor a subject broken or reordered by one.
    rejects({ subject: '\u200b\u200b' }, /^subject$/, /invisible/);
    rejects({ paragraphs: [{ marking: 'U', text: '\u200b \u2060\ufeff' }] }, /paragraphs\[0\]\.text/, /empty/);
    for (const separator of ['\u2028', '\u2029', '\u202e', '\u202a', '\u2066', '\u2069']) rejects({ subject: `Demarche${separator}on AI` }, /^subject$/, /separator|bidirectional/);
    expect(() => validateDraft({ ...confidentialDraft, subject: 'Démarche on AI \u2014 \u05e9\u05dc\u05d5\u05dd and \u{1f30f}' }, world)).not.toThrow();
    // 200 characters however many UTF-16 units they take (a flag is two code points, four units), as the request's validation counts.
    expect(() => validateDraft({ ...confidentialDraft, subject: '\u{1f1fa}\u{1f1f8}'.repeat(100) }, world)).not.toThrow();
    rejects({ subject: `${'\u{1f1fa}\u{1f1f8}'.repeat(100)}!` }, /^subject$/, /1 to 200 characters/);
    expect(() => validateDraft({ ...confidentialDraft, subject: '\u2764\ufe0f'.repeat(200) }, world)).not.toThrow(); // a heart with its emoji selector is one
    rejects({ paragraphs: [{ marking: 'U', text: 'Ring \u0007 the bell' }] }, /paragraphs\[0\]\.text/, /control character/);
    rejects({ paragraphs: [{ marking: 'U', text: 'C1 \u009b too' }] }, /paragraphs\[0\]\.text/);
    rejects({ classifiedBy: { ...confidentialDraft.classifiedBy!, name: 'Jane\u001b Doe' } }, /^classifiedBy\.name$/);
    expect(() => validateDraft({ ...confidentialDraft, paragraphs: [...confidentialDraft.paragraphs, { marking: 'U', text: 'Line one,\r\nline two,\tand a tab.' }] }, world)).not.toThrow();
  });

  it('wants every paragraph marked no higher than the overall classification', () => {
    expect(markingFits('C', 'CONFIDENTIAL')).toBe(true);
    expect(markingFits('S', 'CONFIDENTIAL')).toBe(false);
    expect(markingFits('SBU', 'UNCLASSIFIED')).toBe(false);
    // The cable's own classification as a portion marking: the highest that fits.
    expect(['UNCLASSIFIED', 'SBU', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'].map((c) => portionMarkingOf(c as never))).toEqual(['U', 'SBU', 'C', 'S', 'TS']);
    rejects({ paragraphs: [{ marking: 'S', text: 'Too high' }] }, /paragraphs\[0\]\.marking/, /above the cable's overall CONFIDENTIAL/);
    rejects({ paragraphs: [{ marking: 'X' as never, text: 'Unmarked' }] }, /marking/);
    rejects({ paragraphs: [] }, /paragraphs/);
    rejects({ paragraphs: [{ marking: 'U', text: '  ' }] }, /text/);
  });

  it('wants a complete classification authority block on a classified cable, declassified within 25 years', () => {
    rejects({ classifiedBy: null }, /classifiedBy/, /authority block/);
    const authority = confidentialDraft.classifiedBy!;
    rejects({ classifiedBy: { ...authority, reasons: [] } }, /reasons/);
    rejects({ classifiedBy: { ...authority, reasons: ['1.4(z)'] } }, /reasons/, /1\.4\(a\) to 1\.4\(h\)/);
    rejects({ classifiedBy: { ...authority, reasons: ['1.4(a)', '1.4(d)', '1.4(a)'] } }, /^classifiedBy\.reasons$/, /reasons must not repeat/);
    rejects({ classifiedBy: { ...authority, name: '' } }, /classifiedBy/);
    rejects({ classifiedBy: { ...authority, declassifyOn: '2051-11-30' } }, /declassifyOn/, /25 years/);
    rejects({ classifiedBy: { ...authority, declassifyOn: '2020-01-01' } }, /declassifyOn/, /future/);
    rejects({ classifiedBy: { ...authority, declassifyOn: '2030-02-30' } }, /declassifyOn/, /2030-02-30 is no day of the calendar/);
    const unclassified = { classification: 'UNCLASSIFIED' as const, paragraphs: [{ marking: 'U' as const, text: 'Open' }], demarche: null };
    expect(() => validateDraft({ ...confidentialDraft, ...unclassified, classifiedBy: null }, world)).not.toThrow();
    rejects(unclassified, /classifiedBy/, /no classification authority block/);
  });

  it('knows precedence, captions and how captions combine', () => {
    rejects({ precedence: 'PRIORITY' as never }, /precedence/);
    rejects({ captions: ['TOPSECRETISH' as never] }, /captions/);
    rejects({ captions: ['NODIS', 'EXDIS'] }, /captions/, /one channel caption/);
    rejects({ captions: ['SIPDIS', 'NODIS'] }, /captions/, /SIPDIS never goes with NODIS/);
    rejects({ captions: ['SIPDIS', 'EXDIS'] }, /captions/);
    expect(() => validateDraft({ ...confidentialDraft, captions: ['NODIS', 'NOFORN'] }, world)).not.toThrow();
    rejects({ precedence: 'NIACT_IMMEDIATE' }, /paragraphs\[0\]/, /says in paragraph 1 why it needs action at any hour, naming NIACT/);
    // Named and not said why, or said why and not named: not justified.
    for (const text of ['niact', 'NIACT IMMEDIATE.', 'NIACT IMMEDIATE: vote tomorrow', 'This requires action tonight because the vote is tomorrow.']) {
      rejects({ precedence: 'NIACT_IMMEDIATE', paragraphs: [{ marking: 'U', text }, ...confidentialDraft.paragraphs.slice(1)] }, /paragraphs\[0\]/, /naming NIACT/);
    }
    const justified = [{ marking: 'U' as const, text: 'NIACT IMMEDIATE: the vote is at 0900 local.' }, ...confidentialDraft.paragraphs.slice(1)];
    expect(() => validateDraft({ ...confidentialDraft, precedence: 'NIACT_IMMEDIATE', paragraphs: justified }, world)).not.toThrow();
  });

  it('knows TAGS from the controlled lists and wants a subject tag', () => {
    expect([tagKind('PREL'), tagKind('KIPR'), tagKind('CH'), tagKind('EUN'), tagKind('prel'), tagKind('PRELX'), tagKind('ZZZZ')]).toEqual([
      'subject', 'program', 'country', 'organisation', undefined, undefined, undefined,
    ]);
    rejects({ tags: ['KIPR', 'CH'] }, /tags/, /subject tag/);
    rejects({ tags: ['KNNP', 'UNSC', 'ASEAN'] }, /tags/, /subject tag/);
    expect(() => validateDraft({ ...confidentialDraft, tags: ['PREL', 'UNSC', 'ASEAN', 'NATO', 'EUN', 'KNNP'] }, world)).not.toThrow();
    rejects({ tags: ['PREL', 'china'] }, /tags/, /not on the TAGS list/);
    rejects({ tags: ['PREL', 'PREL'] }, /tags/);
    rejects({ tags: ['PRXL'] }, /tags/, /PRXL is not on the TAGS list/);
    rejects({ tags: ['ZZZZ', 'PREL'] }, /tags/, /not on the TAGS list/);
  });

  it('refuses unknown tags with a hint: ISO codes point to the FIPS tag, lower case to capitals', () => {
    rejects({ tags: ['PREL', 'DE'] }, /tags/, /DE is not a FIPS 10-4 country tag; Germany is GM/);
    rejects({ tags: ['PREL', 'JP'] }, /tags/, /Japan is JA/);
    rejects({ tags: ['PREL', 'UA'] }, /tags/, /Ukraine is UP/);
    rejects({ tags: ['prel'] }, /tags/, /capitals: PREL/);
    rejects({ tags: ['PREL', 'ch'] }, /tags/, /capitals: CH/);
    // CN is a real tag (Comoros): accepted, with advice for a drafter who meant China.
    expect(() => validateDraft({ ...confidentialDraft, tags: ['PREL', 'CN'] }, world)).not.toThrow();
    expect(tagAdvice('CN')).toBe('CN is Comoros; China is CH');
    expect(tagAdvice('GB')).toBe('GB is Gabon; United Kingdom is UK');
    expect(tagAdvice('CH')).toBe('CH is China; Switzerland is SZ');
    expect(tagAdvice('FR')).toBeUndefined();
    expect(fipsOfIso('CN')).toBe('CH');
    expect(fipsOfIso('GL')).toBe('GL');
    // A post's country tag: its country's own, or, for a country FIPS has no tag for, a place it names that ISO has no code for.
    expect([isCountryTagOf('CH', 'CN'), isCountryTagOf('CN', 'CN'), isCountryTagOf('FR', 'FR'), isCountryTagOf('CH', 'FR')]).toEqual([true, false, true, false]);
    expect([isCountryTagOf('WE', 'PS'), isCountryTagOf('GZ', 'PS'), isCountryTagOf('FR', 'PS'), isCountryTagOf('QQ', 'PS')]).toEqual([true, true, false, false]);
  });

  it('keeps the TAGS lists consistent: unique codes, no tag in two lists, FIPS and ISO one to one', () => {
    const fips = FIPS_COUNTRIES.map(([code]) => code);
    expect(new Set(fips).size).toBe(fips.length);
    const iso = FIPS_COUNTRIES.map(([, code]) => code).filter((code) => code !== '');
    expect(new Set(iso).size).toBe(iso.length);
    for (const code of fips) expect(code).toMatch(/^[A-Z]{2}$/);
    for (const tag of Object.keys(SUBJECT_TAGS)) expect(tag).toMatch(/^[A-JL-Z][A-Z]{3}$/);
    for (const tag of Object.keys(PROGRAM_TAGS)) expect(tag).toMatch(/^K[A-Z]{3}$/);
    const all = [...fips, ...Object.keys(SUBJECT_TAGS), ...Object.keys(PROGRAM_TAGS), ...Object.keys(ORGANISATION_TAGS)];
    expect(new Set(all).size).toBe(all.length);
    expect(FIPS_COUNTRIES.length).toBeGreaterThan(250);
  });

  it('keeps NODIS, EXDIS and NOFORN off plain UNCLASSIFIED traffic', () => {
    const unclassified = { classification: 'UNCLASSIFIED' as const, paragraphs: [{ marking: 'U' as const, text: 'Open' }], classifiedBy: null, demarche: null };
    for (const caption of ['NODIS', 'EXDIS', 'NOFORN'] as const) {
      rejects({ ...unclassified, captions: [caption] }, /captions/, new RegExp(`${caption} applies only to classified or SBU traffic`));
    }
    const sbu = { ...unclassified, classification: 'SBU' as const };
    expect(() => validateDraft({ ...confidentialDraft, ...sbu, captions: ['NOFORN'] }, world)).not.toThrow();
    expect(() => validateDraft({ ...confidentialDraft, ...sbu, captions: ['EXDIS', 'NOFORN'] }, world)).not.toThrow();
    expect(() => validateDraft({ ...confidentialDraft, ...unclassified, captions: ['SIPDIS'] }, world)).not.toThrow();
  });

  it('marks the subject line, no higher than the cable', () => {
    expect(() => validateDraft({ ...confidentialDraft, subjectMarking: 'C' }, world)).not.toThrow();
    expect(() => validateDraft({ ...confidentialDraft, subjectMarking: 'U' }, world)).not.toThrow();
    rejects({ subjectMarking: 'S' }, /subjectMarking/, /above the cable's overall CONFIDENTIAL/);
    rejects({ subjectMarking: 'Q' as never }, /subjectMarking/);
    // A draft stored before the field existed reads as (U), and (U) is no change of substance.
    expect(substanceOf({ ...confidentialDraft, subjectMarking: 'U' })).toBe(substanceOf(confidentialDraft));
    expect(substanceOf({ ...confidentialDraft, subjectMarking: 'C' })).not.toBe(substanceOf(confidentialDraft));
  });

  it('takes a derivative classification: derived from a source instead of reasons', () => {
    const authority = confidentialDraft.classifiedBy!;
    expect(() => validateDraft({ ...confidentialDraft, classifiedBy: { ...authority, reasons: [], derivedFrom: '26 STATE 000123' } }, world)).not.toThrow();
    rejects({ classifiedBy: { ...authority, derivedFrom: '26 STATE 000123' } }, /classifiedBy\.reasons/, /instead of naming reasons/);
    rejects({ classifiedBy: { ...authority, reasons: [], derivedFrom: ' ' } }, /derivedFrom/);
    rejects({ classifiedBy: { ...authority, reasons: [] } }, /reasons/, /or, for a derivative classification, the source it is derived from/);
  });

  it('allows 25X and 50X exemptions beyond 25 years, and event-based declassification', () => {
    const authority = confidentialDraft.classifiedBy!;
    expect(() => validateDraft({ ...confidentialDraft, classifiedBy: { ...authority, exemption: '25X1', declassifyOn: '2076-11-29' } }, world)).not.toThrow();
    rejects({ classifiedBy: { ...authority, exemption: '25X1', declassifyOn: '2076-11-30' } }, /declassifyOn/, /25X1, declassifyOn may be at most 50 years/);
    expect(() => validateDraft({ ...confidentialDraft, classifiedBy: { ...authority, exemption: '50X1-HUM', declassifyOn: '2101-11-29' } }, world)).not.toThrow();
    rejects({ classifiedBy: { ...authority, exemption: '50X2-WMD', declassifyOn: '2101-11-30' } }, /declassifyOn/, /75 years/);
    rejects({ classifiedBy: { ...authority, exemption: '25X10' as never } }, /exemption/, /25X1/);
    rejects({ classifiedBy: { ...authority, declassifyOn: '2060-01-01' } }, /declassifyOn/, /25X or 50X exemption/);
    expect(() => validateDraft({ ...confidentialDraft, classifiedBy: { ...authority, declassifyOn: 'Conclusion of the trade negotiations' } }, world)).not.toThrow();
    rejects({ classifiedBy: { ...authority, declassifyOn: 'x' } }, /declassifyOn/, /event/);
  });

  it('wants an action addressee, and only open posts or collectives', () => {
    rejects({ actionAddressees: [] }, /actionAddressees/);
    rejects({ actionAddressees: ['KHARTOUM'] }, /actionAddressees/, /not an open post or a collective/);
    rejects({ infoAddressees: ['ATLANTIS'] }, /infoAddressees/);
    rejects({ actionAddressees: ['TOKYO'], infoAddressees: ['TOKYO'] }, /infoAddressees/, /both/);
    const EAP = ['BEIJING', 'TOKYO'];
    const ALL = ['BEIJING', 'TOKYO', 'LONDON'];
    const members = (addressee: string) => (addressee === 'EAP_POSTS' ? EAP : addressee === 'ALDAC' ? ALL : [addressee]);
    const reaching = { ...world, reaches: (addressee: string, post: string) => members(addressee).includes(post), postsOf: members };
    rejects({ actionAddressees: ['EAP_POSTS'], infoAddressees: ['TOKYO'] }, /^infoAddressees$/, /TOKYO is an action addressee through EAP_POSTS/, reaching);
    expect(() => validateDraft({ ...confidentialDraft, actionAddressees: ['EAP_POSTS'], infoAddressees: ['LONDON'] }, reaching)).not.toThrow();
    // A collective for information whose every post is tasked informs no one; one with others informs them.
    rejects({ actionAddressees: ['ALDAC'], infoAddressees: ['EAP_POSTS'] }, /^infoAddressees$/, /every post EAP_POSTS holds is an action addressee/, reaching);
    expect(() => validateDraft({ ...confidentialDraft, actionAddressees: ['TOKYO'], infoAddressees: ['EAP_POSTS'] }, reaching)).not.toThrow();
  });

  it('names each addressee once: no repeat within the action or the info list', () => {
    rejects({ actionAddressees: ['TOKYO', 'TOKYO'] }, /^actionAddressees$/, /must not repeat: TOKYO/);
    rejects({ actionAddressees: ['ALDAC', 'BEIJING', 'ALDAC'] }, /^actionAddressees$/, /must not repeat: ALDAC/);
    rejects({ actionAddressees: ['BEIJING'], infoAddressees: ['TOKYO', 'LONDON', 'TOKYO'] }, /^infoAddressees$/, /must not repeat: TOKYO/);
    expect(() => validateDraft({ ...confidentialDraft, actionAddressees: ['BEIJING', 'TOKYO'], infoAddressees: ['LONDON'] }, world)).not.toThrow();
  });

  it('wants REF lines to point at released cables', () => {
    rejects({ references: [{ label: 'A', mrn: '26 STATE 000999' }] }, /references/, /not a released cable/);
    rejects({ references: [{ label: 'A', mrn: '26STATE123' }] }, /references/, /not an MRN like 26 STATE 000123: write it 26 STATE 000123/);
    rejects({ references: [{ label: 'A', mrn: '26 state 123' }] }, /references/, /not an MRN like 26 STATE 000123: write it 26 STATE 000123/);
    rejects({ references: [{ label: 'A', mrn: 'STATE 123' }] }, /references/, /^STATE 123 is not an MRN like 26 STATE 000123$/);
    rejects({ references: [{ label: 'A', mrn: '26 STATE 000123' }, { label: 'B', mrn: '26 STATE 000123' }] }, /references/, /cited twice, as REF A and REF B/);
    rejects({ references: [{ label: 'A', mrn: '26 STATE 000123' }, { label: 'A', mrn: '26 STATE 000123' }] }, /references/);
    // Lettered A, B, C… in order, as telegrams print them.
    rejects({ references: [{ label: 'B', mrn: '26 STATE 000123' }] }, /references/, /^REFs are lettered A, B, C… in order: REF B \(26 STATE 000123\) is REF A$/);
    rejects({ references: [{ label: 'A', mrn: '26 STATE 000123' }, { label: 'C', mrn: '26 STATE 000124' }] }, /references/, /REF C \(26 STATE 000124\) is REF B/);
  });

  it('checks the demarche section', () => {
    rejects({ kind: 'INFORMATIONAL' }, /demarche/, /only an instruction/);
    rejects({ demarche: { ...confidentialDraft.demarche!, points: [7] } }, /demarche\.points/);
    // A point typed as no number (the web form keeps it as NaN) is said in words.
    rejects({ demarche: { ...confidentialDraft.demarche!, points: [Number('abc')] } }, /demarche\.points/, /^points are the numbers of paragraphs of this cable, such as 2, 3$/);
    rejects({ demarche: { ...confidentialDraft.demarche!, reportBy: '2026-01-01' } }, /reportBy/);
  });

  it('tells substance from form: whitespace and precedence are not substance', () => {
    const base = substanceOf(confidentialDraft);
    expect(substanceOf({ ...confidentialDraft, precedence: 'FLASH' })).toBe(base);
    expect(substanceOf({ ...confidentialDraft, subject: `  ${confidentialDraft.subject}  ` })).toBe(base);
    expect(substanceOf({ ...confidentialDraft, tags: [...confidentialDraft.tags].reverse() })).toBe(base);
    expect(substanceOf({ ...confidentialDraft, paragraphs: [{ marking: 'U', text: 'Changed.' }] })).not.toBe(base);
    expect(substanceOf({ ...confidentialDraft, actionAddressees: ['BEIJING'] })).not.toBe(base);
  });

  it('formats MRNs and date-time groups', () => {
    expect(formatMrn(2026, 'STATE', 123)).toBe('26 STATE 000123');
    expect(formatMrn(2026, 'BEIJING', 45)).toBe('26 BEIJING 000045');
    expect(compactMrn('26 STATE 000123')).toBe('26STATE123');
    expect(dateTimeGroup(new Date('2026-08-14T09:35:00Z'))).toBe('140935Z AUG 26');
    expect(dateTimeGroup(new Date('2026-09-01T00:05:00Z'))).toBe('010005Z SEP 26');
  });
  it('scopes a demarche to posts the cable is addressed to for action, where the world knows whom addressees reach', () => {
    const knowing = { ...world, reaches: (addressee: string, post: string) => addressee === post || (addressee === 'EAP_POSTS' && ['BEIJING', 'TOKYO'].includes(post)) };
    const scoped = (scope: object, actionAddressees: string[], infoAddressees: string[] = []): CableDraft => ({ ...confidentialDraft, actionAddressees, infoAddressees, demarche: { ...confidentialDraft.demarche!, scope } });
    expect(() => validateDraft(scoped({ posts: ['TOKYO'] }, ['EAP_POSTS']), knowing)).not.toThrow();
    expect(() => validateDraft(scoped({ excludePosts: ['BEIJING'] }, ['BEIJING', 'TOKYO']), knowing)).not.toThrow();
    for (const scope of [{ posts: ['LONDON'] }, { excludePosts: ['LONDON'] }]) {
      let caught: { details?: { errors?: { field: string; message: string }[] } } | undefined;
      try {
        validateDraft(scoped(scope, ['EAP_POSTS'], ['LONDON']), knowing);
      } catch (error) {
        caught = error as typeof caught;
      }
      expect(caught?.details?.errors?.[0]).toEqual({ field: `demarche.scope.${Object.keys(scope)[0]}`, message: 'LONDON is not among the posts the cable is addressed to for action' });
    }
    // A client's world that does not know (the web app's) leaves it to the server.
    expect(() => validateDraft(scoped({ posts: ['LONDON'] }, ['EAP_POSTS'], ['LONDON']), world)).not.toThrow();
  });

  it('refuses an empty list of kinds or posts, which its writer means as "none" and would task every post; an empty exclusion excludes none', () => {
    const scoped = (scope: object): CableDraft => ({ ...confidentialDraft, demarche: { ...confidentialDraft.demarche!, scope } });
    const refusal = (scope: object) => {
      try {
        validateDraft(scoped(scope), world);
      } catch (error) {
        return (error as { details?: { errors?: { field: string; message: string }[] } }).details?.errors?.[0];
      }
      return undefined;
    };
    expect(refusal({ kinds: [] })).toEqual({ field: 'demarche.scope.kinds', message: 'kinds names at least one kind of post; leave it out to task every kind' });
    expect(refusal({ posts: [] })).toEqual({ field: 'demarche.scope.posts', message: 'posts names at least one post; leave it out to task every action post' });
    expect(refusal({ excludePosts: [] })).toBeUndefined();
    expect(refusal({ kinds: null, posts: null })).toBeUndefined();
  });
});

describe('combinedCaptions: a record marked by several messages', () => {
  it('takes each caption once, and one channel caption: the most restrictive', () => {
    expect(combinedCaptions(['NOFORN', 'SIPDIS'], ['SIPDIS'])).toEqual(['NOFORN', 'SIPDIS']);
    expect(combinedCaptions(['LIMDIS'], ['EXDIS', 'NOFORN'])).toEqual(['EXDIS', 'NOFORN']);
    expect(combinedCaptions(['EXDIS'], ['NODIS'], ['LIMDIS'])).toEqual(['NODIS']);
    expect(combinedCaptions([], [])).toEqual([]);
  });

  it('drops SIPDIS beside NODIS or EXDIS, and keeps it beside LIMDIS', () => {
    expect(combinedCaptions(['SIPDIS'], ['NODIS'])).toEqual(['NODIS']);
    expect(combinedCaptions(['SIPDIS', 'NOFORN'], ['EXDIS'])).toEqual(['EXDIS', 'NOFORN']);
    expect(combinedCaptions(['SIPDIS'], ['LIMDIS'])).toEqual(['LIMDIS', 'SIPDIS']);
  });

  it('gives a combination every draft rule accepts', () => {
    const lists = [[], ['SIPDIS'], ['NOFORN'], ['LIMDIS', 'SIPDIS'], ['EXDIS'], ['NODIS', 'NOFORN'], ['LIMDIS', 'NOFORN', 'SIPDIS']];
    for (const a of lists) {
      for (const b of lists) {
        const captions = combinedCaptions(a, b) as CableDraft['captions'];
        expect(() => validateDraft({ ...confidentialDraft, captions }, world)).not.toThrow();
      }
    }
  });
});

