import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { ApproveCableCommand } from './approve-cable.command.js';

@CommandHandler(ApproveCableCommand)
export class ApproveCableHandler extends CableHandler implements ICommandHandler<ApproveCableCommand, CableAnswer> {
  execute({ context, actor, cableId }: ApproveCableCommand): Promise<CableAnswer> {
    return this.act(context, 'ApproveCable', actor, cableId, async (cable, tx, at) => cable.approve(actor, at, await this.stepConditions(cable, tx)));
  }
}
