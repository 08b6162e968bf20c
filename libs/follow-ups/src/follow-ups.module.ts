import { Module, OnModuleInit } from '@nestjs/common';
import { Clock, DepartmentCalendar } from '@chancery/common';
import { DemarchesModule, OverdueScheduler } from '@chancery/demarches';
import { AggregateRepositoryFactory, ProjectionRegistry } from '@chancery/event-store';
import { FollowUpAnswers } from './commands/follow-up-answers.js';
import { ChangeFollowUpHandler, CreateFollowUpHandler, OwnerBureaus } from './commands/follow-up.handlers.js';
import { followUpDefinition } from './domain/follow-up.aggregate.js';
import { FollowUpDraftTextRepair } from './follow-up-draft-text-repair.js';
import { FollowUpMarkingRepair } from './follow-up-marking-repair.js';
import { FollowUpReader } from './follow-up-reader.js';
import { FollowUpsQuery } from './follow-ups.query.js';
import { FollowUpsProjection } from './projections/follow-ups.projection.js';

@Module({
  imports: [DemarchesModule],
  providers: [FollowUpsProjection, FollowUpsQuery, FollowUpReader, FollowUpMarkingRepair, FollowUpDraftTextRepair, FollowUpAnswers, OwnerBureaus, CreateFollowUpHandler, ChangeFollowUpHandler],
  exports: [FollowUpsQuery, FollowUpReader, FollowUpMarkingRepair, FollowUpDraftTextRepair],
})
export class FollowUpsModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: FollowUpsProjection,
    private readonly scheduler: OverdueScheduler,
    private readonly query: FollowUpsQuery,
    private readonly repositories: AggregateRepositoryFactory,
    private readonly clock: Clock,
    private readonly calendar: DepartmentCalendar,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
    const followUps = this.repositories.for(followUpDefinition);
    // Past its due date and not done: recorded as overdue and escalated to the owner's bureau, once.
    this.scheduler.register({
      name: 'follow-ups',
      due: async (now) =>
        (await this.query.newlyOverdue(now)).map((id) => ({
          key: `follow-up:${id}`,
          mark: (context, claim) =>
            followUps.update(
              context,
              'MarkFollowUpOverdue',
              id,
              async (followUp, tx) => {
                // Due as of the scan; recorded at the time of the attempt that commits.
                const at = this.clock.now();
                if (await claim(tx)) followUp.markOverdue(at.toISOString(), this.calendar.dayOf(at));
              },
              () => undefined,
            ),
        })),
    });
  }
}
