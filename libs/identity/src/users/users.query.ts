import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { type Db, pageAndCount, prepared, sql } from '@chancery/database';
import type { Clearance, Principal, Role } from '../domain/access.js';
import { normalizeUsername, type UserProfile } from '../domain/user.aggregate.js';

export interface UserView extends UserProfile {
  id: string;
  disabled: boolean;
  version: number;
}

/** What the token check needs beyond the profile. */
export interface UserStanding extends UserView {
  tokenGeneration: number;
}

/**
 * A user as notices find them: their standing, when they took their current office or post
 * (registered, or moved), and since when they have held each of their roles there (given it, or
 * placed, whichever is later): a notice to an office or a post, or to a role of it, before then was
 * not for them.
 */
export interface PlacedUser extends UserStanding {
  placedAt: Date;
  rolesSince: Partial<Record<Role, Date>>;
}

/** An officer as a record's readers see them: the username and the name the screens show. */
export interface NamedUser {
  username: string;
  displayName: string;
}

/** A user id as the users table keys it (records name their actor `system` too, which no user is). */
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  office: string | null;
  post_code: string | null;
  clearance: Clearance;
  disabled: boolean;
  token_generation: number;
  version: number;
  placed_at: Date;
  roles_since: Partial<Record<Role, string>>;
}

const toView = (row: UserRow): UserView => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  roles: row.roles,
  office: row.office,
  postCode: row.post_code,
  clearance: row.clearance,
  disabled: row.disabled,
  version: row.version,
});

const toStanding = (row: UserRow): UserStanding => ({ ...toView(row), tokenGeneration: row.token_generation });

const toPlaced = (row: UserRow): PlacedUser => ({
  ...toStanding(row),
  placedAt: row.placed_at,
  rolesSince: Object.fromEntries(Object.entries(row.roles_since).map(([role, since]) => [role, new Date(since)])),
});

export function principalOf(user: UserView): Principal {
  // A user bound to a post acts for it alone (a profile stored with both, before that was refused, too).
  return { id: user.id, username: user.username, roles: user.roles, office: user.postCode === null ? user.office : null, postCode: user.postCode, clearance: user.clearance };
}

@Injectable()
export class UsersQuery {
  constructor(private readonly dataSource: DataSource) {}

  /** Inside a transaction (a command's), pass it as `db`. */
  async byId(id: string, db: Db = this.dataSource): Promise<UserView | undefined> {
    return this.standing(id, db);
  }

  /** One user for an admin; 404 when there is none. */
  async view(id: string): Promise<UserView> {
    const user = await this.byId(id);
    if (!user) throw new ChanceryError(ErrorCode.NotFound, `No user ${id}`, { id });
    const { tokenGeneration: _generation, ...view } = user as UserStanding;
    return view;
  }

  /** The user now, with their token generation: read on every request, so a change applies at once. */
  async standing(id: string, db: Db = this.dataSource): Promise<UserStanding | undefined> {
    const [row] = await prepared<UserRow>(db, 'chancery_user_standing', 'SELECT * FROM users WHERE id = $1::uuid', [id]);
    return row && toStanding(row);
  }

  /** Several users' standing now, and since when they hold their office or post and each role there (a live stream re-checks its subscribers by it); those gone are absent. */
  async standingOf(ids: readonly string[]): Promise<PlacedUser[]> {
    const rows = await sql<UserRow>(this.dataSource, 'SELECT * FROM users WHERE id = ANY($1::uuid[])', [ids]);
    return rows.map(toPlaced);
  }

  /**
   * The enabled users that these ids, offices or posts name, in id order: whom a notice addresses.
   * Inside a transaction (a reaction's), pass it as `db`.
   */
  async addressed(to: { users: readonly string[]; offices: readonly string[]; posts: readonly string[] }, db: Db = this.dataSource): Promise<PlacedUser[]> {
    const rows = await sql<UserRow>(
      db,
      `SELECT * FROM users
       WHERE NOT disabled AND (id::text = ANY($1::text[]) OR office = ANY($2::text[]) OR post_code = ANY($3::text[]))
       ORDER BY id`,
      [to.users, to.offices, to.posts],
    );
    return rows.map(toPlaced);
  }

  /**
   * The user and their password hash, for login; the username in any case, lowered as it was when
   * the user was created (`normalizeUsername`): PostgreSQL's `lower` reads some letters otherwise
   * (İ is i to it, i and a combining dot to JavaScript), and a name must reach an account one way only.
   */
  async withCredentials(username: string): Promise<{ user: UserStanding; passwordHash: string } | undefined> {
    const [row] = await sql<UserRow & { password_hash: string }>(
      this.dataSource,
      'SELECT u.*, c.password_hash FROM users u JOIN user_credentials c ON c.user_id = u.id WHERE lower(u.username) = $1',
      [normalizeUsername(username)],
    );
    return row && { user: toStanding(row), passwordHash: row.password_hash };
  }

  /**
   * A page of users by username, and how many there are; `q`: only those whose username, display
   * name, office or post holds it, in any case.
   */
  async list(limit: number, offset: number, q?: string): Promise<{ items: UserView[]; total: number }> {
    const from = q === undefined
      ? 'users'
      : `users WHERE strpos(lower(concat_ws(' ', username, display_name, office, post_code)), lower($1)) > 0`;
    // The page and its total from one snapshot (pageAndCount).
    const { rows, counts } = await pageAndCount<UserRow>(this.dataSource, { columns: 'users.*', from, order: [['username']], params: q === undefined ? [] : [q.trim()], limit, offset });
    return { items: rows.map(toView), total: counts.total };
  }

  /** The users these ids name, by id, with their names now (ids that name no user are absent). `db`: inside a command, its transaction. */
  async names(ids: readonly string[], db: Db = this.dataSource): Promise<Map<string, NamedUser>> {
    const users = [...new Set(ids.filter((id) => USER_ID.test(id)))];
    if (users.length === 0) return new Map();
    const rows = await sql<Pick<UserRow, 'id' | 'username' | 'display_name'>>(db, 'SELECT id::text, username, display_name FROM users WHERE id = ANY($1::uuid[])', [users]);
    return new Map(rows.map((row) => [row.id, { username: row.username, displayName: row.display_name }]));
  }

  async count(): Promise<number> {
    const [{ total }] = await sql<{ total: number }>(this.dataSource, 'SELECT count(*)::int AS total FROM users');
    return total;
  }
}
