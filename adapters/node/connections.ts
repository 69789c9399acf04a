/**
 * Bounds on the connections the Node server holds (issue 20: the gateway stays responsive under any offered load).
 *
 * Every connection is an open file. Measured on the 2-core machine against `npm start` (open-file limit 20,000):
 * two peers that opened 24,000 connections and sent half a request line's headers on each took every file the
 * process may open; `/healthz` then failed to connect, as would every court's delivery, until Node's header timeout
 * (60 s) closed the idle ones, and the peers opened them again. The RSS stayed about 340 MB: it is the files that
 * run out, not the memory.
 *
 * Two bounds, applied as a connection is accepted, before anything is read from it:
 * - in all (`server.maxConnections`): below the process's open-file limit, so the database, the court callbacks and
 *   the logs always have files to open; Node closes a connection past it at once;
 * - per source address (an IPv6 peer by its /64, as admission counts it): past its share the new connection is
 *   answered at once, before anything is read from it, `429 too-many-in-progress` problem+json with Retry-After and
 *   `Connection: close`, so one peer cannot take the rest, and a client past its share (many clerks behind one
 *   address, a court's pool opening too many) learns why and when to send again instead of meeting a reset. What
 *   its client still sends is read and dropped by the linger (adapters/node/linger.ts), whose bounds hold such
 *   sockets too (LINGER_MAX_SOCKETS in all); at most PAST_SHARE_ANSWERS_PER_SECOND of one address are answered in
 *   a second, the rest closed unanswered, so a flood of connections costs what it did before.
 * A connection past the bound in all is closed by Node unanswered (answering it would take the file the bound keeps
 * free). The gateway logs how many were refused, at most once a minute. A socket lingering after a refusal no longer
 * counts in its address's share: the linger bounds those.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey, OVERLOAD_RETRY_AFTER_SECONDS } from '../../src/http/admission.js';
import { Problem } from '../../src/lib/problem.js';
import { LINGERING, type Lingering } from './linger.js';
import { rawProblemResponse } from './client-errors.js';
import type { Logger } from '../../src/deps.js';

/**
 * The listen backlog: connections the kernel completes and holds until the event loop accepts them. Node's default
 * is 511; the kernel caps it at net.core.somaxconn (4096 on the 2-core machine). Measured with `npm run bench --
 * flood` there: with 511, two peers opening 24,000 idle connections overflowed the queue 22,468 times
 * (TcpExtListenOverflows) and a court's new connection was dropped with them: its SYN was sent again after the
 * kernel's 1 s retransmission timeout, and `/healthz` over a new connection had a p99 of 1,011 ms; with 4096, 93 ms
 * and no overflow. (The held-bodies phase, about 1.5 s, is not the queue's doing: it did not overflow there.) A
 * connection past the bounds below is closed as soon as it is accepted, so a longer queue costs little: it is
 * drained at the rate the event loop accepts.
 */
export const LISTEN_BACKLOG = 4096;

/**
 * Connections past its share one address is answered per second (see the header); the rest of them are closed
 * unanswered, as before the answer. Measured with `npm run bench -- flood` (idle connections: two peers each opening
 * 12,000 connections past a share of 512): answering every one (lingering on them while the linger had room) took
 * `/healthz` from a p99 of 113–152 ms to 627–644 ms, with this bound 140–206 ms (an answered and lingered connection
 * cost about 75 µs of the event loop more than a close, measured in process, and the court's new connection waits
 * in the accept queue behind them); a client past its share by mistake opens far fewer than this in a second.
 */
export const PAST_SHARE_ANSWERS_PER_SECOND = 16;

/** Files kept free of connections for everything else the process opens. */
export const FILES_KEPT_FREE = 256;
/** The bound in all where the open-file limit is not known or is higher. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 512;

/** The process's soft limit on open files (Linux /proc/self/limits), or null where it cannot be read. */
export function openFileLimit(limits = (): string => readFileSync('/proc/self/limits', 'utf8')): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits());
    if (!m) return null;
    return m[1] === 'unlimited' ? null : Number(m[1]);
  } catch {
    return null;
  }
}

