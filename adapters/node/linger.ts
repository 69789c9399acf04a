/**
 * A lingering close (issue 20: a refusal must reach the court that caused it). The gateway refuses some requests
 * before it reads their body: 503 `overloaded` or 429 past admission, 413 past the body limit, 408 past the upload
 * deadline. It answers them with `Connection: close`, and Node then closes the socket as soon as the answer is
 * written. The rest of the body is still arriving, and Linux answers a close with unread data by a reset (RFC 1122
 * §4.2.2.13, counted as TcpExtTCPAbortOnClose): a client that sends its whole body before it reads the answer
 * (Python's http.client, Java's HttpURLConnection in streaming mode) gets "broken pipe" or "connection reset" and
 * never sees the problem+json nor its Retry-After. Measured: Python posting 200 MB to /v1/deliveries got
 * BrokenPipeError, not the 413.
 *
 * So, as Apache and nginx do (nginx's lingering_close): once the answer is written, the gateway half-closes (FIN:
 * the answer is complete), then reads and discards what the client still sends, without parsing or buffering it,
 * until the client closes its side, stays silent for `quietMs`, or `maxMs` have passed since the answer, whichever
 * comes first; then the socket is closed. Afterwards, Python read the 413 of its 200 and 400 MB posts, which the
 * gateway discarded in about 0.2 s each on loopback. A lingering socket holds no request, no admission slot and no
 * buffer. What all lingering sockets together read and drop is held to LINGER_BYTES_PER_SECOND (past it they are
 * paused, and a pause is not the client's silence), so a flood of refused bodies cannot take the event loop from a
 * court's new connection; at most LINGER_MAX_SOCKETS linger at once (the peer lingering most makes room), and they leave
 * their address's share of connections (adapters/node/connections.ts), so a refused peer can still be answered. At
 * shutdown the lingering stops (`stop()`): a refused client does not hold the process, and what it had not sent by
 * then is reset, as before.
 *
 * Below Hono: Node's HTTP server ends a connection that must close with `socket.destroySoon()`, the one hook there
 * is; the parser is then taken off the socket as Node's server does for an upgrade (`parser.unconsume()`), and the
 * socket's own reading is started again (the server stopped it while the request was paused). Node ≥ 20; the test
 * in test/gateway-process.test.ts ("a refusal reaches a client that sends its whole body first") fails if a Node
 * version changes this.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from '../../src/http/admission.js';

/** nginx's defaults: lingering_time 30 s, lingering_timeout 5 s. */
export const LINGER_MAX_MS = 30_000;
export const LINGER_QUIET_MS = 5_000;
/**
 * What all lingering sockets together may read and drop per second; past it they are paused (their bytes wait in the
 * kernel, which then stops the senders) until the next tick. Measured with `npm run bench -- flood` (held bodies:
 * two peers, 1,000 token requests announcing 1 MB each, about 930 of them refused and lingered): dropping ~930 MB as
 * fast as it came kept the gateway from accepting a court's new connection for 0.9–1.2 s (the connection waited in
 * the kernel's accept queue; lingering for 1 ms instead, 0.46–0.65 s). With this budget: 0.82–1.2 s in two runs
 * (the rest is the burst itself, on the same two cores), and 3,000 refused token requests with 256 KiB of body each
 * cost 0.55–0.78 ms of CPU apiece instead of 1.1. A court refused with a 50 MB delivery is still read to its end in
 * under half a second when it is the only one.
 */
export const LINGER_BYTES_PER_SECOND = 128 * 1024 * 1024;
/**
 * At most this many sockets linger at once; past it, one is closed (its client may then be reset, as without a linger)
 * to make room: the one lingering longest of the source address (an IPv6 peer by its /64, as admission counts it)
 * that has the most sockets lingering, so a peer flooding refused bodies makes room with its own sockets, and a court
 * refused now and then keeps its answer. Lingering sockets do not count in their address's share of connections
 * (adapters/node/connections.ts): with the budget above, a peer refused faster than its bodies can be dropped would
 * otherwise fill its share with sockets waiting their turn, and its next connections would be closed unanswered.
 */
