/** Content-addressed attachment bytes for the default (SQL) BlobStore. */
import { sqliteTable, text, integer, blob } from 'drizzle-orm/sqlite-core';

export const blobs = sqliteTable('blobs', {
  sha256: text('sha256').primaryKey(),
  size: integer('size').notNull(),
  bytes: blob('bytes', { mode: 'buffer' }).$type<Uint8Array>().notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
