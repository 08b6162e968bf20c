import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { PG_UNIQUE_VIOLATION, pgError } from '@chancery/database';
import { aggregateIdOf, type ReadModel, type RecordedEvent } from '@chancery/event-store';
import type { ProfileChanges, UserProfile } from '../domain/user.aggregate.js';

/** `roles_since` for `roles` (a text[]): each role `r.role` held since `since`. */
const rolesSince = (roles: string, since: string) => `(SELECT coalesce(jsonb_object_agg(r.role, ${since}), '{}'::jsonb) FROM unnest(${roles}) AS r(role))`;

/**
 * The `users` table, kept in the transaction of each user command; its unique index keeps usernames
 * unique. `placed_at`: when the user took their current office or post (registered, or moved).
 * `roles_since`: for each role they hold, since when they have held it there (given it, or placed,
 * whichever is later): a role taken away and given back counts from when it was given back.
 */
@Injectable()
export class UsersProjection implements ReadModel {
  readonly name = 'users';
  readonly kind = 'read-model';
  readonly tables = ['users'];
  readonly handles = ['UserRegistered', 'UserProfileChanged', 'UserDisabled', 'UserEnabled', 'UserPasswordReset', 'UserPasswordChanged', 'UserLoggedOut'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const id = aggregateIdOf('user', event.streamId);
      switch (event.type) {
        case 'UserRegistered':
          await this.register(tx, id, event);
          break;
        case 'UserProfileChanged': {
          // The event names only what changed: an office or post named is a move, and the user is
          // placed anew, in every role (an office's or post's notices from before are not theirs);
          // roles named, those added are held from now, those kept since when they were.
          const { changes } = event.data as { changes: ProfileChanges };
          await tx.query(
            `UPDATE users SET display_name = coalesce($2, display_name), roles = coalesce($3, roles),
                    office = CASE WHEN $4 THEN $5 ELSE office END, post_code = CASE WHEN $6 THEN $7 ELSE post_code END,
                    placed_at = CASE WHEN $4 OR $6 THEN $10 ELSE placed_at END,
                    roles_since = CASE
                      WHEN $4 OR $6 THEN ${rolesSince('coalesce($3::text[], roles)', '$10::timestamptz')}
                      WHEN $3::text[] IS NOT NULL THEN ${rolesSince('$3::text[]', 'coalesce(roles_since->r.role, to_jsonb($10::timestamptz))')}
                      ELSE roles_since END,
                    clearance = coalesce($8, clearance), version = $9
             WHERE id = $1`,
            [id, changes.displayName ?? null, changes.roles ?? null, 'office' in changes, changes.office ?? null, 'postCode' in changes, changes.postCode ?? null, changes.clearance ?? null, event.streamVersion, event.recordedAt],
          );
          break;
        }
        case 'UserDisabled':
          await tx.query('UPDATE users SET disabled = true, token_generation = token_generation + 1, version = $2 WHERE id = $1', [id, event.streamVersion]);
          break;
        case 'UserEnabled':
          await tx.query('UPDATE users SET disabled = false, version = $2 WHERE id = $1', [id, event.streamVersion]);
          break;
        default: // a password reset or change, a logout: every token held so far stops working
          await tx.query('UPDATE users SET token_generation = token_generation + 1, version = $2 WHERE id = $1', [id, event.streamVersion]);
      }
    }
  }

  private async register(tx: EntityManager, id: string, event: RecordedEvent): Promise<void> {
    const user = event.data as UserProfile;
    try {
      await tx.query(
        `INSERT INTO users (id, username, display_name, roles, office, post_code, clearance, version, created_at, placed_at, roles_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, ${rolesSince('$4::text[]', '$9::timestamptz')})`,
        [id, user.username, user.displayName, user.roles, user.office, user.postCode, user.clearance, event.streamVersion, event.recordedAt],
      );
    } catch (error) {
      if (pgError(error)?.code === PG_UNIQUE_VIOLATION) {
        throw new ChanceryError(ErrorCode.AlreadyExists, `The username ${user.username} is taken`, { field: 'username', errors: [{ field: 'username', message: `the username ${user.username} is taken` }] });
      }
      throw error;
    }
  }

}
