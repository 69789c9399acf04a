/**
 * bench/intake: POST /v1/deliveries against the real Node server on loopback, beside the ceiling of the same
 * stack (POST /bench/ceiling in bench/intake/server.ts: same server, same parser, same database, same bytes,
 * no verification).
 *
 * 1. A court CA and signer (court-kit, node-forge RSA-2048, RS256); the server process registers the sender
 *    with the real registerSender in its fresh database before it listens.
 * 2. Every request carries a manifest signed for it (new messageId, issuedAt = now: all are signed just before
 *    the load and the whole run is far shorter than the default 300 s clock-skew window, so
 *    CLOCK_SKEW_SECONDS stays at its default) and one 256 KiB attachment of its own (random bytes, made
 *    distinct per request, so content addressing never dedupes a blob and every request really stores 256 KiB),
 *    and a case number of its own (each complaint copy opens a case, as most deliveries do).
 * 3. A closed-loop load generator (node:http over keep-alive connections, concurrency 8; not fetch, whose own
 *    CPU per request, about 2 ms here, took a share of the cores the server runs on): a warm-up on every route
 *    long enough for V8's optimising compiler to be done with the gateway's code (see WARMUP below), then rounds alternating the routes in ABC-CBA order on the same database, so all see the same database
 *    size and the same machine state. Same body sizes, same concurrency, same number of requests. The third route,
 *    /bench/ceiling-grouped, stores the same as the ceiling through intake's group commit. Its writes are ready
 *    the moment their body is in, so they seldom wait for each other and are seldom grouped: its line says how
 *    many deliveries shared a transaction. Around each phase the load generator asks the server what it has
 *    spent (GET /bench/usage): each route's line shows the server's CPU per delivery (all threads), on Linux the
 *    bytes it wrote to the database file and WAL per delivery, and the deliveries per transaction; below it, the
 *    server's main thread's CPU per delivery and how busy it was, how long it waited, runnable, for a core (Linux
 *    schedstat: the cores are shared with the writer thread, V8's helpers and the load generator) and how long its
 *    event loop sat idle with nothing to run, the load generator's own CPU per delivery, and how busy the whole
 *    machine was (/proc/stat); and the database's write thread (adapters/db/libsql-writer.ts): its time per delivery by
 *    phase (statements, COMMIT, checkpoints, waits for another connection's lock) and its share of the wall time, which
 *    nears 100 % where the write path binds. From these the bench says what the ratio's target asks here: the
 *    rate, and the most CPU per delivery the server could spend at it with every core busy. The ratio is also
 *    printed round by round: how much one run's figure moves on this machine.
 * 4. In-process (server stopped): verifyEnvelope on a parsed envelope with the chain cache warm, beside a
 *    bare node:crypto RS256 verification of the same JWS, and the parts verifyEnvelope is made of; then the
 *    trust variants (bench/intake/trust.ts): RS256 with revocation checked from a stored CRL, and SM2SM3
 *    signed by OpenSSL, each beside node:crypto.
 * 5. Bytes on disk per attachment byte: the database file after PRAGMA wal_checkpoint(TRUNCATE).
 * 6. The audit log's share (issue #19): signing the tree head and the Merkle tree, replayed on this run's own log
 *    (bench/intake/audit-cost.ts), per delivery.
 * 7. Where the writes go (bench/intake/wal-pages.ts): the disk's synced write rate, and the bound it puts on each
 *    route at its bytes written per delivery; and, in-process on a fresh database, the WAL pages a delivery writes,
 *    B-tree by B-tree, in groups as large as the run's.
 *
 * Knobs (environment): BENCH_INTAKE_CONCURRENCY (8), BENCH_INTAKE_WARMUP (1000 per route), BENCH_INTAKE_ROUNDS (4),
 * BENCH_INTAKE_PER_ROUND (200 per route), BENCH_INTAKE_VERIFY_ITERATIONS (2000), BENCH_INTAKE_PAGE_ROUNDS (20), BENCH_INTAKE_PAGE_WARM (100), and BENCH_SERVER_NODE_ARGS
 * (extra node flags for the server process only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createHash, randomBytes, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createClient } from '@libsql/client';
import { createCa, demoManifest, issueSigner, rsaSigner, signManifest, type Signer } from '../../adapters/node/court-kit.js';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { parseCompactJws } from '../../adapters/envelope/jws.js';
import { verifyEnvelope } from '../../src/intake/pipeline.js';
import { registerSender, findSender } from '../../src/services/senders.js';
import { leafKey } from '../../src/lib/pki.js';
import { sha256Hex } from '../../src/lib/encoding.js';
import { Manifest } from '../../schemas/api/manifest.js';
import { percentile, round, type BenchContext, type BenchResult } from '../types.js';
import { trustJson, trustLines, trustVerificationCost } from './trust.js';
import { auditCost, auditCostLines } from './audit-cost.js';
import { syncWriteRate, walPages } from './wal-pages.js';
import { GATEWAY_NODE_FLAGS } from '../../adapters/node/runtime-flags.js';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
};

const SENDER = 'court-bench';
/** The cores this process may use (the server and the load generator share them). */
const CORES = availableParallelism();
const ATTACHMENT_BYTES = 256 * 1024;
const CONCURRENCY = num('BENCH_INTAKE_CONCURRENCY', 8);
/**
 * Requests per route before the measured rounds. A gateway runs for days, so the bench measures it once V8's
 * optimising compiler (TurboFan, on V8's helper threads) is done with the hot code; until then the compiler is part
 * of the server's CPU. Measured on the 2-core machine (a per-thread sampler of /proc/<pid>/task/<tid>/stat, and
 * `perf record` of the server for 5 s during the measured rounds):
 * - after 64 per route, 16 % of the process's samples were TurboFan's, and V8's helper threads took about 30 % of
 *   a core throughout the intake phase;
 * - after 500 per route, still 20–40 % for its first 8 s;
 * - after 1000 per route, 8–10 %.
 * With 1000 rather than 64, server CPU per delivery was 7.18–7.66 ms against 8.29–8.57 for intake, and 2.83–3.13
 * against 3.46–3.79 for the ceiling. The ratio came out alike (0.38–0.41), as the compiler ran for both.
 */