export interface ConnectionBounds {
  total: number;
  perAddress: number;
}

/**
 * The bounds from the configuration: MAX_CONNECTIONS, or the default kept FILES_KEPT_FREE below the open-file limit
 * (at least 64); MAX_CONNECTIONS_PER_ADDRESS, never above the total.
 */
export function connectionBounds(
  cfg: { MAX_CONNECTIONS?: number | undefined; MAX_CONNECTIONS_PER_ADDRESS: number },
  fileLimit: number | null,
): ConnectionBounds {
  const total =
    cfg.MAX_CONNECTIONS ?? Math.max(64, Math.min(DEFAULT_MAX_CONNECTIONS, fileLimit === null ? DEFAULT_MAX_CONNECTIONS : fileLimit - FILES_KEPT_FREE));
  return { total, perAddress: Math.min(cfg.MAX_CONNECTIONS_PER_ADDRESS, total) };
}

/** The answer to a connection past its address's share (see the header). */
export function pastShareResponse(bounds: ConnectionBounds): string {
  const detail =
    `your address holds ${bounds.perAddress} connections to the gateway, as many as one address may; nothing was read from this one: ` +
    `send on a connection already open, or again after ${OVERLOAD_RETRY_AFTER_SECONDS} s`;
  return rawProblemResponse(new Problem('too-many-in-progress', detail, { retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS }), 'Too Many Requests');
}

/**
 * Apply the bounds to a server; `open(address)` says how many connections that address's share holds now. `linger`:
 * where a connection answered past its share lingers (adapters/node/linger.ts); it also takes the socket from Node's
 * HTTP parser, so the request its client sends is never parsed nor answered a second time.
 */
export function boundConnections(
  server: Server,
  bounds: ConnectionBounds,
  linger: Pick<Lingering, 'adopt'>,
  opts: { log?: Logger; now?: () => number } = {},
): { open(address: string): number } {
  const pastShare = pastShareResponse(bounds);
  const now = opts.now ?? Date.now;
  server.maxConnections = bounds.total;
  const byAddress = new Map<string, number>();
  /** Of each address past its share, how many connections were answered in the current second (see the header). */
  const answered = new Map<string, { second: number; n: number }>();
  let refused = 0;
  let loggedAt = 0;
  const note = (why: string) => {
    refused++;
    const at = now();
    if (at - loggedAt < 60_000) return;
    loggedAt = at;
    opts.log?.log('warn', `connections refused: ${refused} since the last report (${why}; bounds ${bounds.total} in all, ${bounds.perAddress} per address)`, {
      refused,
      total: bounds.total,
      perAddress: bounds.perAddress,
    });
    refused = 0;
  };
  server.on('drop', () => note('the gateway holds as many connections as it may'));
  server.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress ?? 'unknown');
    const held = byAddress.get(key) ?? 0;
    if (held >= bounds.perAddress) {
      note('one address held its share');
      const second = Math.floor(now() / 1000);
      const told = answered.get(key);
      const n = told?.second === second ? told.n : 0;
      if (n >= PAST_SHARE_ANSWERS_PER_SECOND) {
        socket.destroy();
        return;
      }
      answered.set(key, { second, n: n + 1 });
      socket.write(pastShare);
      linger.adopt(socket);
      return;
    }
    byAddress.set(key, held + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (byAddress.get(key) ?? 1) - 1;
      if (left > 0) byAddress.set(key, left);
      else byAddress.delete(key);
      // Below its share again: the next connection is let in, nothing to count.
      if (left < bounds.perAddress) answered.delete(key);
    };
    // A socket that lingers after a refusal (adapters/node/linger.ts) holds no request: it leaves the address's share,
    // so a peer whose refused bodies are still being dropped can still be answered; the linger bounds those sockets.
    socket.once(LINGERING, release);
    socket.once('close', release);
  });
  return { open: (address) => byAddress.get(addressKey(address)) ?? 0 };
}
