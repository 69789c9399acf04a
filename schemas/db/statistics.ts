/** Frozen, signed meeting packs for joint government–court meetings (府院联席会议; docs/domain.md §7). */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const meetingPacks = sqliteTable(
  'meeting_packs',
  {
    id: text('id').primaryKey(), // UUIDv7
    meetingDate: text('meeting_date').notNull(),
    regions: text('regions').notNull(), // JSON string[]
    periodFrom: text('period_from').notNull(),
    periodTo: text('period_to').notNull(),
    agendaNotes: text('agenda_notes').notNull(),
    /** The frozen content: figures, definitions, and per figure the case ids and digests behind it (JSON). */
    contentJson: text('content_json').notNull(),
    contentDigest: text('content_digest').notNull(),
    jws: text('jws').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('meeting_packs_created').on(t.createdAt)],
);
