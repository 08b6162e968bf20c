import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '@chancery/config';
import type { DatabaseRuntime } from '@chancery/database';
import { testAuditEnv } from '../../../test/support/audit-key.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../../test/support/test-database.js';
import { entryLeafHash } from './audit-entry.js';
import { AuditLog } from './audit-log.js';
import { AuditSealer } from './audit-sealer.js';
import { parseHeadsFile, verifyHeadSignature } from './audit-signer.js';
import { EMPTY_ROOT, fromHex, toHex, verifyConsistency, verifyInclusion } from './merkle.js';

/**
 * One batch sealed, once there is one to seal: an entry just appended waits below the watermark
 * while a transaction is open anywhere on the server (another test run's too).
 */
async function sealedWhenSealable(sealer: AuditSealer): Promise<number> {
  for (const deadline = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const sealed = await sealer.sealBatch();
    if (sealed > 0 || Date.now() > deadline) return sealed;
  }
}

describe('AuditLog and its sealer', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let audit: AuditLog;
  let sealer: AuditSealer;
  const env = testAuditEnv();

  beforeAll(async () => {
    database = await createTestDatabase(20);
    dataSource = await database.dataSource();
    audit = new AuditLog(dataSource);
    const config = loadConfig({ DATABASE_URL: database.target.url, JWT_SECRET: 'x'.repeat(32), ...env });
    sealer = new AuditSealer(dataSource, config, { target: database.target } as DatabaseRuntime, false, audit);
  });
  afterAll(() => database.drop());

  const appendSome = (count: number, streams = 3) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        audit.append({ actorId: `u${i % 7}`, actorRole: 'drafter', action: 'EditCable', streamId: `cable-${i % streams}`, requestId: randomUUID(), details: { n: i } }),
      ),
    );

  it('seals concurrent appends into one tree, with a signed head whose proofs verify', async () => {
    await appendSome(100);
    expect((await audit.list({ limit: 1 })).items[0]).toMatchObject({ seq: null, leafHash: null });
    expect(await sealer.catchUp()).toBe(100);

    const head = (await audit.treeHead())!;
    expect(head).toMatchObject({ treeSize: 100, rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verifyHeadSignature(head)).toBe(true);
    expect(await audit.rootHash(100)).toBe(head.rootHash);
    expect(await audit.verify()).toMatchObject({ valid: true, entries: 100, treeSize: 100, head: head.rootHash, pending: 0 });

    for (const seq of [1, 37, 64, 100]) {
      const { entry, leafHash } = await audit.entry(seq);
      expect(entry.seq).toBe(seq);
      expect(toHex(entryLeafHash(entry))).toBe(leafHash);
      const proof = await audit.inclusionProof(seq);
      expect(proof).toMatchObject({ leafIndex: seq - 1, treeSize: 100, leafHash });
      expect(verifyInclusion(seq - 1, 100, fromHex(leafHash), proof.auditPath.map(fromHex), fromHex(head.rootHash))).toBe(true);
    }
    const { items, total } = await audit.list({ streamId: 'cable-1', limit: 5, order: 'desc' });
    expect(total).toBe(33);
    expect(items.map((item) => item.seq)).toEqual([...items.map((item) => item.seq)].sort((a, b) => b! - a!));
  });

  it('proves that each later head extends an earlier one, and keeps every head in the heads file', async () => {
    const first = (await audit.treeHead())!;
    await appendSome(13);
    await sealer.catchUp();
    const second = (await audit.treeHead())!;
    expect(second.treeSize).toBe(113);
    const { proof } = await audit.consistencyProof(first.treeSize, second.treeSize);
    expect(verifyConsistency(first.treeSize, second.treeSize, proof.map(fromHex), fromHex(first.rootHash), fromHex(second.rootHash))).toBe(true);
    await expect(audit.consistencyProof(1, 500)).rejects.toThrow(new RegExp(`to must be a tree size from 1 to ${second.treeSize}`));
    await expect(audit.consistencyProof(0, first.treeSize)).rejects.toThrow(/from must be a tree size from 1 to/);

    const inFile = parseHeadsFile(await readFile(env.AUDIT_HEADS_FILE, 'utf8'));
    expect(inFile).toEqual(await audit.heads());
    expect(inFile.at(-1)).toEqual(second);
  });

  it('seals in commit order and never passes over an entry whose transaction commits late', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await audit.append({ actorId: 'slow', actorRole: 'drafter', action: 'Slow' }, runner.manager);
    await audit.append({ actorId: 'quick', actorRole: 'drafter', action: 'Quick' });
    expect(await sealer.sealBatch()).toBe(0); // the quick one waits for the older transaction
    await runner.commitTransaction();
    await runner.release();
    expect(await sealer.catchUp()).toBe(2);
    const { items } = await audit.list({ order: 'desc', limit: 2 });
    expect(items.map((item) => [item.seq, item.action])).toEqual([[115, 'Quick'], [114, 'Slow']]);
  });

  it('catches up on every entry committed before the call, waiting out a transaction open in another database, and says when it cannot', async () => {
    const elsewhere = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()'); // an id: the watermark stops below it, in every database
      await audit.append({ actorId: 'held', actorRole: 'drafter', action: 'Held' });
      await expect(sealer.catchUp(200)).rejects.toThrow(/did not seal within 200 ms: 1 entries wait on a transaction still open/);
      setTimeout(() => void elsewhere.query('COMMIT'), 300);
      expect(await sealer.catchUp()).toBe(1);
      expect((await audit.list({ order: 'desc', limit: 1 })).items[0]).toMatchObject({ seq: 116, action: 'Held' });
    } finally {
      await elsewhere.end();
    }
  });

  it('says a head from outside the database without the log’s signature is no evidence, not that an entry broke', async () => {
    const heads = parseHeadsFile(await readFile(env.AUDIT_HEADS_FILE, 'utf8'));
    const altered = heads.map((head, i) => (i === 1 ? { ...head, rootHash: '2'.repeat(64) } : head));
    const result = await audit.verify({ expected: altered });
    const whole = await audit.verify({ expected: heads });
    expect(whole.valid).toBe(true);
    expect(result).toEqual({
      ...whole,
      valid: false,
      headsProblem: `a head from outside the database (the heads file's no. 2 of ${heads.length} (of ${heads[1].treeSize} entries)) does not carry a valid signature by the log's key: altered, or another log's`,
    });
  });

  it('is refused UPDATE and DELETE, and a second numbering, by the database', async () => {
    await expect(dataSource.query(`UPDATE audit_log SET actor_id = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`UPDATE audit_log SET seq = 999 WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM audit_tree_nodes')).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM audit_tree_heads')).rejects.toThrow(/append-only/);
  });

  async function asInsider(statements: string[]) {
    const tables = ['audit_log', 'audit_tree_nodes', 'audit_tree_heads'];
    await dataSource.transaction(async (tx) => {
      for (const table of tables) await tx.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      for (const statement of statements) await tx.query(statement);
      for (const table of tables) await tx.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    });
  }

  it('catches an insider who rewrites an entry and recomputes its leaf and the tree above it', async () => {
    const saved = (await audit.treeHead())!;
    const [{ position }] = await dataSource.query('SELECT position FROM audit_log WHERE seq = 42');
    const { entry } = await audit.entry(42);
    const forged = toHex(entryLeafHash({ ...entry, actorId: 'mallory' }));
    await asInsider([`UPDATE audit_log SET actor_id = 'mallory', leaf_hash = '${forged}' WHERE position = ${position}`]);
    // The leaf hash column agrees with the entry now, but not the stored tree.
    expect((await audit.verify()).firstBroken).toEqual({ seq: 42, reason: expect.stringMatching(/tree node 0:41/) });
    // Recomputing every node too leaves the signed heads, which the insider cannot re-sign.
    const { items } = await audit.list({ limit: 500 });
    const { TreeFrontier } = await import('./merkle.js');
    const frontier = new TreeFrontier();
    const fixes: string[] = [];
    for (const item of [...items].sort((a, b) => a.seq! - b.seq!)) {
      for (const node of frontier.append(fromHex(item.leafHash!))) {
        fixes.push(`UPDATE audit_tree_nodes SET hash = '\\x${toHex(node.hash)}' WHERE level = ${node.level} AND index = ${node.index}`);
      }
    }
    await asInsider(fixes);
    const result = await audit.verify();
    expect(result).toMatchObject({ valid: false, firstBroken: { reason: expect.stringMatching(/signed head of \d+ entries has root .*: (an entry from \d+ to \d+|entry 42) was rewritten/) } });
    // A root says that some entry it covers differs: the break is named from the last head that agreed, which covers fewer than 42.
    expect(result.firstBroken!.seq).toBeLessThanOrEqual(42);
    expect(result.firstBroken!.seq).toBe(result.agreed + 1);
    expect(result.entries).toBe(result.agreed);
    // The root answered is the one of the entries answered: the agreeing head's.
    expect(result.head).toBe((await audit.heads()).find((h) => h.treeSize === result.agreed)?.rootHash ?? toHex(EMPTY_ROOT));
    expect(await audit.checkAgainst(saved)).toMatch(/not a consistent extension|rewritten/);

    await asInsider([`UPDATE audit_log SET actor_id = '${entry.actorId}', leaf_hash = '${toHex(entryLeafHash(entry))}' WHERE position = ${position}`]);
    const restore = new TreeFrontier();
    const back: string[] = [];
    for (const item of [...items].sort((a, b) => a.seq! - b.seq!)) {
      const leaf = item.seq === 42 ? entryLeafHash(entry) : fromHex(item.leafHash!);
      for (const node of restore.append(leaf)) back.push(`UPDATE audit_tree_nodes SET hash = '\\x${toHex(node.hash)}' WHERE level = ${node.level} AND index = ${node.index}`);
    }
    await asInsider(back);
    expect(await audit.verify()).toMatchObject({ valid: true });
    expect(await audit.checkAgainst(saved)).toBeUndefined();
  });

  it('catches an insider who deletes the newest entries and fixes up the tables, against a saved head and the heads file', async () => {
    const saved = (await audit.treeHead())!;
    expect(await audit.checkAgainst(saved)).toBeUndefined();
    const cut = saved.treeSize - 3;
    await asInsider([
      `DELETE FROM audit_log WHERE seq > ${cut}`,
      `DELETE FROM audit_tree_nodes WHERE ((index + 1) << level::int) > ${cut}`,
      `DELETE FROM audit_tree_heads WHERE tree_size > ${cut}`,
    ]);
    // The database alone now agrees with itself, but for its own older heads (the ones left).
    const leftHeads = await audit.heads();
    if (leftHeads.length > 0 && leftHeads.at(-1)!.treeSize === cut) expect((await audit.verify()).valid).toBe(true);
    expect(await audit.checkAgainst(saved)).toMatch(new RegExp(`entry ${cut + 1}: a signed head covers ${saved.treeSize} entries, the log has ${cut}: entries were removed|no signed head`));
    const fromFile = parseHeadsFile(await readFile(env.AUDIT_HEADS_FILE, 'utf8'));
    expect(await audit.verify({ expected: fromFile })).toMatchObject({ valid: false, firstBroken: { seq: cut + 1, reason: expect.stringMatching(/entries were removed/) } });
  });

  it('refuses to sign a head for a log that does not extend the last head in the heads file (the insider above)', async () => {
    const heads = (await audit.heads()).length;
    await audit.append({ actorId: 'u9', actorRole: 'drafter', action: 'AfterTheCut' });
    // Sealed once it can be: a transaction open elsewhere on the server (another suite's) holds the
    // sealer's watermark back, and it then seals nothing yet (0) rather than refusing.
    await expect(sealedWhenSealable(sealer)).rejects.toThrow(/refusing to sign: the stored tree of \d+ entries does not extend the head of \d+ entries/);
    expect((await audit.heads()).length).toBe(heads);
    const [{ pending }] = await dataSource.query('SELECT count(*)::int AS pending FROM audit_log WHERE seq IS NULL');
    expect(pending).toBe(1);
  });
});

