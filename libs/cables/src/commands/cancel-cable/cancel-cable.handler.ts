import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { CancelCableCommand } from './cancel-cable.command.js';

@CommandHandler(CancelCableCommand)
export class CancelCableHandler extends CableHandler implements ICommandHandler<CancelCableCommand, CableAnswer> {
  execute({ context, actor, cableId, reason }: CancelCableCommand): Promise<CableAnswer> {
    return this.act(context, 'CancelCable', actor, cableId, (cable, _tx, at) => cable.cancel(actor, reason, at));
  }
}
