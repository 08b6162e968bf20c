import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { SubmitCableCommand } from './submit-cable.command.js';

@CommandHandler(SubmitCableCommand)
export class SubmitCableHandler extends CableHandler implements ICommandHandler<SubmitCableCommand, CableAnswer> {
  execute({ context, actor, cableId }: SubmitCableCommand): Promise<CableAnswer> {
    return this.act(context, 'SubmitCable', actor, cableId, async (cable, tx, at) => cable.submit(actor, at, await this.stepConditions(cable, tx)));
  }
}
