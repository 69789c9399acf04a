/**
 * The lingering close (adapters/node/linger.ts) on a plain node:http server, in process: a refusal answered before
 * the body is read reaches a client that sends its whole body first, and what all lingering sockets drop is held to
 * a budget per second, without the pauses counting as the client's silence; and when too many linger, the peer
 * lingering most makes room.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { lingerOnClose, type Lingering } from '../adapters/node/linger.js';
import { boundConnections } from '../adapters/node/connections.js';
import { sendAllThenRead } from './helpers/raw-http.js';

let server: Server | undefined;
let lingering: Lingering | undefined;
/** When the server's side of each connection closed (ms since the epoch), in the order they closed. */
let closedAt: number[] = [];
/** The client's port of each connection the server closed, in the order they closed. */
let closedPorts: number[] = [];
let shares: { open(address: string): number } | undefined;
afterEach(async () => {
  lingering?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  lingering = undefined;
  closedAt = [];
  closedPorts = [];
  shares = undefined;
});

/** A refused request whose client holds on: headers and 64 KiB of a body announced as 1 MB, then nothing. Its status. */
async function refusedAndHeld(port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; status: number; closed: Promise<void> }> {
  // Half-open allowed, as Python's http.client: the server's FIN after its answer does not end the client's side.
  const socket = connect({ host: '127.0.0.1', port, localAddress, allowHalfOpen: true });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let got = '';
  const status = new Promise<number>((resolve) => {
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (got.includes('\r\n')) resolve(Number(got.slice(9, 12)));
    });
    void closed.then(() => resolve(0));
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`POST /v1/deliveries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/jose\r\nContent-Length: 1000000\r\n\r\n`);
  socket.write(Buffer.alloc(64 * 1024, 0x61));
  return { socket, status: await status, closed };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

