import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { Alarm, backoff, RequestsInFlight } from '@chancery/common';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { DatabaseRuntime, isContentionError } from '@chancery/database';
import { RUN_PROJECTIONS } from '@chancery/event-store';
import { entryLeafHash } from './audit-entry.js';
import { AuditLog, type AuditRow, toEntry } from './audit-log.js';
import { type AuditSigner, loadAuditSigner, type SignedTreeHead } from './audit-signer.js';
import { type Hash, toHex, TreeFrontier } from './merkle.js';

const LOCK_NAMESPACE = 0x53454c; // "SEL": one sealer at a time across processes
/** Entries sealed per transaction; a head is signed for each. */
const BATCH = 5000;
const BUSY = -1;

export interface AuditSealerStatus {
  running: boolean;
  sealed: number;
  lastSealedAt: string | null;
  /** Commit-to-seal delay of the oldest entry of the last batch, ms. */
  lastLagMs: number | null;
  lastError: string | null;
}

interface NodeRow {
  level: number;
  index: string;
  hash: Buffer;
}

/**
 * Seals committed audit entries into the Merkle tree, in commit order: it reads, as the projection
 * feed does, only entries of transactions older than every one still running (below the snapshot's
 * xmin), so an entry that commits late is never passed over, and orders them by (transaction id,
 * position). Each batch is one transaction on one connection (the embedded pool has one) under a
 * transaction-level advisory lock, so two processes never seal at once: it numbers the entries,
 * stores every tree node they complete and a head it signs, then appends that head to the heads
 * file outside the database. It runs where the projections run, every AUDIT_SEAL_INTERVAL_MS.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditSealer.name);
  private signer?: Promise<AuditSigner>;
  private running = false;
  private loop?: Promise<void>;
  private readonly alarm = new Alarm();
  private sealed = 0;
  private lastSealedAt: string | null = null;
  private lastLagMs: number | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runtime: DatabaseRuntime,
    @Inject(RUN_PROJECTIONS) private readonly runsProjections: boolean,
    private readonly audit: AuditLog,
    @Optional() private readonly requests?: RequestsInFlight,
  ) {}

  /** The signing key, loaded once (a missing key in server mode stops the start-up). */
  signerReady(): Promise<AuditSigner> {
    this.signer ??= loadAuditSigner(this.config, this.runtime.target.embedded);
    return this.signer;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runsProjections) return;
    await this.signerReady();
    this.running = true;
    this.loop = this.runLoop();
  }

  // First shutdown phase, before TypeORM closes its pool: the batch in progress finishes (one short
  // transaction), then the loop ends, and a last seal takes in what committed before the stop (for
  // up to two seconds of the ten a stop has), so that an answered command is under a signed head
  // now, not at the next start.
  async onModuleDestroy(): Promise<void> {
    // The last seal follows every command answered: those still being served when the stop began
    // finish first (the stop's own wait for them comes later, in beforeApplicationShutdown).
    if (this.running) await this.requests?.settled();
    const wasRunning = this.running;
    this.running = false;
    this.alarm.wake();
    await this.loop;
    if (!wasRunning) return;
    try {
      const { left } = await this.sealCommitted(2_000);
      if (left > 0) this.logger.log(`${left} entries wait on a transaction still open on the server; the next start seals them`);
    } catch (error) {
      this.logger.warn(`The last seal before stopping failed; the next start seals what is left: ${(error as Error).message}`);
    }
  }

  status(): AuditSealerStatus {
    return { running: this.running, sealed: this.sealed, lastSealedAt: this.lastSealedAt, lastLagMs: this.lastLagMs, lastError: this.lastError };
  }

  /**
   * Seals every entry committed before the call (tests, tools), waiting up to `timeoutMs` for
   * transactions still running anywhere on the server to end: they hold the watermark back, and
   * another database's count (transaction ids are the server's). Throws if the time runs out.
   * Answers how many it sealed.
   */
  async catchUp(timeoutMs = 30_000): Promise<number> {
    const { sealed, left } = await this.sealCommitted(timeoutMs);
    if (left > 0) throw new Error(`The audit sealer did not seal within ${timeoutMs} ms: ${left} entries wait on a transaction still open on the server`);
    return sealed;
  }

  /** Seals what committed before the call, for up to `timeoutMs`: how many it sealed, and how many of those entries are left. */
  private async sealCommitted(timeoutMs: number): Promise<{ sealed: number; left: number }> {
    const deadline = Date.now() + timeoutMs;
    const [{ last }] = await this.dataSource.query('SELECT max(position)::text AS last FROM audit_log WHERE seq IS NULL');
    let total = 0;
    for (;;) {
      const sealed = await this.sealBatch();
      if (sealed > 0) {
        total += sealed;
        continue;
      }
      // Nothing sealable now (or another sealer at work): done once what was there is sealed.
      if (last === null) return { sealed: total, left: 0 };
      const [{ left }] = await this.dataSource.query('SELECT count(*)::int AS left FROM audit_log WHERE seq IS NULL AND position <= $1', [last]);
      if (left === 0 || Date.now() > deadline) return { sealed: total, left };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Seals one batch: the number of entries sealed, 0 when there was nothing, -1 when another sealer is at work. */
  async sealBatch(): Promise<number> {
    const signer = await this.signerReady();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let head: SignedTreeHead | undefined;
    let sealed = 0;
    try {
      await runner.startTransaction('READ COMMITTED');
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_xact_lock($1, 0) AS locked', [LOCK_NAMESPACE]);
      if (!locked) {
        await runner.rollbackTransaction();
        return BUSY;
      }
      // Read before writing anything: this transaction's own id would hold the watermark back.
      const rows: AuditRow[] = await runner.query(
        `SELECT * FROM audit_log WHERE seq IS NULL AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY transaction_id, position LIMIT $1`,
        [BATCH],
      );
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        return 0;
      }
      const [{ size, numbered: last }] = await runner.query(
        'SELECT (SELECT coalesce(max(tree_size), 0) FROM audit_tree_heads)::bigint AS size, (SELECT coalesce(max(seq), 0) FROM audit_log)::bigint AS numbered',
      );
      const frontier = await this.frontier(runner, Number(size));
      await this.requireExtendsRecorded(runner, signer, frontier);
      // Every numbered entry is under the newest head (they are numbered and signed in one
      // transaction): entries numbered past it mean heads were deleted in the database.
      if (Number(last) > Number(size)) {
        throw new Error(
          `refusing to seal: entries ${Number(size) + 1} to ${last} are numbered but no signed head covers them: the audit log's heads were cut in the database (verify it against a saved head: npm run audit:verify -- --head <file>)`,
        );
      }
      const numbered: { positions: string[]; seqs: number[]; leaves: string[] } = { positions: [], seqs: [], leaves: [] };
      const nodes: { levels: number[]; indexes: number[]; hashes: string[] } = { levels: [], indexes: [], hashes: [] };
      for (const row of rows) {
        const seq = frontier.size + 1;
        const leaf = entryLeafHash(toEntry(row, seq));
        numbered.positions.push(row.position);
        numbered.seqs.push(seq);
        numbered.leaves.push(toHex(leaf));
        for (const node of frontier.append(leaf)) {
          nodes.levels.push(node.level);
          nodes.indexes.push(node.index);
          nodes.hashes.push(toHex(node.hash));
        }
      }
      await runner.query(
        `UPDATE audit_log a SET seq = u.seq, leaf_hash = u.leaf
         FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(position, seq, leaf) WHERE a.position = u.position`,
        [numbered.positions, numbered.seqs, numbered.leaves],
      );
      await runner.query(
        `INSERT INTO audit_tree_nodes (level, index, hash)
         SELECT level, index, decode(hash, 'hex') FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS n(level, index, hash)`,
        [nodes.levels, nodes.indexes, nodes.hashes],
      );
      head = signer.sign({ treeSize: frontier.size, rootHash: toHex(frontier.root()), timestamp: new Date().toISOString() });
      await runner.query('INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp, signature, public_key) VALUES ($1, $2, $3, $4, $5)', [
        head.treeSize, head.rootHash, head.timestamp, head.signature, head.publicKey,
      ]);
      await runner.commitTransaction();
      sealed = rows.length;
      this.sealed += sealed;
      this.lastSealedAt = head.timestamp;
      this.lastLagMs = Date.parse(head.timestamp) - Math.min(...rows.map((row) => row.recorded_at.getTime()));
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    // Outside the database, after the commit: a head in the file is one the database holds too.
    await signer.record([head!]).catch((error: Error) => this.logger.error(`Could not append the head of ${head!.treeSize} to ${signer.headsFile}: ${error.message}`));
    return sealed;
  }

  /**
   * Entries are sealed (and a head signed) only onto a tree that extends the last head written to
   * the heads file: the stored tree, cut at that head's size, must give its root. A database
   * insider who rewrote or cut the log (triggers off, tables fixed up) would otherwise get fresh
   * heads, signed with the real key, for the rewritten log. Sealing stops instead, loudly, until an
   * operator looks (a database restored from a backup older than the file stops it too; see the
   * README). Usually that head is the stored tree's newest, whose root the frontier already gives.
   */
  private async requireExtendsRecorded(runner: QueryRunner, signer: AuditSigner, frontier: TreeFrontier): Promise<void> {
    const recorded = await signer.lastRecorded();
    // One key signs a log's heads: signing on with another (a key file replaced, or regenerated in
    // embedded mode after it was deleted) would make every later verification fail. Stopped, loudly,
    // until the key that signed it is back.
    const previous = recorded ?? (await this.audit.treeHead(runner.manager));
    if (previous && previous.publicKey !== signer.publicKey) {
      throw new Error(
        `refusing to sign: the audit signing key is not the key that signed the head of ${previous.treeSize} entries` +
          `${recorded ? ` last written to ${signer.headsFile}` : ''}; a log's heads are all signed by one key: put back the key file that signed them (AUDIT_SIGNING_KEY_FILE, or audit-signing-key.pem in the data folder)`,
      );
    }
    if (!recorded) return;
    const root =
      recorded.treeSize === frontier.size
        ? toHex(frontier.root())
        : recorded.treeSize < frontier.size
          ? await this.audit.rootHash(recorded.treeSize, runner.manager).catch(() => undefined)
          : undefined;
    if (root === recorded.rootHash) return;
    throw new Error(
      `refusing to sign: the stored tree of ${frontier.size} entries does not extend the head of ${recorded.treeSize} entries (root ${recorded.rootHash}) ` +
        `last written to ${signer.headsFile}${root ? `; cut there it gives ${root}` : ''}: the audit log was rewritten or cut in the database`,
    );
  }

  /** The tree's right edge, from the stored nodes of its complete subtrees. */
  private async frontier(runner: QueryRunner, size: number): Promise<TreeFrontier> {
    const edge = TreeFrontier.edgeOf(size);
    const rows: NodeRow[] = await runner.query(
      `SELECT n.level, n.index, n.hash FROM unnest($1::smallint[], $2::bigint[]) AS k(level, index)
       JOIN audit_tree_nodes n ON n.level = k.level AND n.index = k.index`,
      [edge.map((e) => e.level), edge.map((e) => e.index)],
    );
    const byKey = new Map<string, Hash>(rows.map((row) => [`${row.level}:${row.index}`, row.hash]));
    return new TreeFrontier(size, {
      subtree(level, index) {
        const hash = byKey.get(`${level}:${index}`);
        if (!hash) throw new Error(`audit tree node ${level}:${index} is missing: the stored tree was tampered with`);
        return hash;
      },
    });
  }

  private async runLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let more = false;
      try {
        const sealed = await this.sealBatch();
        more = sealed >= BATCH;
        failures = 0;
        this.lastError = null;
      } catch (error) {
        failures++;
        this.lastError = (error as Error).message;
        const wait = backoff(failures, 100, 5_000);
        // A busy database (its connections all taken meanwhile) is no fault of the log's.
        const level = isContentionError(error) ? 'warn' : 'error';
        this.logger[level](`Sealing the audit log failed (try ${failures}), again in ${Math.round(wait)} ms: ${this.lastError}`);
        if (this.running) await this.sleep(wait);
        continue;
      }
      if (!more && this.running) await this.sleep(this.config.audit.sealIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.alarm.sleep(ms);
  }
}
