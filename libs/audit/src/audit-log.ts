import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { type Db, sql } from '@chancery/database';
import { type AuditEntry, type AuditRecord, type ChainBreak, ChainVerifier, chainHash } from './audit-chain.js';

export interface AuditInput {
  actorId: string;
  actorRole: string;
  action: string;
  streamId?: string;
  streamType?: string;
  fromVersion?: number;
  toVersion?: number;
  requestId?: string;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  actorId?: string;
  streamId?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export interface VerifyResult {
  valid: boolean;
  entries: number;
  head: string;
  firstBroken?: ChainBreak;
}

interface AuditRow {
  seq: string;
  entry_id: string;
  recorded_at: Date;
  actor_id: string;
  actor_role: string;
  action: string;
  stream_id: string | null;
  stream_type: string | null;
  from_version: number | null;
  to_version: number | null;
  request_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/**
 * The append-only, hash-chained audit log. Appending locks the chain head row, so entries are
 * chained in the order their transactions commit; call it last in a transaction to hold the lock
 * briefly. The database refuses UPDATE and DELETE on entries.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends an entry inside `db`'s transaction, or in a transaction of its own. */
  async append(input: AuditInput, db: Db = this.dataSource): Promise<AuditEntry> {
    if (db instanceof DataSource) return db.transaction((tx) => this.appendIn(tx, input));
    return this.appendIn(db, input);
  }

  private async appendIn(tx: EntityManager, input: AuditInput): Promise<AuditEntry> {
    const [head] = await sql<{ seq: string; hash: string }>(tx, 'SELECT seq, hash FROM audit_chain_head WHERE id FOR UPDATE');
    const record: AuditRecord = {
      seq: Number(head.seq) + 1,
      id: randomUUID(),
      at: new Date().toISOString(),
      actorId: input.actorId,
      actorRole: input.actorRole,
      action: input.action,
      streamId: input.streamId ?? null,
      streamType: input.streamType ?? null,
      fromVersion: input.fromVersion ?? null,
      toVersion: input.toVersion ?? null,
      requestId: input.requestId ?? null,
      details: input.details ?? {},
    };
    const hash = chainHash(head.hash, record);
    await sql(
      tx,
      `WITH moved AS (UPDATE audit_chain_head SET seq = $1, hash = $14 WHERE id)
       INSERT INTO audit_log (seq, entry_id, recorded_at, actor_id, actor_role, action, stream_id, stream_type,
                              from_version, to_version, request_id, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14)`,
      [
        record.seq, record.id, record.at, record.actorId, record.actorRole, record.action, record.streamId, record.streamType,
        record.fromVersion, record.toVersion, record.requestId, JSON.stringify(record.details), head.hash, hash,
      ],
    );
    return { ...record, prevHash: head.hash, hash };
  }

  async list(query: AuditQuery = {}, db: Db = this.dataSource): Promise<{ items: AuditEntry[]; total: number }> {
    const where = `($1::text IS NULL OR actor_id = $1) AND ($2::text IS NULL OR stream_id = $2)
       AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at <= $4)`;
    const filters = [query.actorId ?? null, query.streamId ?? null, query.from ?? null, query.to ?? null];
    const rows = await sql<AuditRow>(db, `SELECT * FROM audit_log WHERE ${where} ORDER BY seq LIMIT $5 OFFSET $6`, [
      ...filters,
      query.limit ?? 50,
      query.offset ?? 0,
    ]);
    const [{ total }] = await sql<{ total: number }>(db, `SELECT count(*)::int AS total FROM audit_log WHERE ${where}`, filters);
    return { items: rows.map(toEntry), total };
  }

  /** Re-computes the whole chain, in pages, and checks it ends at the recorded head. */
  async verify(onProgress?: (checked: number, total: number) => void, db: Db = this.dataSource): Promise<VerifyResult> {
    const [head] = await sql<{ seq: string; hash: string }>(db, 'SELECT seq, hash FROM audit_chain_head WHERE id');
    const total = Number(head.seq);
    const verifier = new ChainVerifier();
    const pageSize = 2000;
    for (let after = 0; ; ) {
      const rows = await sql<AuditRow>(db, 'SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [after, pageSize]);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (!verifier.check(toEntry(row))) return { valid: false, entries: verifier.entries, head: verifier.head, firstBroken: verifier.broken };
      }
      after = Number(rows[rows.length - 1].seq);
      onProgress?.(verifier.entries, total);
    }
    if (verifier.entries !== total || verifier.head !== head.hash) {
      const firstBroken = { seq: verifier.entries + 1, reason: `the chain head says ${total} entries ending in ${head.hash}, the log has ${verifier.entries}` };
      return { valid: false, entries: verifier.entries, head: verifier.head, firstBroken };
    }
    return { valid: true, entries: verifier.entries, head: verifier.head };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.entry_id,
    at: row.recorded_at.toISOString(),
    actorId: row.actor_id,
    actorRole: row.actor_role,
    action: row.action,
    streamId: row.stream_id,
    streamType: row.stream_type,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    requestId: row.request_id,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
