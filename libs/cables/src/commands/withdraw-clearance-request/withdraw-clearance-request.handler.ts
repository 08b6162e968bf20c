import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { WithdrawClearanceRequestCommand } from './withdraw-clearance-request.command.js';

@CommandHandler(WithdrawClearanceRequestCommand)
export class WithdrawClearanceRequestHandler extends CableHandler implements ICommandHandler<WithdrawClearanceRequestCommand, CableAnswer> {
  execute({ context, actor, cableId, office }: WithdrawClearanceRequestCommand): Promise<CableAnswer> {
    return this.act(context, 'WithdrawClearanceRequest', actor, cableId, (cable, _tx, at) => cable.withdrawClearanceRequest(actor, office, at));
  }
}
