/**
 * Admission control for POST /v1/deliveries (issue 20): a bound on deliveries in flight and on the request bytes
 * they may buffer, decided from the headers before the body is read. Past either bound the court gets 503
 * `overloaded` with Retry-After (its system sends again; nothing was stored), so memory stays bounded under any
 * offered load and the deliveries already admitted finish in time. During shutdown every new delivery is refused
 * with 503 `shutting-down`. Runtime-neutral (a Workers isolate keeps its own count).
 *
 * One source address may hold only a share of either bound (half, by default): past it that address is answered 429
 * `too-many-in-progress`, and the rest stays free for every other court. Without it one peer could take the whole
 * gateway before it has proved who it is (a delivery says its sender only inside its body): 64 connections, or six
 * whose announced bodies add up to the 256 MiB, each sending 16 KiB a second (the slowest rate the upload deadline
 * lets through), had every other court refused for as long as they kept it up. IPv6 peers count by their /64, the
 * block one host is usually given. Behind a reverse proxy every delivery comes from the proxy's address: raise the
 * share to the whole bound there, and bound each client at the proxy.
 *
 * Every other request with a body (the API's JSON, the token endpoint's form, the pages' forms and uploads) counts
 * against a budget of its own (bodyAdmission), in bytes, with the same per-address share: each such body is held
 * whole in memory until its handler has it. Measured against `npm start`: two peers with 500 connections each,
 * every one sending a 1 MB token request but its last byte, took the process from 258 MB to 1.27 GB; with more
 * connections it would have grown until the process was killed. Past the budget such a request is refused as a
 * delivery is, before its body is read; it cannot starve deliveries, nor they it.
 *
 * Attachment downloads hold a budget of bytes being sent (downloadPlace, src/http/downloads.ts says why), with the
 * same per-address share, taken before the bytes are loaded.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AppEnv, Deps } from '../deps.js';
import { Problem } from '../lib/problem.js';
import { slot } from '../lib/process-state.js';
import { problemResponse } from './problem.js';
import { sourceAddress } from './throttle.js';

interface Held {
  /** Requests (deliveries, or other requests with a body). */
  count: number;
  bytes: number;
}
/** What a kind of request holds now, in all and by source address. */
interface Pool {
  held: Held;
  byAddress: Map<string, Held>;
}
const pool = (): Pool => ({ held: { count: 0, bytes: 0 }, byAddress: new Map() });

/**
 * Deliveries being received now and the request bytes they may buffer, the same for every other request with a
 * body, each in all and by source address (an address is forgotten when its last request ends, so a map never
 * outgrows the requests in flight), and whether shutdown has begun.
 */
const ADMISSION = slot('admission', () => ({ deliveries: pool(), bodies: pool(), downloads: pool(), draining: false }));

/** Shutdown has begun: new deliveries get 503 shutting-down, every answer says Connection: close. */
export const beginDraining = (deps: Deps): void => {
  deps.state.get(ADMISSION).draining = true;
};
export const isDraining = (deps: Deps): boolean => deps.state.get(ADMISSION).draining;

/** Defaults: enough to keep two cores busy with group commits of eight, small enough to bound memory. */
export const DEFAULT_MAX_DELIVERIES_IN_FLIGHT = 64;
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;
/** One address's share of each: half. */
export const DEFAULT_MAX_DELIVERIES_PER_ADDRESS = 32;
export const DEFAULT_MAX_BUFFERED_BYTES_PER_ADDRESS = 128 * 1024 * 1024;
/** Every other request's body: 64 MiB in all (64 JSON bodies at their limit, or 8 reply drafts), half per address. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_BODY_BYTES_PER_ADDRESS = 32 * 1024 * 1024;
/** Attachment bytes being sent (src/http/downloads.ts): 256 MiB in all, half per address. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_DOWNLOAD_BYTES_PER_ADDRESS = 128 * 1024 * 1024;
/** What a refused court is told to wait, in seconds. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 2;

/**
 * Whose share a delivery counts against: the peer's address, an IPv4-mapped IPv6 address as its IPv4 form, any other
 * IPv6 address by its first 64 bits.
 */
