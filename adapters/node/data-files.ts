/**
 * The data directory holds litigant data, secret hashes, the gateway's keys and the admin token: owner-only.
 * The directory is 0700 and the database file with its -wal and -shm 0600 (SQLite gives its -wal and -shm the
 * mode of the database file, so the file is created 0600 before SQLite opens it).
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** Create (or tighten) the data directory. */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  chmodSync(dir, DATA_DIR_MODE);
}

/**
 * Before SQLite opens a database file (no connection to it in this process yet): its directory exists, the file
 * exists 0600, and so do -wal and -shm if present.
 */
export function secureDatabaseFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
  secureDatabaseSideFiles(path);
}

/**
 * Once a connection is open: the file, -wal and -shm 0600, by path only. Never open and close the database file
 * here: closing any descriptor of a file drops every POSIX lock this process holds on it, SQLite's included
 * (sqlite.org/howtocorrupt.html §2.2), and SQLite, not knowing, goes on as if it held them. With that open and
 * close after the first connection, the kill -9 under load test (test/gateway-process.test.ts) lost acknowledged
 * deliveries in every run (the WAL was gone from DATA_DIR after the kill) and `audit verify` once read a
 * "malformed" database; without it, none.
 */
export function secureDatabaseSideFiles(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(p)) chmodSync(p, DATA_FILE_MODE);
}
