import { confidentialDraft, world } from '../../../../test/fixtures/cable.fixtures.js';
import { type CableDraft, compactMrn, dateTimeGroup, formatMrn, markingFits, substanceOf, tagKind, validateDraft } from './cable-format.js';

function rejects(change: Partial<CableDraft>, field: RegExp, message?: RegExp) {
  let caught: { code?: string; details?: { errors?: { field: string; message: string }[] } } | undefined;
  try {
    validateDraft({ ...confidentialDraft, ...change }, world);
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

  it('wants every paragraph marked no higher than the overall classification', () => {
    expect(markingFits('C', 'CONFIDENTIAL')).toBe(true);
    expect(markingFits('S', 'CONFIDENTIAL')).toBe(false);
    expect(markingFits('SBU', 'UNCLASSIFIED')).toBe(false);
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
    rejects({ classifiedBy: { ...authority, name: '' } }, /classifiedBy/);
    rejects({ classifiedBy: { ...authority, declassifyOn: '2051-11-30' } }, /declassifyOn/, /25 years/);
    rejects({ classifiedBy: { ...authority, declassifyOn: '2020-01-01' } }, /declassifyOn/, /future/);
    rejects({ classifiedBy: { ...authority, declassifyOn: '2030-02-30' } }, /declassifyOn/, /YYYY-MM-DD/);
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
    rejects({ precedence: 'NIACT_IMMEDIATE' }, /paragraphs\[0\]/, /justifies/);
    const justified = [{ marking: 'U' as const, text: 'NIACT IMMEDIATE: the vote is at 0900 local.' }, ...confidentialDraft.paragraphs.slice(1)];
    expect(() => validateDraft({ ...confidentialDraft, precedence: 'NIACT_IMMEDIATE', paragraphs: justified }, world)).not.toThrow();
  });

  it('knows TAGS shapes and wants a subject tag', () => {
    expect([tagKind('PREL'), tagKind('KIPR'), tagKind('CH'), tagKind('prel'), tagKind('PRELX')]).toEqual(['subject', 'program', 'country', undefined, undefined]);
    rejects({ tags: ['KIPR', 'CH'] }, /tags/, /subject tag/);
    rejects({ tags: ['PREL', 'china'] }, /tags/, /TAGS shape/);
    rejects({ tags: ['PREL', 'PREL'] }, /tags/);
  });

  it('wants an action addressee, and only open posts or collectives', () => {
    rejects({ actionAddressees: [] }, /actionAddressees/);
    rejects({ actionAddressees: ['KHARTOUM'] }, /actionAddressees/, /not an open post or a collective/);
    rejects({ infoAddressees: ['ATLANTIS'] }, /infoAddressees/);
    rejects({ actionAddressees: ['TOKYO'], infoAddressees: ['TOKYO'] }, /infoAddressees/, /both/);
  });

  it('wants REF lines to point at released cables', () => {
    rejects({ references: [{ label: 'A', mrn: '26 STATE 000999' }] }, /references/, /not a released cable/);
    rejects({ references: [{ label: 'A', mrn: '26STATE123' }] }, /references/, /not an MRN/);
    rejects({ references: [{ label: 'A', mrn: '26 STATE 000123' }, { label: 'A', mrn: '26 STATE 000123' }] }, /references/);
  });

  it('checks the demarche section', () => {
    rejects({ kind: 'INFORMATIONAL' }, /demarche/, /only an instruction/);
    rejects({ demarche: { ...confidentialDraft.demarche!, points: [7] } }, /demarche\.points/);
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
  });
});
