// The write connection of an embedded libSQL file, in a worker thread of its own (adapters/db/libsql-writer.ts
// starts it and is its only caller). Plain JavaScript, so it runs the same under tsx, vitest and node.
//
// Each message is one atomic batch: BEGIN IMMEDIATE, every statement, COMMIT; any error rolls back and is sent
// back with SQLite's code and message. The busy wait for another connection's lock (the CLI, another process)
// happens here, never on the event loop that answers requests.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'libsql';

/** Distinct SQL texts kept prepared; a multi-row insert has one text per row count, so the set is small but open. */
const MAX_STATEMENTS = 512;

const db = new Database(workerData.path, { timeout: workerData.timeoutMs });
const statements = new Map();

function prepare(sql) {
  let stmt = statements.get(sql);
  if (!stmt) {
    if (statements.size >= MAX_STATEMENTS) statements.clear();
    stmt = db.prepare(sql);
    statements.set(sql, stmt);
  }
  return stmt;
}

/** Bytes arrive as Uint8Array (structured clone); the driver binds a Buffer as a BLOB. */
const bind = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

function runBatch(list) {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const s of list) {
      const stmt = prepare(s.sql);
      // One array argument binds positionally, as @libsql/client passes it.
      const args = s.args.map(bind);
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

// What became of recent batches (id → committed), for a batch sent to run only after another (`after`): it runs only
// if that one committed. Batches are handled in the order they arrive, so `after` has always been handled already;
// one not found here (the thread started again since) did not commit.
const outcomes = new Map();
const OUTCOMES_KEPT = 256;
function remember(id, committed) {
  outcomes.set(id, committed);
  if (outcomes.size > OUTCOMES_KEPT) outcomes.delete(outcomes.keys().next().value);
}

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    statements.clear();
    db.close();
    parentPort.close();
    return;
  }
  if (msg.after !== undefined && outcomes.get(msg.after) !== true) {
    remember(msg.id, false);
    parentPort.postMessage({
      id: msg.id,
      ok: false,
      error: { message: 'batch skipped: the batch it was sent after did not commit', code: 'WRITE_SKIPPED' },
    });
    return;
  }
  try {
    runBatch(msg.statements);
    remember(msg.id, true);
    parentPort.postMessage({ id: msg.id, ok: true });
  } catch (e) {
    remember(msg.id, false);
    parentPort.postMessage({
      id: msg.id,
      ok: false,
      error: { message: String(e?.message ?? e), code: typeof e?.code === 'string' ? e.code : undefined, name: e?.name },
    });
  }
});
