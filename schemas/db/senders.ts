/** Sender aggregate: a court or procuratorate and the CA certificates registered for it. */
import { sqliteTable, text, integer, uniqueIndex, index } from 'drizzle-orm/sqlite-core';
import { SENDER_TYPES } from '../../src/domain/vocabulary.js';

export const senders = sqliteTable('senders', {
  code: text('code').primaryKey(),
  type: text('type', { enum: SENDER_TYPES }).notNull(),
  name: text('name').notNull(),
  callbackUrl: text('callback_url'),
  /** Bumped whenever the sender's CA set changes; part of the chain-cache key. */
  trustVersion: integer('trust_version').notNull().default(1),
  /**
   * Without a fresh revocation status for the signer's certificates: 'hard' refuses (403 revocation-unknown),
   * 'soft' accepts, says so in the receipt and re-checks later (issue 22).
   */
  revocationPolicy: text('revocation_policy', { enum: ['hard', 'soft'] })
    .notNull()
    .default('soft'),
  /** Registered for 国密 (SM2 keys, SM2-with-SM3 signatures): only then is the SM2SM3 JWS alg accepted. */
  sm2: integer('sm2', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export const senderCas = sqliteTable(
  'sender_cas',
  {
    id: text('id').primaryKey(),
    senderCode: text('sender_code')
      .notNull()
      .references(() => senders.code),
    fingerprint: text('fingerprint').notNull(), // SHA-256 of DER, hex
    subject: text('subject').notNull(),
    notBefore: integer('not_before', { mode: 'timestamp_ms' }).notNull(),
    notAfter: integer('not_after', { mode: 'timestamp_ms' }).notNull(),
    der: text('der').notNull(), // base64 DER
    addedAt: integer('added_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('sender_cas_sender_fp').on(t.senderCode, t.fingerprint), index('sender_cas_sender').on(t.senderCode)],
);
