/**
 * bench/flood (issue 20: the gateway stays responsive and its memory bounded under any offered load): the real
 * gateway (`npm start`'s entry, adapters/node/main.ts) on loopback with its default bounds, and peers that only take,
 * each in a process of its own from an address of its own (127.0.0.10, .11, …), `/healthz` probed every 200 ms from
 * 127.0.0.1 meanwhile, each probe over a new connection (as a court that connects now):
 *
 * 1. idle connections: BENCH_FLOOD_PEERS (2) peers open BENCH_FLOOD_CONNECTIONS (12,000) connections each and send
 *    half a request's headers on every one. Before the per-address bound, two such peers took all 20,000 files the
 *    gateway could open and `/healthz` could not connect.
 * 2. held bodies: the same peers open BENCH_FLOOD_BODIES (500) connections each, every one a token request
 *    (POST /v1/oauth/token, read before any credential is checked) announcing 1 MB and sending all of it but the
 *    last byte. Before the budget of request bodies, 1,000 of them took the gateway from 258 MB to 1.27 GB.
 *
 * 3. refusals: what one refused request costs the gateway. From one address, token requests announcing 1 MB are
 *    opened and held (their bodies never finish) until the address's share of request bodies is full (the next is
 *    answered 429); then BENCH_FLOOD_REFUSALS (3,000) more, 20 at a time, each sending 256 KiB of its body, reading
 *    its answer and closing: the gateway's CPU per refused request (/proc/<pid>/stat) and the rate they were answered.
 *
 * For each of phases 1 and 2: how many connections the peers held and how many the gateway refused, the files the gateway held
 * (/proc/<pid>/fd), its RSS, and `/healthz`: the share answered 200 and the p99. Targets: every probe answered;
 * RSS ≤ 600 MB (the 2× peak target of bench/overload). Each peer may open as many files as this machine lets one
 * process (ulimit -n): the count it could not open is said.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { get as httpGet } from 'node:http';
import { connect, type Socket } from 'node:net';
import { percentile, round, type BenchContext, type BenchResult } from '../types.js';
import { cpuMs, rssMb, startGateway } from '../gateway.js';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
};
const PEERS = num('BENCH_FLOOD_PEERS', 2);
const CONNECTIONS = num('BENCH_FLOOD_CONNECTIONS', 12_000);
const BODIES = num('BENCH_FLOOD_BODIES', 500);
const BODY_BYTES = 1_000_000;
const REFUSALS = num('BENCH_FLOOD_REFUSALS', 3000);
const PEER = fileURLToPath(new URL('./peer.mjs', import.meta.url));

interface Peer {
  child: ChildProcess;
  result: Promise<{ opened: number; refused: number } | { error: string }>;
}

function startPeer(port: number, address: string, args: string[]): Peer {
  const child = spawn(process.execPath, [PEER, String(port), address, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const result = new Promise<{ opened: number; refused: number } | { error: string }>((resolve) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^opened (\d+) refused (\d+)$/.exec(line);
      if (m) resolve({ opened: Number(m[1]), refused: Number(m[2]) });
    });
    child.once('exit', (code) => resolve({ error: `peer exited ${code}: ${err.trim().split('\n').at(-1) ?? ''}` }));
  });
  return { child, result };
}

/** GET /healthz over a new connection (agent: false), as a court that connects now would: its status, or 0. */
const healthz = (base: string) =>
  new Promise<number>((resolve) => {
    const req = httpGet(`${base}/healthz`, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });

const TOKEN_HEAD = `POST /v1/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`;

/** A token request announcing BODY_BYTES from `address`, sending `send` bytes of it: its status, once answered (0: none). */
function tokenRequest(port: number, address: string, send: Buffer, waitMs: number): { socket: Socket; status: Promise<number> } {
  const socket = connect({ port, host: '127.0.0.1', localAddress: address });
  socket.on('error', () => undefined);
  const status = new Promise<number>((resolve) => {
    let got = '';
    const timer = setTimeout(() => resolve(0), waitMs);
    socket.on('connect', () => {
      socket.write(TOKEN_HEAD);
      if (send.length) socket.write(send);
    });
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (got.includes('\r\n')) {
        clearTimeout(timer);
        resolve(Number(got.slice(9, 12)));
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(0);
    });
  });
  return { socket, status };
}

