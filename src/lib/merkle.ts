/**
 * The audit log as a Merkle tree in the manner of Certificate Transparency (RFC 9162 §2.1), over SHA-256:
 *
 *   leaf hash  MTH({d}) = SHA-256(0x00 || d)               (§2.1.1; d = the 32 bytes of an audit record's hash)
 *   node hash  SHA-256(0x01 || left || right)               (§2.1.1)
 *   inclusion proof PATH(m, D[n])                           (§2.1.3.1), verified as in §2.1.3.2
 *   consistency proof PROOF(m, D[n])                        (§2.1.4.1), verified as in §2.1.4.2
 *
 * Storage: every node of a complete (perfect, aligned) subtree is kept once, when its last leaf arrives; a node
 * (level, index) covers leaves [index·2^level, (index+1)·2^level). Its key, nodeKey(level, index), orders the nodes
 * by the leaf that completes them, so the nodes of a range of leaves are a range of keys. Any MTH(D[a:b]) the
 * proofs need is a stored node or a fold of O(log n) of them, so a proof costs one read of ~2·log2(n) keys.
 *
 * Pure and runtime-neutral: the digests are the in-thread SHA-256 of src/lib/encoding.ts.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export type Hash = Uint8Array;

let digest: (data: Uint8Array) => Uint8Array = (d) => sha256(d);
/** A runtime with a native SHA-256 binds it (adapters/node/crypto.ts); it must equal @noble's. */
export function bindMerkleSha256(impl: (data: Uint8Array) => Uint8Array): void {
  digest = impl;
}

export function leafHash(data: Uint8Array): Hash {
  const b = new Uint8Array(data.length + 1);
  b[0] = 0;
  b.set(data, 1);
  return digest(b);
}

export function nodeHash(left: Hash, right: Hash): Hash {
  const b = new Uint8Array(65);
  b[0] = 1;
  b.set(left, 1);
  b.set(right, 33);
  return digest(b);
}

export const hexToBytes = (hex: string): Uint8Array => {
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
};
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export const bytesToHex = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] as number];
  return s;
};
const equal = (a: Hash, b: Hash) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Leaf hash of an audit record: its hash (hex) as the 32 bytes of leaf data. */
export const recordLeaf = (recordHashHex: string): Hash => leafHash(hexToBytes(recordHashHex));

/** Key of the stored node (level, index): the leaf that completes it, times 64, plus the level. */
export const nodeKey = (level: number, index: number): number => ((index + 1) * 2 ** level - 1) * 64 + level;
export const keyNode = (key: number): { level: number; index: number } => {
  const level = key % 64;
  const last = (key - level) / 64;
  return { level, index: (last + 1) / 2 ** level - 1 };
};

/**
 * The right edge of a tree of `size` leaves: the roots of its perfect subtrees, largest first (a "compact
 * range"). Appending a leaf merges equal neighbours; each merge is a node to store.
 */
export interface Frontier {
  size: number;
  /** Largest first; entry i covers 2^level leaves. */
  nodes: { level: number; hash: Hash }[];
}
export const EMPTY_FRONTIER: Frontier = { size: 0, nodes: [] };

/** Append leaves; returns the new frontier and every node completed on the way (leaves included), with keys. */
export function appendLeaves(f: Frontier, leaves: Hash[]): { frontier: Frontier; stored: { key: number; hash: Hash }[] } {
  const nodes = f.nodes.slice();
  const stored: { key: number; hash: Hash }[] = [];
  let size = f.size;
  for (const leaf of leaves) {
    let level = 0;
    let hash = leaf;
    let index = size;
    stored.push({ key: nodeKey(0, index), hash });
    while (nodes.length && nodes.at(-1)!.level === level) {
      const left = nodes.pop()!;
      hash = nodeHash(left.hash, hash);
      level++;
      index = Math.floor(index / 2);
      stored.push({ key: nodeKey(level, index), hash });
    }
    nodes.push({ level, hash });
    size++;
  }
  return { frontier: { size, nodes }, stored };
}

/** MTH of the whole tree from its frontier (RFC 9162 §2.1.1); the empty tree's is SHA-256 of nothing. */
export function frontierRoot(f: Frontier): Hash {
  if (f.nodes.length === 0) return digest(new Uint8Array(0));
  let r = f.nodes.at(-1)!.hash;
  for (let i = f.nodes.length - 2; i >= 0; i--) r = nodeHash(f.nodes[i]!.hash, r);
  return r;
}

