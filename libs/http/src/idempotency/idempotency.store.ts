import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IdempotencyClaim } from '@chancery/common';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { type Db, sql } from '@chancery/database';
import { CommandCommitter } from '@chancery/event-store';

/**
 * How this release fingerprints a request (`IdempotencyInterceptor`): `2`, the path as routes read it
 * and the If-Match included. A row of `1` was written before the column was, by a release that may
 * have fingerprinted the older way (before 2026-12-01: the path as sent, no If-Match): it is tried both ways.
 */
export const FINGERPRINT = 2;

export interface StoredAnswer {
  requestHash: string;
  /** How `requestHash` was taken: `FINGERPRINT`, or `1` for an answer stored before the column (tried both ways). */
  fingerprint: number;
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
 * A key is kept for `IDEMPOTENCY_KEY_TTL_HOURS` (24 by default): older, it is not found, the next
 * request with it takes its row over, and expired rows are deleted as keys are recorded.
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit {
  private readonly ttlHours: number;
  private lastPurge = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly committer: CommandCommitter,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.ttlHours = config?.idempotencyKeyTtlHours ?? 24;
  }

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
    const [row] = await sql<{ request_hash: string; fingerprint: number; status_code: number; response: unknown; standing: string | null }>(
      this.dataSource,
      `SELECT request_hash, fingerprint, status_code, response, standing FROM idempotency_keys
        WHERE actor_id = $1 AND key = $2 AND created_at > now() - make_interval(hours => $3)`,
      [actorId, key, this.ttlHours],
    );
    return row && { requestHash: row.request_hash, fingerprint: row.fingerprint, statusCode: row.status_code, response: row.response, standing: row.standing };
  }

  /**
   * Records the answer of a request (in a command's transaction, `db`, or on its own for one that
   * wrote no events). False when the key was taken meanwhile; a key expired is taken over.
   */
  async insert(actorId: string, claim: IdempotencyClaim, response: unknown, db: Db = this.dataSource): Promise<boolean> {
    const rows = await sql(
      db,
      `INSERT INTO idempotency_keys (actor_id, key, request_hash, status_code, response, standing, fingerprint)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, ${FINGERPRINT})
       ON CONFLICT (actor_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response,
             standing = EXCLUDED.standing, fingerprint = EXCLUDED.fingerprint, created_at = now()
         WHERE idempotency_keys.created_at <= now() - make_interval(hours => $7)
       RETURNING 1`,
      [actorId, claim.key, claim.requestHash, claim.statusCode, JSON.stringify(response ?? null), claim.standing, this.ttlHours],
    );
    return rows.length === 1;
  }

  /**
   * Called once a request's answer is recorded (its transaction committed): at most once a minute,
   * deletes the keys past their time, in batches of 1,000 by the created_at index, on a connection
   * of its own and not awaited (nothing a command writes waits for it or fails with it).
   */
  purgeExpiredSoon(): void {
    if (Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    void this.purgeExpired().catch(() => undefined); // tried again a minute later; an expired key is not found meanwhile
  }

  private async purgeExpired(): Promise<void> {
    for (let batch = 0; batch < 100; batch++) {
      const deleted = await sql(
        this.dataSource,
        `DELETE FROM idempotency_keys WHERE ctid IN (
           SELECT ctid FROM idempotency_keys WHERE created_at <= now() - make_interval(hours => $1) ORDER BY created_at LIMIT 1000)
         RETURNING 1`,
        [this.ttlHours],
      );
      if (deleted.length < 1000) return;
    }
  }
}
