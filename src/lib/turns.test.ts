import { describe, expect, it } from 'vitest';
import { cpuTurn } from './turns.js';

/** Keep the thread busy, as a stretch of verification or planning does. */
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* CPU work */
  }
};

describe('turns of the event loop for CPU work', () => {
  it('are granted in the order asked, one per round: a timer due meanwhile runs between two turns', async () => {
    const seen: string[] = [];
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        seen.push('timer');
        resolve();
      }, 0),
    );
    const stretches = [1, 2, 3].map(async (i) => {
      await cpuTurn();
      seen.push(`turn ${i}`);
      busy(5); // longer than the timer's 1 ms: it is due once the first stretch is done
    });
    await Promise.all([timer, ...stretches]);
    expect(seen.filter((s) => s.startsWith('turn'))).toEqual(['turn 1', 'turn 2', 'turn 3']);
    // All three resolved in one round would run back to back and the timer after them.
    expect(seen.indexOf('timer')).toBeLessThan(seen.indexOf('turn 3'));
  });

  it('a turn asked for inside a turn waits for the ones asked before it', async () => {
    const seen: string[] = [];
    await Promise.all([
      (async () => {
        await cpuTurn();
        seen.push('a');
        await cpuTurn();
        seen.push('a again');
      })(),
      (async () => {
        await cpuTurn();
        seen.push('b');
      })(),
    ]);
    expect(seen).toEqual(['a', 'b', 'a again']);
  });
});
