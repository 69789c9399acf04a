/**
 * The write connection of an embedded libSQL file (adapters/db/libsql-writer.ts): every batch is atomic, errors
 * keep SQLite's message (intake tells a repeated message from a clash by it), values are converted as
 * @libsql/client converts them, the client's reads see what it committed, and once idle it checkpoints the WAL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { LibsqlWriter } from './libsql-writer.js';
import { openLibsql } from './libsql-node.js';
import { insertRows } from '../../src/lib/raw-insert.js';
import { auditLog } from '../../schemas/db/index.js';

let dir: string;
let client: Client;
let writer: LibsqlWriter;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-writer-'));
  const path = join(dir, 'w.db');
  client = createClient({ url: `file:${path}` });
  await client.execute('PRAGMA journal_mode = WAL');
  await client.execute('CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, n INTEGER, flag INTEGER, at INTEGER, bytes BLOB)');
  writer = new LibsqlWriter(path, 5000);
});
afterEach(async () => {
  await writer.close();
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = async () => (await client.execute('SELECT k, n, flag, at, bytes FROM t ORDER BY k')).rows.map((r) => ({ ...r }));

describe('LibsqlWriter', () => {
  it('commits a batch as one transaction, and the client reads what it committed', async () => {
    await writer.batch([
      { sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['a', 1] },
      { sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['b', 2] },
      { sql: 'UPDATE t SET n = n + 10 WHERE k = ?', args: ['a'] },
    ]);
    expect((await rows()).map((r) => [r.k, r.n])).toEqual([
      ['a', 11],
      ['b', 2],
    ]);
  });

  it('a batch that breaks a constraint changes nothing, and the error names the constraint as SQLite does', async () => {
    await writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['a', 1] }]);
    const clash = writer.batch([
      { sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['b', 2] },
      { sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['a', 3] },
    ]);
    await expect(clash).rejects.toThrow('UNIQUE constraint failed: t.k');
    await expect(clash).rejects.toMatchObject({ name: 'WriteError', code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
    expect((await rows()).map((r) => [r.k, r.n])).toEqual([['a', 1]]);
    // The connection is usable again: no transaction was left open.
    await writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['c', 4] }]);
    expect((await rows()).map((r) => r.k)).toEqual(['a', 'c']);
  });

  it('converts values as @libsql/client does: Date to milliseconds, boolean to 0/1, bytes to a BLOB', async () => {
    const at = new Date('2026-11-23T10:00:00.000Z');
    await writer.batch([{ sql: 'INSERT INTO t (k, flag, at, bytes) VALUES (?, ?, ?, ?)', args: ['a', true, at, new Uint8Array([1, 2, 255])] }]);
    await writer.batch([{ sql: 'INSERT INTO t (k, flag, at, bytes) VALUES (?, ?, ?, ?)', args: ['b', false, null, new Uint8Array([9]).buffer] }]);
    const [a, b] = await rows();
    expect(a).toMatchObject({ k: 'a', flag: 1, at: at.getTime() });
    expect([...new Uint8Array(a!.bytes as ArrayBuffer)]).toEqual([1, 2, 255]);
    expect(b).toMatchObject({ k: 'b', flag: 0, at: null });
    expect([...new Uint8Array(b!.bytes as ArrayBuffer)]).toEqual([9]);
    await expect(writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['c', undefined] }])).rejects.toThrow(/undefined/);
    await expect(writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['c', Number.NaN] }])).rejects.toThrow(/finite/);
    expect((await rows()).map((r) => r.k)).toEqual(['a', 'b']);
  });

  it('runs statements that return rows (RETURNING) inside a batch', async () => {
    await writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?) RETURNING k', args: ['r', 5] }]);
    expect((await rows()).map((r) => [r.k, r.n])).toEqual([['r', 5]]);
  });

  it('keeps working past the number of statements it keeps prepared', async () => {
    // A distinct SQL text per batch (as multi-row inserts of different sizes are): 600 > the 512 kept.
    for (let i = 0; i < 600; i++) await writer.batch([{ sql: `INSERT INTO t (k, n) VALUES (?, ${i})`, args: [`k${String(i).padStart(3, '0')}`] }]);
    const all = await rows();
    expect(all).toHaveLength(600);
    expect(all[599]).toMatchObject({ k: 'k599', n: 599 });
  });
});

describe('LibsqlWriter off the event loop', () => {
  it("waits for another connection's write lock in its own thread: timers run meanwhile, and the batch commits once the lock is free", async () => {
    const other = createClient({ url: `file:${join(dir, 'w.db')}` });
    try {
      // Another process (the CLI, say) holds the write lock.
      const tx = await other.transaction('write');
      await tx.execute({ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['held', 0] });
      const write = writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['mine', 1] }]);
      // The event loop is free while the writer waits: 20 timer turns of 10 ms pass.
      let turns = 0;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 10));
        turns++;
      }
      expect(turns).toBe(20);
      await tx.commit();
      await write;
      expect((await rows()).map((r) => r.k)).toEqual(['held', 'mine']);
    } finally {
      other.close();
    }
  });

  it("a lock held past the busy timeout fails the batch with SQLite's code SQLITE_BUSY, and changes nothing", async () => {
    const impatient = new LibsqlWriter(join(dir, 'w.db'), 50);
    const other = createClient({ url: `file:${join(dir, 'w.db')}` });
    try {
      const tx = await other.transaction('write');
      await expect(impatient.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['late', 1] }])).rejects.toMatchObject({
        name: 'WriteError',
        code: expect.stringMatching(/^SQLITE_BUSY/),
      });
      await tx.rollback();
      expect(await rows()).toEqual([]);
      // The writer is usable again.
      await impatient.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['later', 2] }]);
      expect((await rows()).map((r) => r.k)).toEqual(['later']);
    } finally {
      impatient.close();
      other.close();
    }
  });

  it('once idle, copies what it committed from the WAL into the database file, below the autocheckpoint threshold', async () => {
    const file = join(dir, 'w.db');
    const before = statSync(file).size;
    // 1 MiB: 256 pages, well below SQLite's autocheckpoint (1000 pages), which alone would leave them in the WAL.
    const bytes = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    await writer.batch([{ sql: 'INSERT INTO t (k, bytes) VALUES (?, ?)', args: ['big', bytes] }]);
    // The checkpoint runs a moment after the batch, on the writer's thread: wait for the file to take the pages.
    const deadline = Date.now() + 10_000;
    while (statSync(file).size < before + bytes.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(file).size).toBeGreaterThanOrEqual(before + bytes.length);
    // Still one committed row, whole.
    const [row] = await rows();
    expect(row!.k).toBe('big');
    expect(Buffer.from(row!.bytes as ArrayBuffer).equals(Buffer.from(bytes))).toBe(true);
  });

  it('with idleCheckpointMs 0 (DATABASE_IDLE_CHECKPOINT_MS=0) leaves the pages in the WAL until SQLite checkpoints', async () => {
    const file = join(dir, 'w.db');
    const quiet = new LibsqlWriter(file, 5000, 0);
    try {
      const before = statSync(file).size;
      await quiet.batch([{ sql: 'INSERT INTO t (k, bytes) VALUES (?, ?)', args: ['big', new Uint8Array(1024 * 1024)] }]);
      // Far longer than the idle wait of the default writer (2 ms), which by then had copied the pages.
      await new Promise((r) => setTimeout(r, 300));
      expect(statSync(file).size).toBe(before);
    } finally {
      await quiet.close();
    }
  });
});

describe('LibsqlWriter usage (fuyuan_db_writer_* in /metrics)', () => {
  it('counts every transaction it begins, committed or not, and the time its statements and commits took', async () => {
    expect(writer.usage()).toEqual({ batches: 0, checkpoints: 0, seconds: { lockWait: 0, statements: 0, commit: 0, checkpoint: 0 } });
    for (let i = 0; i < 5; i++) await writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: [`k${i}`, i] }]);
    await expect(writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['k0', 9] }])).rejects.toThrow(/UNIQUE/);
    // A value refused before anything is sent begins no transaction.
    await expect(writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['k9', undefined] }])).rejects.toThrow(/undefined/);
    const u = writer.usage();
    expect(u.batches).toBe(6);
    expect(u.seconds.statements).toBeGreaterThan(0);
    expect(u.seconds.commit).toBeGreaterThan(0);
  });

  it("counts a wait for another connection's write lock as lock wait, not as commit", async () => {
    const other = createClient({ url: `file:${join(dir, 'w.db')}` });
    try {
      const tx = await other.transaction('write');
      const write = writer.batch([{ sql: 'INSERT INTO t (k, n) VALUES (?, ?)', args: ['mine', 1] }]);
      await new Promise((r) => setTimeout(r, 300));
      await tx.commit();
      await write;
      const { seconds } = writer.usage();
      // The batch waited in BEGIN IMMEDIATE for most of the time the lock was held; its own work took far less.
      expect(seconds.lockWait).toBeGreaterThan(10 * (seconds.statements + seconds.commit));
    } finally {
      other.close();
    }
  });

  it('counts the checkpoints it runs once idle, with their time', async () => {
    await writer.batch([{ sql: 'INSERT INTO t (k, bytes) VALUES (?, ?)', args: ['big', new Uint8Array(256 * 1024)] }]);
    // The checkpoint runs a moment after the batch, on the writer's thread: wait for it to be counted.
    const deadline = Date.now() + 10_000;
    while (writer.usage().checkpoints === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const u = writer.usage();
    expect(u.checkpoints).toBe(1);
    expect(u.seconds.checkpoint).toBeGreaterThan(0);
  });
});

describe('openLibsql on a file', () => {
  it('keeps batches atomic: raw inserts and drizzle builders alike, and a clash names the constraint', async () => {
    const url = `file:${join(dir, 'gateway.db')}`;
    const { client: c, db } = await openLibsql(url);
    try {
      const rec = (seq: number) => ({
        seq,
        at: new Date(0),
        actor: 'a',
        action: 'x',
        subject: 's',
        data: '{}',
        dataDigest: 'd',
        prevHash: 'p',
        hash: `h${seq}`,
      });
      await db.batch([insertRows(auditLog, [rec(1)]), db.orm.insert(auditLog).values(rec(2))]);
      await expect(db.batch([insertRows(auditLog, [rec(3)]), insertRows(auditLog, [rec(2)])])).rejects.toThrow(/UNIQUE constraint failed: audit_log\.seq/);
      const seqs = (await db.orm.select({ seq: auditLog.seq }).from(auditLog)).map((r) => r.seq);
      expect(seqs).toEqual([1, 2]);
    } finally {
      c.close();
    }
  });

  it('close() settles after every batch sent before it is committed and the thread is gone; later batches are refused', async () => {
    const { db, close } = await openLibsql(`file:${join(dir, 'closing', 'gateway.db')}`);
    const row = (seq: number) => ({ seq, at: new Date(0), actor: 'a', action: 'x', subject: 's', data: '{}', dataDigest: 'd', prevHash: 'p', hash: `h${seq}` });
    const settled: number[] = [];
    const sent = [1, 2, 3].map((seq) => db.batch([insertRows(auditLog, [row(seq)])]).then(() => settled.push(seq)));
    await close();
    // Nothing of the writer is left running once close() settles: a caller may remove or copy the directory.
    expect(settled).toEqual([1, 2, 3]);
    await Promise.all(sent);
    await expect(db.batch([insertRows(auditLog, [row(4)])])).rejects.toThrow(/database writer closed/);
    const again = await openLibsql(`file:${join(dir, 'closing', 'gateway.db')}`);
    expect((await again.db.orm.select({ seq: auditLog.seq }).from(auditLog)).map((r) => r.seq)).toEqual([1, 2, 3]);
    await again.close();
  });
});
