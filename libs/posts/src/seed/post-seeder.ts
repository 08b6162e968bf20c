import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ChanceryError, type CommandContext, ErrorCode, systemContext } from '@chancery/common';
import { APP_CONFIG, type AppConfig, PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { whileBusy } from '@chancery/database';
import { ChangePostCommand, type PostChange } from '../commands/change-post/change-post.command.js';
import { ChangePostHandler } from '../commands/change-post/change-post.handler.js';
import { EstablishPostCommand } from '../commands/establish-post/establish-post.command.js';
import { EstablishPostHandler } from '../commands/establish-post/establish-post.handler.js';
import { PostsQuery } from '../posts.query.js';
import { POST_STATUS_CHANGES, RETIRED_POSTS, US_POSTS } from './us-posts.seed.js';

const NAME_PREFIX = { EMBASSY: 'Embassy', CONSULATE_GENERAL: 'Consulate General', CONSULATE: 'Consulate' } as const;

/**
 * Establishes, through the same commands an admin would use, every post of the network that is not
 * there yet, so that each has a real history. Safe to run on every start and from several processes.
 */
@Injectable()
export class PostSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(PostSeeder.name);

  // The handlers are called directly: the CommandBus learns of them only once bootstrap is over.
  constructor(
    private readonly establish: EstablishPostHandler,
    private readonly change: ChangePostHandler,
    private readonly posts: PostsQuery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_OPTIONS) private readonly process: ProcessOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.process.seedData && this.config.seedPosts) await whileBusy(() => this.seed(), { logger: this.logger, what: 'establishing the posts' });
  }

  /** Establishes the posts missing and gives the seed's statuses to those new since; answers how many it established. */
  async seed(): Promise<number> {
    const existing = await this.posts.codes();
    const missing = US_POSTS.filter(([code]) => !existing.has(code));
    const context = systemContext('seed-posts');
    await this.retire(existing, context);
    let established = 0;
    if (missing.length > 0) this.logger.log(`Establishing ${missing.length} posts of the U.S. network`);
    for (const [code, city, kind, country, countryTag, bureau] of missing) {
      const name = kind === 'MISSION' ? city : `${NAME_PREFIX[kind]} ${city}`;
      try {
        await this.establish.execute(new EstablishPostCommand(context, { code, name, kind, city, country, countryTag, bureau }));
        established++;
      } catch (error) {
        if (!(error instanceof ChanceryError && error.code === ErrorCode.AlreadyExists)) throw error;
        // Another process was first; or an admin gave another post this one's designator.
        if (!(await this.posts.get(code))) this.logger.error(`${code} is not established: ${error.message}`);
      }
    }
    await this.giveSeedStatuses(context);
    return established;
  }

  /**
   * Suspends or closes, as the seed says (Kabul, Khartoum, …), the posts still as they were
   * established (version 1, open): by this run, or by one that stopped before it got to them.
   * A post changed since keeps what an admin made of it.
   */
  private async giveSeedStatuses(context: CommandContext): Promise<void> {
    for (const [code, { status, reason }] of Object.entries(POST_STATUS_CHANGES)) {
      const post = await this.posts.get(code);
      if (post?.version !== 1 || post.status !== 'OPEN') continue;
      await this.changeUnlessDone(context, code, { kind: status === 'SUSPENDED' ? 'suspend' : 'close', reason });
    }
  }

  /** Changes a post's status; whether it did (false: another process was first, the post is so already). */
  private async changeUnlessDone(context: CommandContext, code: string, change: PostChange): Promise<boolean> {
    try {
      await this.change.execute(new ChangePostCommand(context, code, change));
      return true;
    } catch (error) {
      if (error instanceof ChanceryError && error.code === ErrorCode.InvalidTransition) return false;
      throw error;
    }
  }

  /**
   * Closes, with the reason on record, a post whose code the network no longer uses (HOLYSEE became
   * VATICAN). Its history and the cables addressed to it stay; its successor is established as new.
   * Kinds are not changed here: no command changes a post's kind, so a database seeded earlier keeps
   * the kinds it was given (e.g. Dusseldorf as a consulate).
   */
  private async retire(existing: Set<string>, context: CommandContext): Promise<void> {
    for (const [code, { reason }] of Object.entries(RETIRED_POSTS)) {
      if (!existing.has(code) || (await this.posts.get(code))?.status === 'CLOSED') continue;
      if (await this.changeUnlessDone(context, code, { kind: 'close', reason })) this.logger.log(`Closed ${code}: ${reason}`);
    }
  }
}
