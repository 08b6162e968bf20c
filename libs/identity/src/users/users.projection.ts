import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { PG_UNIQUE_VIOLATION, pgError } from '@chancery/database';
import { aggregateIdOf, type ReadModel, type RecordedEvent } from '@chancery/event-store';
import type { UserProfile } from '../domain/user.aggregate.js';

/** The `users` table, kept in the transaction of each user command; its unique index keeps usernames unique. */
@Injectable()
export class UsersProjection implements ReadModel {
  readonly name = 'users';
  readonly kind = 'read-model';
  readonly tables = ['users'];
  readonly handles = ['UserRegistered'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const user = event.data as UserProfile;
      try {
        await tx.query(
          `INSERT INTO users (id, username, display_name, roles, office, post_code, clearance, version, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [aggregateIdOf('user', event.streamId), user.username, user.displayName, user.roles, user.office, user.postCode, user.clearance, event.streamVersion, event.recordedAt],
        );
      } catch (error) {
        if (pgError(error)?.code === PG_UNIQUE_VIOLATION) {
          throw new ChanceryError(ErrorCode.AlreadyExists, `The username ${user.username} is taken`, { field: 'username' });
        }
        throw error;
      }
    }
  }
}
