import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IdempotencyClaim } from '@chancery/common';
import { type Db, sql } from '@chancery/database';
import { CommandCommitter } from '@chancery/event-store';

export interface StoredAnswer {
  requestHash: string;
  statusCode: number;
  response: unknown;
  /** The caller's standing when it was answered (`IdempotencyClaim.standing`); null if not known. */
  standing: string | null;
}

/** Another request with the same key committed first; its answer is to be replayed. */
export class IdempotencyRaceError extends Error {}

/**
 * First answers to requests that carried an Idempotency-Key. The answer of a command is written by
 * the command's own transaction (a commit participant), so "done" and "remembered" cannot diverge.
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly committer: CommandCommitter,
  ) {}

  onModuleInit(): void {
    this.committer.register({
      name: 'idempotency',
      order: 50,
      onCommit: async (tx, commit) => {
        const claim = commit.context.idempotency;
        if (!claim) return;
        if (!(await this.insert(commit.context.actor.id, claim, commit.result, tx))) throw new IdempotencyRaceError();
        claim.recorded = true;
      },
    });
  }

  async find(actorId: string, key: string): Promise<StoredAnswer | undefined> {
    const [row] = await sql<{ request_hash: string; status_code: number; response: unknown; standing: string | null }>(
      this.dataSource,
      'SELECT request_hash, status_code, response, standing FROM idempotency_keys WHERE actor_id = $1 AND key = $2',
      [actorId, key],
    );
    return row && { requestHash: row.request_hash, statusCode: row.status_code, response: row.response, standing: row.standing };
  }

  /** Records the answer of a request that wrote no events. False when the key was taken meanwhile. */
  async insert(actorId: string, claim: IdempotencyClaim, response: unknown, db: Db = this.dataSource): Promise<boolean> {
    const rows = await sql(
      db,
      `INSERT INTO idempotency_keys (actor_id, key, request_hash, status_code, response, standing)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (actor_id, key) DO NOTHING
       RETURNING 1`,
      [actorId, claim.key, claim.requestHash, claim.statusCode, JSON.stringify(response ?? null), claim.standing],
    );
    return rows.length === 1;
  }
}
