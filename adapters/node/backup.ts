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
 * database that already holds deliveries unless --force (and then keeps what it replaces), writes the file under a temporary name and renames it
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
    throw new BackupError(
      `backup and restore work on the embedded database (DATABASE_URL=file:…), not ${cfg.DATABASE_URL.replace(/\?.*$/, '')}: back a remote libSQL server up with its own tools`,
    );
  }
  return file;
}

/**
 * The rest of a backup once DIR/fuyuan.db is written: the copy owner-only, the gateway's keys and admin token
 * beside it, and backup.json with the copy's size and SHA-256 (what restore checks).
 */
function finishBackup(cfg: NodeConfig, dir: string, facts: { createdAt: Date; auditHead: BackupManifest['auditHead']; deliveries: number }): BackupManifest {
  const target = join(dir, BACKUP_DB);
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
    createdAt: facts.createdAt.toISOString(),
    database: { file: BACKUP_DB, bytes: statSync(target).size, sha256: sha256File(target) },
    auditHead: facts.auditHead,
    deliveries: facts.deliveries,
    keys,
  };
  writeFileSync(join(dir, BACKUP_MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

export async function backup(cfg: NodeConfig, dir: string): Promise<BackupManifest> {
  embeddedFile(cfg);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: give a new or empty directory for each backup`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = resolve(dir, BACKUP_DB);
  const { deps, client, close } = await nodeDeps(cfg, { log: jsonLogger('warn') });
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
    return finishBackup(cfg, dir, { createdAt: deps.clock.now(), auditHead: head, deliveries });
  } finally {
    await close();
  }
}

/** What a database file holds, read without the gateway: its deliveries and audit head (0 / null when empty or new). */
async function contentsOf(file: string): Promise<{ deliveries: number; auditHead: { seq: number; hash: string | null } }> {
  const c = createClient({ url: `file:${file}` });
  try {
    const tables = new Set(
      (await c.execute("select name from sqlite_master where type = 'table' and name in ('deliveries', 'audit_log')")).rows.map((r) => String(r.name)),
    );
    const deliveries = tables.has('deliveries') ? Number((await c.execute('select count(*) as n from deliveries')).rows[0]!.n) : 0;
    const h = tables.has('audit_log') ? (await c.execute('select seq, hash from audit_log order by seq desc limit 1')).rows[0] : undefined;
    return { deliveries, auditHead: { seq: Number(h?.seq ?? 0), hash: (h?.hash as string | undefined) ?? null } };
  } finally {
    c.close();
  }
}

export interface RestoreResult {
  manifest: BackupManifest;
  audit: Awaited<ReturnType<typeof verifyAuditChain>>;
  /** With --force over a database that held deliveries: where the replaced database and keys were kept, and what they held. */
  replaced: { dir: string; deliveries: number; auditHead: { seq: number; hash: string | null } } | null;
}

/**
 * Restore. Over a database that holds deliveries it refuses, saying what would be lost, unless --force; with
 * --force the replaced database (a consistent copy by VACUUM INTO, its -wal included) and the replaced keys are
 * first kept in `replaced-<time>/` beside the database, as a backup (with its backup.json) that `restore` can put back.
 */
export async function restore(cfg: NodeConfig, dir: string, opts: { force?: boolean } = {}): Promise<RestoreResult> {
  const file = embeddedFile(cfg);
  const manifestPath = join(dir, BACKUP_MANIFEST);
  if (!existsSync(manifestPath)) throw new BackupError(`${dir} holds no ${BACKUP_MANIFEST}: not a backup made by \`npm run cli -- backup\``);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BackupManifest;
  if (manifest.format !== 'fuyuan-backup/1') throw new BackupError(`${manifestPath}: unknown backup format ${JSON.stringify(manifest.format)}`);
  const source = join(dir, manifest.database.file);
  if (!existsSync(source) || sha256File(source) !== manifest.database.sha256)
    throw new BackupError(`${source} does not match ${BACKUP_MANIFEST} (SHA-256): the backup is damaged; nothing was restored`);
  const live = existsSync(file) ? await contentsOf(file) : null;
  if (live && live.deliveries > 0 && !opts.force) {
    const newer =
      live.auditHead.seq > manifest.auditHead.seq
        ? `, audit head #${live.auditHead.seq} against the backup's #${manifest.auditHead.seq} (taken ${manifest.createdAt}): restoring would lose what came after the backup`
        : '';
    throw new BackupError(
      `${file} already holds ${live.deliveries} deliveries (the backup ${manifest.deliveries})${newer}. Nothing was changed. ` +
        'Stop the gateway and add --force to replace it (the replaced database and keys are kept beside it in replaced-<time>/), or restore into another DATA_DIR',
    );
  }
  mkdirSync(dirname(file), { recursive: true });
  let replaced: RestoreResult['replaced'] = null;
  if (live && live.deliveries > 0) {
    const keep = join(dirname(file), `replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(keep, { mode: 0o700 });
    const c = createClient({ url: `file:${file}` });
    try {
      await c.execute({ sql: 'VACUUM INTO ?', args: [join(keep, BACKUP_DB)] });
    } finally {
      c.close();
    }
    // A backup like any other (backup.json included): `restore <keep> --force` puts it back.
    finishBackup(cfg, keep, { createdAt: new Date(), ...live });
    replaced = { dir: keep, ...live };
  }
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
  const { deps, close } = await nodeDeps(cfg, { log: jsonLogger('warn') });
  try {
    return { manifest, audit: await verifyAuditChain(deps), replaced };
  } finally {
    await close();
  }
}
