import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertNever } from '@chancery/common';
import { aggregateIdOf, type ReadModel, type RecordedEvent } from '@chancery/event-store';
import type { FollowUpEvent } from '../domain/follow-up.aggregate.js';

/** The `follow_ups` table, kept in the transaction of every follow-up command. */
@Injectable()
export class FollowUpsProjection implements ReadModel {
  readonly name = 'follow-ups';
  readonly kind = 'read-model';
  readonly tables = ['follow_ups'];
  readonly handles = [
    'FollowUpCreated', 'FollowUpEdited', 'FollowUpReassigned', 'FollowUpDueDateChanged', 'FollowUpStarted', 'FollowUpCompleted',
    'FollowUpCancelled', 'FollowUpCommented', 'FollowUpClassificationRaised', 'FollowUpWrittenUnderDraft', 'FollowUpBecameOverdue', 'FollowUpEscalated', 'FollowUpEscalationResolved',
  ] satisfies FollowUpEvent['type'][];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const id = aggregateIdOf('followup', recorded.streamId);
      const event = { type: recorded.type, data: recorded.data } as FollowUpEvent;
      const touch = [id, recorded.streamVersion, recorded.recordedAt];
      const update = (set: string, values: unknown[]) => tx.query(`UPDATE follow_ups SET ${set}, version = $2, updated_at = $3 WHERE id = $1`, [...touch, ...values]);
      switch (event.type) {
        case 'FollowUpCreated': {
          const d = event.data;
          await tx.query(
            `INSERT INTO follow_ups (id, title, description, owner_office, owner_post, owner_bureau, due_on, status, demarche_id, post, cable_id,
               created_by, version, created_at, updated_at, classification, response_number, written_under_draft)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'OPEN', $8, $9, $10, $11, $12, $13, $13, $14, $15, $16)`,
            [id, d.title, d.description, d.owner.office ?? null, d.owner.post ?? null, d.ownerBureau, d.dueOn, d.links.demarcheId, d.links.post, d.links.cableId,
              d.createdBy.id, recorded.streamVersion, recorded.recordedAt, d.classification ?? 'UNCLASSIFIED', d.links.response ?? null, d.writtenUnderDraft === true],
          );
          break;
        }
        case 'FollowUpEdited':
          await update('title = $4, description = $5', [event.data.title, event.data.description]);
          break;
        case 'FollowUpReassigned':
          await update('owner_office = $4, owner_post = $5, owner_bureau = $6', [event.data.owner.office ?? null, event.data.owner.post ?? null, event.data.ownerBureau]);
          break;
        case 'FollowUpDueDateChanged':
          await update('due_on = $4, overdue_since = NULL', [event.data.dueOn]);
          break;
        case 'FollowUpCommented':
          await update(`comments = comments || jsonb_build_array($4::jsonb)`, [JSON.stringify({ text: event.data.text, by: event.data.by, at: event.data.at })]);
          break;
        case 'FollowUpClassificationRaised':
          await update('classification = $4', [event.data.classification]);
          break;
        case 'FollowUpWrittenUnderDraft':
          await update('written_under_draft = true', []);
          break;
        case 'FollowUpBecameOverdue':
          await update('overdue_since = $4', [event.data.at]);
          break;
        case 'FollowUpEscalated':
          await update('escalated_to = $4', [event.data.to]);
          break;
        case 'FollowUpEscalationResolved':
          await update('escalated_to = NULL, overdue_since = NULL', []);
          break;
        case 'FollowUpCompleted':
          await update(`status = 'DONE', outcome = $4`, [event.data.outcome]);
          break;
        case 'FollowUpCancelled':
          await update(`status = 'CANCELLED', cancel_reason = $4`, [event.data.reason]);
          break;
        case 'FollowUpStarted':
          await update(`status = 'IN_PROGRESS'`, []);
          break;
        default:
          assertNever(event);
      }
    }
  }
}
