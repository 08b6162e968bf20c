import { Module, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry } from '@chancery/event-store';
import { CablesModule } from '@chancery/cables';
import { CampaignOpener } from './campaign-opener.js';
import { CampaignReader } from './campaign-reader.js';
import { RecordDeliveryHandler } from './commands/record-delivery.handler.js';
import { DemarchesQuery } from './demarches.query.js';
import { OverdueScheduler } from './overdue-scheduler.js';
import { DemarchesProjection } from './projections/demarches.projection.js';

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
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
    this.registry.registerAsync(this.opener);
  }
}
