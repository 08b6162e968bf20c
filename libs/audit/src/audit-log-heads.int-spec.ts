import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '@chancery/config';
import type { DatabaseRuntime } from '@chancery/database';
import { testAuditEnv } from '../../../test/support/audit-key.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { AuditLog } from './audit-log.js';
import { AuditSealer } from './audit-sealer.js';
import { type AuditSigner, readHeadsFile, type SignedTreeHead } from './audit-signer.js';
import { fromHex, toHex, TreeFrontier } from './merkle.js';

/**
 * A long-running log: the sealer signs a head a second while it has work, so a month holds about a
 * million. Here 20,000 entries with a signed head at every size, in the database and in the heads
 * file, verified with the database's statements watched: no statement may answer more heads than a
 * page, and the heads file is read as the recomputation goes, not whole beforehand. (Each head costs
 * two Ed25519 checks, some 0.2 ms: the bounds below do not depend on the count, a larger one only takes longer.)
 */
describe('AuditLog.verify of a log with a signed head at each of 20,000 sizes', () => {
  const SIZE = 20_000;
  /** Heads one statement may answer (a page), and heads the file may be read ahead of the recomputation: neither grows with the log. */
  const PAGE = 2_000;
  const AHEAD = 5_000;
  let database: TestDatabase;
  let dataSource: DataSource;
  let audit: AuditLog;
  let config: AppConfig;
  let signer: AuditSigner;
  /** Each head the test signed, by size (index 0 unused). */
  const signed: SignedTreeHead[] = [];
  const env = testAuditEnv();

  beforeAll(async () => {
    database = await createTestDatabase(4);
    dataSource = await database.dataSource();
    audit = new AuditLog(dataSource);
    config = loadConfig({ DATABASE_URL: database.target.url, JWT_SECRET: 'x'.repeat(32), ...env });
    const sealer = new AuditSealer(dataSource, config, { target: database.target } as DatabaseRuntime, false, audit);
    signer = await sealer.signerReady();
    await dataSource.query(
      `INSERT INTO audit_log (entry_id, recorded_at, actor_id, actor_role, action, stream_id, details)
       SELECT gen_random_uuid(), now(), 'u' || (i % 7), 'drafter', 'EditCable', 'cable-' || (i % 3), jsonb_build_object('n', i) FROM generate_series(1, $1::int) AS i`,
      [SIZE],
    );
    expect(await sealer.catchUp()).toBe(SIZE);
    // A head for every size the sealer's batches left unsigned, as a sealer signing a batch of one entry a second would have.
    const frontier = new TreeFrontier();
    for (let after = 0; after < SIZE; after += 5_000) {
      const rows: Array<{ leaf_hash: string }> = await dataSource.query('SELECT leaf_hash FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq', [after, after + 5_000]);
      for (const { leaf_hash } of rows) {
        frontier.append(fromHex(leaf_hash));
        signed[frontier.size] = signer.sign({ treeSize: frontier.size, rootHash: toHex(frontier.root()), timestamp: new Date().toISOString() });
      }
    }
    for (let from = 1; from <= SIZE; from += 5_000) {
      const heads = signed.slice(from, from + 5_000);
      await dataSource.query(
        `INSERT INTO audit_tree_heads (tree_size, root_hash, timestamp, signature, public_key)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) ON CONFLICT (tree_size) DO NOTHING`,
        [heads.map((h) => h.treeSize), heads.map((h) => h.rootHash), heads.map((h) => h.timestamp), heads.map((h) => h.signature), heads.map((h) => h.publicKey)],
      );
    }
    await writeHeadsFile(signed.slice(1));
  });
  afterAll(() => database.drop());

  const writeHeadsFile = (heads: SignedTreeHead[]) => writeFile(env.AUDIT_HEADS_FILE, heads.map((head) => `${JSON.stringify(head)}\n`).join(''));

  /** The most rows of audit_tree_heads one statement answered while `work` ran (on the database's own query runner, which every read goes through). */
  async function largestHeadsAnswer<T>(work: () => Promise<T>): Promise<{ value: T; rows: number }> {
    const runner = dataSource.createQueryRunner();
    const prototype = Object.getPrototypeOf(runner) as { query: (...args: unknown[]) => Promise<unknown> };
    const query = prototype.query;
    let rows = 0;
    const watched = jest.spyOn(prototype, 'query').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const answer = await query.apply(this, args);
      const records = Array.isArray(answer) ? answer : (answer as { records?: unknown[] }).records;
      if (/\bFROM audit_tree_heads\b/.test(String(args[0])) && Array.isArray(records)) rows = Math.max(rows, records.length);
      return answer;
    });
    try {
      return { value: await work(), rows };
    } finally {
      watched.mockRestore();
      await runner.release();
    }
  }

  it('verifies them reading the stored heads a page at a time', async () => {
    const { heads } = await readHeadsFile(config);
    const { value: result, rows } = await largestHeadsAnswer(() => audit.verify({ expected: heads }));
    expect(result).toEqual({ valid: true, entries: SIZE, agreed: SIZE, head: signed[SIZE].rootHash, treeSize: SIZE, pending: 0 });
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThanOrEqual(PAGE);
  });

  it('reads the heads file as the recomputation goes, never far ahead of it', async () => {
    const { heads } = await readHeadsFile(config);
    // The heads file's heads, counted as they are read; the most read ahead of the recomputation, at each page's progress.
    let read = 0;
    let ahead = 0;
    const counted: AsyncIterable<SignedTreeHead> = {
      async *[Symbol.asyncIterator]() {
        for await (const head of heads) {
          read++;
          yield head;
        }
      },
    };
    const result = await audit.verify({ expected: counted, onProgress: (checked) => (ahead = Math.max(ahead, read - checked)) });
    expect(result).toEqual({ valid: true, entries: SIZE, agreed: SIZE, head: signed[SIZE].rootHash, treeSize: SIZE, pending: 0 });
    expect(read).toBe(SIZE);
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual(AHEAD);
  });

  it('says a heads file rewritten while the verification reads it, never "valid"', async () => {
    const { heads } = await readHeadsFile(config);
    let rewritten = false;
    const result = await audit.verify({
      expected: heads,
      onProgress: () => {
        if (!rewritten) writeFileSync(env.AUDIT_HEADS_FILE, 'not a head\n'.repeat(SIZE * 50));
        rewritten = true;
      },
    });
    expect(result).toEqual({
      valid: false, entries: SIZE, agreed: SIZE, head: signed[SIZE].rootHash, treeSize: SIZE, pending: 0,
      headsProblem: expect.stringMatching(/^the heads file .* changed while it was read: line \d+ is not a signed tree head/),
    });
    await writeHeadsFile(signed.slice(1));
  });

  it('puts right lines out of order in the heads file, and checks a line moved past the window against the tree verified', async () => {
    // Neighbours swapped (two sealers appending to one file), and the head of 100 entries moved to the end.
    const swapped = signed.slice(1).map((head, i, all) => (i % 2 === 0 ? all[i + 1] ?? head : all[i - 1]));
    const moved = [...swapped.filter((head) => head.treeSize !== 100), signed[100]];
    await writeHeadsFile(moved);
    const { heads } = await readHeadsFile(config);
    expect(await audit.verify({ expected: heads })).toEqual({ valid: true, entries: SIZE, agreed: SIZE, head: signed[SIZE].rootHash, treeSize: SIZE, pending: 0 });

    // A head signed by the log's key that the entries do not give (a fork the key's holder signed), far out of place:
    // named as in order, from the last head that agreed below it.
    const forged = signer.sign({ treeSize: 12_000, rootHash: '0'.repeat(64), timestamp: new Date().toISOString() });
    await writeHeadsFile([...moved, forged]);
    const { heads: withForged } = await readHeadsFile(config);
    expect(await audit.verify({ expected: withForged })).toEqual({
      valid: false,
      entries: 11_999,
      agreed: 11_999,
      head: signed[11_999].rootHash,
      treeSize: SIZE,
      pending: 0,
      firstBroken: { seq: 12_000, reason: `the saved head of 12000 entries has root ${'0'.repeat(64)}, entries 1–12000 give ${signed[12_000].rootHash}: entry 12000 was rewritten` },
    });
    await writeHeadsFile(signed.slice(1));
  });
});
