/**
 * Throttling of failed sign-ins (issue 18): after too many failed attempts for one client id, or from one
 * source address, further attempts are refused with 429 and Retry-After until the window has passed, before
 * the secret is even checked. Failures are counted in a sliding window of WINDOW_MS, in memory: per process on
 * Node, per isolate on Workers (an attacker spread over isolates gets each isolate's allowance; Cloudflare's
 * own rate limiting in front of the Worker is the place for a global cap). The clock is the gateway's Clock.
 */
import type { Deps } from '../deps.js';
import { slot } from '../lib/process-state.js';
import { Problem } from '../lib/problem.js';

export const WINDOW_MS = 5 * 60_000;
/** Failed attempts allowed in a window, per client id and per source address. */
export const MAX_FAILURES_PER_CLIENT = 10;
export const MAX_FAILURES_PER_ADDRESS = 50;
/** Keys kept at most (the oldest are forgotten first): an attacker inventing client ids cannot grow memory. */
const MAX_KEYS = 20_000;

class FailureLog {
  private readonly byKey = new Map<string, number[]>();

  /** Failures of `key` still in the window at `now`; the oldest one's time, to say when one expires. */
  recent(key: string, now: number): number[] {
    const all = this.byKey.get(key);
    if (!all) return [];
    const kept = all.filter((t) => t > now - WINDOW_MS);
    if (kept.length) this.byKey.set(key, kept);
    else this.byKey.delete(key);
    return kept;
  }

  add(key: string, now: number, cap: number): void {
    const kept = this.recent(key, now);
    kept.push(now);
    this.byKey.delete(key); // re-inserted last: Map order is the forgetting order
    this.byKey.set(key, kept.slice(-cap));
    while (this.byKey.size > MAX_KEYS) this.byKey.delete(this.byKey.keys().next().value!);
  }

  clear(key: string): void {
    this.byKey.delete(key);
  }
}

const FAILURES = slot('sign-in-failures', () => new FailureLog());
const logOf = (deps: Deps) => deps.state.get(FAILURES);

export interface Attempt {
  clientId: string | undefined;
  address: string;
}

const keys = (a: Attempt) => [
  ...(a.clientId ? [[`client:${a.clientId}`, MAX_FAILURES_PER_CLIENT] as const] : []),
  [`address:${a.address}`, MAX_FAILURES_PER_ADDRESS] as const,
];

/** Refuse (429) when the client id or the address has used up its failures in the window. */
export function assertNotThrottled(deps: Deps, a: Attempt): void {
  const now = deps.clock.now().getTime();
  const log = logOf(deps);
  for (const [key, max] of keys(a)) {
    const recent = log.recent(key, now);
    if (recent.length >= max) {
      const retryAfterSeconds = Math.max(1, Math.ceil((recent[recent.length - max]! + WINDOW_MS - now) / 1000));
      const who = key.startsWith('client:') ? 'this client id' : 'this address';
      throw new Problem('too-many-requests', `${max} failed sign-ins for ${who} in ${WINDOW_MS / 60_000} minutes; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }
}

export function recordFailure(deps: Deps, a: Attempt): void {
  const now = deps.clock.now().getTime();
  for (const [key, max] of keys(a)) logOf(deps).add(key, now, max);
}

/** A successful sign-in clears its client id's failures (not the address's). */
export function recordSuccess(deps: Deps, a: Attempt): void {
  if (a.clientId) logOf(deps).clear(`client:${a.clientId}`);
}

/**
 * The source address of a request: the socket's peer on Node (@hono/node-server passes the IncomingMessage as
 * env.incoming), Cloudflare's CF-Connecting-IP on Workers; never X-Forwarded-For, which the client writes.
 */
export function sourceAddress(env: unknown, header: (name: string) => string | undefined): string {
  const socket = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket;
  if (socket) return socket.remoteAddress ?? 'unknown';
  return header('cf-connecting-ip') ?? 'unknown';
}

/** Run a sign-in under the throttle: refused first if throttled, its failure (invalid-client) counted. */
export async function throttledSignIn<T>(deps: Deps, a: Attempt, signIn: () => Promise<T>): Promise<T> {
  assertNotThrottled(deps, a);
  try {
    const r = await signIn();
    recordSuccess(deps, a);
    return r;
  } catch (e) {
    if (e instanceof Problem && e.slug === 'invalid-client') recordFailure(deps, a);
    throw e;
  }
}
