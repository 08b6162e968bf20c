import { BIDI_CONTROLS, showsText } from './text.js';

describe('showsText', () => {
  it('finds text in words of any script, and in a mark that follows a letter', () => {
    for (const text of ['a', ' x ', 'جواب', '答复', 'é', 'e\u0301', '1', '—', '\u2800a', '\uffffa', '\ufffd', '\ue000']) expect({ text, shows: showsText(text) }).toEqual({ text, shows: true });
  });

  it('finds none in spaces, format characters, lone marks or the characters that draw as blank', () => {
    const blanks = ['', ' ', '\t\n', '\u00a0', '\u3000', '\u200b', '\u200d\u2060', '\ufeff', '\u200e\u200f', '\u202e', '\u034f', '\ufe0f', '\u17b4', '\u0301', '\u3164', '\u115f', '\u1160', '\uffa0', '\u2800\u2800'];
    for (const text of blanks) expect({ text, shows: showsText(text) }).toEqual({ text, shows: false });
  });

  it('finds none in noncharacters, or in the code points kept to be ignored when shown', () => {
    // Noncharacters (U+FFFF, U+FFFE, U+FDD0 to U+FDEF, the last two of every plane) are no text; U+2065 and U+FFF0 are kept invisible.
    const blanks = ['\uffff', '\ufffe\uffff', '\ufdd0', '\ufdef', '\u{1fffe}', '\u{10ffff}', ' \uffff ', '\u2065', '\ufff0', '\u{e0fff}'];
    for (const text of blanks) expect({ text, shows: showsText(text) }).toEqual({ text, shows: false });
  });
});

describe('BIDI_CONTROLS', () => {
  it('matches the embeddings, overrides and isolates, not the marks', () => {
    expect(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'].every((c) => BIDI_CONTROLS.test(c))).toBe(true);
    expect(['\u200e', '\u200f', 'abc', 'جواب'].some((c) => BIDI_CONTROLS.test(c))).toBe(false);
  });
});
