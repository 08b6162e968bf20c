import { ChanceryError, ErrorCode } from '@chancery/common';
import { parseIfMatch } from './command-context.decorator.js';
import { problemType, statusFor } from './problem-details.js';

describe('problem details', () => {
  it('maps every error code to a 4xx status', () => {
    for (const code of Object.values(ErrorCode)) {
      const status = statusFor(code);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    expect(statusFor(ErrorCode.PreconditionFailed)).toBe(412);
    expect(statusFor(ErrorCode.IdempotencyKeyReused)).toBe(422);
    expect(statusFor(ErrorCode.ConcurrencyConflict)).toBe(409);
  });

  it('names problem types by code', () => {
    expect(problemType(ErrorCode.ConcurrencyConflict)).toBe('urn:chancery:problem:concurrency-conflict');
  });
});

describe('If-Match', () => {
  it.each([
    ['"3"', 3],
    ['W/"12"', 12],
    ['7', 7],
    ['*', undefined],
  ])('reads %s as %s', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('is absent without the header', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it.each(['"a"', '"1", "2"', '', '-1'])('refuses %j', (header) => {
    expect(() => parseIfMatch(header)).toThrow(ChanceryError);
  });
});
