export * from './domain/post.aggregate.js';
export * from './posts.query.js';
export * from './commands/establish-post/establish-post.command.js';
export * from './commands/change-post/change-post.command.js';
export * from './seed/us-posts.seed.js';
export * from './seed/post-seeder.js';
export * from './posts.module.js';
