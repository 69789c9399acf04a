/**
 * Turns of the event loop for stretches of CPU work, one per round of the loop and in the order asked (issue 20:
 * `/healthz` p99 ≤ 20 ms at peak).
 *
 * Deliveries whose bodies arrive together would each run their next stretch of CPU work (verification, then the
 * facts and the plan) inside the same round of I/O callbacks, one after another, and a cheap request that arrives
 * meanwhile (a health check, a clerk's page) would wait for all of them. With a turn, a stretch waits for the check
 * phase of a round (setImmediate), and each round grants one. Between two turns the loop reads every socket that is
 * ready and runs the timers that are due, so a cheap request waits for about one stretch. Nothing is dropped or
 * reordered: turns go first come, first served, and a turn is granted in every round while any is waiting.
 *
 * Measured with `BENCH_OVERLOAD_PEAK_S=20 BENCH_OVERLOAD_HALF_S=2 BENCH_OVERLOAD_LOCK_S=2 BENCH_OVERLOAD_DOUBLE_S=2
 * npm run bench -- overload`, alternated five times on the 2-core machine: peak `/healthz` p99 14.8, 15.3, 18.9,
 * 21.1 and 16.0 ms with turns; 20.8, 30.0, 26.5, 26.5 and 24.8 ms without; peak throughput alike (222–310 against
 * 238–279 deliveries/s).
 *
 * Where there is no setImmediate (Workers: one request per isolate, no loop shared with other requests), a turn is
 * granted at once.
 */
const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;

const waiting: (() => void)[] = [];
let granting = false;

function grant(): void {
  const next = waiting.shift();
  // Queued from inside an immediate, the next grant runs in the next round, after the loop has polled.
  if (waiting.length > 0) immediate!(grant);
  else granting = false;
  next?.();
}

/**
 * A yield to the event loop with no wait and no queue: the check phase of this round (setImmediate), or a zero
 * timeout where there is none. For a long run of work that must not keep the loop from its sockets, but need not
 * wait behind other stretches (the writer's content commitments).
 */
export const nextRound = (): Promise<void> => new Promise<void>((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));

/** Wait for a turn before a stretch of CPU work: granted in the order asked, one per round of the event loop. */
export function cpuTurn(): Promise<void> {
  if (!immediate) return Promise.resolve();
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!granting) {
      granting = true;
      immediate(grant);
    }
  });
}
