/** Delivery aggregate: one pushed message, its documents and their attachments (bytes live in blobs). */
import { sqliteTable, text, integer, uniqueIndex, primaryKey, index } from 'drizzle-orm/sqlite-core';
import { senders } from './senders.js';
import { DOCUMENT_TYPES } from '../../src/domain/case-info.js';

export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(), // UUIDv7
    senderCode: text('sender_code')
      .notNull()
      .references(() => senders.code),
    messageId: text('message_id').notNull(),
    /** SHA-256 of the signed manifest bytes: same messageId + same digest = the same message. */
    contentDigest: text('content_digest').notNull(),
    format: text('format', { enum: ['jws', 'xml'] }).notNull(),
    /** The envelope as received (compact JWS or XML text), kept as evidence of the signature. */
    envelope: text('envelope').notNull(),
    envelopeDigest: text('envelope_digest').notNull(),
    signerSubject: text('signer_subject').notNull(),
    signerFingerprint: text('signer_fingerprint').notNull(),
    issuedAt: integer('issued_at', { mode: 'timestamp_ms' }).notNull(),
    /** Arrival by the gateway's clock: the legal moment of service. Never changed. */
    arrivedAt: integer('arrived_at', { mode: 'timestamp_ms' }).notNull(),
    receiptId: text('receipt_id').notNull(),
    receiptJson: text('receipt_json').notNull(),
    receiptJws: text('receipt_jws').notNull(),
  },
  (t) => [uniqueIndex('deliveries_sender_message').on(t.senderCode, t.messageId), index('deliveries_arrived').on(t.arrivedAt)],
);

export const documents = sqliteTable(
  'documents',
  {
    id: text('id').primaryKey(), // UUIDv7
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => deliveries.id),
    documentId: text('document_id').notNull(), // the court's id
    type: text('type', { enum: DOCUMENT_TYPES }).notNull(),
    title: text('title').notNull(),
    caseNumber: text('case_number'),
    /** The manifest's entry for this document (JSON), as signed. */
    entryJson: text('entry_json').notNull(),
    entryDigest: text('entry_digest').notNull(),
    arrivedAt: integer('arrived_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('documents_delivery_doc').on(t.deliveryId, t.documentId), index('documents_case').on(t.caseNumber, t.type, t.arrivedAt)],
);

export const documentAttachments = sqliteTable(
  'document_attachments',
  {
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id),
    attachmentId: text('attachment_id').notNull(),
    filename: text('filename').notNull(),
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.attachmentId] }), index('document_attachments_sha').on(t.sha256)],
);
