import { createHash } from 'node:crypto';
import {
  consistencyProof,
  EMPTY_ROOT,
  type Hash,
  inclusionProof,
  leafHash,
  rootHash,
  type Subtrees,
  subtreesNeeded,
  toHex,
  TreeFrontier,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// RFC 6962/9162 test vectors of the Certificate Transparency reference implementation.
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) => Buffer.from(hex, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** MTH straight from the RFC's definition, over the leaf hashes, with no stored subtrees. */
function naiveRoot(leaves: Hash[]): Hash {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash('sha256').update(Buffer.from([1])).update(naiveRoot(leaves.slice(0, k))).update(naiveRoot(leaves.slice(k))).digest();
}

/** Complete subtrees hashed from the leaves, as a store of tree nodes would answer them. */
function source(leaves: Hash[]): Subtrees & { reads: number } {
  return {
    reads: 0,
    subtree(level, index) {
      this.reads++;
      const width = 2 ** level;
      if ((index + 1) * width > leaves.length) throw new Error(`no complete subtree ${level}:${index}`);
      return naiveRoot(leaves.slice(index * width, (index + 1) * width));
    },
  };
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

describe('Merkle tree (RFC 9162 §2.1)', () => {
  it('computes the reference roots', () => {
    const leaves = INPUTS.map((input) => leafHash(input));
    expect(toHex(rootHash(0, source(leaves)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let n = 1; n <= 8; n++) {
      expect(toHex(rootHash(n, source(leaves)))).toBe(ROOTS[n - 1]);
      const frontier = new TreeFrontier();
      leaves.slice(0, n).forEach((leaf) => frontier.append(leaf));
      expect(toHex(frontier.root())).toBe(ROOTS[n - 1]);
    }
  });

  it('proves and verifies every leaf of every tree of 1 to 64 leaves', () => {
    const all = leavesOf(64);
    for (let n = 1; n <= 64; n++) {
      const leaves = all.slice(0, n);
      const root = naiveRoot(leaves);
      for (let m = 0; m < n; m++) {
        const path = inclusionProof(m, n, source(leaves));
        expect(verifyInclusion(m, n, leaves[m], path, root)).toBe(true);
        expect(verifyInclusion(m, n, leafHash('forged'), path, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(m, n, leaves[m], path.slice(0, -1), root)).toBe(false);
        if (path.length > 0) expect(verifyInclusion(m, n, leaves[m], [EMPTY_ROOT, ...path.slice(1)], root)).toBe(false);
      }
    }
  });

  it('proves and verifies consistency between every pair of sizes m ≤ n ≤ 64', () => {
    const all = leavesOf(64);
    for (let n = 1; n <= 64; n++) {
      const root2 = naiveRoot(all.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const root1 = naiveRoot(all.slice(0, m));
        const proof = consistencyProof(m, n, source(all.slice(0, n)));
        expect(verifyConsistency(m, n, proof, root1, root2)).toBe(true);
        if (m < n) {
          // A tree that rewrote one of the first m leaves does not extend the old one.
          const rewritten = naiveRoot([leafHash('rewritten'), ...all.slice(1, n)]);
          expect(verifyConsistency(m, n, proof, root1, rewritten)).toBe(false);
          expect(verifyConsistency(m, n, proof.slice(1), root1, root2)).toBe(false);
        }
      }
    }
  });

  it('needs O(log n) stored subtrees per proof', () => {
    const leaves = leavesOf(1000);
    for (const [m, n] of [[0, 1000], [499, 1000], [999, 1000]]) {
      const needed = subtreesNeeded((s) => inclusionProof(m, n, s));
      expect(needed.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
    }
    expect(subtreesNeeded((s) => consistencyProof(377, 1000, s)).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
    expect(subtreesNeeded((s) => rootHash(1000, s)).length).toBeLessThanOrEqual(Math.ceil(Math.log2(1000)));
    const counted = source(leaves);
    rootHash(1000, counted);
    expect(counted.reads).toBe(6); // 1000 = 512 + 256 + 128 + 64 + 32 + 8
  });

  it('grows a frontier that answers every node it completes, and restarts from its stored edge', () => {
    const leaves = leavesOf(37);
    const stored = new Map<string, Hash>();
    const frontier = new TreeFrontier();
    for (const leaf of leaves.slice(0, 20)) for (const node of frontier.append(leaf)) stored.set(`${node.level}:${node.index}`, node.hash);
    const edge = TreeFrontier.edgeOf(20);
    expect(edge).toEqual([{ level: 2, index: 4 }, { level: 4, index: 0 }]);
    const resumed = new TreeFrontier(20, { subtree: (level, index) => stored.get(`${level}:${index}`)! });
    for (const leaf of leaves.slice(20)) for (const node of resumed.append(leaf)) stored.set(`${node.level}:${node.index}`, node.hash);
    expect(resumed.root().equals(naiveRoot(leaves))).toBe(true);
    const fromStore = { subtree: (level: number, index: number) => stored.get(`${level}:${index}`)! };
    expect(rootHash(37, fromStore).equals(naiveRoot(leaves))).toBe(true);
    expect(stored.size).toBe(37 + 18 + 9 + 4 + 2 + 1);
  });
});