export function addressKey(address: string): string {
  const a = address.replace(/%.*$/, '').toLowerCase();
  if (!a.includes(':')) return a;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  const groups = (part: string | undefined) => (part ? part.split(':') : []).flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const [head, tail] = a.split('::');
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${all
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** Would one more request of `reserve` bytes exceed these bounds? One request alone is always let in. */
const over = (held: Held, reserve: number, maxCount: number, maxBytes: number) => held.count >= maxCount || (held.count > 0 && held.bytes + reserve > maxBytes);

interface Bounds {
  count: number;
  bytes: number;
  countPerAddress: number;
  bytesPerAddress: number;
}

/** How a refusal of a place words what is held: in all (503 overloaded), and by the caller's address (429). */
interface Refusals {
  full(all: Held): string;
  share(own: Held): string;
}

/**
 * Take a place in `p` for the caller of `c` holding `reserve` bytes: the function that gives it back, or the Problem
 * that refuses it, 503 `overloaded` past the bounds in all, 429 `too-many-in-progress` past the address's share, both
 * with Retry-After and `words`' detail.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route's path and input
function enter<E extends AppEnv>(c: Context<E, any, any>, p: Pool, reserve: number, b: Bounds, words: Refusals): (() => void) | Problem {
  const retry = { retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS };
  if (over(p.held, reserve, b.count, b.bytes)) return new Problem('overloaded', words.full(p.held), retry);
  const key = addressKey(sourceAddress(c.env, (name) => c.req.header(name)));
  const own = p.byAddress.get(key) ?? { count: 0, bytes: 0 };
  if (over(own, reserve, Math.min(b.countPerAddress, b.count), Math.min(b.bytesPerAddress, b.bytes)))
    return new Problem('too-many-in-progress', words.share(own), retry);
  p.byAddress.set(key, own);
  for (const h of [p.held, own]) {
    h.count++;
    h.bytes += reserve;
  }
  return () => {
    for (const h of [p.held, own]) {
      h.count--;
      h.bytes -= reserve;
    }
    if (own.count === 0) p.byAddress.delete(key);
  };
}

/** The bytes a request announces (Content-Length), up to `limit`; a chunked body may grow to the limit. */
const announced = (header: string | undefined, limit: number) => {
  const declared = Number(header);
  return header !== undefined && Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, limit) : limit;
};

/** A refusal before the body is read: the connection is closed rather than reused. */
const refusal = (requestId: string, p: Problem, retryAfter: number) =>
  problemResponse(p, requestId, { 'Retry-After': String(retryAfter), connection: 'close', 'X-Request-Id': requestId });

/**
 * Run the rest of the request with a place in `pool`, or refuse it before its body is read: 503 overloaded past the
 * bounds in all, 429 too-many-in-progress past the address's share (`what` names the requests, `share` the bounds).
 */
async function admitted(c: Context<AppEnv>, next: Next, pool: Pool, reserve: number, b: Bounds, what: string, share: string) {
  const place = enter(c, pool, reserve, b, {
    full: (all) =>
      `the gateway is receiving as many ${what} as it can (${all.count} in progress); nothing of this one was read or stored: send it again after ${OVERLOAD_RETRY_AFTER_SECONDS} s`,
    share: (own) =>
      `your address has ${own.count} ${what} in progress (${own.bytes} bytes announced), as many as one address may (${share}); nothing of this one was read or stored: send it again after ${OVERLOAD_RETRY_AFTER_SECONDS} s, or once one of them is answered`,
  });
  if (place instanceof Problem) return refusal(c.var.requestId, place, OVERLOAD_RETRY_AFTER_SECONDS);
  try {
    await next();
  } finally {
    place();
  }
}

export function admission(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.var.deps;
    const a = deps.state.get(ADMISSION);
    if (a.draining)
      return refusal(
        c.var.requestId,
        new Problem(
          'shutting-down',
          'the gateway is stopping and takes no new deliveries; send this one again shortly (to another instance, or after the restart)',
        ),
        5,
      );
    const cfg = deps.config;
    const b: Bounds = {
      count: cfg.maxDeliveriesInFlight ?? DEFAULT_MAX_DELIVERIES_IN_FLIGHT,
      bytes: cfg.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      countPerAddress: cfg.maxDeliveriesPerAddress ?? DEFAULT_MAX_DELIVERIES_PER_ADDRESS,
      bytesPerAddress: cfg.maxBufferedBytesPerAddress ?? DEFAULT_MAX_BUFFERED_BYTES_PER_ADDRESS,
    };
    const share = `${Math.min(b.countPerAddress, b.count)} at once, ${Math.min(b.bytesPerAddress, b.bytes)} bytes together`;
    return admitted(c, next, a.deliveries, announced(c.req.header('content-length'), cfg.bodyLimitBytes), b, 'deliveries', share);
  };
}

/**
 * Every request with a body but a delivery (which has admission() of its own): a place in the budget of request
 * bodies, by the bytes it announces up to `limitOf(path)` (its endpoint's body limit), before anything is read.
 */
export function bodyAdmission(limitOf: (path: string) => number, exempt: (path: string) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const length = c.req.header('content-length');
    const hasBody = (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    if (!hasBody || exempt(c.req.path)) return next();
    const cfg = c.var.deps.config;
    const b: Bounds = {
      count: Infinity,
      bytes: cfg.maxRequestBodiesBytes ?? DEFAULT_MAX_BODY_BYTES,
      countPerAddress: Infinity,
      bytesPerAddress: cfg.maxRequestBodiesBytesPerAddress ?? DEFAULT_MAX_BODY_BYTES_PER_ADDRESS,
    };
    const share = `${Math.min(b.bytesPerAddress, b.bytes)} bytes of request bodies together`;
    return admitted(c, next, c.var.deps.state.get(ADMISSION).bodies, announced(length, limitOf(c.req.path)), b, 'requests with a body', share);
  };
}

/**
 * A place for sending `bytes` of an attachment to the caller (src/http/downloads.ts), taken before the bytes are
 * loaded: the function that gives it back, or a Problem thrown, 503 `overloaded` past the bytes in all, 429
 * `too-many-in-progress` past the caller's address's share, both with Retry-After. One download alone is always let
 * in, however large.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route's path and input
export function downloadPlace<E extends AppEnv>(c: Context<E, any, any>, bytes: number): () => void {
  const cfg = c.var.deps.config;
  const b: Bounds = {
    count: Infinity,
    bytes: cfg.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
    countPerAddress: Infinity,
    bytesPerAddress: cfg.maxDownloadBytesPerAddress ?? DEFAULT_MAX_DOWNLOAD_BYTES_PER_ADDRESS,
  };
  const place = enter(c, c.var.deps.state.get(ADMISSION).downloads, bytes, b, {
    full: (all) =>
      `the gateway is sending as many attachment bytes as it may at once (${all.bytes} bytes to ${all.count} downloads); nothing was sent: ask again after ${OVERLOAD_RETRY_AFTER_SECONDS} s`,
    share: (own) =>
      `your address is being sent ${own.count} attachments (${own.bytes} bytes), as many bytes as one address may at once (${Math.min(b.bytesPerAddress, b.bytes)}); nothing was sent: ask again after ${OVERLOAD_RETRY_AFTER_SECONDS} s, or once one of them has arrived`,
  });
  if (place instanceof Problem) throw place;
  return place;
}