const WARMUP = num('BENCH_INTAKE_WARMUP', 1000); // per route
const ROUNDS = num('BENCH_INTAKE_ROUNDS', 4); // each round: both routes, ABBA order
const PER_ROUND = num('BENCH_INTAKE_PER_ROUND', 200); // per route and round
const VERIFY_ITERATIONS = num('BENCH_INTAKE_VERIFY_ITERATIONS', 2000);
const PAGE_ROUNDS = num('BENCH_INTAKE_PAGE_ROUNDS', 20); // rounds of walPages (bench/intake/wal-pages.ts)
/**
 * Rounds of walPages sent before it counts. They fill the database: on an empty one every index is one page, and a
 * delivery wrote fewer pages than on a database in use (104.5 per delivery after 9, 114.7 after 1,500).
 */
const PAGE_WARM = num('BENCH_INTAKE_PAGE_WARM', 100);
const BOUNDARY = '----fuyuan-bench-7f3a9c1e';
const SERVER_TS = fileURLToPath(new URL('./server.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------- request bodies

/** One request: its signed envelope and the 16 bytes that make its attachment unique. */
interface Item {
  jws: string;
  prefix: Buffer;
}

/** The attachment of an item = its 16-byte prefix + the shared random tail (256 KiB in all). */
function attachmentOf(shared: Buffer, prefix: Buffer): Buffer {
  return Buffer.concat([prefix, shared.subarray(prefix.length)], ATTACHMENT_BYTES);
}

/** multipart/form-data as court-kit's multipartBody makes it: part `envelope`, then part `att-1`. */
function multipartBody(item: Item, shared: Buffer): Uint8Array<ArrayBuffer> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="envelope"\r\n\r\n${item.jws}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="att-1"; filename="complaint.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const body = Buffer.concat([head, item.prefix, shared.subarray(item.prefix.length), tail]);
  return new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length);
}

/** The headers every bench request carries with a multipart body. */
const multipartHeaders = (body: Uint8Array) => ({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(body.length) });

/** Case numbers: each delivery opens a case of its own (a complaint copy starts a case), never a shared one. */
let caseSeq = 0;

async function signItems(n: number, runId: string, signer: Signer, shared: Buffer, tag: string): Promise<Item[]> {
  const tailHash = shared.subarray(16);
  const items: Item[] = [];
  for (let i = 0; i < n; i++) {
    const prefix = randomBytes(16);
    const sha256 = createHash('sha256').update(prefix).update(tailHash).digest('hex');
    const messageId = `bench-${runId}-${tag}-${i}`;
    const manifest = demoManifest({
      messageId,
      senderCode: SENDER,
      issuedAt: new Date(),
      caseNumber: `(2026)浙0825行初${++caseSeq}号`,
      // A court creates only its own cases (issue 18).
      court: { code: SENDER, name: '基准测试法院' },
      attachments: [{ id: 'att-1', filename: '行政起诉状副本.pdf', mediaType: 'application/pdf', size: ATTACHMENT_BYTES, sha256 }],
    });
    items.push({ jws: await signManifest(manifest, signer), prefix });
  }
  return items;
}

// ---------------------------------------------------------------- the server process

interface Server {
  child: ChildProcess;
  port: number;
}

function startServer(env: Record<string, string>): Promise<Server> {
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...extra, '--import', 'tsx', SERVER_TS], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench server did not print its port within 30 s')), 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^BENCH_PORT=(\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      } else process.stderr.write(`   [server] ${line}\n`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited before listening (code ${code}, signal ${signal})`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- load generator

