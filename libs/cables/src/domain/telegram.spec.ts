import { given } from '../../../../test/support/aggregate-spec.js';
import { confidentialDraft } from '../../../../test/fixtures/cable.fixtures.js';
import { cableDefinition, type CableEvent } from './cable.aggregate.js';
import { collectiveDesignator, demarcheSentence, officerSurname, renderTelegram, surnameOf, type TelegramDirectory } from './telegram.js';

const at = '2026-08-14T09:35:00.000Z';
const drafter = { id: 'd1', username: 'JDoe', office: 'EAP/CM' };
const history: CableEvent[] = [
  { type: 'CableDrafted', data: { origin: 'STATE', drafter, draft: { ...confidentialDraft, actionAddressees: ['ALDAC'], infoAddressees: ['BEIJING'] }, at } },
  { type: 'ClearancesRequested', data: { offices: ['L', 'ISN'], at } },
  { type: 'ClearanceGranted', data: { office: 'L', by: { id: 'c1', username: 'LClear', office: 'L' }, at } },
  { type: 'ClearanceGrantedWithComments', data: { office: 'ISN', by: { id: 'c2', username: 'IClear', office: 'ISN' }, comments: 'ok', at } },
  { type: 'CableSubmitted', data: { by: drafter, at } },
  { type: 'CableApproved', data: { by: { id: 'a1', username: 'DSec', office: 'D' }, at } },
  {
    type: 'CableReleased',
    data: { by: { id: 'a1', username: 'DSec', office: 'D' }, mrn: '26 STATE 000124', releasedAt: at, dateTimeGroup: '140935Z AUG 26', distribution: { action: ['BEIJING', 'TOKYO'], info: [] } },
  },
];

const directory: TelegramDirectory = {
  designator: (code) => ({ ALDAC: 'ALL DIPLOMATIC AND CONSULAR POSTS', BEIJING: 'AMEMBASSY BEIJING' })[code] ?? code,
};

const EXPECTED = `CONFIDENTIAL

MRN: 26 STATE 000124 (26STATE124)
DTG: 140935Z AUG 26
O 140935Z AUG 26
FM SECSTATE WASHDC
TO ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE IMMEDIATE
INFO AMEMBASSY BEIJING IMMEDIATE
BT
C O N F I D E N T I A L STATE 000124
SIPDIS

E.O. 13526: DECL: 11/29/2051
TAGS: PREL, ETTC, TSPL, KIPR, CH
SUBJECT: (U) DEMARCHE: EXTRACTION AND DISTILLATION OF U.S. AI MODELS

REF: A. 26 STATE 000123

CLASSIFIED BY: Jane Doe, Director, EAP/CM. REASON: 1.4(b), 1.4(d).

1. (U) This is an action request; see paragraph 3.

2. (C) Foreign firms are extracting and distilling U.S. frontier AI
models.

3. (U) Posts should raise these concerns with host governments.

4. (C) ACTION REQUEST: DELIVER THE POINTS IN PARAGRAPHS 2 AND 3 TO
FOREIGN MINISTRY, DIRECTOR-GENERAL LEVEL, AND REPORT THE RESPONSE BY
DECEMBER 15, 2026.

RUBIO

Drafted: EAP/CM:JDoe
Cleared: L:LClear, ISN:IClear (with comments)
Approved: D:DSec

CONFIDENTIAL
BT
#0124
NNNN
`;

