/**
 * The write path under faults and overload (issue 20), in process against a real libSQL file:
 * - a full disk (SQLite's own SQLITE_FULL, made real with PRAGMA max_page_count), a lock held past the bounded
 *   wait: a 507/503 problem with a stable type and Retry-After, nothing stored, /readyz not ready until the
 *   Retry-After has passed, then ready again by itself;
 * - admission: past the bound on deliveries in flight, 503 overloaded with Retry-After before the body is read, and
 *   429 past one address's share; every other request's body held against a budget of its own the same way; an
 *   upload that stalls is answered 408 request-timeout at its deadline and frees its slot, one that keeps up the
 *   minimum rate is received however long it takes;
 * - outbox leases of a process that is gone are reclaimed; a court whose callback hangs delays only itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createClient } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { adminHeaders, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { createDeps } from '../src/create-deps.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { RawStmt } from '../src/lib/raw-insert.js';
import { outbox } from '../schemas/db/index.js';
import { reclaimLeases } from '../src/jobs/outbox.js';
import { deliverCourtCallbacks } from '../src/jobs/court-callbacks.js';
import { nodeHolderIsGone } from '../adapters/node/processes.js';
import { openLibsql } from '../adapters/db/libsql-node.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let n = 0;

beforeEach(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court ??= await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterEach(() => gw.close());

async function delivery(): Promise<Request> {
  n++;
  const m = demoManifest({
    messageId: `wp-${n}`,
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    caseNumber: `(2026)浙0825行初${700 + n}号`,
    regionCode: '330802',
  });
  return joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer));
}

const problem = async (res: Response) => ({
  status: res.status,
  type: res.headers.get('content-type'),
  retryAfter: res.headers.get('retry-after'),
  body: (await res.json()) as { type: string; detail: string },
});

describe('storage faults are said as such', () => {
  it('a full disk: 507 storage-full with Retry-After, nothing stored, /readyz not ready, then ready again by itself', async () => {
    expect((await gw.app.request(await delivery())).status).toBe(201);
    const before = await gw.counts();
    // The database may not grow by one more page: SQLite itself answers SQLITE_FULL ("database or disk is full").
    await gw.deps.db.batch([new RawStmt('PRAGMA max_page_count = 1', [])]);
    const p = await problem(await gw.app.request(await delivery()));
    expect(p).toMatchObject({ status: 507, type: 'application/problem+json', retryAfter: '300', body: { type: 'urn:fuyuan:problem:storage-full' } });
    expect(p.body.detail).toMatch(/nothing of this request was stored/);
    expect(await gw.counts()).toEqual(before);
    const ready = await gw.app.request('http://gw/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready', database: 'ok', writes: 'storage-full' });
    expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);
    // Space again (the operator freed it), and the Retry-After has passed: ready, and the court's resend is accepted.
    await gw.deps.db.batch([new RawStmt('PRAGMA max_page_count = 1073741823', [])]);
    gw.clock.advance(301_000);
    expect((await gw.app.request('http://gw/readyz')).status).toBe(200);
    expect((await gw.app.request(await delivery())).status).toBe(201);
  });

  it('a write lock held by another process past the bounded wait: 503 database-busy with Retry-After, never 500', async () => {
    // A gateway whose writes wait 100 ms for a lock.
    const { client, db } = await openLibsql(gw.url, undefined, 100);
    const deps = createDeps({ ...gw.deps, db });
    const { createApp } = await import('../src/app.js');
    const app = createApp(deps);
    const other = createClient({ url: gw.url });
    try {
      const tx = await other.transaction('write');
      await tx.execute('UPDATE outbox SET attempts = attempts WHERE 0');
      const p = await problem(await app.request(await delivery()));
      expect(p).toMatchObject({ status: 503, type: 'application/problem+json', retryAfter: '5', body: { type: 'urn:fuyuan:problem:database-busy' } });
      await tx.rollback();
      gw.clock.advance(6_000);
      expect((await app.request(await delivery())).status).toBe(201);
    } finally {
      other.close();
      client.close();
    }
  });
});

describe('admission control', () => {
  /** The peer's address as @hono/node-server passes it (env.incoming is the IncomingMessage). */
  const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } }) as never;
  /** A delivery whose body waits for `release` (with `headers` besides its Content-Type). */
  const held = async (headers: Record<string, string> = {}) => {
    const bytes = new Uint8Array(await (await delivery()).arrayBuffer());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        await gate;
        ctrl.enqueue(bytes);
        ctrl.close();
      },
    });
    const req = new Request('http://gw/v1/deliveries', {
      method: 'POST',
      headers: { 'content-type': 'application/jose', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);
    return { release, req };
  };
  /** Deliveries whose bodies are pulled only when someone reads them: `read()` says whether anyone did. */
  const unreadable = () => {
    let read = false;
    const req = () =>
      new Request('http://gw/v1/deliveries', {
        method: 'POST',
        headers: { 'content-type': 'application/jose' },
        body: new ReadableStream<Uint8Array>({ pull: () => void (read = true) }, { highWaterMark: 0 }),
        duplex: 'half',
      } as RequestInit);
    return { req, read: () => read };
  };

  it('past the bound on deliveries in flight: 503 overloaded with Retry-After, decided before the body is read', async () => {
    gw.deps.config.maxDeliveriesInFlight = 2;
    // Two deliveries whose bodies arrive slowly (a court on a slow line): both are in flight.
    const slow = [await held(), await held()];
    const inFlight = slow.map((h) => gw.app.request(h.req));
    await new Promise((r) => setTimeout(r, 20));
    // A third, whose body must never be read.
    const third = unreadable();
    const p = await problem(await gw.app.request(third.req()));
    expect(p).toMatchObject({ status: 503, type: 'application/problem+json', retryAfter: '2', body: { type: 'urn:fuyuan:problem:overloaded' } });
    expect(third.read()).toBe(false);
    for (const h of slow) h.release();
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([201, 201]);
    // Room again.
    expect((await gw.app.request(await delivery())).status).toBe(201);
  });

  it('one address holds only its share: past it 429 too-many-in-progress before the body is read; others still get in', async () => {
    gw.deps.config.maxDeliveriesInFlight = 5;
    gw.deps.config.maxDeliveriesPerAddress = 2;
    const send = (req: Request, address: string) => gw.app.request(req, undefined, from(address));
    const unread = unreadable();
    // One peer (an IPv4 address, seen once as itself and once IPv4-mapped) takes its two.
    const mine = [await held(), await held()];
    const inFlight = [send(mine[0]!.req, '203.0.113.7'), send(mine[1]!.req, '::ffff:203.0.113.7')];
    await new Promise((r) => setTimeout(r, 20));
    const p = await problem(await send(unread.req(), '203.0.113.7'));
    expect(p).toMatchObject({ status: 429, type: 'application/problem+json', retryAfter: '2', body: { type: 'urn:fuyuan:problem:too-many-in-progress' } });
    expect(p.body.detail).toContain('nothing of this one was read or stored');
    expect(p.body.detail).not.toContain('203.0.113.7');
    expect(unread.read()).toBe(false);
    // Another court, from its own address, is received meanwhile: the gateway still has room.
    expect((await send(await delivery(), '198.51.100.20')).status).toBe(201);
    // An IPv6 peer counts by its /64: two addresses of one block hold that block's two.
    const v6 = [await held(), await held()];
    const v6InFlight = [send(v6[0]!.req, '2001:db8:0:1::a'), send(v6[1]!.req, '2001:0db8:0000:0001:0000:0000:0000:000b')];
    await new Promise((r) => setTimeout(r, 20));
    expect((await send(unread.req(), '2001:db8:0:1:ffff::c')).status).toBe(429);
    // A fifth from a third peer fills the gateway itself: now anyone is told it is overloaded, with 503.
    const fifth = await held();
    const last = send(fifth.req, '198.51.100.30');
    await new Promise((r) => setTimeout(r, 20));
    expect((await problem(await send(unread.req(), '198.51.100.20'))).body.type).toBe('urn:fuyuan:problem:overloaded');
    expect(unread.read()).toBe(false);
    for (const h of [...mine, ...v6, fifth]) h.release();
    expect((await Promise.all([...inFlight, ...v6InFlight, last])).map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    // The share is free again once its deliveries are answered.
    expect((await send(await delivery(), '203.0.113.7')).status).toBe(201);
  });

  it("one address's share of the bytes: a body it announces past its share is refused, another address's is not", async () => {
    gw.deps.config.maxBufferedBytesPerAddress = 1024 * 1024;
    // A body announced as all but 576 bytes of the share, arriving late: it holds them until it is answered.
    const { req: big, release } = await held({ 'content-length': String(1024 * 1024 - 576) });
    const pending = gw.app.request(big, undefined, from('203.0.113.7'));
    await new Promise((r) => setTimeout(r, 20));
    // Any delivery is longer than 576 bytes: from the same address it is refused, from another it is received.
    const next = await delivery();
    expect(Number(next.headers.get('content-length') ?? (await next.clone().arrayBuffer()).byteLength)).toBeGreaterThan(576);
    const refused = await problem(await gw.app.request(next, undefined, from('203.0.113.7')));
    expect(refused).toMatchObject({ status: 429, retryAfter: '2', body: { type: 'urn:fuyuan:problem:too-many-in-progress' } });
    expect((await gw.app.request(await delivery(), undefined, from('198.51.100.20'))).status).toBe(201);
    release();
    await pending;
    // Its bytes are returned once it is answered.
    expect((await gw.app.request(await delivery(), undefined, from('203.0.113.7'))).status).toBe(201);
  });

  it('every other request with a body holds its announced bytes: past the budget 503, past an address share 429, deliveries apart', async () => {
    gw.deps.config.maxRequestBodiesBytes = 300_000;
    gw.deps.config.maxRequestBodiesBytesPerAddress = 200_000;
    /** A token request announcing `size` bytes; its body waits for `gate` when one is given, or is never read when `unread`. */
    const tokenRequest = (size: number, opts: { gate?: Promise<void>; onRead?: () => void } = {}) => {
      const bytes = new TextEncoder().encode(`grant_type=client_credentials&client_id=nobody&pad=${'x'.repeat(size)}`).subarray(0, size);
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(ctrl) {
            opts.onRead?.();
            if (opts.gate) await opts.gate;
            ctrl.enqueue(bytes);
            ctrl.close();
          },
        },
        { highWaterMark: 0 },
      );
      return new Request('http://gw/v1/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(size) },
        body,
        duplex: 'half',
      } as RequestInit);
    };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // A peer's 150,000-byte body arrives late: it holds 150,000 of its address's 200,000 and of the 300,000 in all.
    const pending = gw.app.request(tokenRequest(150_000, { gate }), undefined, from('203.0.113.7'));
    await new Promise((r) => setTimeout(r, 20));
    let read = false;
    const onRead = () => (read = true);
    // 100,000 more from that peer: past its share, 429, unread.
    const mine = await problem(await gw.app.request(tokenRequest(100_000, { onRead }), undefined, from('203.0.113.7')));
    expect(mine).toMatchObject({ status: 429, retryAfter: '2', body: { type: 'urn:fuyuan:problem:too-many-in-progress' } });
    // 200,000 from another peer: past the 300,000 in all, 503 overloaded, unread.
    const full = await problem(await gw.app.request(tokenRequest(200_000, { onRead }), undefined, from('198.51.100.20')));
    expect(full).toMatchObject({ status: 503, retryAfter: '2', body: { type: 'urn:fuyuan:problem:overloaded' } });
    expect(read).toBe(false);
    // 100,000 from that other peer fits: it is read and answered for what it is (an unknown client).
    expect((await gw.app.request(tokenRequest(100_000), undefined, from('198.51.100.20'))).status).toBe(401);
    // Deliveries are held against their own bounds, not these.
    expect((await gw.app.request(await delivery(), undefined, from('203.0.113.7'))).status).toBe(201);
    release();
    expect((await pending).status).toBe(401);
    // Its bytes are given back once it is answered.
    expect((await gw.app.request(tokenRequest(150_000), undefined, from('203.0.113.7'))).status).toBe(401);
  });

  /** A POST of these bytes whose body arrives as `chunks` says: each chunk is [bytes, ms to wait before it]. */
  const streamed = (bytes: Uint8Array, chunks: [number, number][], contentType = 'application/jose') => {
    let at = 0;
    const plan = chunks.map(([size, wait]) => {
      const part = bytes.subarray(at, at + size);
      at += size;
      return [part, wait] as const;
    });
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const step = plan[i++];
        if (!step) return ctrl.close();
        await new Promise((r) => setTimeout(r, step[1]));
        // A stalled court: after its last chunk nothing more comes, and the stream never ends.
        if (step[0].length === 0) return new Promise<void>(() => undefined);
        ctrl.enqueue(step[0]);
        if (i === plan.length && at >= bytes.length) ctrl.close();
      },
    });
    return new Request('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': contentType }, body, duplex: 'half' } as RequestInit);
  };
  const deliveries = async () => Number((await gw.client.execute('select count(*) as n from deliveries')).rows[0]!.n);

  it('an upload that stalls: 408 request-timeout once its deadline passes, nothing stored, and its slot is free again', async () => {
    gw.deps.config.maxDeliveriesInFlight = 1;
    gw.deps.config.uploadGraceSeconds = 0.3;
    gw.deps.config.uploadMinBytesPerSecond = 1_000_000;
    // A multipart delivery (the parser makes its own error of a cut body): 100 bytes, then nothing, the court's line
    // gone quiet with the rest unsent.
    const jws = await (await delivery()).text();
    const bytes = new TextEncoder().encode(`--b0\r\ncontent-disposition: form-data; name="envelope"\r\ncontent-type: application/jose\r\n\r\n${jws}`);
    const before = await deliveries();
    const stalled = gw.app.request(
      streamed(
        bytes,
        [
          [100, 0],
          [0, 0],
        ],
        'multipart/form-data; boundary=b0',
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    // Meanwhile its slot is taken: another delivery is refused before its body is read.
    expect((await gw.app.request(await delivery())).status).toBe(503);
    const res = await stalled;
    expect(res.headers.get('connection')).toBe('close');
    const p = await problem(res);
    expect(p).toMatchObject({ status: 408, type: 'application/problem+json', body: { type: 'urn:fuyuan:problem:request-timeout' } });
    expect(p.body.detail).toContain('nothing of it was stored');
    expect(await deliveries()).toBe(before);
    // /metrics counts it as what it was, not as the malformed envelope its cut body made.
    const metrics = await (await gw.app.request('/metrics', { headers: adminHeaders() })).text();
    expect(metrics).toMatch(/^fuyuan_deliveries_total\{outcome="refused",problem="request-timeout"\} 1$/m);
    expect(metrics).not.toMatch(/problem="malformed-envelope"/);
    // The slot is free again: the next delivery is received.
    expect((await gw.app.request(await delivery())).status).toBe(201);
  });

  it('any body that stalls, not only a delivery: a token request is answered 408 request-timeout too', async () => {
    gw.deps.config.uploadGraceSeconds = 0.3;
    const body = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(new TextEncoder().encode('grant_type=client_credentials&client_id='));
      },
      pull: () => new Promise<void>(() => undefined), // and then nothing
    });
    const res = await gw.app.request(
      new Request('http://gw/v1/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.headers.get('connection')).toBe('close');
    expect(await problem(res)).toMatchObject({ status: 408, type: 'application/problem+json', body: { type: 'urn:fuyuan:problem:request-timeout' } });
  });

  it('a slow upload that keeps up the minimum rate is received, even well past the grace period', async () => {
    gw.deps.config.uploadGraceSeconds = 0.2;
    gw.deps.config.uploadMinBytesPerSecond = 2000;
    const bytes = new Uint8Array(await (await delivery()).arrayBuffer());
    // A fifth of the body every 250 ms (a second in all, five times the grace): each fifth buys more than 250 ms, so
    // the deadline stays ahead of the next chunk by at least the grace.
    const fifth = Math.ceil(bytes.length / 5);
    expect(fifth / 2000).toBeGreaterThan(0.25);
    const res = await gw.app.request(
      streamed(
        bytes,
        Array.from({ length: 5 }, (_, i) => [fifth, i === 0 ? 0 : 250] as [number, number]),
      ),
    );
    expect(res.status).toBe(201);
  });
});

