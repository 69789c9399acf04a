/**
 * bench/intake, step 6 (issue #19): what the audit log's signed tree heads and Merkle tree cost per delivery on
 * the intake run just made. The server's own CPU per delivery (its line above) includes them; a profile cannot
 * separate the ECDSA signature (WebCrypto signs on libuv's thread pool, outside any JS frame), so they are
 * replayed here, in-process, on the run's own log:
 *
 * - the run's records (audit_log) in its own commit groups (one signed head per committed batch: audit_checkpoints);
 * - signing: per group, the writer's signJson of the tree head with the run's gateway key (DATA_DIR's key file);
 * - tree: per group, the writer's tree work (leaf hashes, appendLeaves, the root, the insert statements) — CPU;
 * - storing: per group, one batch through the same write connection as the server's (libSQL writer thread) of the
 *   tree nodes and the signed-head row, beside a batch of one row: the difference is what they add to a commit.
 *
 * CPU is process.cpuUsage (user + system, every thread: the thread pool's signing and the writer thread's SQLite
 * work included), divided by the run's deliveries. The replay repeats until each part has run ≥ 1 s of wall time.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { auditCheckpoints, auditTree } from '../../schemas/db/index.js';
import { insertRows } from '../../src/lib/raw-insert.js';
import { appendLeaves, bytesToHex, EMPTY_FRONTIER, frontierRoot, recordLeaf, type Frontier, type Hash } from '../../src/lib/merkle.js';
import { bindNodeCrypto } from '../../adapters/node/crypto.js';
import { signJson } from '../../src/lib/signing.js';
import { TREE_HEAD_TYP, treeStmts, type TreeHead } from '../../src/writer/log.js';
import type { Stmt } from '../../src/deps.js';
import { round } from '../types.js';

export interface AuditCost {
  deliveries: number;
  records: number;
  heads: number;
  treeNodes: number;
  /** ms of CPU per delivery */
  signMs: number;
  treeMs: number;
  storeMs: number;
  /** ms of CPU per signed head (one signature) */
  signPerHeadMs: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU ms per run of `f`, repeated until 1 s of wall time has passed (at least once). */
async function perRun(f: () => Promise<void>): Promise<number> {
  let runs = 0;
  const wall = performance.now();
  const cpu = cpuMs();
  do {
    await f();
    runs++;
  } while (performance.now() - wall < 1000);
  return (cpuMs() - cpu) / runs;
}

export async function auditCost(serverDir: string, scratchDir: string, deliveries: number): Promise<AuditCost> {
  const client = createClient({ url: `file:${join(serverDir, 'fuyuan.db')}` });
  let records: { seq: number; hash: string }[];
  let heads: number[];
  try {
    records = (await client.execute('select seq, hash from audit_log order by seq')).rows.map((r) => ({ seq: Number(r.seq), hash: String(r.hash) }));
    heads = (await client.execute('select seq from audit_checkpoints order by seq')).rows.map((r) => Number(r.seq));
  } finally {
    client.close();
  }
  // The commit groups: the records after one signed head up to the next.
  const groups: string[][] = [];
  let from = 0;
  for (const h of heads) {
    groups.push(records.filter((r) => r.seq > from && r.seq <= h).map((r) => r.hash));
    from = h;
  }
  const at = new Date();
  bindNodeCrypto(); // the server's SHA-256 (node:crypto), as nodeDeps binds it

  // The tree work of every group, as the writer's chain() and recordStmts() do it. Measured first, before any
  // other thread (a database's writer thread starting up) can add to the process's CPU.
  const grow = () => {
    let f: Frontier = EMPTY_FRONTIER;
    const out: { stmts: Stmt[]; stored: { key: number; hash: Hash }[]; head: TreeHead }[] = [];
    let seq = 0;
    for (const g of groups) {
      const grown = appendLeaves(f, g.map(recordLeaf));
      f = grown.frontier;
      seq += g.length;
      const root = bytesToHex(frontierRoot(f));
      out.push({
        stmts: grown.stored.length ? treeStmts(grown.stored) : [],
        stored: grown.stored,
        head: { type: 'audit-tree-head', treeSize: seq, rootHash: root, hash: g.at(-1) ?? '', at: at.toISOString() },
      });
    }
    return out;
  };
  const built = grow();
  const treeNodes = built.reduce((n, b) => n + b.stored.length, 0);
  const treeMs = await perRun(async () => void grow());

  // The run's gateway key (read only: nothing is written to the server's directory).
  const run = await nodeDeps(parseNodeConfig({ DATA_DIR: serverDir, LOG_LEVEL: 'error', SWEEP_INTERVAL_SECONDS: '0' }), { readOnly: true });
  let scratch: Awaited<ReturnType<typeof nodeDeps>> | undefined;
  try {
    const signMs = await perRun(async () => {
      for (const b of built) await signJson(run.deps.keys, b.head, TREE_HEAD_TYP);
    });
    // A scratch database with the migrations, written through the same writer thread as the server's.
    mkdirSync(scratchDir, { recursive: true });
    scratch = await nodeDeps(parseNodeConfig({ DATA_DIR: scratchDir, LOG_LEVEL: 'error', SWEEP_INTERVAL_SECONDS: '0' }));
    const db = scratch.deps.db;
    // Storing: a batch of one row per group, then the same with the group's tree nodes and signed head added.
    const jws = (await signJson(run.deps.keys, built[0]!.head, TREE_HEAD_TYP)).jws;
    let key = -1;
    const filler = () => insertRows(auditTree, [{ key: key--, hash: new Uint8Array(32) }]);
    // Each pass writes its nodes and heads under keys of its own (no deletes between passes to pay for).
    let pass = 0;
    const store = (withAudit: boolean) => async () => {
      const off = ++pass * 2 ** 32;
      for (const b of built)
        await db.batch([
          filler(),
          ...(withAudit
            ? [
                ...treeStmts(b.stored.map((n) => ({ key: n.key + off, hash: n.hash }))),
                insertRows(auditCheckpoints, [{ seq: b.head.treeSize + off, hash: b.head.hash, root: b.head.rootHash, at, kid: 'bench', jws }], {
                  onConflictDoNothing: true,
                }),
              ]
            : []),
        ]);
    };
    await store(false)(); // the writer thread started and warm
    const plain = await perRun(store(false));
    const full = await perRun(store(true));
    const n = Math.max(1, deliveries);
    return {
      deliveries,
      records: records.length,
      heads: heads.length,
      treeNodes,
      signMs: signMs / n,
      treeMs: treeMs / n,
      storeMs: Math.max(0, full - plain) / n,
      signPerHeadMs: signMs / Math.max(1, built.length),
    };
  } finally {
    run.client.close();
    scratch?.client.close();
  }
}

export const auditCostLines = (a: AuditCost, serverCpuMs: number): string[] => {
  const ms = (x: number) => `${round(x, 3).toFixed(3)} ms`;
  const total = a.signMs + a.treeMs + a.storeMs;
  return [
    `  audit log cost per delivery (replayed on this run's log: ${round(a.records / a.deliveries, 1)} records, ${round(a.heads / a.deliveries, 2)} signed heads, ${round(a.treeNodes / a.deliveries, 1)} tree nodes per delivery)`,
    `    signing the tree head ${ms(a.signMs)} (${ms(a.signPerHeadMs)} per ES256 signature)   tree: hashing ${ms(a.treeMs)}, storing nodes and head ${ms(a.storeMs)}   together ${ms(total)} = ${round((100 * total) / serverCpuMs, 1)} % of the server's CPU per delivery`,
  ];
};
