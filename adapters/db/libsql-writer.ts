/**
 * The write connection of an embedded libSQL file (Node), in a worker thread of its own
 * (libsql-writer.worker.mjs): one connection runs every atomic batch with its prepared statements kept, and a
 * commit, a checkpoint or a wait for another process's write lock never blocks the event loop that answers
 * requests (issue 20: another process holding the lock for 8 s froze every endpoint, `/healthz` included, when
 * the batch ran on the main thread). Reads stay on the client (WAL: they do not wait for the writer).
 *
 * Why a connection of its own at all: @libsql/client prepares each statement again on every call and probes every
 * write statement with raw(); an intake batch has about ten statements, and preparing and probing them took about
 * 0.4 ms of the main thread per delivery in a profile of `npm run bench -- intake`.
 *
 * Where the thread's time goes (lock waits, statements, COMMIT, checkpoints) is counted in a buffer shared with it and
 * read by usage(), for /metrics (fuyuan_db_writer_seconds_total) and `npm run bench -- intake`.
 *
 * Values are converted here, as @libsql/client converts them, before they cross to the thread (a bad value fails
 * the batch before anything is sent). Errors come back as WriteError with SQLite's code (`SQLITE_CONSTRAINT_UNIQUE`,
 * `SQLITE_BUSY`, `SQLITE_FULL` …) and message ("UNIQUE constraint failed: deliveries.sender_code, …").
 */
import { Worker } from 'node:worker_threads';
import type { WriterUsage } from '../../src/deps.js';

/** How long the writer thread waits for the next batch before it checkpoints the WAL, by default. */
export const IDLE_CHECKPOINT_MS = 2;

/** A batch refused by SQLite: its code (e.g. SQLITE_BUSY) and its own message. */
export class WriteError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'WriteError';
    this.code = code;
  }
}

/** What @libsql/client does to an argument before it reaches the driver. */
function toSql(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
  return value;
}

type Reply = { id: number; ok: true } | { id: number; ok: false; error: { message: string; code?: string } };

/** Slots of the shared usage buffer, which libsql-writer.worker.mjs fills (counts, and microseconds). */
const USAGE_SLOTS = { batches: 0, lockWaitMicros: 1, statementsMicros: 2, commitMicros: 3, checkpoints: 4, checkpointMicros: 5 } as const;

export class LibsqlWriter {
  readonly #path: string;
  readonly #timeoutMs: number;
  readonly #idleCheckpointMs: number;
  #worker: Worker | undefined;
  #next = 1;
  readonly #pending = new Map<number, { resolve(): void; reject(e: Error): void }>();
  #closed = false;
  #exited: Promise<void> = Promise.resolve();
  /** Written by the thread (Atomics), read here: see WriterUsage. */
  readonly #usage = new BigInt64Array(new SharedArrayBuffer(8 * Object.keys(USAGE_SLOTS).length));

  /**
   * `idleCheckpointMs`: once no batch has come for this long, the thread checkpoints the WAL (libsql-writer.worker.mjs
   * says why); 0: only SQLite's autocheckpoint, inside a COMMIT.
   */
  constructor(path: string, timeoutMs: number, idleCheckpointMs = IDLE_CHECKPOINT_MS) {
    this.#path = path;
    this.#timeoutMs = timeoutMs;
    this.#idleCheckpointMs = idleCheckpointMs;
    this.#start();
  }

  #start(): Worker {
    const worker = new Worker(new URL('./libsql-writer.worker.mjs', import.meta.url), {
      workerData: {
        path: this.#path,
        timeoutMs: this.#timeoutMs,
        idleCheckpointMs: this.#idleCheckpointMs,
        usage: this.#usage.buffer,
        usageSlots: USAGE_SLOTS,
      },
    });
    worker.on('message', (r: Reply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) worker.unref();
      if (r.ok) p.resolve();
      else p.reject(new WriteError(r.error.message, r.error.code));
    });
    const fail = (e: Error) => {
      // The thread is gone (a crash in the driver, or it could not open the file): every batch it held fails,
      // nothing of them was committed that SQLite did not commit; the next batch starts a new thread.
      if (this.#worker === worker) this.#worker = undefined;
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        p.reject(new WriteError(`database writer stopped: ${e.message}`, 'WRITER_STOPPED'));
      }
    };
    worker.on('error', fail);
    this.#exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        fail(new Error(`exit ${code}`));
        resolve();
      }),
    );
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  /** Where the writer thread's time went so far (WriterUsage). */
  usage(): WriterUsage {
    const n = (slot: number) => Number(Atomics.load(this.#usage, slot));
    const s = (slot: number) => n(slot) / 1e6;
    return {
      batches: n(USAGE_SLOTS.batches),
      checkpoints: n(USAGE_SLOTS.checkpoints),
      seconds: {
        lockWait: s(USAGE_SLOTS.lockWaitMicros),
        statements: s(USAGE_SLOTS.statementsMicros),
        commit: s(USAGE_SLOTS.commitMicros),
        checkpoint: s(USAGE_SLOTS.checkpointMicros),
      },
    };
  }

  /** All statements in one IMMEDIATE transaction, in the writer's thread: every one applies or none does. */
  batch(statements: { sql: string; args: unknown[] }[]): Promise<void> {
    return this.send(statements).done;
  }

  /**
   * As batch, and `after`: the id of a batch sent earlier; this one runs only if that one committed, else it is
   * refused (code WRITE_SKIPPED) having written nothing. Batches run in the order they are sent, so a caller may
   * send the next before the last has committed. The id names this batch for the next one.
   */
  send(statements: { sql: string; args: unknown[] }[], after?: number): { id: number; done: Promise<void> } {
    const id = this.#next++;
    if (this.#closed) return { id, done: Promise.reject(new WriteError('database writer closed', 'WRITER_CLOSED')) };
    let converted: { sql: string; args: unknown[] }[];
    try {
      converted = statements.map((s) => ({ sql: s.sql, args: s.args.map(toSql) }));
    } catch (e) {
      // Never sent: the thread has no outcome for this id, so a batch sent after it is refused, as it must be.
      return { id, done: Promise.reject(e as Error) };
    }
    const worker = this.#worker ?? this.#start();
    const done = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, statements: converted, ...(after === undefined ? {} : { after }) });
    });
    return { id, done };
  }

  /**
   * Batches already sent are finished first (messages are handled in order); then the connection closes. The
   * promise settles when the thread is gone, so its files (the -wal and -shm SQLite removes on the last close) are
   * no longer touched: a caller that removes or copies the data directory awaits it.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#worker?.ref();
      this.#worker?.postMessage({ type: 'close' });
    }
    return this.#worker ? this.#exited : Promise.resolve();
  }
}
