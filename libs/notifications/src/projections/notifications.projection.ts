import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { aggregateIdOf, type ReadModel, type RecordedEvent } from '@chancery/event-store';
import { FACT_EVENTS, notificationOf, NOTIFYING_EVENTS, type RecordFacts, recordOf } from '../domain/notification-rules.js';
import type { NotificationInboxEvent } from '../domain/notification-inbox.aggregate.js';

interface FactRow {
  record_id: string;
  created_by: string;
  owner_office: string | null;
  owner_post: string | null;
}

/**
 * The `notifications` read model: one row per notifying event, addressed as the event states it;
 * `notification_facts`, what later notices need of a record (a cable's drafter, a follow-up's
 * creator and owner, as they were at that point of the feed); and who has read what. Everything
 * comes from the events alone, so a rebuild gives the same tables. Inline: a notice is in the list
 * when the command that made it answers, and when the live stream tells of it.
 */
@Injectable()
export class NotificationsProjection implements ReadModel {
  readonly name = 'notifications';
  readonly kind = 'read-model';
  readonly tables = ['notifications', 'notification_facts', 'notification_reads', 'notification_read_marks'];
  readonly handles = [...FACT_EVENTS, ...NOTIFYING_EVENTS, 'ClearanceRequestWithdrawn', 'NotificationsRead', 'AllNotificationsRead'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      switch (event.type) {
        case 'CableDrafted': {
          const data = event.data as { drafter: { id: string } };
          await this.saveFacts(tx, aggregateIdOf('cable', event.streamId), { createdBy: data.drafter.id });
          break;
        }
        case 'FollowUpCreated': {
          const data = event.data as { createdBy: { id: string }; owner: { office?: string; post?: string } };
          await this.saveFacts(tx, aggregateIdOf('followup', event.streamId), { createdBy: data.createdBy.id, owner: data.owner });
          break;
        }
        case 'FollowUpReassigned': {
          const owner = (event.data as { owner: { office?: string; post?: string } }).owner;
          await tx.query('UPDATE notification_facts SET owner_office = $2, owner_post = $3 WHERE record_id = $1', [aggregateIdOf('followup', event.streamId), owner.office ?? null, owner.post ?? null]);
          break;
        }
        case 'ClearanceRequestWithdrawn': {
          // The office is no longer asked: its requests to clear this cable leave its clearers' lists
          // (a notice that asked no one else goes).
          const { office } = event.data as { office: string };
          const cableId = aggregateIdOf('cable', event.streamId);
          await tx.query(
            `UPDATE notifications SET offices = array_remove(offices, $2),
               detail = jsonb_set(detail, '{offices}', to_jsonb(array_to_string(array_remove(offices, $2), ', ')))
             WHERE record_type = 'cable' AND record_id = $1 AND kind = 'clearance-requested' AND $2 = ANY(offices)`,
            [cableId, office],
          );
          await tx.query(
            `DELETE FROM notifications WHERE record_type = 'cable' AND record_id = $1 AND kind = 'clearance-requested'
               AND cardinality(offices) = 0 AND cardinality(user_ids) = 0 AND cardinality(posts) = 0`,
            [cableId],
          );
          break;
        }
        case 'NotificationsRead':
        case 'AllNotificationsRead':
          await this.markRead(tx, aggregateIdOf('notifications', event.streamId), { type: event.type, data: event.data } as NotificationInboxEvent);
          break;
        default:
          await this.notify(tx, event);
      }
    }
  }

  private async notify(tx: EntityManager, event: RecordedEvent): Promise<void> {
    const record = recordOf(event.streamId);
    if (!record) return;
    const [row] = (await tx.query('SELECT * FROM notification_facts WHERE record_id = $1', [record.id])) as FactRow[];
    const facts: RecordFacts | undefined = row && { createdBy: row.created_by, owner: { office: row.owner_office ?? undefined, post: row.owner_post ?? undefined } };
    const notice = notificationOf(event, facts);
    if (!notice) return;
    await tx.query(
      `INSERT INTO notifications (id, global_position, kind, record_type, record_id, user_ids, offices, office_roles, posts, except_user, detail, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
      [event.eventId, event.globalPosition, notice.kind, notice.record.type, notice.record.id, notice.users, notice.offices, notice.officeRoles, notice.posts, notice.exceptUser, JSON.stringify(notice.detail), event.recordedAt],
    );
  }

  private async saveFacts(tx: EntityManager, id: string, facts: RecordFacts): Promise<void> {
    await tx.query(
      `INSERT INTO notification_facts (record_id, created_by, owner_office, owner_post) VALUES ($1, $2, $3, $4)
       ON CONFLICT (record_id) DO UPDATE SET created_by = EXCLUDED.created_by, owner_office = EXCLUDED.owner_office, owner_post = EXCLUDED.owner_post`,
      [id, facts.createdBy, facts.owner?.office ?? null, facts.owner?.post ?? null],
    );
  }

  private async markRead(tx: EntityManager, userId: string, event: NotificationInboxEvent): Promise<void> {
    if (event.type === 'NotificationsRead') {
      await tx.query('INSERT INTO notification_reads (user_id, notification_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [userId, event.data.ids]);
    } else {
      await tx.query(
        `INSERT INTO notification_read_marks (user_id, up_to) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET up_to = greatest(notification_read_marks.up_to, EXCLUDED.up_to)`,
        [userId, event.data.upTo],
      );
    }
  }
}
