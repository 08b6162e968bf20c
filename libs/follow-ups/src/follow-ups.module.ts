import { Module, OnModuleInit } from '@nestjs/common';
import { Clock } from '@chancery/common';
import { DemarchesModule, OverdueScheduler } from '@chancery/demarches';
import { AggregateRepositoryFactory, ProjectionRegistry } from '@chancery/event-store';
import { ChangeFollowUpHandler, CreateFollowUpHandler, OwnerBureaus } from './commands/follow-up.handlers.js';
import { followUpDefinition } from './domain/follow-up.aggregate.js';
import { FollowUpReader } from './follow-up-reader.js';
import { FollowUpsQuery } from './follow-ups.query.js';
import { FollowUpsProjection } from './projections/follow-ups.projection.js';

@Module({
  imports: [DemarchesModule],
  providers: [FollowUpsProjection, FollowUpsQuery, FollowUpReader, OwnerBureaus, CreateFollowUpHandler, ChangeFollowUpHandler],
  exports: [FollowUpsQuery, FollowUpReader],
})
export class FollowUpsModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: FollowUpsProjection,
    private readonly scheduler: OverdueScheduler,
    private readonly query: FollowUpsQuery,
    private readonly repositories: AggregateRepositoryFactory,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
    const followUps = this.repositories.for(followUpDefinition);
    // Past its due date and not done: recorded as overdue and escalated to the owner's bureau, once.
    this.scheduler.register({
      scan: async () => {
        const ids = await this.query.newlyOverdue();
        const now = this.clock.now().toISOString();
        const context = { actor: { id: 'system', username: 'overdue-scheduler', role: 'system' }, requestId: `overdue:${now}` };
        for (const id of ids) await followUps.update(context, 'MarkFollowUpOverdue', id, (f) => f.markOverdue(now), () => undefined);
        return ids.length;
      },
    });
  }
}
