import { BUREAUS, POST_CODE_PATTERN, POST_KINDS } from '../domain/post.aggregate.js';
import { POST_STATUS_CHANGES, US_POSTS } from './us-posts.seed.js';

describe('the U.S. network seed', () => {
  it('has at least 250 posts with unique, MRN-shaped codes', () => {
    expect(US_POSTS.length).toBeGreaterThanOrEqual(250);
    const codes = US_POSTS.map(([code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(POST_CODE_PATTERN);
  });

  it('uses only known kinds and bureaus and two-letter country codes', () => {
    for (const [code, , kind, country, tag, bureau] of US_POSTS) {
      expect({ code, kind: POST_KINDS.includes(kind), bureau: BUREAUS.includes(bureau) }).toEqual({ code, kind: true, bureau: true });
      expect(country).toMatch(/^[A-Z]{2}$/);
      expect(tag).toMatch(/^[A-Z]{2}$/);
    }
  });

  it('follows FIPS-style TAGS, not ISO, where the two differ', () => {
    const byCode = new Map(US_POSTS.map((row) => [row[0], row]));
    expect(byCode.get('BEIJING')?.slice(3, 5)).toEqual(['CN', 'CH']);
    expect(byCode.get('TOKYO')?.slice(3, 5)).toEqual(['JP', 'JA']);
    expect(byCode.get('LONDON')?.slice(3, 5)).toEqual(['GB', 'UK']);
    expect(byCode.get('BERLIN')?.slice(3, 5)).toEqual(['DE', 'GM']);
  });

  it('changes the status only of posts it has', () => {
    const codes = new Set(US_POSTS.map(([code]) => code));
    for (const code of Object.keys(POST_STATUS_CHANGES)) expect(codes.has(code)).toBe(true);
  });
});
