import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { systemContext } from '@chancery/common';
import { PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { whileBusy } from '@chancery/database';
import { AddOfficesCommand } from './add-office/add-offices.command.js';
import { AddOfficesHandler } from './add-office/add-offices.handler.js';
import { DEPARTMENT_OFFICES } from './department-offices.seed.js';

/**
 * Adds the Department's offices missing from the directory, in one command: on every start of a
 * process that seeds (idempotent; two processes at once retry into each other harmlessly).
 */
@Injectable()
export class OfficeSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(OfficeSeeder.name);

  // The handler is called directly: the CommandBus learns of it only once bootstrap is over.
  constructor(
    private readonly add: AddOfficesHandler,
    @Inject(PROCESS_OPTIONS) private readonly process: ProcessOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.process.seedData) return;
    const added = await whileBusy(() => this.add.execute(new AddOfficesCommand(systemContext('seed-offices'), DEPARTMENT_OFFICES)), {
      logger: this.logger,
      what: 'adding the Department offices',
    });
    if (added.length > 0) this.logger.log(`Added ${added.length} offices to the directory`);
  }
}
