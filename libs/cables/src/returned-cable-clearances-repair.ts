import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, systemContext } from '@chancery/common';
import { PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { DataRepair, sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type Cable, cableDefinition } from './domain/cable.aggregate.js';

export const RETURNED_CABLE_CLEARANCES_REPAIR = 'returned-cable-clearances';

/**
 * Cables that versions of Chancery before the rule returned with their clearances whole, though the
 * approver had changed the text those offices cleared: back in the drafter's hands, they could go
 * to approval again, and out, naming offices as clearing text they never saw. Once per database (a
 * DataRepair: in the background from the start of a process that seeds), each such cable not yet
 * released or cancelled has those clearances made stale, through the event store as a return now does
 * (`Cable.reopenClearancesTheApproverChanged`: an event, the read table, the offices told, an audit
 * entry under `system`). In the drafter's hands, it cannot be submitted until they clear again; one
 * resubmitted since shows its approver the stale clearances (and its telegram would name them
 * stale), to be returned for them. Released and cancelled cables are left as they went: history.
 */
@Injectable()
export class ReturnedCableClearancesRepair extends DataRepair<string> {
  private readonly cables: AggregateRepository<Cable>;

  constructor(
    repositories: AggregateRepositoryFactory,
    dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(PROCESS_OPTIONS) process: ProcessOptions,
  ) {
    super(RETURNED_CABLE_CLEARANCES_REPAIR, dataSource, process);
    this.cables = repositories.for(cableDefinition);
  }

  protected describe(id: string): string {
    return `Cable ${id}: its clearances`;
  }

  protected repaired(count: number): string {
    return `Reopened the clearances the approver's edits changed on ${count} returned cables`;
  }

  /** Whether it made any of the cable's clearances stale. */
  protected async repair(id: string): Promise<boolean> {
    let changed = false;
    await this.cables.update(systemContext(RETURNED_CABLE_CLEARANCES_REPAIR), 'ReopenReturnedCableClearances', id, async (cable) => {
      // Set, not counted: a retry runs this again. A cable released or cancelled meanwhile is history.
      changed = cable.status !== 'RELEASED' && cable.status !== 'CANCELLED' && cable.reopenClearancesTheApproverChanged(this.clock.now().toISOString()).length > 0;
    }, () => undefined);
    return changed;
  }

  /** Cables not yet released or cancelled that an approver edited and that were returned: only they may have been returned so. */
  protected async candidates(): Promise<string[]> {
    const rows = await sql<{ id: string }>(
      this.dataSource,
      `SELECT c.id::text AS id FROM cables c
       WHERE c.status IN ('DRAFT', 'IN_CLEARANCE', 'PENDING_APPROVAL', 'APPROVED')
         AND EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'cable-' || c.id::text AND e.type = 'CableEdited'
                       AND e.data->>'as' = 'approver' AND (e.data->>'substantive')::boolean)
         AND EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'cable-' || c.id::text AND e.type = 'CableReturned')
       ORDER BY c.id`,
    );
    return rows.map((row) => row.id);
  }
}
