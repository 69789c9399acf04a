/**
 * The unit directory (docs/domain.md §3): regions, units (names, aliases, kind, entrustment, abolition and
 * successor), courts and procuratorates with the regions they serve. Kept as whole, validated snapshots:
 * every change writes a new version, routing records the version it used, so an old decision can always
 * be explained against the directory it saw.
 */
import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

export const directorySnapshots = sqliteTable('directory_snapshots', {
  version: integer('version').primaryKey(),
  data: text('data').notNull(), // DirectoryFile JSON (src/domain/routing/directory-file.ts)
  digest: text('digest').notNull(), // SHA-256 of the JCS form of data
  actor: text('actor').notNull(),
  note: text('note').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