interface PhaseResult {
  latencies: number[];
  wallMs: number;
  /** Server CPU (all threads) and bytes written to storage during the phase (null where /proc is missing). */
  cpuMicros: number;
  writeBytes: number | null;
  transactions: number;
  /** The server's main thread's CPU (null where /proc is missing). */
  mainThreadMicros: number | null;
  /** How long the main thread waited, runnable, for a core (null where schedstat is missing). */
  mainThreadWaitMicros: number | null;
  /** How long the server's event loop sat idle. */
  loopIdleMicros: number;
  /** This process's CPU (the load generator, all threads). */
  loadMicros: number;
  /** The whole machine's CPU time, busy and in all, in clock ticks (/proc/stat; null where it is missing). */
  machine: { busy: number; total: number } | null;
  /** The database write thread's time by phase (null without one). */
  writerMicros: WriterMicros | null;
}

/** The database write thread's time (µs) by phase, as GET /bench/usage says it (bench/intake/server.ts). */
interface WriterMicros {
  lockWait: number;
  statements: number;
  commit: number;
  checkpoint: number;
  /** A count: the checkpoints it ran once idle. */
  checkpoints: number;
}
const WRITER_PHASES = ['lockWait', 'statements', 'commit', 'checkpoint'] as const;

interface Usage {
  cpuMicros: number;
  mainThreadMicros: number | null;
  mainThreadWaitMicros: number | null;
  loopIdleMicros: number;
  writeBytes: number | null;
  transactions: number;
  writerMicros: WriterMicros | null;
}

/** The machine's CPU time since boot, all cores, in clock ticks: busy (everything but idle and iowait) and in all. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - cpu[3]! - cpu[4]!, total };
  } catch {
    return null;
  }
}
const loadCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** after − before, or null if either is missing. */
const delta = (after: number | null, before: number | null) => (after !== null && before !== null ? after - before : null);
const usage = async (base: string): Promise<Usage> => (await (await fetch(`${base}/bench/usage`)).json()) as Usage;

/**
 * One POST of a multipart body over the bench's keep-alive connections: its status and text. node:http, not fetch:
 * fetch spent about 2.2 ms of this process's CPU per 256 KiB request on the cores the server shares, node:http
 * about 0.7 ms, so the server is measured with less of the load generator in its way.
 */
