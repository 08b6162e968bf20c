import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { ReturnCableCommand } from './return-cable.command.js';

@CommandHandler(ReturnCableCommand)
export class ReturnCableHandler extends CableHandler implements ICommandHandler<ReturnCableCommand, CableAnswer> {
  execute({ context, actor, cableId, reason }: ReturnCableCommand): Promise<CableAnswer> {
    return this.act(context, 'ReturnCable', actor, cableId, (cable, _tx, at) => cable.returnToDrafter(actor, reason, at));
  }
}
