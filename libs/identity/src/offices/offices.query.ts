import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { type Db, pageAndCount, sql } from '@chancery/database';
import { streamIdOf } from '@chancery/event-store/domain';
import { type Office, OfficeDirectory, officeDirectoryDefinition } from '../domain/office-directory.aggregate.js';

interface OfficeRow {
  symbol: string;
  name: string;
  bureau: string;
}

/** The directory of offices, as clearance requests, users and follow-up owners are checked against. */
@Injectable()
export class OfficesQuery {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A page of the directory, with the directory's `version` (its ETag): what an `If-Match` on the
   * next addition names, for any client, not only the one that made the last.
   */
  async list(bureau?: string, limit = 500, offset = 0): Promise<{ items: Office[]; total: number; version: number }> {
    // The page, its total and the version from one snapshot (pageAndCount): an office added meanwhile
    // is in all three or in none, so an If-Match of this version never passes over an office unseen.
    const { rows: items, counts } = await pageAndCount<OfficeRow, { total: number; version: number }>(this.dataSource, {
      columns: 'symbol, name, bureau',
      from: 'offices WHERE $1::text IS NULL OR bureau = $1',
      order: [['symbol']],
      params: [bureau ?? null, streamIdOf(officeDirectoryDefinition.streamType, OfficeDirectory.ID)],
      counts: 'count(*)::int AS total, (SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $2)::int AS version',
      limit,
      offset,
    });
    return { items, ...counts };
  }

  async find(symbol: string): Promise<Office | undefined> {
    const [row] = await sql<OfficeRow>(this.dataSource, 'SELECT symbol, name, bureau FROM offices WHERE symbol = $1', [symbol]);
    return row;
  }

  /** Throws a 422 naming `field` unless every symbol is in the directory. Inside a command, pass its transaction as `db`. */
  async requireKnown(field: string, symbols: readonly string[], db: Db = this.dataSource): Promise<void> {
    if (symbols.length === 0) return;
    const known = await sql<{ symbol: string }>(db, 'SELECT symbol FROM offices WHERE symbol = ANY($1::text[])', [symbols]);
    const unknown = symbols.filter((symbol) => !known.some((row) => row.symbol === symbol));
    if (unknown.length > 0) {
      const message = `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an office' : 'are not offices'} in the directory (GET /offices)`;
      throw new ChanceryError(ErrorCode.RuleViolated, message, { errors: [{ field, message }] });
    }
  }
}
