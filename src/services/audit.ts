/**
 * The audit log: every state change appends records (seq, at, actor, action, subject, data digest, previous
 * hash, hash) in the same atomic batch as the change itself. hash = SHA-256 of the JCS form of
 * {seq, at, actor, action, subject, dataDigest, prevHash}: a hash chain.
 *
 * Three more things make it evidence rather than our own say-so (issue #19):
 * - content: a write's statements are read by src/services/audit-rows.ts and one more record, "rows.written",
 *   commits to the content of every stored fact the write created or changed (audit verify re-derives them);
 * - a Merkle tree (RFC 9162, src/lib/merkle.ts) whose leaf i is SHA-256(0x00 || hash of record i+1), its nodes
 *   written in the same batch (audit_tree), so inclusion and consistency proofs can be served (src/routes/audit);
 * - a signed tree head (audit_checkpoints) in every committed batch: no record is ever unsigned once committed,
 *   so a truncated tail or a forged append is named by audit verify. A receipt states the head after its own
 *   records, root included, and is itself signed with the same key: each court holds a signed commitment to
 *   the whole history up to its delivery.
 */
import { asc, desc, gt, sql } from 'drizzle-orm';
import { compactVerify, createLocalJWKSet } from 'jose';
import type { Deps, Stmt } from '../deps.js';
import { auditCheckpoints, auditLog, auditTree } from '../../schemas/db/index.js';
import { canonicalJson, sha256HexSync } from '../lib/encoding.js';
import { signJson } from '../lib/signing.js';
import { insertRows } from '../lib/raw-insert.js';
import { appendLeaves, bytesToHex, consistencyProof, EMPTY_FRONTIER, frontierKeys, frontierRoot, inclusionProof, recordLeaf, rootOf, withNodes, type Frontier, type Hash } from '../lib/merkle.js';
import { Problem } from '../lib/problem.js';
import { COVERED, columnsDiffering, digestsOf, keyOf, rowDigest, rowsOf, type ProducedRows, type RowDigest } from './audit-rows.js';

export { auditedUpdate } from './audit-rows.js';

export const GENESIS = '0'.repeat(64);
/** MTH of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const TREE_HEAD_TYP = 'fuyuan-tree-head+jws';

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  data: unknown;
}
export interface AuditHead {
  seq: number;
  hash: string;
  /** Merkle root (RFC 9162) of the first `seq` records, hex. */
  root: string;
}
export interface AuditRecord {
  seq: number;
  hash: string;
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

/** The log's end as the next write continues it: the head and the tree's right edge. */
interface LogState {
  head: AuditHead;
  frontier: Frontier;
}

/** Stored tree nodes by key (one read; keys as one JSON parameter: D1 allows 100 parameters). */
export async function treeNodes(deps: Deps, keys: number[]): Promise<Map<number, Hash>> {
  const out = new Map<number, Hash>();
  if (keys.length === 0) return out;
  const rows = (await deps.db.orm.all(sql`select key, hash from audit_tree where key in (select value from json_each(${JSON.stringify(keys)}))`)) as { key: number; hash: unknown }[];
  for (const r of rows) out.set(Number(r.key), toBytes(r.hash));
  return out;
}
const toBytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : Uint8Array.from(v as number[]));

async function loadState(deps: Deps): Promise<LogState> {
  const cached = deps.runtime.auditLogState as LogState | undefined;
  if (cached) return cached;
  const [row] = await deps.db.orm.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  const seq = row?.seq ?? 0;
  let frontier = await loadFrontier(deps, seq);
  if (!frontier) frontier = await rebuildTree(deps, seq);
  const state: LogState = { head: { seq, hash: row?.hash ?? GENESIS, root: bytesToHex(frontierRoot(frontier)) }, frontier };
  deps.runtime.auditLogState = state;
  return state;
}

async function loadFrontier(deps: Deps, size: number): Promise<Frontier | null> {
  const keys = frontierKeys(size);
  const got = await treeNodes(deps, keys.map((k) => k.key));
  if (keys.some((k) => !got.has(k.key))) return null;
  return { size, nodes: keys.map((k) => ({ level: k.level, hash: got.get(k.key)! })) };
}

/**
 * A log written before the tree existed (or whose tree is incomplete): compute the tree from the records and
 * store it, in pages. Runs once, under the write lock.
 */
