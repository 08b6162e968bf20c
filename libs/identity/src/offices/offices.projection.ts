import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReadModel, RecordedEvent } from '@chancery/event-store';
import type { Office } from '../domain/office-directory.aggregate.js';

/** The `offices` table, kept in the transaction of each directory command. */
@Injectable()
export class OfficesProjection implements ReadModel {
  readonly kind = 'read-model';
  readonly tables = ['offices'];
  readonly name = 'offices';
  readonly handles = ['OfficeAdded'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const office = event.data as Office;
      await tx.query('INSERT INTO offices (symbol, name, bureau, added_at) VALUES ($1, $2, $3, $4)', [office.symbol, office.name, office.bureau, event.recordedAt]);
    }
  }
}
