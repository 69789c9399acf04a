/**
 * bench/worker-size (issue 7): the Worker bundle as wrangler builds it (`wrangler deploy --dry-run --outdir`),
 * raw and gzipped (budget: 1 MiB gzipped), and what weighs most (esbuild's metafile of the same entry).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { round, type BenchContext, type BenchResult } from '../types.js';

const BUDGET_GZ = 1024 * 1024;

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const out = mkdtempSync(join(tmpdir(), 'fuyuan-worker-'));
  try {
    execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { stdio: 'pipe', env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } });
    const js = readdirSync(out).filter((f) => f.endsWith('.js'));
    const raw = js.reduce((n, f) => n + readFileSync(join(out, f)).length, 0);
    const gz = js.reduce((n, f) => n + gzipSync(readFileSync(join(out, f))).length, 0);
    ctx.log(`wrangler bundle: ${js.join(', ')}`);
    // The breakdown: the same entry bundled by esbuild for workerd, with a metafile.
    const r = await esbuild.build({
      entryPoints: ['adapters/workers/worker.ts'],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      external: ['node:*', 'cloudflare:*', 'crypto', 'stream', 'buffer', 'util', 'events', 'string_decoder', 'timers', 'url', 'zlib', 'path', 'fs', 'os', 'http', 'https', 'net', 'tls', 'assert'],
      metafile: true,
      write: false,
      minify: true,
      logLevel: 'silent',
    });
    const byPackage = new Map<string, number>();
    for (const [file, info] of Object.entries(Object.values(r.metafile.outputs)[0]!.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const key = m ? m[1]! : file.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
    }
    const top = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    return {
      lines: [
        `worker bundle (wrangler deploy --dry-run): ${round(raw / 1024, 0)} KiB raw, ${round(gz / 1024, 0)} KiB gzipped (budget ${BUDGET_GZ / 1024} KiB gzipped) ${gz <= BUDGET_GZ ? 'within budget' : 'OVER BUDGET'}`,
        `  heaviest (minified, esbuild metafile): ${top.map(([k, v]) => `${k} ${round(v / 1024, 0)} KiB`).join(', ')}`,
      ],
      json: { rawBytes: raw, gzipBytes: gz, budgetGzipBytes: BUDGET_GZ, withinBudget: gz <= BUDGET_GZ, heaviestKiB: Object.fromEntries(top.map(([k, v]) => [k, round(v / 1024, 1)])) },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
