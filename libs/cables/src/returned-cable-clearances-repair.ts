import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, systemContext } from '@chancery/common';
import { PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { sql } from '@chancery/database';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type Cable, cableDefinition } from './domain/cable.aggregate.js';

export const RETURNED_CABLE_CLEARANCES_REPAIR = 'returned-cable-clearances';

/**
 * Cables that versions of Chancery before the rule returned with their clearances whole, though the
 * approver had changed the text those offices cleared: back in the drafter's hands, they could go
 * to approval again, and out, naming offices as clearing text they never saw. Once per database, in
 * the background from the start of a process that seeds, each such cable not yet released or
 * cancelled has those clearances made stale, through the event store as a return now does
 * (`Cable.reopenClearancesTheApproverChanged`: an event, the read table, the offices told, an audit
 * entry under `system`). In the drafter's hands, it cannot be submitted until they clear again; one
 * resubmitted since shows its approver the stale clearances (and its telegram would name them
 * stale), to be returned for them. Released and cancelled cables are left as they went: history.
 */
@Injectable()
export class ReturnedCableClearancesRepair implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReturnedCableClearancesRepair.name);
  private readonly cables: AggregateRepository<Cable>;
  private running: Promise<number> = Promise.resolve(0);
  private stopping = false;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(PROCESS_OPTIONS) private readonly process: ProcessOptions,
  ) {
    this.cables = repositories.for(cableDefinition);
  }

  /** Started, not awaited: the server answers meanwhile. */
  onApplicationBootstrap(): void {
    if (!this.process.seedData) return;
    this.running = this.run().catch((error: unknown) => {
      this.logger.error({ err: error }, 'The returned cables\' clearances repair failed; it runs again at the next start');
      return 0;
    });
  }

  /** A repair under way finishes the cable it is at, and stops; the rest waits for the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** The run that the start began, once it is over. */
  whenDone(): Promise<number> {
    return this.running;
  }

  /**
   * Runs the repair unless it ran already; answers how many cables it reopened clearances on. A
   * cable that could not be repaired is logged and left for the next start (the repair is not
   * recorded done); the start goes on.
   */
  async run(): Promise<number> {
    const [done] = await sql(this.dataSource, 'SELECT 1 FROM data_repairs WHERE name = $1', [RETURNED_CABLE_CLEARANCES_REPAIR]);
    if (done) return 0;
    let reopened = 0;
    let failed = 0;
    for (const id of await this.candidates()) {
      if (this.stopping) return reopened;
      try {
        if (await this.repair(id)) reopened++;
      } catch (error) {
        failed++;
        this.logger.error({ err: error }, `Cable ${id}: its clearances could not be checked; they will be at the next start`);
      }
    }
    if (failed === 0) {
      await sql(
        this.dataSource,
        'INSERT INTO data_repairs (name, changed) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET changed = data_repairs.changed + excluded.changed',
        [RETURNED_CABLE_CLEARANCES_REPAIR, reopened],
      );
    }
    if (reopened > 0) this.logger.log(`Reopened the clearances the approver's edits changed on ${reopened} returned cables`);
    return reopened;
  }

  /** Whether it made any of the cable's clearances stale. */
  private async repair(id: string): Promise<boolean> {
    let changed = false;
    await this.cables.update(systemContext(RETURNED_CABLE_CLEARANCES_REPAIR), 'ReopenReturnedCableClearances', id, async (cable) => {
      // Set, not counted: a retry runs this again. A cable released or cancelled meanwhile is history.
      changed = cable.status !== 'RELEASED' && cable.status !== 'CANCELLED' && cable.reopenClearancesTheApproverChanged(this.clock.now().toISOString()).length > 0;
    }, () => undefined);
    return changed;
  }

  /** Cables not yet released or cancelled that an approver edited and that were returned: only they may have been returned so. */
  private async candidates(): Promise<string[]> {
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
