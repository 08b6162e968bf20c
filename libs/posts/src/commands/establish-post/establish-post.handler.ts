import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { Post, postDefinition } from '../../domain/post.aggregate.js';
import { type PostView } from '../../posts.query.js';
import { toPostView } from '../post-view.js';
import { EstablishPostCommand } from './establish-post.command.js';

@CommandHandler(EstablishPostCommand)
export class EstablishPostHandler implements ICommandHandler<EstablishPostCommand, PostView> {
  private readonly posts: AggregateRepository<Post>;

  constructor(repositories: AggregateRepositoryFactory) {
    this.posts = repositories.for(postDefinition);
  }

  async execute({ context, facts }: EstablishPostCommand): Promise<PostView> {
    try {
      return await this.posts.create(context, 'EstablishPost', () => Post.establish(facts), toPostView);
    } catch (error) {
      if (error instanceof ChanceryError && error.code === ErrorCode.ConcurrencyConflict) {
        throw new ChanceryError(ErrorCode.AlreadyExists, `Post ${facts.code} exists`, { code: facts.code });
      }
      throw error;
    }
  }
}
