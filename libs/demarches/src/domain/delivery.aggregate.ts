import { ChanceryError, ensure, ErrorCode } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';

import type { Level, Method, Position } from './vocabulary.js';

export { LEVELS, type Level, METHODS, type Method, POSITIONS, type Position } from './vocabulary.js';
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'RESPONDED' | 'NOT_DELIVERED';

export interface Counterpart {
  name: string;
  title: string;
  organization: string;
}

export interface Delivered {
  deliveredOn: string;
  counterpart: Counterpart;
  level: Level;
  method: Method;
}

export interface Response {
  receivedOn: string;
  position: Position;
  summary: string;
  quotes: string[];
  reportingCableId: string | null;
}

type By = { by: string };
export type DeliveryEvent =
  | DomainEvent<'DemarcheDelivered', Delivered & By>
  | DomainEvent<'ResponseLogged', Response & By>
  | DomainEvent<'DemarcheNotDelivered', { reason: string } & By>
  | DomainEvent<'DeliveryBecameOverdue', { reportBy: string; at: string }>;

type Of<T extends DeliveryEvent['type']> = Extract<DeliveryEvent, { type: T }>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The id of a post's delivery in a campaign: one stream per post, so posts never contend. */
export function deliveryId(campaignId: string, post: string): string {
  return `${campaignId}:${post}`;
}

/** One post's delivery of a demarche: delivered (then a response), or not delivered. */
export class Delivery extends EventSourcedAggregate<DeliveryEvent> {
  status: DeliveryStatus = 'PENDING';
  delivered: Delivered | null = null;
  response: Response | null = null;
  notDeliveredReason: string | null = null;
  overdueSince: string | null = null;

  deliver(details: Delivered, by: string, today: string): void {
    this.mustBe('PENDING', 'delivered');
    ensure(DATE.test(details.deliveredOn) && details.deliveredOn <= today, 'deliveredOn', 'deliveredOn must be a date, not in the future');
    ensure([details.counterpart.name, details.counterpart.title, details.counterpart.organization].every((s) => s.trim().length > 0), 'counterpart', 'name the counterpart: name, title, organization');
    this.apply({ type: 'DemarcheDelivered', data: { ...details, by } });
  }

  logResponse(response: Response, by: string, today: string): void {
    if (this.status === 'PENDING') throw new ChanceryError(ErrorCode.InvalidTransition, 'Record the delivery before the response', { status: this.status });
    this.mustBe('DELIVERED', 'given a response');
    ensure(DATE.test(response.receivedOn) && response.receivedOn <= today, 'receivedOn', 'receivedOn must be a date, not in the future');
    ensure(response.receivedOn >= this.delivered!.deliveredOn, 'receivedOn', 'the response cannot come before the delivery');
    ensure(response.summary.trim().length > 0, 'summary', 'summarize what the counterpart said');
    this.apply({ type: 'ResponseLogged', data: { ...response, by } });
  }

  notDelivered(reason: string, by: string): void {
    this.mustBe('PENDING', 'recorded as not delivered');
    ensure(reason.trim().length > 0, 'reason', 'say why the demarche was not delivered');
    this.apply({ type: 'DemarcheNotDelivered', data: { reason: reason.trim(), by } });
  }

  /** Records, once, that the report-by date passed with no response or not-delivered record. */
  markOverdue(reportBy: string, now: string): void {
    if (this.overdueSince || this.status === 'RESPONDED' || this.status === 'NOT_DELIVERED') return;
    if (now.slice(0, 10) <= reportBy) return;
    this.apply({ type: 'DeliveryBecameOverdue', data: { reportBy, at: now } });
  }

  onDeliveryBecameOverdue(event: Of<'DeliveryBecameOverdue'>): void {
    this.overdueSince = event.data.at;
  }

  onDemarcheDelivered(event: Of<'DemarcheDelivered'>): void {
    const { by: _by, ...details } = event.data;
    this.status = 'DELIVERED';
    this.delivered = details;
  }

  onResponseLogged(event: Of<'ResponseLogged'>): void {
    const { by: _by, ...response } = event.data;
    this.status = 'RESPONDED';
    this.response = response;
  }

  onDemarcheNotDelivered(event: Of<'DemarcheNotDelivered'>): void {
    this.status = 'NOT_DELIVERED';
    this.notDeliveredReason = event.data.reason;
  }

  private mustBe(status: DeliveryStatus, verb: string): void {
    if (this.status !== status) throw new ChanceryError(ErrorCode.InvalidTransition, `The delivery is ${this.status}; it cannot be ${verb}`, { status: this.status });
  }
}

export const deliveryDefinition: AggregateDefinition<Delivery> = {
  streamType: 'delivery',
  schemaVersions: { DemarcheDelivered: 1, ResponseLogged: 1, DemarcheNotDelivered: 1, DeliveryBecameOverdue: 1 },
  blank: (id) => new Delivery(id),
};
