import { type Cable, DEPARTMENT, type Officer, type Release } from './cable.aggregate.js';
import { CHANNEL_CAPTIONS, compactMrn, type DemarcheInstructions, isClassified, isDeclassificationDate, MONTHS, portionMarkingOf, subjectMarkingOf } from './cable-format.js';

export interface TelegramDirectory {
  /** `AMEMBASSY BEIJING` for a post; collectives are written by the telegram itself. */
  designator(code: string): string;
  /** An officer's display name ("Jane Doe (EAP/CM desk officer)"), where known. */
  displayName?(officerId: string): string | undefined;
  /** The surname of a post's chief of mission, where the directory knows one. */
  chiefOfMission?(postCode: string): string | undefined;
}

/** The Secretary's surname signs Department cables. */
export const DEPARTMENT_SIGNATURE = 'RUBIO';

/** Whose name a cable's telegram is signed with, where the directory names no chief of mission: see renderTelegram. */
export function signatureOf(cable: Cable): string {
  return cable.origin === DEPARTMENT ? DEPARTMENT_SIGNATURE : (cable.approvedBy?.username ?? cable.origin);
}

const PROSIGN = { FLASH: 'Z', NIACT_IMMEDIATE: 'O', IMMEDIATE: 'O', ROUTINE: 'R' } as const;
const PRECEDENCE_WORDS = { FLASH: 'FLASH', NIACT_IMMEDIATE: 'NIACT IMMEDIATE', IMMEDIATE: 'IMMEDIATE', ROUTINE: 'ROUTINE' } as const;
const WIDTH = 69;
/**
 * A cable whose text (from the E.O. line to the Approved line) runs past this many lines goes out in
 * sections of at most this many lines (about 4,000 characters at 69 a line), each headed
 * `SECTION 01 OF 03`; a section ends between paragraphs where it can.
 */
export const SECTION_LINES = 60;

const BUREAU_WORDS: Readonly<Record<string, string>> = {
  AF: 'AFRICAN',
  EAP: 'EAST ASIAN AND PACIFIC',
  EUR: 'EUROPEAN AND EURASIAN',
  NEA: 'NEAR EASTERN',
  SCA: 'SOUTH AND CENTRAL ASIAN',
  WHA: 'WESTERN HEMISPHERE',
  IO: 'INTERNATIONAL ORGANIZATION',
};

/** A collective as the header writes it, `ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE`; undefined for a post. */
export function collectiveDesignator(code: string): string | undefined {
  if (code === 'ALDAC') return 'ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE';
  if (code === 'ALLDP') return 'ALL DIPLOMATIC POSTS COLLECTIVE';
  const bureau = /^([A-Z]+)_POSTS$/.exec(code)?.[1];
  if (bureau) return `ALL ${BUREAU_WORDS[bureau] ?? bureau} POSTS COLLECTIVE`;
  return undefined;
}

/** What follows a name and is no part of it: a generation or a degree (`Jr.`, `III`, `PhD`). */
const AFTER_NAME = /^(?:jr|sr|ii|iii|iv|v|vi|phd|ph\.d|md|m\.d|esq|ret)\.?$/i;
/** A word written in capitals, as the family name in `LI Wei` or `José María AZNAR LÓPEZ`. */
const IN_CAPITALS = (word: string) => /\p{Lu}.*\p{Lu}/u.test(word) && word === word.toLocaleUpperCase();

/**
 * A person's name taken apart for a signature: the surname, and the given names before it; null when
 * the text is not a person's name ("Political officer, BEIJING"). The surname is the last word, after
 * a generation or a degree (`Robert F. Kennedy Jr.` is KENNEDY, `Mary Smith, PhD` SMITH); a name whose
 * family name is not last says which it is by writing it in capitals, as diplomatic lists do (`LI Wei`
 * is LI, `José María AZNAR LÓPEZ` AZNAR LÓPEZ).
 */