describe('AuditLog.verify under load', () => {
  let database: TestDatabase;
  let audit: AuditLog;
  let sealer: AuditSealer;

  beforeAll(async () => {
    database = await createTestDatabase(20);
    const dataSource = await database.dataSource();
    audit = new AuditLog(dataSource);
    sealer = new AuditSealer(dataSource, loadConfig({ DATABASE_URL: database.target.url, JWT_SECRET: 'x'.repeat(32), ...testAuditEnv() }), { target: database.target } as DatabaseRuntime, false, audit);
  });
  afterAll(() => database.drop());

  const appendSome = (count: number) =>
    Promise.all(Array.from({ length: count }, (_, i) => audit.append({ actorId: `u${i % 7}`, actorRole: 'drafter', action: 'EditCable', streamId: `cable-${i % 3}`, requestId: randomUUID(), details: { n: i } })));

  it('verifies page by page, holding no transaction, while entries keep being appended and sealed', async () => {
    await appendSome(4500);
    await sealer.catchUp();
    const sealedBefore = (await audit.treeHead())!.treeSize;
    // The recomputation reads its pages while more entries are appended and sealed under it.
    const [result] = await Promise.all([audit.verify(), (async () => { await appendSome(300); await sealer.catchUp(); })()]);
    expect(result).toMatchObject({ valid: true });
    expect(result.entries).toBeGreaterThanOrEqual(sealedBefore);
    expect(await audit.verify()).toMatchObject({ valid: true, entries: (await audit.treeHead())!.treeSize, pending: 0 });
  });
});

