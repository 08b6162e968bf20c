import { generateKeyPairSync } from 'node:crypto';
import { appendFile, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ConfigurationError, loadConfig } from '@chancery/config';
import {
  AuditSigner, checkedHeads, cutTornTail, HeadsFile, loadAuditSigner, parseHeadsFile, parseSavedHead, type SignedTreeHead, unsignedHeads, verifyHeadSignature,
} from './audit-signer.js';

const head = { treeSize: 7, rootHash: 'ab'.repeat(32), timestamp: '2026-11-29T21:00:00.000Z' };

describe('tree head signatures', () => {
  const signer = new AuditSigner(generateKeyPairSync('ed25519').privateKey, '/dev/null');

  it('signs the RFC 8785 JSON of {rootHash, timestamp, treeSize}, and nothing else verifies', () => {
    const signed = signer.sign(head);
    expect(signed.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(verifyHeadSignature(signed)).toBe(true);
    expect(verifyHeadSignature({ ...signed, treeSize: 6 })).toBe(false);
    expect(verifyHeadSignature({ ...signed, rootHash: 'cd'.repeat(32) })).toBe(false);
    const other = new AuditSigner(generateKeyPairSync('ed25519').privateKey, '/dev/null');
    expect(verifyHeadSignature(signed, other.publicKey)).toBe(false);
    expect(verifyHeadSignature({ ...signed, signature: 'not base64 at all' })).toBe(false);
  });

  it('finds the heads not signed by their key and the log\'s, the event loop turning every hundred heads whatever they hold', async () => {
    const heads = Array.from({ length: 450 }, (_, i) => signer.sign({ ...head, treeSize: i + 1 }));
    const other = new AuditSigner(generateKeyPairSync('ed25519').privateKey, '/dev/null');
    expect(await unsignedHeads(heads)).toEqual([]);
    expect(await unsignedHeads(heads, signer.publicKey)).toEqual([]);
    const altered = heads.map((h, i) => (i === 321 || i === 400 ? { ...h, treeSize: 9999 } : h));
    expect(await unsignedHeads(altered, signer.publicKey)).toEqual([321, 400]);
    expect(await unsignedHeads(altered, signer.publicKey, { firstOnly: true })).toEqual([321]);
    // Between the hundreds, other work gets its turn, good heads or bad: a callback queued before
    // the check runs before it ends. Signed by another log, every head fails the log's key.
    for (const logKey of [signer.publicKey, other.publicKey]) {
      let turned = 0;
      const tick = () => {
        turned++;
        if (turned < 10) setImmediate(tick);
      };
      setImmediate(tick);
      const unsigned = await unsignedHeads(heads, logKey);
      expect({ logKey: logKey === signer.publicKey ? 'own' : 'other', unsigned: unsigned.length, turnedSome: turned >= 4 }).toEqual({
        logKey: logKey === signer.publicKey ? 'own' : 'other', unsigned: logKey === signer.publicKey ? 0 : 450, turnedSome: true,
      });
    }
  });

  it('reads a saved head pretty-printed, or as the last line of a heads file', () => {
    const a = signer.sign(head);
    const b = signer.sign({ ...head, treeSize: 8 });
    expect(parseSavedHead(JSON.stringify(a, null, 2))).toEqual(a);
    expect(parseSavedHead(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`)).toEqual(b);
    expect(parseHeadsFile(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`)).toEqual([a, b]);
    // A last line cut short (a crash mid-append) is left out; a bad line before it is an error naming it.
    expect(parseHeadsFile(`${JSON.stringify(a)}\n${JSON.stringify(b).slice(0, 40)}`)).toEqual([a]);
    expect(() => parseHeadsFile(`${JSON.stringify(a)}\n{"treeSize": 1}\n${JSON.stringify(b)}\n`)).toThrow(/line 2 is not a signed tree head/);
    expect(() => parseSavedHead('{"treeSize": 1}')).toThrow(/not a signed tree head/);
    expect(() => parseSavedHead('')).toThrow(/no tree head/);
    expect(() => parseSavedHead(JSON.stringify(a, null, 2).slice(0, 80))).toThrow(/^not JSON, neither whole nor as its last line \(a file cut short\?\): /);
  });

  it('checks heads in their order, a hundred between turns of the event loop, saying which carry the log\'s signature', async () => {
    const heads = Array.from({ length: 250 }, (_, i) => signer.sign({ ...head, treeSize: i + 1 }));
    const altered = heads.map((h, i) => (i === 7 || i === 160 ? { ...h, rootHash: 'cd'.repeat(32) } : h));
    let turned = 0;
    const tick = () => {
      turned++;
      if (turned < 10) setImmediate(tick);
    };
    setImmediate(tick);
    const checked = [];
    for await (const { head: h, index, signed } of checkedHeads(altered, signer.publicKey)) checked.push([h.treeSize, index, signed]);
    expect(checked).toEqual(altered.map((h, i) => [h.treeSize, i, i !== 7 && i !== 160]));
    expect(turned).toBeGreaterThanOrEqual(2);
  });

  it('reads a heads file as a stream of lines, as parseHeadsFile reads its text, and each pass the same lines only', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'chancery-heads-')), 'audit-heads.jsonl');
    const [a, b, c, d] = [7, 8, 9, 10].map((treeSize) => signer.sign({ ...head, treeSize }));
    const heads = async (from: HeadsFile) => {
      const read: SignedTreeHead[] = [];
      for await (const h of from) read.push(h);
      return read;
    };
    expect(await heads(await HeadsFile.read(file))).toEqual([]); // none yet
    // A blank line and a line ended CRLF are read as parseHeadsFile reads them; a last line cut short is left out.
    const text = `${JSON.stringify(a)}\n\n${JSON.stringify(b)}\r\n${JSON.stringify(c)}\n${JSON.stringify(d).slice(0, 50)}`;
    await writeFile(file, text);
    const read = await HeadsFile.read(file);
    expect({ count: read.count, last: read.last }).toEqual({ count: 3, last: c });
    expect(await heads(read)).toEqual(parseHeadsFile(text));
    // Appended since it was read (the torn line cut off first, as the signer does): not in a pass over what was read.
    await cutTornTail(file);
    await appendFile(file, `${JSON.stringify(d)}\n${JSON.stringify(d)}\n`);
    expect(await heads(read)).toEqual([a, b, c]);
    expect(await heads(read)).toEqual([a, b, c]);
    // A whole last line without its newline is a head (as in parseHeadsFile).
    await writeFile(file, `${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    const unended = await HeadsFile.read(file);
    expect({ count: unended.count, heads: await heads(unended) }).toEqual({ count: 2, heads: [a, b] });
    // A line that is no head, before the last, is an error naming it; a file changed otherwise than by appends since it was read is said to have.
    await writeFile(file, `${JSON.stringify(a)}\n{"treeSize": 1}\n${JSON.stringify(b)}\n`);
    await expect(HeadsFile.read(file)).rejects.toThrow(/^line 2 is not a signed tree head \(not a signed tree head/);
    await writeFile(file, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
    const replaced = await HeadsFile.read(file);
    await writeFile(file, `${JSON.stringify(a)}\nnot a head, and as long as one was,${' '.repeat(JSON.stringify(b).length - 35)}\n`);
    await expect(heads(replaced)).rejects.toThrow(/^the heads file .* changed while it was read: line 2 is not a signed tree head/);
  });

  it('refuses, as a head it cannot read, one with a value no head could have', () => {
    const a = signer.sign(head);
    const reading = (change: object) => () => parseSavedHead(JSON.stringify({ ...a, ...change }));
    expect(reading({ publicKey: 'not a pem' })).toThrow(/publicKey is not a public key in PEM/);
    expect(reading({ publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString() })).toThrow(/ec key, not Ed25519/);
    expect(reading({ rootHash: 'zz' })).toThrow(/rootHash is not a SHA-256/);
    expect(reading({ treeSize: -1 })).toThrow(/treeSize -1/);
    expect(reading({ timestamp: 'yesterday' })).toThrow(/not a time/);
    expect(reading({ signature: 'not base64 at all' })).toThrow(/signature is not base64/);
    expect(reading({ signature: 'AAAA' })).toThrow(/signature is 3 bytes, where an Ed25519 signature is 64/);
  });

  it('needs a key file with a database server, generates one (0600) in embedded mode, and refuses a key that is not Ed25519', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chancery-signer-'));
    const server = loadConfig({ DATABASE_URL: 'postgres://x@localhost/test', CHANCERY_DATA_DIR: dataDir });
    await expect(loadAuditSigner(server, false)).rejects.toBeInstanceOf(ConfigurationError);

    const embedded = await loadAuditSigner(loadConfig({ CHANCERY_DATA_DIR: dataDir }), true);
    expect((await stat(join(dataDir, 'audit-signing-key.pem'))).mode & 0o777).toBe(0o600);
    expect(embedded.headsFile).toBe(join(dataDir, 'audit-heads.jsonl'));
    const again = await loadAuditSigner(loadConfig({ CHANCERY_DATA_DIR: dataDir }), true);
    expect(again.publicKey).toBe(embedded.publicKey); // kept across restarts
    await again.record([again.sign(head)]);
    expect(parseHeadsFile(await readFile(again.headsFile, 'utf8'))).toHaveLength(1);

    const rsa = join(dataDir, 'rsa.pem');
    await writeFile(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadAuditSigner(loadConfig({ DATABASE_URL: 'postgres://x@localhost/test', AUDIT_SIGNING_KEY_FILE: rsa }), false)).rejects.toThrow(/not an Ed25519/);
  });

  it('cuts off a last line an append left short before it appends the next head, and says so', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'chancery-heads-')), 'audit-heads.jsonl');
    const signing = new AuditSigner(generateKeyPairSync('ed25519').privateKey, file);
    const [a, b, c] = [7, 8, 9].map((treeSize) => signing.sign({ ...head, treeSize }));
    await signing.record([a]);
    await writeFile(file, `${JSON.stringify(b)}\n`.slice(0, 60), { flag: 'a' }); // a crash mid-append
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await signing.record([c]);
      expect(warned.mock.calls).toEqual([[`The heads file ${file} ended in a line cut short (60 bytes, an append that did not finish): cut off before the next head`]]);
    } finally {
      warned.mockRestore();
    }
    expect(parseHeadsFile(await readFile(file, 'utf8'))).toEqual([a, c]);
  });

  it('cuts a file back to its last whole line, however long the torn one, and leaves a whole file alone', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'chancery-torn-'));
    const file = join(folder, 'f');
    expect(await cutTornTail(join(folder, 'none'))).toBe(0);
    await writeFile(file, 'one\ntwo\n');
    expect(await cutTornTail(file)).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
    await writeFile(file, `one\n${'x'.repeat(200_000)}`); // longer than a read back
    expect(await cutTornTail(file)).toBe(200_000);
    expect(await readFile(file, 'utf8')).toBe('one\n');
    await writeFile(file, 'no newline at all');
    expect(await cutTornTail(file)).toBe(17);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('warns of a key others may read, except in the check before a start that loads it again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chancery-signer-'));
    const key = join(dataDir, 'key.pem');
    await writeFile(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o644 });
    const config = loadConfig({ DATABASE_URL: 'postgres://x@localhost/test', AUDIT_SIGNING_KEY_FILE: key });
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await loadAuditSigner(config, false, { warn: false });
      expect(warned).not.toHaveBeenCalled();
      await loadAuditSigner(config, false);
      expect(warned.mock.calls).toEqual([[`AUDIT_SIGNING_KEY_FILE=${JSON.stringify(key)} can be read by others than its owner (mode 644): chmod 600 it`]]);
    } finally {
      warned.mockRestore();
    }
  });
});
