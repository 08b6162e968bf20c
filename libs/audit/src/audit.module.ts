import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { CommandCommitter } from '@chancery/event-store';
import { AuditLog } from './audit-log.js';

/** Writes one audit entry per saved command, in the command's transaction, after everything else. */
@Injectable()
class AuditCommitParticipant implements OnModuleInit {
  constructor(
    private readonly committer: CommandCommitter,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.committer.register({
      name: 'audit',
      order: 1000,
      onCommit: async (tx, commit) => {
        await this.audit.append(
          {
            actorId: commit.context.actor.id,
            actorRole: commit.context.actor.role,
            action: commit.command,
            streamId: commit.streamId,
            streamType: commit.streamType,
            fromVersion: commit.fromVersion,
            toVersion: commit.toVersion,
            requestId: commit.context.requestId,
            details: { events: commit.events.map((event) => event.type) },
          },
          tx,
        );
      },
    });
  }
}

/** Global: every library may write audit entries (denials, reads of classified content). */
@Global()
@Module({
  providers: [AuditLog, AuditCommitParticipant],
  exports: [AuditLog],
})
export class AuditModule {}
