/**
 * Audit log: our tamper-evident memory of every change: a hash chain, a Merkle tree over it (RFC 9162, nodes in
 * audit_tree) and signed tree heads (audit_checkpoints). See src/services/audit.ts and schemas/wire/audit-proofs.md.
 */
import { sqliteTable, text, integer, blob } from 'drizzle-orm/sqlite-core';

export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey(), // 1, 2, 3 … no gaps
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subject: text('subject').notNull(),
  data: text('data').notNull(), // JSON, canonical (RFC 8785)
  dataDigest: text('data_digest').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/** Signed heads: the gateway's signature over (tree size, Merkle root, chain hash); one per committed write group. */
export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  seq: integer('seq').primaryKey(), // the tree size it signs
  hash: text('hash').notNull(),
  /** Merkle tree root (RFC 9162 MTH) of the first `seq` records, hex; null on heads signed before the tree existed. */
  root: text('root'),
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  kid: text('kid').notNull(),
  jws: text('jws').notNull(),
});

/**
 * Nodes of the Merkle tree's complete subtrees (level 0: the leaves), each stored once when its last leaf arrives.
 * key = (index of that last leaf) · 64 + level (src/lib/merkle.ts nodeKey): a range of leaves is a range of keys.
 */
export const auditTree = sqliteTable('audit_tree', {
  key: integer('key').primaryKey(),
  hash: blob('hash', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
});
