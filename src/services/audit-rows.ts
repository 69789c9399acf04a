/**
 * Content commitments: the audit log commits to the content of the rows each write stores, so that `audit verify`
 * can re-derive them from the tables as they are and name the first row that no longer matches.
 *
 * Every write that goes through the audit log (src/services/audit.ts) has its statements read here:
 * - an insert made with insertRows (src/lib/raw-insert.ts) carries its table, columns and values;
 * - an update of a covered column is made with auditedUpdate (below), which reads the rows it will change (under
 *   the write lock) and knows what they become;
 * - any other statement that writes a covered column of a covered table is refused (a programming error), so no
 *   fact can change without its digest.
 * The digests of a write go into one more audit record after the write's own ("rows.written"), since some rows
 * (a delivery and its receipt) state the audit head before them.
 *
 * Digest of a row: SHA-256 of the JCS form of { column name: SHA-256 of the JCS form of its value } over its covered
 * columns, with each value as the database holds it (text, integer, null; bytes as { sha256: hex of the bytes }),
 * so each value is hashed once. The first 12 hex digits of each column's digest are kept too, to say which
 * column differs.
 */
import { getTableColumns, getTableName, is, SQL, sql, type Column, type SQLWrapper, type Table } from 'drizzle-orm';
import type { SQLiteTable, SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import type { Deps, Stmt } from '../deps.js';
import { blobs, deliveries, documentAttachments, documents, evidence, obligations } from '../../schemas/db/index.js';
import { canonicalJson, sha256HexSync } from '../lib/encoding.js';
import { RawStmt, statementOf } from '../lib/raw-insert.js';

export interface CoveredTable {
  table: Table;
  name: string;
  /** SQL names of the primary key columns (the row's id in reports: their values joined with '/'). */
  key: string[];
  /** SQL names of the columns committed to (all but those listed in `except`). */
  columns: string[];
  /**
   * Content-addressed bytes: [bytes column, digest column]. When a write commits to such a row, the bytes' digest
   * is the row's own SHA-256 column (intake computed it from those bytes), not hashed again on the hot path;
   * audit verify always hashes the stored bytes.
   */
  addressed?: [string, string];
}

function cover(table: Table, key: string[], except: string[] = [], addressed?: [string, string]): CoveredTable {
  const columns = Object.values(getTableColumns(table) as Record<string, Column>)
    .map((c) => c.name)
    .filter((n) => !except.includes(n))
    .sort();
  return { table, name: getTableName(table), key, columns, ...(addressed ? { addressed } : {}) };
}

/**
 * The stored facts under content commitment. Obligations: what is owed, by when and why, and whether it is settled;
 * which unit or region currently holds it is routing state (assignments, audited by their own records).
 */
export const COVERED: CoveredTable[] = [
  cover(deliveries, ['id']),
  cover(documents, ['id']),
  cover(documentAttachments, ['document_id', 'attachment_id']),
  cover(blobs, ['sha256'], [], ['bytes', 'sha256']),
  cover(evidence, ['id']),
  cover(obligations, ['id'], ['unit_id', 'region_code', 'updated_at']),
];
const byName = new Map(COVERED.map((c) => [c.name, c]));
const byTable = new Map<Table, CoveredTable>(COVERED.map((c) => [c.table, c]));

/** One row's commitment, as kept in a "rows.written" audit record. */
export interface RowDigest {
  /** table */
  t: string;
  /** the row's key: its primary key values joined with '/' */
  k: string;
  /** SHA-256 of the row's covered content (JCS) */
  d: string;
  /** short digest of each covered column, in the order of COVERED's columns */
  c: string[];
  /** an insert that does nothing if the row exists (content-addressed blobs): it commits only if the row is new */
  n?: true;
}

/** A driver value as committed: bytes by their digest, a boolean as SQLite's 0/1. */
function norm(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return { sha256: sha256HexSync(v) };
  if (v instanceof ArrayBuffer) return { sha256: sha256HexSync(new Uint8Array(v)) };
  if (Array.isArray(v)) return { sha256: sha256HexSync(Uint8Array.from(v as number[])) };
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/**
 * The commitment of one row, from its driver values by SQL column name. `trustAddress`: take content-addressed
 * bytes' digest from the row's digest column (writing: intake computed it from those very bytes).
 */
export function rowDigest(ct: CoveredTable, row: Record<string, unknown>, ifNew = false, trustAddress = false): RowDigest {
  const content: Record<string, unknown> = {};
  const c: string[] = [];
  const addressed = trustAddress && ct.addressed && typeof row[ct.addressed[1]] === 'string' ? ct.addressed : null;
  for (const col of ct.columns) {
    const v = addressed && col === addressed[0] ? { sha256: row[addressed[1]] } : norm(row[col]);
    // A string, number or null's JCS form is JSON.stringify's (RFC 8785 §3.2.2): the same bytes, without the
    // canonicaliser's walk over a long text (envelope, receipt).
    const d = sha256HexSync(v !== null && typeof v === 'object' ? canonicalJson(v) : JSON.stringify(v));
    content[col] = d;
    c.push(d.slice(0, 12));
  }
  const out: RowDigest = { t: ct.name, k: ct.key.map((k) => String(row[k])).join('/'), d: sha256HexSync(canonicalJson(content)), c };
  if (ifNew) out.n = true;
  return out;
}

/** Which covered columns of a row differ from its commitment. */
export function columnsDiffering(ct: CoveredTable, row: Record<string, unknown>, committed: RowDigest): string[] {
  const now = rowDigest(ct, row);
  return ct.columns.filter((_, i) => now.c[i] !== committed.c[i]);
}

/** The pending commitments of auditedUpdate statements: read when the write is sealed. */
const updated = new WeakMap<object, { ct: CoveredTable; set: Record<string, unknown>; where: SQL }>();

/** Driver values by SQL name, from a row in drizzle's JS form (keys and values as a select returns them). */
function toDriver(table: Table, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(getTableColumns(table) as Record<string, Column>)) {
    const v = row[k];
    out[col.name] = v === null || v === undefined ? null : col.mapToDriverValue(v);
  }
  return out;
}

/**
 * An UPDATE of a covered table whose result is committed to the audit log: use it in place of
 * `deps.db.orm.update(table).set(set).where(where)` inside an audited write. When the write is sealed (under the
 * write lock, just before its batch) the rows `where` matches are read and `set` applied to them, and the content
 * they are left with goes into the write's "rows.written" record. `set` takes plain values only (no SQL
 * expressions: the new content must be known). The one call a service makes to change a stored fact, e.g. an
 * obligation closed or its due date recomputed (issue #16).
 */
export function auditedUpdate<T extends SQLiteTable>(deps: Deps, table: T, set: SQLiteUpdateSetSource<T>, where: SQL | SQLWrapper | undefined): Stmt {
  const ct = byTable.get(table);
  const stmt = deps.db.orm.update(table).set(set).where(where as SQL);
  if (!ct) return stmt;
  for (const [k, v] of Object.entries(set as Record<string, unknown>)) if (is(v, SQL)) throw new Error(`auditedUpdate of ${ct.name}.${k}: an SQL expression cannot be committed to; pass the value`);
  updated.set(stmt, { ct, set: set as Record<string, unknown>, where: where as SQL });
  return stmt;
}

const WRITE = /^\s*(insert\s+(or\s+\w+\s+)?into|update|delete\s+from|replace\s+into)\s+"?(\w+)"?/i;

/** The set columns of an UPDATE's text (drizzle writes `update "t" set "a" = ?, "b" = ? where …`). */
const setColumns = (text: string): string[] => {
  const m = /\bset\s+([\s\S]*?)(\bwhere\b|\breturning\b|$)/i.exec(text);
  return m ? [...m[1]!.matchAll(/"(\w+)"\s*=/g)].map((x) => x[1]!) : [];
};

/**
 * The row commitments of a write's statements (see the header). Throws for a statement that would change a
 * covered fact without its commitment.
 */
export async function digestsOf(deps: Pick<Deps, 'db'>, items: Stmt[]): Promise<RowDigest[]> {
  const out: RowDigest[] = [];
  for (const item of items) {
    if (item instanceof RawStmt) {
      const ins = item.inserted;
      const ct = ins && byTable.get(ins.table);
      if (ins && ct) {
        const width = ins.names.length;
        const omitted = ct.columns.filter((n) => !ins.names.includes(n)).map((n) => [n, defaultOf(ct, n)] as const);
        for (let i = 0; i < item.args.length; i += width) {
          const row: Record<string, unknown> = {};
          for (let j = 0; j < width; j++) row[ins.names[j]!] = item.args[i + j];
          for (const [n, v] of omitted) row[n] = v;
          out.push(rowDigest(ct, row, ins.onConflictDoNothing, true));
        }
        continue;
      }
      if (ins) continue;
      guard(item.sql);
      continue;
    }
    const u = updated.get(item);
    if (u) {
      const before = (await deps.db.orm.select().from(u.ct.table as SQLiteTable).where(u.where)) as Record<string, unknown>[];
      for (const r of before) out.push(rowDigest(u.ct, toDriver(u.ct.table, { ...r, ...u.set })));
      continue;
    }
    guard(statementOf(item).sql);
  }
  return out;
}

function defaultOf(ct: CoveredTable, name: string): unknown {
  const col = Object.values(getTableColumns(ct.table) as Record<string, Column>).find((c) => c.name === name)!;
  if (col.default === undefined) return null;
  if (is(col.default, SQL)) throw new Error(`${ct.name}.${name} has an SQL default: insert it explicitly so its content can be committed to`);
  return col.mapToDriverValue(col.default);
}

function guard(text: string): void {
  const m = WRITE.exec(text);
  if (!m) return;
  const ct = byName.get(m[3]!);
  if (!ct) return;
  const verb = m[1]!.toLowerCase();
  if (verb === 'update') {
    const touched = setColumns(text).filter((c) => ct.columns.includes(c));
    if (touched.length === 0) return;
    throw new Error(`an update of ${ct.name} (${touched.join(', ')}) without its content digest: use auditedUpdate (src/services/audit-rows.ts)`);
  }
  throw new Error(`a write to ${ct.name} without its content digest: use insertRows (inserts) or auditedUpdate (src/services/audit-rows.ts)`);
}

/** Every row of a covered table, as the database holds it, a page at a time (for audit verify). */
export async function* rowsOf(deps: Deps, ct: CoveredTable, pageSize = 1000): AsyncGenerator<Record<string, unknown>> {
  let after = 0;
  for (;;) {
    const page = (await deps.db.orm.all(sql.raw(`select rowid as "__rowid", * from "${ct.name}" where rowid > ${after} order by rowid limit ${pageSize}`))) as Record<string, unknown>[];
    if (page.length === 0) return;
    for (const r of page) yield r;
    after = Number(page.at(-1)!.__rowid);
  }
}

export const keyOf = (ct: CoveredTable, row: Record<string, unknown>): string => ct.key.map((k) => String(row[k])).join('/');
export const coveredTable = (name: string): CoveredTable | undefined => byName.get(name);
