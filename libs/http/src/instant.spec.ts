import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsInstant } from './instant.js';

class Query {
  @IsInstant('asOf')
  asOf: unknown;
}

/** The instant a query's `asOf` is read as, or the validation message. */
function read(asOf: string): string {
  const query = plainToInstance(Query, { asOf });
  const [error] = validateSync(query);
  return error ? Object.values(error.constraints ?? {}).join('; ') : (query.asOf as Date).toISOString();
}

describe('IsInstant', () => {
  it('reads ISO 8601 instants with their offset, and a date as its midnight UTC', () => {
    expect(read('2026-11-30T09:00:00Z')).toBe('2026-11-30T09:00:00.000Z');
    expect(read('2026-11-30T10:00:00+01:00')).toBe('2026-11-30T09:00:00.000Z');
    expect(read('2026-11-30T04:00-05:00')).toBe('2026-11-30T09:00:00.000Z');
    expect(read('2026-11-30')).toBe('2026-11-30T00:00:00.000Z');
  });

  it('reads a + offset that a query string turned into a space as the + it was', () => {
    expect(read('2026-11-30T10:00:00 01:00')).toBe('2026-11-30T09:00:00.000Z');
    expect(read('2026-11-30T10:00:00.250 01:00')).toBe('2026-11-30T09:00:00.250Z');
  });

  it('reads an instant of the first centuries as the instant it is', () => {
    expect(read('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000Z');
    expect(read('0001-01-01')).toBe('0001-01-01T00:00:00.000Z');
    expect(read('0099-12-31T23:59:59.999Z')).toBe('0099-12-31T23:59:59.999Z');
    expect(read('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
  });

  it.each(['0000-01-01T00:00:00Z', '0000-02-29', '0001-01-01T00:00:00+01:00', '9999-12-31T23:00:00-05:00'])('says %j is outside the instants it takes', (asOf) => {
    expect(read(asOf)).toBe('asOf must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z');
  });

  it.each(['2026-11-30T10:00:00', '2026-02-30', '-1', 'Monday', '2026-11-30 10:00:00Z', '2026-11-30T10:00:00 1:00', ' 2026-11-30', '0001-02-29', '0000-02-30'])('refuses %j', (asOf) => {
    expect(read(asOf)).toBe('asOf must be an ISO 8601 instant');
  });
});
