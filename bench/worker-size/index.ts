/**
 * bench/worker-size (issue 7): the Worker bundle exactly as wrangler builds it for deploy
 * (`wrangler deploy --dry-run --outdir … --metafile`), raw and gzipped against the budget (1 MiB gzipped), and
 * what weighs most (bytes each package contributes to that bundle, from wrangler's own esbuild metafile).
 * Also the same with `--minify`, for comparison (wrangler.toml does not minify, so stack traces stay readable).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { round, type BenchContext, type BenchResult } from '../types.js';

const BUDGET_GZ = 1024 * 1024;

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

function dryRun(minify: boolean) {
  const out = mkdtempSync(join(tmpdir(), 'fuyuan-worker-'));
  try {
    const args = ['wrangler', 'deploy', '--dry-run', '--outdir', out, '--metafile', join(out, 'meta.json'), ...(minify ? ['--minify'] : [])];
    execFileSync('npx', args, { stdio: 'pipe', env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } });
    const js = readdirSync(out).filter((f) => f.endsWith('.js'));
    const bytes = js.map((f) => readFileSync(join(out, f)));
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as Metafile;
    return { files: js, raw: bytes.reduce((n, b) => n + b.length, 0), gz: bytes.reduce((n, b) => n + gzipSync(b).length, 0), meta };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Bytes in the bundle per npm package (or per top-level folder of ours: src/domain, adapters/…). */
function byPackage(meta: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [file, info] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const k = m
        ? m[1]!
        : file
            .replace(/^(\.\.\/)+/, '')
            .split('/')
            .slice(0, 2)
            .join('/');
      sizes.set(k, (sizes.get(k) ?? 0) + info.bytesInOutput);
    }
  }
  return [...sizes.entries()].sort((a, b) => b[1] - a[1]);
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const plain = dryRun(false);
  ctx.log(`wrangler bundle: ${plain.files.join(', ')}`);
  const min = dryRun(true);
  const top = byPackage(plain.meta).slice(0, 10);
  const topMin = byPackage(min.meta).slice(0, 10);
  const kib = (n: number) => round(n / 1024, 0);
  const within = plain.gz <= BUDGET_GZ;
  return {
    lines: [
      `worker bundle (wrangler deploy --dry-run): ${kib(plain.raw)} KiB raw, ${kib(plain.gz)} KiB gzipped (budget ${BUDGET_GZ / 1024} KiB gzipped) ${within ? 'within budget' : 'OVER BUDGET'}`,
      `  with --minify: ${kib(min.raw)} KiB raw, ${kib(min.gz)} KiB gzipped`,
      `  heaviest (bytes in the bundle, wrangler's metafile): ${top.map(([k, v]) => `${k} ${kib(v)} KiB`).join(', ')}`,
      `  heaviest minified: ${topMin.map(([k, v]) => `${k} ${kib(v)} KiB`).join(', ')}`,
    ],
    json: {
      rawBytes: plain.raw,
      gzipBytes: plain.gz,
      minifiedRawBytes: min.raw,
      minifiedGzipBytes: min.gz,
      budgetGzipBytes: BUDGET_GZ,
      withinBudget: within,
      heaviestKiB: Object.fromEntries(top.map(([k, v]) => [k, round(v / 1024, 1)])),
      heaviestMinifiedKiB: Object.fromEntries(topMin.map(([k, v]) => [k, round(v / 1024, 1)])),
    },
  };
}