async function rebuildTree(deps: Deps, size: number): Promise<Frontier> {
  let frontier = EMPTY_FRONTIER;
  await deps.db.batch([deps.db.orm.delete(auditTree)]);
  while (frontier.size < size) {
    const rows = await deps.db.orm.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).where(gt(auditLog.seq, frontier.size)).orderBy(asc(auditLog.seq)).limit(5000);
    if (rows.length === 0) break;
    const next = appendLeaves(frontier, rows.map((r) => recordLeaf(r.hash)));
    frontier = next.frontier;
    await deps.db.batch(treeStmts(next.stored));
  }
  return frontier;
}

const treeStmts = (stored: { key: number; hash: Hash }[]): Stmt[] => {
  const out: Stmt[] = [];
  for (let i = 0; i < stored.length; i += 400) out.push(insertRows(auditTree, stored.slice(i, i + 400)));
  return out;
};

/** Canonical data and its digest: computed before the write lock is taken. */
export interface PreparedEntry extends AuditEntry {
  json: string;
  dataDigest: string;
}
const prepareOne = (e: AuditEntry): PreparedEntry => {
  const json = canonicalJson(e.data ?? null);
  return { ...e, json, dataDigest: sha256HexSync(json) };
};
const prepare = (entries: AuditEntry[]): PreparedEntry[] => entries.map(prepareOne);

/** Records chained onto a state, the tree nodes they complete, and the state after them. */
interface Chained {
  records: AuditRecord[];
  nodes: { key: number; hash: Hash }[];
  state: LogState;
}

/** Link prepared entries to the head and grow the tree: synchronous, so the locked section does not yield. */
function chain(state: LogState, at: Date, entries: PreparedEntry[]): Chained {
  if (entries.length === 0) return { records: [], nodes: [], state };
  const records: AuditRecord[] = [];
  let prev = state.head;
  for (const e of entries) {
    const base = { seq: prev.seq + 1, at, actor: e.actor, action: e.action, subject: e.subject, dataDigest: e.dataDigest, prevHash: prev.hash };
    const rec: AuditRecord = { ...base, data: e.json, hash: recordHash(base) };
    records.push(rec);
    prev = { seq: rec.seq, hash: rec.hash, root: '' };
  }
  const { frontier, stored } = appendLeaves(state.frontier, records.map((r) => recordLeaf(r.hash)));
  return { records, nodes: stored, state: { head: { ...prev, root: bytesToHex(frontierRoot(frontier)) }, frontier } };
}

/** The "rows.written" entry of a write: the content commitments of its statements (none: no entry). */
async function sealOf(deps: Deps, prepared: PreparedEntry[], items: Stmt[], seen?: ProducedRows): Promise<PreparedEntry | null> {
  const rows = await digestsOf(deps, items, seen);
  if (rows.length === 0) return null;
  const first = prepared[0];
  return prepareOne({ actor: first?.actor ?? 'system', action: 'rows.written', subject: first?.subject ?? 'rows', data: { rows } });
}

/** A signed tree head: the gateway's signature over (tree size, root, chain hash, time). */
export interface TreeHead {
  type: 'audit-tree-head';
  treeSize: number;
  rootHash: string;
  hash: string;
  at: string;
}

/** Returned in an array: a drizzle builder is a thenable, so an async function must not return it bare (it would run). */
async function signedHeadStmt(deps: Deps, head: AuditHead, at: Date): Promise<[Stmt]> {
  const sth: TreeHead = { type: 'audit-tree-head', treeSize: head.seq, rootHash: head.root, hash: head.hash, at: at.toISOString() };
  const { jws, kid } = await signJson(deps.keys, sth, TREE_HEAD_TYP);
  return [insertRows(auditCheckpoints, [{ seq: head.seq, hash: head.hash, root: head.root, at, kid, jws }], { onConflictDoNothing: true })];
}

/** Statements of chained records: the records and their tree nodes. */
const recordStmts = (c: Chained[]): Stmt[] => {
  const records = c.flatMap((x) => x.records);
  if (records.length === 0) return [];
  return [insertRows(auditLog, records), ...treeStmts(c.flatMap((x) => x.nodes))];
};

const isAuditSeqConflict = (e: unknown) => /audit_log|audit_tree/.test(String((e as Error)?.message ?? e)) && /UNIQUE|PRIMARY/i.test(String((e as Error)?.message ?? e));

export interface AuditPlan<T> {
  entries: AuditEntry[];
  /** Build the statements, knowing the audit head as it will be after the write's entries (a receipt states it). */
  build: (head: AuditHead, at: Date) => Promise<{ items: Stmt[]; result: T }>;
}

