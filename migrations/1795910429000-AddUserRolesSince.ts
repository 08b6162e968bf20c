import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Since when each user has held each of their roles where they are now (`users.roles_since`: a role
 * to the moment, never before `placed_at`): a notice to an office's clearers or a post's officers is
 * for those who held that role there when it happened, not for one given it later. Users stored
 * before get it from their events, as the read model records it and a rebuild would: the last event
 * that gave them the role (registration, or a change of roles that added it; the event names only
 * what changed), or their placement if later, to the millisecond as events are read.
 */
export class AddUserRolesSince1795910429000 implements MigrationInterface {
  name = 'AddUserRolesSince1795910429000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN roles_since jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await db.query(`
      WITH role_sets AS (
        SELECT e.stream_id, e.recorded_at, r.roles, lag(r.roles) OVER (PARTITION BY e.stream_id ORDER BY e.stream_version) AS before
        FROM events e
        CROSS JOIN LATERAL (SELECT CASE e.type WHEN 'UserRegistered' THEN e.data->'roles' ELSE e.data->'changes'->'roles' END AS roles) r
        WHERE e.stream_id LIKE 'user-%' AND (e.type = 'UserRegistered' OR (e.type = 'UserProfileChanged' AND e.data->'changes' ? 'roles'))
      ), gained AS (
        SELECT s.stream_id, g.role, max(date_trunc('milliseconds', s.recorded_at)) AS at
        FROM role_sets s CROSS JOIN LATERAL jsonb_array_elements_text(s.roles) AS g(role)
        WHERE s.before IS NULL OR NOT s.before ? g.role
        GROUP BY s.stream_id, g.role
      )
      UPDATE users u SET roles_since = (
        SELECT coalesce(jsonb_object_agg(r.role, greatest(u.placed_at, coalesce(g.at, u.created_at))), '{}'::jsonb)
        FROM unnest(u.roles) AS r(role) LEFT JOIN gained g ON g.stream_id = 'user-' || u.id::text AND g.role = r.role)`);
    await db.query('ALTER TABLE users ALTER COLUMN roles_since DROP DEFAULT');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE users DROP COLUMN roles_since');
  }
}
