/**
 * Outbox delivery (ARCHITECTURE.md: everything that leaves the gateway leaves through the outbox): due pending
 * notification rows are sent through the adapter for their channel's kind (deps.notifier), with exponential
 * back-off between attempts; after the last attempt a row becomes a dead letter, listed by
 * GET /v1/admin/outbox?status=dead and revived by POST /v1/admin/outbox/{id}/retry.
 *
 * Safe to run twice or concurrently (a Node timer and a CLI, or overlapping Workers cron invocations): a row is
 * sent only by the run that took its lease with a conditional UPDATE, and every later write to the row is
 * fenced by that lease. Delivery is at least once: a process that dies between the send and the write sends
 * again when the lease expires; the generic webhook carries an Idempotency-Key for the receiver to dedupe on.
 * Rows of kinds without an adapter (court callbacks) are left alone. Time is an argument; web standards only.
 */
import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, ne, or } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { slot } from '../lib/process-state.js';
import { notificationChannels, outbox } from '../../schemas/db/index.js';
import { NotifyError, parseMention, type NotificationMessage, type NotifyChannelAdapter } from '../services/notifications.js';

/** Attempts before a row becomes a dead letter (with the back-off below: the last one about two hours after the first). */
export const OUTBOX_MAX_ATTEMPTS = 8;
/** Delay after the first failed attempt; doubled after each further one … */
export const OUTBOX_BACKOFF_BASE_MS = 60_000;
/** … up to this. */
export const OUTBOX_BACKOFF_CAP_MS = 6 * 60 * 60_000;
/** How long a run holds a row it is sending; longer than the request timeout and the run's claiming budget together. */
export const OUTBOX_LEASE_MS = 5 * 60_000;
/** Timeout of one outbound request unless deps.notifier.timeoutMs or opts.timeoutMs says otherwise. */
export const OUTBOX_TIMEOUT_MS = 15_000;
/** A run stops taking new rows after this long (the rest wait for the next run), so a lease never runs out mid-send. */
export const OUTBOX_RUN_BUDGET_MS = 2 * 60_000;
/** Rows sent at the same time by one run. */
export const OUTBOX_CONCURRENCY = 4;
/** Rows looked at by one run unless opts.limit says otherwise. */
export const OUTBOX_BATCH = 100;

/**
 * Who this process is, as the holder of the leases it takes: set by the runtime's entry (Node: `node:<host>:<pid>`),
 * else a random id for this isolate. A lease names its holder so that a restarted gateway can tell the leases of a
 * process that is gone (reclaimed at once, see reclaimLeases) from those of one still sending (left alone).
 */
export function leaseHolder(deps: Deps): string {
  const box = deps.state.get(LEASE_HOLDER);
  box.holder ??= `isolate:${crypto.randomUUID()}`;
  return box.holder;
}

/** The runtime's entry names this process (Node: `node:<host>:<pid>`, see adapters/node/processes.ts). */
export function setLeaseHolder(deps: Deps, holder: string): void {
  deps.state.get(LEASE_HOLDER).holder = holder;
}

const LEASE_HOLDER = slot<{ holder?: string }>('lease-holder', () => ({}));

/**
 * Release the leases held by processes that are gone, so their rows (a court's evidence queue above all, kept in
 * strict order) are sent now rather than when the lease runs out (OUTBOX_LEASE_MS, five minutes). `isGone` is the
 * runtime's answer (Node: the holder names this host and a pid that no longer runs). Returns the rows released.
 * What the gone process sent but could not record is sent again: at least once, with its Idempotency-Key.
 */
