#!/usr/bin/env node
// The tables (schemas/db/*) and migrations/ agree: `drizzle-kit check` (the journal and snapshots are consistent,
// no two migrations collide) and a generate-and-diff: drizzle-kit generates into a temporary copy of migrations/,
// and if it would write anything (a table or column changed without `npm run db:generate`), this fails and names
// what it would have written. migrations/ itself is never touched. Run by `npm test`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const migrations = join(root, 'migrations');
const work = mkdtempSync(join(tmpdir(), 'fuyuan-migrations-'));
const out = join(work, 'migrations');
cpSync(migrations, out, { recursive: true });
const config = join(work, 'drizzle.config.mjs');
writeFileSync(config, `export default ${JSON.stringify({ dialect: 'sqlite', schema: './schemas/db/index.ts', out: relative(root, out) })};\n`);

const files = (dir) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();

function drizzleKit(...args) {
  const r = spawnSync('npx', ['--no-install', 'drizzle-kit', ...args, '--config', config], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

let failed = false;
try {
  const check = drizzleKit('check');
  if (!check.ok || /error|collision/i.test(check.output)) {
    console.error(`drizzle-kit check failed:\n${check.output}`);
    failed = true;
  }
  const gen = drizzleKit('generate');
  if (!gen.ok) {
    console.error(`drizzle-kit generate failed:\n${gen.output}`);
    failed = true;
  }
  const before = files(migrations);
  const after = files(out);
  const added = after.filter((f) => !before.includes(f));
  const changed = before.filter((f) => after.includes(f) && readFileSync(join(migrations, f), 'utf8') !== readFileSync(join(out, f), 'utf8'));
  if (added.length || changed.length) {
    failed = true;
    console.error('schemas/db/* and migrations/ disagree: `npm run db:generate` would write');
    for (const f of [...added, ...changed]) console.error(`  ${relative(root, join(migrations, f))}${added.includes(f) ? ' (new)' : ' (changed)'}`);
    for (const f of added.filter((f) => f.endsWith('.sql'))) console.error(`\n--- ${f}\n${readFileSync(join(out, f), 'utf8')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log(`migrations agree with schemas/db (${files(migrations).filter((f) => f.endsWith('.sql')).length} migrations)`);
