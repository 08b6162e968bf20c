import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { type Db, pageAndCount, prepared, type SortKey, sql } from '@chancery/database';
import { type AuditEntry, entryLeafHash } from './audit-entry.js';
import { type HeadsSource, type SignedTreeHead, verifyHeadSignature } from './audit-signer.js';
import { type Checkpoint, OutsideHeads, StoredHeads } from './head-cursors.js';
import { consistencyProof, fromHex, inclusionProof, rootHash, SubtreeMap, subtreesNeeded, toHex, TreeFrontier, verifyConsistency } from './merkle.js';

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
  /** Entries by any of these actor ids. */
  actorIds?: string[];
  streamId?: string;
  from?: Date;
  to?: Date;
  /** `asc` (default): oldest first; `desc`: newest first. Entries not sealed yet come last (first in `desc`). */
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

/** An entry as listed: `seq` and `leafHash` are null until the sealer has put it into the tree. */
export type AuditListItem = Omit<AuditEntry, 'seq'> & { seq: number | null; leafHash: string | null };

/** The records whose events hold nothing classified: who people are (their roles, clearance, office), the posts, the offices. */
export const DIRECTORY_STREAM_TYPES = ['user', 'post', 'offices'] as const;
/** One event of a directory record an entry names, as recorded. */
export interface DirectoryChange {
  type: string;
  version: number;
  data: Record<string, unknown>;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
}

export interface ConsistencyProof {
  from: number;
  to: number;
  proof: string[];
}

export interface AuditBreak {
  seq: number;
  reason: string;
}

export interface VerifyResult {
  valid: boolean;
  /**
   * Entries that verified, from the first, before any break: recomputed to their stored leaf hashes
   * and tree nodes, and, where a head was found rewritten, only those its last agreeing head covers.
   */
  entries: number;
  /** Entries 1 to `agreed` give the root of a signed head (the largest such head before any break). */
  agreed: number;
  /** The root hash the entries give (of the `entries` that verified). */
  head: string;
  treeSize: number;
  /** Entries committed but not sealed yet. */
  pending: number;
  firstBroken?: AuditBreak;
  /**
   * Why the log, its entries sound, is still not verified: a head from outside the database that
   * does not carry the log's signature (an altered heads file, another log's head), a heads file
   * that could not be read to its end (rewritten while it was read), or (said by the callers) a heads
   * file that cannot be read or holds none of the log's heads. `valid` is then false.
   */
  headsProblem?: string;
}

interface AuditRow {
  position: string;
  seq: string | null;
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
  leaf_hash: string | null;
}

interface HeadRow {
  tree_size: string;
  root_hash: string;
  timestamp: string;
  signature: string;
  public_key: string;
}

/** The first `entries` of the log and the root they give. */
interface Span {
  entries: number;
  root: string;
}

interface NodeRow {
  level: number;
  index: string;
  hash: Buffer;
}

const APPEND_SQL = `INSERT INTO audit_log (entry_id, recorded_at, actor_id, actor_role, action, stream_id, stream_type,
                                           from_version, to_version, request_id, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`;

const PAGE = 2000;
/** Entries a verification hashes between two turns of the event loop (~50 ms of CPU on a slow machine). */
const HASHED_BETWEEN_TURNS = 100;

