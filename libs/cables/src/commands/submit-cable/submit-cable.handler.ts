import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { collectiveTaskingClearances } from '../../domain/collective-tasking.js';
import { SubmitCableCommand } from './submit-cable.command.js';

@CommandHandler(SubmitCableCommand)
export class SubmitCableHandler extends CableHandler implements ICommandHandler<SubmitCableCommand, CableAnswer> {
  execute({ context, actor, cableId }: SubmitCableCommand): Promise<CableAnswer> {
    return this.act(context, 'SubmitCable', actor, cableId, async (cable, tx, at) => {
      const required = collectiveTaskingClearances(cable.draft, cable.origin, (code) => this.world.isCollective(code), await this.world.taskedBureaus(cable.draft.actionAddressees, tx));
      cable.submit(actor, at, required);
    });
  }
}
