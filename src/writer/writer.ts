/**
 * The writer: the one unit of work through which every stored fact changes (issue 20). Created once per process by
 * createWriter and owning its state: the write lock, the queue of writes waiting to commit together, the count of
 * writes announced, and the audit log's end (head and Merkle edge). Every write appends its audit records in the
 * same atomic batch as its statements:
 * - content: a write's statements are read by src/services/audit-rows.ts and one more record, "rows.written",
 *   commits to the content of every stored fact the write created or changed (audit verify re-derives them);
 * - the Merkle tree (RFC 9162, src/lib/merkle.ts): leaf i is SHA-256(0x00 || hash of record i+1), its nodes
 *   written in the same batch (audit_tree), so inclusion and consistency proofs can be served;
 * - a signed tree head (audit_checkpoints) in every committed batch: no record is ever unsigned once committed.
 * The batch itself runs on the Db port: on Node a worker thread owning the write connection
 * (adapters/db/libsql-writer.ts), so the event loop never waits on a commit; on Workers D1's batch.
 */
import { asc, desc, gt } from 'drizzle-orm';
import type { Clock, Db, KeyStore, Stmt } from '../deps.js';
import { auditCheckpoints, auditLog, auditTree } from '../../schemas/db/index.js';
import { canonicalJson, sha256HexSync } from '../lib/encoding.js';
import { signJson } from '../lib/signing.js';
import { cpuTurn, nextRound } from '../lib/turns.js';
import { insertRows } from '../lib/raw-insert.js';
import { Mutex } from '../lib/mutex.js';
import { appendLeaves, bytesToHex, EMPTY_FRONTIER, frontierKeys, frontierRoot, recordLeaf, type Frontier, type Hash } from '../lib/merkle.js';
import { digestsOf, rowsWrittenJson, type ProducedRows } from '../services/audit-rows.js';
import { GENESIS, recordHash, TREE_HEAD_TYP, treeNodes, treeStmts, type AuditRecord, type TreeHead } from './log.js';
import { StorageFailure, WriteConflict, type AuditEntry, type AuditHead, type WriteBuild, type WritePlan, type Writer } from './types.js';

/** The log's end as the next write continues it: the head and the tree's right edge. */
interface LogState {
  head: AuditHead;
  frontier: Frontier;
}

/** Canonical data and its digest: computed before the write lock is taken. */
interface PreparedEntry extends AuditEntry {
  json: string;
  dataDigest: string;
}
/** `json`: the data's JCS form where the caller made it already (rowsWrittenJson). */
const prepareOne = (e: AuditEntry, json = canonicalJson(e.data ?? null)): PreparedEntry => ({ ...e, json, dataDigest: sha256HexSync(json) });
const prepare = (entries: AuditEntry[]): PreparedEntry[] => entries.map((e) => prepareOne(e));

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
  const { frontier, stored } = appendLeaves(
    state.frontier,
    records.map((r) => recordLeaf(r.hash)),
  );
  return { records, nodes: stored, state: { head: { ...prev, root: bytesToHex(frontierRoot(frontier)) }, frontier } };
}

/** Statements of chained records: the records and their tree nodes. */
const recordStmts = (c: Chained[]): Stmt[] => {
  const records = c.flatMap((x) => x.records);
  if (records.length === 0) return [];
  return [insertRows(auditLog, records), ...treeStmts(c.flatMap((x) => x.nodes))];
};

/** Another process appended to the log between our read of its head and our batch. */
const isSequenceClash = (e: unknown) => e instanceof WriteConflict && (e.on('audit_log') || e.on('audit_tree'));

