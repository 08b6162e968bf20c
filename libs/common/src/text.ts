/**
 * Characters that draw nothing on their own: spaces, format characters (a zero-width space, a
 * joiner, a bidi mark), combining marks with nothing to combine with (a variation selector, the
 * grapheme joiner, an accent), the letters and symbols that draw as blank (the Hangul fillers,
 * the blank Braille pattern), the code points Unicode keeps to be ignored when shown (U+2065,
 * U+FFF0 to U+FFF8, …), and the noncharacters (U+FFFE, U+FFFF, U+FDD0 to U+FDEF, the last two of
 * every plane), which are no text at all.
 */
const DRAWS_NOTHING = /[\s\p{Z}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\u115f\u1160\u3164\uffa0\u2800]/u;
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

/** C0 and C1 control characters and DEL: a subject, a name, a file's name holds none. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * What breaks a line without being a control character (U+2028, U+2029; NEL is one), and what
 * reorders the text around it for the reader (`BIDI_CONTROLS`): a line of its own (a subject line,
 * a file's name) holds neither. (A paragraph may: it may quote right-to-left text.)
 */
export const LINE_OR_ORDER_BREAKING = /[\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
