import type { CommandContext } from '@chancery/common';

export type PostChange = { kind: 'edit'; name?: string; chiefOfMission?: string | null } | { kind: 'suspend'; reason: string } | { kind: 'reopen' } | { kind: 'close'; reason: string };

export class ChangePostCommand {
  constructor(
    readonly context: CommandContext,
    readonly code: string,
    readonly change: PostChange,
  ) {}
}