/** Phase 3: the gateway's CPU per request refused past an address's share, and how fast they were answered. */
async function refusalCost(port: number, pid: number) {
  const address = '127.0.0.20';
  const held: Socket[] = [];
  try {
    // Fill the address's share with requests whose bodies never finish: the first that is answered is past it.
    for (;;) {
      const r = tokenRequest(port, address, Buffer.alloc(0), 300);
      held.push(r.socket);
      const status = await r.status;
      if (status !== 0) break;
      if (held.length > 10_000) throw new Error('refusals: no request was refused after 10,000 held');
    }
    const body = Buffer.alloc(256 * 1024, 0x61);
    const statuses: Record<string, number> = {};
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    let left = REFUSALS;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (left-- > 0) {
          const r = tokenRequest(port, address, body, 30_000);
          const status = await r.status;
          r.socket.destroy();
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { held: held.length - 1, statuses, cpuMsPerRefusal: (cpuMs(pid) - cpu0) / REFUSALS, perSecond: REFUSALS / seconds };
  } finally {
    for (const s of held) s.destroy();
  }
}

async function probe(base: string, stop: Promise<void>): Promise<{ ok: number; all: number; ms: number[] }> {
  const ms: number[] = [];
  let ok = 0;
  let all = 0;
  let done = false;
  void stop.then(() => (done = true));
  while (!done) {
    const t = performance.now();
    all++;
    if ((await healthz(base)) === 200) ok++;
    ms.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ok, all, ms: ms.sort((a, b) => a - b) };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-bench-flood-'));
  const gateway = await startGateway({ DATA_DIR: dir });
  const pid = gateway.child.pid!;
  const files = () => readdirSync(`/proc/${pid}/fd`).length;
  const lines: string[] = [];
  const json: Record<string, unknown> = {};
  const targets: Record<string, boolean> = {};
  const met = (name: string, ok: boolean) => {
    targets[name] = ok;
    return ok ? 'met' : 'NOT met';
  };
  try {
    const phases: [name: string, what: string, peerArgs: string[]][] = [
      ['idle connections', `${PEERS} peers × ${CONNECTIONS} connections, half a request's headers each`, [String(CONNECTIONS), 'idle']],
      [
        'held bodies',
        `${PEERS} peers × ${BODIES} token requests announcing ${BODY_BYTES} bytes, all but the last sent`,
        [String(BODIES), 'body', '/v1/oauth/token', String(BODY_BYTES)],
      ],
    ];
    for (const [name, what, peerArgs] of phases) {
      ctx.log(`${name}: ${what}`);
      const rssBefore = rssMb(pid);
      let stopProbe!: () => void;
      const probing = probe(gateway.base, new Promise<void>((r) => (stopProbe = r)));
      const peers = Array.from({ length: PEERS }, (_, i) => startPeer(gateway.port, `127.0.0.${10 + i}`, peerArgs));
      const results = await Promise.all(peers.map((p) => p.result));
      // Held a while, as a flood would be: the probes go on meanwhile.
      await new Promise((r) => setTimeout(r, 5000));
      const held = { files: files(), rssMb: rssMb(pid) };
      stopProbe();
      const h = await probing;
      for (const p of peers) p.child.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      const errors = results.filter((r): r is { error: string } => 'error' in r).map((r) => r.error);
      const opened = results.reduce((n, r) => n + ('opened' in r ? r.opened : 0), 0);
      const refused = results.reduce((n, r) => n + ('refused' in r ? r.refused : 0), 0);
      const p99 = round(percentile(h.ms, 99), 1);
      json[name] = {
        peers: PEERS,
        opened,
        refused,
        errors,
        files: held.files,
        rssBeforeMb: rssBefore,
        rssMb: held.rssMb,
        healthzOk: h.ok,
        healthzAll: h.all,
        healthzP99: p99,
      };
      lines.push(
        `${name} (${what}): peers held ${opened}, the gateway refused ${refused}${errors.length ? ` (${errors.join('; ')})` : ''}; ` +
          `the gateway held ${held.files} files, RSS ${rssBefore} → ${held.rssMb} MB (target ≤ 600: ${met(`${name}: RSS ≤ 600 MB`, held.rssMb <= 600)}); ` +
          `/healthz answered ${h.ok}/${h.all} (target all: ${met(`${name}: /healthz answered`, h.ok === h.all)}), p99 ${p99} ms`,
      );
    }
    ctx.log(`refusals: ${REFUSALS} token requests past one address's share, 20 at a time`);
    const r = await refusalCost(gateway.port, pid);
    json.refusals = { held: r.held, statuses: r.statuses, cpuMsPerRefusal: round(r.cpuMsPerRefusal, 3), perSecond: round(r.perSecond, 0) };
    lines.push(
      `refusals (${REFUSALS} token requests announcing ${BODY_BYTES} bytes, 256 KiB of each sent, past one address's share: ${r.held} held first): ` +
        `answers ${JSON.stringify(r.statuses)}; gateway CPU ${round(r.cpuMsPerRefusal, 3)} ms per refused request, ${round(r.perSecond, 0)} answered per second`,
    );
    json.targets = targets;
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { lines, json };
}
