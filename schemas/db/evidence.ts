/**
 * Evidence: what the gateway signs and hands to an outside party (a court or procuratorate): the delivery
 * receipt, the first retrieval by the assigned unit, the justice bureau's confirmation of receipt (签收), and
 * later replies. Kept apart from the audit log (our own memory) and the outbox (only how it leaves).
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { EVIDENCE_TYPES } from '../../src/domain/vocabulary.js';

export const evidence = sqliteTable(
  'evidence',
  {
    id: text('id').primaryKey(), // UUIDv7: the pull cursor
    /** The court or procuratorate it is for. */
    senderCode: text('sender_code').notNull(),
    type: text('type', { enum: EVIDENCE_TYPES }).notNull(),
    deliveryId: text('delivery_id'),
    documentId: text('document_id'),
    /** Makes each statement unique (e.g. retrieval:<document>:<unit>). */
    uniqueKey: text('unique_key').notNull(),
    payloadJson: text('payload_json').notNull(),
    jws: text('jws').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('evidence_unique').on(t.uniqueKey), index('evidence_sender').on(t.senderCode, t.id), index('evidence_document').on(t.documentId)],
);
