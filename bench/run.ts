/**
 * `npm run bench [-- <name>...]`: run every benchmark this file knows, or only the named ones.
 * Each prints readable lines, then one `BENCH {json}` line for the notes.
 *
 * A benchmark is a module under bench/<name>/index.ts exporting `run(): Promise<BenchResult>`;
 * adding one is one line in BENCHES.
 */
import { round, type BenchModule, type BenchResult } from './types.js';

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  intake: () => import('./intake/index.js'),
  routing: () => import('./routing/index.js'),
  sweep: () => import('./sweep/index.js'),
  'worker-size': () => import('./worker-size/index.js'),
  xml: () => import('./xml/index.js'),
  stats: () => import('./stats/index.js'),
  audit: () => import('./audit/index.js'),
  overload: () => import('./overload/index.js'),
  flood: () => import('./flood/index.js'),
};

async function main() {
  const asked = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = asked.filter((a) => !(a in BENCHES));
  if (unknown.length) {
    process.stderr.write(`bench: unknown benchmark ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  const names = asked.length ? asked : Object.keys(BENCHES);
  let failed = false;
  for (const name of names) {
    process.stdout.write(`== bench ${name}\n`);
    const started = performance.now();
    try {
      const mod = await BENCHES[name]!();
      const result: BenchResult = await mod.run({ log: (line) => process.stderr.write(`   [${name}] ${line}\n`) });
      for (const line of result.lines) process.stdout.write(`${line}\n`);
      process.stdout.write(
        `BENCH ${JSON.stringify({ bench: name, at: new Date().toISOString(), node: process.version, seconds: round((performance.now() - started) / 1000, 1), ...result.json })}\n`,
      );
    } catch (e) {
      failed = true;
      process.stderr.write(`bench ${name} failed: ${(e as Error)?.stack ?? e}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
