/**
 * Characters that draw nothing on their own: spaces, format characters (a zero-width space, a
 * joiner, a bidi mark), combining marks with nothing to combine with (a variation selector, the
 * grapheme joiner, an accent), and the letters and symbols that draw as blank (the Hangul fillers,
 * the blank Braille pattern).
 */
const DRAWS_NOTHING = /[\s\p{Z}\p{Cf}\p{M}\u115f\u1160\u3164\uffa0\u2800]/u;
const SHOWS_SOMETHING = new RegExp(`[^${DRAWS_NOTHING.source.slice(1, -1)}]`, 'u');

/** Whether any character of the text shows: not only characters that draw nothing (`DRAWS_NOTHING`). */
export function showsText(text: string): boolean {
  return SHOWS_SOMETHING.test(text);
}

/**
 * The characters that reorder the text around them for the reader: the bidirectional embeddings,
 * overrides and isolates (U+202A to U+202E, U+2066 to U+2069). A line of its own (a subject, a
 * title, a name) holds none: `a\u202Eb` would show its reader something other than what was written.
 * (The marks U+200E and U+200F reorder nothing, and right-to-left text needs none of these.)
 */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;
