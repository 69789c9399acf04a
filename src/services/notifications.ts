/**
 * Notifications to units (issue 4 item 6): a unit's channels (DingTalk and WeCom group robots, generic signed
 * webhooks), the message model every adapter renders, and the outbox rows a message becomes. Nothing here
 * sends anything: a message is written to the outbox in the same batch as the change that causes it (the
 * sweep marking a reminder sent), and src/jobs/outbox.ts delivers it through the adapter for the channel's
 * kind (adapters/notify, wired as deps.notifier). Everything that leaves the gateway leaves through the outbox.
 */
import { isSealed } from '../lib/secret-box.js';
import { and, desc, eq } from 'drizzle-orm';
import type { Deps, Stmt } from '../deps.js';
import { notificationChannels, outbox } from '../../schemas/db/index.js';
import { newId } from '../lib/ids.js';
import { Problem } from '../lib/problem.js';

import { currentDirectory } from './directory.js';

export const CHANNEL_KINDS = ['dingtalk', 'wecom', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * One notification, in Chinese (English in brackets where useful). The renderers (adapters/notify/render.ts)
 * print caseNumber, obligation and dueOn as their own labelled lines unless a line already mentions them,
 * and the link last; `lines` carry the rest (what to do, the source).
 */
export interface NotificationMessage {
  /** 标题, e.g. 【提醒】提交答辩状 */
  title: string;
  /** 正文, one paragraph each */
  lines: string[];
  /** 案号, e.g. (2026)浙0825行初1号 */
  caseNumber?: string;
  /** 时限事项 */
  obligation?: string;
  /** 截止日期 (Beijing date, YYYY-MM-DD) */
  dueOn?: string;
  /** 详情链接 (http/https) */
  link?: string;
}

/**
 * Who a robot message mentions (@): the unit's responsible clerks, by mobile number and/or by the service's
 * user id, or everyone in the group. DingTalk: `at: { atMobiles, atUserIds, isAtAll }` plus "@<mobile>" /
 * "@<userId>" in the text (the mention renders only then); WeCom: mentioned_mobile_list / mentioned_list.
 */
export interface Mention {
  mobiles: string[];
  userIds: string[];
  all: boolean;
}

/** Where one channel sends: the robot or webhook address and its secret (DingTalk 加签, webhook HMAC key). */
export interface NotifyChannel {
  url: string;
  secret: string | null;
  /** Who to mention; null or absent: nobody. */
  mention?: Mention | null;
}

export interface NotifyContext {
  /** The outbox row's idempotency key (the generic webhook sends it as Idempotency-Key). */
  idempotencyKey: string;
  /** The delivery run's time (DingTalk signs it; the webhook sends it). */
  now: Date;
  /** fetch with the delivery timeout applied; call it, never store it on another object (Workers). */
  fetch: typeof fetch;
}

/** The port each adapter in adapters/notify implements: one per channel kind. */
export interface NotifyChannelAdapter {
  readonly kind: ChannelKind;
  /** Resolves when the service accepted the message; throws (preferably a NotifyError) otherwise. */
  send(channel: NotifyChannel, message: NotificationMessage, ctx: NotifyContext): Promise<void>;
}

/** A failed send. `permanent`: retrying cannot help (e.g. HTTP 4xx other than 408/429); the row goes dead at once. */
export class NotifyError extends Error {
  readonly permanent: boolean;
  constructor(message: string, permanent = false) {
    super(message);
    this.name = 'NotifyError';
    this.permanent = permanent;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Channels (admin)

export interface ChannelInput {
  unitId: string;
  kind: string;
  url: string;
  secret?: string | null;
  /** Who the channel's messages mention (DingTalk, WeCom); left out or empty: nobody. */
  mention?: Partial<Mention> | null;
}

export interface ChannelView {
  id: string;
  unitId: string;
  kind: ChannelKind;
  /** The address with its credential (access_token, key) masked. */
  url: string;
  hasSecret: boolean;
  /** Who is mentioned, mobiles masked (138****5678); null: nobody. */
  mention: Mention | null;
  enabled: boolean;
  createdAt: string;
}

const MAX_URL = 2048;
/** Query parameters that are credentials in robot addresses: never shown or audited in full. */
const CREDENTIAL_PARAMS = ['access_token', 'key', 'token', 'secret', 'sign'];

/** The address with credentials masked: https://oapi.dingtalk.com/robot/send?access_token=abcd… */
export function maskUrl(raw: string): string {
  try {
    const u = new URL(raw);
    for (const p of CREDENTIAL_PARAMS) {
      const v = u.searchParams.get(p);
      if (v !== null) u.searchParams.set(p, v.length > 4 ? `${v.slice(0, 4)}…` : '…');
    }
    return u.toString().replace(/%E2%80%A6/g, '…');
  } catch {
    return '(invalid url)';
  }
}

/** A mainland mobile number as DingTalk and WeCom take it: 11 digits, the first a 1. */
export const MOBILE = /^1\d{10}$/;
/** A DingTalk or WeCom user id (userid): letters, digits and . _ @ -, at most 64. */
export const USER_ID = /^[A-Za-z0-9._@-]{1,64}$/;
const MAX_MENTIONED = 20;

/** A mobile as people may see it in a list or the audit log: 138****5678. */
export const maskMobile = (m: string) => (m.length === 11 ? `${m.slice(0, 3)}****${m.slice(7)}` : '****');

export const maskMention = (m: Mention | null): Mention | null => (m ? { mobiles: m.mobiles.map(maskMobile), userIds: m.userIds, all: m.all } : null);

/** Check who a channel mentions; null when nobody. Throws Problem('bad-request') naming the bad entry. */
export function validateMention(kind: ChannelKind, input: Partial<Mention> | null | undefined): Mention | null {
  const bad = (detail: string): never => {
    throw new Problem('bad-request', detail);
  };
  if (input === undefined || input === null) return null;
  if (typeof input !== 'object' || Array.isArray(input)) bad('mention must be an object {mobiles, userIds, all}');
  const list = (name: 'mobiles' | 'userIds'): string[] => {
    const v = input[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return bad(`mention.${name} must be a list of strings`);
    if (v.length > MAX_MENTIONED) bad(`mention.${name} has ${v.length} entries; at most ${MAX_MENTIONED}`);
    return v.map((x, i) => {
      if (typeof x !== 'string') return bad(`mention.${name}[${i}] must be a string`);
      return x.trim();
    });
  };
  const mobiles = list('mobiles');
  mobiles.forEach((m, i) => {
    if (!MOBILE.test(m))
      bad(`mention.mobiles[${i}] "${m.slice(0, 20)}" is not a mobile number: 11 digits, starting with 1 (e.g. 13800001111), no country code or spaces`);
  });
  const userIds = list('userIds');
  userIds.forEach((u, i) => {
    if (!USER_ID.test(u)) bad(`mention.userIds[${i}] "${u.slice(0, 70)}" is not a user id: 1 to 64 letters, digits or . _ @ -`);
  });
  if (input.all !== undefined && typeof input.all !== 'boolean') bad('mention.all must be true or false');
  const all = input.all === true;
  const m: Mention = { mobiles: [...new Set(mobiles)], userIds: [...new Set(userIds)], all };
  if (!m.all && m.mobiles.length === 0 && m.userIds.length === 0) return null;
  if (kind === 'webhook') bad('a generic webhook mentions nobody: mention is for DingTalk and WeCom group robots');
  return m;
}

/** A stored mention_json back as a Mention (null when absent or unreadable). */
export function parseMention(json: string | null): Mention | null {
  if (!json) return null;
  try {
    const m = JSON.parse(json) as Partial<Mention>;
    return { mobiles: Array.isArray(m.mobiles) ? m.mobiles : [], userIds: Array.isArray(m.userIds) ? m.userIds : [], all: m.all === true };
  } catch {
    return null;
  }
}

/** Check a channel before it is stored; throws Problem('bad-request') naming what to fix. */
export function validateChannel(input: ChannelInput): { kind: ChannelKind; url: string; secret: string | null; mention: Mention | null } {
  const bad = (detail: string): never => {
    throw new Problem('bad-request', detail);
  };
  if (!(CHANNEL_KINDS as readonly string[]).includes(input.kind)) bad(`kind must be one of ${CHANNEL_KINDS.join(', ')}`);
  const kind = input.kind as ChannelKind;
  const raw = input.url.trim();
  if (!raw || raw.length > MAX_URL) bad(`url must be an http or https address of at most ${MAX_URL} characters`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return bad(`url "${raw.slice(0, 200)}" is not an absolute address`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') bad(`url must use http or https, not ${u.protocol.replace(/:$/, '')}`);
  if (u.username || u.password) bad('url must not carry a user name or password');
  if (!u.hostname) bad('url needs a host');
  const secret = input.secret === undefined || input.secret === null ? null : input.secret.trim();
  if (secret !== null && (secret.length === 0 || secret.length > 256)) bad('secret must be 1 to 256 characters (or left out)');
  if (kind === 'dingtalk') {
    if (!u.searchParams.get('access_token')) bad('a DingTalk robot address carries ?access_token=… (copy the whole Webhook address from the robot settings)');
    if (u.searchParams.has('timestamp') || u.searchParams.has('sign'))
      bad('give the address without timestamp and sign: the gateway signs each message with the secret (加签)');
  }
  if (kind === 'wecom') {
    if (!u.searchParams.get('key')) bad('a WeCom robot address carries ?key=… (copy the whole Webhook address from the robot settings)');
    if (secret !== null) bad('WeCom group robots have no signing secret; leave secret out');
  }
  if (kind === 'webhook' && (secret === null || secret.length < 16))
    bad(
      'a generic webhook needs a secret of at least 16 characters: every request is signed with it (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)',
    );
  return { kind, url: u.toString(), secret, mention: validateMention(kind, input.mention) };
}

const channelView = (r: typeof notificationChannels.$inferSelect): ChannelView => ({
  id: r.id,
  unitId: r.unitId,
  kind: r.kind,
  url: maskUrl(r.url),
  hasSecret: r.secret !== null,
  mention: maskMention(parseMention(r.mentionJson)),
  enabled: r.enabled,
  createdAt: r.createdAt.toISOString(),
});

async function assertUnit(deps: Deps, unitId: string): Promise<void> {
  const dir = await currentDirectory(deps);
  if (!dir.index.unit(unitId)) throw new Problem('not-found', `no unit "${unitId}" in the directory`);
}

/** Register a channel for a unit (audited). The same address twice for a unit is a conflict: it would send every message twice. */
export async function registerChannel(deps: Deps, input: ChannelInput, actor: string): Promise<ChannelView> {
  const v = validateChannel(input);
  await assertUnit(deps, input.unitId);
  const now = deps.clock.now();
  const row = {
    id: newId(),
    unitId: input.unitId,
    kind: v.kind,
    url: v.url,
    secret: v.secret,
    mentionJson: v.mention ? JSON.stringify(v.mention) : null,
    enabled: true,
    createdAt: now,
  };
  return deps.writer.planned(async () => {
    const same = await deps.db.orm
      .select({ id: notificationChannels.id, url: notificationChannels.url })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.unitId, input.unitId), eq(notificationChannels.kind, v.kind), eq(notificationChannels.enabled, true)));
    const dup = same.find((s) => s.url === v.url);
    if (dup) throw new Problem('conflict', `unit ${input.unitId} already has this ${v.kind} address (channel ${dup.id}); disable it first to replace it`);
    return {
      entries: [
        {
          actor,
          action: 'channel.registered',
          subject: `channel:${row.id}`,
          data: { unitId: row.unitId, kind: row.kind, url: maskUrl(row.url), hasSecret: row.secret !== null, mention: maskMention(v.mention) },
        },
      ],
      // The secret is stored sealed, bound to the row (src/lib/secret-box.ts); the view says only whether there is one.
      build: async () => ({
        items: [deps.db.orm.insert(notificationChannels).values({ ...row, secret: row.secret === null ? null : await deps.secrets.seal(row.secret, row.id) })],
        result: channelView(row),
      }),
    };
  }, now);
}

/** A unit's channels, enabled and disabled, oldest first. */
export async function listChannels(deps: Deps, unitId: string): Promise<ChannelView[]> {
  await assertUnit(deps, unitId);
  const rows = await deps.db.orm
    .select()
    .from(notificationChannels)
    .where(eq(notificationChannels.unitId, unitId))
    .orderBy(notificationChannels.createdAt, notificationChannels.id);
  return rows.map(channelView);
}

/** Disable a channel (audited): nothing more is enqueued for it, and its pending rows become dead letters when their turn comes. */
export async function disableChannel(deps: Deps, id: string, actor: string): Promise<ChannelView> {
  const [row] = await deps.db.orm.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  if (!row) throw new Problem('not-found', `no channel with id ${id}`);
  const after = channelView({ ...row, enabled: false });
  if (!row.enabled) return after;
  await deps.writer.audited(
    [{ actor, action: 'channel.disabled', subject: `channel:${id}`, data: { unitId: row.unitId, kind: row.kind, url: maskUrl(row.url) } }],
    async () => ({
      items: [
        deps.db.orm
          .update(notificationChannels)
          .set({ enabled: false })
          .where(and(eq(notificationChannels.id, id), eq(notificationChannels.enabled, true))),
      ],
      result: null,
    }),
  );
  return after;
}

/** Change who a channel mentions (audited, mobiles masked in the log); an empty mention mentions nobody. */
export async function setChannelMention(deps: Deps, id: string, input: Partial<Mention>, actor: string): Promise<ChannelView> {
  const [row] = await deps.db.orm.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  if (!row) throw new Problem('not-found', `no channel with id ${id}`);
  const mention = validateMention(row.kind, input);
  const mentionJson = mention ? JSON.stringify(mention) : null;
  await deps.writer.audited(
    [{ actor, action: 'channel.mention.changed', subject: `channel:${id}`, data: { unitId: row.unitId, kind: row.kind, mention: maskMention(mention) } }],
    async () => ({
      items: [deps.db.orm.update(notificationChannels).set({ mentionJson }).where(eq(notificationChannels.id, id))],
      result: null,
    }),
  );
  return channelView({ ...row, mentionJson });
}

// ---------------------------------------------------------------------------------------------------------
// Enqueueing

export interface EnqueueInput {
  unitId: string;
  message: NotificationMessage;
  /** Why this message exists, e.g. `reminder:<id>:<unitId>`: the same key never yields a second row. */
  idempotencyKey: string;
  /** When it becomes due (default deps.clock.now()); a job passes its own `now`. */
  now?: Date;
}

/**
 * The outbox rows of one message: one per enabled channel of the unit, idempotency key
 * `${idempotencyKey}:${channelId}`, insert-or-ignore. Returns statements for the caller's atomic batch
 * (in an array: a drizzle builder is a thenable, so it is never returned bare from an async function).
 */
export async function enqueueNotification(deps: Deps, input: EnqueueInput): Promise<Stmt[]> {
  if (!input.message.title.trim()) throw new Error('a notification needs a title');
  if (!input.idempotencyKey) throw new Error('a notification needs an idempotency key');
  const channels = await deps.db.orm
    .select({ id: notificationChannels.id, kind: notificationChannels.kind })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.unitId, input.unitId), eq(notificationChannels.enabled, true)));
  if (channels.length === 0) {
    deps.log.log('info', 'notification without channel', { unitId: input.unitId, idempotencyKey: input.idempotencyKey });
    return [];
  }
  const now = input.now ?? deps.clock.now();
  const payloadJson = JSON.stringify(input.message);
  return channels.map((ch) =>
    deps.db.orm
      .insert(outbox)
      .values({
        id: newId(),
        kind: ch.kind,
        destination: ch.id,
        payloadJson,
        idempotencyKey: `${input.idempotencyKey}:${ch.id}`,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      })
      .onConflictDoNothing(),
  );
}

