import { CLASSIFICATIONS, type Classification, readingLevel } from '@chancery/identity/domain';

/** The highest classification among what is on screen: what the banners must say. */
export function highest(classifications: readonly string[]): Classification {
  let top: Classification = 'UNCLASSIFIED';
  for (const value of classifications) {
    if ((CLASSIFICATIONS as readonly string[]).includes(value) && readingLevel(value as Classification) > readingLevel(top)) top = value as Classification;
  }
  return top;
}

export const bannerText = (classification: Classification) => classification.replace('_', ' ');
