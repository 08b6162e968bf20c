import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CableAnswer, CableHandler } from '../cable-handler.js';
import { RequestClearancesCommand } from './request-clearances.command.js';

@CommandHandler(RequestClearancesCommand)
export class RequestClearancesHandler extends CableHandler implements ICommandHandler<RequestClearancesCommand, CableAnswer> {
  execute({ context, actor, cableId, offices }: RequestClearancesCommand): Promise<CableAnswer> {
    return this.act(context, 'RequestClearances', actor, cableId, async (cable, tx, at) => {
      // Who may ask and in which state first; then offices in the directory only (read in the
      // command's transaction: a refusal rolls the request back).
      cable.requestClearances(actor, offices, at);
      await this.offices.requireKnown('offices', [...new Set(offices)], tx);
    });
  }
}
