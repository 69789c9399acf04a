/**
 * The audit log: every state change appends a record (seq, at, actor, action, subject, data digest,
 * previous hash, hash) in the same atomic batch as the change itself. hash = SHA-256 of the JCS form of
 * {seq, at, actor, action, subject, dataDigest, prevHash}. Every `checkpointEvery` records the gateway
 * signs the head (and on demand).
 */
import { asc, desc, gt } from 'drizzle-orm';
import { compactVerify, createLocalJWKSet } from 'jose';
import type { Deps, Stmt } from '../deps.js';
import { auditCheckpoints, auditLog } from '../../schemas/db/index.js';
import { canonicalJson, sha256HexSync } from '../lib/encoding.js';
import { signJson } from '../lib/signing.js';
import { insertRows } from '../lib/raw-insert.js';

export const GENESIS = '0'.repeat(64);

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  data: unknown;
}
export interface AuditHead {
  seq: number;
  hash: string;
}
export interface AuditRecord extends AuditHead {
  at: Date;
  actor: string;
  action: string;
  subject: string;
  data: string;
  dataDigest: string;
  prevHash: string;
}

export const recordHash = (r: Omit<AuditRecord, 'hash' | 'data'>): string =>
  sha256HexSync(
    canonicalJson({
      seq: r.seq,
      at: r.at.getTime(),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      dataDigest: r.dataDigest,
      prevHash: r.prevHash,
    }),
  );

async function loadHead(deps: Deps): Promise<AuditHead> {
  if (deps.runtime.auditHead) return deps.runtime.auditHead;
  const [row] = await deps.db.orm.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  return row ?? { seq: 0, hash: GENESIS };
}

/** Canonical data and its digest: computed before the write lock is taken. */
export interface PreparedEntry extends AuditEntry {
  json: string;
  dataDigest: string;
}
const prepare = (entries: AuditEntry[]): PreparedEntry[] =>
  entries.map((e) => {
    const json = canonicalJson(e.data ?? null);
    return { ...e, json, dataDigest: sha256HexSync(json) };
  });

/** Link prepared entries to the head: synchronous, so the locked section does not yield. */
function chain(head: AuditHead, at: Date, entries: PreparedEntry[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = head;
  for (const e of entries) {
    const base = { seq: prev.seq + 1, at, actor: e.actor, action: e.action, subject: e.subject, dataDigest: e.dataDigest, prevHash: prev.hash };
    const rec: AuditRecord = { ...base, data: e.json, hash: recordHash(base) };
    out.push(rec);
    prev = rec;
  }
  return out;
}

/** Returned in an array: a drizzle builder is a thenable, so an async function must not return it bare (it would run). */
async function checkpointStmt(deps: Deps, head: AuditHead, at: Date): Promise<[Stmt]> {
  const { jws, kid } = await signJson(deps.keys, { type: 'audit-checkpoint', seq: head.seq, hash: head.hash, at: at.toISOString() }, 'fuyuan-audit-checkpoint+jws');
  return [deps.db.orm.insert(auditCheckpoints).values({ seq: head.seq, hash: head.hash, at, kid, jws }).onConflictDoNothing()];
}

const isAuditSeqConflict = (e: unknown) => /audit_log\.seq|audit_log/.test(String((e as Error)?.message ?? e)) && /UNIQUE|PRIMARY/i.test(String((e as Error)?.message ?? e));

export interface AuditPlan<T> {
  entries: AuditEntry[];
  /** Build the statements, knowing the audit head as it will be after the write (a receipt states it). */
  build: (head: AuditHead, at: Date) => Promise<{ items: Stmt[]; result: T }>;
}

/** Head → records → statements → one batch; run with the write lock held. Retries a sequence clash. */
async function commitLocked<T>(deps: Deps, prepared: PreparedEntry[], build: AuditPlan<T>['build'], at: Date): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const head = await loadHead(deps);
    const records = chain(head, at, prepared);
    const newHead: AuditHead = records.length ? { seq: records.at(-1)!.seq, hash: records.at(-1)!.hash } : head;
    const { items, result } = await build(newHead, at);
    const stmts: Stmt[] = [...items];
    if (records.length) stmts.push(insertRows(auditLog, records));
    for (const r of records) if (r.seq % deps.config.checkpointEvery === 0) stmts.push(...(await checkpointStmt(deps, r, at)));
    try {
      await deps.db.batch(stmts);
      deps.runtime.auditHead = newHead;
      return result;
    } catch (e) {
      // Another process may have appended: reload the head and chain again.
      deps.runtime.auditHead = undefined;
      if (isAuditSeqConflict(e) && attempt < 5) continue;
      throw e;
    }
  }
}

/**
 * Plan and commit under the write lock: `plan` runs inside it (so it may read state that the write depends
 * on, e.g. whether a case is still queued), then its audit entries and statements go in ONE batch.
 */
