import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory, isStreamThereAlready } from '@chancery/event-store';
import { OfficesQuery } from '@chancery/identity';
import { addressDesignator, Post, postDefinition, type PostFacts } from '../../domain/post.aggregate.js';
import { PostsQuery, type PostView } from '../../posts.query.js';
import { toPostView } from '../post-view.js';
import { EstablishPostCommand } from './establish-post.command.js';

@CommandHandler(EstablishPostCommand)
export class EstablishPostHandler implements ICommandHandler<EstablishPostCommand, PostView> {
  private readonly streams: AggregateRepository<Post>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly offices: OfficesQuery,
    private readonly posts: PostsQuery,
  ) {
    this.streams = repositories.for(postDefinition);
  }

  async execute({ context, facts }: EstablishPostCommand): Promise<PostView> {
    // Addressees, owners and clearance requests name posts and offices alike: one name, one thing.
    if (await this.offices.find(facts.code)) {
      throw new ChanceryError(ErrorCode.RuleViolated, `${facts.code} is an office's symbol; a post needs a code of its own`, { errors: [{ field: 'code', message: "an office's symbol" }] });
    }
    try {
      return await this.streams.create(context, 'EstablishPost', () => Post.establish(facts), toPostView, { after: (tx) => this.refuseNamesake(tx, facts) });
    } catch (error) {
      // The post's own stream there already: said by its code. A namesake's refusal is said as it is.
      if (isStreamThereAlready(error)) {
        throw new ChanceryError(ErrorCode.AlreadyExists, `Post ${facts.code} exists`, { code: facts.code });
      }
      throw error;
    }
  }

  /**
   * A telegram addresses a post by its designator: two posts not closed under one would be one
   * address. Checked in the establishing transaction, under the designator's lock (`namesake`).
   */
  private async refuseNamesake(tx: EntityManager, facts: PostFacts): Promise<void> {
    const designator = addressDesignator(facts);
    const namesake = await this.posts.namesake(tx, designator, facts.code);
    if (namesake) {
      // A mission's designator is made from its code, the others' from their city.
      const field = facts.kind === 'MISSION' ? 'code' : 'city';
      throw new ChanceryError(ErrorCode.AlreadyExists, `${namesake} is addressed as ${designator} already`, { errors: [{ field, message: `${designator} is ${namesake}'s designator` }] });
    }
  }
}
