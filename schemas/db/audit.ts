/** Audit log: our tamper-evident memory of every change (a hash chain), with signed checkpoints. */
import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

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

export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  seq: integer('seq').primaryKey(),
  hash: text('hash').notNull(),
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  kid: text('kid').notNull(),
  jws: text('jws').notNull(),
});
