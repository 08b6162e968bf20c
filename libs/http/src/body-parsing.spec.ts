import { checkJsonText, MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from './body-parsing.js';
import { neutralizeCsvCell } from '@chancery/common';

describe('checkJsonText', () => {
  const check = (text: string | Buffer) => () => checkJsonText(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));

  it('lets ordinary JSON through, surrogate pairs and brackets inside strings included', () => {
    expect(check('{"a":[1,{"b":"\\ud83d\\ude00 [[[[ {{{{"}]}')).not.toThrow();
    expect(check(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).not.toThrow();
    expect(check('"\\\\ud800"')).not.toThrow(); // an escaped backslash, then plain text
  });

  it('refuses nesting deeper than the limit', () => {
    expect(check(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toThrow(/more than 32 deep/);
  });

  it('refuses objects and arrays of more members than the limit in all, however they are spread', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',');
    expect(check(`{${members(MAX_JSON_MEMBERS)}}`)).not.toThrow();
    expect(check(`{${members(MAX_JSON_MEMBERS + 1)}}`)).toThrow(/more than 10,000 members in all/);
    expect(check(`{"a":[${Array.from({ length: MAX_JSON_MEMBERS + 1 }, () => '0').join(',')}]}`)).toThrow(/more than 10,000 members/);
    // Spread over many objects, they count together (each object validated key by key costs as much).
    expect(check(`[${Array.from({ length: 12 }, () => `{${members(MAX_JSON_MEMBERS / 10)}}`).join(',')}]`)).toThrow(/more than 10,000 members in all/);
    // Commas inside strings do not count.
    expect(check(`["${','.repeat(MAX_JSON_MEMBERS * 2)}"]`)).not.toThrow();
  });

  it('refuses lone surrogates, high or low, and bytes that are not UTF-8', () => {
    expect(check('{"t":"\\ud800"}')).toThrow(/lone UTF-16 surrogate/);
    expect(check('{"t":"\\uD800\\u0041"}')).toThrow(/lone UTF-16 surrogate/);
    expect(check('{"t":"x\\udc00"}')).toThrow(/lone UTF-16 surrogate/);
    expect(check(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toThrow(/not valid UTF-8/);
  });
});

describe('neutralizeCsvCell', () => {
  it.each(['=HYPERLINK("x")', '+1', '-1+2', '@SUM(A1)', '\tx', '\rx'])('prefixes %j with a quote', (value) => {
    expect(neutralizeCsvCell(value)).toBe(`'${value}`);
  });
  it('leaves other text as it is', () => {
    expect(neutralizeCsvCell('Beijing, 5 December')).toBe('Beijing, 5 December');
  });
});