export async function reclaimLeases(deps: Deps, now: Date, isGone: (holder: string) => boolean): Promise<number> {
  const me = leaseHolder(deps);
  const holders = await deps.db.orm
    .selectDistinct({ holder: outbox.leaseHolder })
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), isNotNull(outbox.leaseHolder), gt(outbox.leaseUntil, now), ne(outbox.leaseHolder, me)));
  let released = 0;
  for (const { holder } of holders) {
    if (!holder || !isGone(holder)) continue;
    const rows = await deps.db.orm
      .update(outbox)
      .set({ leaseUntil: null, leaseHolder: null })
      .where(and(eq(outbox.status, 'pending'), eq(outbox.leaseHolder, holder)))
      .returning({ id: outbox.id });
    released += rows.length;
    if (rows.length) deps.log.log('warn', 'outbox leases reclaimed from a process that is gone', { holder, rows: rows.length });
  }
  return released;
}

/** Release every lease this process holds (shutdown past its grace period): the rows are sent again later. */
export async function releaseLeases(deps: Deps): Promise<number> {
  const rows = await deps.db.orm
    .update(outbox)
    .set({ leaseUntil: null, leaseHolder: null })
    .where(and(eq(outbox.status, 'pending'), eq(outbox.leaseHolder, leaseHolder(deps))))
    .returning({ id: outbox.id });
  return rows.length;
}

/** The wait after the n-th failed attempt (n ≥ 1): 1 min, 2, 4, 8 … capped at 6 h. */
export function backoffMs(failedAttempts: number): number {
  return Math.min(OUTBOX_BACKOFF_BASE_MS * 2 ** Math.max(failedAttempts - 1, 0), OUTBOX_BACKOFF_CAP_MS);
}

export interface OutboxReport {
  /** Delivered. */
  sent: number;
  /** Failed, another attempt scheduled. */
  retried: number;
  /** Failed for the last time (or permanently, or the channel is gone): now a dead letter. */
  dead: number;
  /** Due, but not attempted by this run: another run holds it, or this run's time was up. */
  skipped: number;
}

export interface DeliverOptions {
  /** Rows looked at (default OUTBOX_BATCH). */
  limit?: number;
  /** The fetch to send with (default globalThis.fetch); the timeout is applied around it. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default deps.notifier.timeoutMs, else OUTBOX_TIMEOUT_MS). */
  timeoutMs?: number;
}

type Outcome = 'sent' | 'retried' | 'dead' | 'skipped';

const MAX_ERROR = 1000;

/** Send the due pending notification rows once each; see the file comment. */
export async function deliverOutbox(deps: Deps, now: Date, opts: DeliverOptions = {}): Promise<OutboxReport> {
  const report: OutboxReport = { sent: 0, retried: 0, dead: 0, skipped: 0 };
  const adapters = new Map<string, NotifyChannelAdapter>(deps.notifier.adapters.map((a) => [a.kind, a]));
  if (adapters.size === 0) return report;

  const base = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? deps.notifier.timeoutMs ?? OUTBOX_TIMEOUT_MS;
  // Called as a plain function (never as a method of another object: Workers' fetch refuses a foreign `this`).
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };

  // The partial index outbox_pending (next_attempt_at where status = 'pending') answers this.
  const due = await deps.db.orm
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'pending'),
        lte(outbox.nextAttemptAt, now),
        inArray(outbox.kind, [...adapters.keys()]),
        or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
      ),
    )
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(opts.limit ?? OUTBOX_BATCH);

  const started = performance.now();
  const queue = due.map((d) => d.id);
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const outcome: Outcome = performance.now() - started > OUTBOX_RUN_BUDGET_MS ? 'skipped' : await deliverOne(deps, id, now, adapters, timedFetch);
      report[outcome]++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(OUTBOX_CONCURRENCY, queue.length) }, worker));
  if (report.sent + report.retried + report.dead > 0) deps.log.log('info', 'outbox delivered', { ...report, at: now.toISOString() });
  return report;
}

