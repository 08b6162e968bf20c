import { ensure } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';
import type { Classification } from '@chancery/identity/domain';
import type { CampaignScope } from './vocabulary.js';

// Where they are shared with the web app, which counts the posts a release will task.
export { type CampaignScope, scopedPosts } from './vocabulary.js';

export interface CampaignFacts {
  cableId: string;
  mrn: string;
  subject: string;
  classification: Classification;
  captions: string[];
  /** YYYY-MM-DD */
  reportBy: string;
  targets: string;
  /** The action posts of the cable's distribution: one delivery each. */
  posts: string[];
  /** The people who worked the cable, for NODIS and EXDIS. */
  workingParty: string[];
  /** The instruction's scope, when it had one (absent from campaigns opened before scopes existed). */
  scope?: CampaignScope | null;
}

export type CampaignEvent = DomainEvent<'CampaignOpened', CampaignFacts & { openedAt: string }>;

/** A demarche campaign, opened once per released instruction cable that carries a demarche. */
export class Campaign extends EventSourcedAggregate<CampaignEvent> {
  facts: CampaignFacts;
  openedAt: string;

  static open(facts: CampaignFacts, openedAt: string): Campaign {
    ensure(facts.posts.length > 0, 'posts', 'a campaign needs at least one action post');
    const campaign = new Campaign(facts.cableId);
    campaign.apply({ type: 'CampaignOpened', data: { ...facts, posts: [...new Set(facts.posts)].sort(), openedAt } });
    return campaign;
  }

  onCampaignOpened(event: CampaignEvent): void {
    const { openedAt, ...facts } = event.data;
    this.facts = facts;
    this.openedAt = openedAt;
  }
}

export const campaignDefinition: AggregateDefinition<Campaign> = {
  streamType: 'campaign',
  schemaVersions: { CampaignOpened: 1 },
  blank: (id) => new Campaign(id),
};