// ---------------------------------------------------------------------------------------------------------
// The outbox, for people: the dead-letter list and reviving a row

export type OutboxStatus = 'pending' | 'sent' | 'dead';

export interface OutboxView {
  id: string;
  kind: string;
  destination: string;
  /** For a notification: the unit of its channel. */
  unitId: string | null;
  idempotencyKey: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  /** For a notification: its title. */
  title: string | null;
}

function outboxView(r: typeof outbox.$inferSelect, unitId: string | null): OutboxView {
  let title: string | null = null;
  try {
    const p = JSON.parse(r.payloadJson) as { title?: unknown };
    if (typeof p.title === 'string') title = p.title;
  } catch {
    title = null;
  }
  return {
    id: r.id,
    kind: r.kind,
    destination: r.destination,
    unitId,
    idempotencyKey: r.idempotencyKey,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt.toISOString(),
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
    title,
  };
}

/** Outbox rows of one status, newest first (status 'dead' reads the partial index outbox_dead). */
export async function listOutbox(deps: Deps, q: { status: OutboxStatus; limit?: number }): Promise<OutboxView[]> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 500);
  const rows = await deps.db.orm
    .select({ o: outbox, unitId: notificationChannels.unitId })
    .from(outbox)
    .leftJoin(notificationChannels, eq(notificationChannels.id, outbox.destination))
    .where(eq(outbox.status, q.status))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(limit);
  return rows.map((r) => outboxView(r.o, r.unitId));
}

