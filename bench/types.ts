/** What a benchmark module (bench/<name>/index.ts) exports, and small helpers they share. */

export interface BenchResult {
  /** Readable lines, printed as they are. */
  lines: string[];
  /** Printed as one `BENCH {json}` line (with the benchmark's name) for the notes. */
  json: Record<string, unknown>;
}

export interface BenchContext {
  /** Progress on stderr (so stdout stays the results). */
  log(line: string): void;
}

export interface BenchModule {
  run(ctx: BenchContext): Promise<BenchResult>;
}

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
