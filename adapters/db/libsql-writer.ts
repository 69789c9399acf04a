/**
 * The write connection of an embedded libSQL file (Node): one connection that runs every atomic batch, with its
 * prepared statements kept. @libsql/client prepares each statement again on every call and probes every write
 * statement with raw(), which throws for a statement that returns no rows; an intake batch has about ten
 * statements, and in a CPU profile of `npm run bench -- intake` preparing and probing them took about 0.4 ms of
 * the main thread per delivery. Reads stay on the client.
 *
 * The same driver (`libsql`, the native binding @libsql/client itself uses for `file:` URLs), the same file, the
 * same busy timeout. Values are converted as @libsql/client converts them, and errors keep SQLite's message
 * ("UNIQUE constraint failed: deliveries.sender_code, …"), which callers match to tell a repeat from a clash.
 */
import Database from 'libsql';

type Prepared = ReturnType<Database.Database['prepare']>;

/** Distinct SQL texts kept; a multi-row insert has one text per row count, so the set is small but open-ended. */
const MAX_STATEMENTS = 512;

/** What @libsql/client does to an argument before it reaches the driver. */
function toSql(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
  return value;
}

export class LibsqlWriter {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Prepared>();

  constructor(path: string, timeoutMs: number) {
    this.#db = new Database(path, { timeout: timeoutMs });
  }

  #prepare(sql: string): Prepared {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      if (this.#statements.size >= MAX_STATEMENTS) this.#statements.clear();
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** All statements in one IMMEDIATE transaction: every one applies or none does. */
  batch(statements: { sql: string; args: unknown[] }[]): void {
    const db = this.#db;
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const s of statements) {
        const stmt = this.#prepare(s.sql);
        // One array argument binds positionally, as @libsql/client passes it.
        const args = s.args.map(toSql) as unknown as [];
        if (stmt.reader) stmt.all(args);
        else stmt.run(args);
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // Report the batch's own error, not the failed rollback's (the next BEGIN then says what is wrong).
        }
      }
      throw e;
    }
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}
