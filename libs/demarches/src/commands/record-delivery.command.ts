import type { CommandContext } from '@chancery/common';
import type { Principal } from '@chancery/identity/domain';
import type { Counterpart, Delivered, DocumentKind, Level, Method, Response } from '../domain/delivery.aggregate.js';

export type DeliveryRecord =
  | ({ kind: 'delivered' } & Delivered)
  | { kind: 'contact'; on: string; counterpart: Counterpart; level: Level; method: Method }
  | ({ kind: 'response' } & Response)
  | { kind: 'reportingCable'; response: number; reportingCableId: string }
  | { kind: 'document'; name: string; documentKind: DocumentKind; content: Buffer }
  | { kind: 'notDelivered'; reason: string };

/** A post records what became of the demarche: delivered, another contact, a response, a document, not delivered. */
export class RecordDeliveryCommand {
  constructor(
    readonly context: CommandContext,
    readonly actor: Principal,
    readonly campaignId: string,
    readonly post: string,
    readonly record: DeliveryRecord,
  ) {}
}
