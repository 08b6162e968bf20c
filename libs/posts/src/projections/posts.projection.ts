import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { PG_UNIQUE_VIOLATION, pgError } from '@chancery/database';
import type { ReadModel, RecordedEvent } from '@chancery/event-store';
import type { PostFacts } from '../domain/post.aggregate.js';

const STATUS_AFTER: Record<string, string> = { PostSuspended: 'SUSPENDED', PostReopened: 'OPEN', PostClosed: 'CLOSED' };

/** The `posts` table, kept in the transaction of each post command. */
@Injectable()
export class PostsProjection implements ReadModel {
  readonly name = 'posts';
  readonly kind = 'read-model';
  readonly tables = ['posts'];
  readonly handles = ['PostEstablished', 'PostRenamed', 'ChiefOfMissionNamed', 'PostSuspended', 'PostReopened', 'PostClosed'];

  async apply(tx: EntityManager, events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      const code = event.streamId.slice('post-'.length);
      if (event.type === 'PostEstablished') {
        const post = event.data as PostFacts;
        try {
          await tx.query(
            `INSERT INTO posts (code, name, kind, city, country, country_tag, bureau, status, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'OPEN', $8, $9)`,
            [code, post.name, post.kind, post.city, post.country, post.countryTag, post.bureau, event.streamVersion, event.recordedAt],
          );
        } catch (error) {
          if (pgError(error)?.code === PG_UNIQUE_VIOLATION) throw new ChanceryError(ErrorCode.AlreadyExists, `Post ${code} exists`);
          throw error;
        }
      } else if (event.type === 'PostRenamed') {
        await tx.query('UPDATE posts SET name = $2, version = $3, updated_at = $4 WHERE code = $1', [code, (event.data as { name: string }).name, event.streamVersion, event.recordedAt]);
      } else if (event.type === 'ChiefOfMissionNamed') {
        await tx.query('UPDATE posts SET chief_of_mission = $2, version = $3, updated_at = $4 WHERE code = $1', [code, (event.data as { name: string | null }).name, event.streamVersion, event.recordedAt]);
      } else {
        await tx.query('UPDATE posts SET status = $2, version = $3, updated_at = $4 WHERE code = $1', [code, STATUS_AFTER[event.type], event.streamVersion, event.recordedAt]);
      }
    }
  }
}