describe('the sealer and its key', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(4);
  });
  afterAll(() => database.drop());

  it('signs on only with the key that signed the log: another (replaced, regenerated) stops it, loudly, until the key is back', async () => {
    const dataSource = await database.dataSource();
    const audit = new AuditLog(dataSource);
    const env = testAuditEnv();
    const sealerWith = (keyFile: string) =>
      new AuditSealer(dataSource, loadConfig({ DATABASE_URL: database.target.url, JWT_SECRET: 'x'.repeat(32), ...env, AUDIT_SIGNING_KEY_FILE: keyFile }), { target: database.target } as DatabaseRuntime, false, audit);
    await audit.append({ actorId: 'u1', actorRole: 'drafter', action: 'EditCable' });
    await sealerWith(env.AUDIT_SIGNING_KEY_FILE).catchUp();
    const signed = (await audit.heads()).length;
    expect(signed).toBeGreaterThan(0);

    const other = join(await mkdtemp(join(tmpdir(), 'chancery-other-key-')), 'audit-signing-key.pem');
    await writeFile(other, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await audit.append({ actorId: 'u1', actorRole: 'drafter', action: 'EditCable' });
    await expect(sealedWhenSealable(sealerWith(other))).rejects.toThrow(/^refusing to sign: the audit signing key is not the key that signed the head of 1 entries last written to .*: put back the key file/);
    expect((await audit.heads()).length).toBe(signed);
    // The key back, sealing goes on, and the log verifies.
    await sealerWith(env.AUDIT_SIGNING_KEY_FILE).catchUp();
    expect((await audit.treeHead())!.treeSize).toBe(2);
    expect(await audit.verify({ expected: parseHeadsFile(await readFile(env.AUDIT_HEADS_FILE, 'utf8')) })).toMatchObject({ valid: true, entries: 2 });

    // An insider deletes the newest head (triggers off): the entries it covered stay numbered, and
    // the sealer says so rather than numbering new ones over them (a duplicate seq, again and again).
    await dataSource.transaction(async (tx) => {
      await tx.query('ALTER TABLE audit_tree_heads DISABLE TRIGGER USER');
      await tx.query('DELETE FROM audit_tree_heads WHERE tree_size = 2');
      await tx.query('ALTER TABLE audit_tree_heads ENABLE TRIGGER USER');
    });
    await audit.append({ actorId: 'u1', actorRole: 'drafter', action: 'EditCable' });
    await expect(sealedWhenSealable(sealerWith(env.AUDIT_SIGNING_KEY_FILE))).rejects.toThrow(/^refusing to sign: the stored tree of 1 entries does not extend the head of 2 entries/);
    // With the heads file moved aside (as an operator recovering a restored database does), the
    // entries numbered past the last head stop it still, said as such.
    await rename(env.AUDIT_HEADS_FILE, `${env.AUDIT_HEADS_FILE}.aside`);
    await expect(sealedWhenSealable(sealerWith(env.AUDIT_SIGNING_KEY_FILE))).rejects.toThrow(/^refusing to seal: entries 2 to 2 are numbered but no signed head covers them/);
  });
});
