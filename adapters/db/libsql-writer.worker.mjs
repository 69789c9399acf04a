// The write connection of an embedded libSQL file, in a worker thread of its own (adapters/db/libsql-writer.ts
// starts it and is its only caller). Plain JavaScript, so it runs the same under tsx, vitest and node.
//
// Each message is one atomic batch: BEGIN IMMEDIATE, every statement, COMMIT; any error rolls back and is sent
// back with SQLite's code and message. The busy wait for another connection's lock (the CLI, another process)
// happens here, never on the event loop that answers requests.
//
// Checkpoints, while the thread is idle. SQLite copies the WAL back into the database file (a checkpoint) inside the
// COMMIT that takes the WAL past 1000 pages (wal_autocheckpoint), so that batch, and every batch queued behind it,
// waits for about 4 MB to be written and synced. Measured with `npm run bench -- intake` (concurrency 8, 256 KiB per
// delivery; a temporary timer around each batch in this thread): a batch took 3–4 ms at the median and 12–13 ms at
// the 90th percentile (a delivery's batch 21 ms), and this thread sat idle 37–49 % of the time between batches. So
// once no batch has come for `idleCheckpointMs` (DATABASE_IDLE_CHECKPOINT_MS, 2 by default), the thread checkpoints
// what the WAL holds (PASSIVE: it never waits for a reader or another process); the checkpoints fall in the gaps,
// the WAL stays short, and the autocheckpoint is left as the backstop for a load without gaps. Alternated with the
// checkpoint in COMMIT alone, `BENCH_INTAKE_ROUNDS=2 BENCH_INTAKE_PER_ROUND=400 BENCH_INTAKE_WARMUP=800 npm run
// bench -- intake`, six pairs of runs: intake 293/283, 391/315, 285/265, 401/333, 291/233 and 250/256 deliveries/s
// (the host's own speed moved the ceiling between 518 and 889/s meanwhile), with 2–3 % more bytes written per
// delivery (a page changed in several transactions is copied more often).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'libsql';

/** Distinct SQL texts kept prepared; a multi-row insert has one text per row count, so the set is small but open. */
const MAX_STATEMENTS = 512;

const db = new Database(workerData.path, { timeout: workerData.timeoutMs });
const statements = new Map();

// Where this thread's time goes, for /metrics (fuyuan_db_writer_seconds_total) and the benchmarks: cumulative counts and
// microseconds in a shared buffer the main thread reads at any time, at the slots adapters/db/libsql-writer.ts names
// (USAGE_SLOTS); no message is sent for it. BEGIN IMMEDIATE is where a batch waits for another connection's write lock,
// COMMIT where SQLite writes and syncs the WAL (and checkpoints, past wal_autocheckpoint).
const USAGE = workerData.usageSlots;
const usage = workerData.usage ? new BigInt64Array(workerData.usage) : null;
/** Count one more of `counter` and add the microseconds since `started` to `micros`. */
function spent(counter, micros, started) {
  if (!usage) return;
  if (counter !== null) Atomics.add(usage, counter, 1n);
  Atomics.add(usage, micros, BigInt(Math.round((performance.now() - started) * 1000)));
}

/** How long the thread waits for the next batch before it checkpoints (see the header); 0: it does not. */
const idleCheckpointMs = workerData.idleCheckpointMs ?? 0;
function checkpoint() {
  const started = performance.now();
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Another connection is checkpointing, or the file cannot be written now: the next idle moment tries again, and a
    // batch that fails says why.
  } finally {
    spent(USAGE.checkpoints, USAGE.checkpointMicros, started);
  }
}
/** Armed by the first batch committed, so a process that only reads (the CLI's read-only commands) never writes. */
let idleCheckpoint;
function checkpointOnceIdle() {
  if (idleCheckpointMs <= 0) return;
  if (idleCheckpoint) idleCheckpoint.refresh();
  else {
    idleCheckpoint = setTimeout(checkpoint, idleCheckpointMs);
    idleCheckpoint.unref();
  }
}

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
  let started = performance.now();
  try {
    db.exec('BEGIN IMMEDIATE');
  } finally {
    spent(USAGE.batches, USAGE.lockWaitMicros, started);
  }
  try {
    started = performance.now();
    try {
      for (const s of list) {
        const stmt = prepare(s.sql);
        // One array argument binds positionally, as @libsql/client passes it.
        const args = s.args.map(bind);
        if (stmt.reader) stmt.all(args);
        else stmt.run(args);
      }
    } finally {
      spent(null, USAGE.statementsMicros, started);
    }
    started = performance.now();
    try {
      db.exec('COMMIT');
    } finally {
      spent(null, USAGE.commitMicros, started);
    }
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
    clearTimeout(idleCheckpoint);
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
    checkpointOnceIdle();
  } catch (e) {
    remember(msg.id, false);
    parentPort.postMessage({
      id: msg.id,
      ok: false,
      error: { message: String(e?.message ?? e), code: typeof e?.code === 'string' ? e.code : undefined, name: e?.name },
    });
  }
});
