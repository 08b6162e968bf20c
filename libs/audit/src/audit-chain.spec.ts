import { type AuditEntry, type AuditRecord, ChainVerifier, chainHash, GENESIS_HASH } from './audit-chain.js';

function chain(count: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const record: AuditRecord = {
      seq,
      id: `00000000-0000-4000-8000-00000000000${seq}`,
      at: `2026-11-29T10:00:0${seq}.000Z`,
      actorId: 'u1',
      actorRole: 'drafter',
      action: 'EditCable',
      streamId: 'cable-1',
      streamType: 'cable',
      fromVersion: seq - 1,
      toVersion: seq,
      requestId: `r${seq}`,
      details: { events: ['CableEdited'], note: { b: 2, a: 1 } },
    };
    const hash = chainHash(prevHash, record);
    entries.push({ ...record, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

function verify(entries: AuditEntry[]) {
  const verifier = new ChainVerifier();
  entries.every((entry) => verifier.check(entry));
  return verifier;
}

describe('audit hash chain', () => {
  it('hashes the canonical JSON, so key order does not matter', () => {
    const [entry] = chain(1);
    const { prevHash, hash, ...record } = entry;
    const reordered = { ...record, details: { note: { a: 1, b: 2 }, events: ['CableEdited'] } };
    expect(chainHash(prevHash, reordered)).toBe(hash);
  });

  it('accepts an intact chain', () => {
    const verifier = verify(chain(5));
    expect(verifier.broken).toBeUndefined();
    expect(verifier.entries).toBe(5);
  });

  it('names the first altered entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2], actorId: 'someone-else' };
    expect(verify(entries).broken).toEqual({ seq: 3, reason: expect.stringMatching(/altered/) });
  });

  it('finds a removed entry and a re-hashed forgery', () => {
    const entries = chain(5);
    expect(verify([...entries.slice(0, 2), ...entries.slice(3)]).broken?.seq).toBe(4);
    const forged = { ...entries[1], action: 'ReleaseCable' };
    const { prevHash, hash: _old, ...record } = forged;
    entries[1] = { ...forged, hash: chainHash(prevHash, record) };
    expect(verify(entries).broken).toEqual({ seq: 3, reason: expect.stringMatching(/previous hash/) });
  });
});
