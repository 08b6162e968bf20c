import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { appendFile, chmod, type FileHandle, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { type AppConfig, ConfigurationError } from '@chancery/config';
import { canonicalJson } from './audit-entry.js';

/** A tree head as signed: the signature is Ed25519 over the RFC 8785 JSON of {rootHash, timestamp, treeSize}. */
export interface SignedTreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  /** Base64. */
  signature: string;
  /** PEM (SPKI). */
  publicKey: string;
}

export type UnsignedTreeHead = Pick<SignedTreeHead, 'treeSize' | 'rootHash' | 'timestamp'>;

function signedBytes(head: UnsignedTreeHead): Buffer {
  return Buffer.from(canonicalJson({ rootHash: head.rootHash, timestamp: head.timestamp, treeSize: head.treeSize }), 'utf8');
}

/**
 * Public keys as parsed, by their PEM: a log's heads all carry the same one, and parsing it costs
 * more than an Ed25519 verification. A few kept (a heads file may carry other logs' keys), then
 * forgotten all at once.
 */
const parsedKeys = new Map<string, KeyObject>();
const PARSED_KEYS_KEPT = 16;

function publicKeyOf(pem: string): KeyObject {
  let key = parsedKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (parsedKeys.size >= PARSED_KEYS_KEPT) parsedKeys.clear();
    parsedKeys.set(pem, key);
  }
  return key;
}