/** A write waiting for the lock: its prepared audit entries, how to build its statements, and its caller. */
interface GroupedWrite {
  prepared: PreparedEntry[];
  build: WriteBuild<unknown>;
  at: Date;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** At most this many writes share one transaction (each delivery carries its attachment bytes). */
const MAX_GROUP = 8;

/**
 * How long a group waits for writes that are announced but not queued yet, where batches cannot be pipelined (no
 * Db.sequence: D1, a remote libSQL server): at most this many turns of the event loop of at least 1 ms each.
 * Measured with `npm run bench -- intake` (concurrency 8) when every database committed group after group: without
 * the wait a group held 1.8 deliveries on average and a delivery wrote 712 KiB to the database file and its WAL;
 * with it, about 7 and 630 KiB (every B-tree a delivery touches costs a page per transaction, not per delivery).
 *
 * Where batches are pipelined (the embedded file), a group does not wait: the writes that become ready while one
 * group commits form the next, prepared meanwhile. Measured the same way, back to back on one machine: 111.8
 * deliveries/s (p50 70 ms, 6.7 per transaction) committing group after group with the wait, 133.4/s (p50 58 ms,
 * 2.4 per transaction, 742 KiB written per delivery) pipelined without it; pipelined with the wait was slower than
 * either (about 102/s): a group waiting for stragglers leaves the writer thread idle.
 */
const GATHER_TURNS = 6;

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/**
 * A yield to the event loop (src/lib/turns.ts nextRound), taken between the writes of a group while their content
 * commitments are computed: each is a run of hashing and canonical JSON, and a group of eight back to back kept the
 * event loop from answering `/healthz` or reading a request body for tens of milliseconds at peak (issue 20:
 * `/healthz` p99 ≤ 20 ms). Not a FIFO turn (cpuTurn): waiting behind every delivery's turn between two commitments
 * made the peak tail worse (20.8, 18.9 and 23.4 ms against 15.5, 19.6 and 17.9 ms).
 */
const yieldTurn = nextRound;

export interface WriterPorts {
  db: Db;
  keys: KeyStore;
  clock: Clock;
}

export function createWriter(ports: WriterPorts): Writer {
  return new AuditedWriter(ports);
}

class AuditedWriter implements Writer {
  readonly #db: Db;
  readonly #keys: KeyStore;
  readonly #clock: Clock;
  readonly #lock = new Mutex();
  readonly #queue: GroupedWrite[] = [];
  #coming = 0;
  #state: LogState | undefined;
  /** Set while the group loop waits for its batch in flight: a write queued meanwhile wakes it. */
  #wake: (() => void) | undefined;
  /** Writes under the lock (planned, checkpoint) waiting for it: the group loop lets them in between two groups. */
  #waiting = 0;

  constructor(ports: WriterPorts) {
    this.#db = ports.db;
    this.#keys = ports.keys;
    this.#clock = ports.clock;
  }

