import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableView, toCableView } from '../../cable-view.js';
import { Cable } from '../../domain/cable.aggregate.js';
import { CableHandler, mustBeCleared } from '../cable-handler.js';
import { DraftCableCommand } from './draft-cable.command.js';

@CommandHandler(DraftCableCommand)
export class DraftCableHandler extends CableHandler implements ICommandHandler<DraftCableCommand, CableView> {
  async execute({ context, actor, draft }: DraftCableCommand): Promise<CableView> {
    mustBeCleared(actor, draft.classification);
    const world = await this.world.forDraft(draft.references, actor);
    const id = randomUUID();
    return this.policy.auditingDenials(actor, { requestId: context.requestId, action: 'DraftCable', streamId: this.cables.streamId(id) }, () =>
      // A new draft has no comments or reasons yet, written under other markings.
      this.cables.create(context, 'DraftCable', () => Cable.create(id, actor, draft, world, this.clock.now().toISOString()), (cable) => toCableView(cable, () => true)),
    );
  }
}
