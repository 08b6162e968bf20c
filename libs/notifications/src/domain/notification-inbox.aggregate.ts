import { assertNever } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';

export type NotificationInboxEvent =
  | DomainEvent<'NotificationsRead', { ids: string[]; at: string }>
  | DomainEvent<'AllNotificationsRead', { upTo: number; at: string }>;

/**
 * One person's reading of their notifications (stream `notifications-<user id>`): which they have
 * read, and up to where they read them all. Marking read is a change like any other: an event,
 * audited, and the read model's `notification_reads` rebuilds from it.
 */
export class NotificationInbox extends EventSourcedAggregate<NotificationInboxEvent> {
  readonly read = new Set<string>();
  /** Every notification at or before this feed position is read. */
  readUpTo = 0;

  /** Marks one notification read (at `position` in the feed); nothing if it already is. */
  markRead(id: string, position: number, at: string): void {
    if (this.read.has(id) || position <= this.readUpTo) return;
    this.apply({ type: 'NotificationsRead', data: { ids: [id], at } });
  }

  /** Marks every notification up to `upTo` read; nothing if they already are. */
  markAllRead(upTo: number, at: string): void {
    if (upTo <= this.readUpTo) return;
    this.apply({ type: 'AllNotificationsRead', data: { upTo, at } });
  }

  protected override evolve(event: NotificationInboxEvent): void {
    switch (event.type) {
      case 'NotificationsRead':
        for (const id of event.data.ids) this.read.add(id);
        return;
      case 'AllNotificationsRead':
        this.readUpTo = Math.max(this.readUpTo, event.data.upTo);
        return;
      default:
        assertNever(event);
    }
  }
}

export const notificationInboxDefinition: AggregateDefinition<NotificationInbox> = {
  streamType: 'notifications',
  schemaVersions: { NotificationsRead: 1, AllNotificationsRead: 1 },
  blank: (id) => new NotificationInbox(id),
};
