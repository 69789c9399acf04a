/**
 * `npm run cli -- backup DIR` and `restore DIR`: a consistent online snapshot of the embedded database (which
 * holds the attachment blobs too, in the default SQL blob store) and of the gateway's keys, and its restore.
 *
 * Backup runs `VACUUM INTO`, which reads in one transaction: the copy is the database as of one instant, taken while the
 * gateway goes on receiving (writers are not blocked in WAL mode), compact, and with no -wal file to carry. The
 * keys (gateway-keys.json: earlier receipts verify with them) and the admin token are copied owner-only beside it;
 * backup.json records the instant, the audit head, the size and SHA-256 of the copy.
 *
 * Restore puts the copy in place for a STOPPED gateway: it checks the copy's SHA-256, refuses to replace a
 * database that already holds deliveries unless --force, writes the file under a temporary name and renames it
 * (a crash leaves the old file or the new one, never half of one), removes the old -wal/-shm, restores the keys,
 * then verifies the restored audit chain.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import type { NodeConfig } from './config.js';
import { nodeDeps } from './deps.js';
import { jsonLogger } from './log.js';
import { adminTokenFile, keyFile } from './keystore.js';
import { verifyAuditChain } from '../../src/services/audit.js';

export const BACKUP_DB = 'fuyuan.db';
export const BACKUP_MANIFEST = 'backup.json';

export interface BackupManifest {
  format: 'fuyuan-backup/1';
  createdAt: string;
  database: { file: string; bytes: number; sha256: string };
  auditHead: { seq: number; hash: string | null };
  deliveries: number;
  keys: string[];
}

/** A usage or state problem an operator fixes (exit 2 / 1 in the CLI), not a crash. */
export class BackupError extends Error {}

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function embeddedFile(cfg: NodeConfig): string {
  const file = /^file:([^?#]+)$/.exec(cfg.DATABASE_URL)?.[1];
  if (!file || file.startsWith(':')) {
    throw new BackupError(`backup and restore work on the embedded database (DATABASE_URL=file:…), not ${cfg.DATABASE_URL.replace(/\?.*$/, '')}: back a remote libSQL server up with its own tools`);
  }
  return file;
}

export async function backup(cfg: NodeConfig, dir: string): Promise<BackupManifest> {
  embeddedFile(cfg);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: give a new or empty directory for each backup`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = resolve(dir, BACKUP_DB);
  const { deps, client } = await nodeDeps(cfg, { log: jsonLogger('warn') });
  try {
    // VACUUM INTO reads the database in one read transaction: the copy is the database as of one instant. The
    // head and the count are read back from the copy itself, so they describe exactly what it holds.
    await client.execute({ sql: 'VACUUM INTO ?', args: [target] });
    const copy = createClient({ url: `file:${target}` });
    let head: { seq: number; hash: string | null };
    let deliveries: number;
    try {
      const h = await copy.execute('select seq, hash from audit_log order by seq desc limit 1');
      head = { seq: Number(h.rows[0]?.seq ?? 0), hash: (h.rows[0]?.hash as string | undefined) ?? null };
      deliveries = Number((await copy.execute('select count(*) as n from deliveries')).rows[0]!.n);
    } finally {
      copy.close();
    }
    chmodSync(target, 0o600);
    const keys: string[] = [];
    for (const f of [keyFile(cfg.DATA_DIR), adminTokenFile(cfg.DATA_DIR)]) {
      if (!existsSync(f)) continue;
      const to = join(dir, f.slice(dirname(f).length + 1));
      copyFileSync(f, to);
      chmodSync(to, 0o600);
      keys.push(to.slice(dir.length + 1));
    }
    const manifest: BackupManifest = {
      format: 'fuyuan-backup/1',
      createdAt: deps.clock.now().toISOString(),
      database: { file: BACKUP_DB, bytes: statSync(target).size, sha256: sha256File(target) },
      auditHead: head,
      deliveries,
      keys,
    };
    writeFileSync(join(dir, BACKUP_MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    return manifest;
  } finally {
    client.close();
  }
}

export async function restore(cfg: NodeConfig, dir: string, opts: { force?: boolean } = {}): Promise<{ manifest: BackupManifest; audit: Awaited<ReturnType<typeof verifyAuditChain>> }> {
  const file = embeddedFile(cfg);
  const manifestPath = join(dir, BACKUP_MANIFEST);
  if (!existsSync(manifestPath)) throw new BackupError(`${dir} holds no ${BACKUP_MANIFEST}: not a backup made by \`npm run cli -- backup\``);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BackupManifest;
  if (manifest.format !== 'fuyuan-backup/1') throw new BackupError(`${manifestPath}: unknown backup format ${JSON.stringify(manifest.format)}`);
  const source = join(dir, manifest.database.file);
  if (!existsSync(source) || sha256File(source) !== manifest.database.sha256) throw new BackupError(`${source} does not match ${BACKUP_MANIFEST} (SHA-256): the backup is damaged; nothing was restored`);
  if (existsSync(file) && !opts.force) {
    const c = createClient({ url: `file:${file}` });
    try {
      const has = await c.execute("select count(*) as n from sqlite_master where name = 'deliveries'");
      const n = Number(has.rows[0]!.n) ? Number((await c.execute('select count(*) as n from deliveries')).rows[0]!.n) : 0;
      if (n > 0) throw new BackupError(`${file} already holds ${n} deliveries: stop the gateway and add --force to replace it, or restore into another DATA_DIR`);
    } finally {
      c.close();
    }
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.restoring`;
  copyFileSync(source, tmp);
  chmodSync(tmp, 0o600);
  for (const side of ['-wal', '-shm', '-journal']) rmSync(`${file}${side}`, { force: true });
  renameSync(tmp, file);
  mkdirSync(cfg.DATA_DIR, { recursive: true });
  for (const k of manifest.keys) {
    const to = join(cfg.DATA_DIR, k);
    copyFileSync(join(dir, k), to);
    chmodSync(to, 0o600);
  }
  const { deps, client } = await nodeDeps(cfg, { log: jsonLogger('warn') });
  try {
    return { manifest, audit: await verifyAuditChain(deps) };
  } finally {
    client.close();
  }
}
