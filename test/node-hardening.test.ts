/**
 * The Node edge under hostile use (issue 18): requests Node's own HTTP parser refuses are answered as
 * application/problem+json, on a real server on loopback, and so is a delivery whose upload stalls (issue 20); the
 * data files are owner-only; a peer past its share of the deliveries in progress is refused by its address (issue 20).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { testGateway } from './helpers/gateway.js';
import { answerClientErrorsAsProblems } from '../adapters/node/client-errors.js';
import { parseNodeConfig } from '../adapters/node/config.js';
import { nodeDeps } from '../adapters/node/deps.js';
import { secureDataDir } from '../adapters/node/data-files.js';
import { boundConnections, connectionBounds, openFileLimit, PAST_SHARE_ANSWERS_PER_SECOND } from '../adapters/node/connections.js';
import { lingerOnClose } from '../adapters/node/linger.js';
import { silentLog } from './helpers/gateway.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let server: ServerType;
let port = 0;

beforeAll(async () => {
  gw = await testGateway();
  server = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' });
  answerClientErrorsAsProblems(server as Server);
  await new Promise<void>((r) => server.once('listening', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await gw.close();
});

/** Send raw bytes, read the whole answer until the server closes the connection. */
function raw(bytes: string, localAddress?: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const lines = head!.split('\r\n');
      const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(lines[0]!.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    s.write(bytes);
  });
}

const expectProblem = (r: Awaited<ReturnType<typeof raw>>, status: number, slug: string) => {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toBe('application/problem+json');
  const p = JSON.parse(r.body) as { type: string; status: number; titleZh: string; detail: string };
  expect(p.type).toBe(`urn:fuyuan:problem:${slug}`);
  expect(p.status).toBe(status);
  expect(p.titleZh).toMatch(/[\u4e00-\u9fff]/);
  expect(p.detail.length).toBeGreaterThan(10);
};

