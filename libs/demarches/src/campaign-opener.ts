import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@chancery/common';
import { type Cable, cableDefinition } from '@chancery/cables';
import { AggregateRepository, AggregateRepositoryFactory, aggregateIdOf, type Reaction, type RecordedEvent } from '@chancery/event-store';
import { Campaign, campaignDefinition, scopedPosts } from './domain/campaign.aggregate.js';

interface PostKindRow {
  code: string;
  kind: string;
}

/**
 * The process manager that opens a campaign when an instruction cable with a demarche is released.
 * It is fed from the stored events by the projection runner, and opens the campaign in the same
 * transaction that moves its checkpoint: if the process dies between the release and the opening,
 * the campaign opens when it comes back, once. A campaign's id is its cable's, so a second look at
 * the same release finds it open and does nothing. A reaction, not a read model: the runner retries it
 * and stops it at an event it cannot handle, never skipping one; it is never rebuilt.
 */
@Injectable()
export class CampaignOpener implements Reaction {
  readonly name = 'campaign-opener';
  readonly kind = 'reaction';
  readonly handles = ['CableReleased'];
  private readonly cables: AggregateRepository<Cable>;
  private readonly campaigns: AggregateRepository<Campaign>;
  private readonly logger = new Logger('CampaignOpener');

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly clock: Clock,
  ) {
    this.cables = repositories.for(cableDefinition);
    this.campaigns = repositories.for(campaignDefinition);
  }

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const cableId = aggregateIdOf('cable', event.streamId);
      const cable = await this.cables.load(cableId, { version: event.streamVersion }, tx);
      if (!cable?.draft.demarche || !cable.release || cable.draft.kind !== 'INSTRUCTION') continue;
      if (await this.campaigns.load(cableId, {}, tx)) continue;
      const { demarche } = cable.draft;
      // The instruction's scope narrows the action posts ("embassies only", named posts, all but some).
      const action = cable.release.distribution.action;
      const kinds: PostKindRow[] = await tx.query('SELECT code, kind FROM posts WHERE code = ANY($1::text[])', [action]);
      const kindOf = new Map(kinds.map((p) => [p.code, p.kind]));
      const posts = scopedPosts(action.map((code) => ({ code, kind: kindOf.get(code) ?? '' })), demarche.scope);
      if (posts.length === 0) {
        this.logger.warn(`Cable ${cableId} (${cable.release.mrn}): its demarche's scope leaves no action post; no campaign opened`);
        continue;
      }
      await this.campaigns.createWithin(
        tx,
        { actor: { id: 'system', username: 'campaign-opener', role: 'system' }, requestId: `campaign-opener:${event.eventId}`, causationId: event.eventId },
        'OpenCampaign',
        () =>
          Campaign.open(
            {
              cableId,
              mrn: cable.release!.mrn,
              subject: cable.draft.subject,
              classification: cable.draft.classification,
              captions: cable.draft.captions,
              reportBy: demarche.reportBy,
              targets: demarche.targets,
              posts,
              workingParty: cable.workingParty,
              ...(demarche.scope ? { scope: demarche.scope } : {}),
            },
            this.clock.now().toISOString(),
          ),
        () => undefined,
      );
    }
  }
}
