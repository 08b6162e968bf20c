import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { assertNever, ChanceryError, Clock, type CommandContext, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type CableAccess, type Classification, clearanceCovers, mayReadCable, type Principal } from '@chancery/identity/domain';
import { PolicyService } from '@chancery/identity';
import { CablesQuery } from '../cables.query.js';
import { CableWorld } from '../cable-world.js';
import { type CableView, toCableView } from '../cable-view.js';
import { Cable, cableDefinition } from '../domain/cable.aggregate.js';
import { dateTimeGroup, formatMrn } from '../domain/cable-format.js';
import { ActOnCableCommand, type CableAction, DraftCableCommand, ReleaseCableCommand } from './cable.commands.js';

const COMMAND_NAMES: Record<CableAction['kind'], string> = {
  edit: 'EditCable',
  requestClearances: 'RequestClearances',
  decideClearance: 'DecideClearance',
  submit: 'SubmitCable',
  approve: 'ApproveCable',
  return: 'ReturnCable',
  cancel: 'CancelCable',
};

/** Injectable so that its constructor's parameter types are recorded for the handlers below. */
@Injectable()
abstract class CableHandler {
  protected readonly cables: AggregateRepository<Cable>;

  constructor(
    repositories: AggregateRepositoryFactory,
    protected readonly world: CableWorld,
    protected readonly policy: PolicyService,
    protected readonly clock: Clock,
    protected readonly query: CablesQuery,
  ) {
    this.cables = repositories.for(cableDefinition);
  }

  /**
   * Acting requires reading: checked on the cable as loaded in the command's transaction (the
   * route's guard has checked it already, before If-Match and Idempotency-Key).
   */
  protected async mustRead(actor: Principal, cable: Cable, tx: EntityManager): Promise<void> {
    const denial = this.policy.recordDenial(mayReadCable(actor, cable.accessWith(await this.query.taskingDesks(cable, tx))));
    if (denial) throw denial;
  }

  /**
   * Runs `act` on the cable as the actor may read it, and answers it only as far as they may read
   * it after: a cable they can no longer read is answered as its id and version only.
   */
  protected update(context: CommandContext, name: string, actor: Principal, id: string, act: (cable: Cable, tx: EntityManager) => Promise<void>) {
    let after: CableAccess['taskingDesks'] = [];
    return this.cables.update(
      context,
      name,
      id,
      async (cable, tx) => {
        await this.mustRead(actor, cable, tx);
        await act(cable, tx);
        after = await this.query.taskingDesks(cable, tx);
      },
      (cable): CableView | { id: string; version: number } => (mayReadCable(actor, cable.accessWith(after)).allowed ? toCableView(cable) : { id: cable.id, version: cable.version }),
    );
  }
}

/** Nobody writes what they may not read: a draft's classification is at most its author's clearance. */
function mustBeCleared(actor: Principal, classification: Classification): void {
  if (!clearanceCovers(actor.clearance, classification)) {
    throw new ChanceryError(ErrorCode.RuleViolated, `classification ${classification} is above your clearance`, { errors: [{ field: 'classification', message: 'above your clearance' }] });
  }
}

@CommandHandler(DraftCableCommand)
export class DraftCableHandler extends CableHandler implements ICommandHandler<DraftCableCommand, CableView> {
  async execute({ context, actor, draft }: DraftCableCommand): Promise<CableView> {
    mustBeCleared(actor, draft.classification);
    const world = await this.world.forDraft(draft.references);
    const id = randomUUID();
    return this.policy.auditingDenials(actor, { requestId: context.requestId, action: 'DraftCable', streamId: this.cables.streamId(id) }, () =>
      this.cables.create(context, 'DraftCable', () => Cable.create(id, actor, draft, world, this.clock.now().toISOString()), toCableView),
    );
  }
}

@CommandHandler(ActOnCableCommand)
export class ActOnCableHandler extends CableHandler implements ICommandHandler<ActOnCableCommand, CableView | { id: string; version: number }> {
  async execute({ context, actor, cableId, action }: ActOnCableCommand): Promise<CableView | { id: string; version: number }> {
    const name = COMMAND_NAMES[action.kind];
    return this.policy.auditingDenials(actor, { requestId: context.requestId, action: name, streamId: this.cables.streamId(cableId) }, () =>
      this.update(context, name, actor, cableId, (cable, tx) => this.act(cable, actor, action, tx)),
    );
  }

  private async act(cable: Cable, actor: Principal, action: CableAction, tx: EntityManager): Promise<void> {
    const at = this.clock.now().toISOString();
    switch (action.kind) {
      case 'edit': {
        // PATCH: the fields given replace the draft's, the rest stay.
        const draft = { ...cable.draft, ...action.changes };
        mustBeCleared(actor, draft.classification);
        return cable.edit(actor, draft, await this.world.forDraft(draft.references, tx), at);
      }
      case 'requestClearances':
        return cable.requestClearances(actor, action.offices, at);
      case 'decideClearance':
        return cable.decideClearance(actor, action.office, action.decision, action.comments, at);
      case 'submit':
        return cable.submit(actor, at);
      case 'approve':
        return cable.approve(actor, at);
      case 'return':
        return cable.returnToDrafter(actor, action.reason, at);
      case 'cancel':
        return cable.cancel(actor, action.reason, at);
      default:
        return assertNever(action);
    }
  }
}

/**
 * Release: the next serial of the originator's year, taken in the release's own transaction from a
 * locked counter row (so concurrent releases queue, and a failed one gives its number back: no
 * gaps), the date-time group, and the distribution with collectives expanded as they stand now.
 */
@CommandHandler(ReleaseCableCommand)
export class ReleaseCableHandler extends CableHandler implements ICommandHandler<ReleaseCableCommand, CableView | { id: string; version: number }> {
  async execute({ context, actor, cableId }: ReleaseCableCommand): Promise<CableView | { id: string; version: number }> {
    return this.policy.auditingDenials(actor, { requestId: context.requestId, action: 'ReleaseCable', streamId: this.cables.streamId(cableId) }, () =>
      this.update(
        context,
        'ReleaseCable',
        actor,
        cableId,
        async (cable, tx) => {
          if (cable.status !== 'APPROVED') throw new ChanceryError(ErrorCode.InvalidTransition, `The cable is ${cable.status}; it cannot be released`);
          const now = this.clock.now();
          const serial = await this.nextSerial(tx, cable.origin, now.getUTCFullYear());
          const distribution = await this.world.distribution(cable.draft.actionAddressees, cable.draft.infoAddressees, tx);
          cable.releaseAs(actor, {
            mrn: formatMrn(now.getUTCFullYear(), cable.origin, serial),
            releasedAt: now.toISOString(),
            dateTimeGroup: dateTimeGroup(now),
            distribution,
          });
        },
      ),
    );
  }

  private async nextSerial(tx: EntityManager, originator: string, year: number): Promise<number> {
    const [row] = await tx.query(
      `INSERT INTO mrn_serials (originator, year, last_serial) VALUES ($1, $2, 1)
       ON CONFLICT (originator, year) DO UPDATE SET last_serial = mrn_serials.last_serial + 1
       RETURNING last_serial`,
      [originator, year],
    );
    return row.last_serial as number;
  }
}
