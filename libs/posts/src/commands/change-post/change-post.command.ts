import type { CommandContext } from '@chancery/common';

export type PostChange = { kind: 'rename'; name: string } | { kind: 'suspend'; reason: string } | { kind: 'reopen' } | { kind: 'close'; reason: string };

export class ChangePostCommand {
  constructor(
    readonly context: CommandContext,
    readonly code: string,
    readonly change: PostChange,
  ) {}
}
