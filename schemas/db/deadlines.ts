/**
 * Deadlines (docs/domain.md §4): each region's policy, the administrator's calendar overrides, the obligations
 * (时限事项) documents start, their reminders, and remediation items for what was missed.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { OBLIGATION_STATUSES, REMEDIATION_STATUSES } from '../../src/domain/vocabulary.js';
import { REMINDER_KINDS } from '../../src/domain/policy/schema.js';
import { sql } from 'drizzle-orm';

/** The policy profile a region runs: a preset (src/domain/policy/presets.ts) plus validated overrides. */
export const regionPolicies = sqliteTable('region_policies', {
  regionCode: text('region_code').primaryKey(),
  presetId: text('preset_id').notNull(),
  overridesJson: text('overrides_json').notNull().default('{}'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** An administrator's day: a regional holiday, or a notice published after the calendar package. */
export const calendarOverrides = sqliteTable('calendar_overrides', {
  date: text('date').primaryKey(), // YYYY-MM-DD (Beijing)
  working: integer('working', { mode: 'boolean' }).notNull(),
  name: text('name').notNull(),
  reason: text('reason').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  actor: text('actor').notNull(),
});

/**
 * The version of the holiday data (the calendar package's notices and the statutory holidays it computes) that
 * the obligations were last planned with: a SHA-256 digest. When the installed data differs, every non-closed
 * obligation is re-planned (src/jobs/deadlines.ts recomputeOnHolidayDataChange).
 */
export const calendarDataVersions = sqliteTable('calendar_data_versions', {
  id: text('id').primaryKey(), // 'holidays'
  digest: text('digest').notNull(),
  detail: text('detail').notNull(),
  checkedAt: integer('checked_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Years whose holiday notice an administrator entered in full (their override days are the whole notice). */
export const calendarPublishedYears = sqliteTable('calendar_published_years', {
  year: integer('year').primaryKey(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  actor: text('actor').notNull(),
});

export const obligations = sqliteTable(
  'obligations',
  {
    id: text('id').primaryKey(), // UUIDv7
    caseId: text('case_id'),
    /** The document that started it. */
    documentId: text('document_id').notNull(),
    regionCode: text('region_code'),
    /** The policy rule (src/domain/policy) and its article. */
    ruleId: text('rule_id').notNull(),
    kind: text('kind').notNull(),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en').notNull(),
    /** Who must act: unit | justice_bureau | government_office | … (policy Party). */
    party: text('party').notNull(),
    /** The unit that must act when the party is the undertaking unit (null while the case is queued). */
    unitId: text('unit_id'),
    dueOn: text('due_on').notNull(), // Beijing date
    provisional: integer('provisional', { mode: 'boolean' }).notNull(),
    derivationJson: text('derivation_json').notNull(),
    source: text('source').notNull(),
    status: text('status', { enum: OBLIGATION_STATUSES }).notNull(),
    statusReason: text('status_reason'),
    doneAt: integer('done_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // The sweep: open obligations past due; never a full scan.
    index('obligations_open_due')
      .on(t.dueOn)
      .where(sql`status = 'open'`),
    index('obligations_case').on(t.caseId),
    index('obligations_region_due').on(t.regionCode, t.dueOn),
    index('obligations_unit').on(t.unitId, t.status, t.dueOn),
    index('obligations_provisional')
      .on(t.dueOn)
      .where(sql`provisional = 1 and status = 'open'`),
    uniqueIndex('obligations_doc_rule').on(t.documentId, t.ruleId),
  ],
);

export const reminders = sqliteTable(
  'reminders',
  {
    id: text('id').primaryKey(),
    obligationId: text('obligation_id')
      .notNull()
      .references(() => obligations.id),
    kind: text('kind', { enum: REMINDER_KINDS }).notNull(),
    fireAt: integer('fire_at', { mode: 'timestamp_ms' }).notNull(),
    notifyJson: text('notify_json').notNull(), // Party[]
    source: text('source').notNull(),
    /** Set once the sweep has put its messages in the outbox (exactly once). */
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    /** Set when the obligation closed or was recomputed before it fired. */
    cancelledAt: integer('cancelled_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('reminders_due')
      .on(t.fireAt)
      .where(sql`sent_at is null and cancelled_at is null`),
    uniqueIndex('reminders_once').on(t.obligationId, t.kind, t.fireAt),
  ],
);

export const remediationItems = sqliteTable(
  'remediation_items',
  {
    id: text('id').primaryKey(),
    obligationId: text('obligation_id')
      .notNull()
      .references(() => obligations.id),
    regionCode: text('region_code'),
    unitId: text('unit_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    status: text('status', { enum: REMEDIATION_STATUSES }).notNull(),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
    note: text('note'),
  },
  (t) => [uniqueIndex('remediation_obligation').on(t.obligationId), index('remediation_open').on(t.regionCode, t.status)],
);

/** Recurring outputs the sweep produced (monthly ledger data …), once per region and period. */
export const periodicRuns = sqliteTable(
  'periodic_runs',
  {
    id: text('id').primaryKey(),
    regionCode: text('region_code').notNull(),
    kind: text('kind').notNull(), // monthly_ledger …
    period: text('period').notNull(), // e.g. 2026-11
    dueOn: text('due_on').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    dataJson: text('data_json').notNull(),
  },
  (t) => [uniqueIndex('periodic_runs_once').on(t.regionCode, t.kind, t.period)],
);