/** A server that refuses every request on its headers (413, Connection: close), reading none of its body. */
async function refusingServer(opts: Parameters<typeof lingerOnClose>[1], bounds?: { total: number; perAddress: number }): Promise<number> {
  server = createServer((_req, res) => {
    res.writeHead(413, { 'content-type': 'application/problem+json', connection: 'close' });
    res.end(JSON.stringify({ type: 'urn:fuyuan:problem:payload-too-large', status: 413 }));
  });
  lingering = lingerOnClose(server, opts);
  if (bounds) shares = boundConnections(server, bounds, lingering);
  // This server's own: a socket of the test before may close after this one started.
  const closes: number[] = [];
  const ports: number[] = [];
  closedAt = closes;
  closedPorts = ports;
  server.on('connection', (socket: Socket) => {
    const port = socket.remotePort!;
    socket.once('close', () => {
      closes.push(Date.now());
      ports.push(port);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * As Python's http.client does: the whole body first, then the answer (test/helpers/raw-http.ts), the client ending
 * its side once all is sent; then, as its bytes may still be on their way when it sees the server's FIN, until the
 * server has closed `closedWanted` connections. Its status, and the error it met if any.
 */
async function sendAllThenClose(port: number, bodyBytes: number, closedWanted = 1): Promise<{ status: number; error?: string }> {
  const head = `POST /v1/deliveries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/jose\r\nContent-Length: ${bodyBytes}\r\n\r\n`;
  const r = await sendAllThenRead(`http://127.0.0.1:${port}`, head, bodyBytes, { end: true });
  while (closedAt.length < closedWanted) await new Promise((resolve) => setTimeout(resolve, 10));
  return 'status' in r ? (r.error ? { status: r.status, error: r.error } : { status: r.status }) : { status: 0, error: r.error };
}

describe('the lingering close', () => {
  it('reads and drops the rest of a refused body, so the client that sends it all first reads its 413', async () => {
    const port = await refusingServer({});
    const r = await sendAllThenClose(port, 16 * 1024 * 1024);
    expect(r).toEqual({ status: 413 });
  });

  it('holds what it drops to its budget per second; a socket paused by the budget is not closed as quiet', async () => {
    // 1 MiB/s, and a quiet timeout shorter than the pauses the budget makes (a tick is 50 ms, and a socket that read a
    // whole 64 KiB chunk waits for more than one): were a pause counted as silence, the socket would be closed with
    // the client's bytes unread, and the client reset.
    const port = await refusingServer({ bytesPerSecond: 1024 * 1024, quietMs: 30 });
    const started = Date.now();
    const r = await sendAllThenClose(port, 3 * 1024 * 1024);
    // No reset: the server read it all before it closed, though it stopped reading for longer than 150 ms many times.
    expect(r).toEqual({ status: 413 });
    // Dropped as fast as it came, 3 MiB take milliseconds on loopback; at 1 MiB/s about three seconds.
    expect(closedAt[0]! - started).toBeGreaterThanOrEqual(2000);
  }, 20_000);

  it("a lingering socket leaves its address's share of connections: the peer's next request is answered, not closed", async () => {
    const port = await refusingServer({ quietMs: 10_000 }, { total: 10, perAddress: 1 });
    const first = await refusedAndHeld(port, '127.0.0.2');
    expect(first.status).toBe(413);
    // Its connection lingers (the client holds it open), and no longer counts in 127.0.0.2's share of one.
    await until(() => shares!.open('127.0.0.2') === 0);
    const second = await refusedAndHeld(port, '127.0.0.2');
    expect(second.status).toBe(413);
    first.socket.destroy();
    second.socket.destroy();
  });

  it("a connection past its address's share is answered 429 with Retry-After before anything is read, and a client that sends its whole body first reads it", async () => {
    const port = await refusingServer({}, { total: 10, perAddress: 1 });
    // 127.0.0.1's share of one, held by a request whose headers never end.
    const holder = connect({ host: '127.0.0.1', port });
    holder.on('error', () => undefined);
    holder.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await until(() => shares!.open('127.0.0.1') === 1);
    const bytes = 4 * 1024 * 1024;
    const head = `POST /v1/deliveries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/jose\r\nContent-Length: ${bytes}\r\n\r\n`;
    const r = await sendAllThenRead(`http://127.0.0.1:${port}`, head, bytes, { end: true });
    // No reset (no `error`): the answer was read after all 4 MiB were sent.
    expect(r).not.toHaveProperty('error');
    const answer = r as { status: number; head: string; body: string };
    expect(answer.status).toBe(429);
    expect(answer.head).toMatch(/^retry-after: 2$/im);
    expect(answer.head).toMatch(/^content-type: application\/problem\+json$/im);
    expect(answer.head).toMatch(/^connection: close$/im);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'urn:fuyuan:problem:too-many-in-progress', status: 429, retryAfterSeconds: 2 });
    // Once the holder is gone, the address is answered as before.
    holder.destroy();
    await until(() => shares!.open('127.0.0.1') === 0);
    expect(await sendAllThenRead(`http://127.0.0.1:${port}`, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 0)).toMatchObject({ status: 413 });
  });

  it('at most maxSockets linger at once: the one lingering longest makes room', async () => {
    const port = await refusingServer({ quietMs: 10_000, maxSockets: 1 });
    const first = await refusedAndHeld(port);
    expect(first.status).toBe(413);
    const second = await refusedAndHeld(port);
    expect(second.status).toBe(413);
    // The server closed the first to let the second linger; the second lingers on (its client still holds it).
    await until(() => closedAt.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(closedAt).toHaveLength(1);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('when full, the peer lingering most makes room with its own socket, not a court refused once', async () => {
    const port = await refusingServer({ quietMs: 10_000, maxSockets: 3 });
    // A court refused once (127.0.0.3), lingering longest; then a flooder's refused bodies (127.0.0.2).
    const court = await refusedAndHeld(port, '127.0.0.3');
    const flood = [await refusedAndHeld(port, '127.0.0.2'), await refusedAndHeld(port, '127.0.0.2')];
    expect([court.status, ...flood.map((f) => f.status)]).toEqual([413, 413, 413]);
    expect(closedPorts).toEqual([]);
    // Full: the flooder's next refusal closes the flooder's own longest-lingering socket; the court's lingers on.
    flood.push(await refusedAndHeld(port, '127.0.0.2'));
    expect(flood[2]!.status).toBe(413);
    await until(() => closedPorts.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(closedPorts).toEqual([flood[0]!.socket.localPort]);
    for (const s of [court, ...flood]) s.socket.destroy();
  });

  it('shares the budget among every lingering socket', async () => {
    const port = await refusingServer({ bytesPerSecond: 2 * 1024 * 1024, quietMs: 150 });
    const started = Date.now();
    // Two clients of 2 MiB each: 4 MiB at 2 MiB/s together, whatever each one's share.
    const both = await Promise.all([sendAllThenClose(port, 2 * 1024 * 1024, 2), sendAllThenClose(port, 2 * 1024 * 1024, 2)]);
    expect(both).toEqual([{ status: 413 }, { status: 413 }]);
    expect(Math.max(...closedAt) - started).toBeGreaterThanOrEqual(1500);
  }, 20_000);
});