describe("framing errors answered by Node's parser", () => {
  it('a request line that is not HTTP → 400 problem+json', async () => {
    expectProblem(await raw('NOT A REQUEST\r\n\r\n'), 400, 'bad-request');
  });
  it('a header with a bare LF inside its value / an invalid header name → 400 problem+json', async () => {
    expectProblem(await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'), 400, 'bad-request');
  });
  it('headers larger than Node accepts → 431 problem+json', async () => {
    expectProblem(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers-too-large');
  });
  it('an Expect header other than 100-continue → 417 problem+json', async () => {
    expectProblem(await raw('POST /v1/admin/clients HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}'), 417, 'expectation-failed');
  });
  it('a good request on the same server is still answered normally', async () => {
    const r = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(200);
  });
});

describe('a delivery whose upload stalls, on a real socket', () => {
  it('is answered 408 request-timeout problem+json while the rest of its body is still owed, and the server closes the connection', async () => {
    gw.deps.config.uploadGraceSeconds = 0.3;
    try {
      // Headers announcing 100,000 bytes, then 20 of them, then silence: raw() resolves only once the server closes.
      const r = await raw(
        'POST /v1/deliveries HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: 100000\r\n\r\n' + 'eyJhbGciOiJSUzI1NiJ9',
      );
      expectProblem(r, 408, 'request-timeout');
      expect(r.headers.connection).toBe('close');
    } finally {
      delete gw.deps.config.uploadGraceSeconds;
    }
  });
});

describe('one address holds only its share of the deliveries in progress, on real sockets', () => {
  it('a second delivery from the peer at 127.0.0.2 is answered 429; one from 127.0.0.3 is let in', async () => {
    gw.deps.config.maxDeliveriesPerAddress = 1;
    gw.deps.config.uploadGraceSeconds = 0.5;
    const stalled = 'POST /v1/deliveries HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: 100000\r\n\r\neyJhbGciOiJSUzI1NiJ9';
    const tiny = 'POST /v1/deliveries HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx';
    try {
      // The peer's first delivery stalls (it holds its one place until its upload deadline).
      const first = raw(stalled, '127.0.0.2');
      await new Promise((r) => setTimeout(r, 100));
      const second = await raw(tiny, '127.0.0.2');
      expectProblem(second, 429, 'too-many-in-progress');
      expect(second.headers['retry-after']).toBe('2');
      expect(second.headers.connection).toBe('close');
      // Another peer is let in: its (bad) body is read and answered for what it is.
      expectProblem(await raw(tiny, '127.0.0.3'), 400, 'malformed-envelope');
      expectProblem(await first, 408, 'request-timeout');
      // Its place is free again once its delivery is answered.
      expectProblem(await raw(tiny, '127.0.0.2'), 400, 'malformed-envelope');
    } finally {
      delete gw.deps.config.maxDeliveriesPerAddress;
      delete gw.deps.config.uploadGraceSeconds;
    }
  });
});

describe('connections in all and per address, on real sockets', () => {
  /** Connect from `localAddress` and send `bytes`: the status of the answer, or 'closed' if the server closed it unanswered. */
  const attempt = (to: number, localAddress: string, bytes: string) =>
    new Promise<{ socket: ReturnType<typeof connect>; outcome: Promise<number | 'closed'> }>((resolve) => {
      const socket = connect({ port: to, host: '127.0.0.1', localAddress });
      const chunks: Buffer[] = [];
      const outcome = new Promise<number | 'closed'>((done) => {
        socket.on('data', (d) => {
          chunks.push(d);
          const m = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
          if (m) done(Number(m[1]));
        });
        socket.on('error', () => done('closed'));
        socket.on('close', () => done('closed'));
      });
      socket.on('connect', () => {
        socket.write(bytes);
        resolve({ socket, outcome });
      });
      socket.on('error', () => resolve({ socket, outcome }));
    });
  const HALF = 'GET /healthz HTTP/1.1\r\nHost: x\r\n'; // headers never finished: the connection stays open
  const WHOLE = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(ok()).toBe(true);
  };

  it('a peer past its share has its next connection answered 429 at once, another peer is answered; past the total, anyone is closed', async () => {
    const srv = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((r) => srv.once('listening', () => r()));
    const to = (srv.address() as AddressInfo).port;
    // As adapters/node/main.ts wires them: the answer past the share lingers.
    const lingering = lingerOnClose(srv);
    const held = boundConnections(srv, { total: 5, perAddress: 3 }, lingering);
    const open: ReturnType<typeof connect>[] = [];
    try {
      for (let i = 0; i < 3; i++) open.push((await attempt(to, '127.0.0.2', HALF)).socket);
      await until(() => held.open('127.0.0.2') === 3);
      expect(await (await attempt(to, '127.0.0.2', WHOLE)).outcome).toBe(429);
      // The answered connection lingers outside the share: the peer still holds three.
      expect(held.open('127.0.0.2')).toBe(3);
      expect(await (await attempt(to, '127.0.0.3', WHOLE)).outcome).toBe(200);
      // One of the peer's connections ends: its next one is answered.
      open.shift()!.destroy();
      await until(() => held.open('127.0.0.2') === 2);
      expect(await (await attempt(to, '127.0.0.2', WHOLE)).outcome).toBe(200);
      // Five held in all (two from 127.0.0.2, three from 127.0.0.4): a sixth, from a peer that holds none, is closed.
      for (let i = 0; i < 3; i++) open.push((await attempt(to, '127.0.0.4', HALF)).socket);
      await until(() => held.open('127.0.0.4') === 3);
      expect(await (await attempt(to, '127.0.0.5', WHOLE)).outcome).toBe('closed');
    } finally {
      lingering.stop();
      for (const s of open) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it(`past its share, an address is answered ${PAST_SHARE_ANSWERS_PER_SECOND} times a second at most; the rest are closed unanswered, and the next second it is answered again`, async () => {
    const srv = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((r) => srv.once('listening', () => r()));
    const to = (srv.address() as AddressInfo).port;
    const lingering = lingerOnClose(srv);
    let clock = Date.UTC(2026, 11, 4, 9, 0, 0, 100);
    const held = boundConnections(srv, { total: 100, perAddress: 1 }, lingering, { now: () => clock });
    const open: ReturnType<typeof connect>[] = [];
    try {
      open.push((await attempt(to, '127.0.0.2', HALF)).socket);
      await until(() => held.open('127.0.0.2') === 1);
      const outcomes: (number | 'closed')[] = [];
      for (let i = 0; i <= PAST_SHARE_ANSWERS_PER_SECOND; i++) outcomes.push(await (await attempt(to, '127.0.0.2', WHOLE)).outcome);
      expect(outcomes).toEqual([...Array<number>(PAST_SHARE_ANSWERS_PER_SECOND).fill(429), 'closed']);
      clock += 1000;
      expect(await (await attempt(to, '127.0.0.2', WHOLE)).outcome).toBe(429);
      // Another address is not held to 127.0.0.2's count.
      expect(await (await attempt(to, '127.0.0.3', WHOLE)).outcome).toBe(200);
    } finally {
      lingering.stop();
      for (const s of open) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it("the bound in all stays below the process's open-file limit, read from /proc/self/limits", () => {
    const limits = (soft: string) => () =>
      `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 524288               files\n`;
    expect(openFileLimit(limits('1024'))).toBe(1024);
    expect(openFileLimit(limits('unlimited'))).toBeNull();
    expect(openFileLimit(() => 'no such line')).toBeNull();
    expect(
      openFileLimit(() => {
        throw new Error('not Linux');
      }),
    ).toBeNull();
    // A service's usual soft limit of 1024 leaves 256 files free; a high limit or none keeps the default 10,000.
    expect(connectionBounds({ MAX_CONNECTIONS_PER_ADDRESS: 512 }, 1024)).toEqual({ total: 768, perAddress: 512 });
    expect(connectionBounds({ MAX_CONNECTIONS_PER_ADDRESS: 512 }, 1_048_576)).toEqual({ total: 10_000, perAddress: 512 });
    expect(connectionBounds({ MAX_CONNECTIONS_PER_ADDRESS: 512 }, null)).toEqual({ total: 10_000, perAddress: 512 });
    expect(connectionBounds({ MAX_CONNECTIONS: 100, MAX_CONNECTIONS_PER_ADDRESS: 512 }, 1024)).toEqual({ total: 100, perAddress: 100 });
    // On this machine (Linux), the limit is read.
    if (process.platform === 'linux') expect(openFileLimit()).toBeGreaterThan(0);
  });
});

describe('data files', () => {
  it('the data directory is 0700; the database, its -wal and -shm, the keys, the admin token and the secrets key are 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'fuyuan-perm-'));
    const dir = join(parent, 'data');
    try {
      secureDataDir(dir);
      const ctx = await nodeDeps(parseNodeConfig({ DATA_DIR: dir }), { log: silentLog });
      await ctx.client.execute('create table if not exists t (x)');
      await ctx.client.execute('insert into t values (1)');
      const mode = (p: string) => statSync(p).mode & 0o777;
      expect(mode(dir)).toBe(0o700);
      for (const f of ['fuyuan.db', 'fuyuan.db-wal', 'fuyuan.db-shm', 'gateway-keys.json', 'admin-token', 'secrets-key'])
        expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
      await ctx.close();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('an existing world-readable data directory and database are tightened at start', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'fuyuan-perm-'));
    const dir = join(parent, 'data');
    try {
      const first = await nodeDeps(parseNodeConfig({ DATA_DIR: dir }), { log: silentLog });
      await first.close();
      const { chmodSync } = await import('node:fs');
      chmodSync(dir, 0o755);
      chmodSync(join(dir, 'fuyuan.db'), 0o644);
      secureDataDir(dir);
      const again = await nodeDeps(parseNodeConfig({ DATA_DIR: dir }), { log: silentLog });
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'fuyuan.db')).mode & 0o777).toBe(0o600);
      await again.close();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
