import type { Cable } from './cable.aggregate.js';
import { DEPARTMENT } from './cable.aggregate.js';
import { CHANNEL_CAPTIONS, compactMrn, isClassified } from './cable-format.js';

export interface TelegramDirectory {
  /** `AMEMBASSY BEIJING` for a post; a collective's own name for a collective. */
  designator(code: string): string;
}

const PROSIGN = { FLASH: 'Z', NIACT_IMMEDIATE: 'O', IMMEDIATE: 'O', ROUTINE: 'R' } as const;
const PRECEDENCE_WORDS = { FLASH: 'FLASH', NIACT_IMMEDIATE: 'NIACT IMMEDIATE', IMMEDIATE: 'IMMEDIATE', ROUTINE: 'ROUTINE' } as const;
const WIDTH = 69;

function wrap(text: string, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line && (line + ' ' + word).length > WIDTH) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const spaced = (word: string) => word.split('').join(' ');
const mmddyyyy = (date: string) => `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`;

/**
 * The cable in the classic telegram layout: banner, MRN and date-time group, precedence, FM/TO/INFO,
 * captions, E.O. line, TAGS, SUBJECT, REF, numbered paragraphs with portion markings, the
 * classification authority, signature, and the drafted/cleared/approved lines.
 */
export function renderTelegram(cable: Cable, directory: TelegramDirectory, signature: string): string {
  const draft = cable.draft;
  const banner = [draft.classification.replace('_', ' '), ...draft.captions.filter((c) => c === 'NOFORN')].join('//');
  const release = cable.release;
  const dtg = release?.dateTimeGroup ?? 'NOT RELEASED';
  const mrn = release?.mrn ?? 'NOT RELEASED';
  const from = cable.origin === DEPARTMENT ? 'SECSTATE WASHDC' : directory.designator(cable.origin);
  const precedence = PRECEDENCE_WORDS[draft.precedence];
  const out: string[] = [];
  out.push(banner, '');
  out.push(`MRN: ${mrn}${release ? ` (${compactMrn(release.mrn)})` : ''}`);
  out.push(`DTG: ${dtg}`);
  out.push(`${PROSIGN[draft.precedence]} ${dtg}`);
  out.push(`FM ${from}`);
  draft.actionAddressees.forEach((code, i) => out.push(`${i === 0 ? 'TO ' : '   '}${directory.designator(code)} ${precedence}`));
  draft.infoAddressees.forEach((code, i) => out.push(`${i === 0 ? 'INFO ' : '     '}${directory.designator(code)} ${precedence}`));
  out.push('BT');
  const serial = release ? release.mrn.split(' ')[2] : '';
  out.push(`${spaced(draft.classification.replace('_', ' ')).replace(/ {3}/g, '   ')} ${cable.origin} ${serial}`.trimEnd());
  const channel = draft.captions.filter((c) => (CHANNEL_CAPTIONS as readonly string[]).includes(c));
  const handling = draft.captions.filter((c) => !(CHANNEL_CAPTIONS as readonly string[]).includes(c) && c !== 'NOFORN');
  for (const caption of [...channel, ...handling]) out.push(caption);
  out.push('');
  out.push(isClassified(draft.classification) && draft.classifiedBy ? `E.O. 13526: DECL: ${mmddyyyy(draft.classifiedBy.declassifyOn)}` : 'E.O. 13526: N/A');
  out.push(...wrap(`TAGS: ${draft.tags.join(', ')}`, '      '));
  out.push(...wrap(`SUBJECT: ${draft.subject.toUpperCase()}`, '         '));
  out.push('');
  draft.references.forEach((ref, i) => out.push(`${i === 0 ? 'REF: ' : '     '}${ref.label}. ${ref.mrn}`));
  if (draft.references.length > 0) out.push('');
  if (isClassified(draft.classification) && draft.classifiedBy) {
    const authority = draft.classifiedBy;
    out.push(...wrap(`CLASSIFIED BY: ${authority.name}, ${authority.title}, ${authority.office}. REASON: ${authority.reasons.join(', ')}.`, '  '));
    out.push('');
  }
  draft.paragraphs.forEach((paragraph, i) => {
    out.push(...wrap(`${i + 1}. (${paragraph.marking}) ${paragraph.text}`));
    out.push('');
  });
  out.push(signature.toUpperCase());
  out.push('');
  out.push(`Drafted: ${cable.drafter.office ?? cable.origin}:${cable.drafter.username}`);
  const cleared = cable.clearances.filter((c) => c.by).map((c) => `${c.office}:${c.by!.username}${c.status === 'STALE' ? ' (stale)' : ''}`);
  if (cleared.length > 0) out.push(...wrap(`Cleared: ${cleared.join(', ')}`, '         '));
  if (cable.approvedBy) out.push(`Approved: ${cable.approvedBy.office ?? cable.origin}:${cable.approvedBy.username}`);
  out.push('BT');
  if (release) out.push(`#${serial.slice(-4)}`);
  out.push('', banner);
  return `${out.join('\n')}\n`;
}
