/**
 * Count the transactions a Db runs from now on: every batch, whether sent alone (db.batch) or in a sequence
 * (db.sequence().batch, the writer's pipelined groups). `n` counts the batches that ran (committed or failed),
 * `skipped` those of a sequence refused unrun because the one before them failed. For the tests and benchmarks
 * that say how writes were grouped; the gateway itself never counts.
 */
import type { Db, Stmt } from '../../src/deps.js';
import { WriteSkipped } from '../../src/writer/types.js';

export function countTransactions(db: Db): { n: number; skipped: number } {
  const seen = { n: 0, skipped: 0 };
  const counted = async (run: (items: Stmt[]) => Promise<void>, items: Stmt[]) => {
    seen.n++;
    try {
      await run(items);
    } catch (e) {
      if (e instanceof WriteSkipped) {
        seen.n--;
        seen.skipped++;
      }
      throw e;
    }
  };
  const batch = db.batch.bind(db);
  db.batch = (items) => counted(batch, items);
  const sequence = db.sequence?.bind(db);
  if (sequence)
    db.sequence = () => {
      const s = sequence();
      return {
        batch: (items) => counted((i) => s.batch(i), items),
      };
    };
  return seen;
}
