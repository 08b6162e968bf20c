import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { DataRepair, sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type Cable, cableDefinition } from './domain/cable.aggregate.js';
import { rewriteCableSearch } from './projections/cables.projection.js';

export const CABLE_SEARCH_REPAIR = 'cable-search-accents';

/**
 * Cables whose search document versions of Chancery before `AddAccentInsensitiveSearch` wrote with
 * their accents (`démarch`, which a search for `demarche` does not find). Once per database (a
 * DataRepair: in the background from the start of a process that seeds), each document holding a
 * word beyond ASCII is written anew from the cable as its events leave it, as the projection writes
 * it now. A read table only: no event, nothing audited; a cable changed meanwhile was written anew
 * by its own command.
 */
@Injectable()
export class CableSearchRepair extends DataRepair<string> {
  private readonly cables: AggregateRepository<Cable>;

  constructor(repositories: AggregateRepositoryFactory, dataSource: DataSource, @Inject(PROCESS_OPTIONS) process: ProcessOptions) {
    super(CABLE_SEARCH_REPAIR, dataSource, process);
    this.cables = repositories.for(cableDefinition);
  }

  protected describe(id: string): string {
    return `Cable ${id}: its search document`;
  }

  protected repaired(count: number): string {
    return `Wrote the search documents of ${count} ${count === 1 ? "cable" : "cables"} anew, their accented words searchable as plain ones`;
  }

  protected async repair(id: string): Promise<boolean> {
    const cable = await this.cables.load(id);
    if (!cable) return false;
    return rewriteCableSearch(this.dataSource, id, cable.version, cable.draft, cable.release?.mrn ?? null);
  }

  /** Cables whose document has a word with a letter beyond ASCII: only theirs may be read otherwise now. */
  protected async candidates(): Promise<string[]> {
    const rows = await sql<{ id: string }>(this.dataSource, `SELECT id::text AS id FROM cables WHERE search::text ~ '[^\\x01-\\x7F]' ORDER BY id`);
    return rows.map((row) => row.id);
  }
}