  planned<T>(plan: () => Promise<WritePlan<T>>, at: Date = this.#clock.now()): Promise<T> {
    return this.#locked(async () => {
      const { entries, build } = await plan();
      return this.#commitLocked(prepare(entries), build, at);
    });
  }

  audited<T>(entries: AuditEntry[], build: WriteBuild<T>, at: Date = this.#clock.now()): Promise<T> {
    return this.planned(async () => ({ entries, build }), at);
  }

  async optimistic<T>(plan: () => Promise<WritePlan<T>>, replan: (c: WriteConflict) => boolean, at: Date = this.#clock.now()): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { entries, build } = await plan();
      try {
        return await this.#grouped(prepare(entries), build, at);
      } catch (e) {
        if (e instanceof WriteConflict && replan(e) && attempt < 5) continue;
        throw e;
      }
    }
  }

  /**
   * While `work` runs, a group about to commit waits a few milliseconds for it (GATHER_TURNS; not where batches are
   * pipelined), so concurrent deliveries share one transaction: the journal sync and the pages of every table and
   * index they touch. A request that fails early just stops being waited for. Announce only work that needs no more
   * input from the network, so a group never waits on a slow client.
   */
  async announce<T>(work: () => Promise<T>): Promise<T> {
    this.#coming++;
    try {
      return await work();
    } finally {
      this.#coming--;
    }
  }

  checkpoint(): Promise<AuditHead> {
    return this.#locked(async () => {
      this.#state = undefined;
      const { head } = await this.#loadState();
      const [last] = await this.#db.orm
        .select({ seq: auditCheckpoints.seq, root: auditCheckpoints.root })
        .from(auditCheckpoints)
        .orderBy(desc(auditCheckpoints.seq))
        .limit(1);
      if (head.seq > 0 && (last?.seq !== head.seq || last.root !== head.root)) await this.#db.batch(await this.#signedHeadStmt(head, this.#clock.now()));
      return head;
    });
  }

  /** Run `fn` under the write lock, counted as waiting until it has it. */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    this.#waiting++;
    return this.#lock.run(() => {
      this.#waiting--;
      return fn();
    });
  }

  forget(): void {
    this.#state = undefined;
  }

  stats(): { announced: number; queued: number } {
    return { announced: this.#coming, queued: this.#queue.length };
  }

  // ---------------------------------------------------------------- the log's end

  async #loadState(): Promise<LogState> {
    if (this.#state) return this.#state;
    const [row] = await this.#db.orm.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
    const seq = row?.seq ?? 0;
    const frontier = (await this.#loadFrontier(seq)) ?? (await this.#rebuildTree(seq));
    this.#state = { head: { seq, hash: row?.hash ?? GENESIS, root: bytesToHex(frontierRoot(frontier)) }, frontier };
    return this.#state;
  }

  async #loadFrontier(size: number): Promise<Frontier | null> {
    const keys = frontierKeys(size);
    const got = await treeNodes(
      this.#db,
      keys.map((k) => k.key),
    );
    if (keys.some((k) => !got.has(k.key))) return null;
    return { size, nodes: keys.map((k) => ({ level: k.level, hash: got.get(k.key)! })) };
  }

  /**
   * A log written before the tree existed (or whose tree is incomplete): compute the tree from the records and
   * store it, in pages. Runs once, under the write lock.
   */
  async #rebuildTree(size: number): Promise<Frontier> {
    let frontier = EMPTY_FRONTIER;
    await this.#db.batch([this.#db.orm.delete(auditTree)]);
    while (frontier.size < size) {
      const rows = await this.#db.orm
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .where(gt(auditLog.seq, frontier.size))
        .orderBy(asc(auditLog.seq))
        .limit(5000);
      if (rows.length === 0) break;
      const next = appendLeaves(
        frontier,
        rows.map((r) => recordLeaf(r.hash)),
      );
      frontier = next.frontier;
      await this.#db.batch(treeStmts(next.stored));
    }
    return frontier;
  }

  /** The "rows.written" entry of a write: the content commitments of its statements (none: no entry). */
  async #sealOf(prepared: PreparedEntry[], items: Stmt[], seen?: ProducedRows): Promise<PreparedEntry | null> {
    const rows = await digestsOf({ db: this.#db }, items, seen);
    if (rows.length === 0) return null;
    const first = prepared[0];
    return prepareOne({ actor: first?.actor ?? 'system', action: 'rows.written', subject: first?.subject ?? 'rows', data: { rows } }, rowsWrittenJson(rows));
  }

  /** Returned in an array: a drizzle builder is a thenable, so an async function must not return it bare (it would run). */
  async #signedHeadStmt(head: AuditHead, at: Date): Promise<[Stmt]> {
    const sth: TreeHead = { type: 'audit-tree-head', treeSize: head.seq, rootHash: head.root, hash: head.hash, at: at.toISOString() };
    const { jws, kid } = await signJson(this.#keys, sth, TREE_HEAD_TYP);
    return [insertRows(auditCheckpoints, [{ seq: head.seq, hash: head.hash, root: head.root, at, kid, jws }], { onConflictDoNothing: true })];
  }

  // ---------------------------------------------------------------- committing

  /**
   * State → records → statements → the "rows.written" record → a signed head → one batch; run with the write lock
   * held. Retries a sequence clash (another process appended).
   */
  async #commitLocked<T>(prepared: PreparedEntry[], build: WriteBuild<T>, at: Date): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.#loadState();
      const own = chain(state, at, prepared);
      const { items, result } = await build(own.state.head, at);
      const seal = await this.#sealOf(prepared, items);
      const sealed = seal ? chain(own.state, at, [seal]) : { records: [], nodes: [], state: own.state };
      const stmts: Stmt[] = [...items, ...recordStmts([own, sealed])];
      if (sealed.state.head.seq > state.head.seq) stmts.push(...(await this.#signedHeadStmt(sealed.state.head, at)));
      try {
        await this.#db.batch(stmts);
        this.#state = sealed.state;
        return result;
      } catch (e) {
        this.#state = undefined;
        if (isSequenceClash(e) && attempt < 5) continue;
        throw e;
      }
    }
  }

  /**
   * Group commit: every write that queued while the lock was held (or while the group gathered announced writes)
   * goes into ONE transaction, so concurrent deliveries share the commit: the journal sync, and the WAL pages of
   * every table and index they touch, which a transaction writes whole however few rows it changed in them. Each
   * write keeps its own audit records, chained in queue order, and learns the head after its own records; no
   * caller hears of success before the transaction has committed. If the shared batch fails (one write clashes
   * with a row already there, say the same new case), every write of the group is committed again ALONE, so only
   * the culprit fails and the others succeed as if they had never been grouped. A storage fault fails the whole
   * group at once: committing each write again would only wait for the same lock or disk once per write.
   */
  #grouped<T>(prepared: PreparedEntry[], build: WriteBuild<T>, at: Date): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ prepared, build, at, resolve: resolve as (v: unknown) => void, reject });
      this.#wake?.();
      if (this.#queue.length === 1) void this.#lock.run(() => this.#drainGroups());
    });
  }

  /** Wait (briefly) until every announced write has queued, or the group is full. */
  async #gather(pipelined: boolean): Promise<void> {
    if (pipelined) return;
    for (let turn = 0; turn < GATHER_TURNS && this.#queue.length < Math.min(MAX_GROUP, this.#coming); turn++) await nextTurn();
  }

  async #alone(w: GroupedWrite): Promise<void> {
    await this.#commitLocked(w.prepared, w.build, w.at).then(w.resolve, w.reject);
  }

  /**
   * The groups, one after another. Where the database takes a sequence of batches (Db.sequence: the embedded file's
   * writer thread), the next group is gathered, built, committed to and signed while the last one commits, and its
   * batch is sent to run right after it: the event loop's part of a group and the database's part overlap. The next
   * group continues the log from the last one's end and sees the rows it produced; if the last one does not commit,
   * the next is refused unrun (WriteSkipped) and its writes are queued again, first. No caller hears of success
   * before its own group has committed. At most one batch is in flight besides the one being prepared.
   */
  async #drainGroups(): Promise<void> {
    const queue = this.#queue;
    let sequence = this.#db.sequence?.();
    let flying: Flight | undefined;
    /** Wait for the batch in flight and settle its writes; after a failure nothing is in flight. */
    const land = async (next?: Flight): Promise<void> => {
      const f = flying;
      if (!f) return;
      flying = next;
      const failure = await f.done;
      if (!failure) {
        for (const [i, b] of f.built.entries()) f.group[i]!.resolve(b.result);
        return;
      }
      this.#state = undefined;
      if (flying) {
        // Sent after the failed one, so refused unrun: its writes go first in the queue, built again from the log as it is.
        const doomed = flying;
        flying = undefined;
        await doomed.done;
        queue.unshift(...doomed.group);
      }
      sequence = this.#db.sequence?.();
      // The storage refused the transaction (full, read-only, locked past the wait): every write of the group
      // would meet the same, one wait after another. They all fail now, each caller with the fault (503/507).
      if (failure instanceof StorageFailure) for (const w of f.group) w.reject(failure);
      // A write alone that met a conflict (a repeated message, a stale fact) would only meet it again: its caller
      // hears of it now (and may plan again). Another process's records in the way are worth one more try.
      else if (f.group.length === 1 && !isSequenceClash(failure)) f.group[0]!.reject(failure);
      else for (const w of f.group) await this.#alone(w);
    };
    while (queue.length || flying) {
      if (this.#waiting > 0) {
        // A write under the lock (a justice bureau's assignment, the sweep, a checkpoint) is waiting: it goes next,
        // and the deliveries still queued go on after it, so a stream of deliveries never holds it off.
        await land();
        if (queue.length) void this.#lock.run(() => this.#drainGroups());
        return;
      }
      if (queue.length === 0) {
        // Nothing to prepare: wait for the batch in flight, or for a write to queue meanwhile (it is prepared now).
        const f = flying!;
        await Promise.race([f.done, new Promise<void>((resolve) => (this.#wake = resolve))]);
        this.#wake = undefined;
        if (f.settled) await land();
        continue;
      }
      // Pipelined, the group is not gathered (below); it takes a turn of the event loop instead (src/lib/turns.ts),
      // after the deliveries already waiting for theirs, so those whose plans are about to queue join it. Without
      // it, deliveries taking turns reached the writer one by one: 1.6 per transaction in `npm run bench -- intake`
      // against 2.5 with it, and 128 against 145 deliveries/s back to back.
      if (sequence) await cpuTurn();
      await this.#gather(!!sequence);
      const group = queue.splice(0, MAX_GROUP);
      if (!sequence && group.length === 1) {
        await this.#alone(group[0]!);
        continue;
      }
      let state: LogState;
      try {
        state = await this.#loadState();
      } catch {
        await land();
        for (const w of group) await this.#alone(w);
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
        await land();
        for (const [i, w] of group.entries()) if (i !== failed) await this.#alone(w);
        continue;
      }
      // The content commitments, in queue order over one view of the rows: a write sees what the writes before it in
      // the group produced (two deliveries to one case change the same row), and what the group in flight produced.
      // A write whose statements cannot be committed to fails alone, as one that cannot be built.
      const inherited = flying?.produced;
      const produced: ProducedRows = new Map(inherited);
      const built: { items: Stmt[]; result: unknown; seal: PreparedEntry | null }[] = [];
      let unsealable = -1;
      for (const [i, o] of outcomes.entries()) {
        const b = (o as PromiseFulfilledResult<{ items: Stmt[]; result: unknown }>).value;
        await yieldTurn();
        try {
          built.push({ ...b, seal: await this.#sealOf(group[i]!.prepared, b.items, produced) });
        } catch (e) {
          unsealable = i;
          group[i]!.reject(e);
          break;
        }
      }
      if (unsealable >= 0) {
        await land();
        for (const [i, w] of group.entries()) if (i !== unsealable) await this.#alone(w);
        continue;
      }
      // The "rows.written" records of the group follow all its writes' own records, in the same order.
      const seals = built.map((b, i) => {
        if (!b.seal) return null;
        const c = chain(state, group[i]!.at, [b.seal]);
        state = c.state;
        return c;
      });
      await yieldTurn();
      let stmts: Stmt[];
      try {
        stmts = [...built.flatMap((b) => b.items), ...recordStmts([...planned.map((p) => p.own), ...seals.filter((c): c is Chained => !!c)])];
        if (state.head.seq > before.head.seq) stmts.push(...(await this.#signedHeadStmt(state.head, group.at(-1)!.at)));
      } catch (e) {
        // Nothing was sent (the head could not be signed): the group fails as a whole.
        for (const w of group) w.reject(e);
        await land();
        continue;
      }
      const batch = sequence ? sequence.batch(stmts) : this.#db.batch(stmts);
      // What this group produced itself (a row it set, not one it only inherited): the group in flight before it will
      // have committed by the time the next group is prepared, so only these are carried on.
      const own: ProducedRows = inherited ? new Map([...produced].filter(([k, row]) => inherited.get(k) !== row)) : produced;
      const flight: Flight = {
        group,
        built,
        produced: own,
        settled: false,
        done: batch.then(
          () => {
            flight.settled = true;
            return null;
          },
          (e: unknown) => {
            flight.settled = true;
            return (e ?? new Error('batch failed')) as Error;
          },
        ),
      };
      // The next group continues the log from here; a failure of this batch resets it.
      this.#state = state;
      if (!sequence) {
        flying = flight;
        await land();
      } else if (flying) await land(flight);
      else flying = flight;
    }
  }
}

/** A group's batch sent to the database, and what settles its writes when it has committed or failed. */
interface Flight {
  group: GroupedWrite[];
  built: { items: Stmt[]; result: unknown }[];
  /** The rows the group produced, for the content commitments of the group after it. */
  produced: ProducedRows;
  /** null once committed; the failure otherwise. */
  done: Promise<Error | null>;
  settled: boolean;
}