export const LINGER_MAX_SOCKETS = 1024;
/** Emitted on a socket as it starts to linger. */
export const LINGERING = 'fuyuan:lingering';
/** How often the budget is refilled (a tick's share of LINGER_BYTES_PER_SECOND). */
const LINGER_TICK_MS = 50;

/** What of Node's internals the linger touches (net.Socket and its HTTP parser). */
interface NodeSocket extends Socket {
  parser?: { _consumed?: boolean; unconsume?: () => void } | null;
  _handle?: { reading?: boolean; readStart?: () => number } | null;
}

export interface Lingering {
  /**
   * Linger on a socket whose answer was written outside any request: a connection refused as it was accepted
   * (adapters/node/connections.ts), whose client may still be sending the request it opened it for. Where maxSockets
   * linger already, it is closed instead (its client may then be reset before it reads the answer).
   */
  adopt(socket: Socket): void;
  /** Close every lingering socket now, and linger no more (shutdown). */
  stop(): void;
}

export function lingerOnClose(server: Server, opts: { maxMs?: number; quietMs?: number; bytesPerSecond?: number; maxSockets?: number } = {}): Lingering {
  const maxMs = opts.maxMs ?? LINGER_MAX_MS;
  const quietMs = opts.quietMs ?? LINGER_QUIET_MS;
  const maxSockets = opts.maxSockets ?? LINGER_MAX_SOCKETS;
  /**
   * Every lingering socket, longest lingering first (a Map keeps insertion order), how the budget pauses it and its
   * source address (admission's key for it).
   */
  const lingering = new Map<NodeSocket, { reader: Reader; address: string }>();
  /** How many sockets of each source address linger. */
  const byAddress = new Map<string, number>();
  const forget = (socket: NodeSocket) => {
    const held = lingering.get(socket);
    if (!held) return;
    lingering.delete(socket);
    const left = (byAddress.get(held.address) ?? 1) - 1;
    if (left > 0) byAddress.set(held.address, left);
    else byAddress.delete(held.address);
  };
  /** Room for one more: the longest-lingering socket of the address lingering most goes (of two alike, the older). */
  const makeRoom = () => {
    let most = 0;
    for (const n of byAddress.values()) most = Math.max(most, n);
    // `lingering` holds the sockets longest lingering first.
    for (const [socket, { address }] of lingering) {
      if (byAddress.get(address) !== most) continue;
      forget(socket);
      socket.destroy();
      return;
    }
  };
  const budget = readBudget(opts.bytesPerSecond ?? LINGER_BYTES_PER_SECOND, function* () {
    for (const l of lingering.values()) yield l.reader;
  });
  let stopped = false;
  const current = new WeakMap<Socket, IncomingMessage>();
  server.on('request', (req: IncomingMessage) => current.set(req.socket, req));
  /** Linger on `socket`, its answer written: from now on the linger decides when it closes. */
  const begin = (socket: NodeSocket) => {
    if (lingering.size >= maxSockets) makeRoom();
    socket.once('close', () => forget(socket));
    socket.emit(LINGERING);
    const address = addressKey(socket.remoteAddress ?? 'unknown');
    lingering.set(socket, { reader: linger(socket, maxMs, quietMs, budget), address });
    byAddress.set(address, (byAddress.get(address) ?? 0) + 1);
  };
  server.on('connection', (socket: NodeSocket) => {
    const destroySoon = socket.destroySoon.bind(socket);
    socket.destroySoon = () => {
      // Once lingering, the linger decides when the socket closes (@hono/node-server asks again once it has read
      // what it may of an unread body).
      if (lingering.has(socket)) return;
      const req = current.get(socket);
      if (stopped || !req || req.complete || socket.destroyed) return destroySoon();
      begin(socket);
    };
  });
  return {
    adopt(socket: NodeSocket) {
      if (lingering.has(socket) || socket.destroyed) return;
      // Shutting down, or as many lingering as may: closed now (its request would otherwise be parsed and run). Such
      // a socket makes no room: the sockets lingering after a refused request (a 413, a 429 on its headers) keep
      // theirs, and connections.ts answers only a few connections of an address a second anyway.
      if (stopped || lingering.size >= maxSockets) socket.destroy();
      else begin(socket);
    },
    stop() {
      stopped = true;
      budget.stop();
      for (const s of lingering.keys()) s.destroy();
    },
  };
}

