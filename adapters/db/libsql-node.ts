/** Node: open a libSQL database (embedded file by default) and apply migrations/ (drizzle-kit output). */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { fileURLToPath } from 'node:url';
import { secureDatabaseFile, secureDatabaseSideFiles } from '../node/data-files.js';
import { libsqlDb } from './libsql.js';
import { IDLE_CHECKPOINT_MS, LibsqlWriter } from './libsql-writer.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** How long a write waits for another connection's lock before it fails with SQLITE_BUSY (then 503 database-busy). */
export const BUSY_TIMEOUT_MS = 5000;

export async function openLibsql(url: string, authToken?: string, busyTimeoutMs = BUSY_TIMEOUT_MS, idleCheckpointMs = IDLE_CHECKPOINT_MS) {
  const filePath = /^file:([^?#]+)/.exec(url)?.[1];
  // Owner-only: the file (and so its -wal and -shm) 0600, a directory made for it 0700.
  if (filePath && !filePath.startsWith(':')) secureDatabaseFile(filePath);
  // `timeout` is the busy timeout of every pooled connection to a file (a CLI writing while the server runs
  // waits instead of failing with SQLITE_BUSY); a PRAGMA would reach only one connection of the pool.
  const client = createClient({ url, authToken, timeout: busyTimeoutMs });
  if (url.startsWith('file:')) {
    // WAL (kept in the file) lets readers go on while a delivery commits.
    await client.execute('PRAGMA journal_mode = WAL');
    // The -wal and -shm SQLite just made, by path: the open connection's locks must not be touched.
    if (filePath && !filePath.startsWith(':')) secureDatabaseSideFiles(filePath);
  }
  await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  const file = /^file:([^?#]+)$/.exec(url)?.[1];
  const closeClient = client.close.bind(client);
  if (!file || file.startsWith(':')) return { client, db: libsqlDb(client), close: async () => closeClient() };
  // An embedded file: atomic batches go through one write connection that keeps its statements prepared.
  // `close()` settles when that connection's thread has closed the file; client.close() starts the same close
  // without waiting (for callers that only end the process).
  const writer = new LibsqlWriter(file, busyTimeoutMs, idleCheckpointMs);
  client.close = () => {
    void writer.close();
    closeClient();
  };
  const close = async () => {
    await writer.close();
    closeClient();
  };
  return { client, db: libsqlDb(client, writer), close };
}