describe('telegram', () => {
  it('says what a demarche asks: the points, to whom, and the report-by date', () => {
    expect(demarcheSentence({ points: [2], targets: ' Foreign  ministry ', reportBy: '2027-03-01' })).toBe('DELIVER THE POINTS IN PARAGRAPH 2 TO FOREIGN MINISTRY, AND REPORT THE RESPONSE BY MARCH 1, 2027.');
    expect(demarcheSentence({ points: [4, 2, 3], targets: 'MFA', reportBy: '2026-12-31' })).toBe('DELIVER THE POINTS IN PARAGRAPHS 2, 3 AND 4 TO MFA, AND REPORT THE RESPONSE BY DECEMBER 31, 2026.');
  });

  it('renders a released cable in the classic layout', () => {
    const cable = given(cableDefinition, 'k1', history).when(() => undefined).then([]);
    expect(renderTelegram(cable, directory, 'Rubio')).toBe(EXPECTED);
  });

  it('writes collectives with COLLECTIVE, and officers as office symbol and initial and surname', () => {
    expect(collectiveDesignator('ALDAC')).toBe('ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE');
    expect(collectiveDesignator('ALLDP')).toBe('ALL DIPLOMATIC POSTS COLLECTIVE');
    expect(collectiveDesignator('EAP_POSTS')).toBe('ALL EAST ASIAN AND PACIFIC POSTS COLLECTIVE');
    expect(collectiveDesignator('BEIJING')).toBeUndefined();
    const names: TelegramDirectory = {
      designator: (code) => code,
      displayName: (id) => ({ a: 'Jane Doe (EAP/CM desk officer)', b: 'Political officer, BEIJING', c: 'María José García-Márquez', d: 'admin' })[id],
    };
    expect(officerSurname({ id: 'a', username: 'jdoe', office: 'EAP/CM' }, names)).toEqual({ short: 'JDoe', surname: 'Doe' });
    expect(officerSurname({ id: 'b', username: 'pol.beijing', office: null }, names)).toEqual({ short: 'pol.beijing', surname: null });
    expect(officerSurname({ id: 'c', username: 'mgarcia', office: 'WHA' }, names)).toEqual({ short: 'MGarcía-Márquez', surname: 'García-Márquez' });
    expect(officerSurname({ id: 'd', username: 'admin', office: null }, names)).toEqual({ short: 'admin', surname: null });
    expect(officerSurname({ id: 'zz', username: 'someone', office: null }, names)).toEqual({ short: 'someone', surname: null });
    // A generation or a degree after the name is no surname; a family name written in capitals is the surname wherever it stands.
    const more: TelegramDirectory = { designator: (code) => code, displayName: (id) => ({ e: 'Charles Freeman Jr.', f: 'LI Wei', g: 'Mary Smith, PhD' })[id] };
    expect(officerSurname({ id: 'e', username: 'cfreeman', office: 'BEIJING' }, more)).toEqual({ short: 'CFreeman', surname: 'Freeman' });
    expect(officerSurname({ id: 'f', username: 'wli', office: 'BEIJING' }, more)).toEqual({ short: 'WLi', surname: 'LI' });
    expect(officerSurname({ id: 'g', username: 'msmith', office: 'BEIJING' }, more)).toEqual({ short: 'MSmith', surname: 'Smith' });
  });

  it("takes a signature's surname from a chief of mission's name as diplomatic lists write it", () => {
    const surnames = ['Margaret Ellison', 'Robert F. Kennedy Jr.', 'John Smith III', 'Mary Smith, PhD', 'José María AZNAR LÓPEZ', 'LI Wei', 'Jean-Pierre de la FONTAINE', 'JOHN SMITH', "Seán O'Brien"].map((name) => surnameOf(name)?.surname);
    expect(surnames).toEqual(['Ellison', 'Kennedy', 'Smith', 'Smith', 'AZNAR LÓPEZ', 'LI', 'FONTAINE', 'SMITH', "O'Brien"]);
    expect(surnameOf("the Chargé d'affaires")).toBeNull();
  });

  it('shows a draft as not released, with stale clearances marked', () => {
    const draft = given(cableDefinition, 'k1', [...history.slice(0, 3), { type: 'ClearancesMadeStale', data: { offices: ['L'], at } }]).when(() => undefined).then([]);
    const text = renderTelegram(draft, directory, 'Rubio');
    expect(text).toContain('MRN: NOT RELEASED');
    expect(text).toContain('Cleared: L:LClear (stale)');
    expect(text).not.toContain('Approved:');
  });

  it('never lets a paragraph\'s words begin a line as the telegram\'s framing (NNNN, BT, the channel number, the trailer\'s labels)', () => {
    const fill = Array(10).fill('word').join(' ');
    const forgeries = [
      `Para one ${fill} NNNN ${'X'.repeat(66)} BT UNCLASSIFIED Approved: S:ASecretary`,
      `${fill} ${fill} ${'Y'.repeat(40)} Approved: S:ASecretary and more words after it`,
      `${'Z'.repeat(60)} BT BT BT #0124 NNNN ZCZCAB Drafted: EAP/CM:Someone`,
      // A word too long to share a line, then framing; framing in lower case; framing behind a zero-width space.
      `${'Y'.repeat(69)} Approved: S:ASecretary`,
      `${'X'.repeat(100)} NNNN and more`,
      `${fill} ${'W'.repeat(50)} nnnn bt approved: s:asecretary`,
      `${fill} ${'V'.repeat(50)} \u200bApproved: S:Forged`,
      // A run of framing words: each line set in where it would begin so, none past 69.
      `see the annex ${Array(30).fill('Approved:').join(' ')} end`,
      `${'a'.repeat(64)} NNNN Approved: EAP:Fake BT NNNN ${'b'.repeat(60)} BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT BT`,
    ];
    for (const text of forgeries) {
      const [drafted, ...rest] = history;
      const forged: CableEvent = { ...drafted, data: { ...(drafted.data as object), draft: { ...confidentialDraft, paragraphs: [{ marking: 'U', text }], demarche: null } } } as CableEvent;
      const cable = given(cableDefinition, 'k1', [forged, ...rest]).when(() => undefined).then([]);
      const telegram = renderTelegram(cable, directory, 'Rubio').split('\n');
      const paragraph = telegram.slice(telegram.findIndex((line) => line.startsWith('1. (U)')), telegram.indexOf('RUBIO'));
      expect(paragraph.length).toBeGreaterThan(1);
      for (const line of paragraph) expect(line).not.toMatch(/^\p{Cf}*(?:NNNN|ZCZC|BT\b|#\d|Approved:|Drafted:|Cleared:|MRN:|DTG:)/iu);
      expect(paragraph.filter((line) => line.length > 69)).toEqual([]);
      // Every character is still there, in order (a word too long for a line is cut across lines).
      expect(paragraph.join('').replace(/\s+/g, '')).toBe(`1. (U) ${text}`.replace(/\s+/g, ''));
      // The real framing is there once each.
      expect(telegram.filter((line) => line === 'NNNN')).toEqual(['NNNN']);
      expect(telegram.filter((line) => line.startsWith('Approved:'))).toEqual(['Approved: D:DSec']);
    }
    // A word no line holds is cut across lines of 69, so that a section's 60 lines stay about 4,000 characters.
    const [drafted, ...rest] = history;
    const long: CableEvent = { ...drafted, data: { ...(drafted.data as object), draft: { ...confidentialDraft, paragraphs: [{ marking: 'U', text: `See ${'x'.repeat(5000)} and the rest.` }], demarche: null } } } as CableEvent;
    const cut = renderTelegram(given(cableDefinition, 'k1', [long, ...rest]).when(() => undefined).then([]), directory, 'Rubio').split('\n');
    expect(cut.filter((line) => line.length > 69)).toEqual([]);
    expect(cut.join('').match(/x/g)?.length).toBe(5000);
    expect(cut[cut.indexOf('1. (U) See') + 1]).toBe('x'.repeat(69));
    expect(cut.filter((line) => /SECTION \d\d OF \d\d/.test(line)).length).toBeGreaterThan(1);
    // Nor does a signature (a chief of mission's name, set by an administrator) read as framing.
    const post: CableEvent[] = [{ ...history[0], data: { ...(history[0].data as object), origin: 'BEIJING' } } as CableEvent, ...history.slice(1, 6)];
    const signed = renderTelegram(given(cableDefinition, 'k1', post).when(() => undefined).then([]), { ...directory, chiefOfMission: () => 'Nnnn' }, 'Rubio').split('\n');
    expect(signed).toContain(' NNNN');
    expect(signed.filter((line) => line === 'NNNN')).toEqual(['NNNN']);
  });

  it('cuts a long word between characters as read, never inside one: no half of a surrogate pair, no accent from its letter', () => {
    const [drafted, ...rest] = history;
    const halfAPair = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const words = [
      `${'中'.repeat(68)}𠮷${'中'.repeat(10)}`, // a name in CJK Extension B, across the 69th column
      '😀'.repeat(40), // each two UTF-16 units
      `${'x'.repeat(68)}e\u0301${'x'.repeat(10)}`, // a letter and its combining accent at the cut
      `${'x'.repeat(67)}👩‍👩‍👧‍👦${'x'.repeat(5)}`, // one character of eleven units (a family emoji)
    ];
    for (const word of words) {
      const drafting: CableEvent = { ...drafted, data: { ...(drafted.data as object), draft: { ...confidentialDraft, subject: `Visit ${word}`, paragraphs: [{ marking: 'U', text: `Said: ${word}` }], demarche: null } } } as CableEvent;
      const lines = renderTelegram(given(cableDefinition, 'k1', [drafting, ...rest]).when(() => undefined).then([]), directory, 'Rubio').split('\n');
      expect(lines.filter((line) => halfAPair.test(line) || /^\p{M}/u.test(line))).toEqual([]);
      // Every character is there, whole, in order.
      expect(lines.join('').replace(/\s/g, '')).toContain(word.replace(/\s/g, ''));
      // Only a character wider than what is left of the line runs past 69.
      expect(lines.filter((line) => line.length > 69 && !line.includes('👩'))).toEqual([]);
    }
  });
});
