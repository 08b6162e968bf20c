import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { type Hash, leafHash } from './merkle.js';

/**
 * What an audit entry records, as sealed: its leaf is SHA-256(0x00 ‖ RFC 8785 JSON of exactly these
 * fields). `seq` is its place in the tree (leaf index + 1), given by the sealer in commit order.
 */
export interface AuditEntry {
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

/** An event a command wrote, as its audit entry names it. */
export interface AuditedEvent {
  id: string;
  type: string;
  version: number;
  /** Hex SHA-256 of the RFC 8785 JSON of the event's data. */
  sha256: string;
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('An audit record must be serializable');
  return text;
}

/** SHA-256 of the UTF-8 of RFC 8785 JSON: how an entry names an event's data. */
export function dataDigest(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data ?? null)).digest('hex');
}

export function entryLeafHash(entry: AuditEntry): Hash {
  return leafHash(Buffer.from(canonicalJson(entry), 'utf8'));
}

/** The fields of an entry, and nothing else: what is hashed is what the API shows as `entry`. */
export function pickEntry(source: AuditEntry): AuditEntry {
  const { seq, id, at, actorId, actorRole, action, streamId, streamType, fromVersion, toVersion, requestId, details } = source;
  return { seq, id, at, actorId, actorRole, action, streamId, streamType, fromVersion, toVersion, requestId, details };
}
