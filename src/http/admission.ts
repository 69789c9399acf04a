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
 * lets through), had every other court refused for as long as they kept it up. IPv6 peers count by their /64, the block one host is usually
 * given. Behind a reverse proxy every delivery comes from the proxy's address: raise the share to the whole bound
 * there, and bound each client at the proxy.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Deps } from '../deps.js';
import { Problem } from '../lib/problem.js';
import { slot } from '../lib/process-state.js';
import { problemResponse } from './problem.js';
import { sourceAddress } from './throttle.js';

interface Held {
  deliveries: number;
  bytes: number;
}

/**
 * Deliveries being received now and the request bytes they may buffer, in all and by source address (an address
 * is forgotten when its last delivery ends, so the map never outgrows the deliveries in flight), and whether
 * shutdown has begun.
 */
const ADMISSION = slot('admission', () => ({ deliveries: 0, bytes: 0, draining: false, byAddress: new Map<string, Held>() }));

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

/** Would `reserve` more bytes and one more delivery exceed these bounds? One delivery alone is always let in. */
const over = (held: Held, reserve: number, maxDeliveries: number, maxBytes: number) =>
  held.deliveries >= maxDeliveries || (held.deliveries > 0 && held.bytes + reserve > maxBytes);

export function admission(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.var.deps;
    const refuse = (p: Problem, retryAfter: number) =>
      // The body is not read: the connection is closed rather than reused.
      problemResponse(p, c.var.requestId, { 'Retry-After': String(retryAfter), connection: 'close', 'X-Request-Id': c.var.requestId });
    const a = deps.state.get(ADMISSION);
    if (a.draining)
      return refuse(
        new Problem(
          'shutting-down',
          'the gateway is stopping and takes no new deliveries; send this one again shortly (to another instance, or after the restart)',
        ),
        5,
      );
    const cfg = deps.config;
    const maxInFlight = cfg.maxDeliveriesInFlight ?? DEFAULT_MAX_DELIVERIES_IN_FLIGHT;
    const maxBytes = cfg.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    const declared = Number(c.req.header('content-length'));
    // A chunked body may grow to the body limit: that much is reserved for it.
    const reserve = Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, cfg.bodyLimitBytes) : cfg.bodyLimitBytes;
    if (over(a, reserve, maxInFlight, maxBytes)) {
      return refuse(
        new Problem(
          'overloaded',
          `the gateway is receiving as many deliveries as it can (${a.deliveries} in progress); nothing of this one was read or stored: send it again after ${OVERLOAD_RETRY_AFTER_SECONDS} s`,
          {
            retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
          },
        ),
        OVERLOAD_RETRY_AFTER_SECONDS,
      );
    }
    const key = addressKey(sourceAddress(c.env, (name) => c.req.header(name)));
    const own = a.byAddress.get(key) ?? { deliveries: 0, bytes: 0 };
    const perAddress = Math.min(cfg.maxDeliveriesPerAddress ?? DEFAULT_MAX_DELIVERIES_PER_ADDRESS, maxInFlight);
    const bytesPerAddress = Math.min(cfg.maxBufferedBytesPerAddress ?? DEFAULT_MAX_BUFFERED_BYTES_PER_ADDRESS, maxBytes);
    if (over(own, reserve, perAddress, bytesPerAddress)) {
      return refuse(
        new Problem(
          'too-many-in-progress',
          `your address has ${own.deliveries} deliveries in progress, as many as one address may (${perAddress} at once, ${bytesPerAddress} bytes together); nothing of this one was read or stored: send it again after ${OVERLOAD_RETRY_AFTER_SECONDS} s, or once one of them is answered`,
          { retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS },
        ),
        OVERLOAD_RETRY_AFTER_SECONDS,
      );
    }
    a.byAddress.set(key, own);
    own.deliveries++;
    own.bytes += reserve;
    a.deliveries++;
    a.bytes += reserve;
    try {
      await next();
    } finally {
      a.deliveries--;
      a.bytes -= reserve;
      own.deliveries--;
      own.bytes -= reserve;
      if (own.deliveries === 0) a.byAddress.delete(key);
    }
  };
}
