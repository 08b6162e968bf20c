import { type Db, sql } from '@chancery/database';
import { type CheckedHead, checkedHeads, type HeadsSource, type SignedTreeHead, unsignedHeads } from './audit-signer.js';

/** What a verification keeps of a head whose signatures it has checked: what the recomputed root is compared with. */
export interface Checkpoint {
  treeSize: number;
  rootHash: string;
}

/** Signed heads read from the database in one statement. */
const STORED_PAGE = 2000;
/** Heads from outside the database kept read ahead, in tree_size order. */
const OUTSIDE_WINDOW = 2000;
/** Heads from outside without the log's signature named one by one in `headsProblem` (the others counted). */
const UNSIGNED_NAMED = 20;

interface StoredHeadRow {
  tree_size: string;
  root_hash: string;
  timestamp: string;
  signature: string;
  /** Null where it is the log's key, which every head of the log carries: its text is not sent a row at a time. */
  other_key: string | null;
}

/**
 * The signed heads in the database up to `through` (the newest when the verification began: heads
 * are append-only and signed in tree_size order, so none is added below it), in tree_size order, a
 * page at a time (keyset paging), each page's signatures checked as it is read (`unsignedHeads`,
 * by its key and by the log's). The first head without them ends the reading: `unsigned`.
 */
export class StoredHeads {
  /** The first head, in tree_size order, without the log's signature. */
  unsigned?: SignedTreeHead;
  private page: Checkpoint[] = [];
  private next = 0;
  private after = -1;
  private done: boolean;

  constructor(
    private readonly db: Db,
    private readonly key: string | undefined,
    private readonly through: number,
  ) {
    this.done = key === undefined;
  }

  /** The next head, not taken yet; undefined after the last (or the first unsigned one). */
  async peek(): Promise<Checkpoint | undefined> {
    if (this.next === this.page.length && !this.done) await this.read();
    return this.page[this.next];
  }

  take(): void {
    this.next++;
  }

  /** Reads the rest, checking signatures only: the first head without the log's, if any. */
  async firstUnsigned(): Promise<SignedTreeHead | undefined> {
    while (!this.done) await this.read();
    return this.unsigned;
  }

  private async read(): Promise<void> {
    const rows = await sql<StoredHeadRow>(
      this.db,
      `SELECT tree_size, root_hash, timestamp, signature, CASE WHEN public_key = $1 THEN NULL ELSE public_key END AS other_key
       FROM audit_tree_heads WHERE tree_size > $2 AND tree_size <= $3 ORDER BY tree_size LIMIT $4`,
      [this.key, this.after, this.through, STORED_PAGE],
    );
    const heads = rows.map((row) => ({
      treeSize: Number(row.tree_size), rootHash: row.root_hash, timestamp: row.timestamp, signature: row.signature, publicKey: row.other_key ?? this.key!,
    }));
    this.done = rows.length < STORED_PAGE;
    if (heads.length > 0) this.after = heads[heads.length - 1].treeSize;
    const [bad] = await unsignedHeads(heads, this.key, { firstOnly: true });
    if (bad !== undefined) {
      this.unsigned = heads[bad];
      this.done = true;
    }
    this.page = heads.slice(0, bad).map(({ treeSize, rootHash }) => ({ treeSize, rootHash }));
    this.next = 0;
  }
}

/**
 * Heads from outside the database (the heads file, a saved head), read in their order as the
 * recomputation needs them, a hundred at a time with their signatures checked (`checkedHeads`), and
 * handed out in tree_size order (then their order): a window of `OUTSIDE_WINDOW` heads read ahead
 * sorts the few lines that two sealers' appends to one file can swap. A head read once the
 * recomputation has passed its size (`passed`: moved further than the window) goes to `late`, which
 * checks it against the tree already verified. Heads without the log's signature are left out, and
 * counted for `problem()`.
 */