export function surnameOf(name: string): { surname: string; given: string[] } | null {
  const words = name.replace(/\([^)]*\)/g, ' ').split(',')[0].trim().split(/\s+/).filter(Boolean);
  while (words.length > 1 && AFTER_NAME.test(words[words.length - 1])) words.pop();
  // Letters only, first and last words capitalised (particles between may not be: `de la`).
  const capitalised = (word: string | undefined) => word !== undefined && /^\p{Lu}/u.test(word);
  if (!capitalised(words[0]) || !capitalised(words.at(-1)) || !words.every((word) => /^\p{L}[\p{L}.'’-]*$/u.test(word))) return null;
  const capitals = words.every(IN_CAPITALS) ? -1 : words.findIndex(IN_CAPITALS);
  if (capitals >= 0) {
    let end = capitals;
    while (end + 1 < words.length && IN_CAPITALS(words[end + 1])) end++;
    return { surname: words.slice(capitals, end + 1).join(' '), given: [...words.slice(0, capitals), ...words.slice(end + 1)] };
  }
  return { surname: words[words.length - 1], given: words.slice(0, -1) };
}

const titleCase = (word: string) => word.charAt(0) + word.slice(1).toLocaleLowerCase();

/**
 * An officer as the Drafted, Cleared and Approved lines write them: initial and surname from the
 * display name ("Jane Doe (EAP/CM desk officer)" is JDoe, "LI Wei" WLi, "Robert Kennedy Jr." RKennedy);
 * the username when the display name is not a person's name ("Political officer, BEIJING") or is unknown.
 */
export function officerSurname(officer: Officer, directory: TelegramDirectory): { short: string; surname: string | null } {
  const name = surnameOf(directory.displayName?.(officer.id) ?? '');
  if (!name || name.given.length === 0) return { short: officer.username, surname: null };
  const written = name.surname.split(' ').map((word) => (IN_CAPITALS(word) ? titleCase(word) : word)).join('');
  return { short: `${name.given[0][0]}${written}`, surname: name.surname };
}

/**
 * How a line the format writes itself begins: the prosigns (`BT` between heading and text, `NNNN`
 * ending a message and `ZCZC` starting one, anywhere at a line's start as ACP 127 reads them), the
 * channel number (`#0124`), and the heading's and trailer's labels; in any case, and after anything
 * of no width (a zero-width space, a joiner: a line set in by a space does not begin so). Text wrapped onto a new line, and the signature, never
 * begin as one, so that no sender's words read as the telegram's own framing.
 */
const FRAMING = /^\p{Cf}*(?:NNNN|ZCZC|(?:BT|#\d+)(?:\s|$)|(?:MRN|DTG|Drafted|Cleared|Approved):)/iu;

/** A line of the sender's words (a signature) that would begin as framing, set in by a space: never read as the format's own. */
const setIn = (line: string) => (FRAMING.test(line) ? ` ${line}` : line);

/**
 * A word no line holds (a long link, a run of characters) cut into lines of their own, as a
 * teleprinter's fixed width cuts it, so that no line runs past WIDTH and a section's 60 lines stay
 * about 4,000 characters. No piece after the first begins as framing: the cut moves back a character.
 */
function cutToWidth(word: string, indent: string, first: boolean): string[] {
  const pieces: string[] = [];
  let rest = word;
  let lead = first ? '' : indent;
  while (lead.length + rest.length > WIDTH) {
    let at = cutAtOrBefore(rest, WIDTH - lead.length);
    for (let back = at; back > 1 && FRAMING.test(indent + rest.slice(at)); ) {
      back = cutAtOrBefore(rest, at - 1);
      if (back >= at) break;
      at = back;
    }
    pieces.push(lead + rest.slice(0, at));
    rest = rest.slice(at);
    lead = indent;
  }
  return [...pieces, lead + rest];
}

const CHARACTERS = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Where a word may be cut at or before `at` (in UTF-16 units, as widths are counted): between two
 * characters as a reader sees them, never inside one (a surrogate pair, which PostgreSQL's `jsonb`
 * would refuse as half a character, or a letter and its accent). The first character's end when it
 * alone is longer than `at`.
 */
function cutAtOrBefore(word: string, at: number): number {
  let cut = 0;
  for (const { index } of CHARACTERS.segment(word)) {
    if (index > at) return cut || index;
    cut = index;
  }
  return word.length <= at || cut === 0 ? word.length : cut;
}

function wrap(text: string, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if ((line ? indent.length : 0) + word.length > WIDTH) {
      if (line) lines.push(line);
      const pieces = cutToWidth(word, indent, !line);
      line = pieces.pop()!;
      lines.push(...pieces);
    } else if (line && (line + ' ' + word).length > WIDTH) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  // A continuation line that would begin as framing is set in by a space, as a signature is (a line
  // set in does not begin so); what that pushes past WIDTH goes on to the next line, word by word,
  // and that line is looked at in its turn. (Taking the word before down instead chained: a run of
  // framing words made one line of them, past any width.) The first line begins as its caller wrote it.
  // (Only unindented text can begin so: the words moved on meet no indent.)
  for (let i = 1; i < lines.length; i++) {
    if (FRAMING.test(lines[i])) lines[i] = ` ${lines[i]}`;
    while (lines[i].length > WIDTH && lines[i].lastIndexOf(' ') > 0) {
      const cut = lines[i].lastIndexOf(' ');
      const moved = lines[i].slice(cut + 1);
      lines[i] = lines[i].slice(0, cut);
      if (i + 1 < lines.length) lines[i + 1] = `${moved} ${lines[i + 1]}`;
      else lines.push(moved);
    }
  }
  return lines;
}

const spaced = (word: string) => word.split('').join(' ');
const mmddyyyy = (date: string) => `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`;
const two = (n: number) => String(n).padStart(2, '0');

/** Splits the text into sections of at most SECTION_LINES lines, after a blank line where one is near. */
function sections(body: string[]): string[][] {
  if (body.length <= SECTION_LINES) return [body];
  const out: string[][] = [];
  let rest = body;
  while (rest.length > SECTION_LINES) {
    let cut = SECTION_LINES;
    for (let i = SECTION_LINES; i > SECTION_LINES / 2; i--) {
      if (rest[i - 1] === '') {
        cut = i;
        break;
      }
    }
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

/**
 * The cable as real ones read: banner, MRN and date-time group, precedence, FM/TO/INFO (collectives
 * written with COLLECTIVE), BT, the classification line (`UNCLAS` for unclassified and SBU traffic,
 * with the caption SENSITIVE or SBU NOFORN), captions, E.O. line, TAGS, SUBJECT with its portion
 * mark, REF, the classification authority, numbered paragraphs, the signature (the Secretary's on a
 * Department cable, the chief of mission's on a post cable), the Drafted/Cleared/Approved lines, in
 * sections when long, ending with NNNN.
 *
 * `signature` signs a Department cable. A post cable is signed by its chief of mission when the
 * directory knows one (`PATCH /posts/:code {chiefOfMission}`); when none is recorded, the surname
 * of the officer who approved it (who released it under the chief of mission's authority), else
 * `signature`. `release` is the cable's own by default; the release renders the telegram it records
 * with the release it is about to make.
 */
export function renderTelegram(cable: Cable, directory: TelegramDirectory, signature: string, release: Release | null = cable.release): string {
  const draft = cable.draft;
  const sbu = draft.classification === 'SBU';
  const noforn = draft.captions.includes('NOFORN');
  const banner = sbu ? ['UNCLASSIFIED', 'SBU', ...(noforn ? ['NOFORN'] : [])].join('//') : [draft.classification.replace('_', ' '), ...(noforn ? ['NOFORN'] : [])].join('//');
  const dtg = release?.dateTimeGroup ?? 'NOT RELEASED';
  const mrn = release?.mrn ?? 'NOT RELEASED';
  const designator = (code: string) => collectiveDesignator(code) ?? directory.designator(code);
  const from = cable.origin === DEPARTMENT ? 'SECSTATE WASHDC' : directory.designator(cable.origin);
  const precedence = PRECEDENCE_WORDS[draft.precedence];
  const out: string[] = [];
  out.push(banner, '');
  out.push(`MRN: ${mrn}${release ? ` (${compactMrn(release.mrn)})` : ''}`);
  out.push(`DTG: ${dtg}`);
  out.push(`${PROSIGN[draft.precedence]} ${dtg}`);
  out.push(`FM ${from}`);
  draft.actionAddressees.forEach((code, i) => out.push(`${i === 0 ? 'TO ' : '   '}${designator(code)} ${precedence}`));
  draft.infoAddressees.forEach((code, i) => out.push(`${i === 0 ? 'INFO ' : '     '}${designator(code)} ${precedence}`));

  const serial = release ? release.mrn.split(' ')[2] : '';
  const classLine = isClassified(draft.classification) ? spaced(draft.classification.replace('_', ' ')) : 'UNCLAS';
  const channel = draft.captions.filter((c) => (CHANNEL_CAPTIONS as readonly string[]).includes(c));
  const handling = draft.captions.filter((c) => !(CHANNEL_CAPTIONS as readonly string[]).includes(c) && c !== 'NOFORN');
  const captionLines = sbu ? [noforn ? 'SBU NOFORN' : 'SENSITIVE', ...channel, ...handling] : [...channel, ...(noforn ? ['NOFORN'] : []), ...handling];

  const body: string[] = [];
  const authority = isClassified(draft.classification) ? draft.classifiedBy : null;
  if (authority) {
    const when = isDeclassificationDate(authority.declassifyOn) ? mmddyyyy(authority.declassifyOn) : authority.declassifyOn.toUpperCase();
    body.push(...wrap(`E.O. 13526: DECL: ${authority.exemption ? `${authority.exemption}, ` : ''}${when}`, '            '));
  } else {
    body.push('E.O. 13526: N/A');
  }
  body.push(...wrap(`TAGS: ${draft.tags.join(', ')}`, '      '));
  body.push(...wrap(`SUBJECT: (${subjectMarkingOf(draft)}) ${draft.subject.toUpperCase()}`, '         '));
  body.push('');
  draft.references.forEach((ref, i) => body.push(`${i === 0 ? 'REF: ' : '     '}${ref.label}. ${ref.mrn}`));
  if (draft.references.length > 0) body.push('');
  if (authority) {
    const basis = authority.derivedFrom !== undefined ? `DERIVED FROM: ${authority.derivedFrom}.` : `REASON: ${authority.reasons.join(', ')}.`;
    body.push(...wrap(`CLASSIFIED BY: ${authority.name}, ${authority.title}, ${authority.office}. ${basis}`, '  '));
    body.push('');
  }
  draft.paragraphs.forEach((paragraph, i) => {
    body.push(...wrap(`${i + 1}. (${paragraph.marking}) ${paragraph.text}`));
    body.push('');
  });
  if (draft.demarche) {
    // What the demarche asks of the posts it tasks: whom to see with which points, and by when to
    // report (domain.md: it "names the points to make, whom to see … and a report-by date"). Its
    // portion takes the cable's own marking: whom to see is the drafter's text, marked no lower.
    const scope = draft.demarche.scope ? scopeSentence(draft.demarche.scope, designator) : null;
    const request = [scope, demarcheSentence(draft.demarche)].filter((part): part is string => part !== null).join(' ');
    body.push(...wrap(`${draft.paragraphs.length + 1}. (${portionMarkingOf(draft.classification)}) ACTION REQUEST: ${request}`));
    body.push('');
  }
  body.push(setIn(signer(cable, directory, signature).toUpperCase()));
  body.push('');
  const mark = (officer: Officer) => `${officer.office ?? cable.origin}:${officerSurname(officer, directory).short}`;
  body.push(`Drafted: ${mark(cable.drafter)}`);
  const NOTE = { CLEARED: '', CLEARED_WITH_COMMENTS: ' (with comments)', NON_CONCUR: ' (non-concur)', STALE: ' (stale)', PENDING: '' } as const;
  const cleared = cable.clearances.filter((c) => c.by).map((c) => `${c.office}:${officerSurname(c.by!, directory).short}${NOTE[c.status]}`);
  if (cleared.length > 0) body.push(...wrap(`Cleared: ${cleared.join(', ')}`, '         '));
  if (cable.approvedBy) body.push(`Approved: ${mark(cable.approvedBy)}`);

  const parts = sections(body);
  parts.forEach((part, i) => {
    const section = parts.length > 1 ? ` SECTION ${two(i + 1)} OF ${two(parts.length)}` : '';
    out.push('BT');
    out.push(`${classLine}${section} ${cable.origin} ${serial}`.trimEnd());
    out.push(...captionLines);
    out.push('');
    out.push(...part);
  });
  out.push('', banner);
  out.push('BT');
  if (release) out.push(`#${serial.slice(-4)}`);
  out.push('NNNN');
  return `${out.join('\n')}\n`;
}

/** The demarche's request in the telegram's words: the points to whom, and the report-by date. */
export function demarcheSentence(demarche: Pick<DemarcheInstructions, 'points' | 'targets' | 'reportBy'>): string {
  const points = [...demarche.points].sort((a, b) => a - b).map(String);
  const named = points.length === 1 ? `PARAGRAPH ${points[0]}` : `PARAGRAPHS ${points.slice(0, -1).join(', ')} AND ${points.at(-1)}`;
  const [year, month, day] = demarche.reportBy.split('-').map(Number);
  return `DELIVER THE POINTS IN ${named} TO ${demarche.targets.trim().replace(/\s+/g, ' ').toUpperCase()}, AND REPORT THE RESPONSE BY ${MONTHS[month - 1]} ${day}, ${year}.`;
}

const KIND_WORDS: Readonly<Record<string, string>> = { EMBASSY: 'EMBASSIES', CONSULATE_GENERAL: 'CONSULATES GENERAL', CONSULATE: 'CONSULATES', MISSION: 'MISSIONS' };

/** The action paragraph's words for a demarche's scope: who among the addressees is to act. */
export function scopeSentence(scope: NonNullable<NonNullable<Cable['draft']['demarche']>['scope']>, designator: (code: string) => string): string | null {
  const parts: string[] = [];
  if (scope.kinds?.length) parts.push(`${scope.kinds.map((k) => KIND_WORDS[k] ?? k).join(' AND ')} ONLY`);
  if (scope.posts?.length) parts.push(`ONLY ${scope.posts.map(designator).join(', ')}`);
  if (scope.excludePosts?.length) parts.push(`ALL ADDRESSEES EXCEPT ${scope.excludePosts.map(designator).join(', ')}`);
  if (parts.length === 0) return null;
  return `THIS DEMARCHE TASKS ${parts.join('; ')}. OTHER ADDRESSEES NEED NOT ACT.`;
}

function signer(cable: Cable, directory: TelegramDirectory, signature: string): string {
  if (cable.origin === DEPARTMENT) return signature;
  const chief = directory.chiefOfMission?.(cable.origin);
  if (chief) return chief;
  return (cable.approvedBy && officerSurname(cable.approvedBy, directory).surname) ?? signature;
}