/** Checks a head's signature against its own public key (or a pinned one). */
export function verifyHeadSignature(head: SignedTreeHead, publicKeyPem: string = head.publicKey): boolean {
  try {
    return verify(null, signedBytes(head), publicKeyOf(publicKeyPem), Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Heads checked between two turns of the event loop (`unsignedHeads`, `checkedHeads`). */
const HEADS_PER_TURN = 100;

/** Heads to check, in their order: an array, or a heads file read as a stream (`HeadsFile`); read more than once. */
export type HeadsSource = Iterable<SignedTreeHead> | AsyncIterable<SignedTreeHead>;

/** A head of a source, its number there (from 0), and whether it carries its own key's signature and the log's. */
export interface CheckedHead {
  head: SignedTreeHead;
  index: number;
  signed: boolean;
}

/**
 * The indexes of the heads not signed both by their own key and by `logKey` (the log's key; each
 * head's own when none is given), in order; with `firstOnly`, the first of them alone. A log signs a
 * head every second while it has work, so a long-running one holds hundreds of thousands: they are
 * checked a hundred at a time, the event loop turning in between whatever they hold, so that a
 * verification does not hold up the requests of a process that serves others.
 */
export async function unsignedHeads(heads: readonly SignedTreeHead[], logKey?: string, { firstOnly = false } = {}): Promise<number[]> {
  const unsigned: number[] = [];
  for (let i = 0; i < heads.length; i++) {
    if (i > 0 && i % HEADS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const head = heads[i];
    const key = logKey ?? head.publicKey;
    if (verifyHeadSignature(head) && (key === head.publicKey || verifyHeadSignature(head, key))) continue;
    unsigned.push(i);
    if (firstOnly) break;
  }
  return unsigned;
}

/**
 * The heads of `source` in its order, each with whether it is signed by its own key and by `logKey`
 * (as `unsignedHeads`), checked a hundred at a time, the event loop turning in between: a source
 * read as a stream is never held whole.
 */
export async function* checkedHeads(source: HeadsSource, logKey?: string): AsyncGenerator<CheckedHead> {
  let batch: SignedTreeHead[] = [];
  let index = 0;
  const check = async function* (): AsyncGenerator<CheckedHead> {
    const unsigned = new Set(await unsignedHeads(batch, logKey));
    for (let i = 0; i < batch.length; i++) yield { head: batch[i], index: index + i, signed: !unsigned.has(i) };
    index += batch.length;
    batch = [];
  };
  for await (const head of source) {
    batch.push(head);
    if (batch.length < HEADS_PER_TURN) continue;
    yield* check();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  yield* check();
}

/** Signs tree heads with the private key from AUDIT_SIGNING_KEY_FILE, and keeps a copy of each outside the database. */
export class AuditSigner {
  readonly publicKey: string;
  /** The last head in the heads file: undefined until read. */
  private last?: SignedTreeHead | null;

  constructor(
    private readonly privateKey: KeyObject,
    readonly headsFile: string,
  ) {
    this.publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(head: UnsignedTreeHead): SignedTreeHead {
    const signature = sign(null, signedBytes(head), this.privateKey).toString('base64');
    return { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, signature, publicKey: this.publicKey };
  }

  /**
   * Appends heads to AUDIT_HEADS_FILE, one JSON object a line. A last line cut short by an append
   * that did not finish (a crash, a full disk: the reader passes over it) is cut off first, or the
   * next head would be glued to it, into a line no reader takes.
   */
  async record(heads: SignedTreeHead[]): Promise<void> {
    if (heads.length === 0) return;
    const torn = await cutTornTail(this.headsFile);
    if (torn > 0) new Logger('AuditSigner').warn(`The heads file ${this.headsFile} ended in a line cut short (${torn} bytes, an append that did not finish): cut off before the next head`);
    await appendFile(this.headsFile, heads.map((head) => `${JSON.stringify(head)}\n`).join(''), { mode: 0o600 });
    this.last = heads[heads.length - 1];
  }

  /**
   * The last head appended to the heads file, read from it once and then kept as recorded (an edit
   * of the file afterwards changes nothing here); null when it holds none.
   */
  async lastRecorded(): Promise<SignedTreeHead | null> {
    if (this.last === undefined) this.last = (await HeadsFile.read(this.headsFile)).last ?? null;
    return this.last;
  }
}

/**
 * The signing key: AUDIT_SIGNING_KEY_FILE, or in embedded mode one generated once into the data
 * folder (mode 0600). With a database server it must be given: a key the database could hand out
 * would let a database insider sign a rewritten log. `warn: false` for a check before the start that
 * loads it again (a key others may read is then warned of once, by that load).
 */
export async function loadAuditSigner(config: AppConfig, embedded: boolean, { warn = true }: { warn?: boolean } = {}): Promise<AuditSigner> {
  let file = config.audit.signingKeyFile;
  if (!file) {
    if (!embedded) {
      throw new ConfigurationError([
        'AUDIT_SIGNING_KEY_FILE is required when DATABASE_URL is set, in processes that seal the audit log (an Ed25519 key: openssl genpkey -algorithm ed25519 -out audit-signing-key.pem)',
      ]);
    }
    file = join(config.dataDir, 'audit-signing-key.pem');
    await generateKeyFile(file);
  }
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError([`AUDIT_SIGNING_KEY_FILE=${JSON.stringify(file)}: cannot be read (${(error as NodeJS.ErrnoException).code})`]);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigurationError([`AUDIT_SIGNING_KEY_FILE=${JSON.stringify(file)}: not a private key in PEM (PKCS#8), as openssl genpkey -algorithm ed25519 writes one`]);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigurationError([`AUDIT_SIGNING_KEY_FILE=${JSON.stringify(file)}: not an Ed25519 private key`]);
  }
  // Readable by its owner only: a key others on the host can read lets them sign a rewritten log.
  const mode = (await stat(file)).mode;
  if (warn && (mode & 0o077) !== 0) {
    new Logger('AuditSigner').warn(`AUDIT_SIGNING_KEY_FILE=${JSON.stringify(file)} can be read by others than its owner (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
  }
  const headsFile = config.audit.headsFile ?? join(dirname(file), HEADS_FILE);
  await requireHeadsFilePlace(headsFile, config.audit.headsFile !== undefined);
  return new AuditSigner(key, headsFile);
}

/** `AUDIT_HEADS_FILE` checked on its own, before a start that generates its key later (embedded mode). */
export function checkHeadsFilePlace(file: string): Promise<void> {
  return requireHeadsFilePlace(file, true);
}

/** The heads file is a file, in a folder that exists: else every head would be signed into the database alone, the copy outside it never written. */
async function requireHeadsFilePlace(file: string, named: boolean): Promise<void> {
  const setting = named ? `AUDIT_HEADS_FILE=${JSON.stringify(file)}` : `the heads file ${JSON.stringify(file)} (beside the key; AUDIT_HEADS_FILE names another)`;
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (found && !found.isFile()) throw new ConfigurationError([`${setting}: not a file`]);
  if (!found && !(await stat(dirname(file)).then((folder) => folder.isDirectory(), () => false))) {
    throw new ConfigurationError([`${setting}: its folder ${JSON.stringify(dirname(file))} does not exist`]);
  }
}

const HEADS_FILE = 'audit-heads.jsonl';

/** Where signed heads are appended: AUDIT_HEADS_FILE, else beside the key; undefined if unknown here. */
export function auditHeadsFile(config: AppConfig): string | undefined {
  if (config.audit.headsFile) return config.audit.headsFile;
  if (config.audit.signingKeyFile) return join(dirname(config.audit.signingKeyFile), HEADS_FILE);
  return config.databaseUrl ? undefined : join(config.dataDir, HEADS_FILE);
}

/** Reads a saved head: the JSON of GET /audit/tree-head, or the last line of a heads file. */
export function parseSavedHead(text: string): SignedTreeHead {
  const line = text.trim().split('\n').filter((l) => l.trim() !== '').at(-1);
  if (!line) throw new Error('the file holds no tree head');
  let head: Partial<SignedTreeHead>;
  try {
    head = JSON.parse(text); // one JSON document, however laid out
  } catch (whole) {
    try {
      head = JSON.parse(line); // a heads file: its last line
    } catch {
      throw new Error(`not JSON, neither whole nor as its last line (a file cut short?): ${(whole as Error).message}`);
    }
  }
  if (typeof head !== 'object' || head === null || !Number.isSafeInteger(head.treeSize) || typeof head.rootHash !== 'string' || typeof head.timestamp !== 'string' || typeof head.signature !== 'string' || typeof head.publicKey !== 'string') {
    throw new Error('not a signed tree head: {treeSize, rootHash, timestamp, signature, publicKey} expected');
  }
  // Read, not yet checked: a value no head could have is a head that cannot be read, not a log that fails it.
  if (head.treeSize! < 0) throw new Error(`treeSize ${head.treeSize} is not a number of entries`);
  if (!/^[0-9a-f]{64}$/.test(head.rootHash!)) throw new Error('rootHash is not a SHA-256 in hex (64 hex digits)');
  if (Number.isNaN(Date.parse(head.timestamp!))) throw new Error(`timestamp ${JSON.stringify(head.timestamp)} is not a time`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(head.signature!)) throw new Error('signature is not base64');
  // Every Ed25519 signature is 64 bytes (RFC 8032 §5.1.6): another length is no signature at all.
  const signatureBytes = Buffer.from(head.signature!, 'base64').length;
  if (signatureBytes !== 64) throw new Error(`signature is ${signatureBytes} bytes, where an Ed25519 signature is 64`);
  let key: KeyObject;
  try {
    key = publicKeyOf(head.publicKey!); // a heads file's lines all carry the log's key: parsed once
  } catch {
    throw new Error('publicKey is not a public key in PEM');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`publicKey is a ${key.asymmetricKeyType} key, not Ed25519`);
  return head as SignedTreeHead;
}

/**
 * The heads of a heads file, one a line. A last line without its newline that does not parse is a
 * write cut short (a crash, a full disk) and is left out; any other line that does not parse is an
 * error naming it.
 */
export function parseHeadsFile(text: string): SignedTreeHead[] {
  const lines = text.split('\n');
  const torn = lines.length > 0 && !text.endsWith('\n') ? lines.length - 1 : -1;
  return lines.flatMap((line, i) => headOfLine(line, i + 1, i !== torn) ?? []);
}

/** A line of a heads file: its head, or none for a blank line or a last line cut short (not `whole`); else an error naming it. */
function headOfLine(line: string, number: number, whole: boolean): SignedTreeHead | undefined {
  if (line.trim() === '') return undefined;
  try {
    return parseSavedHead(line);
  } catch (error) {
    if (!whole) return undefined;
    throw new Error(`line ${number} is not a signed tree head (${(error as Error).message})`);
  }
}

/**
 * A heads file, read as a stream of lines, never whole: the sealer signs a head a second while it
 * has work, so the file of a long-running log holds hundreds of thousands (a million is some 430 MB).
 * `read` goes through it once, as `parseHeadsFile` reads a text (an error names the first line that
 * is no head; a last line cut short is left out), keeping only the count and the last head; each
 * pass over it afterwards (`for await`) reads the same bytes again as heads, not what was appended
 * since. A pass that finds them changed otherwise (the file replaced meanwhile) throws.
 */
export class HeadsFile implements AsyncIterable<SignedTreeHead> {
  /** No heads file: none to read. */
  static readonly NONE = new HeadsFile(null, 0, 0, 0);

  private constructor(
    readonly file: string | null,
    /** Bytes read by `read`: later passes read these only. */
    private readonly size: number,
    /** Its lines, the last one included even when cut short. */
    private readonly lines: number,
    /** Its heads. */
    readonly count: number,
    readonly last?: SignedTreeHead,
    /** The head on a last line without its newline (a crash after the head, before the newline), as `read` found it. */
    private readonly tail?: SignedTreeHead,
  ) {}

  /** Reads `file` through once; none there is a file of no heads. */
  static async read(file: string): Promise<HeadsFile> {
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (!handle) return new HeadsFile(file, 0, 0, 0);
    let size: number;
    let lines = 0;
    let count = 0;
    let last: SignedTreeHead | undefined;
    let tail: SignedTreeHead | undefined;
    try {
      size = (await handle.stat()).size;
      for await (const { line, number, whole } of linesOf(handle, size)) {
        lines = number;
        const head = headOfLine(line, number, whole);
        if (!head) continue;
        count++;
        last = head;
        if (!whole) tail = head;
      }
    } finally {
      await handle.close();
    }
    return new HeadsFile(file, size, lines, count, last, tail);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SignedTreeHead> {
    if (this.file === null || this.lines === 0) return;
    const changed = (what: string) => new Error(`the heads file ${this.file} changed while it was read: ${what}`);
    const handle = await open(this.file, 'r').catch(() => Promise.reject(changed('it is gone')));
    let count = 0;
    try {
      for await (const { line, number, whole } of linesOf(handle, this.size)) {
        // The last line, cut short when it was read first, may have been cut off and overwritten since (AuditSigner.record).
        if (!whole && number === this.lines) {
          if (!this.tail) continue;
          count++;
          yield this.tail;
          continue;
        }
        let head: SignedTreeHead | undefined;
        try {
          head = headOfLine(line, number, true);
        } catch (error) {
          throw changed((error as Error).message);
        }
        if (!head) continue;
        count++;
        yield head;
      }
    } finally {
      await handle.close();
    }
    if (count !== this.count) throw changed(`${count} heads where it held ${this.count}`);
  }
}

/**
 * The lines of the first `size` bytes of an open file (node:readline over a stream of it), numbered
 * from 1, each with whether a newline ends it (only the last may lack one).
 */
async function* linesOf(handle: FileHandle, size: number): AsyncGenerator<{ line: string; number: number; whole: boolean }> {
  if (size === 0) return;
  const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
  const endsWhole = buffer[0] === 0x0a;
  const input = handle.createReadStream({ start: 0, end: size - 1, autoClose: false });
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    // Each line is given once the next is read (or the file ends): only then is it known to be the last.
    let previous: string | undefined;
    let number = 0;
    for await (const line of reader) {
      if (previous !== undefined) yield { line: previous, number, whole: true };
      previous = line;
      number++;
    }
    if (previous !== undefined) yield { line: previous, number, whole: endsWhole };
  } finally {
    reader.close();
    input.destroy();
  }
}

/**
 * The heads kept outside the database (`auditHeadsFile`), read through once (`HeadsFile`): none when
 * this process does not know the file or it does not exist yet.
 */
export async function readHeadsFile(config: AppConfig): Promise<{ file: string | null; heads: HeadsFile; unreadable?: string }> {
  const file = auditHeadsFile(config) ?? null;
  if (!file) return { file, heads: HeadsFile.NONE };
  try {
    return { file, heads: await HeadsFile.read(file) };
  } catch (error) {
    // Not readable here (permissions) or not a heads file: a verification that cannot check it must say so.
    return { file, heads: HeadsFile.NONE, unreadable: `the heads file ${file} cannot be read: ${(error as Error).message}` };
  }
}

/**
 * Why the heads file cannot vouch for a log that has signed heads: it holds none (moved, emptied,
 * or another file named). The copy outside the database is what catches a database insider, so a
 * verification without it says so rather than "intact". Undefined when it can vouch.
 */
export function missingHeadsProblem(file: string | null, headsInFile: number, signedSize: number): string | undefined {
  // A process that knows no heads file (an API without the audit settings) checks the database's heads only, and says so.
  if (file === null || signedSize === 0 || headsInFile > 0) return undefined;
  return (
    `the log has signed heads (the latest of ${signedSize} entries), but ${file} holds none: ` +
    'the copy kept outside the database was moved or emptied, or AUDIT_HEADS_FILE names another file than the one the log is sealed to'
  );
}

/**
 * Cuts a file back to the end of its last whole line: the number of bytes cut (0 when it ends in a
 * newline, is empty or does not exist). Reads back from the end only as far as that newline.
 */
export async function cutTornTail(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        const whole = start + newline + 1;
        if (whole < size) await handle.truncate(whole);
        return size - whole;
      }
      end = start;
    }
    if (size > 0) await handle.truncate(0);
    return size;
  } finally {
    await handle.close();
  }
}

async function generateKeyFile(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
