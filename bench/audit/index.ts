/**
 * bench/audit (issue #19): inclusion and consistency proofs of the audit log's Merkle tree (RFC 9162) at
 * 10,000,000 records (BENCH_AUDIT_RECORDS changes it). Target: each proof answers in under 10 ms.
 *
 * 1. A fresh database with every migration (nodeDeps). The tree of N records is written into audit_tree as the
 *    gateway writes it (src/lib/merkle.ts appendLeaves: every node of every complete subtree, keyed by the leaf
 *    that completes it), for synthetic record hashes SHA-256(i); then ONE signed tree head at size N, signed with
 *    the gateway key as every commit signs it. The proofs read only the tree and the signed heads, so the audit
 *    records themselves are not written (they would add ~300 bytes a record and nothing to a proof's cost).
 * 2. Proofs through the same functions the endpoints call (proveInclusion, proveConsistency in
 *    src/services/audit.ts: one read of ~2·log2(N) stored nodes each): 1,000 of each at random positions and
 *    sizes, then 200 of each through the HTTP app in-process (GET /v1/audit/proofs/…, JSON included). Every
 *    proof against the full tree is verified (src/lib/merkle.ts verifyInclusion / verifyConsistency) against the
 *    root the bench computed itself while building.
 * 3. The same, paced: PACED_RUNS of each with a 2 ms pause before each request (see step 4 in run()).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import Database from 'libsql';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { jsonLogger } from '../../adapters/node/log.js';
import { createApp } from '../../src/app.js';
import { proveConsistency, proveInclusion } from '../../src/services/audit.js';
import {
  appendLeaves,
  bytesToHex,
  EMPTY_FRONTIER,
  frontierRoot,
  hexToBytes,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  type Frontier,
} from '../../src/lib/merkle.js';
import { signJson } from '../../src/lib/signing.js';
import { percentile, round, type BenchContext, type BenchResult } from '../types.js';

const N = Number(process.env.BENCH_AUDIT_RECORDS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 1000);
const HTTP_RUNS = 200;
const PACED_RUNS = Number(process.env.BENCH_AUDIT_PACED_RUNS ?? 500);
const PACE_MS = 2;

/** A deterministic generator (xorshift32) for positions: the same run every time. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return (x % n) + 1; // 1 … n
  };
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    p50: round(percentile(s, 50), 3),
    p99: round(percentile(s, 99), 3),
    max: round(s.at(-1)!, 3),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length, 3),
  };
};

export async function run(ctx: BenchContext): Promise<BenchResult> {
  // BENCH_AUDIT_DIR keeps the data directory (tree, keys) for the next run, which then skips the build (at 10M
  // records the build takes 5–25 minutes depending on the machine's load); the root computed while building is
  // kept beside it, so proofs are still verified against the bench's own root.
  const keep = process.env.BENCH_AUDIT_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'fuyuan-bench-audit-'));
  if (keep) mkdirSync(keep, { recursive: true });
  const rootFile = join(dir, `bench-root-${N}.hex`);
  const reuse = !!keep && existsSync(rootFile);
  const now = new Date('2026-11-23T02:00:00Z');
  const { deps, client } = await nodeDeps(parseNodeConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', SWEEP_INTERVAL_SECONDS: '0' }), {
    clock: { now: () => new Date(now) },
    log: jsonLogger('warn'),
  });
  const lines: string[] = [];
  try {
    // 1. The tree, as the gateway stores it.
    const t0 = performance.now();
    const file = join(dir, 'fuyuan.db');
    let nodes = 0;
    let root: Uint8Array;
    if (reuse) {
      root = hexToBytes(readFileSync(rootFile, 'utf8').trim());
      nodes = Number(((await client.execute('select count(*) as n from audit_tree')).rows[0] as unknown as { n: number }).n);
      ctx.log(`reusing the tree of ${N.toLocaleString('en')} records in ${dir}`);
    } else {
      const bulk = new Database(file, { timeout: 10_000 });
      bulk.exec('PRAGMA journal_mode = WAL');
      const ROWS = 200; // per statement: fewer native calls
      const insertMany = bulk.prepare(`insert into audit_tree (key, hash) values ${Array.from({ length: ROWS }, () => '(?, ?)').join(', ')}`);
      const insertOne = bulk.prepare('insert into audit_tree (key, hash) values (?, ?)');
      let frontier: Frontier = EMPTY_FRONTIER;
      const CHUNK = 100_000;
      const seed = Buffer.alloc(8);
      for (let from = 0; from < N; from += CHUNK) {
        const leaves: Uint8Array[] = [];
        for (let i = from; i < Math.min(N, from + CHUNK); i++) {
          seed.writeUInt32BE(Math.floor(i / 2 ** 32), 0);
          seed.writeUInt32BE(i >>> 0, 4);
          leaves.push(leafHash(createHash('sha256').update(seed).digest()));
        }
        const grown = appendLeaves(frontier, leaves);
        frontier = grown.frontier;
        bulk.exec('begin');
        let i = 0;
        for (; i + ROWS <= grown.stored.length; i += ROWS) insertMany.run(grown.stored.slice(i, i + ROWS).flatMap((n) => [n.key, Buffer.from(n.hash)]));
        for (; i < grown.stored.length; i++) insertOne.run(grown.stored[i]!.key, Buffer.from(grown.stored[i]!.hash));
        bulk.exec('commit');
        nodes += grown.stored.length;
        if ((from / CHUNK) % 10 === 0) ctx.log(`tree: ${(from + leaves.length).toLocaleString('en')} leaves, ${nodes.toLocaleString('en')} nodes`);
      }
      bulk.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      bulk.close();
      root = frontierRoot(frontier);
      const rootHex = bytesToHex(root);
      const hash = '0'.repeat(64); // no chain records were written; the signed head still says what every head says
      const { jws, kid } = await signJson(
        deps.keys,
        { type: 'audit-tree-head', treeSize: N, rootHash: rootHex, hash, at: now.toISOString() },
        'fuyuan-tree-head+jws',
      );
      await client.execute({
        sql: 'insert into audit_checkpoints (seq, hash, root, at, kid, jws) values (?, ?, ?, ?, ?, ?)',
        args: [N, hash, rootHex, now.getTime(), kid, jws],
      });
      if (keep) writeFileSync(rootFile, rootHex);
    }
    const buildS = (performance.now() - t0) / 1000;
    const bytes = statSync(file).size;
    lines.push(
      `audit tree of ${N.toLocaleString('en')} records: ${nodes.toLocaleString('en')} stored nodes, ${round(bytes / 2 ** 20, 0).toLocaleString('en')} MiB (${round(bytes / N, 1)} bytes per record), ${reuse ? 'reused from an earlier run' : `built in ${round(buildS, 1)} s`}`,
    );
    lines.push(
      `machine load (1, 5, 15 min) at the start of the proofs: ${loadavg()
        .map((x) => round(x, 2))
        .join(', ')} on ${cpus().length} cores`,
    );
    // Where a slow proof's time goes: garbage collection pauses during the runs (the rest is the database read and
    // the scheduler of a shared machine).
    const gcPauses: number[] = [];
    const gcObs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcPauses.push(e.duration);
    });
    gcObs.observe({ entryTypes: ['gc'] });

    // 2. Proofs through the service functions.
    const next = rng(19);
    const time = async (f: () => Promise<unknown>) => {
      const a = performance.now();
      await f();
      return performance.now() - a;
    };
    for (let i = 0; i < 50; i++) await proveInclusion(deps, next(N), N); // warm the page cache and the statement
    const incFull: number[] = [];
    const incAny: number[] = [];
    const conFull: number[] = [];
    const conAny: number[] = [];
    let verified = 0;
    let pathLen = 0;
    for (let i = 0; i < RUNS; i++) {
      const seq = next(N);
      let p!: Awaited<ReturnType<typeof proveInclusion>>;
      incFull.push(await time(async () => (p = await proveInclusion(deps, seq, N))));
      if (!verifyInclusion(hexToBytes(p.leafHash), seq - 1, N, p.auditPath.map(hexToBytes), root)) throw new Error(`inclusion proof of ${seq} does not verify`);
      verified++;
      pathLen += p.auditPath.length;
      const size = next(N);
      incAny.push(await time(() => proveInclusion(deps, next(size), size)));
      const first = next(N);
      let c!: Awaited<ReturnType<typeof proveConsistency>>;
      conFull.push(await time(async () => (c = await proveConsistency(deps, first, N))));
      if (!verifyConsistency(first, N, c.consistency.map(hexToBytes), hexToBytes(c.firstRootHash), root))
        throw new Error(`consistency proof ${first} → ${N} does not verify`);
      verified++;
      const second = next(N);
      conAny.push(await time(() => proveConsistency(deps, next(second), second)));
    }
    // 3. Through the HTTP app (routing, validation, JSON), in-process.
    const app = createApp(deps);
    const httpInc: number[] = [];
    const httpCon: number[] = [];
    for (let i = 0; i < HTTP_RUNS; i++) {
      httpInc.push(
        await time(async () => {
          const r = await app.request(`http://bench/v1/audit/proofs/inclusion?seq=${next(N)}`);
          if (r.status !== 200) throw new Error(`inclusion: ${r.status}`);
          await r.json();
        }),
      );
      httpCon.push(
        await time(async () => {
          const r = await app.request(`http://bench/v1/audit/proofs/consistency?first=${next(N)}`);
          if (r.status !== 200) throw new Error(`consistency: ${r.status}`);
          await r.json();
        }),
      );
    }
    // 4. Paced: one request at a time with a pause between (PACE_MS), as a server sees courts' separate requests.
    // The loops above ask back to back, so on a shared machine the process uses up its time slice and waits for
    // the CPU in the middle of some proofs: their p99 measures the scheduler as much as the proof. Here the
    // process sleeps between requests, as a gateway does between a court's requests.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const pacedInc: number[] = [];
    const pacedCon: number[] = [];
    const pacedHttpInc: number[] = [];
    const pacedHttpCon: number[] = [];
    for (let i = 0; i < PACED_RUNS; i++) {
      await sleep(PACE_MS);
      const size = next(N);
      pacedInc.push(await time(() => proveInclusion(deps, next(size), size)));
      await sleep(PACE_MS);
      const second = next(N);
      pacedCon.push(await time(() => proveConsistency(deps, next(second), second)));
      await sleep(PACE_MS);
      pacedHttpInc.push(
        await time(async () => {
          const r = await app.request(`http://bench/v1/audit/proofs/inclusion?seq=${next(N)}`);
          if (r.status !== 200) throw new Error(`inclusion: ${r.status}`);
          await r.json();
        }),
      );
      await sleep(PACE_MS);
      pacedHttpCon.push(
        await time(async () => {
          const r = await app.request(`http://bench/v1/audit/proofs/consistency?first=${next(N)}`);
          if (r.status !== 200) throw new Error(`consistency: ${r.status}`);
          await r.json();
        }),
      );
    }
    await new Promise((r) => setImmediate(r)); // the observer's entries arrive on the event loop
    gcObs.disconnect();
    const gcTotal = gcPauses.reduce((a, b) => a + b, 0);
    lines.push(
      `garbage collection during the proofs: ${gcPauses.length} pauses, ${round(gcTotal, 1)} ms in all, longest ${round(Math.max(0, ...gcPauses), 2)} ms`,
    );
    const s = {
      inclusionAtHead: stats(incFull),
      inclusionAnySize: stats(incAny),
      consistencyToHead: stats(conFull),
      consistencyAnySizes: stats(conAny),
      httpInclusion: stats(httpInc),
      httpConsistency: stats(httpCon),
      pacedInclusion: stats(pacedInc),
      pacedConsistency: stats(pacedCon),
      pacedHttpInclusion: stats(pacedHttpInc),
      pacedHttpConsistency: stats(pacedHttpCon),
    };
    const line = (name: string, x: ReturnType<typeof stats>) => `${name.padEnd(38)} p50 ${x.p50} ms  p99 ${x.p99} ms  max ${x.max} ms`;
    lines.push(line(`inclusion proof, tree of ${N.toLocaleString('en')}`, s.inclusionAtHead));
    lines.push(line('inclusion proof, random tree size', s.inclusionAnySize));
    lines.push(line(`consistency proof, → ${N.toLocaleString('en')}`, s.consistencyToHead));
    lines.push(line('consistency proof, random sizes', s.consistencyAnySizes));
    lines.push(line('GET /v1/audit/proofs/inclusion', s.httpInclusion));
    lines.push(line('GET /v1/audit/proofs/consistency', s.httpConsistency));
    lines.push(line(`paced ${PACE_MS} ms: inclusion, random size`, s.pacedInclusion));
    lines.push(line(`paced ${PACE_MS} ms: consistency, random`, s.pacedConsistency));
    lines.push(line(`paced ${PACE_MS} ms: GET …/inclusion`, s.pacedHttpInclusion));
    lines.push(line(`paced ${PACE_MS} ms: GET …/consistency`, s.pacedHttpConsistency));
    const worst = Math.max(...Object.values(s).map((x) => x.p99));
    const worstPaced = Math.max(s.pacedInclusion.p99, s.pacedConsistency.p99, s.pacedHttpInclusion.p99, s.pacedHttpConsistency.p99);
    lines.push(
      `${verified.toLocaleString('en')} proofs verified against the bench's own root; audit path ${round(pathLen / RUNS, 1)} hashes on average; target p99 < 10 ms: back to back ${worst < 10 ? 'met' : 'NOT met'} (worst p99 ${worst} ms), paced ${worstPaced < 10 ? 'met' : 'NOT met'} (worst p99 ${worstPaced} ms)`,
    );
    return {
      lines,
      json: {
        records: N,
        load: loadavg(),
        gcPauses: gcPauses.length,
        gcMs: round(gcTotal, 1),
        nodes,
        bytes,
        buildSeconds: round(buildS, 1),
        runs: RUNS,
        httpRuns: HTTP_RUNS,
        ...s,
        targetMet: worst < 10,
        targetMetPaced: worstPaced < 10,
      },
    };
  } finally {
    client.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
