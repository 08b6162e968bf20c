import { Injectable } from '@nestjs/common';
import { ChanceryError, Clock, type CommandContext, ErrorCode } from '@chancery/common';
import { AggregateRepository, AggregateRepositoryFactory } from '@chancery/event-store';
import { PolicyService, type Principal } from '@chancery/identity';
import { type NotificationInbox, notificationInboxDefinition } from './domain/notification-inbox.aggregate.js';
import { NotificationsQuery } from './notifications.query.js';

/** The caller's notifications and their reading (`NotificationsRead`, `AllNotificationsRead`). */
@Injectable()
export class NotificationsService {
  private readonly inboxes: AggregateRepository<NotificationInbox>;

  constructor(
    repositories: AggregateRepositoryFactory,
    private readonly query: NotificationsQuery,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {
    this.inboxes = repositories.for(notificationInboxDefinition);
  }

  async list(principal: Principal, page: { limit: number; offset: number; unread?: boolean }, requestId: string) {
    const answer = await this.query.list(principal, page.limit, page.offset, page.unread ?? false);
    // A notice names a record (and its subject line): a list that shows classified ones is a read.
    await this.policy.auditListRead(principal, {
      requestId,
      view: 'notifications',
      records: answer.items.map((n) => ({ streamId: `${n.record.type}-${n.record.id}`, classification: n.classification })),
    });
    return answer;
  }

  /** Marks one of the caller's notifications read; 404 for one that is not theirs to see. */
  async markRead(context: CommandContext, principal: Principal, id: string): Promise<{ id: string; read: true }> {
    const position = await this.query.position(principal, id);
    if (position === undefined) throw new ChanceryError(ErrorCode.NotFound, `No notification ${id} for you`, { id });
    // The time of the attempt that commits (one retried after a conflict reads it again).
    return this.inboxes.updateOrStart(context, 'MarkNotificationRead', principal.id, (inbox) => inbox.markRead(id, position, this.clock.now().toISOString()), () => ({ id, read: true as const }));
  }

  /** Marks every notification the caller has now read; later ones come unread. */
  async markAllRead(context: CommandContext, principal: Principal): Promise<{ upTo: number }> {
    const upTo = await this.query.newestPosition(principal);
    if (upTo === 0) return { upTo };
    return this.inboxes.updateOrStart(context, 'MarkAllNotificationsRead', principal.id, (inbox) => inbox.markAllRead(upTo, this.clock.now().toISOString()), () => ({ upTo }));
  }
}
