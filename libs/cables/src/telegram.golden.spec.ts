import { readFileSync, writeFileSync } from 'node:fs';
import { given } from '../../../test/support/aggregate-spec.js';
import { type CableDraft, type CableEvent, cableDefinition, type Officer, renderTelegram, SECTION_LINES, type TelegramDirectory, validateDraft } from './index.js';

/**
 * Golden files: each kind of cable rendered as the Department reads it, compared byte for byte with
 * __golden__/<name>.txt. After a deliberate change of layout, `UPDATE_GOLDEN=1` rewrites the files;
 * read the diff before committing it.
 */
const golden = (name: string, text: string) => {
  const file = new URL(`./__golden__/${name}.txt`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
};

const at = '2026-08-14T09:35:00.000Z';
const jdoe: Officer = { id: 'u-jdoe', username: 'jdoe', office: 'EAP/CM' };
const lclear: Officer = { id: 'u-lclear', username: 'lclear', office: 'L' };
const iclear: Officer = { id: 'u-iclear', username: 'iclear', office: 'ISN' };
const opscenter: Officer = { id: 'u-ops', username: 'sesoduty', office: 'S/ES-O' };
const dsec: Officer = { id: 'u-dsec', username: 'dsec', office: 'EAP' };
const polBeijing: Officer = { id: 'u-pol', username: 'pol.beijing', office: null };
const dcmBeijing: Officer = { id: 'u-dcm', username: 'dcm.beijing', office: null };

const directory: TelegramDirectory = {
  designator: (code) =>
    ({
      BEIJING: 'AMEMBASSY BEIJING',
      TOKYO: 'AMEMBASSY TOKYO',
      HONGKONG: 'AMCONSUL HONG KONG',
      AITTAIPEI: 'AIT TAIPEI',
      VATICAN: 'AMEMBASSY VATICAN',
      USUNNEWYORK: 'USMISSION USUN NEW YORK',
      SECSTATE: 'SECSTATE WASHDC',
    })[code] ?? code,
  displayName: (id) =>
    ({
      'u-jdoe': 'Jane Doe (EAP/CM desk officer)',
      'u-lclear': 'Lee Clearwater (L)',
      'u-iclear': 'Ira Stone (ISN)',
      'u-dsec': 'Dana Secor (EAP front office)',
      'u-pol': 'Political officer, BEIJING',
      'u-dcm': 'Robert Hale (Deputy Chief of Mission)',
    })[id],
};

const released = (origin: string, drafter: Officer, draft: CableDraft, clearances: [Officer, 'CLEARED' | 'COMMENTS'][], approver: Officer, mrn: string, action: string[]) => {
  const events: CableEvent[] = [{ type: 'CableDrafted', data: { origin, drafter, draft, at } }];
  if (clearances.length > 0) {
    events.push({ type: 'ClearancesRequested', data: { offices: clearances.map(([o]) => o.office!), at } });
    for (const [by, decision] of clearances) {
      events.push(
        decision === 'CLEARED'
          ? { type: 'ClearanceGranted', data: { office: by.office!, by, at } }
          : { type: 'ClearanceGrantedWithComments', data: { office: by.office!, by, comments: 'Soften paragraph 3.', at } },
      );
    }
  }
  events.push(
    { type: 'CableSubmitted', data: { by: drafter, at } },
    { type: 'CableApproved', data: { by: approver, at } },
    { type: 'CableReleased', data: { by: approver, mrn, releasedAt: at, dateTimeGroup: '140935Z AUG 26', distribution: { action, info: [] } } },
  );
  return given(cableDefinition, mrn, events).when(() => undefined).then([]);
};

const base: Pick<CableDraft, 'references' | 'captions' | 'infoAddressees' | 'demarche' | 'classifiedBy'> = { references: [], captions: [], infoAddressees: [], demarche: null, classifiedBy: null };

const instruction: CableDraft = {
  ...base,
  kind: 'INSTRUCTION',
  subject: 'Demarche: extraction and distillation of U.S. AI models',
  classification: 'CONFIDENTIAL',
  captions: ['SIPDIS'],
  precedence: 'IMMEDIATE',
  tags: ['PREL', 'ETTC', 'TSPL', 'KIPR', 'CH'],
  actionAddressees: ['ALDAC'],
  infoAddressees: ['USUNNEWYORK'],
  paragraphs: [
    { marking: 'U', text: 'This is an action request; see paragraph 3.' },
    { marking: 'C', text: 'Foreign firms are extracting and distilling U.S. frontier AI models, in breach of their terms of use.' },
    { marking: 'U', text: 'Posts should raise these concerns with host governments at the director-general level and report by December 15.' },
  ],
  classifiedBy: { name: 'Jane Doe', title: 'Director', office: 'EAP/CM', reasons: ['1.4(b)', '1.4(d)'], declassifyOn: '2051-08-14' },
  demarche: { reportBy: '2026-12-15', targets: 'Foreign ministry, director-general level', points: [2, 3] },
};

const longText = (n: number) =>
  `Point ${n}. The host government's science ministry has funded ${n} laboratories that train models on outputs obtained from U.S. services, ` +
  'often through intermediaries that resell access; the ministry denies any knowledge of the practice, but its own procurement records, ' +
  'which the embassy has reviewed, list the intermediaries by name and show payments through the last quarter.';

const long: CableDraft = {
  ...base,
  kind: 'INFORMATIONAL',
  subject: 'Distillation of U.S. AI models: what posts have found',
  subjectMarking: 'U',
  classification: 'SECRET',
  captions: ['EXDIS', 'NOFORN'],
  precedence: 'ROUTINE',
  tags: ['PREL', 'TSPL', 'TINT', 'KIPR', 'CH', 'UNSC'],
  actionAddressees: ['EAP_POSTS'],
  infoAddressees: ['USUNNEWYORK'],
  references: [{ label: 'A', mrn: '26 STATE 000124' }],
  paragraphs: [
    { marking: 'U', text: 'Summary: posts report a common pattern; details follow by country.' },
    ...Array.from({ length: 14 }, (_, i) => ({ marking: (i % 3 === 0 ? 'S' : i % 3 === 1 ? 'C' : 'U') as 'S' | 'C' | 'U', text: longText(i + 1) })),
  ],
  classifiedBy: { name: 'Dana Secor', title: 'Deputy Assistant Secretary', office: 'EAP', reasons: [], derivedFrom: '26 STATE 000124', exemption: '25X1', declassifyOn: '2071-08-14' },
};

const reporting: CableDraft = {
  ...base,
  kind: 'REPORTING',
  subject: 'China answers the demarche on distillation of U.S. AI models',
  subjectMarking: 'C',
  classification: 'CONFIDENTIAL',
  captions: ['SIPDIS'],
  precedence: 'ROUTINE',
  tags: ['PREL', 'ETTC', 'KIPR', 'CH'],
  actionAddressees: ['SECSTATE'],
  infoAddressees: ['HONGKONG', 'AITTAIPEI'],
  references: [{ label: 'A', mrn: '26 STATE 000124' }],
  paragraphs: [
    { marking: 'C', text: 'Post delivered REF A points to MFA Director-General for North American Affairs on August 12.' },
    { marking: 'C', text: 'The Director-General said the allegations are baseless and that Chinese firms comply with the law.' },
    { marking: 'U', text: 'Post will follow up with the Ministry of Science and Technology.' },
  ],
  classifiedBy: { name: 'Robert Hale', title: 'Deputy Chief of Mission', office: 'Embassy Beijing', reasons: ['1.4(b)', '1.4(d)'], declassifyOn: 'Conclusion of the bilateral technology dialogue' },
};

const informational: CableDraft = {
  ...base,
  kind: 'INFORMATIONAL',
  subject: 'Schedule of the Holy See conference on AI ethics',
  subjectMarking: 'U',
  classification: 'SBU',
  captions: ['NOFORN', 'SIPDIS'],
  precedence: 'ROUTINE',
  tags: ['SCUL', 'TSPL', 'VT', 'OVIP'],
  actionAddressees: ['VATICAN', 'HONGKONG'],
  infoAddressees: ['AITTAIPEI'],
  paragraphs: [
    { marking: 'U', text: 'The Pontifical Academy for Life will host a conference on AI ethics on October 2 and 3.' },
    { marking: 'SBU', text: 'The Under Secretary plans to attend; her schedule is not to be shared outside the U.S. government.' },
  ],
};

describe('telegrams as real ones read (golden files)', () => {
  it('renders drafts that pass every drafting rule', () => {
    const world = { today: '2026-08-14', isAddressable: () => true, isReleasedMrn: () => true };
    for (const draft of [instruction, long, reporting, informational]) expect(() => validateDraft(draft, world)).not.toThrow();
  });

  it('an instruction to a collective with a demarche', () => {
    const cable = released('STATE', jdoe, instruction, [[lclear, 'CLEARED'], [iclear, 'COMMENTS'], [opscenter, 'CLEARED']], dsec, '26 STATE 000124', ['BEIJING', 'TOKYO']);
    golden('instruction-collective-demarche', renderTelegram(cable, directory, 'Rubio'));
  });

  it('a long cable in sections', () => {
    const cable = released('STATE', jdoe, long, [[lclear, 'CLEARED']], dsec, '26 STATE 000131', ['BEIJING', 'TOKYO']);
    const text = renderTelegram(cable, directory, 'Rubio');
    expect(text).toContain('S E C R E T SECTION 01 OF 03 STATE 000131');
    golden('long-in-sections', text);
  });

  it('a reporting cable from a post to SECSTATE, signed for the chief of mission', () => {
    const cable = released('BEIJING', polBeijing, reporting, [], dcmBeijing, '26 BEIJING 000045', ['SECSTATE']);
    golden('reporting-post-to-secstate', renderTelegram(cable, directory, dcmBeijing.username));
    // With the chief of mission known, the cable is signed with the chief of mission's surname.
    expect(renderTelegram(cable, { ...directory, chiefOfMission: (post) => (post === 'BEIJING' ? 'Perdue' : undefined) }, dcmBeijing.username)).toMatch(/\nPERDUE\n/);
  });

  it('an informational SBU NOFORN cable', () => {
    const cable = released('STATE', jdoe, informational, [], dsec, '26 STATE 000140', ['VATICAN', 'HONGKONG']);
    golden('informational-sbu-noforn', renderTelegram(cable, directory, 'Rubio'));
  });

  it('keeps sections within the documented length', () => {
    const cable = released('STATE', jdoe, long, [], dsec, '26 STATE 000131', ['BEIJING']);
    const text = renderTelegram(cable, directory, 'Rubio');
    const chunks = text.split(/\nBT\n/).slice(1, -1);
    for (const chunk of chunks) expect(chunk.split('\n').length).toBeLessThanOrEqual(SECTION_LINES + 6);
  });
});
