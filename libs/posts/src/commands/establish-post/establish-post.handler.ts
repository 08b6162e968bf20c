import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { OfficesQuery } from '@chancery/identity';
import { Post, postDefinition } from '../../domain/post.aggregate.js';
import { type PostView } from '../../posts.query.js';
import { toPostView } from '../post-view.js';
import { EstablishPostCommand } from './establish-post.command.js';

@CommandHandler(EstablishPostCommand)
export class EstablishPostHandler implements ICommandHandler<EstablishPostCommand, PostView> {
  private readonly posts: AggregateRepository<Post>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly offices: OfficesQuery,
  ) {
    this.posts = repositories.for(postDefinition);
  }

  async execute({ context, facts }: EstablishPostCommand): Promise<PostView> {
    // Addressees, owners and clearance requests name posts and offices alike: one name, one thing.
    if (await this.offices.find(facts.code)) {
      throw new ChanceryError(ErrorCode.RuleViolated, `${facts.code} is an office's symbol; a post needs a code of its own`, { errors: [{ field: 'code', message: "an office's symbol" }] });
    }
    try {
      return await this.posts.create(context, 'EstablishPost', () => Post.establish(facts), toPostView);
    } catch (error) {
      if (error instanceof ChanceryError && error.code === ErrorCode.AlreadyExists) {
        throw new ChanceryError(ErrorCode.AlreadyExists, `Post ${facts.code} exists`, { code: facts.code });
      }
      throw error;
    }
  }
}
