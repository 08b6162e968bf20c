import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1 (Certificate Transparency 2.0): leaf hash SHA-256(0x00 ‖ leaf),
 * node hash SHA-256(0x01 ‖ left ‖ right), the tree over n leaves split at the largest power of two
 * smaller than n. Plain TypeScript, no I/O: hashes of complete subtrees come from a `Subtrees`
 * source (the stored tree nodes, or memory), so a proof costs O(log n) of them.
 */

export type Hash = Buffer;

/** Hash of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export function leafHash(leaf: Buffer | string): Hash {
  return createHash('sha256').update(Buffer.from([0])).update(leaf).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/**
 * Hashes of complete, aligned subtrees: `level` L and `index` i cover leaves [i·2^L, (i+1)·2^L).
 * Level 0 holds the leaf hashes.
 */
export interface Subtrees {
  subtree(level: number, index: number): Hash;
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** MTH(D[start:end]); `start` is aligned as every subtree of an RFC 9162 tree is. */
export function rangeHash(start: number, end: number, source: Subtrees): Hash {
  const size = end - start;
  if (size <= 0) return EMPTY_ROOT;
  if (isPowerOfTwo(size) && start % size === 0) return source.subtree(Math.log2(size), start / size);
  const k = splitPoint(size);
  return nodeHash(rangeHash(start, start + k, source), rangeHash(start + k, end, source));
}

export function rootHash(size: number, source: Subtrees): Hash {
  return rangeHash(0, size, source);
}

/** PATH(m, D[0:n]) of RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size`. */
export function inclusionProof(index: number, size: number, source: Subtrees): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path = (m: number, start: number, end: number): Hash[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, start, start + k), rangeHash(start + k, end, source)]
      : [...path(m - k, start + k, end), rangeHash(start, start + k, source)];
  };
  return path(index, 0, size);
}

/** PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1: the consistency proof between trees of sizes m ≤ n. */
export function consistencyProof(m: number, n: number, source: Subtrees): Hash[] {
  if (!(m >= 0 && m <= n)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  if (m === 0 || m === n) return [];
  const subproof = (m: number, start: number, end: number, b: boolean): Hash[] => {
    const n = end - start;
    if (m === n) return b ? [] : [rangeHash(start, end, source)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, start + k, b), rangeHash(start + k, end, source)]
      : [...subproof(m - k, start + k, end, false), rangeHash(start, start + k, source)];
  };
  return subproof(m, 0, n, true);
}

/**
 * The subtrees a computation asks for, found by running it once against a source that records
 * them (the shape of a proof does not depend on the hashes): fetch them in one read, then run again.
 */
export function subtreesNeeded(compute: (source: Subtrees) => unknown): Array<{ level: number; index: number }> {
  const seen = new Map<string, { level: number; index: number }>();
  compute({
    subtree(level, index) {
      seen.set(`${level}:${index}`, { level, index });
      return EMPTY_ROOT;
    },
  });
  return [...seen.values()];
}

/** A Subtrees source over a map keyed `level:index`; throws for a node it lacks. */
export class SubtreeMap implements Subtrees {
  readonly nodes = new Map<string, Hash>();

  set(level: number, index: number, hash: Hash): void {
    this.nodes.set(`${level}:${index}`, hash);
  }

  subtree(level: number, index: number): Hash {
    const hash = this.nodes.get(`${level}:${index}`);
    if (!hash) throw new Error(`tree node ${level}:${index} is missing`);
    return hash;
  }
}

/**
 * The right edge of a growing tree: one complete subtree per set bit of its size. Appending a leaf
 * answers every node it completes (the leaf first), which is what a sealer stores.
 */
export class TreeFrontier {
  /** frontier[level] is the hash of the complete subtree at that level on the right edge, if any. */
  private readonly frontier: Array<Hash | undefined> = [];

  constructor(
    public size = 0,
    edge: Subtrees = { subtree: () => EMPTY_ROOT },
  ) {
    for (let level = 0; 2 ** level <= size; level++) {
      if (Math.floor(size / 2 ** level) % 2 === 1) this.frontier[level] = edge.subtree(level, Math.floor(size / 2 ** level) - 1);
    }
  }

  /** The subtrees a frontier of `size` is made of (for reading them before constructing one). */
  static edgeOf(size: number): Array<{ level: number; index: number }> {
    const nodes: Array<{ level: number; index: number }> = [];
    for (let level = 0; 2 ** level <= size; level++) {
      if (Math.floor(size / 2 ** level) % 2 === 1) nodes.push({ level, index: Math.floor(size / 2 ** level) - 1 });
    }
    return nodes;
  }

  append(leaf: Hash): Array<{ level: number; index: number; hash: Hash }> {
    const made = [{ level: 0, index: this.size, hash: leaf }];
    let hash = leaf;
    let level = 0;
    let index = this.size;
    while (index % 2 === 1) {
      hash = nodeHash(this.frontier[level]!, hash);
      this.frontier[level] = undefined;
      level++;
      index = (index - 1) / 2;
      made.push({ level, index, hash });
    }
    this.frontier[level] = hash;
    this.size++;
    return made;
  }

  root(): Hash {
    let hash: Hash | undefined;
    for (let level = 0; level < this.frontier.length; level++) {
      const node = this.frontier[level];
      if (node) hash = hash ? nodeHash(node, hash) : node;
    }
    return hash ?? EMPTY_ROOT;
  }
}

/** RFC 9162 §2.1.3.2: does `path` prove leaf `index` (hash `leaf`) in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Hash, path: Hash[], root: Hash): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (`size2`, `root2`) extends (`size1`, `root1`)? */
export function verifyConsistency(size1: number, size2: number, proof: Hash[], root1: Hash, root2: Hash): boolean {
  if (!(size1 >= 0 && size1 <= size2)) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0 && root1.equals(EMPTY_ROOT);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

export const toHex = (hash: Hash): string => hash.toString('hex');
export const fromHex = (hex: string): Hash => Buffer.from(hex, 'hex');
