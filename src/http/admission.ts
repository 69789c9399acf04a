/**
 * Admission control for POST /v1/deliveries (issue 20): a bound on deliveries in flight and on the request bytes
 * they may buffer, decided from the headers before the body is read. Past either bound the court gets 503
 * `overloaded` with Retry-After (its system sends again; nothing was stored), so memory stays bounded under any
 * offered load and the deliveries already admitted finish in time. During shutdown every new delivery is refused
 * with 503 `shutting-down`. Runtime-neutral (a Workers isolate keeps its own count).
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Deps } from '../deps.js';
import { Problem } from '../lib/problem.js';
import { slot } from '../lib/process-state.js';
import { problemResponse } from './problem.js';

/** Deliveries being received now, the request bytes they may buffer, and whether shutdown has begun. */
const ADMISSION = slot('admission', () => ({ deliveries: 0, bytes: 0, draining: false }));

/** Shutdown has begun: new deliveries get 503 shutting-down, every answer says Connection: close. */
export const beginDraining = (deps: Deps): void => {
  deps.state.get(ADMISSION).draining = true;
};
export const isDraining = (deps: Deps): boolean => deps.state.get(ADMISSION).draining;

/** Defaults: enough to keep two cores busy with group commits of eight, small enough to bound memory. */
export const DEFAULT_MAX_DELIVERIES_IN_FLIGHT = 64;
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;
/** What a refused court is told to wait, in seconds. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 2;

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
    const maxInFlight = deps.config.maxDeliveriesInFlight ?? DEFAULT_MAX_DELIVERIES_IN_FLIGHT;
    const maxBytes = deps.config.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    const declared = Number(c.req.header('content-length'));
    // A chunked body may grow to the body limit: that much is reserved for it.
    const reserve = Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, deps.config.bodyLimitBytes) : deps.config.bodyLimitBytes;
    if (a.deliveries >= maxInFlight || (a.deliveries > 0 && a.bytes + reserve > maxBytes)) {
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
    a.deliveries++;
    a.bytes += reserve;
    try {
      await next();
    } finally {
      a.deliveries--;
      a.bytes -= reserve;
    }
  };
}
