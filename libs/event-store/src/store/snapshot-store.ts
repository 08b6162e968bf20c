import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Db, prepared, sql } from '@chancery/database';

export interface Snapshot<S = unknown> {
  streamId: string;
  streamType: string;
  streamVersion: number;
  schemaVersion: number;
  state: S;
}

/** The latest snapshot per stream. Derived data: it may be replaced or dropped at any time. */
@Injectable()
export class SnapshotStore {
  constructor(private readonly dataSource: DataSource) {}

  async load<S>(streamId: string, db: Db = this.dataSource): Promise<Snapshot<S> | undefined> {
    const [row] = await prepared<{ stream_type: string; stream_version: number; schema_version: number; state: S }>(
      db,
      'chancery_load_snapshot',
      'SELECT stream_type, stream_version, schema_version, state FROM snapshots WHERE stream_id = $1',
      [streamId],
    );
    return row && { streamId, streamType: row.stream_type, streamVersion: row.stream_version, schemaVersion: row.schema_version, state: row.state };
  }

  async save(snapshot: Snapshot, db: Db = this.dataSource): Promise<void> {
    await sql(
      db,
      `INSERT INTO snapshots (stream_id, stream_type, stream_version, schema_version, state)
       VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (stream_id) DO UPDATE
         SET stream_version = EXCLUDED.stream_version, schema_version = EXCLUDED.schema_version,
             state = EXCLUDED.state, taken_at = now()
         WHERE snapshots.stream_version < EXCLUDED.stream_version`,
      [snapshot.streamId, snapshot.streamType, snapshot.streamVersion, snapshot.schemaVersion, JSON.stringify(snapshot.state)],
    );
  }
}
