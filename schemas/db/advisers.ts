/** A region's roster of legal advisers (法律顾问团队库, Q 一(三)): agents who may appear for the agency with its staff. */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const legalAdvisers = sqliteTable(
  'legal_advisers',
  {
    id: text('id').primaryKey(),
    regionCode: text('region_code').notNull(),
    name: text('name').notNull(),
    organisation: text('organisation').notNull(), // law firm or institution
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('legal_advisers_region').on(t.regionCode, t.active)],
);