/**
 * State → records → statements → the "rows.written" record → a signed head → one batch; run with the write lock
 * held. Retries a sequence clash (another process appended).
 */
async function commitLocked<T>(deps: Deps, prepared: PreparedEntry[], build: AuditPlan<T>['build'], at: Date): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const state = await loadState(deps);
    const own = chain(state, at, prepared);
    const { items, result } = await build(own.state.head, at);
    const seal = await sealOf(deps, prepared, items);
    const sealed = seal ? chain(own.state, at, [seal]) : { records: [], nodes: [], state: own.state };
    const stmts: Stmt[] = [...items, ...recordStmts([own, sealed])];
    if (sealed.state.head.seq > state.head.seq) stmts.push(...(await signedHeadStmt(deps, sealed.state.head, at)));
    try {
      await deps.db.batch(stmts);
      deps.runtime.auditLogState = sealed.state;
      return result;
    } catch (e) {
      deps.runtime.auditLogState = undefined;
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
    let state: LogState;
    try {
      state = await loadState(deps);
    } catch {
      for (const w of group) await commitLocked(deps, w.prepared, w.build, w.at).then(w.resolve, w.reject);
      continue;
    }
    const before = state;
    // Chain every write's records first (synchronous), then build all writes at once: each build signs its
    // receipt (a thread-pool job), and signing them one after another would keep the lock for all of them.
    const planned = group.map((w) => {
      const own = chain(state, w.at, w.prepared);
      state = own.state;
      return { w, own };
    });
    const outcomes = await Promise.allSettled(
      planned.map(async ({ w, own }) => {
        const { items, result } = await w.build(own.state.head, w.at);
        return { items, result };
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
    // The content commitments, in queue order over one view of the rows: a write sees what the writes before it in
    // the group produced (two deliveries to one case change the same row).
    const produced: ProducedRows = new Map();
    let built: { items: Stmt[]; result: unknown; seal: PreparedEntry | null }[];
    try {
      built = [];
      for (const [i, o] of outcomes.entries()) {
        const b = (o as PromiseFulfilledResult<{ items: Stmt[]; result: unknown }>).value;
        built.push({ ...b, seal: await sealOf(deps, group[i]!.prepared, b.items, produced) });
      }
    } catch {
      for (const w of group) await commitLocked(deps, w.prepared, w.build, w.at).then(w.resolve, w.reject);
      continue;
    }
    // The "rows.written" records of the group follow all its writes' own records, in the same order.
    const seals = built.map((b, i) => {
      if (!b.seal) return null;
      const c = chain(state, group[i]!.at, [b.seal]);
      state = c.state;
      return c;
    });
    try {
      const stmts: Stmt[] = [...built.flatMap((b) => b.items), ...recordStmts([...planned.map((p) => p.own), ...seals.filter((c): c is Chained => !!c)])];
      if (state.head.seq > before.head.seq) stmts.push(...(await signedHeadStmt(deps, state.head, group.at(-1)!.at)));
      await deps.db.batch(stmts);
      deps.runtime.auditLogState = state;
      for (const [i, b] of built.entries()) group[i]!.resolve(b.result);
    } catch {
      deps.runtime.auditLogState = undefined;
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

/** Sign the current head now, unless a signed head already covers it (CLI `audit checkpoint`, and at shutdown). */
export async function checkpointNow(deps: Deps): Promise<AuditHead> {
  return deps.runtime.writeLock.run(async () => {
    deps.runtime.auditLogState = undefined;
    const { head } = await loadState(deps);
    const [last] = await deps.db.orm.select({ seq: auditCheckpoints.seq, root: auditCheckpoints.root }).from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq)).limit(1);
    if (head.seq > 0 && (last?.seq !== head.seq || last.root !== head.root)) await deps.db.batch(await signedHeadStmt(deps, head, deps.clock.now()));
    return head;
  });
}

/** The latest signed tree head (GET /v1/audit/tree-head). */
export async function latestTreeHead(deps: Deps): Promise<{ treeSize: number; rootHash: string; hash: string; at: string; jws: string } | null> {
  const [row] = await deps.db.orm.select().from(auditCheckpoints).where(sql`${auditCheckpoints.root} is not null`).orderBy(desc(auditCheckpoints.seq)).limit(1);
  return row ? { treeSize: row.seq, rootHash: row.root!, hash: row.hash, at: row.at.toISOString(), jws: row.jws } : null;
}

/** What audit verify found wrong first: a record, the log's end, a signed head, a receipt, or a stored row. */
export interface AuditProblem {
  /** The audit record concerned, when there is one. */
  seq?: number;
  /** The stored row concerned: its table and id (primary key values joined with '/'). */
  table?: string;
  id?: string;
  reason: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  records: number;
  checkpoints: number;
  /** Stored rows whose content was re-derived and compared. */
  rows: number;
  head: AuditHead;
  firstBad?: AuditProblem;
  /** Every problem found (at most 50), in the order verify met them. */
  problems: AuditProblem[];
}

interface SignedHeadRow {
  seq: number;
  hash: string;
  root: string | null;
  jws: string;
}

/**
 * Recompute everything and name what does not match: each record's hash and link; the Merkle tree (stored nodes and
 * every signed head's root); the log's end against the signed heads (a missing tail, records no signature covers);
 * the head each receipt states; and the content of every stored fact against the latest record that wrote it
 * (changed, inserted outside the log, or deleted).
 */
export async function verifyAuditChain(deps: Deps, pageSize = 5000): Promise<AuditVerifyResult> {
  const problems: AuditProblem[] = [];
  const report = (p: AuditProblem) => {
    if (problems.length < 50) problems.push(p);
  };
  const jwks = createLocalJWKSet(await deps.keys.jwks());

  // Signed heads: each must verify with the gateway's keys and say what its row says.
  const heads = (await deps.db.orm.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq))) as SignedHeadRow[];
  const signedAt = new Map<number, SignedHeadRow>();
  for (const h of heads) {
    try {
      const { payload } = await compactVerify(h.jws, jwks, { algorithms: ['ES256'] });
      const p = JSON.parse(new TextDecoder().decode(payload)) as { seq?: number; treeSize?: number; hash: string; rootHash?: string };
      if ((p.treeSize ?? p.seq) !== h.seq || p.hash !== h.hash || (p.rootHash ?? null) !== h.root) {
        report({ seq: h.seq, reason: `signed head #${h.seq}: the signed content differs from the stored row` });
        continue;
      }
    } catch {
      report({ seq: h.seq, reason: `signed head #${h.seq}: the signature does not verify with the gateway keys` });
      continue;
    }
    signedAt.set(h.seq, h);
  }
  const lastSigned = Math.max(0, ...signedAt.keys());

  // The heads the receipts state, by sequence number.
  const receiptRows = (await deps.db.orm.all(
    sql`select id, case when json_valid(receipt_json) then json_extract(receipt_json, '$.auditHead') end as head from deliveries`,
  )) as { id: string; head: string | null }[];
  const receiptsAt = new Map<number, { id: string; hash?: string; root?: string }[]>();
  for (const r of receiptRows) {
    const h = r.head ? (JSON.parse(r.head) as { seq?: number; hash?: string; root?: string }) : null;
    if (!h || typeof h.seq !== 'number') continue; // the delivery row's own digest names a damaged receipt
    const list = receiptsAt.get(h.seq) ?? [];
    list.push({ id: r.id, hash: h.hash, root: h.root });
    receiptsAt.set(h.seq, list);
  }

  // Records, in order, with the tree grown beside them.
  let prev: AuditHead = { seq: 0, hash: GENESIS, root: EMPTY_ROOT };
  let frontier = EMPTY_FRONTIER;
  let count = 0;
  let lastGoodSigned = 0;
  const committed = new Map<string, { seq: number; row: RowDigest }>();
  for (;;) {
    const rows = await deps.db.orm.select().from(auditLog).where(gt(auditLog.seq, prev.seq)).orderBy(asc(auditLog.seq)).limit(pageSize);
    if (rows.length === 0) break;
    const from = rows[0]!.seq - 1;
    const to = rows.at(-1)!.seq - 1;
    const stored = new Map(
      ((await deps.db.orm.all(sql`select key, hash from audit_tree where key between ${from * 64} and ${to * 64 + 63}`)) as { key: number; hash: unknown }[]).map((n) => [Number(n.key), bytesToHex(toBytes(n.hash))]),
    );
    for (const r of rows) {
      if (r.seq !== prev.seq + 1) report({ seq: r.seq, reason: `record #${r.seq}: sequence gap, records #${prev.seq + 1}…#${r.seq - 1} are missing` });
      if (r.prevHash !== prev.hash) report({ seq: r.seq, reason: `record #${r.seq}: prevHash does not match the hash of record #${prev.seq}` });
      if (sha256HexSync(r.data) !== r.dataDigest) report({ seq: r.seq, reason: `record #${r.seq}: data does not match its digest` });
      if (recordHash(r) !== r.hash) report({ seq: r.seq, reason: `record #${r.seq}: hash does not match the record` });
      const grown = appendLeaves(frontier, [recordLeaf(r.hash)]);
      frontier = grown.frontier;
      for (const n of grown.stored) {
        const have = stored.get(n.key);
        if (have !== bytesToHex(n.hash)) report({ seq: r.seq, reason: `record #${r.seq}: ${have ? 'the stored Merkle tree differs from the record (record or tree rewritten)' : 'its Merkle tree node is missing'}` });
      }
      prev = { seq: r.seq, hash: r.hash, root: '' };
      count++;
      const sth = signedAt.get(r.seq);
      const receipts = receiptsAt.get(r.seq);
      if (sth || receipts) {
        const root = bytesToHex(frontierRoot(frontier));
        if (sth) {
          if (sth.hash !== r.hash || (sth.root !== null && sth.root !== root))
            report({ seq: r.seq, reason: `signed head #${r.seq} does not match the log: a record after #${lastGoodSigned} and up to #${r.seq} was rewritten` });
          else lastGoodSigned = r.seq;
        }
        for (const rc of receipts ?? [])
          if (rc.hash !== r.hash || (rc.root !== undefined && rc.root !== root))
            report({ seq: r.seq, table: 'deliveries', id: rc.id, reason: `the receipt of delivery ${rc.id} states a head #${r.seq} the log does not have: the log was rewritten up to #${r.seq}` });
      }
      if (r.action === 'rows.written') {
        try {
          for (const row of (JSON.parse(r.data) as { rows: RowDigest[] }).rows) {
            const k = `${row.t}\u0000${row.k}`;
            if (row.n && committed.has(k)) continue; // an insert that did nothing: the row was there
            committed.set(k, { seq: r.seq, row });
          }
        } catch {
          // its digest check above names it
        }
      }
    }
  }
  const head: AuditHead = { ...prev, root: bytesToHex(frontierRoot(frontier)) };

  // The log's end against the signed heads.
  if (lastSigned > head.seq) report({ seq: head.seq + 1, reason: `missing tail: records #${head.seq + 1}…#${lastSigned} were removed (the signed head #${lastSigned} covers them)` });
  else if (head.seq > lastSigned) report({ seq: lastSigned + 1, reason: `records #${lastSigned + 1}…#${head.seq} were appended after the last signed head (#${lastSigned}): no signature covers them` });
  for (const [seq, list] of receiptsAt)
    if (seq > head.seq) for (const rc of list) report({ seq, table: 'deliveries', id: rc.id, reason: `the receipt of delivery ${rc.id} states head #${seq}, beyond the end of the log (#${head.seq}): records were removed` });

  // Stored facts against what the log committed to.
  let rowCount = 0;
  for (const ct of COVERED) {
    for await (const row of rowsOf(deps, ct)) {
      rowCount++;
      const id = keyOf(ct, row);
      const k = `${ct.name}\u0000${id}`;
      const c = committed.get(k);
      if (!c) {
        report({ table: ct.name, id, reason: `${ct.name} ${id}: not in the audit log (stored outside an audited write)` });
        continue;
      }
      committed.delete(k);
      if (c.row.x) {
        report({ seq: c.seq, table: ct.name, id, reason: `${ct.name} ${id}: present, but audit record #${c.seq} deleted it (stored outside an audited write)` });
        continue;
      }
      const differ = columnsDiffering(ct, row, c.row);
      if (differ.length || rowDigestOf(ct, row) !== c.row.d)
        report({ seq: c.seq, table: ct.name, id, reason: `${ct.name} ${id}: ${differ.length ? differ.join(', ') : 'its content'} differ${differ.length === 1 ? 's' : ''} from what audit record #${c.seq} committed to` });
    }
  }
  for (const [, c] of committed) if (!c.row.x) report({ seq: c.seq, table: c.row.t, id: c.row.k, reason: `${c.row.t} ${c.row.k}: deleted (audit record #${c.seq} wrote it)` });

  return { ok: problems.length === 0, records: count, checkpoints: heads.length, rows: rowCount, head, ...(problems[0] ? { firstBad: problems[0] } : {}), problems };
}

const rowDigestOf = (ct: (typeof COVERED)[number], row: Record<string, unknown>) => rowDigest(ct, row).d;

/** An inclusion proof (RFC 9162 §2.1.3) of audit record `seq` (leaf seq − 1) in the tree of `treeSize` leaves. */
export interface InclusionProof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  /** SHA-256(0x00 || the 32 bytes of the record's hash), hex. */
  leafHash: string;
  /** The audit path, hex, from the leaf's sibling upwards (RFC 9162 PATH). */
  auditPath: string[];
  /** The root the path leads to, as the gateway computes it: a verifier compares its own signed root, not this. */
  rootHash: string;
}

