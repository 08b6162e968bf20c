import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler, mustBeCleared } from '../cable-handler.js';
import { EditCableCommand } from './edit-cable.command.js';

@CommandHandler(EditCableCommand)
export class EditCableHandler extends CableHandler implements ICommandHandler<EditCableCommand, CableAnswer> {
  execute({ context, actor, cableId, changes }: EditCableCommand): Promise<CableAnswer> {
    return this.act(context, 'EditCable', actor, cableId, async (cable, tx, at) => {
      // A merge patch: the fields given replace the draft's, the rest stay.
      const draft = { ...cable.draft, ...changes };
      mustBeCleared(actor, draft.classification);
      cable.edit(actor, draft, await this.world.forDraft(draft.references, tx), at);
    });
  }
}
