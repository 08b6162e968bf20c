import { CAPTIONS, combinedCaptions } from '@chancery/cables/domain';
import { CLASSIFICATIONS, type Classification } from '@chancery/identity/domain';

/**
 * A record's marking as a screen reports it: its classification, and its captions after `//`
 * (`CONFIDENTIAL//NOFORN`), as a banner line writes them.
 */
export const marking = (classification: string, captions: readonly string[] = []): string => (captions.length > 0 ? `${classification}//${captions.join('/')}` : classification);
/** A record's marking as a list or a page gives it (`classification`, and `captions` where the server gives them). */
export const recordMarking = (record: { classification: string; captions?: readonly string[] }): string => marking(record.classification, record.captions);
/** The markings records put on a screen, captions and all (one the server gave no classification puts none). */
export const markingsOf = (records: readonly { classification?: string; captions?: readonly string[] }[]): string[] =>
  records.flatMap((record) => (record.classification ? [marking(record.classification, record.captions)] : []));

/**
 * The highest classification among what is on screen (markings or bare classifications), in the
 * markings' own order: SBU above UNCLASSIFIED, though any reader may read both (need-to-know's `readingLevel`).
 */
export function highest(markings: readonly string[]): Classification {
  let top: Classification = 'UNCLASSIFIED';
  for (const value of markings) {
    const classification = value.split('//')[0];
    if ((CLASSIFICATIONS as readonly string[]).includes(classification) && CLASSIFICATIONS.indexOf(classification as Classification) > CLASSIFICATIONS.indexOf(top)) top = classification as Classification;
  }
  return top;
}

/** A classification as a banner line writes it: SBU as the telegram's banner does, `UNCLASSIFIED//SBU`. */
export const bannerText = (classification: Classification) => (classification === 'SBU' ? 'UNCLASSIFIED//SBU' : classification.replace('_', ' '));

/**
 * What the banners say of what is on screen: the highest classification, then every caption any of
 * it carries (a NOFORN record makes the screen NOFORN), combined by the captions' rules (one channel
 * caption, the most restrictive; no SIPDIS beside NODIS or EXDIS), in the captions' own order:
 * `SECRET//NODIS/NOFORN`. `classification` colours the banner.
 */
export function bannerOf(markings: readonly string[]): { classification: Classification; text: string } {
  const classification = highest(markings);
  const carried = new Set(combinedCaptions(markings.flatMap((value) => (value.includes('//') ? value.split('//')[1].split('/') : []))));
  const captions = (CAPTIONS as readonly string[]).filter((caption) => carried.has(caption));
  return { classification, text: captions.length > 0 ? `${bannerText(classification)}//${captions.join('/')}` : bannerText(classification) };
}
