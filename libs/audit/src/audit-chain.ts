import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** What an audit entry records; the hash covers every field of it. */
export interface AuditRecord {
  seq: number;
  id: string;
  at: string;
  actorId: string;
  actorRole: string;
  action: string;
  streamId: string | null;
  streamType: string | null;
  fromVersion: number | null;
  toVersion: number | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditRecord {
  prevHash: string;
  hash: string;
}

/** SHA-256 over the previous entry's hash and this entry's canonical JSON (RFC 8785). */
export function chainHash(prevHash: string, record: AuditRecord): string {
  const body = canonicalize(record);
  if (body === undefined) throw new Error('An audit record must be serializable');
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/** Walks entries in order and answers the first that does not follow from the one before it. */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  broken?: ChainBreak;

  get entries(): number {
    return this.expectedSeq - 1;
  }

  get head(): string {
    return this.prevHash;
  }

  /** False once the chain is broken; the break is in `broken`. */
  check(entry: AuditEntry): boolean {
    if (this.broken) return false;
    const { prevHash, hash, ...record } = entry;
    if (entry.seq !== this.expectedSeq) {
      this.broken = { seq: entry.seq, reason: `expected entry ${this.expectedSeq}, found ${entry.seq}: entries are missing` };
    } else if (prevHash !== this.prevHash) {
      this.broken = { seq: entry.seq, reason: 'previous hash does not match the entry before it' };
    } else if (chainHash(prevHash, record) !== hash) {
      this.broken = { seq: entry.seq, reason: 'content does not match its hash: the entry was altered' };
    }
    if (this.broken) return false;
    this.prevHash = hash;
    this.expectedSeq++;
    return true;
  }
}
