import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertNever } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type Post, postDefinition } from '../../domain/post.aggregate.js';
import type { PostView } from '../../posts.query.js';
import { toPostView } from '../post-view.js';
import { ChangePostCommand, type PostChange } from './change-post.command.js';

const COMMAND_NAMES = { edit: 'EditPost', suspend: 'SuspendPost', reopen: 'ReopenPost', close: 'ClosePost' } as const;

function applyChange(post: Post, change: PostChange): void {
  switch (change.kind) {
    case 'edit':
      if (change.name !== undefined) post.rename(change.name);
      if (change.chiefOfMission !== undefined) post.nameChiefOfMission(change.chiefOfMission);
      return;
    case 'suspend':
      return post.suspend(change.reason);
    case 'reopen':
      return post.reopen();
    case 'close':
      return post.close(change.reason);
    default:
      return assertNever(change);
  }
}

@CommandHandler(ChangePostCommand)
export class ChangePostHandler implements ICommandHandler<ChangePostCommand, PostView> {
  private readonly posts: AggregateRepository<Post>;

  constructor(repositories: AggregateRepositoryFactory) {
    this.posts = repositories.for(postDefinition);
  }

  execute({ context, code, change }: ChangePostCommand): Promise<PostView> {
    return this.posts.update(context, COMMAND_NAMES[change.kind], code, (post) => applyChange(post, change), toPostView);
  }
}
