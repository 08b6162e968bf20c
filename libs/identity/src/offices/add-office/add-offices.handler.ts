import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { type Office, OfficeDirectory, officeDirectoryDefinition } from '../../domain/office-directory.aggregate.js';
import { AddOfficesCommand } from './add-offices.command.js';

@CommandHandler(AddOfficesCommand)
export class AddOfficesHandler implements ICommandHandler<AddOfficesCommand, Office[]> {
  private readonly directory: AggregateRepository<OfficeDirectory>;

  constructor(repositories: AggregateRepositoryFactory) {
    this.directory = repositories.for(officeDirectoryDefinition);
  }

  execute({ context, offices }: AddOfficesCommand): Promise<Office[]> {
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
