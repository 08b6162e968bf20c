import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChanceryError, Clock, type CommandContext, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { OfficesQuery, PolicyService } from '@chancery/identity';
import { type CableAccess, type Classification, clearanceCovers, mayReadCable, type Principal, readDecision } from '@chancery/identity/domain';
import { CablesQuery } from '../cables.query.js';
import { CableWorld } from '../cable-world.js';
import { type CableView, toCableView } from '../cable-view.js';
import { Cable, cableDefinition, type Distribution, type StepConditions } from '../domain/cable.aggregate.js';

/** What a command on a cable answers: the cable, or only its id and version if the sender may no longer read it. */
export type CableAnswer = CableView | { id: string; version: number };

/**
 * What every cable use case shares: loading the cable in the command's transaction, checking that
 * the sender may read it, auditing a denial, and answering only what the sender may read after.
 * Injectable so that its constructor's parameter types are recorded for the handlers.
 */
@Injectable()
export abstract class CableHandler {
  protected readonly cables: AggregateRepository<Cable>;

  constructor(
    repositories: AggregateRepositoryFactory,
    protected readonly world: CableWorld,
    protected readonly policy: PolicyService,
    protected readonly clock: Clock,
    protected readonly query: CablesQuery,
    protected readonly offices: OfficesQuery,
  ) {
    this.cables = repositories.for(cableDefinition);
  }

  /**
   * Runs `act` on the cable as the actor may read it (checked on the cable as loaded in the
   * command's transaction; the route's guard checked it already, before If-Match and
   * Idempotency-Key), and answers it only as far as they may read it after. Everything `act` reads
   * goes through `tx`: the embedded database has one connection.
   */
  protected act(context: CommandContext, name: string, actor: Principal, id: string, act: (cable: Cable, tx: EntityManager, at: string) => Promise<void> | void): Promise<CableAnswer> {
    let after: CableAccess['taskingDesks'] = [];
    return this.policy.auditingDenials(actor, { requestId: context.requestId, action: name, streamId: this.cables.streamId(id) }, () =>
      this.cables.update(
        context,
        name,
        id,
        async (cable, tx) => {
          const denial = this.policy.recordDenial(mayReadCable(actor, cable.accessWith(await this.query.taskingDesks(cable, tx))));
          if (denial) throw denial;
          await act(cable, tx, this.clock.now().toISOString());
          after = await this.query.taskingDesks(cable, tx);
        },
        (cable): CableAnswer => {
          const now = cable.accessWith(after);
          return mayReadCable(actor, now).allowed ? toCableView(cable, (then) => readDecision(actor, now, then).allowed) : { id: cable.id, version: cable.version };
        },
      ),
    );
  }

  /** What each step to release holds against the world as it stands, read in the command's transaction (`CableWorld.stepConditions`). */
  protected stepConditions(cable: Cable, tx: EntityManager): Promise<StepConditions & { distribution: Distribution }> {
    return this.world.stepConditions(cable, tx);
  }
}

/** Nobody writes what they may not read: a draft's classification is at most its author's clearance. */
export function mustBeCleared(actor: Principal, classification: Classification): void {
  if (!clearanceCovers(actor.clearance, classification)) {
    throw new ChanceryError(ErrorCode.RuleViolated, `classification ${classification} is above your clearance`, { errors: [{ field: 'classification', message: 'above your clearance' }] });
  }
}