/** A lingering socket as the budget sees it: stop reading while the budget is spent, and read again. */
interface Reader {
  pause(): void;
  resume(): void;
}

/** What a socket reads at once (libuv's 64 KiB): a resumed socket drops at least this much before it can pause. */
const READ_CHUNK = 64 * 1024;

/**
 * The bytes all lingering sockets may drop per LINGER_TICK_MS. A socket that reads past what is left pauses every
 * lingering socket; each tick adds a tick's share (what was read past it is paid back first; at most one tick's share
 * is kept, so a quiet spell does not save up a burst) and resumes as many of the paused sockets as it has chunks for
 * (at least one), first paused first, so a thousand lingering sockets do not each read a chunk every tick. The tick
 * runs only while some socket waits.
 */
function readBudget(bytesPerSecond: number, readers: () => Iterable<Reader>) {
  const perTick = Math.max(1, Math.floor((bytesPerSecond * LINGER_TICK_MS) / 1000));
  let left = perTick;
  /** In the order they were paused (a Set keeps insertion order). */
  const paused = new Set<Reader>();
  let tick: ReturnType<typeof setInterval> | undefined;
  const refill = () => {
    // What was read past the budget (a resumed socket reads whole chunks) is paid back from this tick's share.
    left = Math.min(perTick, left + perTick);
    if (left <= 0) return;
    const next = [...paused].slice(0, Math.max(1, Math.floor(left / READ_CHUNK)));
    for (const r of next) paused.delete(r);
    for (const r of next) r.resume();
    if (paused.size === 0) {
      clearInterval(tick);
      tick = undefined;
    }
  };
  return {
    /** `r` is gone: nothing to resume. */
    leave(r: Reader) {
      paused.delete(r);
    },
    /** A reader dropped `bytes`: past the budget, every reader pauses until the next tick. */
    spend(bytes: number) {
      left -= bytes;
      if (left > 0) return;
      for (const x of readers()) {
        if (paused.has(x)) continue;
        paused.add(x);
        x.pause();
      }
      tick ??= setInterval(refill, LINGER_TICK_MS);
      tick.unref?.();
    },
    stop() {
      clearInterval(tick);
      tick = undefined;
      paused.clear();
    },
  };
}

/** Linger on `socket` until it is done; how the budget pauses and resumes it. */
function linger(socket: NodeSocket, maxMs: number, quietMs: number, budget: ReturnType<typeof readBudget>): Reader {
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const done = () => socket.destroy();
  const all = setTimeout(done, maxMs);
  const listen = () => {
    clearTimeout(quiet);
    quiet = setTimeout(done, quietMs);
  };
  const reader: Reader = {
    // Paused by the budget, the socket is silent by our doing: its quiet timeout waits until it reads again. Paused
    // as a stream, Node stops reading the socket once one more chunk is buffered (and starts again on resume).
    pause() {
      clearTimeout(quiet);
      socket.pause();
    },
    resume() {
      if (socket.destroyed) return;
      listen();
      socket.resume();
    },
  };
  const heard = (chunk: Buffer) => {
    listen();
    budget.spend(chunk.length);
  };
  socket.once('close', () => {
    clearTimeout(all);
    clearTimeout(quiet);
    budget.leave(reader);
  });
  // The answer is written: FIN after it. Whatever the client still sends is read raw and dropped: nothing parses
  // it, and the request, no longer anyone's, is not fed.
  socket.end();
  const parser = socket.parser;
  if (parser?._consumed) {
    parser.unconsume?.();
    parser._consumed = false;
  }
  socket.removeAllListeners('data');
  socket.on('data', heard);
  socket.once('end', done);
  socket.resume();
  const handle = socket._handle;
  if (handle && !handle.reading) {
    handle.reading = true;
    if ((handle.readStart?.() ?? 0) !== 0) done();
  }
  listen();
  return reader;
}
