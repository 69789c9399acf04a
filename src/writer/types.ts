/**
 * The write path's port (issue 20): what the services need to change stored facts. One Writer per process owns the
 * unit of work: the write lock, group commit, the audit log's head and Merkle edge, content commitments and signed
 * heads (src/writer/writer.ts). Its failures are typed: a clash with a row already there is a WriteConflict naming
 * the table and columns (or index), a storage fault a StorageFailure; the database adapters make them from what the
 * driver reports, so no caller reads SQLite's message text.
 */
import type { Stmt } from '../deps.js';

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  data: unknown;
}

export interface AuditHead {
  seq: number;
  hash: string;
  /** Merkle root (RFC 9162) of the first `seq` records, hex. */
  root: string;
}

/** Build a write's statements, knowing the audit head as it will be after the write's own records (a receipt states it). */
export type WriteBuild<T> = (head: AuditHead, at: Date) => Promise<{ items: Stmt[]; result: T }>;

export interface WritePlan<T> {
  entries: AuditEntry[];
  build: WriteBuild<T>;
}

/** A unique or primary-key constraint refused the batch: another write stored that row first. */
export class WriteConflict extends Error {
  /** The table, when the driver names its columns. */
  readonly table: string | undefined;
  /** The columns of the constraint (SQL names), when named. */
  readonly columns: string[];
  /** The unique index, when the driver names it instead of the columns. */
  readonly index: string | undefined;
  constructor(message: string, at: { table?: string; columns?: string[]; index?: string }) {
    super(message);
    this.name = 'WriteConflict';
    this.table = at.table;
    this.columns = at.columns ?? [];
    this.index = at.index;
  }
  /** Whether the conflict is on `table` (and, when given, on one of these columns or this index). */
  on(table: string, columnOrIndex?: string): boolean {
    if (this.table !== undefined && this.table !== table) return false;
    if (this.table === undefined && !this.index) return false;
    if (columnOrIndex === undefined) return this.table === table || !!this.index?.startsWith(table);
    return this.columns.includes(columnOrIndex) || this.index === columnOrIndex;
  }
}

export type StorageFailureKind = 'full' | 'read-only' | 'busy' | 'unavailable';

/** The storage could not take the write (disk full, read-only, locked past the wait, I/O error, writer gone). */
export class StorageFailure extends Error {
  readonly kind: StorageFailureKind;
  /** The driver's own code (SQLITE_FULL, SQLITE_BUSY…), for the log. */
  readonly code: string | undefined;
  constructor(message: string, kind: StorageFailureKind, code?: string) {
    super(message);
    this.name = 'StorageFailure';
    this.kind = kind;
    this.code = code;
  }
}

/**
 * A batch of a sequence (Db.sequence) that was not run because the batch sent before it did not commit. Nothing of
 * it was written: the writer sends its writes again.
 */
export class WriteSkipped extends Error {
  constructor(message = 'the batch before it in its sequence did not commit') {
    super(message);
    this.name = 'WriteSkipped';
  }
}

export interface Writer {
  /**
   * Plan and commit under the write lock: `plan` runs inside it (so it may read state the write depends on, e.g.
   * whether a case is still queued); its audit entries and statements go in ONE batch.
   */
  planned<T>(plan: () => Promise<WritePlan<T>>, at?: Date): Promise<T>;
  /** Commit fixed entries with the statements `build` makes (planned, with nothing to read first). */
  audited<T>(entries: AuditEntry[], build: WriteBuild<T>, at?: Date): Promise<T>;
  /**
   * Plan OUTSIDE the lock, commit with the writes that are ready together (group commit). When the batch meets a
   * conflict `replan` accepts (another write stored the same new case first), the plan is made again.
   */
  optimistic<T>(plan: () => Promise<WritePlan<T>>, replan: (c: WriteConflict) => boolean, at?: Date): Promise<T>;
  /** Run `work`, a request that will commit through optimistic once it has checked its input: a group waits for it briefly. */
  announce<T>(work: () => Promise<T>): Promise<T>;
  /** Sign the current head now, unless a signed head already covers it (the CLI, and at shutdown). */
  checkpoint(): Promise<AuditHead>;
  /** Forget the cached head (the log was changed by other means, e.g. a restore). */
  forget(): void;
  /** Writes announced and not finished, and writes queued for the next group (for /metrics and tests). */
  stats(): { announced: number; queued: number };
}
