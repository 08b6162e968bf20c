import type { CommandContext } from '@chancery/common';
import type { PostFacts } from '../../domain/post.aggregate.js';

export class EstablishPostCommand {
  constructor(
    readonly context: CommandContext,
    readonly facts: PostFacts,
  ) {}
}
