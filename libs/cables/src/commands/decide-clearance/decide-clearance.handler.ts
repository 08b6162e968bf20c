import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { DecideClearanceCommand } from './decide-clearance.command.js';

@CommandHandler(DecideClearanceCommand)
export class DecideClearanceHandler extends CableHandler implements ICommandHandler<DecideClearanceCommand, CableAnswer> {
  execute({ context, actor, cableId, office, decision, comments }: DecideClearanceCommand): Promise<CableAnswer> {
    return this.act(context, 'DecideClearance', actor, cableId, (cable, _tx, at) => cable.decideClearance(actor, office, decision, comments, at));
  }
}
