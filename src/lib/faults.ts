/**
 * Storage faults said as such (issue 20): a full disk, a read-only database, a write lock held past the bounded
 * wait, an I/O error. Each becomes a 503 (507 for a full disk) problem with a stable type and Retry-After,
 * instead of a generic 500, and marks the gateway not ready (GET /readyz) until the Retry-After has passed
 * without another such failure: back to ready by itself once writes succeed again.
 *
 * A failed write arrives typed (StorageFailure, made by the database adapter: adapters/db/sqlite-errors.ts). A
 * failed read, or a blob store's ENOSPC/EROFS, is recognised here by the driver's code, else by its message (D1
 * passes only the message). Runtime-neutral.
 */
import type { Deps } from '../deps.js';
import { Problem, type ProblemSlug } from './problem.js';
import { slot } from './process-state.js';
import { StorageFailure, type StorageFailureKind } from '../writer/types.js';

/** The last storage fault and until when /readyz says not ready. */
const LAST_FAULT = slot<{ fault?: { slug: string; until: number } }>('storage-fault', () => ({}));

export interface StorageFault {
  slug: Extract<ProblemSlug, 'storage-full' | 'storage-read-only' | 'database-busy' | 'storage-unavailable'>;
  retryAfterSeconds: number;
  detail: string;
}

const KINDS: { slug: StorageFault['slug']; code: RegExp; message: RegExp; retryAfterSeconds: number; detail: string }[] = [
  {
    slug: 'storage-full',
    code: /^(SQLITE_FULL|ENOSPC)/,
    message: /database or disk is full|SQLITE_FULL|ENOSPC|no space left/i,
    retryAfterSeconds: 300,
    detail: "the gateway's storage is full: nothing of this request was stored; send it again later (the operator has been alerted)",
  },
  {
    slug: 'storage-read-only',
    code: /^(SQLITE_READONLY|EROFS)/,
    message: /readonly database|read-only database|SQLITE_READONLY|EROFS/i,
    retryAfterSeconds: 60,
    detail: "the gateway's database is read-only right now: nothing of this request was stored; send it again later",
  },
  {
    slug: 'database-busy',
    code: /^(SQLITE_BUSY|SQLITE_LOCKED)/,
    message: /database is locked|database table is locked|SQLITE_BUSY|SQLITE_LOCKED/i,
    retryAfterSeconds: 5,
    detail: 'the database stayed locked by another writer past the wait limit: nothing of this request was stored; send it again',
  },
  {
    slug: 'storage-unavailable',
    code: /^(SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_CORRUPT|WRITER_STOPPED|EIO)/,
    message: /disk I\/O error|unable to open database|SQLITE_IOERR|database writer stopped/i,
    retryAfterSeconds: 30,
    detail: 'the gateway could not write to its storage: nothing of this request was stored; send it again later',
  },
];

const SLUG_OF: Record<StorageFailureKind, StorageFault['slug']> = {
  full: 'storage-full',
  'read-only': 'storage-read-only',
  busy: 'database-busy',
  unavailable: 'storage-unavailable',
};

function codesOf(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') out.push(e.code);
    if (typeof (e as { rawCode?: unknown }).rawCode === 'string') out.push((e as { rawCode: string }).rawCode);
  }
  return out;
}

function messagesOf(err: unknown): string {
  const out: string[] = [];
  for (let e = err as { message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.message === 'string') out.push(e.message);
  }
  return out.join(' | ');
}

/** The storage fault an error stands for, or null when it is something else. */
export function storageFaultOf(err: unknown): StorageFault | null {
  if (err instanceof Problem) return null;
  if (err instanceof StorageFailure) {
    const k = KINDS.find((x) => x.slug === SLUG_OF[err.kind])!;
    return { slug: k.slug, retryAfterSeconds: k.retryAfterSeconds, detail: k.detail };
  }
  const codes = codesOf(err);
  const text = messagesOf(err);
  for (const k of KINDS) {
    if (codes.some((c) => k.code.test(c)) || k.message.test(text)) return { slug: k.slug, retryAfterSeconds: k.retryAfterSeconds, detail: k.detail };
  }
  return null;
}

/** Remember the fault so /readyz says "not ready" until its Retry-After has passed without another. */
export function noteStorageFault(deps: Deps, fault: StorageFault): void {
  deps.state.get(LAST_FAULT).fault = { slug: fault.slug, until: deps.clock.now().getTime() + fault.retryAfterSeconds * 1000 };
}

/** The fault still in force at this instant, if any. */
export function currentStorageFault(deps: Deps): { slug: string; until: number } | null {
  const box = deps.state.get(LAST_FAULT);
  const f = box.fault;
  if (!f) return null;
  if (f.until <= deps.clock.now().getTime()) {
    delete box.fault;
    return null;
  }
  return f;
}

export const faultProblem = (fault: StorageFault) => new Problem(fault.slug, fault.detail, { retryAfterSeconds: fault.retryAfterSeconds });
