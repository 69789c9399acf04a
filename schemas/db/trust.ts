/**
 * Trust beyond the chain (issue 22): certificate revocation (CRLs and OCSP responses, kept with their validity
 * so intake reads them from here and never from the network), the soft-fail deliveries to re-check, and
 * RFC 3161 timestamps over receipts (requested in batches by the sweep).
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** The newest verified CRL per issuing CA (keyed by the SHA-256 of the issuer certificate). */
export const revocationCrls = sqliteTable('revocation_crls', {
  issuerFingerprint: text('issuer_fingerprint').primaryKey(),
  issuerSubject: text('issuer_subject').notNull(),
  /** The CRL's cRLNumber extension (decimal), when it has one. */
  crlNumber: text('crl_number'),
  thisUpdate: integer('this_update', { mode: 'timestamp_ms' }).notNull(),
  nextUpdate: integer('next_update', { mode: 'timestamp_ms' }),
  der: text('der').notNull(), // base64 DER
  /** 'upload' (an administrator) or the distribution point URL it was fetched from. */
  source: text('source').notNull(),
  senderCode: text('sender_code'),
  storedAt: integer('stored_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Where the sweep fetches CRLs: distribution points of certificates seen in validated chains. */
export const revocationCrlSources = sqliteTable('revocation_crl_sources', {
  url: text('url').primaryKey(),
  issuerFingerprint: text('issuer_fingerprint').notNull(),
  issuerDer: text('issuer_der').notNull(), // base64 DER of the CA whose signature the CRL must carry
  senderCode: text('sender_code').notNull(),
  nextFetchAt: integer('next_fetch_at', { mode: 'timestamp_ms' }).notNull(),
  lastFetchedAt: integer('last_fetched_at', { mode: 'timestamp_ms' }),
  lastError: text('last_error'),
  failures: integer('failures').notNull().default(0),
});

/** OCSP status per certificate: fetched from its AIA responder by the sweep (stapled responses are not stored here). */
export const revocationOcsp = sqliteTable(
  'revocation_ocsp',
  {
    certFingerprint: text('cert_fingerprint').primaryKey(),
    certSubject: text('cert_subject').notNull(),
    certDer: text('cert_der').notNull(),
    issuerDer: text('issuer_der').notNull(),
    responderUrl: text('responder_url').notNull(),
    senderCode: text('sender_code').notNull(),
    status: text('status', { enum: ['pending', 'good', 'revoked', 'unknown'] }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    producedAt: integer('produced_at', { mode: 'timestamp_ms' }),
    thisUpdate: integer('this_update', { mode: 'timestamp_ms' }),
    nextUpdate: integer('next_update', { mode: 'timestamp_ms' }),
    responseDer: text('response_der'),
    nextFetchAt: integer('next_fetch_at', { mode: 'timestamp_ms' }).notNull(),
    lastError: text('last_error'),
    failures: integer('failures').notNull().default(0),
  },
  (t) => [index('revocation_ocsp_due').on(t.nextFetchAt)],
);

/** Deliveries accepted under soft-fail without a fresh status: checked again by the sweep until `until`. */
export const revocationRechecks = sqliteTable(
  'revocation_rechecks',
  {
    deliveryId: text('delivery_id').primaryKey(),
    senderCode: text('sender_code').notNull(),
    /** The certificates of the path that had no status (JSON: [{ fingerprint, subject, serial, issuerFingerprint }]). */
    certsJson: text('certs_json').notNull(),
    signedAt: integer('signed_at', { mode: 'timestamp_ms' }).notNull(),
    until: integer('until', { mode: 'timestamp_ms' }).notNull(),
    status: text('status', { enum: ['pending', 'good', 'revoked-after-signing', 'revoked', 'expired'] }).notNull(),
    /** What settled it (CRL number or OCSP producedAt), or the alert's text. */
    outcome: text('outcome'),
    checkedAt: integer('checked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('revocation_rechecks_status').on(t.status)],
);

/** One RFC 3161 request to the TSA: the imprint is SHA-256 of the Merkle root over the batch's receipt digests. */
export const timestampBatches = sqliteTable('timestamp_batches', {
  id: text('id').primaryKey(),
  tsaUrl: text('tsa_url').notNull(),
  /** Hex SHA-256 digests of the receipts' JWS, in order (JSON array). */
  leavesJson: text('leaves_json').notNull(),
  imprint: text('imprint').notNull(), // hex SHA-256 of the RFC 6962 Merkle root of the leaves
  token: text('token').notNull(), // base64 DER TimeStampToken (CMS SignedData)
  genTime: integer('gen_time', { mode: 'timestamp_ms' }).notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

/** A receipt waiting for (batchId null) or holding its place in a timestamp batch. */
export const receiptTimestamps = sqliteTable(
  'receipt_timestamps',
  {
    deliveryId: text('delivery_id').primaryKey(),
    senderCode: text('sender_code').notNull(),
    receiptId: text('receipt_id').notNull(),
    receiptSha256: text('receipt_sha256').notNull(), // hex SHA-256 of the receipt JWS (ASCII)
    batchId: text('batch_id'),
    position: integer('position'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('receipt_timestamps_pending').on(t.batchId, t.createdAt)],
);
