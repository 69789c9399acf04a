/**
 * Everything that leaves the gateway leaves through the outbox (ARCHITECTURE.md): notifications to units
 * (DingTalk, WeCom, signed webhooks) and, later, evidence to courts. Rows are written in the same batch as
 * the change that causes them; a delivery job sends them with retries and back-off, and after the last
 * attempt a row becomes a dead letter that people can see.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

/** Where a unit (or a region's justice bureau) wants its messages. */
export const notificationChannels = sqliteTable(
  'notification_channels',
  {
    id: text('id').primaryKey(),
    /** A unit id from the directory. */
    unitId: text('unit_id').notNull(),
    kind: text('kind', { enum: ['dingtalk', 'wecom', 'webhook'] }).notNull(),
    url: text('url').notNull(),
    /** DingTalk "加签" secret, or the HMAC key of a generic webhook; null for WeCom. */
    secret: text('secret'),
    /**
     * Who a robot message mentions (@), as JSON {"mobiles":[…],"userIds":[…],"all":bool}: the responsible
     * clerks of the unit. DingTalk sends it as `at` (and "@<mobile>" in the text); WeCom as
     * mentioned_mobile_list / mentioned_list of a text message. Null: nobody is mentioned.
     */
    mentionJson: text('mention_json'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('notification_channels_unit').on(t.unitId)],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(), // UUIDv7
    /** dingtalk | wecom | webhook | court_callback */
    kind: text('kind').notNull(),
    /** The channel row (notifications) or the sender code (court callbacks). */
    destination: text('destination').notNull(),
    /** The message, as the adapter needs it (JSON). */
    payloadJson: text('payload_json').notNull(),
    /** Never two rows for the same reason (e.g. reminder id + channel id). */
    idempotencyKey: text('idempotency_key').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    /** A lease so two delivery runs never send the same row at once. */
    leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
    /** Who holds the lease (`node:<host>:<pid>`, or a Workers isolate's id): a gone holder's lease is reclaimed at start. */
    leaseHolder: text('lease_holder'),
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('outbox_idempotency').on(t.idempotencyKey),
    index('outbox_pending')
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
    index('outbox_dead')
      .on(t.createdAt)
      .where(sql`status = 'dead'`),
  ],
);

/** Per-unit secret for the iCalendar feed of its deadlines (only the SHA-256 is kept). */
export const calendarFeedTokens = sqliteTable('calendar_feed_tokens', {
  unitId: text('unit_id').primaryKey(),
  tokenHash: text('token_hash').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
