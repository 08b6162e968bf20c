import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Db, pageAndCount, sql } from '@chancery/database';
import { PostDirectory } from '@chancery/identity';
import { addressDesignator, type Bureau, BUREAUS, type PostFacts, type PostKind, type PostStatus } from './domain/post.aggregate.js';

export interface PostView extends PostFacts {
  status: PostStatus;
  /** Who heads the post and signs its cables; null when not recorded. */
  chiefOfMission: string | null;
  addressDesignator: string;
  version: number;
}

export interface PostFilter {
  bureau?: string;
  kind?: string;
  country?: string;
  status?: string;
}

export interface CollectiveView {
  code: string;
  name: string;
  description: string;
  members: string[];
}

/** The post network as one read found it. */
export interface PostNetwork {
  /** Every post, whatever its status. */
  all: PostView[];
  open: PostView[];
  /** Each collective with the open posts it holds. */
  collectives: CollectiveView[];
}

interface PostRow {
  code: string;
  name: string;
  kind: PostKind;
  city: string;
  country: string;
  country_tag: string;
  bureau: Bureau;
  status: PostStatus;
  chief_of_mission: string | null;
  version: number;
}

const toView = (row: PostRow): PostView => ({
  code: row.code,
  name: row.name,
  kind: row.kind,
  city: row.city,
  country: row.country,
  countryTag: row.country_tag,
  bureau: row.bureau,
  status: row.status,
  chiefOfMission: row.chief_of_mission,
  addressDesignator: addressDesignator(row),
  version: row.version,
});

/** Advisory locks on a designator's hash: one post's establishment at a time per designator, across processes. */
const DESIGNATOR_LOCK_NAMESPACE = 0x44534700; // "DSG"

const BUREAU_NAMES: Record<Bureau, string> = {
  AF: 'African Affairs',
  EAP: 'East Asian and Pacific Affairs',
  EUR: 'European and Eurasian Affairs',
  NEA: 'Near Eastern Affairs',
  SCA: 'South and Central Asian Affairs',
  WHA: 'Western Hemisphere Affairs',
  IO: 'International Organization Affairs',
};

/** Collective addressees and which posts each holds; only OPEN posts are members. */
export const COLLECTIVES: readonly { code: string; name: string; description: string; where: (post: PostView) => boolean }[] = [
  { code: 'ALDAC', name: 'All diplomatic and consular posts', description: 'Every open post', where: () => true },
  {
    code: 'ALLDP',
    name: 'All diplomatic posts',
    description: 'Every open embassy and mission',
    where: (post) => post.kind === 'EMBASSY' || post.kind === 'MISSION',
  },
  ...BUREAUS.map((bureau) => ({
    code: `${bureau}_POSTS`,
    name: `All ${BUREAU_NAMES[bureau]} posts`,
    description: `Every open post of the Bureau of ${BUREAU_NAMES[bureau]}`,
    where: (post: PostView) => post.bureau === bureau,
  })),
];

@Injectable()
export class PostsQuery extends PostDirectory {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async list(filter: PostFilter, limit: number, offset: number, db: Db = this.dataSource): Promise<{ items: PostView[]; total: number }> {
    const where = `($1::text IS NULL OR bureau = $1) AND ($2::text IS NULL OR kind = $2)
      AND ($3::text IS NULL OR country = $3) AND ($4::text IS NULL OR status = $4)`;
    const params = [filter.bureau ?? null, filter.kind ?? null, filter.country ?? null, filter.status ?? null];
    // The page and its total from one snapshot (pageAndCount).
    const { rows, counts } = await pageAndCount<PostRow>(db, { columns: 'posts.*', from: `posts WHERE ${where}`, order: [['code']], params, limit, offset });
    return { items: rows.map(toView), total: counts.total };
  }

  async get(code: string, db: Db = this.dataSource): Promise<PostView | undefined> {
    const [row] = await sql<PostRow>(db, 'SELECT * FROM posts WHERE code = $1', [code]);
    return row && toView(row);
  }

  /**
   * The post not closed, other than `code`, that a telegram addresses as `designator`, if any. In a
   * command's transaction `tx`, it first takes the designator's lock until that transaction ends, so
   * that two posts established under one designator at once are held apart: the second looks once
   * the first has committed, and finds it.
   */
  async namesake(tx: Db, designator: string, code: string): Promise<string | undefined> {
    await sql(tx, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [DESIGNATOR_LOCK_NAMESPACE, designator]);
    const rows = await sql<Pick<PostRow, 'code' | 'kind' | 'city'>>(tx, "SELECT code, kind, city FROM posts WHERE status <> 'CLOSED' AND code <> $1", [code]);
    return rows.find((row) => addressDesignator(row) === designator)?.code;
  }

  async isOpen(code: string): Promise<boolean> {
    return (await this.get(code))?.status === 'OPEN';
  }

  async existing(codes: readonly string[]): Promise<string[]> {
    return (await sql<{ code: string }>(this.dataSource, 'SELECT code FROM posts WHERE code = ANY($1::text[]) ORDER BY code', [codes])).map((row) => row.code);
  }

  async codes(): Promise<Set<string>> {
    const rows = await sql<{ code: string }>(this.dataSource, 'SELECT code FROM posts');
    return new Set(rows.map((row) => row.code));
  }

  /** The collectives with the posts they hold now. */
  async collectives(db: Db = this.dataSource): Promise<CollectiveView[]> {
    return (await this.network(db)).collectives;
  }

  /** Every post, the open ones, and the collectives as they hold them now, from one read. */
  async network(db: Db = this.dataSource): Promise<PostNetwork> {
    const all = (await sql<PostRow>(db, 'SELECT * FROM posts ORDER BY code')).map(toView);
    const open = all.filter((post) => post.status === 'OPEN');
    return { all, open, collectives: COLLECTIVES.map(({ where, ...collective }) => ({ ...collective, members: open.filter(where).map((post) => post.code) })) };
  }

  async collective(code: string): Promise<CollectiveView | undefined> {
    return (await this.collectives()).find((collective) => collective.code === code);
  }
}
