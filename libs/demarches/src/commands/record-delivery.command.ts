import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';
import type { Delivered, Response } from '../domain/delivery.aggregate.js';

export type DeliveryRecord =
  | ({ kind: 'delivered' } & Delivered)
  | ({ kind: 'response' } & Response)
  | { kind: 'notDelivered'; reason: string };

/** A post records what became of the demarche: delivered, the response, or not delivered. */
export class RecordDeliveryCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly campaignId: string,
    readonly post: string,
    readonly record: DeliveryRecord,
  ) {}
}
