import { Global, Module, OnModuleInit } from '@nestjs/common';
import { ProjectionRegistry } from '@chancery/event-store';
import { PostDirectory } from '@chancery/identity';
import { ChangePostHandler } from './commands/change-post/change-post.handler.js';
import { EstablishPostHandler } from './commands/establish-post/establish-post.handler.js';
import { PostsProjection } from './projections/posts.projection.js';
import { PostsQuery } from './posts.query.js';
import { PostSeeder } from './seed/post-seeder.js';

/** Global, because other libraries ask it (as PostDirectory) whether a post is open. */
@Global()
@Module({
  providers: [PostsProjection, PostsQuery, { provide: PostDirectory, useExisting: PostsQuery }, EstablishPostHandler, ChangePostHandler, PostSeeder],
  exports: [PostsQuery, PostDirectory, PostSeeder],
})
export class PostsModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: PostsProjection,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
  }
}
