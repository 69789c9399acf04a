/**
 * SQLite's refusals as the write port's typed failures (src/writer/types.ts), for every database adapter (the
 * libSQL client, the writer thread, D1). This is the one place that reads the driver's codes and SQLite's message
 * text: "UNIQUE constraint failed: cases.case_number" or "… failed: index 'cases_number'" becomes a WriteConflict
 * naming the table and columns (or index); SQLITE_FULL, SQLITE_READONLY, SQLITE_BUSY/LOCKED and I/O errors a
 * StorageFailure. D1 passes only the message ("D1_ERROR: UNIQUE constraint failed: …: SQLITE_CONSTRAINT").
 */
import { StorageFailure, WriteConflict, WriteSkipped, type StorageFailureKind } from '../../src/writer/types.js';

const STORAGE: { kind: StorageFailureKind; code: RegExp; message: RegExp }[] = [
  { kind: 'full', code: /^SQLITE_FULL/, message: /database or disk is full|SQLITE_FULL/i },
  { kind: 'read-only', code: /^SQLITE_READONLY/, message: /readonly database|read-only database|SQLITE_READONLY/i },
  { kind: 'busy', code: /^(SQLITE_BUSY|SQLITE_LOCKED)/, message: /database is locked|database table is locked|SQLITE_BUSY|SQLITE_LOCKED/i },
  {
    kind: 'unavailable',
    code: /^(SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_CORRUPT|WRITER_STOPPED|WRITER_CLOSED)/,
    message: /disk I\/O error|unable to open database|SQLITE_IOERR|database writer (stopped|closed)/i,
  },
];

function codesOf(err: unknown): string[] {
  const out: string[] = [];
  for (
    let e = err as { code?: unknown; rawCode?: unknown; cause?: unknown } | undefined, depth = 0;
    e && typeof e === 'object' && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string') out.push(e.code);
    if (typeof e.rawCode === 'string') out.push(e.rawCode);
  }
  return out;
}

function messageOf(err: unknown): string {
  const out: string[] = [];
  for (
    let e = err as { message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && typeof e === 'object' && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.message === 'string') out.push(e.message);
  }
  return out.join(' | ');
}

/** The typed failure `err` stands for, or `err` itself when it is neither a conflict nor a storage fault. */
export function typedWriteError(err: unknown): unknown {
  if (err instanceof WriteConflict || err instanceof StorageFailure || err instanceof WriteSkipped) return err;
  const codes = codesOf(err);
  if (codes.includes('WRITE_SKIPPED')) return new WriteSkipped(messageOf(err));
  const text = messageOf(err);
  const unique = /UNIQUE constraint failed: ([^|]*?)(?::\s*SQLITE_\w+)?\s*(?:\||$)/.exec(text);
  if (unique || codes.some((c) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)/.test(c))) {
    const what = unique?.[1]?.trim() ?? '';
    const index = /^index '([^']+)'/.exec(what)?.[1];
    if (index) return new WriteConflict(text, { index });
    const cols = what
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const table = cols[0]?.split('.')[0];
    return new WriteConflict(text, { ...(table ? { table } : {}), columns: cols.map((c) => c.slice(c.indexOf('.') + 1)) });
  }
  for (const k of STORAGE) {
    const code = codes.find((c) => k.code.test(c));
    if (code || k.message.test(text)) return new StorageFailure(text, k.kind, code);
  }
  return err;
}