describe('outbox leases and court callbacks', () => {
  const evidenceRow = (id: string, destination: string, at: Date, lease?: { holder: string; until: Date }) => ({
    id,
    kind: 'court_callback',
    destination,
    payloadJson: JSON.stringify({ evidenceId: id, type: 'receipt', jws: 'x.y.z' }),
    idempotencyKey: `evidence:${id}`,
    status: 'pending' as const,
    attempts: 0,
    nextAttemptAt: at,
    createdAt: at,
    ...(lease ? { leaseUntil: lease.until, leaseHolder: lease.holder } : {}),
  });

  it('the lease of a process that is gone is reclaimed at once; a live holder keeps its own', async () => {
    // A pid that ran and is gone.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const until = new Date(T0.getTime() + 5 * 60_000);
    await gw.deps.db.orm
      .insert(outbox)
      .values([
        evidenceRow('ev-dead', 'court-longyou', T0, { holder: `node:${hostname()}:${dead}`, until }),
        evidenceRow('ev-live', 'court-other', T0, { holder: `node:${hostname()}:${process.ppid}`, until }),
        evidenceRow('ev-elsewhere', 'court-far', T0, { holder: 'node:another-host:1', until }),
      ]);
    expect(await reclaimLeases(gw.deps, T0, nodeHolderIsGone)).toBe(1);
    const rows = Object.fromEntries((await gw.deps.db.orm.select().from(outbox)).map((r) => [r.id, r.leaseHolder]));
    expect(rows).toEqual({ 'ev-dead': null, 'ev-live': `node:${hostname()}:${process.ppid}`, 'ev-elsewhere': 'node:another-host:1' });
  });

  it('a court whose callback hangs delays only itself: another court gets its evidence while that request is still open', async () => {
    let hangingOpen = false;
    let deliveredWhileHanging: boolean | undefined;
    const hanging: Server = createServer(() => {
      hangingOpen = true; // never answers
    });
    const fine: Server = createServer((req, res) => {
      deliveredWhileHanging = hangingOpen;
      req.resume();
      res.writeHead(204).end();
    });
    await Promise.all([hanging, fine].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
    const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/evidence`;
    try {
      await registerSender(gw.deps, { code: 'court-a-hangs', type: 'court', name: '甲法院', caPem: court.ca.certPem, callbackUrl: url(hanging) });
      await registerSender(gw.deps, { code: 'court-b-fine', type: 'court', name: '乙法院', caPem: court.ca.certPem, callbackUrl: url(fine) });
      // The hanging court's evidence is older, so a one-at-a-time sender would try it first and wait.
      await gw.deps.db.orm
        .insert(outbox)
        .values([evidenceRow('ev-a', 'court-a-hangs', new Date(T0.getTime() - 1000)), evidenceRow('ev-b', 'court-b-fine', T0)]);
      const report = await deliverCourtCallbacks(gw.deps, T0, { timeoutMs: 3000 });
      expect(report).toEqual({ sent: 1, retried: 1, dead: 0 });
      expect(deliveredWhileHanging).toBe(true);
      const status = Object.fromEntries((await gw.deps.db.orm.select().from(outbox)).map((r) => [r.id, [r.status, r.leaseHolder]]));
      expect(status).toEqual({ 'ev-a': ['pending', null], 'ev-b': ['sent', null] });
      const [a] = await gw.deps.db.orm.select().from(outbox).where(eq(outbox.id, 'ev-a'));
      expect(a!.lastError).toMatch(/unreachable/);
    } finally {
      hanging.closeAllConnections();
      await Promise.all([hanging, fine].map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  });
});