const keepAlive = new Agent({ keepAlive: true });
function post(url: string, body: Uint8Array): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: keepAlive, headers: multipartHeaders(body) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Closed loop: `concurrency` workers, each sends the next request when its previous one is answered. */
async function phase(url: string, items: Item[], shared: Buffer, concurrency: number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let next = 0;
  const base = new URL(url).origin;
  const before = await usage(base);
  const machineBefore = machineTicks();
  const loadBefore = loadCpu();
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const body = multipartBody(items[i]!, shared);
      const t0 = performance.now();
      const { status, text } = await post(url, body);
      latencies.push(performance.now() - t0);
      if (status !== 201) throw new Error(`POST ${url} answered ${status}: ${text.slice(0, 600)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  const loadMicros = loadCpu() - loadBefore;
  const machineAfter = machineTicks();
  const after = await usage(base);
  const machine = machineBefore && machineAfter ? { busy: machineAfter.busy - machineBefore.busy, total: machineAfter.total - machineBefore.total } : null;
  return {
    latencies,
    wallMs,
    cpuMicros: after.cpuMicros - before.cpuMicros,
    writeBytes: delta(after.writeBytes, before.writeBytes),
    transactions: after.transactions - before.transactions,
    mainThreadMicros: delta(after.mainThreadMicros, before.mainThreadMicros),
    mainThreadWaitMicros: delta(after.mainThreadWaitMicros, before.mainThreadWaitMicros),
    loopIdleMicros: after.loopIdleMicros - before.loopIdleMicros,
    loadMicros,
    machine,
    writerMicros:
      after.writerMicros && before.writerMicros
        ? (Object.fromEntries(
            [...WRITER_PHASES, 'checkpoints' as const].map((k) => [k, after.writerMicros![k] - before.writerMicros![k]]),
          ) as unknown as WriterMicros)
        : null,
  };
}

interface RouteStats {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  mean: number;
  /** Server CPU per delivery, ms (all threads). */
  cpuMs: number;
  /** Bytes written to storage per delivery (database file and WAL), or null. */
  writeBytes: number | null;
  /** Deliveries per database transaction: how well the route's writes were grouped. */
  perTransaction: number;
  /** The server's main thread: CPU per delivery (ms) and its share of the wall time, or null. */
  mainThreadMs: number | null;
  mainThreadBusy: number | null;
  /** Per delivery, ms: the main thread waiting, runnable, for a core (or null), and its event loop idle. */
  mainThreadWaitMs: number | null;
  loopIdleMs: number;
  /** The load generator's CPU per delivery, ms. */
  loadMs: number;
  /** The share of the machine's CPU (all cores) busy during the route's phases, or null. */
  machineBusy: number | null;
  /**
   * The database write thread: its time per delivery (ms) in all and by phase, and its share of the wall time (the
   * write path binds where it nears 1); null without one.
   */
  writer: { ms: number; busy: number; byPhase: Record<(typeof WRITER_PHASES)[number], number>; checkpointsPerDelivery: number } | null;
}

function stats(phases: PhaseResult[]): RouteStats {
  const all = phases.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const wall = phases.reduce((s, p) => s + p.wallMs, 0);
  /** A per-phase figure summed over the phases; null if any phase lacks it. */
  const sum = (f: (p: PhaseResult) => number | null) => (phases.every((p) => f(p) !== null) ? phases.reduce((s, p) => s + f(p)!, 0) : null);
  /** Microseconds summed over the phases, in ms per delivery; null if any phase lacks them. */
  const perDelivery = (f: (p: PhaseResult) => number | null) => {
    const micros = sum(f);
    return micros === null ? null : micros / 1000 / all.length;
  };
  const mainMs = perDelivery((p) => p.mainThreadMicros);
  const writeBytes = sum((p) => p.writeBytes);
  const machineBusy = sum((p) => p.machine?.busy ?? null);
  const byPhase = Object.fromEntries(WRITER_PHASES.map((k) => [k, perDelivery((p) => p.writerMicros?.[k] ?? null)]));
  const writerMs = WRITER_PHASES.every((k) => byPhase[k] !== null) ? WRITER_PHASES.reduce((t, k) => t + byPhase[k]!, 0) : null;
  return {
    requests: all.length,
    perSecond: all.length / (wall / 1000),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    mean: all.reduce((s, x) => s + x, 0) / all.length,
    cpuMs: perDelivery((p) => p.cpuMicros)!,
    writeBytes: writeBytes === null ? null : writeBytes / all.length,
    perTransaction: all.length / phases.reduce((s, p) => s + p.transactions, 0),
    mainThreadMs: mainMs,
    mainThreadBusy: mainMs === null ? null : (mainMs * all.length) / wall,
    mainThreadWaitMs: perDelivery((p) => p.mainThreadWaitMicros),
    loopIdleMs: perDelivery((p) => p.loopIdleMicros)!,
    loadMs: perDelivery((p) => p.loadMicros)!,
    machineBusy: machineBusy === null ? null : machineBusy / sum((p) => p.machine!.total)!,
    writer:
      writerMs === null
        ? null
        : {
            ms: writerMs,
            busy: (writerMs * all.length) / wall,
            byPhase: byPhase as Record<(typeof WRITER_PHASES)[number], number>,
            checkpointsPerDelivery: phases.reduce((n, p) => n + p.writerMicros!.checkpoints, 0) / all.length,
          },
  };
}

// ---------------------------------------------------------------- in-process measurements

async function timeAsync(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn(); // warm
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

function timeSync(n: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

async function verificationCost(dir: string, caPem: string, signer: Signer, leafDer: Uint8Array, shared: Buffer) {
  const cfg = parseNodeConfig({ DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'verify.db')}`, LOG_LEVEL: 'warn' });
  const { deps, client } = await nodeDeps(cfg);
  try {
    await registerSender(deps, { code: SENDER, type: 'court', name: '基准测试法院 (bench court)', caPem }, 'bench');
    const [item] = await signItems(1, 'verify', signer, shared, 'v');
    const bytes = new Uint8Array(attachmentOf(shared, item!.prefix));
    const env = parseCompactJws(item!.jws, new Map([['att-1', bytes]]));
    const first = await verifyEnvelope(deps, env, new Date()); // fills the chain cache
    const n = VERIFY_ITERATIONS;

    const pipeline = await timeAsync(n, () => verifyEnvelope(deps, env, new Date()));

    // The same RS256 signature, checked by node:crypto alone.
    const compact = item!.jws;
    const dot = compact.lastIndexOf('.');
    const signingInput = Buffer.from(compact.slice(0, dot), 'ascii');
    const signature = Buffer.from(compact.slice(dot + 1), 'base64url');
    const publicKey = new X509Certificate(Buffer.from(leafDer)).publicKey;
    if (!nodeVerify('sha256', signingInput, publicKey, signature)) throw new Error('bare node:crypto verification failed');
    const bare = timeSync(n, () => nodeVerify('sha256', signingInput, publicKey, signature));

    // What verifyEnvelope is made of.
    const key = await leafKey(first.chain, 'RS256');
    const jose = await timeAsync(n, () => env.verifySignature(key));
    const digestWeb = await timeAsync(n, () => sha256Hex(bytes));
    const digestNode = timeSync(n, () => createHash('sha256').update(bytes).digest('hex'));
    const schema = timeSync(n, () => Manifest.safeParse(env.manifest));
    const sender = await timeAsync(n, () => findSender(deps, SENDER));
    return { pipeline, bare, jose, digestWeb, digestNode, schema, sender, iterations: n };
  } finally {
    client.close();
  }
}

interface DiskStats {
  dbBytes: number;
  walBytesBefore: number;
  blobs: number;
  blobBytes: number;
  deliveries: number;
  ceilingRows: number;
  tables?: Record<string, number>;
}

