import { isTransient } from './transient-errors.js';

const pgFailure = (code: string) => Object.assign(new Error(`failed with ${code}`), { driverError: { code } });

describe('isTransient', () => {
  it('says "try again" for lost connections, deadlocks, serialization failures, lock and statement timeouts, shutdowns', () => {
    for (const code of ['40P01', '40001', '55P03', '57014', '57P01', '57P02', '57P03', '53300', '08006', '08003']) {
      expect({ code, transient: isTransient(pgFailure(code)) }).toEqual({ code, transient: true });
    }
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('says "this event is wrong" for everything else', () => {
    for (const code of ['23505', '23502', '22P02', '42P01', '42703']) {
      expect({ code, transient: isTransient(pgFailure(code)) }).toEqual({ code, transient: false });
    }
    expect(isTransient(new Error('the order refers to nothing'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
    expect(isTransient('a string')).toBe(false);
  });
});
