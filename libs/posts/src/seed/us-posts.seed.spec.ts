import { fipsOfIso, tagKind } from '@chancery/cables/domain';
import { BUREAUS, POST_CODE_PATTERN, POST_KINDS } from '../domain/post.aggregate.js';
import { POST_STATUS_CHANGES, RETIRED_POSTS, US_POSTS } from './us-posts.seed.js';

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

  it('gives every post a FIPS 10-4 country tag, the one its ISO country maps to', () => {
    for (const [code, , , country, tag] of US_POSTS) {
      expect({ code, tag, kind: tagKind(tag) }).toEqual({ code, tag, kind: 'country' });
      expect({ code, tag: fipsOfIso(country) }).toEqual({ code, tag });
    }
  });

  it('has the 2026 network: VATICAN for the Holy See, the German and Halifax consulates general, the newer posts', () => {
    expect(US_POSTS).toHaveLength(274); // 269 before: HOLYSEE became VATICAN; Bengaluru, Nuuk, Hamilton, St. George's, USASEAN added
    const byCode = new Map(US_POSTS.map((row) => [row[0], row]));
    expect(byCode.has('HOLYSEE')).toBe(false);
    expect(byCode.get('VATICAN')?.slice(2)).toEqual(['EMBASSY', 'VA', 'VT', 'EUR']);
    for (const code of ['DUSSELDORF', 'HAMBURG', 'LEIPZIG', 'HALIFAX']) expect([code, byCode.get(code)?.[2]]).toEqual([code, 'CONSULATE_GENERAL']);
    expect(byCode.get('BENGALURU')?.slice(2)).toEqual(['CONSULATE_GENERAL', 'IN', 'IN', 'SCA']);
    expect(byCode.get('NUUK')?.slice(2)).toEqual(['CONSULATE', 'GL', 'GL', 'EUR']);
    expect(byCode.get('HAMILTON')?.slice(2)).toEqual(['CONSULATE_GENERAL', 'BM', 'BD', 'WHA']);
    expect(byCode.get('STGEORGES')?.slice(2)).toEqual(['EMBASSY', 'GD', 'GJ', 'WHA']);
    expect(byCode.get('USASEAN')?.slice(2)).toEqual(['MISSION', 'ID', 'ID', 'IO']);
    for (const [code, { successor }] of Object.entries(RETIRED_POSTS)) {
      expect(byCode.has(code)).toBe(false);
      expect(byCode.has(successor)).toBe(true);
    }
  });

  it('changes the status only of posts it has', () => {
    const codes = new Set(US_POSTS.map(([code]) => code));
    for (const code of Object.keys(POST_STATUS_CHANGES)) expect(codes.has(code)).toBe(true);
  });
});
