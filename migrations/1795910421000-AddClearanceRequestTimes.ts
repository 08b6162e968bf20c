import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each office the cable waits for was asked for its clearance (`{office: instant}`), so that a
 * clearer's inbox says how long the office has been waited for, not when the cable last changed.
 * Cables waiting now get it from their events: the last request (or staling) naming the office, as
 * the read model records it and a rebuild would.
 */
export class AddClearanceRequestTimes1795910421000 implements MigrationInterface {
  name = 'AddClearanceRequestTimes1795910421000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE cables ADD COLUMN awaiting_since jsonb NOT NULL DEFAULT '{}'`);
    await db.query(`
      UPDATE cables c SET awaiting_since = (
        SELECT coalesce(jsonb_object_agg(o.office, to_char(asked.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), '{}')
        FROM unnest(c.awaiting_clearance) AS o(office)
        CROSS JOIN LATERAL (
          SELECT max(e.recorded_at) AS at FROM events e
          WHERE e.stream_id = 'cable-' || c.id::text AND e.type IN ('ClearancesRequested', 'ClearancesMadeStale') AND e.data->'offices' ? o.office
        ) asked
        WHERE asked.at IS NOT NULL)
      WHERE cardinality(c.awaiting_clearance) > 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE cables DROP COLUMN awaiting_since');
  }
}