async function deliverOne(deps: Deps, id: string, now: Date, adapters: Map<string, NotifyChannelAdapter>, fetch: typeof globalThis.fetch): Promise<Outcome> {
  // The lease: only one run gets the row back from this conditional UPDATE.
  const leaseUntil = new Date(now.getTime() + OUTBOX_LEASE_MS);
  const [row] = await deps.db.orm
    .update(outbox)
    .set({ leaseUntil, leaseHolder: leaseHolder(deps) })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now), or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now))))
    .returning();
  if (!row) return 'skipped';
  const held = and(eq(outbox.id, id), eq(outbox.status, 'pending'), eq(outbox.leaseUntil, leaseUntil));

  let error: NotifyError | null = null;
  try {
    const adapter = adapters.get(row.kind);
    const [channel] = await deps.db.orm.select().from(notificationChannels).where(eq(notificationChannels.id, row.destination));
    if (!adapter) throw new NotifyError(`no adapter for kind ${row.kind}`, true);
    if (!channel || !channel.enabled)
      throw new NotifyError(`通道${channel ? '已停用' : '不存在'} (channel ${row.destination} ${channel ? 'disabled' : 'missing'})`, true);
    if (channel.kind !== row.kind) throw new NotifyError(`channel ${channel.id} is ${channel.kind}, the row is ${row.kind}`, true);
    let message: NotificationMessage;
    try {
      message = JSON.parse(row.payloadJson) as NotificationMessage;
    } catch {
      throw new NotifyError('payload is not JSON', true);
    }
    const secret = channel.secret === null ? null : await deps.secrets.open(channel.secret, channel.id);
    await adapter.send({ url: channel.url, secret, mention: parseMention(channel.mentionJson) }, message, { idempotencyKey: row.idempotencyKey, now, fetch });
  } catch (e) {
    error = e instanceof NotifyError ? e : new NotifyError(String((e as Error)?.message ?? e));
  }

  const attempts = row.attempts + 1;
  try {
    if (!error) {
      await deps.writer.audited(
        [
          {
            actor: 'outbox',
            action: 'outbox.sent',
            subject: `outbox:${id}`,
            data: { kind: row.kind, destination: row.destination, idempotencyKey: row.idempotencyKey, attempts },
          },
        ],
        async () => ({
          items: [deps.db.orm.update(outbox).set({ status: 'sent', sentAt: now, attempts, leaseUntil: null, leaseHolder: null }).where(held)],
          result: null,
        }),
        now,
      );
      return 'sent';
    }
    const lastError = error.message.slice(0, MAX_ERROR);
    if (error.permanent || attempts >= OUTBOX_MAX_ATTEMPTS) {
      deps.log.log('error', 'outbox dead letter', {
        id,
        kind: row.kind,
        destination: row.destination,
        idempotencyKey: row.idempotencyKey,
        attempts,
        permanent: error.permanent,
        error: lastError,
      });
      await deps.writer.audited(
        [
          {
            actor: 'outbox',
            action: 'outbox.dead',
            subject: `outbox:${id}`,
            data: { kind: row.kind, destination: row.destination, idempotencyKey: row.idempotencyKey, attempts, permanent: error.permanent, lastError },
          },
        ],
        async () => ({
          items: [deps.db.orm.update(outbox).set({ status: 'dead', attempts, lastError, leaseUntil: null, leaseHolder: null }).where(held)],
          result: null,
        }),
        now,
      );
      return 'dead';
    }
    const nextAttemptAt = new Date(now.getTime() + backoffMs(attempts));
    deps.log.log('warn', 'outbox send failed', {
      id,
      kind: row.kind,
      destination: row.destination,
      attempts,
      nextAttemptAt: nextAttemptAt.toISOString(),
      error: lastError,
    });
    await deps.db.batch([deps.db.orm.update(outbox).set({ attempts, lastError, nextAttemptAt, leaseUntil: null, leaseHolder: null }).where(held)]);
    return 'retried';
  } catch (e) {
    // The outcome could not be written: the lease runs out and a later run tries again (at least once).
    deps.log.log('error', 'outbox outcome not recorded', { id, sent: !error, error: String((e as Error)?.message ?? e) });
    return 'skipped';
  }
}
