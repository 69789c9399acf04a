/**
 * `npm run dev:worker`: the Worker locally on 127.0.0.1 with wrangler dev (local D1 and R2). Makes .dev.vars
 * with a fresh gateway key and admin token the first time, applies the migrations to the local D1, starts.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

if (!existsSync('.dev.vars')) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  writeFileSync('.dev.vars', `GATEWAY_KEY='${JSON.stringify(jwk)}'\nADMIN_TOKEN='${randomBytes(24).toString('base64url')}'\n`, { mode: 0o600 });
  process.stdout.write('made .dev.vars (GATEWAY_KEY, ADMIN_TOKEN)\n');
}
const apply = spawnSync('npx', ['wrangler', 'd1', 'migrations', 'apply', 'fuyuan', '--local'], { stdio: 'inherit', env: { ...process.env, CI: 'true' } });
if (apply.status !== 0) process.exit(apply.status ?? 1);
const port = process.env.PORT ?? '8788';
const dev = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', port, ...process.argv.slice(2)], { stdio: 'inherit' });
dev.on('exit', (code) => process.exit(code ?? 0));