export class OutsideHeads {
  /** The size up to which the recomputation has checked the heads (-1 before it begins). */
  passed = -1;
  /** Heads read so far. */
  count = 0;
  /** The largest size of a head read so far with the log's signature. */
  largest = 0;
  private readonly reading: AsyncIterator<CheckedHead>;
  private readonly window: Checkpoint[] = [];
  private first = 0;
  private done = false;
  private readonly unsigned: Array<{ index: number; treeSize: number }> = [];
  private unsignedCount = 0;
  /** Why the source could not be read to its end (a heads file rewritten meanwhile, a read that failed). */
  private unreadable?: string;

  constructor(
    private readonly source: HeadsSource,
    private readonly key: string | undefined,
    private readonly late: (head: Checkpoint) => Promise<void>,
  ) {
    this.reading = checkedHeads(source, key);
  }

  /** The next head in tree_size order, not taken yet, once the window is full; undefined after the last. */
  async peek(): Promise<Checkpoint | undefined> {
    while (!this.done && this.window.length - this.first < OUTSIDE_WINDOW) await this.readOne(true);
    return this.window[this.first];
  }

  take(): void {
    this.first++;
    if (this.first < OUTSIDE_WINDOW) return;
    this.window.splice(0, this.first);
    this.first = 0;
  }

  /** Reads the rest (signatures, count, late heads), keeping none. */
  async drain(): Promise<void> {
    this.window.length = 0;
    this.first = 0;
    while (!this.done) await this.readOne(false);
  }

  /** Stops reading (a verification that failed midway): the heads file is closed. */
  async close(): Promise<void> {
    await this.reading.return?.(undefined);
  }

  /** The largest size below `size` of a head with the log's signature: a pass over the source again. */
  async largestSignedBelow(size: number): Promise<number> {
    let largest = 0;
    try {
      for await (const { head, signed } of checkedHeads(this.source, this.key)) if (signed && head.treeSize < size) largest = Math.max(largest, head.treeSize);
    } catch (error) {
      this.unreadable ??= (error as Error).message;
    }
    return largest;
  }

  /**
   * Why the heads from outside do not vouch for the log: a source that could not be read to its end,
   * and the heads without the log's signature, by their number (the first twenty; the others counted).
   */
  problem(): string | undefined {
    const count = this.unsignedCount;
    if (count === 0) return this.unreadable;
    const named = this.unsigned.map(({ index, treeSize }) => `no. ${index + 1} of ${this.count} (of ${treeSize} entries)`).join(', ');
    const more = count > this.unsigned.length ? ` and ${count - this.unsigned.length} more` : '';
    const which = `${count === 1 ? 'a head' : `${count} heads`} from outside the database (the heads file's ${named}${more})`;
    const unsigned = `${which} ${count === 1 ? 'does' : 'do'} not carry a valid signature by the log's key: altered, or another log's`;
    return this.unreadable ? `${this.unreadable}; and ${unsigned}` : unsigned;
  }

  private async readOne(keep: boolean): Promise<void> {
    let next: IteratorResult<CheckedHead>;
    try {
      next = await this.reading.next();
    } catch (error) {
      // Said in `problem()`, so the log is not called verified; the heads read so far were checked.
      this.unreadable = (error as Error).message;
      this.done = true;
      return;
    }
    if (next.done) {
      this.done = true;
      return;
    }
    const { head, index, signed } = next.value;
    this.count++;
    if (!signed) {
      this.unsignedCount++;
      if (this.unsigned.length < UNSIGNED_NAMED) this.unsigned.push({ index, treeSize: head.treeSize });
      return;
    }
    this.largest = Math.max(this.largest, head.treeSize);
    const checkpoint = { treeSize: head.treeSize, rootHash: head.rootHash };
    if (head.treeSize <= this.passed) return this.late(checkpoint);
    if (!keep) return;
    // After those of its size or less (in order, as the sealer appends them, that is at the end).
    let at = this.window.length;
    while (at > this.first && this.window[at - 1].treeSize > head.treeSize) at--;
    this.window.splice(at, 0, checkpoint);
  }
}
