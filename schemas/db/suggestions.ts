/**
 * Judicial and procuratorial suggestions (司法建议 / 检察建议; docs/domain.md §2, §4; B 第十一条, S 五(七)): the
 * suggestion served on the government, the unit's reply drafts, the justice bureau's reviews, the government's
 * approval, and the signed relay back to the sender, closed by the sender's acknowledgement.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { SUGGESTION_KINDS, SUGGESTION_STATUSES, SUGGESTION_STEP_KINDS } from '../../src/domain/vocabulary.js';

export const suggestions = sqliteTable(
  'suggestions',
  {
    id: text('id').primaryKey(), // UUIDv7
    documentId: text('document_id').notNull(),
    senderCode: text('sender_code').notNull(),
    kind: text('kind', { enum: SUGGESTION_KINDS }).notNull(),
    caseId: text('case_id'),
    regionCode: text('region_code'),
    /** The unit that drafts the reply (null while the justice bureau decides). */
    unitId: text('unit_id'),
    status: text('status', { enum: SUGGESTION_STATUSES }).notNull(),
    replyDueOn: text('reply_due_on').notNull(),
    /** Where the due date came from: the document, or the policy (with its derivation). */
    replyDueJson: text('reply_due_json').notNull(),
    urgent: integer('urgent', { mode: 'boolean' }).notNull().default(false),
    /** The reply's evidence, once relayed. */
    replyEvidenceId: text('reply_evidence_id'),
    acknowledgedAt: integer('acknowledged_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('suggestions_document').on(t.documentId),
    index('suggestions_status').on(t.status, t.replyDueOn),
    index('suggestions_unit').on(t.unitId, t.status),
    index('suggestions_sender').on(t.senderCode, t.status),
  ],
);

/** Each step of a reply's life: draft, review (returned / passed), approval, relay, acknowledgement, follow-up. */
export const suggestionSteps = sqliteTable(
  'suggestion_steps',
  {
    id: text('id').primaryKey(),
    suggestionId: text('suggestion_id').notNull(),
    kind: text('kind', { enum: SUGGESTION_STEP_KINDS }).notNull(),
    actor: text('actor').notNull(),
    actorRole: text('actor_role').notNull(),
    dataJson: text('data_json').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('suggestion_steps_suggestion').on(t.suggestionId, t.at)],
);
