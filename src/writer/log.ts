/**
 * The audit log's record format, shared by the writer (which appends) and audit verify and the proofs (which read):
 * hash = SHA-256 of the JCS form of {seq, at, actor, action, subject, dataDigest, prevHash}, a hash chain, and a
 * Merkle tree (RFC 9162, src/lib/merkle.ts) over the record hashes, its nodes stored in audit_tree.
 */
import { sql } from 'drizzle-orm';
import type { Db, Stmt } from '../deps.js';
import { auditTree } from '../../schemas/db/index.js';
import { canonicalJson, sha256HexSync } from '../lib/encoding.js';
import { insertRows } from '../lib/raw-insert.js';
import type { Hash } from '../lib/merkle.js';

export const GENESIS = '0'.repeat(64);
/** MTH of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const TREE_HEAD_TYP = 'fuyuan-tree-head+jws';

export interface AuditRecord {
  seq: number;
  hash: string;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  data: string;
  dataDigest: string;
  prevHash: string;
}

export const recordHash = (r: Omit<AuditRecord, 'hash' | 'data'>): string =>
  sha256HexSync(
    canonicalJson({
      seq: r.seq,
      at: r.at.getTime(),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      dataDigest: r.dataDigest,
      prevHash: r.prevHash,
    }),
  );

/** A signed tree head: the gateway's signature over (tree size, root, chain hash, time). */
export interface TreeHead {
  type: 'audit-tree-head';
  treeSize: number;
  rootHash: string;
  hash: string;
  at: string;
}

export const toBytes = (v: unknown): Uint8Array =>
  v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : Uint8Array.from(v as number[]);

/** Stored tree nodes by key (one read; keys as one JSON parameter: D1 allows 100 parameters). */
export async function treeNodes(db: Db, keys: number[]): Promise<Map<number, Hash>> {
  const out = new Map<number, Hash>();
  if (keys.length === 0) return out;
  const rows = (await db.orm.all(sql`select key, hash from audit_tree where key in (select value from json_each(${JSON.stringify(keys)}))`)) as {
    key: number;
    hash: unknown;
  }[];
  for (const r of rows) out.set(Number(r.key), toBytes(r.hash));
  return out;
}

/** Insert statements of tree nodes, 400 rows each. */
export const treeStmts = (stored: { key: number; hash: Hash }[]): Stmt[] => {
  const out: Stmt[] = [];
  for (let i = 0; i < stored.length; i += 400) out.push(insertRows(auditTree, stored.slice(i, i + 400)));
  return out;
};