/** A consistency proof (RFC 9162 §2.1.4) between the trees of `first` and `second` leaves. */
export interface ConsistencyProof {
  first: number;
  second: number;
  consistency: string[];
  firstRootHash: string;
  secondRootHash: string;
}

/** The size proofs may speak of: the latest signed head's (every committed record is under one). One indexed read. */
async function provableSize(deps: Deps): Promise<number> {
  const [row] = await deps.db.orm.select({ seq: auditCheckpoints.seq }).from(auditCheckpoints).where(sql`${auditCheckpoints.root} is not null`).orderBy(desc(auditCheckpoints.seq)).limit(1);
  return row?.seq ?? 0;
}

/**
 * Nodes at this level and above are kept in memory once read: a stored node never changes (it is the hash of a
 * complete subtree), and every proof needs a few of them (the upper part of its path, the roots it folds). At
 * 10,000,000 records there are ~20,000 of them (N / 2^9), about 2 MiB. The nodes below it, which differ from
 * one proof to the next, are read from the database, all of them in one read of one small key range's pages.
 */
const CACHED_LEVEL = 10;
const nodeCaches = new WeakMap<object, Map<number, Hash>>();

/** Stored nodes for a proof: the cached upper levels, and ONE read for the rest (remembering the upper ones it got). */
const fetcher = (deps: Deps) => async (keys: number[]) => {
  let cache = nodeCaches.get(deps.db);
  if (!cache) nodeCaches.set(deps.db, (cache = new Map()));
  const out = new Map<number, Hash>();
  const missing: number[] = [];
  for (const k of keys) {
    const h = cache.get(k);
    if (h) out.set(k, h);
    else missing.push(k);
  }
  if (missing.length === 0) return out;
  const got = await treeNodes(deps, missing);
  for (const [k, h] of got) {
    out.set(k, h);
    if (k % 64 >= CACHED_LEVEL) cache.set(k, h);
  }
  return out;
};

