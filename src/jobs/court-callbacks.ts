/**
 * Evidence to courts and procuratorates (issue 5 item 3): each sender's callback receives its evidence once and
 * IN ORDER: per sender, only the oldest pending row is attempted; on success the next follows in the same run,
 * on failure the sender's queue waits for the back-off. The body is {evidenceId, type, jws}: the JWS is the
 * gateway's signature, verifiable with its JWKS alone; `Idempotency-Key: <evidenceId>` lets the court drop a
 * repeat (a send whose outcome could not be recorded is sent again). Runtime-neutral (fetch).
 *
 * Senders are served concurrently (CALLBACK_CONCURRENCY at a time), each in its own order: a court whose callback
 * hangs delays only its own queue, by at most the request timeout per run.
 */
import { and, asc, eq, isNull, lt, lte, or } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { outbox, senders } from '../../schemas/db/index.js';

import { backoffMs, leaseHolder, OUTBOX_LEASE_MS, OUTBOX_TIMEOUT_MS } from './outbox.js';

/** Evidence must arrive: many more attempts than a chat notification before it is a visible dead letter. */
export const CALLBACK_MAX_ATTEMPTS = 24;
/** Senders whose queues are sent at the same time by one run. */
export const CALLBACK_CONCURRENCY = 4;

export interface CallbackOptions {
  fetch?: typeof fetch;
  maxPerSender?: number;
  /** Per-request timeout in ms (default OUTBOX_TIMEOUT_MS). */
  timeoutMs?: number;
}

export async function deliverCourtCallbacks(deps: Deps, now: Date, opts: CallbackOptions = {}): Promise<{ sent: number; retried: number; dead: number }> {
  const report = { sent: 0, retried: 0, dead: 0 };
  const destinations = (
    await deps.db.orm
      .selectDistinct({ destination: outbox.destination })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), eq(outbox.kind, 'court_callback'), lte(outbox.nextAttemptAt, now)))
  ).map((d) => d.destination);
  const worker = async () => {
    for (let d = destinations.shift(); d !== undefined; d = destinations.shift()) await deliverSenderQueue(deps, now, d, opts, report);
  };
  await Promise.all(Array.from({ length: Math.min(CALLBACK_CONCURRENCY, destinations.length) }, worker));
  return report;
}

/** One sender's queue, head first, until it is empty, waits out a back-off, or another run holds it. */
async function deliverSenderQueue(
  deps: Deps,
  now: Date,
  destination: string,
  opts: CallbackOptions,
  report: { sent: number; retried: number; dead: number },
): Promise<void> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? OUTBOX_TIMEOUT_MS;
  const [sender] = await deps.db.orm.select({ callbackUrl: senders.callbackUrl }).from(senders).where(eq(senders.code, destination));
  for (let i = 0; i < (opts.maxPerSender ?? 500); i++) {
    // The head of this sender's queue: the oldest pending row, whatever its next attempt time.
    const [head] = await deps.db.orm
      .select()
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), eq(outbox.kind, 'court_callback'), eq(outbox.destination, destination)))
      .orderBy(asc(outbox.createdAt), asc(outbox.id))
      .limit(1);
    if (!head || head.nextAttemptAt.getTime() > now.getTime()) break; // empty, or waiting out its back-off
    const leaseUntil = new Date(now.getTime() + OUTBOX_LEASE_MS);
    const [leased] = await deps.db.orm
      .update(outbox)
      .set({ leaseUntil, leaseHolder: leaseHolder(deps) })
      .where(and(eq(outbox.id, head.id), eq(outbox.status, 'pending'), or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now))))
      .returning({ id: outbox.id });
    if (!leased) break; // another run is sending this sender's queue
    const held = and(eq(outbox.id, head.id), eq(outbox.leaseUntil, leaseUntil));
    const attempts = head.attempts + 1;
    let error: string | null = null;
    if (!sender?.callbackUrl) error = `sender ${destination} has no callback URL (it can pull GET /v1/evidence)`;
    else {
      try {
        const payload = JSON.parse(head.payloadJson) as { evidenceId: string; type: string };
        const res = await doFetch(sender.callbackUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': payload.evidenceId, 'x-fuyuan-evidence-type': payload.type },
          body: head.payloadJson,
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!res.ok) error = `callback answered ${res.status}`;
        await res.body?.cancel().catch(() => undefined);
      } catch (e) {
        error = `callback unreachable: ${String((e as Error)?.message ?? e)}`;
      }
    }
    if (!error) {
      await deps.writer.audited(
        [{ actor: 'outbox', action: 'evidence.delivered', subject: `outbox:${head.id}`, data: { destination, idempotencyKey: head.idempotencyKey, attempts } }],
        async () => ({
          items: [deps.db.orm.update(outbox).set({ status: 'sent', sentAt: now, attempts, leaseUntil: null, leaseHolder: null }).where(held)],
          result: null,
        }),
        now,
      );
      report.sent++;
      continue;
    }
    if (attempts >= CALLBACK_MAX_ATTEMPTS || !sender?.callbackUrl) {
      await deps.writer.audited(
        [{ actor: 'outbox', action: 'outbox.dead', subject: `outbox:${head.id}`, data: { destination, attempts, lastError: error } }],
        async () => ({
          items: [deps.db.orm.update(outbox).set({ status: 'dead', attempts, lastError: error, leaseUntil: null, leaseHolder: null }).where(held)],
          result: null,
        }),
        now,
      );
      deps.log.log('error', 'evidence dead letter', { id: head.id, destination, attempts, error });
      report.dead++;
      continue; // the court can still pull it; the rest of its queue goes on
    }
    await deps.db.batch([
      deps.db.orm
        .update(outbox)
        .set({ attempts, lastError: error, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)), leaseUntil: null, leaseHolder: null })
        .where(held),
    ]);
    deps.log.log('warn', 'evidence callback failed', { id: head.id, destination, attempts, error });
    report.retried++;
    break; // keep the order: nothing after the head is sent before it
  }
}