/** A dead letter back to pending, due now, with a fresh count of attempts (audited; the old count and error are in the record). */
export async function retryOutbox(deps: Deps, id: string, actor: string): Promise<OutboxView> {
  const now = deps.clock.now();
  return deps.writer.planned(async () => {
    const [row] = await deps.db.orm
      .select({ o: outbox, unitId: notificationChannels.unitId })
      .from(outbox)
      .leftJoin(notificationChannels, eq(notificationChannels.id, outbox.destination))
      .where(eq(outbox.id, id));
    if (!row) throw new Problem('not-found', `no outbox row with id ${id}`);
    if (row.o.status !== 'dead') throw new Problem('conflict', `outbox row ${id} is ${row.o.status}; only a dead letter can be retried`);
    const after = { ...row.o, status: 'pending' as const, attempts: 0, nextAttemptAt: now, leaseUntil: null };
    return {
      entries: [
        {
          actor,
          action: 'outbox.retried',
          subject: `outbox:${id}`,
          data: {
            kind: row.o.kind,
            destination: row.o.destination,
            idempotencyKey: row.o.idempotencyKey,
            attempts: row.o.attempts,
            lastError: row.o.lastError,
          },
        },
      ],
      build: async () => ({
        items: [
          deps.db.orm
            .update(outbox)
            .set({ status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: null })
            .where(and(eq(outbox.id, id), eq(outbox.status, 'dead'))),
        ],
        result: outboxView(after, row.unitId),
      }),
    };
  }, now);
}

/**
 * Channel secrets stored before they were sealed (plain text in the row): sealed in place, once, at start.
 * Returns how many were sealed.
 */
export async function sealStoredChannelSecrets(deps: Deps): Promise<number> {
  const rows = await deps.db.orm.select({ id: notificationChannels.id, secret: notificationChannels.secret }).from(notificationChannels);
  const plain = rows.filter((r): r is { id: string; secret: string } => r.secret !== null && !isSealed(r.secret));
  if (plain.length === 0) return 0;
  // The sealed bytes replace the plain ones in an audited write: the log commits to the secret as stored (sealed).
  const sealed = await Promise.all(plain.map(async (r) => ({ ...r, sealed: await deps.secrets.seal(r.secret, r.id) })));
  await deps.writer.audited(
    sealed.map((r) => ({ actor: 'system', action: 'channel.secret_sealed', subject: `channel:${r.id}`, data: { id: r.id } })),
    async () => ({
      items: sealed.map((r) =>
        deps.db.orm
          .update(notificationChannels)
          .set({ secret: r.sealed })
          .where(and(eq(notificationChannels.id, r.id), eq(notificationChannels.secret, r.secret))),
      ),
      result: null,
    }),
  );
  return plain.length;
}
