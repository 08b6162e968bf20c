import type { CommandContext } from '@chancery/common';
import type { Office } from '../../domain/office-directory.aggregate.js';

/** Adds offices to the directory; those already in it are left as they are. */
export class AddOfficesCommand {
  constructor(
    readonly context: CommandContext,
    readonly offices: readonly Office[],
  ) {}
}

/** Adds one office (the admin's route): answers it, or 409 when the directory has it already. */
export class AddOfficeCommand {
  constructor(
    readonly context: CommandContext,
    readonly office: Office,
  ) {}
}