/** Keys of the frontier nodes of a tree of `size` leaves (to load it from storage). */
export function frontierKeys(size: number): { level: number; key: number }[] {
  const out: { level: number; key: number }[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const w = 2 ** level;
    if (size - start >= w) {
      out.push({ level, key: nodeKey(level, start / w) });
      start += w;
    }
  }
  return out;
}

const largestPow2Below = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** A source of stored nodes; `get` is synchronous over what was fetched (see withNodes). */
export type NodeGetter = (level: number, index: number) => Hash;

/** What withNodes' first pass hands out for every node: hashing it would be wasted work, so combine skips it. */
const PLACEHOLDER: Hash = new Uint8Array(32);
const combine = (left: Hash, right: Hash): Hash => (left === PLACEHOLDER || right === PLACEHOLDER ? PLACEHOLDER : nodeHash(left, right));

/** MTH(D[a:b]) from stored nodes; a is a multiple of the largest power of two below b − a, as in every proof. */
function subtreeHash(get: NodeGetter, a: number, b: number): Hash {
  const n = b - a;
  if ((n & (n - 1)) === 0 && a % n === 0) return get(Math.log2(n), a / n);
  const k = largestPow2Below(n);
  return combine(subtreeHash(get, a, a + k), subtreeHash(get, a + k, b));
}

/** PATH(m, D[a:b]) of RFC 9162 §2.1.3.1, leaf m counted from a. */
function path(get: NodeGetter, m: number, a: number, b: number): Hash[] {
  const n = b - a;
  if (n <= 1) return [];
  const k = largestPow2Below(n);
  if (m < k) return [...path(get, m, a, a + k), subtreeHash(get, a + k, b)];
  return [...path(get, m - k, a + k, b), subtreeHash(get, a, a + k)];
}

/** SUBPROOF(m, D[a:b], flag) of RFC 9162 §2.1.4.1. */
function subproof(get: NodeGetter, m: number, a: number, b: number, complete: boolean): Hash[] {
  const n = b - a;
  if (m === n) return complete ? [] : [subtreeHash(get, a, b)];
  const k = largestPow2Below(n);
  if (m <= k) return [...subproof(get, m, a, a + k, complete), subtreeHash(get, a + k, b)];
  return [...subproof(get, m - k, a + k, b, false), subtreeHash(get, a, a + k)];
}

/**
 * Run `compute` over stored nodes fetched in ONE read: a first pass records which nodes it needs (with
 * placeholders, which the folds of subtrees pass on without hashing), `fetch` loads them by key, the second pass
 * computes with them. `compute` should return hashes, not their hex: the first pass's result is thrown away.
 */
export async function withNodes<T>(fetch: (keys: number[]) => Promise<Map<number, Hash>>, compute: (get: NodeGetter) => T): Promise<T> {
  const wanted = new Set<number>();
  compute((level, index) => {
    wanted.add(nodeKey(level, index));
    return PLACEHOLDER;
  });
  const got = await fetch([...wanted]);
  return compute((level, index) => {
    const h = got.get(nodeKey(level, index));
    if (!h) throw new Error(`tree node ${level}/${index} is missing`);
    return h;
  });
}

export const inclusionProof = (get: NodeGetter, leafIndex: number, treeSize: number): Hash[] => path(get, leafIndex, 0, treeSize);
export const consistencyProof = (get: NodeGetter, first: number, second: number): Hash[] =>
  first === 0 || first === second ? [] : subproof(get, first, 0, second, true);
export const rootOf = (get: NodeGetter, treeSize: number): Hash => (treeSize === 0 ? digest(new Uint8Array(0)) : subtreeHash(get, 0, treeSize));

/** RFC 9162 §2.1.3.2: does `proof` show `leaf` at `leafIndex` in the tree of `treeSize` with `root`? */
export function verifyInclusion(leaf: Hash, leafIndex: number, treeSize: number, proof: Hash[], root: Hash): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (second, secondRoot) extends (first, firstRoot)? */
export function verifyConsistency(first: number, second: number, proof: Hash[], firstRoot: Hash, secondRoot: Hash): boolean {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : proof.slice();
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else sr = nodeHash(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}