export async function proveInclusion(deps: Deps, seq: number, treeSize?: number): Promise<InclusionProof> {
  const max = await provableSize(deps);
  const size = treeSize ?? max;
  if (!Number.isSafeInteger(seq) || seq < 1) throw new Problem('bad-request', 'seq must be an audit record number, 1 or more');
  if (!Number.isSafeInteger(size) || size < seq) throw new Problem('bad-request', `treeSize must be at least seq (${seq})`);
  if (size > max) throw new Problem('not-found', `the log has ${max} signed records; treeSize ${size} is beyond it`);
  return withNodes(fetcher(deps), (get) => ({
    seq,
    leafIndex: seq - 1,
    treeSize: size,
    leafHash: bytesToHex(get(0, seq - 1)),
    auditPath: inclusionProof(get, seq - 1, size).map(bytesToHex),
    rootHash: bytesToHex(rootOf(get, size)),
  }));
}

export async function proveConsistency(deps: Deps, first: number, second?: number): Promise<ConsistencyProof> {
  const max = await provableSize(deps);
  const size = second ?? max;
  if (!Number.isSafeInteger(first) || first < 1) throw new Problem('bad-request', 'first must be a tree size, 1 or more');
  if (!Number.isSafeInteger(size) || size < first) throw new Problem('bad-request', `second must be at least first (${first})`);
  if (size > max) throw new Problem('not-found', `the log has ${max} signed records; tree size ${size} is beyond it`);
  return withNodes(fetcher(deps), (get) => ({
    first,
    second: size,
    consistency: consistencyProof(get, first, size).map(bytesToHex),
    firstRootHash: bytesToHex(rootOf(get, first)),
    secondRootHash: bytesToHex(rootOf(get, size)),
  }));
}
