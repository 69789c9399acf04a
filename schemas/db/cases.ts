/**
 * Case aggregate: a case (by case number), who answers it (assignments, by rule or by the justice bureau),
 * the routing decision of each document (for "explain"), and the justice bureau's queue (R2, R9).
 */
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';
import { documents } from './deliveries.js';
import { INSTANCES } from '../../src/domain/case-info.js';
import { ASSIGNMENT_DECIDERS, ASSIGNMENT_ROLES, QUEUE_ITEM_STATUSES, ROUTING_STATUSES } from '../../src/domain/vocabulary.js';

export const cases = sqliteTable(
  'cases',
  {
    id: text('id').primaryKey(), // UUIDv7
    caseNumber: text('case_number').notNull(),
    /** The first-instance case this one continues (appeal, retrial), for R10 [B 第九条]. */
    parentCaseId: text('parent_case_id'),
    courtCode: text('court_code').notNull(),
    /**
     * The sender (court or procuratorate code) whose delivery created the case: the only one that may extend it.
     * An appeal or retrial from another court is a case of its own, linked through parentCaseId (intake,
     * src/intake/routing.ts). Null only for a case older than this column that no delivery can be found for.
     */
    senderCode: text('sender_code'),
    /** The defendant's region (never the court's seat); null while unknown (queued). */
    regionCode: text('region_code'),
    instance: text('instance', { enum: INSTANCES }).notNull(),
    /** assigned | queued (waiting for the justice bureau) */
    routingStatus: text('routing_status', { enum: ROUTING_STATUSES }).notNull(),
    factsJson: text('facts_json').notNull(), // CaseInfo of the first document, as signed
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    /**
     * Arrival of the case's latest judgment, ruling or mediation document (stating a result or not); null before
     * the first. Set by intake (src/intake/routing.ts) in the document's own write, so that the statistics read
     * only the cases an outcome reaches in a period (src/services/statistics.ts) instead of every case's documents.
     */
    lastOutcomeAt: integer('last_outcome_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('cases_number').on(t.caseNumber),
    index('cases_region').on(t.regionCode, t.createdAt, t.caseNumber, t.id),
    // A case's region and receipt from the index alone (the statistics join hearings of a period to their cases).
    index('cases_id_region').on(t.id, t.regionCode, t.createdAt),
    index('cases_region_outcome').on(t.regionCode, t.lastOutcomeAt, t.createdAt, t.id),
  ],
);

/**
 * A case's revision: the optimistic guard of intake (issue 21). Intake plans a delivery outside the write lock
 * from what it read of the case (its assignments, its open obligations) and the revision it saw; its batch inserts
 * the next revision, and so does every other write that changes what intake reads of a case (an assignment, a
 * recorded step, a re-plan). Two writes planned from the same revision clash on this primary key: the later one is
 * refused as a WriteConflict and planned again from the case as it now is. Only the latest row of a case is kept.
 * Not a stored fact (no content commitment): a counter that decides nothing but which write goes first.
 */
export const caseRevisions = sqliteTable(
  'case_revisions',
  {
    caseId: text('case_id').notNull(),
    revision: integer('revision').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.revision] })],
);

export const assignments = sqliteTable(
  'assignments',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    unitId: text('unit_id').notNull(),
    unitName: text('unit_name').notNull(),
    regionCode: text('region_code').notNull(),
    role: text('role', { enum: ASSIGNMENT_ROLES }).notNull(),
    rule: text('rule').notNull(), // R1 … R10
    article: text('article').notNull(),
    decidedBy: text('decided_by', { enum: ASSIGNMENT_DECIDERS }).notNull(),
    actor: text('actor').notNull(),
    reason: text('reason').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set when a later decision replaces this one (reassignment). Active rows have null. */
    supersededAt: integer('superseded_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('assignments_case').on(t.caseId, t.supersededAt), index('assignments_unit').on(t.unitId, t.supersededAt)],
);

export const routingDecisions = sqliteTable(
  'routing_decisions',
  {
    documentId: text('document_id')
      .primaryKey()
      .references(() => documents.id),
    caseId: text('case_id'),
    status: text('status', { enum: ROUTING_STATUSES }).notNull(),
    rule: text('rule').notNull(),
    article: text('article').notNull(),
    regionCode: text('region_code'),
    directoryVersion: integer('directory_version').notNull(),
    /** Beijing date the rules were applied on (the arrival date). */
    onDate: text('on_date').notNull(),
    decisionJson: text('decision_json').notNull(), // RoutingDecision (src/domain/routing/types.ts)
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('routing_decisions_case').on(t.caseId)],
);

export const queueItems = sqliteTable(
  'queue_items',
  {
    id: text('id').primaryKey(), // UUIDv7
    caseId: text('case_id'),
    documentId: text('document_id').notNull(),
    /** The region whose justice bureau must act; null when unknown (then candidateRegions). */
    regionCode: text('region_code'),
    candidateRegions: text('candidate_regions').notNull(), // JSON string[]
    reason: text('reason').notNull(), // QueueReason
    status: text('status', { enum: QUEUE_ITEM_STATUSES }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /**
     * The routing window (分办时限): the Beijing date by which the justice bureau must name the unit (2 days by
     * default, 3 under P 第十条), and the obligation that carries its reminders and escalation (src/services/routing-window.ts).
     * Null for items queued before the window was kept.
     */
    dueOn: text('due_on'),
    obligationId: text('obligation_id'),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
    resolvedBy: text('resolved_by'),
    resolution: text('resolution'),
  },
  (t) => [index('queue_items_status').on(t.status, t.regionCode, t.createdAt), index('queue_items_case').on(t.caseId)],
);
