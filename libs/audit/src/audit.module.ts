import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { CommandCommitter } from '@chancery/event-store';
import { type AuditedEvent, dataDigest } from './audit-entry.js';
import { AuditLog } from './audit-log.js';
import { AuditSealer } from './audit-sealer.js';

/**
 * Writes one audit entry per saved command, in the command's transaction: the events it wrote, each
 * with the SHA-256 of its data. One INSERT; the sealer puts it into the tree after commit.
 */
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
        const events: AuditedEvent[] = commit.events.map((event) => ({
          id: event.eventId,
          type: event.type,
          version: event.streamVersion,
          sha256: dataDigest(event.data),
        }));
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
            details: { events },
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
  providers: [AuditLog, AuditSealer, AuditCommitParticipant],
  exports: [AuditLog, AuditSealer],
})
export class AuditModule {}
