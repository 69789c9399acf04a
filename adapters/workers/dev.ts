/**
 * `npm run dev:worker`: the Worker locally on 127.0.0.1 with wrangler dev (local D1 and R2). Makes .dev.vars
 * with a fresh gateway key and admin token the first time, applies the migrations to the local D1, starts.
 *
 * Quiet: the migration step prints one line (wrangler's own output only when it fails), and wrangler dev's
 * known noise offline (the failed `Request.cf` fetch and its stack, the telemetry notice) is left out. PORT
 * (default 8788) chooses the port; further arguments go to wrangler dev (e.g. `npm run dev:worker -- --log-level debug`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { usageOrExit } from '../node/usage.js';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair } from 'jose';

usageOrExit({
  name: 'npm run dev:worker',
  description: 'the Worker locally on 127.0.0.1 (wrangler dev, local D1 and R2); makes .dev.vars and applies the migrations first',
  environment: [['PORT', 'the port (8788)']],
  passThrough: 'wrangler dev',
});

const say = (s: string) => process.stdout.write(s + '\n');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

if (!existsSync('.dev.vars')) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  writeFileSync('.dev.vars', `GATEWAY_KEY='${JSON.stringify(jwk)}'\nADMIN_TOKEN='${randomBytes(24).toString('base64url')}'\n`, { mode: 0o600 });
  say('made .dev.vars (GATEWAY_KEY, ADMIN_TOKEN)');
}

// wrangler's own launcher, run directly (not through npx), so a signal to this process reaches it.
const WRANGLER = fileURLToPath(import.meta.resolve('wrangler/bin/wrangler.js'));
const apply = spawnSync(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'fuyuan', '--local'], { encoding: 'utf8', env: { ...env, CI: 'true' } });
const applyOut = `${apply.stdout ?? ''}${apply.stderr ?? ''}`;
if (apply.status !== 0) {
  process.stderr.write(applyOut);
  process.exit(apply.status ?? 1);
}
const applied = /About to apply (\d+) migration/.exec(applyOut)?.[1];
say(applied ? `local D1: ${applied} migration(s) applied (.wrangler/state)` : 'local D1: migrations up to date');

const port = process.env.PORT ?? '8788';
const token = /^ADMIN_TOKEN='?([^'\n]+)'?$/m.exec(readFileSync('.dev.vars', 'utf8'))?.[1];
const dev = spawn(process.execPath, [WRANGLER, 'dev', '--ip', '127.0.0.1', '--port', port, ...process.argv.slice(2)], {
  env,
  stdio: ['inherit', 'pipe', 'pipe'],
});

/** Lines dropped from wrangler's output: the offline Request.cf failure with its stack, and the telemetry notice. */
let inStack = false;
function keep(line: string): boolean {
  if (/Unable to fetch the `Request\.cf` object/.test(line)) return (inStack = false);
  if (/^Error: getaddrinfo ENOTFOUND workers\.cloudflare\.com/.test(line)) return !(inStack = true);
  if (inStack && /^\s+at /.test(line)) return false;
  inStack = false;
  return !/collects anonymous telemetry/.test(line);
}
for (const [stream, out] of [
  [dev.stdout, process.stdout],
  [dev.stderr, process.stderr],
] as const) {
  createInterface({ input: stream }).on('line', (line) => {
    if (!keep(line)) return;
    out.write(line + '\n');
    if (/Ready on http/.test(line)) {
      const base = `http://127.0.0.1:${port}`;
      say(`pages ${base}/web · API reference ${base}/docs · admin token: ADMIN_TOKEN in .dev.vars`);
      say(`deliver to the Worker: FUYUAN_URL=${base} ADMIN_TOKEN=${token ?? '<from .dev.vars>'} npm run demo`);
      say(`run its sweep (cron) now: curl "${base}/cdn-cgi/handler/scheduled"`);
    }
  });
}
dev.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => dev.kill(sig));
