/**
 * bench/intake, step 7 (issue 20, the intake/ceiling ratio): where a delivery's writes go, page by page, and how
 * fast this machine's disk takes synced writes.
 *
 * Both routes of the run above store the same 256 KiB per delivery, and the ceiling's rate is bounded by the disk:
 * every byte is written twice (to the WAL at commit, to the database file at checkpoint), so a route's bytes written
 * per delivery bound its rate at the disk's rate. What intake writes beside the attachment is the pages of every
 * B-tree (table or index) its transaction touches: SQLite writes a changed page whole, however few bytes of it
 * changed, so a B-tree costs a page per transaction (or per delivery, where the rows of a group land on different
 * pages). This step counts them:
 *
 * - walPages: the real app in-process on a fresh database (nodeDeps + createApp, the sender registered as the
 *   server registers it); per round, the WAL is checkpointed and truncated, `group` deliveries are sent at once
 *   (the writer groups them as it groups concurrent deliveries), and every frame of the WAL is mapped to its B-tree
 *   by page number (SQLite's dbstat, read after the round) and counted; commit frames count the transactions;
 * - syncWriteRate: bytes written per second to a file in the data directory, each `chunk` followed by fdatasync
 *   (a commit of that size), as SQLite's WAL is written: the rate both routes share.
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { createApp } from '../../src/app.js';
import { registerSender } from '../../src/services/senders.js';

export interface WalPages {
  pageSize: number;
  deliveries: number;
  transactions: number;
  /** WAL frames (pages) written per delivery, all B-trees. */
  framesPerDelivery: number;
  /** Of them, the attachment's own (the blobs table's overflow pages): what any route storing the bytes writes. */
  attachmentPerDelivery: number;
  /** Deliveries sent at once per round, and the distinct B-trees (tables and indexes) a round wrote. */
  group: number;
  treesPerRound: number;
  /** Frames per delivery by B-tree (overflow and interior pages counted with their B-tree), most first. */
  byTree: { name: string; perDelivery: number }[];
}

/** WAL file layout (sqlite.org/fileformat.html §4.1): a 32-byte header, then frames of a 24-byte header and a page. */
function walFrames(wal: Buffer): { pageSize: number; pages: number[]; commits: number } {
  if (wal.length < 32) return { pageSize: 0, pages: [], commits: 0 };
  const pageSize = wal.readUInt32BE(8);
  const pages: number[] = [];
  let commits = 0;
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    pages.push(wal.readUInt32BE(off));
    // The database size after the commit, in pages: non-zero only in a transaction's last frame.
    if (wal.readUInt32BE(off + 4) !== 0) commits++;
  }
  return { pageSize, pages, commits };
}

/**
 * `requests(round)`: the `group` delivery requests of one round (fresh messages, each with its own attachment),
 * answered 201. Rounds before `warm` are sent but not counted: the first cases, senders and caches, and a database of
 * some size (on an empty one every index is a single page, and a delivery writes fewer pages than it will in use).
 */
export async function walPages(
  dir: string,
  sender: { code: string; caPem: string },
  requests: (round: number) => Promise<Request[]>,
  rounds: number,
  warm = 3,
): Promise<WalPages> {
  const dbPath = join(dir, 'fuyuan.db');
  // No idle checkpoint: it could let the WAL start over between two transactions of a round, and the round's frames
  // are counted from the file (the pages a delivery writes are the same either way).
  const cfg = parseNodeConfig({ DATA_DIR: dir, DATABASE_URL: `file:${dbPath}`, LOG_LEVEL: 'warn', DATABASE_IDLE_CHECKPOINT_MS: '0' });
  const { deps, client } = await nodeDeps(cfg);
  try {
    await registerSender(deps, { code: sender.code, type: 'court', name: '基准测试法院 (bench court)', caPem: sender.caPem }, 'bench');
    const app = createApp(deps);
    const counts = new Map<string, number>();
    let deliveries = 0;
    let transactions = 0;
    let frames = 0;
    let attachment = 0;
    let trees = 0;
    let pageSize = 0;
    for (let r = 0; r < warm + rounds; r++) {
      const reqs = await requests(r);
      // Every frame in the WAL after this is the round's: the checkpoint copied the rest and truncated the file.
      const [cp] = (await client.execute('PRAGMA wal_checkpoint(TRUNCATE)')).rows;
      if (Number(cp?.busy ?? 0) !== 0) throw new Error('wal-pages: the checkpoint before a round could not complete (a reader held it)');
      const answers = await Promise.all(reqs.map((q) => app.fetch(q)));
      for (const a of answers) if (a.status !== 201) throw new Error(`wal-pages: a delivery was answered ${a.status}: ${(await a.text()).slice(0, 400)}`);
      if (r < warm) continue;
      const wal = walFrames(readFileSync(`${dbPath}-wal`));
      pageSize = wal.pageSize;
      const rows = (
        await client.execute(
          'SELECT d.name AS name, d.pageno AS pageno, d.pagetype AS pagetype, s.tbl_name AS tbl FROM dbstat d JOIN sqlite_schema s ON s.name = d.name',
        )
      ).rows;
      const byPage = new Map(rows.map((x) => [Number(x.pageno), { name: String(x.name), overflow: x.pagetype === 'overflow', table: String(x.tbl) }]));
      const touched = new Set<string>();
      for (const p of wal.pages) {
        const at = byPage.get(p);
        // Page 1 holds the schema's root and the file header (its change counter is written by every transaction).
        const name = at?.name ?? (p === 1 ? 'sqlite_schema' : '(freed)');
        counts.set(name, (counts.get(name) ?? 0) + 1);
        touched.add(name);
        if (at?.table === 'blobs' && at.overflow) attachment++;
      }
      deliveries += reqs.length;
      transactions += wal.commits;
      frames += wal.pages.length;
      trees += touched.size;
    }
    return {
      pageSize,
      deliveries,
      transactions,
      framesPerDelivery: frames / deliveries,
      attachmentPerDelivery: attachment / deliveries,
      group: deliveries / rounds,
      treesPerRound: trees / rounds,
      byTree: [...counts].map(([name, n]) => ({ name, perDelivery: n / deliveries })).sort((a, b) => b.perDelivery - a.perDelivery),
    };
  } finally {
    client.close();
  }
}

/** Bytes per second the disk under `dir` takes when each `chunk` bytes are followed by fdatasync; `total` in all. */
export function syncWriteRate(dir: string, chunk: number, total: number): number {
  const file = join(dir, 'sync-write-rate.tmp');
  const buf = Buffer.alloc(chunk, 0x5a);
  const fd = openSync(file, 'w');
  try {
    const t0 = performance.now();
    for (let written = 0; written < total; written += chunk) {
      writeSync(fd, buf);
      fdatasyncSync(fd);
    }
    return total / ((performance.now() - t0) / 1000);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}