async function diskUse(dbPath: string): Promise<DiskStats> {
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  const walBytesBefore = size(`${dbPath}-wal`);
  const client = createClient({ url: `file:${dbPath}` });
  try {
    await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    const one = async (q: string) => (await client.execute(q)).rows[0]!;
    const b = await one('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM blobs');
    const d = await one('SELECT COUNT(*) AS n FROM deliveries');
    const c = await one('SELECT COUNT(*) AS n FROM bench_ceiling');
    let tables: Record<string, number> | undefined;
    try {
      // Pages per table, its indexes included.
      const rs = await client.execute(
        'SELECT s.tbl_name AS name, SUM(d.pgsize) AS bytes FROM dbstat d JOIN sqlite_schema s ON s.name = d.name GROUP BY s.tbl_name ORDER BY bytes DESC',
      );
      tables = Object.fromEntries(rs.rows.map((r) => [String(r.name), Number(r.bytes)]));
    } catch {
      tables = undefined; // dbstat not compiled in
    }
    return {
      dbBytes: size(dbPath) + size(`${dbPath}-wal`),
      walBytesBefore,
      blobs: Number(b.n),
      blobBytes: Number(b.bytes),
      deliveries: Number(d.n),
      ceilingRows: Number(c.n),
      ...(tables ? { tables } : {}),
    };
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------- the benchmark

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'fuyuan-bench-intake-'));
  let server: Server | undefined;
  try {
    const now = Date.now();
    const validity = { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 365 * 86_400_000) };
    const ca = createCa('基准测试法院 CA', validity);
    const leaf = issueSigner(ca, '基准测试法院 电子送达签章', validity);
    const signer = await rsaSigner(leaf);
    const caFile = join(tmp, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    const shared = randomBytes(ATTACHMENT_BYTES);

    const dataDir = join(tmp, 'server');
    const dbPath = join(dataDir, 'fuyuan.db');
    mkdirSync(dataDir, { recursive: true });
    ctx.log('starting the bench server (real nodeDeps + createApp, LOG_LEVEL=warn)');
    server = await startServer({
      DATA_DIR: dataDir,
      DATABASE_URL: `file:${dbPath}`,
      LOG_LEVEL: 'warn',
      BENCH_SENDER_CODE: SENDER,
      BENCH_SENDER_CA: caFile,
    });
    const base = `http://127.0.0.1:${server.port}`;
    const routes = { intake: `${base}/v1/deliveries`, ceiling: `${base}/bench/ceiling`, grouped: `${base}/bench/ceiling-grouped` } as const;

    const perRoute = WARMUP + ROUNDS * PER_ROUND;
    ctx.log(`signing ${3 * perRoute} manifests (RS256), each with its own 256 KiB attachment`);
    const runId = now.toString(36);
    const t0 = performance.now();
    const items = {
      intake: await signItems(perRoute, runId, signer, shared, 'i'),
      ceiling: await signItems(perRoute, runId, signer, shared, 'c'),
      grouped: await signItems(perRoute, runId, signer, shared, 'g'),
    };
    ctx.log(`signed in ${round((performance.now() - t0) / 1000, 1)} s; warm-up ${WARMUP} per route`);

    await phase(routes.intake, items.intake.slice(0, WARMUP), shared, CONCURRENCY);
    await phase(routes.ceiling, items.ceiling.slice(0, WARMUP), shared, CONCURRENCY);
    await phase(routes.grouped, items.grouped.slice(0, WARMUP), shared, CONCURRENCY);

    const results: Record<'intake' | 'ceiling' | 'grouped', PhaseResult[]> = { intake: [], ceiling: [], grouped: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['intake', 'ceiling', 'grouped'] as const) : (['grouped', 'ceiling', 'intake'] as const);
      for (const route of order) {
        const slice = items[route].slice(WARMUP + r * PER_ROUND, WARMUP + (r + 1) * PER_ROUND);
        const res = await phase(routes[route], slice, shared, CONCURRENCY);
        results[route].push(res);
        ctx.log(`round ${r + 1}/${ROUNDS} ${route}: ${round(slice.length / (res.wallMs / 1000), 1)}/s`);
      }
    }
    const intake = stats(results.intake);
    const ceiling = stats(results.ceiling);
    const ratio = intake.perSecond / ceiling.perSecond;
    // The same ratio round by round (each round runs both routes back to back): how far one run's figure can be
    // trusted on this machine.
    const roundRatios = results.intake.map((p, r) => stats([p]).perSecond / stats([results.ceiling[r]!]).perSecond);
    const grouped = stats(results.grouped);
    const groupedRatio = intake.perSecond / grouped.perSecond;

    keepAlive.destroy();
    await stopServer(server.child);
    server = undefined;

    const disk = await diskUse(dbPath);
    const expectedRows = WARMUP + ROUNDS * PER_ROUND;
    if (disk.deliveries !== expectedRows || disk.ceilingRows !== 2 * expectedRows || disk.blobs !== 3 * expectedRows) {
      throw new Error(
        `unexpected rows after the run: ${disk.deliveries} deliveries, ${disk.ceilingRows} ceiling rows, ${disk.blobs} blobs (expected ${expectedRows}, ${2 * expectedRows}, ${3 * expectedRows})`,
      );
    }

    ctx.log(`verification cost in-process, ${VERIFY_ITERATIONS} iterations each`);
    const verifyDir = join(tmp, 'verify');
    mkdirSync(verifyDir, { recursive: true });
    const v = await verificationCost(verifyDir, ca.certPem, signer, leaf.der, shared);
    const trust = await trustVerificationCost(Math.min(VERIFY_ITERATIONS, 1000));

    ctx.log('the audit log: signing and tree replayed on this run (bench/intake/audit-cost.ts)');
    const audit = await auditCost(dataDir, join(tmp, 'audit-scratch'), disk.deliveries);

    // Where the writes go (bench/intake/wal-pages.ts): deliveries sent at once in groups as large as the run's.
    ctx.log("where the writes go: WAL pages by B-tree, and the disk's synced write rate (bench/intake/wal-pages.ts)");
    const group = Math.max(1, Math.min(8, Math.round(intake.perTransaction)));
    const pageItems = await signItems((PAGE_WARM + PAGE_ROUNDS) * group, runId, signer, shared, 'p');
    const pagesDir = join(tmp, 'pages');
    mkdirSync(pagesDir, { recursive: true });
    const pages = await walPages(
      pagesDir,
      { code: SENDER, caPem: ca.certPem },
      async (r) =>
        pageItems.slice(r * group, (r + 1) * group).map((it) => {
          const body = multipartBody(it, shared);
          return new Request('http://127.0.0.1/v1/deliveries', { method: 'POST', body, headers: multipartHeaders(body) });
        }),
      PAGE_ROUNDS,
      PAGE_WARM,
    );
    const diskRate = syncWriteRate(pagesDir, 1 << 20, 256 << 20);

    const perDiskByte = disk.dbBytes / disk.blobBytes;
    const blobTable = disk.tables?.['blobs'];
    // What intake writes besides the bytes: every table but blobs and the ceiling's own (senders etc. are a few pages).
    const otherTables = disk.tables ? Object.entries(disk.tables).filter(([name]) => name !== 'blobs' && name !== 'bench_ceiling') : undefined;
    const intakeRowBytes = otherTables?.reduce((sum, [, bytes]) => sum + bytes, 0);
    const largest = otherTables
      ?.slice(0, 4)
      .map(([name, bytes]) => `${name} ${round(bytes / disk.deliveries / 1024, 1)}`)
      .join(', ');

    const ms = (x: number, d = 2) => `${round(x, d).toFixed(d)} ms`;
    const pct = (x: number) => `${round(100 * x, 0)} %`;
    const routeLine = (label: string, s: RouteStats) =>
      `  ${label.padEnd(16)} ${round(s.perSecond, 1).toFixed(1).padStart(7)} deliveries/s   p50 ${ms(s.p50, 1).padStart(8)}   p99 ${ms(s.p99, 1).padStart(8)}   (${s.requests} requests)` +
      `   server CPU ${ms(s.cpuMs, 2)}` +
      (s.writeBytes !== null ? `, ${round(s.writeBytes / 1024, 0)} KiB written per delivery` : '') +
      `, ${round(s.perTransaction, 1).toFixed(1)} deliveries per transaction` +
      `\n  ${''.padEnd(16)} ` +
      (s.mainThreadMs !== null ? `main thread ${ms(s.mainThreadMs, 2)} per delivery (${pct(s.mainThreadBusy!)} busy), ` : '') +
      (s.mainThreadWaitMs !== null ? `waiting for a core ${ms(s.mainThreadWaitMs, 2)}, ` : '') +
      `event loop idle ${ms(s.loopIdleMs, 2)}; ` +
      `load generator ${ms(s.loadMs, 2)} per delivery` +
      (s.machineBusy !== null ? `, machine ${pct(s.machineBusy)} busy (${CORES} cores)` : '') +
      (s.writer
        ? `\n  ${''.padEnd(16)} database write thread ${ms(s.writer.ms, 2)} per delivery (${pct(s.writer.busy)} busy): ` +
          `statements ${ms(s.writer.byPhase.statements, 2)}, commit ${ms(s.writer.byPhase.commit, 2)}, checkpoints ${ms(s.writer.byPhase.checkpoint, 2)} (${round(s.writer.checkpointsPerDelivery, 2).toFixed(2)} once idle per delivery), lock wait ${ms(s.writer.byPhase.lockWait, 2)}`
        : '');
    // What the ratio's target asks of intake on this machine: its rate, and the CPU it may spend per delivery there
    // with every core busy (less what the load generator spends on the same requests) and its main thread busy.
    const targetRate = 0.85 * ceiling.perSecond;
    const serverBudgetMs = (CORES * 1000 - targetRate * intake.loadMs) / targetRate;
    // Any one thread that every delivery passes through (the main thread, the database write thread) at most this.
    const threadBudgetMs = 1000 / targetRate;
    const mib = (b: number) => `${round(b / 1048576, 1)} MiB`;
    const lines = [
      `intake: multipart, 1 RS256-signed manifest + 1 × 256 KiB attachment per delivery, loopback 127.0.0.1, concurrency ${CONCURRENCY},`,
      `        ${ROUNDS} rounds × ${PER_ROUND} requests per route (ABC-CBA order, one database) after ${WARMUP} warm-up each`,
      routeLine('/v1/deliveries', intake),
      routeLine('/bench/ceiling', ceiling),
      routeLine('/bench/ceiling-grouped', grouped),
      `  ratio intake/ceiling  ${round(ratio, 3).toFixed(3)}   (target ≥ 0.85: ${ratio >= 0.85 ? 'met' : 'NOT met'}; round by round ${round(Math.min(...roundRatios), 3).toFixed(3)}–${round(Math.max(...roundRatios), 3).toFixed(3)}; server CPU per delivery intake/ceiling ${round(intake.cpuMs / ceiling.cpuMs, 2).toFixed(2)}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
      `  what 0.85 takes on this machine: ${round(targetRate, 1)} deliveries/s, where the server may spend at most ${ms(serverBudgetMs, 2)} of CPU per delivery` +
        ` (${CORES} cores all busy, less the load generator's ${ms(intake.loadMs, 2)}) and at most ${ms(threadBudgetMs, 2)} on its main thread;` +
        ` intake spends ${ms(intake.cpuMs, 2)}${intake.mainThreadMs !== null ? ` and ${ms(intake.mainThreadMs, 2)}` : ''}` +
        (intake.writer ? `; the database write thread at most ${ms(threadBudgetMs, 2)} per delivery, where intake's takes ${ms(intake.writer.ms, 2)}` : ''),
      `  ratio intake/ceiling-grouped  ${round(groupedRatio, 3).toFixed(3)}   (this ceiling goes through intake's group commit too; it groups only writes that wait for each other: see its deliveries per transaction)`,
      `  verification per delivery (verifyEnvelope, chain cache warm)  ${ms(v.pipeline, 3)}   bare node:crypto RS256 verify of the same JWS  ${ms(v.bare, 3)}`,
      `    parts: JWS signature (env.verifySignature: node:crypto, bound as nodeDeps binds it) ${ms(v.jose, 3)}, SHA-256 of 256 KiB via WebCrypto ${ms(v.digestWeb, 3)} (node:crypto ${ms(v.digestNode, 3)}), manifest schema (zod) ${ms(v.schema, 3)}, sender lookup (SQL) ${ms(v.sender, 3)}`,
      ...trustLines(trust),
      ...auditCostLines(audit, intake.cpuMs),
      `  disk: ${round(perDiskByte, 4).toFixed(4)} bytes on disk per attachment byte stored (database ${mib(disk.dbBytes)} after wal_checkpoint(TRUNCATE), ${disk.blobs} blobs = ${mib(disk.blobBytes)})` +
        (blobTable !== undefined ? `; blobs table alone ${round(blobTable / disk.blobBytes, 4).toFixed(4)}` : ''),
      ...(intakeRowBytes !== undefined
        ? [
            `        everything intake stores besides the bytes (all other tables, indexes included): ${round(intakeRowBytes / disk.deliveries / 1024, 1)} KiB per delivery (largest: ${largest})`,
          ]
        : []),
    ];
    // The disk's rate over a route's bytes per delivery: the most that route could store per second here.
    const diskBound = (s: RouteStats) => (s.writeBytes ? diskRate / s.writeBytes : null);
    const ceilingBound = diskBound(ceiling);
    const intakeBound = diskBound(intake);
    if (ceilingBound !== null && intakeBound !== null && ceiling.writeBytes !== null) {
      lines.push(
        `  where the bytes go: the disk takes ${round(diskRate / 1e6, 0)} MB/s synced (1 MiB per fdatasync); at that rate the bytes written per delivery allow` +
          ` the ceiling ${round(ceilingBound, 0)}/s (it ran at ${pct(ceiling.perSecond / ceilingBound)} of that) and intake ${round(intakeBound, 0)}/s (${pct(intake.perSecond / intakeBound)}):` +
          ` the bytes alone bound the ratio at ${round(intakeBound / ceilingBound, 2).toFixed(2)}; 0.85 needs intake to write at most ${round(ceiling.writeBytes / 0.85 / 1024, 0)} KiB per delivery`,
      );
    }
    const top = pages.byTree
      .filter((t) => t.name !== 'blobs')
      .slice(0, 12)
      .map((t) => `${t.name} ${round(t.perDelivery, 2).toFixed(2)}`)
      .join(', ');
    lines.push(
      `  WAL pages per delivery (${pages.pageSize} B each; ${round(pages.group, 0)} deliveries at once, ${round(pages.transactions / PAGE_ROUNDS, 2).toFixed(2)} transactions per round, ${PAGE_ROUNDS} rounds, on a database of ${PAGE_WARM * group} deliveries before them): ` +
        `${round(pages.framesPerDelivery, 1).toFixed(1)}, of them ${round(pages.attachmentPerDelivery, 1).toFixed(1)} the attachment's own; ${round(pages.treesPerRound, 0)} B-trees written per round; most besides the attachment: ${top}`,
    );
    const round3 = (x: number | null) => (x === null ? null : round(x, 3));
    const routeJson = (s: RouteStats) => ({
      perSecond: round(s.perSecond, 1),
      p50Ms: round(s.p50, 2),
      p99Ms: round(s.p99, 2),
      meanMs: round(s.mean, 2),
      serverCpuMs: round(s.cpuMs, 3),
      writeBytesPerDelivery: s.writeBytes === null ? null : Math.round(s.writeBytes),
      deliveriesPerTransaction: round(s.perTransaction, 2),
      mainThreadMs: round3(s.mainThreadMs),
      mainThreadBusy: round3(s.mainThreadBusy),
      mainThreadWaitMs: round3(s.mainThreadWaitMs),
      loopIdleMs: round(s.loopIdleMs, 3),
      loadGeneratorMs: round(s.loadMs, 3),
      machineBusy: round3(s.machineBusy),
      writer: s.writer
        ? {
            msPerDelivery: round(s.writer.ms, 3),
            busy: round(s.writer.busy, 3),
            checkpointsPerDelivery: round(s.writer.checkpointsPerDelivery, 3),
            ...Object.fromEntries(WRITER_PHASES.map((k) => [`${k}Ms`, round(s.writer!.byPhase[k], 3)])),
          }
        : null,
    });
    const json = {
      attachmentBytes: ATTACHMENT_BYTES,
      concurrency: CONCURRENCY,
      requestsPerRoute: intake.requests,
      warmup: WARMUP,
      intake: routeJson(intake),
      ceiling: routeJson(ceiling),
      ratio: round(ratio, 3),
      ratioByRound: roundRatios.map((x) => round(x, 3)),
      ratioTargetMet: ratio >= 0.85,
      atTarget: { cores: CORES, perSecond: round(targetRate, 1), serverCpuBudgetMs: round(serverBudgetMs, 3), mainThreadBudgetMs: round(threadBudgetMs, 3) },
      loadAverage: loadavg(),
      ceilingGrouped: routeJson(grouped),
      ratioGrouped: round(groupedRatio, 3),
      verify: {
        verifyEnvelopeMs: round(v.pipeline, 4),
        bareNodeRs256Ms: round(v.bare, 4),
        joseVerifyMs: round(v.jose, 4),
        sha256WebCryptoMs: round(v.digestWeb, 4),
        sha256NodeMs: round(v.digestNode, 4),
        zodManifestMs: round(v.schema, 4),
        senderLookupMs: round(v.sender, 4),
        iterations: v.iterations,
        trust: trustJson(trust),
      },
      audit: {
        signMsPerDelivery: round(audit.signMs, 4),
        treeMsPerDelivery: round(audit.treeMs, 4),
        storeMsPerDelivery: round(audit.storeMs, 4),
        signMsPerHead: round(audit.signPerHeadMs, 4),
        recordsPerDelivery: round(audit.records / audit.deliveries, 2),
        headsPerDelivery: round(audit.heads / audit.deliveries, 3),
      },
      disk: {
        bytesPerAttachmentByte: round(perDiskByte, 4),
        dbBytes: disk.dbBytes,
        walBytesBeforeCheckpoint: disk.walBytesBefore,
        blobBytes: disk.blobBytes,
        blobs: disk.blobs,
        ...(blobTable !== undefined ? { blobsTablePerByte: round(blobTable / disk.blobBytes, 4) } : {}),
        ...(intakeRowBytes !== undefined ? { intakeRowBytesPerDelivery: Math.round(intakeRowBytes / disk.deliveries) } : {}),
        ...(disk.tables ? { tables: disk.tables } : {}),
        syncWriteBytesPerSecond: Math.round(diskRate),
        ceilingBoundPerSecond: ceilingBound === null ? null : round(ceilingBound, 1),
        intakeBoundPerSecond: intakeBound === null ? null : round(intakeBound, 1),
      },
      walPages: {
        pageSize: pages.pageSize,
        group: pages.group,
        deliveriesBefore: PAGE_WARM * group,
        transactionsPerRound: round(pages.transactions / PAGE_ROUNDS, 2),
        framesPerDelivery: round(pages.framesPerDelivery, 2),
        attachmentPerDelivery: round(pages.attachmentPerDelivery, 2),
        treesPerRound: round(pages.treesPerRound, 1),
        byTree: Object.fromEntries(pages.byTree.map((t) => [t.name, round(t.perDelivery, 3)])),
      },
    };
    return { lines, json };
  } finally {
    if (server) await stopServer(server.child).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}
