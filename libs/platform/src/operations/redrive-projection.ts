import { Injectable } from '@nestjs/common';
import { AuditLog } from '@chancery/audit';
import type { CommandContext } from '@chancery/common';
import { ProjectionRunner, type RedriveResult } from '@chancery/event-store';

/**
 * An operator makes a stopped reaction retry, or a read model apply its parked events again. Who
 * did it, and what came of it, goes into the audit log: it is a decision to let events through
 * that had been held back.
 */
@Injectable()
export class RedriveProjection {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly audit: AuditLog,
  ) {}

  /** `operator`: who asked, where no signed-in user did (the command line: the shell's user and host). */
  async execute(ctx: CommandContext, name: string, { operator }: { operator?: string } = {}): Promise<RedriveResult> {
    const result = await this.runner.redrive(name);
    await this.audit.append({
      actorId: ctx.actor.id,
      actorRole: ctx.actor.role,
      action: 'RedriveProjection',
      requestId: ctx.requestId,
      details: { ...result, ...(operator ? { operator } : {}) },
    });
    return result;
  }
}
