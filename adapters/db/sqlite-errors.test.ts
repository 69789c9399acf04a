/**
 * The Db port's typed failures (src/writer/types.ts): a batch that breaks a unique key is refused with a
 * WriteConflict naming the table and columns (or the index), on the embedded file's writer thread and on the plain
 * libSQL client alike, and D1's message form is read the same way; a lock held past the wait is a StorageFailure.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { openLibsql } from './libsql-node.js';
import { libsqlDb } from './libsql.js';
import { typedWriteError } from './sqlite-errors.js';
import { sql } from 'drizzle-orm';
import { RawStmt } from '../../src/lib/raw-insert.js';
import { StorageFailure, WriteConflict } from '../../src/writer/types.js';
import type { Db } from '../../src/deps.js';

let dir: string;
const opened: Client[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuyuan-typed-'));
});
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
  rmSync(dir, { recursive: true, force: true });
});

const stmt = (sql: string, ...args: unknown[]) => new RawStmt(sql, args);
const rejection = async (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

async function gateways(): Promise<[string, Db][]> {
  const file = await openLibsql(`file:${join(dir, 'writer.db')}`, undefined, 100);
  opened.push(file.client);
  // The same port without the writer thread (as for a remote libSQL server).
  const plainClient = createClient({ url: `file:${join(dir, 'plain.db')}` });
  opened.push(plainClient);
  const plain = libsqlDb(plainClient);
  for (const db of [file.db, plain])
    await db.batch([
      stmt('CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, a TEXT, b TEXT, c TEXT)'),
      stmt('CREATE UNIQUE INDEX t_ab ON t (a, b)'),
      stmt('CREATE UNIQUE INDEX t_lower ON t (lower(c))'),
    ]);
  return [
    ['the writer thread', file.db],
    ['the libSQL client', plain],
  ];
}

describe('Db.batch refuses a clash with a typed WriteConflict', () => {
  it('names the table and the columns of a primary key, a unique index, and the index of an expression', async () => {
    for (const [name, db] of await gateways()) {
      await db.batch([stmt("INSERT INTO t VALUES ('1', 'x', 'y', 'c')")]);
      const pk = await rejection(db.batch([stmt("INSERT INTO t VALUES ('2', 'p', 'q', 'p')"), stmt("INSERT INTO t VALUES ('1', 'z', 'z', 'z')")]));
      expect(pk, name).toBeInstanceOf(WriteConflict);
      expect(pk, name).toMatchObject({ table: 't', columns: ['k'] });
      expect((pk as WriteConflict).on('t', 'k')).toBe(true);
      expect((pk as WriteConflict).on('other')).toBe(false);
      const composite = await rejection(db.batch([stmt("INSERT INTO t VALUES ('3', 'x', 'y', 'd')")]));
      expect(composite, name).toMatchObject({ name: 'WriteConflict', table: 't', columns: ['a', 'b'] });
      const expression = await rejection(db.batch([stmt("INSERT INTO t VALUES ('4', 'o', 'o', 'C')")]));
      expect(expression, name).toMatchObject({ name: 'WriteConflict', index: 't_lower' });
      expect((expression as WriteConflict).on('t', 't_lower')).toBe(true);
      // Nothing of the refused batches was stored.
      expect(await db.orm.all(sql`select k from t order by k`), name).toEqual([{ k: '1' }]);
    }
  });

  it("reads D1's message form the same way", () => {
    const e = typedWriteError(new Error('D1_ERROR: UNIQUE constraint failed: cases.case_number: SQLITE_CONSTRAINT'));
    expect(e).toBeInstanceOf(WriteConflict);
    expect(e).toMatchObject({ table: 'cases', columns: ['case_number'] });
    expect(typedWriteError(new Error("D1_ERROR: UNIQUE constraint failed: index 'cases_number': SQLITE_CONSTRAINT"))).toMatchObject({ index: 'cases_number' });
    expect(typedWriteError(new Error('D1_ERROR: database or disk is full: SQLITE_FULL'))).toMatchObject({ name: 'StorageFailure', kind: 'full' });
    const other = new Error('no such table: nope');
    expect(typedWriteError(other)).toBe(other);
  });
});

describe('Db.batch reports a storage fault as a StorageFailure', () => {
  it('a write lock held by another connection past the wait is kind busy, with SQLite code', async () => {
    const db = (await gateways())[0]![1];
    const other = createClient({ url: `file:${join(dir, 'writer.db')}` });
    opened.push(other);
    const tx = await other.transaction('write');
    try {
      await tx.execute("INSERT INTO t VALUES ('held', 'h', 'h', 'h')");
      const e = await rejection(db.batch([stmt("INSERT INTO t VALUES ('5, 'q', 'q', 'q')")]));
      expect(e).toBeInstanceOf(StorageFailure);
      expect(e).toMatchObject({ kind: 'busy', code: expect.stringMatching(/^SQLITE_BUSY/) });
    } finally {
      await tx.rollback();
    }
  });
});
