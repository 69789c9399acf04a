/**
 * The gateway as a process (`npm start`'s adapters/node/main.ts in a child), for what only a process shows
 * (issue 20): shutdown finishes what is in flight and closes kept-alive connections, exits 1 when its grace period
 * had to cut an upload; a `kill -9` during a court callback delays that court by one sweep after the restart, not
 * by the five-minute lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNodeConfig } from '../adapters/node/config.js';
import { nodeDeps } from '../adapters/node/deps.js';
import { demoManifest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { silentLog } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// One process, tsx as Node's loader (`npm start`'s tsx CLI would run the gateway in a child of its own, and a
// kill -9 of the CLI would leave that child running).
const TSX_LOADER = ['--import', 'tsx'];

interface Gateway {
  child: ChildProcess;
  base: string;
  exited: Promise<number | null>;
  log: string[];
}

const started: Gateway[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const g of started.splice(0)) if (g.child.exitCode === null) g.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fuyuan-proc-'));
  dirs.push(d);
  return d;
}

/** Start `adapters/node/main.ts` on a free port; resolves once it logs that it listens. */
async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const child = spawn(process.execPath, [...TSX_LOADER, join(ROOT, 'adapters/node/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${log.join('')}`)), 60_000);
    const onData = (b: Buffer) => {
      log.push(b.toString());
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => log.push(b.toString()));
    void exited.then((code) => reject(new Error(`gateway exited ${code} before listening:\n${log.join('')}`)));
  });
  const g = { child, base, exited, log };
  started.push(g);
  return g;
}

/** A POST whose body is written by the caller; the answer arrives as a promise. */
function openUpload(base: string, path: string, headers: Record<string, string>) {
  const req = request(`${base}${path}`, { method: 'POST', headers });
  const answer = new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
  return { req, answer };
}

// Each test starts one or two real gateway processes (tsx compiles on start): generous time on a loaded machine,
// and still less than the outbox lease (five minutes), which the kill -9 test must beat.
const PROCESS_TEST_MS = 240_000;

/** The child's output is read from a pipe, in its own time: wait (at most `ms`) until it says `pattern`. */
async function logSays(g: Gateway, pattern: RegExp, ms = 10_000): Promise<string> {
  for (const until = Date.now() + ms; !pattern.test(g.log.join('')) && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
  return g.log.join('');
}

describe('shutdown', () => {
  it(
    'an upload in progress at SIGTERM is finished and answered with Connection: close; then the process exits 0',
    async () => {
      const g = await startGateway({ DATA_DIR: dataDir(), SHUTDOWN_GRACE_SECONDS: '30', SWEEP_INTERVAL_SECONDS: '0' });
      const up = openUpload(g.base, '/v1/deliveries', { 'content-type': 'application/jose', 'transfer-encoding': 'chunked' });
      up.req.write('eyJhbGciOi');
      await new Promise((r) => setTimeout(r, 300));
      g.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      up.req.end('JSUzI1NiJ9.e30.c2ln');
      const res = await up.answer;
      // Not a valid delivery (no certificate chain): a 4xx problem, answered in full although shutdown had begun.
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.connection).toBe('close');
      expect(await g.exited).toBe(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    'an upload that does not finish within the grace period is cut, and the exit code says so (1)',
    async () => {
      const g = await startGateway({ DATA_DIR: dataDir(), SHUTDOWN_GRACE_SECONDS: '1', SWEEP_INTERVAL_SECONDS: '0' });
      const up = openUpload(g.base, '/v1/deliveries', { 'content-type': 'application/jose', 'transfer-encoding': 'chunked' });
      up.answer.catch(() => undefined);
      up.req.write('eyJhbGciOi');
      await new Promise((r) => setTimeout(r, 300));
      g.child.kill('SIGTERM');
      expect(await g.exited).toBe(1);
      expect(g.log.join('')).toMatch(/grace of 1 s ran out/);
    },
    PROCESS_TEST_MS,
  );
});

describe('a kill -9 during a court callback', () => {
  it(
    'after the restart the court gets the evidence again at the next sweep, with the same Idempotency-Key, long before the lease would run out',
    async () => {
      const dir = dataDir();
      const court = await makeCourtPki('龙游县人民法院');
      // The court's callback: the first request hangs (the gateway is killed while it waits), later ones succeed.
      const seen: { key: string }[] = [];
      let firstArrived!: () => void;
      const first = new Promise<void>((r) => (firstArrived = r));
      let secondArrived!: () => void;
      const second = new Promise<void>((r) => (secondArrived = r));
      const callback: Server = createServer((req, res) => {
        seen.push({ key: String(req.headers['idempotency-key']) });
        req.resume();
        if (seen.length === 1) firstArrived();
        else {
          res.writeHead(204).end();
          secondArrived();
        }
      });
      await new Promise<void>((r) => callback.listen(0, '127.0.0.1', () => r()));
      try {
        const env = { DATA_DIR: dir };
        const setup = await nodeDeps(parseNodeConfig(env), { log: silentLog });
        await registerSender(setup.deps, {
          code: 'court-longyou',
          type: 'court',
          name: '浙江省龙游县人民法院',
          caPem: court.ca.certPem,
          callbackUrl: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/evidence`,
        });
        setup.client.close();

        const g1 = await startGateway({ ...env, SWEEP_INTERVAL_SECONDS: '1' });
        const m = demoManifest({
          messageId: 'kill9-1',
          senderCode: 'court-longyou',
          issuedAt: new Date(),
          caseNumber: '(2026)浙0825行初901号',
          regionCode: '330802',
        });
        const res = await fetch(`${g1.base}/v1/deliveries`, {
          method: 'POST',
          headers: { 'content-type': 'application/jose' },
          body: await signManifest(m, court.signer),
        });
        expect(res.status, await res.clone().text()).toBe(201);
        await first; // the receipt's callback is under way, its lease held by g1
        g1.child.kill('SIGKILL');
        await g1.exited;

        const g2 = await startGateway({ ...env, SWEEP_INTERVAL_SECONDS: '1' });
        await second;
        expect(seen).toHaveLength(2);
        expect(seen[1]!.key).toBe(seen[0]!.key);
        // Not the five-minute lease running out: the restart reclaimed the dead process's lease.
        expect(await logSays(g2, /outbox leases reclaimed from a process that is gone/)).toMatch(/outbox leases reclaimed from a process that is gone/);
      } finally {
        callback.closeAllConnections();
        await new Promise<void>((r) => callback.close(() => r()));
      }
    },
    PROCESS_TEST_MS,
  );
});