/**
 * The audit log: entries appended by commands with no lock beyond their own row, sealed after
 * commit by the AuditSealer into an RFC 9162 Merkle tree whose heads it signs. Reads answer
 * entries, signed heads, and inclusion and consistency proofs from the stored tree nodes.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends an entry inside `db`'s transaction, or on its own: one INSERT, no global lock. */
  async append(input: AuditInput, db: Db = this.dataSource): Promise<string> {
    const id = randomUUID();
    await prepared(db, 'chancery_audit_append', APPEND_SQL, [
      id, new Date().toISOString(), input.actorId, input.actorRole, input.action, input.streamId ?? null, input.streamType ?? null,
      input.fromVersion ?? null, input.toVersion ?? null, input.requestId ?? null, JSON.stringify(input.details ?? {}),
    ]);
    return id;
  }

  async list(query: AuditQuery = {}, db: Db = this.dataSource): Promise<{ items: AuditListItem[]; total: number }> {
    const where = `($1::text[] IS NULL OR actor_id = ANY($1::text[])) AND ($2::text IS NULL OR stream_id = $2)
       AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at <= $4)`;
    const filters = [query.actorIds ?? null, query.streamId ?? null, query.from ?? null, query.to ?? null];
    const order: SortKey[] = query.order === 'desc' ? [['seq', 'DESC NULLS FIRST'], ['position', 'DESC']] : [['seq', 'ASC NULLS LAST'], ['position', 'ASC']];
    // The page and its total from one snapshot (pageAndCount).
    const { rows, counts } = await pageAndCount<AuditRow>(db, {
      columns: 'audit_log.*', from: `audit_log WHERE ${where}`, order, params: filters, limit: query.limit ?? 50, offset: query.offset ?? 0,
    });
    const { total } = counts;
    return { items: rows.map((row) => ({ ...toFields(row), seq: row.seq === null ? null : Number(row.seq), leafHash: row.leaf_hash })), total };
  }

  /**
   * What each entry on a directory record changed (a user, a post, the offices: their events hold
   * nothing classified), by entry id: its events' types, versions and data, read from the store, so
   * that an auditor sees which roles or clearance an admin gave, and why a user was disabled, where
   * the entry itself names only the events and the hashes of their data. Other entries are absent.
   */
  async directoryChanges(items: readonly Pick<AuditListItem, 'id' | 'streamId' | 'streamType' | 'fromVersion' | 'toVersion'>[], db: Db = this.dataSource): Promise<Map<string, DirectoryChange[]>> {
    const asked = items.filter((item) => item.streamId !== null && (DIRECTORY_STREAM_TYPES as readonly (string | null)[]).includes(item.streamType) && item.fromVersion !== null && item.toVersion !== null);
    if (asked.length === 0) return new Map();
    const rows = await sql<{ entry_id: string; type: string; stream_version: number; data: Record<string, unknown> }>(
      db,
      `SELECT w.entry_id, e.type, e.stream_version, e.data
         FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS w(entry_id, stream_id, from_version, to_version)
         JOIN events e ON e.stream_id = w.stream_id AND e.stream_version > w.from_version AND e.stream_version <= w.to_version
        ORDER BY w.entry_id, e.stream_version`,
      [asked.map((i) => i.id), asked.map((i) => i.streamId), asked.map((i) => i.fromVersion), asked.map((i) => i.toVersion)],
    );
    const changes = new Map<string, DirectoryChange[]>();
    for (const row of rows) changes.set(row.entry_id, [...(changes.get(row.entry_id) ?? []), { type: row.type, version: row.stream_version, data: row.data }]);
    return changes;
  }

  /** A sealed entry, exactly as hashed into its leaf. */
  async entry(seq: number, db: Db = this.dataSource): Promise<{ entry: AuditEntry; leafHash: string }> {
    const [row] = Number.isSafeInteger(seq) ? await sql<AuditRow>(db, 'SELECT * FROM audit_log WHERE seq = $1', [seq]) : [];
    if (!row?.leaf_hash) throw new ChanceryError(ErrorCode.NotFound, `No sealed audit entry ${seq}`);
    return { entry: toEntry(row), leafHash: row.leaf_hash };
  }

  /** The newest signed tree head; undefined before anything was sealed. */
  async treeHead(db: Db = this.dataSource): Promise<SignedTreeHead | undefined> {
    const [row] = await sql<HeadRow>(db, 'SELECT * FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1');
    return row && toHead(row);
  }

  /** Every signed head at once, oldest first (for tests and tools: `verify` reads them a page at a time). */
  async heads(db: Db = this.dataSource): Promise<SignedTreeHead[]> {
    return (await sql<HeadRow>(db, 'SELECT * FROM audit_tree_heads ORDER BY tree_size')).map(toHead);
  }

  /** Inclusion proof of entry `seq` in the tree of `treeSize` (default: the newest signed head). */
  async inclusionProof(seq: number, treeSize?: number, db: Db = this.dataSource): Promise<InclusionProof> {
    const size = treeSize ?? (await this.treeHead(db))?.treeSize ?? 0;
    await this.assertSealed(size, db);
    if (!(Number.isInteger(seq) && seq >= 1 && seq <= size)) {
      throw new ChanceryError(ErrorCode.NotFound, `Entry ${seq} is not in the tree of ${size} entries`);
    }
    const index = seq - 1;
    const nodes = await this.subtrees(db, [{ level: 0, index }, ...subtreesNeeded((s) => inclusionProof(index, size, s))]);
    return { leafIndex: index, treeSize: size, leafHash: toHex(nodes.subtree(0, index)), auditPath: inclusionProof(index, size, nodes).map(toHex) };
  }

  /**
   * Consistency proof between the trees of `from` and `to` entries (RFC 9162 §2.1.4), for
   * 1 ≤ from ≤ to ≤ the sealed tree's size: the RFC defines it for a tree of m > 0 entries (no signed
   * head is of the empty tree), and a tree not sealed yet has no head to be consistent with. Sizes
   * outside that range are a 400 that names the parameter and the range it may take.
   */
  async consistencyProof(from: number, to: number, db: Db = this.dataSource): Promise<ConsistencyProof> {
    const sealed = (await this.treeHead(db))?.treeSize ?? 0;
    const outOfRange = (field: 'from' | 'to', low: number) => {
      const range = sealed === 0 ? 'no tree size yet: no entry is sealed' : `a tree size from ${low} to ${sealed}`;
      throw new ChanceryError(ErrorCode.ValidationFailed, `${field} must be ${range} (a consistency proof is from a signed head's tree to a later one, RFC 9162 §2.1.4)`, {
        errors: [{ field, message: `must be a tree size from ${low} to ${sealed}` }],
      });
    };
    if (!(Number.isSafeInteger(from) && from >= 1 && from <= sealed)) outOfRange('from', 1);
    if (!(Number.isSafeInteger(to) && to >= from && to <= sealed)) outOfRange('to', from);
    const nodes = await this.subtrees(db, subtreesNeeded((s) => consistencyProof(from, to, s)));
    return { from, to, proof: consistencyProof(from, to, nodes).map(toHex) };
  }

  /** The root of the tree of `size` entries, from O(log n) stored nodes. */
  async rootHash(size: number, db: Db = this.dataSource): Promise<string> {
    return toHex(rootHash(size, await this.subtrees(db, subtreesNeeded((s) => rootHash(size, s)))));
  }

  /**
   * Re-computes every leaf from its entry and the tree from the leaves, in pages, and checks them
   * against the stored leaf hashes and tree nodes, every signed head in the database, and the
   * `expected` heads kept outside it (a saved head, the heads file). The first discrepancy is named.
   * Its memory does not grow with the log: the entries, the stored heads and the heads from outside
   * are each read a page (or a window) at a time, in tree_size order, as the recomputation passes
   * their sizes.
   */
  async verify(options: { expected?: HeadsSource; onProgress?: (checked: number, total: number) => void } = {}, db: Db = this.dataSource): Promise<VerifyResult> {
    // What is checked is fixed first, in one snapshot (the sealer commits new heads and entries while
    // this reads): the signed heads up to the newest, the entries not yet sealed, the last sealed
    // entry. The pages of entries and of heads are then read one statement each, up to those: sealed
    // entries never change and heads are only added, each above the last (the log is append-only),
    // and between two pages other requests get the connection (embedded mode has only one), so a
    // long verification holds up nobody.
    const start = async (tx: Db) => ({
      latest: await this.treeHead(tx),
      pending: (await sql<{ pending: number }>(tx, 'SELECT count(*)::int AS pending FROM audit_log WHERE seq IS NULL'))[0].pending,
      last: Number((await sql<{ last: string | null }>(tx, 'SELECT max(seq) AS last FROM audit_log'))[0].last ?? 0),
    });
    const { latest, pending, last } = db instanceof DataSource ? await db.transaction('REPEATABLE READ', start) : await start(db);
    const signedSize = latest?.treeSize ?? 0;
    // A head from outside the database without the log's signature is no evidence either way (an
    // altered line, another log's head): left out, and said, while the entries are checked against the rest.
    const key = latest?.publicKey;
    const frontier = new TreeFrontier();
    const initial: Span = { entries: 0, root: toHex(frontier.root()) };
    let verified = initial;
    // The largest size at which a signed head agreed with the recomputed root, and that root.
    let agreed = initial;
    // A head from outside read after the recomputation passed its size (lines moved further than
    // OutsideHeads' window) is checked against the stored tree, whose nodes up to there were found
    // equal to the recomputed ones: the smallest that disagrees is the break.
    let lateBreak: { head: Checkpoint; root: string } | undefined;
    const stored = new StoredHeads(db, key, signedSize);
    const outside = new OutsideHeads(options.expected ?? [], key, async (head) => {
      if (lateBreak && lateBreak.head.treeSize <= head.treeSize) return;
      const root = head.treeSize === 0 ? initial.root : await this.rootHash(head.treeSize, db);
      if (root !== head.rootHash) lateBreak = { head, root };
      else if (head.treeSize > agreed.entries) agreed = { entries: head.treeSize, root };
    });
    try {
      // The walk's break, said once the walk is over (a root's break names the last head that agreed, which a late head can raise).
      let broken: (() => { at: AuditBreak; upTo: Span }) | undefined;
      const fixed = (at: AuditBreak, upTo: Span) => () => ({ at, upTo });

      // The heads of `size` (the database's, then those from outside in their order) against the root
      // the entries give; false when the walk stops: a break, or a head found unsigned or late meanwhile.
      const checkHeadsAt = async (size: number, root: string): Promise<boolean> => {
        let any = false;
        for (const [heads, source] of [[stored, 'the signed head'], [outside, 'the saved head']] as const) {
          for (let head = await heads.peek(); head && head.treeSize <= size; head = await heads.peek()) {
            heads.take();
            any = true;
            if (head.rootHash === root) continue;
            // A root says that some entry it covers differs, not which: the break lies after the last head that agreed.
            const claimed = head.rootHash;
            broken = size === 0 ? fixed({ seq: 0, reason: `${source} of an empty tree has another root` }, initial) : () => ({ at: rewrittenBreak(source, size, claimed, root, agreed), upTo: agreed });
            return false;
          }
          if (stored.unsigned || lateBreak) return false;
        }
        if (any && size > 0) agreed = { entries: size, root };
        outside.passed = size;
        return true;
      };

      // Heads of the empty tree first (the sealer signs none), then every size the entries reach.
      const empty = await checkHeadsAt(0, initial.root);
      walk: for (let after = 0; empty; ) {
        const rows = await sql<AuditRow>(db, 'SELECT * FROM audit_log WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2', [after, PAGE, last]);
        if (rows.length === 0) break;
        // First the entries against their leaf hashes, then, in the same order, the stored nodes and heads.
        const page: Array<{ seq: number; made: Array<{ level: number; index: number; hash: Buffer }>; root: string }> = [];
        let leafBreak: { at: AuditBreak; before: Span } | undefined;
        for (const row of rows) {
          const seq = Number(row.seq);
          // The entries before a break recompute to their stored leaf hashes (their nodes are checked below, up to it).
          const before = () => ({ entries: frontier.size, root: toHex(frontier.root()) });
          if (seq !== frontier.size + 1) {
            leafBreak = { at: { seq: frontier.size + 1, reason: `expected entry ${frontier.size + 1}, found ${seq}: entries are missing` }, before: before() };
            break;
          }
          const leaf = entryLeafHash(toEntry(row));
          if (toHex(leaf) !== row.leaf_hash) {
            leafBreak = { at: { seq, reason: 'content does not match its leaf hash: the entry was altered' }, before: before() };
            break;
          }
          const made = frontier.append(leaf);
          page.push({ seq, made, root: toHex(frontier.root()) });
          // Hashing is CPU on the event loop: waiting requests get in every HASHED_BETWEEN_TURNS entries, not once a page.
          if (page.length % HASHED_BETWEEN_TURNS === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        const nodes = await this.subtrees(db, page.flatMap((p) => p.made), false);
        for (const { seq, made, root } of page) {
          const node = made.find(({ level, index, hash }) => !nodes.nodes.get(`${level}:${index}`)?.equals(hash));
          if (node) {
            broken = fixed({ seq, reason: `stored tree node ${node.level}:${node.index} does not match the entries` }, verified);
            break walk;
          }
          if (!(await checkHeadsAt(seq, root))) break walk;
          verified = { entries: seq, root };
        }
        if (leafBreak) {
          broken = fixed(leafBreak.at, leafBreak.before);
          break;
        }
        after = Number(rows[rows.length - 1].seq);
        options.onProgress?.(frontier.size, Math.max(signedSize, outside.largest));
        // Hashing a page is CPU on the event loop: let waiting requests in before the next.
        await new Promise((resolve) => setImmediate(resolve));
      }

      // What the walk did not reach: every stored head's signature, and every head from outside (its
      // signature, its size, and a late one against the tree verified).
      const unsignedStored = await stored.firstUnsigned();
      await outside.drain();
      const result = (firstBroken?: AuditBreak, upTo: Span = verified, agreedUpTo = agreed.entries): VerifyResult => {
        const headsProblem = outside.problem();
        return {
          valid: !firstBroken && !headsProblem,
          entries: upTo.entries,
          agreed: agreedUpTo,
          head: upTo.root,
          treeSize: signedSize,
          pending,
          ...(firstBroken ? { firstBroken } : {}),
          ...(headsProblem ? { headsProblem } : {}),
        };
      };
      // A head in the database without the log's signature is the log's own record broken, whatever else is.
      if (unsignedStored) {
        const { treeSize } = unsignedStored;
        return result({ seq: treeSize, reason: `the signed head of ${treeSize} entries does not carry a valid signature by the log's key` }, initial, 0);
      }
      if (lateBreak) {
        const { head, root } = lateBreak;
        if (head.treeSize === 0) return result({ seq: 0, reason: 'the saved head of an empty tree has another root' }, initial, 0);
        // Every head below it agreed (those in the walk, and the late ones): the break lies after the
        // largest, found by reading the heads from outside again (only when a line that far out of place disagrees).
        const [{ largest }] = await sql<{ largest: string | null }>(db, 'SELECT max(tree_size) AS largest FROM audit_tree_heads WHERE tree_size < $1 AND tree_size <= $2', [head.treeSize, signedSize]);
        const entries = Math.max(Number(largest ?? 0), await outside.largestSignedBelow(head.treeSize));
        const below = { entries, root: entries === 0 ? initial.root : await this.rootHash(entries, db) };
        return result(rewrittenBreak('the saved head', head.treeSize, head.rootHash, root, below), below, entries);
      }
      if (broken) {
        const { at, upTo } = broken();
        return result(at, upTo);
      }
      const total = Math.max(signedSize, outside.largest);
      if (frontier.size < total) {
        return result({ seq: frontier.size + 1, reason: `a signed head covers ${total} entries, the log has ${frontier.size}: entries were removed` });
      }
      if (frontier.size > signedSize) {
        return result({ seq: signedSize + 1, reason: `entries ${signedSize + 1} to ${frontier.size} were sealed after the newest signed head (${signedSize}) without a head of their own` }, agreed);
      }
      return result();
    } finally {
      await outside.close();
    }
  }

  /**
   * What an outsider checks against a head they saved earlier: its signature, that today's head is
   * signed by the same key and extends it (consistency proof), and that the entries, recomputed,
   * give both roots. Answers the first discrepancy, or undefined.
   */
  async checkAgainst(saved: SignedTreeHead, onProgress?: (checked: number, total: number) => void, db: Db = this.dataSource): Promise<string | undefined> {
    if (!verifyHeadSignature(saved)) return 'the saved head does not carry a valid signature';
    const current = await this.treeHead(db);
    if (!current) return `the log has no signed head; the saved head covers ${saved.treeSize} entries`;
    if (!verifyHeadSignature(current, saved.publicKey)) return 'today\'s head is not signed by the key that signed the saved head';
    // First every entry, recomputed against the saved head as well as the stored ones: this names
    // the first discrepancy (removed entries, or the range a rewritten entry lies in).
    const result = await this.verify({ expected: [saved], onProgress }, db);
    if (!result.valid) return `entry ${result.firstBroken!.seq}: ${result.firstBroken!.reason}`;
    if (current.treeSize < saved.treeSize) return `the entries agree with the saved head, but today's newest signed head covers ${current.treeSize}, fewer than its ${saved.treeSize}: signed heads were removed`;
    const { proof } = await this.consistencyProof(saved.treeSize, current.treeSize, db).catch((error: Error) => ({ proof: undefined, error }));
    if (!proof) return `no consistency proof from ${saved.treeSize} to ${current.treeSize}: tree nodes are missing`;
    if (!verifyConsistency(saved.treeSize, current.treeSize, proof.map(fromHex), fromHex(saved.rootHash), fromHex(current.rootHash))) {
      return `today's log (${current.treeSize} entries) is not a consistent extension of the saved head (${saved.treeSize} entries)`;
    }
    return undefined;
  }

  private async assertSealed(size: number, db: Db): Promise<void> {
    const sealed = (await this.treeHead(db))?.treeSize ?? 0;
    if (!(Number.isInteger(size) && size >= 0 && size <= sealed)) {
      throw new ChanceryError(ErrorCode.NotFound, `The tree has ${sealed} sealed entries; no tree of ${size}`);
    }
  }

  /** Reads stored tree nodes by key, in one statement. */
  private async subtrees(db: Db, keys: Array<{ level: number; index: number }>, strict = true): Promise<SubtreeMap> {
    const rows = await sql<NodeRow>(
      db,
      `SELECT n.level, n.index, n.hash FROM unnest($1::smallint[], $2::bigint[]) AS k(level, index)
       JOIN audit_tree_nodes n ON n.level = k.level AND n.index = k.index`,
      [keys.map((k) => k.level), keys.map((k) => k.index)],
    );
    const map = new SubtreeMap();
    for (const row of rows) map.set(row.level, Number(row.index), row.hash);
    if (strict && map.nodes.size < new Set(keys.map((k) => `${k.level}:${k.index}`)).size) {
      throw new ChanceryError(ErrorCode.NotFound, 'Tree nodes are missing from the store');
    }
    return map;
  }
}

/** A head of `size` entries whose root the entries do not give: rewritten after `below`, the last size a head agreed at. */
function rewrittenBreak(source: string, size: number, claimed: string, root: string, below: Span): AuditBreak {
  const range = below.entries + 1 === size ? `entry ${size}` : `an entry from ${below.entries + 1} to ${size}`;
  return { seq: below.entries + 1, reason: `${source} of ${size} entries has root ${claimed}, entries 1–${size} give ${root}: ${range} was rewritten` };
}

function toFields(row: AuditRow): Omit<AuditEntry, 'seq'> {
  return {
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
  };
}

/** The entry as sealed (its fields in the leaf's order do not matter: RFC 8785 sorts them). */
export function toEntry(row: AuditRow, seq = Number(row.seq)): AuditEntry {
  return { seq, ...toFields(row) };
}

function toHead(row: HeadRow): SignedTreeHead {
  return { treeSize: Number(row.tree_size), rootHash: row.root_hash, timestamp: row.timestamp, signature: row.signature, publicKey: row.public_key };
}

export type { AuditRow };