export function commitPlanned<T>(deps: Deps, plan: () => Promise<AuditPlan<T>>, at: Date = deps.clock.now()): Promise<T> {
  return deps.runtime.writeLock.run(async () => {
    const { entries, build } = await plan();
    return commitLocked(deps, prepare(entries), build, at);
  });
}

/**
 * Like commitPlanned, but `plan` runs OUTSIDE the write lock (it may read and compute concurrently with other
 * requests); only head → hashes → build → batch are serialised, and writes that wait for the lock together are
 * committed together (group commit, below). When the batch fails because another write got there first
 * (`isConflict`, e.g. the same new case created by a concurrent delivery), the plan is made again.
 */
export async function commitOptimistic<T>(deps: Deps, plan: () => Promise<AuditPlan<T>>, isConflict: (e: unknown) => boolean, at: Date = deps.clock.now()): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const { entries, build } = await plan();
    const prepared = prepare(entries);
    try {
      return await commitGrouped(deps, prepared, build, at);
    } catch (e) {
      if (isConflict(e) && attempt < 5) continue;
      throw e;
    }
  }
}

/** A write waiting for the lock: its prepared audit entries, how to build its statements, and its caller. */
export interface GroupedWrite {
  prepared: PreparedEntry[];
  build: AuditPlan<unknown>['build'];
  at: Date;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** At most this many writes share one transaction (each delivery carries its attachment bytes). */
const MAX_GROUP = 8;

/**
 * How long a group waits for writes that are announced but not queued yet: at most this many turns of the event
 * loop of at least 1 ms each. Measured with `npm run bench -- intake` (concurrency 8): without the wait a group
 * held 1.8 deliveries on average and a delivery wrote 712 KiB to the database file and its WAL; with it, about
 * 7 and 630 KiB (every B-tree a delivery touches costs a page per transaction, not per delivery).
 */
const GATHER_TURNS = 6;

/**
 * Run `work`, a request that will commit through commitOptimistic once it has checked its input (a delivery whose
 * body has been read: signature, digests, routing plan). While it runs, a group about to commit waits a few
 * milliseconds for it (GATHER_TURNS), so concurrent deliveries share one transaction: the journal sync and the
 * pages of every table and index they touch. A request that fails early just stops being waited for. Announce
 * only work that needs no more input from the network, so a group never waits on a slow client.
 */
export async function announceWrite<T>(deps: Deps, work: () => Promise<T>): Promise<T> {
  deps.runtime.writesComing = (deps.runtime.writesComing ?? 0) + 1;
  try {
    return await work();
  } finally {
    deps.runtime.writesComing = (deps.runtime.writesComing ?? 1) - 1;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/** Wait (briefly) until every announced write has queued, or the group is full. */
async function gather(deps: Deps, queue: GroupedWrite[]): Promise<void> {
  for (let turn = 0; turn < GATHER_TURNS && queue.length < Math.min(MAX_GROUP, deps.runtime.writesComing ?? 0); turn++) await nextTurn();
}

/**
 * Group commit: every write that queued while the lock was held (or while the group gathered announced writes)
 * goes into ONE transaction, so concurrent deliveries share the commit: the journal sync, and the WAL pages of
 * every table and index they touch, which a transaction writes whole however few rows it changed in them. Each
 * write keeps its own audit records, chained in queue order, and learns the head after its own records; no
 * caller hears of success before the transaction has committed. If the shared batch fails (one write clashes
 * with a row already there, say the same new case), every write of the group is committed again ALONE, so only
 * the culprit fails and the others succeed as if they had never been grouped.
 */
function commitGrouped<T>(deps: Deps, prepared: PreparedEntry[], build: AuditPlan<T>['build'], at: Date): Promise<T> {
  const queue = (deps.runtime.commitQueue ??= []);
  return new Promise<T>((resolve, reject) => {
    queue.push({ prepared, build, at, resolve: resolve as (v: unknown) => void, reject });
    if (queue.length === 1) void deps.runtime.writeLock.run(() => drainGroups(deps));
  });
}

async function drainGroups(deps: Deps): Promise<void> {
  const queue = deps.runtime.commitQueue ?? [];
  while (queue.length) {
    await gather(deps, queue);
    const group = queue.splice(0, MAX_GROUP);
    if (group.length === 1) {
      const [w] = group as [GroupedWrite];
      await commitLocked(deps, w.prepared, w.build, w.at).then(w.resolve, w.reject);
      continue;
    }
    let head: AuditHead;
    try {
      head = await loadHead(deps);
    } catch {
      for (const w of group) await commitLocked(deps, w.prepared, w.build, w.at).then(w.resolve, w.reject);
      continue;
    }
    // Chain every write's records first (synchronous), then build all writes at once: each build signs its
    // receipt (a thread-pool job), and signing them one after another would keep the lock for all of them.
    const planned = group.map((w) => {
      const records = chain(head, w.at, w.prepared);
      if (records.length) head = { seq: records.at(-1)!.seq, hash: records.at(-1)!.hash };
      return { w, records, head };
    });
    const outcomes = await Promise.allSettled(
      planned.map(async ({ w, records, head: after }) => {
        const { items, result } = await w.build(after, w.at);
        const stmts: Stmt[] = [...items];
        if (records.length) stmts.push(insertRows(auditLog, records));
        for (const r of records) if (r.seq % deps.config.checkpointEvery === 0) stmts.push(...(await checkpointStmt(deps, r, w.at)));
        return { stmts, result };
      }),
    );
    const failed = outcomes.findIndex((o) => o.status === 'rejected');
    if (failed >= 0) {
      // A write that cannot even be built fails alone. The writes after it were chained after its records, so
      // every other write of the group is committed again on its own, from the head as it really is.
      group[failed]!.reject((outcomes[failed] as PromiseRejectedResult).reason);
      for (const [i, w] of group.entries()) if (i !== failed) await commitLocked(deps, w.prepared, w.build, w.at).then(w.resolve, w.reject);
      continue;
    }
    const built = outcomes.map((o) => (o as PromiseFulfilledResult<{ stmts: Stmt[]; result: unknown }>).value);
    try {
      await deps.db.batch(built.flatMap((b) => b.stmts));
      deps.runtime.auditHead = head;
      for (const [i, b] of built.entries()) group[i]!.resolve(b.result);
    } catch {
      deps.runtime.auditHead = undefined;
      for (const w of group) await commitLocked(deps, w.prepared, w.build, w.at).then(w.resolve, w.reject);
    }
  }
}

/** Commit fixed `entries` with the statements `finish` builds, in one batch (see commitPlanned). */
export function commitAudited<T>(
  deps: Deps,
  entries: AuditEntry[],
  finish: (head: AuditHead, at: Date) => Promise<{ items: Stmt[]; result: T }>,
  at: Date = deps.clock.now(),
): Promise<T> {
  return commitPlanned(deps, async () => ({ entries, build: finish }), at);
}

/** Sign the current head now (CLI `audit checkpoint`). */
export async function checkpointNow(deps: Deps): Promise<AuditHead> {
  return deps.runtime.writeLock.run(async () => {
    deps.runtime.auditHead = undefined;
    const head = await loadHead(deps);
    await deps.db.batch(await checkpointStmt(deps, head, deps.clock.now()));
    return head;
  });
}

export interface AuditVerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  head: AuditHead;
  firstBad?: { seq: number; reason: string };
}

/** Recompute the whole chain; name the first record (or checkpoint) that does not match. */
export async function verifyAuditChain(deps: Deps, pageSize = 5000): Promise<AuditVerifyResult> {
  let prev: AuditHead = { seq: 0, hash: GENESIS };
  let count = 0;
  const hashes = new Map<number, string>();
  for (;;) {
    const rows = await deps.db.orm.select().from(auditLog).where(gt(auditLog.seq, prev.seq)).orderBy(asc(auditLog.seq)).limit(pageSize);
    if (rows.length === 0) break;
    for (const r of rows) {
      const bad = (reason: string): AuditVerifyResult => ({ ok: false, records: count, checkpoints: 0, head: prev, firstBad: { seq: r.seq, reason } });
      if (r.seq !== prev.seq + 1) return bad(`sequence gap: expected ${prev.seq + 1}, found ${r.seq}`);
      if (r.prevHash !== prev.hash) return bad(`prevHash does not match the hash of record ${prev.seq}`);
      if (sha256HexSync(r.data) !== r.dataDigest) return bad('data does not match its digest');
      const h = recordHash(r);
      if (h !== r.hash) return bad('hash does not match the record');
      prev = { seq: r.seq, hash: r.hash };
      if (r.seq % deps.config.checkpointEvery === 0) hashes.set(r.seq, r.hash);
      count++;
    }
  }
  const jwks = createLocalJWKSet(await deps.keys.jwks());
  const cps = await deps.db.orm.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq));
  for (const cp of cps) {
    const bad = (reason: string): AuditVerifyResult => ({ ok: false, records: count, checkpoints: cps.length, head: prev, firstBad: { seq: cp.seq, reason: `checkpoint: ${reason}` } });
    try {
      const { payload } = await compactVerify(cp.jws, jwks, { algorithms: ['ES256'] });
      const p = JSON.parse(new TextDecoder().decode(payload)) as { seq: number; hash: string };
      if (p.seq !== cp.seq || p.hash !== cp.hash) return bad('signed content differs from the row');
    } catch {
      return bad('signature does not verify with the gateway keys');
    }
    if (cp.seq > prev.seq) return bad('signed head beyond the end of the log (records removed?)');
    const rec = hashes.get(cp.seq) ?? (await deps.db.orm.select({ hash: auditLog.hash }).from(auditLog).where(gt(auditLog.seq, cp.seq - 1)).orderBy(asc(auditLog.seq)).limit(1))[0]?.hash;
    if (rec !== cp.hash) return bad(`signed hash differs from record ${cp.seq}`);
  }
  return { ok: true, records: count, checkpoints: cps.length, head: prev };
}
