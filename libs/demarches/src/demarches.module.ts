import { Module, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry, UpcasterRegistry } from '@chancery/event-store';
import { CablesModule } from '@chancery/cables';
import { CampaignOpener } from './campaign-opener.js';
import { CampaignReader } from './campaign-reader.js';
import { RecordDeliveryHandler } from './commands/record-delivery.handler.js';
import { DemarchesQuery } from './demarches.query.js';
import { OverdueScheduler } from './overdue-scheduler.js';
import { DemarchesProjection } from './projections/demarches.projection.js';
import { responseLoggedV1Upcaster } from './domain/delivery.aggregate.js';

@Module({
  imports: [CablesModule],
  providers: [DemarchesProjection, DemarchesQuery, CampaignReader, CampaignOpener, RecordDeliveryHandler, OverdueScheduler],
  exports: [DemarchesQuery, CampaignReader, OverdueScheduler, CablesModule],
})
export class DemarchesModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: DemarchesProjection,
    private readonly opener: CampaignOpener,
    private readonly upcasters: UpcasterRegistry,
  ) {}

  onModuleInit(): void {
    // ResponseLogged v1 (one response, quotes as strings) reads as v2.
    this.upcasters.register(responseLoggedV1Upcaster);
    this.registry.registerInline(this.projection);
    this.registry.registerAsync(this.opener);
  }
}
