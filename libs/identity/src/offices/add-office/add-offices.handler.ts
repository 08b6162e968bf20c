import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type Office, OfficeDirectory, officeDirectoryDefinition } from '../../domain/office-directory.aggregate.js';
import { PostDirectory } from '../../users/post-directory.js';
import { AddOfficeCommand, AddOfficesCommand } from './add-offices.command.js';

/**
 * Clearance requests, owners and addressees name offices and posts alike: one name, one thing. One
 * read for all of them (the seeder offers the whole directory at every start).
 */
async function refusePostCodes(posts: PostDirectory, symbols: readonly string[]): Promise<void> {
  const [taken] = await posts.existing(symbols);
  if (taken !== undefined) {
    throw new ChanceryError(ErrorCode.RuleViolated, `${taken} is a post's code; an office needs a symbol of its own`, { errors: [{ field: 'symbol', message: "a post's code" }] });
  }
}

@CommandHandler(AddOfficesCommand)
export class AddOfficesHandler implements ICommandHandler<AddOfficesCommand, Office[]> {
  private readonly directory: AggregateRepository<OfficeDirectory>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly posts: PostDirectory,
  ) {
    this.directory = repositories.for(officeDirectoryDefinition);
  }

  async execute({ context, offices }: AddOfficesCommand): Promise<Office[]> {
    await refusePostCodes(this.posts, offices.map((office) => office.symbol));
    let added: Office[] = [];
    return this.directory.updateOrStart(
      context,
      'AddOffices',
      OfficeDirectory.ID,
      (directory) => {
        added = directory.add(offices);
      },
      () => added,
    );
  }
}

/**
 * One office, answered as the route sends it (and as an Idempotency-Key replays it): the office
 * added, or 409 before anything is written when the directory has it already.
 */
@CommandHandler(AddOfficeCommand)
export class AddOfficeHandler implements ICommandHandler<AddOfficeCommand, Office & { version: number }> {
  private readonly directory: AggregateRepository<OfficeDirectory>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly posts: PostDirectory,
  ) {
    this.directory = repositories.for(officeDirectoryDefinition);
  }

  /** Answers the office added, with the directory's new version: the one an If-Match on the next addition names (its ETag). */
  async execute({ context, office }: AddOfficeCommand): Promise<Office & { version: number }> {
    await refusePostCodes(this.posts, [office.symbol]);
    let added: Office | undefined;
    return this.directory.updateOrStart(
      context,
      'AddOffices',
      OfficeDirectory.ID,
      (directory) => {
        added = directory.add([office]).find((o) => o.symbol === office.symbol);
        if (!added) throw new ChanceryError(ErrorCode.AlreadyExists, `${office.symbol} is in the directory already`, { symbol: office.symbol });
      },
      (directory) => ({ ...added!, version: directory.version }),
    );
  }
}
