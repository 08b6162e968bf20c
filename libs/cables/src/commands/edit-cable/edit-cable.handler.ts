import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import jsonMergePatch from 'json-merge-patch';
import { type CableAnswer, CableHandler, mustBeCleared } from '../cable-handler.js';
import { EditCableCommand } from './edit-cable.command.js';

@CommandHandler(EditCableCommand)
export class EditCableHandler extends CableHandler implements ICommandHandler<EditCableCommand, CableAnswer> {
  execute({ context, actor, cableId, patch, toDraft }: EditCableCommand): Promise<CableAnswer> {
    return this.act(context, 'EditCable', actor, cableId, async (cable, tx, at) => {
      cable.mustBeEditableBy(actor);
      // RFC 7396 on a copy (apply writes into its target), then the same checks as a new draft.
      const draft = await toDraft(jsonMergePatch.apply(structuredClone(cable.draft), patch));
      mustBeCleared(actor, draft.classification);
      const world = await this.world.forDraft(draft.references, actor, tx, cable.draft.references.map((r) => r.mrn));
      cable.edit(actor, draft, { ...world, drafterClearance: await this.world.clearanceOf(cable.drafter.id, tx) }, at);
    });
  }
}
