import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { fipsOfIso, tagKind } from '@chancery/cables/domain';
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
    mustBeTheCountrysTag(facts);
    // A telegram addresses a post by its designator: two open posts under one would be one address.
    const designator = addressDesignator(facts);
    const { items } = await this.posts.list({}, 10_000, 0);
    const namesake = items.find((post) => post.addressDesignator === designator && post.code !== facts.code && post.status !== 'CLOSED');
    if (namesake) {
      throw new ChanceryError(ErrorCode.AlreadyExists, `${namesake.code} is addressed as ${designator} already`, { errors: [{ field: 'city', message: `${designator} is ${namesake.code}'s designator` }] });
    }
    try {
      return await this.streams.create(context, 'EstablishPost', () => Post.establish(facts), toPostView);
    } catch (error) {
      if (error instanceof ChanceryError && error.code === ErrorCode.AlreadyExists) {
        throw new ChanceryError(ErrorCode.AlreadyExists, `Post ${facts.code} exists`, { code: facts.code });
      }
      throw error;
    }
  }
}

/** TAGS name a post's country by its FIPS 10-4 tag: the one of its ISO 3166 country (CH for CN, China). */
function mustBeTheCountrysTag({ country, countryTag }: Pick<PostFacts, 'country' | 'countryTag'>): void {
  const tag = fipsOfIso(country);
  const problem = tag
    ? countryTag === tag ? null : `countryTag must be ${tag}, the TAGS country tag of ${country}`
    : tagKind(countryTag) === 'country' ? null : `countryTag ${countryTag} is not a TAGS country tag`;
  if (problem) throw new ChanceryError(ErrorCode.RuleViolated, problem, { errors: [{ field: 'countryTag', message: problem }] });
}
