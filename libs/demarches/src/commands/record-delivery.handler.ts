import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertNever, ChanceryError, Clock, ErrorCode, utcDate } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { CableReader } from '@chancery/cables';
import { PolicyService } from '@chancery/identity';
import { mayReadCable } from '@chancery/identity/domain';
import { DemarchesQuery, type DeliveryView } from '../demarches.query.js';
import { Delivery, deliveryDefinition, deliveryId } from '../domain/delivery.aggregate.js';
import { isOverdue } from '../domain/summary.js';
import { type DeliveryRecord, RecordDeliveryCommand } from './record-delivery.command.js';

const COMMAND_NAMES = { delivered: 'RecordDelivery', response: 'LogResponse', notDelivered: 'RecordNotDelivered' } as const;

@CommandHandler(RecordDeliveryCommand)
export class RecordDeliveryHandler implements ICommandHandler<RecordDeliveryCommand, DeliveryView> {
  private readonly deliveries: AggregateRepository<Delivery>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly query: DemarchesQuery,
    private readonly policy: PolicyService,
    private readonly cables: CableReader,
    private readonly clock: Clock,
  ) {
    this.deliveries = repositories.for(deliveryDefinition);
  }

  async execute({ context, actor, campaignId, post, record }: RecordDeliveryCommand): Promise<DeliveryView> {
    const campaign = await this.query.campaign(campaignId);
    if (!campaign) throw new ChanceryError(ErrorCode.NotFound, `No campaign ${campaignId}`);
    const denial = { requestId: context.requestId, action: `${COMMAND_NAMES[record.kind]} for ${post}`, streamId: `campaign-${campaignId}` };
    // Acting requires reading: the campaign is read under its cable as it stands now.
    const access = await this.cables.access(campaign.cableId);
    await this.policy.requireRecord(actor, access ? mayReadCable(actor, access) : { allowed: false, reason: 'its cable is missing' }, denial);
    if (!campaign.posts.includes(post)) throw new ChanceryError(ErrorCode.NotFound, `${post} is not tasked by this campaign`);
    await this.policy.requirePost(actor, post, denial);

    const id = deliveryId(campaignId, post);
    const today = utcDate(this.clock.now());
    const decide = (delivery: Delivery) => apply(delivery, record, actor.id, today);
    const view = (delivery: Delivery): DeliveryView => ({
      post,
      status: delivery.status,
      overdue: isOverdue(delivery.status, campaign.reportBy, today),
      deliveredOn: delivery.delivered?.deliveredOn ?? null,
      counterpart: delivery.delivered?.counterpart ?? null,
      level: delivery.delivered?.level ?? null,
      method: delivery.delivered?.method ?? null,
      receivedOn: delivery.response?.receivedOn ?? null,
      position: delivery.response?.position ?? null,
      summary: delivery.response?.summary ?? null,
      quotes: delivery.response?.quotes ?? [],
      reportingCableId: delivery.response?.reportingCableId ?? null,
      notDeliveredReason: delivery.notDeliveredReason,
      overdueSince: delivery.overdueSince,
      version: delivery.version,
    });
    // A post's delivery stream starts with its first record; each post has its own, so 270 posts
    // writing at once never conflict.
    return this.deliveries.updateOrStart(context, COMMAND_NAMES[record.kind], id, decide, view);
  }
}

function apply(delivery: Delivery, record: DeliveryRecord, by: string, today: string): void {
  switch (record.kind) {
    case 'delivered': {
      const { kind: _kind, ...details } = record;
      return delivery.deliver(details, by, today);
    }
    case 'response': {
      const { kind: _kind, ...response } = record;
      return delivery.logResponse(response, by, today);
    }
    case 'notDelivered':
      return delivery.notDelivered(record.reason, by);
    default:
      return assertNever(record);
  }
}
