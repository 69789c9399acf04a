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
 * buffer; it still counts against its address's share of connections (adapters/node/connections.ts), so a peer
 * cannot keep many of them. At shutdown the lingering stops (`stop()`): a refused client does not hold the
 * process, and what it had not sent by then is reset, as before.
 *
 * Below Hono: Node's HTTP server ends a connection that must close with `socket.destroySoon()`, the one hook there
 * is; the parser is then taken off the socket as Node's server does for an upgrade (`parser.unconsume()`), and the
 * socket's own reading is started again (the server stopped it while the request was paused). Node ≥ 20; the test
 * in test/gateway-process.test.ts ("a refusal reaches a client that sends its whole body first") fails if a Node
 * version changes this.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** nginx's defaults: lingering_time 30 s, lingering_timeout 5 s. */
export const LINGER_MAX_MS = 30_000;
export const LINGER_QUIET_MS = 5_000;

/** What of Node's internals the linger touches (net.Socket and its HTTP parser). */
interface NodeSocket extends Socket {
  parser?: { _consumed?: boolean; unconsume?: () => void } | null;
  _handle?: { reading?: boolean; readStart?: () => number } | null;
}

export interface Lingering {
  /** Close every lingering socket now, and linger no more (shutdown). */
  stop(): void;
}

export function lingerOnClose(server: Server, opts: { maxMs?: number; quietMs?: number } = {}): Lingering {
  const maxMs = opts.maxMs ?? LINGER_MAX_MS;
  const quietMs = opts.quietMs ?? LINGER_QUIET_MS;
  const lingering = new Set<NodeSocket>();
  let stopped = false;
  const current = new WeakMap<Socket, IncomingMessage>();
  server.on('request', (req: IncomingMessage) => current.set(req.socket, req));
  server.on('connection', (socket: NodeSocket) => {
    const destroySoon = socket.destroySoon.bind(socket);
    socket.destroySoon = () => {
      // Once lingering, the linger decides when the socket closes (@hono/node-server asks again once it has read
      // what it may of an unread body).
      if (lingering.has(socket)) return;
      const req = current.get(socket);
      if (stopped || !req || req.complete || socket.destroyed) return destroySoon();
      lingering.add(socket);
      socket.once('close', () => lingering.delete(socket));
      linger(socket, maxMs, quietMs);
    };
  });
  return {
    stop() {
      stopped = true;
      for (const s of lingering) s.destroy();
    },
  };
}

function linger(socket: NodeSocket, maxMs: number, quietMs: number) {
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const done = () => socket.destroy();
  const all = setTimeout(done, maxMs);
  const heard = () => {
    clearTimeout(quiet);
    quiet = setTimeout(done, quietMs);
  };
  socket.once('close', () => {
    clearTimeout(all);
    clearTimeout(quiet);
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
  heard();
}
