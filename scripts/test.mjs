#!/usr/bin/env node
// `npm test`: the typechecks (everything with Node's types; src/ without them, so a node:* import, Buffer or process
// in the runtime-neutral core fails; the Workers tests), the lint with the layering rules (eslint.config.js), the
// tables-versus-migrations check, the Node suite, then the suite inside workerd. Every step runs even when an earlier
// one fails, so one run reports everything; the exit code is non-zero if any step failed.
import { spawnSync } from 'node:child_process';

const steps = [
  // /docs serves Scalar's bundle from a module made out of node_modules (postinstall does it too).
  ['vendor the API reference bundle', ['node', 'scripts/vendor-scalar.mjs']],
  ['typecheck (src, adapters, test)', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['typecheck (src without Node types)', ['tsc', '--noEmit', '-p', 'tsconfig.src.json']],
  ['typecheck (Workers tests)', ['tsc', '--noEmit', '-p', 'test/workers/tsconfig.json']],
  ['lint (rules, import layering, no cycles)', ['eslint', '.']],
  ['tables agree with migrations/', ['node', 'scripts/check-migrations.mjs']],
  ['format (prettier, width 160)', ['prettier', '--check', '--log-level', 'warn', '**/*.{ts,tsx,mjs,js}']],
  ['Node suite', ['vitest', 'run']],
  ['Workers suite (workerd)', ['vitest', 'run', '--config', 'vitest.workers.config.ts']],
];

const failed = [];
for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
  const r = cmd === 'node' ? spawnSync(process.execPath, args, { stdio: 'inherit' }) : spawnSync('npx', ['--no-install', cmd, ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${name} (exit ${r.status ?? r.signal})`);
}
if (failed.length) {
  console.error(`\nnpm test: failed: ${failed.join('; ')}`);
  process.exit(1);
}
console.log('\nnpm test: typechecks, lint, migration check and both suites passed');
