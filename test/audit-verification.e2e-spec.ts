import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, AuditSealer } from '@chancery/audit';
import type { AppConfig } from '@chancery/config';
import { auditVerify, type AuditVerifyOptions } from '../apps/worker/src/audit-verify.js';
import { authed } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** The outsider's check, as `npm run audit:verify` runs it, against an app whose sealer runs (the default). */
describe('audit log verified by an outsider', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let config: AppConfig;
  let admin: string;
  let folder: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, config } = await createTestApp(database, { runProjections: true }));
    admin = await loginAsAdmin(app);
    folder = await mkdtemp(join(tmpdir(), 'chancery-outsider-'));
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  async function verify(options: AuditVerifyOptions): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await auditVerify(app.get(AuditLog), config, options, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
    return { code, output: lines.join('\n') };
  }

  /** Waits until the newest entry is sealed; answers how long after its commit that was. */
  async function sealedWithin(limitMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const { body } = await authed(app, admin).get('/audit?order=desc&limit=1').expect(200);
      const [newest] = body.items;
      if (newest.seq !== null) {
        const { body: head } = await authed(app, admin).get('/audit/tree-head').expect(200);
        expect(head.treeSize).toBeGreaterThanOrEqual(newest.seq);
        return Date.parse(head.timestamp) - Date.parse(newest.at);
      }
      if (Date.now() - started > limitMs) throw new Error(`entry not sealed within ${limitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('seals, on a graceful stop, what committed before it, not at the next start', async () => {
    const other = await createTestDatabase();
    try {
      const { app: stopping } = await createTestApp(other, { runProjections: true, env: { AUDIT_SEAL_INTERVAL_MS: '1000' } });
      await stopping.get(AuditSealer).catchUp();
      // Entries written while the sealer waits out its interval, then the stop.
      await loginAsAdmin(stopping);
      await loginAsAdmin(stopping);
      await stopping.close();
      const db = await other.dataSource(1);
      try {
        const [{ unsealed, sealed }] = await db.query('SELECT count(*) FILTER (WHERE seq IS NULL)::int AS unsealed, count(*) FILTER (WHERE seq IS NOT NULL)::int AS sealed FROM audit_log');
        expect({ unsealed, sealed: sealed > 0 }).toEqual({ unsealed: 0, sealed: true });
      } finally {
        await db.destroy();
      }
    } finally {
      await other.drop();
    }
  });

  it('seals, on a graceful stop, a command still being served when the stop began', async () => {
    const other = await createTestDatabase();
    try {
      const { app: stopping } = await createTestApp(other, { runProjections: true, env: { AUDIT_SEAL_INTERVAL_MS: '1000' } });
      const token = await loginAsAdmin(stopping);
      await stopping.get(AuditSealer).catchUp();
      const db = await other.dataSource(2);
      try {
        // The command waits on a lock the test holds (its audit entry cannot be written) while the stop begins.
        const locker = db.createQueryRunner();
        await locker.connect();
        await locker.startTransaction();
        await locker.query('LOCK TABLE audit_log IN EXCLUSIVE MODE');
        const answered = authed(stopping, token).post('/users', { username: 'late.user', password: 'late-user-password-123', displayName: 'Late User', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' }).then((r) => r.status);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const closed = stopping.close();
        await new Promise((resolve) => setTimeout(resolve, 500));
        await locker.commitTransaction();
        await locker.release();
        expect(await answered).toBe(201);
        await closed;
        const [{ unsealed, late }] = await db.query(
          `SELECT count(*) FILTER (WHERE seq IS NULL)::int AS unsealed, count(*) FILTER (WHERE action = 'RegisterUser' AND seq IS NOT NULL)::int AS late FROM audit_log`,
        );
        expect({ unsealed, late }).toEqual({ unsealed: 0, late: 2 }); // the admin's, and the one the stop waited for
      } finally {
        await db.destroy();
      }
    } finally {
      await other.drop();
    }
  });

  it('seals each entry into a signed head within 5 seconds of its commit', async () => {
    await createUser(app, admin, { username: 'first.user', roles: ['drafter'], office: 'EAP/CM' });
    expect(await sealedWithin(5_000)).toBeLessThan(5_000);
  });

  it('checks before it exports: a saved head given as both is kept when the check fails, and no head is saved', async () => {
    await sealedWithin(5_000);
    const saved = join(folder, 'checked-head.json');
    expect(await verify({ exportHead: saved })).toMatchObject({ code: 0, output: expect.stringMatching(/intact[\s\S]*Saved the signed head/) });
    const head = JSON.parse(await readFile(saved, 'utf8'));
    const tampered = `${JSON.stringify({ ...head, signature: `${head.signature[0] === 'A' ? 'B' : 'A'}${head.signature.slice(1)}` })}\n`;
    await writeFile(saved, tampered);
    const checked = await verify({ head: saved, exportHead: saved });
    expect(checked).toMatchObject({ code: 1, output: expect.stringMatching(/does NOT extend the saved head .*signature/) });
    expect(checked.output).not.toMatch(/Saved the signed head/);
    expect(await readFile(saved, 'utf8')).toBe(tampered);
    // A place no head can be saved: said before the check, exit 2 (not 1, a broken log).
    expect(await verify({ exportHead: folder })).toEqual({ code: 2, output: `Cannot save the signed head to ${folder}: it is a folder` });
    const nowhere = join(folder, 'no-such-folder', 'head.json');
    expect(await verify({ exportHead: nowhere })).toEqual({ code: 2, output: `Cannot save the signed head to ${nowhere}: the folder ${join(folder, 'no-such-folder')} does not exist` });
    // A file holding JSON that is no head (null) is said to be none.
    await writeFile(saved, 'null\n');
    expect(await verify({ head: saved })).toMatchObject({ code: 2, output: expect.stringMatching(/not a signed tree head/) });
  });

  it('accepts a log that extends the saved head, and catches an insider who deleted the last entries and fixed up the tables, and seals nothing more', async () => {
    const saved = join(folder, 'saved-head.json');
    expect(await verify({ exportHead: saved })).toMatchObject({ code: 0, output: expect.stringMatching(/Saved the signed head/) });
    await createUser(app, admin, { username: 'second.user', roles: ['clearer'], office: 'EAP/CM' });
    await sealedWithin(5_000);
    expect(await verify({ head: saved })).toMatchObject({ code: 0, output: expect.stringMatching(/intact/) });
    expect(await verify({})).toMatchObject({ code: 0 });

    // The insider: triggers off, the newest entries the saved head covers deleted, nodes and heads made to fit.
    const { treeSize } = JSON.parse(await readFile(saved, 'utf8'));
    // Back to the head before the saved one, so that the sealer goes on from a tree that fits.
    const cut = Math.max(0, ...(await app.get(AuditLog).heads()).map((h) => h.treeSize).filter((size) => size < treeSize));
    await app.get(DataSource).transaction(async (tx) => {
      for (const table of ['audit_log', 'audit_tree_nodes', 'audit_tree_heads']) await tx.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      await tx.query('DELETE FROM audit_log WHERE seq > $1', [cut]);
      await tx.query('DELETE FROM audit_tree_nodes WHERE ((index + 1) << level::int) > $1', [cut]);
      await tx.query('DELETE FROM audit_tree_heads WHERE tree_size > $1', [cut]);
      for (const table of ['audit_log', 'audit_tree_nodes', 'audit_tree_heads']) await tx.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    });
    // Life goes on, but the sealer signs nothing more: the stored tree no longer extends the last
    // head it wrote to the heads file, outside the database.
    for (let i = 0; i < 4; i++) await loginAsAdmin(app);
    const sealer = app.get(AuditSealer);
    for (const started = Date.now(); !sealer.status().lastError; ) {
      if (Date.now() - started > 5_000) throw new Error('the sealer went on sealing the shortened log');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const refusal = /refusing to sign: the stored tree of (\d+) entries does not extend the head of (\d+) entries/.exec(sealer.status().lastError ?? '');
    expect(refusal && [Number(refusal[1]), Number(refusal[2]) >= treeSize]).toEqual([cut, true]);
    const { body: now } = await authed(app, admin).get('/audit/tree-head').expect(200);
    expect(now.treeSize).toBe(cut);

    const againstSaved = await verify({ head: saved });
    expect(againstSaved.code).toBe(1);
    expect(againstSaved.output).toMatch(new RegExp(`does NOT extend the saved head .*entry ${cut + 1}: a signed head covers ${treeSize} entries, the log has ${cut}: entries were removed`));
    const againstFile = await verify({});
    expect(againstFile.code).toBe(1);
    expect(againstFile.output).toMatch(new RegExp(`BROKEN at entry ${cut + 1}: .*entries were removed[\\s\\S]*Entries 1 to ${cut} agree with a signed head`));
    // GET /audit/verify checks the heads file too: the database alone agrees with itself.
    const { body: answered } = await authed(app, admin).get('/audit/verify').expect(200);
    expect(answered).toMatchObject({ valid: false, agreed: cut, firstBroken: { seq: cut + 1, reason: expect.stringMatching(/entries were removed/) }, headsChecked: expect.any(Number) });
    expect(answered.headsChecked).toBeGreaterThan(0);
    expect((await app.get(AuditLog).verify()).valid).toBe(true);
  });
  it('never says "valid" when the heads file cannot be read', async () => {
    const file = config.audit.headsFile!;
    await writeFile(file, `not a head\n${await readFile(file, 'utf8')}`);
    const { body } = await authed(app, admin).get('/audit/verify').expect(200);
    expect(body).toMatchObject({ valid: false, headsProblem: expect.stringMatching(/heads file .* cannot be read: line 1 is not a signed tree head/) });
    expect(await verify({})).toMatchObject({ code: 1, output: expect.stringMatching(/NOT verified: the heads file .* cannot be read/) });
  });
  it('never says "intact" when the heads file is gone or empty while the log has signed heads', async () => {
    const file = config.audit.headsFile!;
    // A line of it altered is said as the heads file's, not as the log broken.
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.startsWith('{'));
    const forged = { ...JSON.parse(lines[0]), rootHash: '0'.repeat(64) };
    await writeFile(file, [JSON.stringify(forged), ...lines.slice(1)].join('\n') + '\n');
    expect(await verify({})).toMatchObject({ code: 1, output: expect.stringMatching(/And: a head from outside the database \(the heads file's no\. 1 of \d+ \(of \d+ entries\)\) does not carry a valid signature by the log's key/) });
    await writeFile(file, '');
    expect(await verify({})).toMatchObject({ code: 1, output: expect.stringMatching(/^Audit log NOT verified: the log has signed heads \(the latest of \d+ entries\), but .* holds none/) });
    await rm(file);
    expect(await verify({})).toMatchObject({ code: 1, output: expect.stringMatching(/NOT verified: the log has signed heads/) });
    const { body } = await authed(app, admin).get('/audit/verify').expect(200);
    expect(body).toMatchObject({ valid: false, headsProblem: expect.stringMatching(/holds none/) });
    expect(body.firstBroken).toBeUndefined(); // no entry is broken: the evidence outside the database is missing
  });
});
