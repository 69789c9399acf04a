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
 * columns that are not NULL, with each value as the database holds it (text, integer; bytes as { sha256: hex of the
 * bytes }), so each value is hashed once. The first 12 hex digits of each covered column's digest (NULL's too) are
 * kept as well, to say which column differs.
 *
 * Why NULL is left out: the schema grows. A nullable column added to a covered table (ALTER TABLE … ADD, no default)
 * is NULL in every row stored before it, and those rows keep the commitment they were written with, so `audit
 * verify` does not report every earlier row after an upgrade. A column added with a non-NULL default, a migration
 * that fills earlier rows, or a table newly added to COVERED changes rows the log committed to (or never saw), and
 * needs its own audited step; audit-rows.test.ts holds the migrations to the first kind.
 */
import { and, Column, getTableColumns, getTableName, is, isNull, or, Param, SQL, sql, type InferInsertModel, type SQLWrapper, type Table } from 'drizzle-orm';
import {
  getTableConfig,
  SQLiteDeleteBase,
  SQLiteInsertBase,
  SQLiteUpdateBase,
  type SQLiteColumn,
  type SQLiteInsertValue,
  type SQLiteTable,
  type SQLiteUpdateSetSource,
} from 'drizzle-orm/sqlite-core';
import type { Deps, Statements, Stmt } from '../deps.js';
import {
  assignments,
  blobs,
  calendarDataVersions,
  calendarFeedTokens,
  calendarOverrides,
  calendarPublishedYears,
  caseSteps,
  cases,
  clients,
  deliveries,
  directorySnapshots,
  documentAttachments,
  documents,
  evidence,
  legalAdvisers,
  meetingPacks,
  notificationChannels,
  obligations,
  outbox,
  periodicRuns,
  queueItems,
  receiptTimestamps,
  regionPolicies,
  remediationItems,
  reminders,
  revocationRechecks,
  routingDecisions,
  senderCas,
  senders,
  suggestionSteps,
  suggestions,
  timestampBatches,
} from '../../schemas/db/index.js';
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
  // Sorted as RFC 8785 §3.2.3 sorts member names (UTF-16 code units, which is what sort() compares).
  const columns = Object.values(getTableColumns(table) as Record<string, Column>)
    .map((c) => c.name)
    .filter((n) => !except.includes(n))
    .sort();
  // An integer-like name would be put first by any JS object, whatever the order it was added in (rowDigest relies
  // on insertion order).
  for (const n of columns) if (/^(0|[1-9]\d*)$/.test(n)) throw new Error(`${getTableName(table)}.${n}: a column named as an integer cannot be committed to`);
  return { table, name: getTableName(table), key, columns, ...(addressed ? { addressed } : {}) };
}

/**
 * The stored facts under content commitment, and why each other table is not one (issue #19: "no change, deletion
 * or insertion of any stored fact passes audit verify unnamed"). Columns left out are named with their reason.
 *
 * Covered, every column unless said:
 * - deliveries, documents, document_attachments, blobs (bytes by SHA-256), evidence: what courts sent and what we
 *   signed back.
 * - obligations, except unit_id, region_code, updated_at: who currently holds an obligation is routing state,
 *   itself committed by assignments and queue_items; updated_at only says when.
 * - cases, assignments, routing_decisions, queue_items (the justice bureau's routing queue), case_steps,
 *   suggestions, suggestion_steps: the case file and who answers for it.
 * - reminders (fired, cancelled), remediation_items, periodic_runs: what the gateway told whom, and when.
 * - outbox, except attempts, next_attempt_at, lease_until, lease_holder, last_error: the message, its destination,
 *   and whether it was sent (status, sent_at) are facts; the retry bookkeeping changes on every failed attempt and
 *   says nothing a court or unit relies on.
 * - notification_channels (the secret by its sealed bytes, as stored), clients (the secret's hash), senders and
 *   sender_cas (whom we trust), calendar_feed_tokens (the token's hash): who may speak to and for the gateway.
 * - region_policies, calendar_overrides, calendar_published_years, calendar_data_versions, directory_snapshots,
 *   legal_advisers: the rules the deadlines and routing were computed with.
 * - meeting_packs (frozen, signed figures), revocation_rechecks (the outcome of a soft-fail re-check, except
 *   checked_at: when the sweep last looked), timestamp_batches and receipt_timestamps (RFC 3161 tokens over receipts).
 *
 * Not covered:
 * - audit_log, audit_checkpoints, audit_tree: the log itself, checked by its hash chain, the signed heads and the
 *   Merkle tree (verifyAuditChain).
 * - revocation_crls, revocation_ocsp, revocation_crl_sources: a cache of what the certificate authorities publish.
 *   Each CRL and OCSP response is signed by its issuer and checked against it whenever it is used; a lost or stale
 *   entry is fetched again. What a revocation status decided about a delivery is a fact, and is covered
 *   (deliveries, revocation_rechecks).
 * - case_revisions: intake's optimistic guard (src/services/case-revisions.ts), a counter that decides only which of
 *   two writes planned from one view of a case goes first; the facts those writes store are covered.
 * - __drizzle_migrations: the schema's version, not data.
 */
export const COVERED: CoveredTable[] = [
  cover(deliveries, ['id']),
  cover(documents, ['id']),
  cover(documentAttachments, ['document_id', 'attachment_id']),
  cover(blobs, ['sha256'], [], ['bytes', 'sha256']),
  cover(evidence, ['id']),
  cover(obligations, ['id'], ['unit_id', 'region_code', 'updated_at']),
  cover(cases, ['id']),
  cover(assignments, ['id']),
  cover(routingDecisions, ['document_id']),
  cover(queueItems, ['id']),
  cover(caseSteps, ['id']),
  cover(suggestions, ['id']),
  cover(suggestionSteps, ['id']),
  cover(reminders, ['id']),
  cover(remediationItems, ['id']),
  cover(periodicRuns, ['id']),
  cover(outbox, ['id'], ['attempts', 'next_attempt_at', 'lease_until', 'lease_holder', 'last_error']),
  cover(notificationChannels, ['id']),
  cover(clients, ['id']),
  cover(senders, ['code']),
  cover(senderCas, ['id']),
  cover(calendarFeedTokens, ['unit_id']),
  cover(regionPolicies, ['region_code']),
  cover(calendarOverrides, ['date']),
  cover(calendarPublishedYears, ['year']),
  cover(calendarDataVersions, ['id']),
  cover(directorySnapshots, ['version']),
  cover(legalAdvisers, ['id']),
  cover(meetingPacks, ['id']),
  cover(revocationRechecks, ['delivery_id'], ['checked_at']),
  cover(timestampBatches, ['id']),
  cover(receiptTimestamps, ['delivery_id']),
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
  /** the row was deleted by this write (d and c empty) */
  x?: true;
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
    if (v === null) {
      // NULL is left out of the content (the row digest), so a nullable column added to a covered table later
      // leaves the commitments of the rows stored before it valid; its short digest keeps the column's place.
      c.push(nullShort());
      continue;
    }
    // A string or number's JCS form is JSON.stringify's (RFC 8785 §3.2.2): the same bytes, without the
    // canonicaliser's walk over a long text (envelope, receipt).
    const d = sha256HexSync(typeof v === 'object' ? canonicalJson(v) : JSON.stringify(v));
    content[col] = d;
    c.push(d.slice(0, 12));
  }
  // `content` has its members in JCS order (ct.columns is sorted, no name is integer-like) and every value is a hex
  // string, so JSON.stringify gives its JCS form byte for byte (RFC 8785 §3.2: JCS is ECMAScript's JSON
  // serialisation with the members sorted); src/services/audit-rows.test.ts checks it against the canonicaliser.
  const k = ct.key.map((name) => String(row[name])).join('/');
  const d = sha256HexSync(JSON.stringify(content));
  // Members in JCS order (c, d, k, n, t, x), here and in deletedRow: rowsWrittenJson serialises a list of these
  // without the canonicaliser.
  return ifNew ? { c, d, k, n: true, t: ct.name } : { c, d, k, t: ct.name };
}

/** The short digest of NULL (the first 12 hex digits of SHA-256 of its JCS form, `null`). */
let nullShortDigest: string | undefined;
const nullShort = (): string => (nullShortDigest ??= sha256HexSync('null').slice(0, 12));

/** The commitment to a row's deletion: no content, its key only. */
export const deletedRow = (ct: CoveredTable, k: string): RowDigest => ({ c: [], d: '', k, t: ct.name, x: true });

/**
 * The data of a "rows.written" audit record, { rows }, in its JCS form (RFC 8785). Every RowDigest is made with its
 * members in JCS order and holds hex digests, table names and keys, so JSON.stringify gives the JCS form byte for
 * byte, as long as no key holds a lone surrogate (JCS refuses those; the canonicaliser then says so, as before).
 * src/services/audit-rows.test.ts checks it against the canonicaliser.
 */
export function rowsWrittenJson(rows: RowDigest[]): string {
  for (const r of rows) if (LONE_SURROGATE.test(r.k)) return canonicalJson({ rows });
  return JSON.stringify({ rows });
}
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether a row still matches its commitment, and if not, which covered columns differ. The row digest decides; the
 * short digests name the columns where the commitment has one per column covered now (a commitment made before a
 * nullable column was added has fewer, and its row is then named as a whole).
 */
export function rowDiffers(ct: CoveredTable, row: Record<string, unknown>, committed: RowDigest): { differs: boolean; columns: string[] } {
  const now = rowDigest(ct, row);
  if (now.d === committed.d) return { differs: false, columns: [] };
  return { differs: true, columns: committed.c.length === ct.columns.length ? ct.columns.filter((_, i) => now.c[i] !== committed.c[i]) : [] };
}

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
 * An UPDATE of a covered table whose result is committed to the audit log. Any drizzle update of a covered table
 * inside an audited write is committed to (digestsOf reads the rows it matches, under the write lock, and applies
 * its `set`); this helper only refuses, where the statement is made, a `set` with SQL expressions, whose result
 * cannot be known before the write. Kept as the one name services use to change a stored fact, e.g. an obligation
 * closed or its due date recomputed (issue #16).
 */
export function auditedUpdate<T extends SQLiteTable>(deps: Statements, table: T, set: SQLiteUpdateSetSource<T>, where: SQL | SQLWrapper | undefined): Stmt {
  const ct = byTable.get(table);
  if (ct)
    for (const [k, v] of Object.entries(set as Record<string, unknown>))
      if (is(v, SQL)) throw new Error(`auditedUpdate of ${ct.name}.${k}: an SQL expression cannot be committed to; pass the value`);
  return deps.db.orm
    .update(table)
    .set(set)
    .where(where as SQL);
}

/** Pending upserts (auditedUpsert): what each inserts, on which columns it conflicts, and what it sets then. */
const upserts = new WeakMap<object, { ct: CoveredTable; rows: Record<string, unknown>[]; target: Column[]; set: Record<string, unknown> }>();

/**
 * `insert … on conflict (target) do update set …` of a covered table, committed to: for each row, the row that is
 * already there (matched on `target`) with `set` applied, or the new row. `set` takes plain values only.
 */
export function auditedUpsert<T extends SQLiteTable>(
  deps: Statements,
  table: T,
  rows: InferInsertModel<T>[],
  target: Column[],
  set: SQLiteUpdateSetSource<T>,
): Stmt {
  for (const [k, v] of Object.entries(set as Record<string, unknown>))
    if (is(v, SQL)) throw new Error(`auditedUpsert of ${getTableName(table)}.${k}: an SQL expression cannot be committed to; pass the value`);
  const stmt = deps.db.orm
    .insert(table)
    .values(rows as SQLiteInsertValue<T>[])
    .onConflictDoUpdate({ target: target as SQLiteColumn[], set });
  const ct = byTable.get(table);
  if (ct) upserts.set(stmt, { ct, rows: rows as Record<string, unknown>[], target, set: set as Record<string, unknown> });
  return stmt;
}

const WRITE = /^\s*(insert\s+(or\s+\w+\s+)?into|update|delete\s+from|replace\s+into)\s+"?(\w+)"?/i;

/** The set columns of an UPDATE's text (drizzle writes `update "t" set "a" = ?, "b" = ? where …`). */
const setColumns = (text: string): string[] => {
  const m = /\bset\s+([\s\S]*?)(\bwhere\b|\breturning\b|$)/i.exec(text);
  return m ? [...m[1]!.matchAll(/"(\w+)"\s*=/g)].map((x) => x[1]!) : [];
};

/** drizzle's query builders keep what they will write in `config` (drizzle-orm/sqlite-core/query-builders). */
interface BuilderConfig {
  table: Table;
  values?: Record<string, unknown>[];
  select?: unknown;
  set?: Record<string, unknown>;
  where?: SQL;
  from?: unknown;
  joins?: unknown[];
}
const configOf = (item: Stmt): BuilderConfig | undefined => (item as unknown as { config?: BuilderConfig }).config;

/** A plain JS value from a builder's Param (drizzle wraps each value with its column). */
function plain(ct: CoveredTable, key: string, v: unknown): unknown {
  if (is(v, Param)) return v.value;
  if (is(v, SQL) || is(v, Column)) throw new Error(`a write to ${ct.name}.${key} with an SQL expression cannot be committed to: pass the value`);
  return v;
}

/** Unique constraints other than the key, by table: an insert that does nothing on conflict may hit one of them. */
const uniques = new WeakMap<Table, Column[][]>();
function uniqueSets(ct: CoveredTable): Column[][] {
  let u = uniques.get(ct.table);
  if (!u) {
    u = getTableConfig(ct.table as SQLiteTable)
      .indexes.filter((i) => i.config.unique && !i.config.where)
      .map((i) => i.config.columns as Column[]);
    uniques.set(ct.table, u);
  }
  return u;
}

/**
 * The row commitments of a write's statements (see the header): inserts (insertRows, or drizzle's insert),
 * updates and deletes (drizzle's, whose matching rows are read under the write lock), and upserts (auditedUpsert).
 * Statements of one write (and of the writes before it in one group commit, through `seen`) see each other's rows in order. Throws for a statement that would change a covered fact
 * in a way that cannot be committed to (raw SQL, an SQL expression as a value, an upsert made without
 * auditedUpsert).
 */
export type ProducedRows = Map<string, Record<string, unknown> | null>;

export async function digestsOf(deps: Pick<Deps, 'db'>, items: Stmt[], seen: ProducedRows = new Map()): Promise<RowDigest[]> {
  const out: RowDigest[] = [];
  // `seen`: rows this write (and the writes committed before it in the same transaction: a group) has produced so
  // far, by table and key (driver values; null: deleted), for its later statements.
  const put = (ct: CoveredTable, row: Record<string, unknown>, trustAddress = false) => {
    const d = rowDigest(ct, row, false, trustAddress);
    seen.set(`${ct.name}\u0000${d.k}`, row);
    out.push(d);
  };
  /** An insert that does nothing on conflict: committed only if it will write (no row with its key or a unique value). */
  const insertIfNew = async (ct: CoveredTable, row: Record<string, unknown>) => {
    const sets = uniqueSets(ct);
    if (sets.length === 0) {
      // Keyed by the primary key alone (a content-addressed blob): verify keeps the first commitment of the key.
      const d = rowDigest(ct, row, true, true);
      if (!seen.has(`${ct.name}\u0000${d.k}`)) out.push(d);
      return;
    }
    if (seen.has(`${ct.name}\u0000${keyOf(ct, row)}`)) return;
    const cols = Object.values(getTableColumns(ct.table) as Record<string, Column>);
    const byName = (n: string) => cols.find((c) => c.name === n)!;
    const conds = [ct.key.map(byName), ...sets].map((set) => and(...set.map((c) => (row[c.name] === null ? isNull(c) : sql`${c} = ${row[c.name]}`))));
    const hit = await deps.db.orm
      .select({ one: sql`1` })
      .from(ct.table as SQLiteTable)
      .where(or(...conds))
      .limit(1);
    if (hit.length === 0) put(ct, row, true);
  };
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
          if (ins.onConflictDoNothing) await insertIfNew(ct, row);
          else put(ct, row, true);
        }
        continue;
      }
      if (ins) continue;
      guard(item.sql);
      continue;
    }
    const up = upserts.get(item);
    if (up) {
      for (const r of up.rows) {
        const row = withDefaults(up.ct, r);
        const match = and(...up.target.map((c) => sql`${c} = ${row[c.name]}`));
        const [existing] = (await deps.db.orm
          .select()
          .from(up.ct.table as SQLiteTable)
          .where(match)
          .limit(1)) as Record<string, unknown>[];
        if (!existing) put(up.ct, row);
        else {
          const base = seen.get(`${up.ct.name}\u0000${keyOf(up.ct, toDriver(up.ct.table, existing))}`) ?? toDriver(up.ct.table, existing);
          put(up.ct, { ...base, ...toDriver(up.ct.table, { ...fromDriver(up.ct.table, base), ...up.set }) });
        }
      }
      continue;
    }
    const cfg = configOf(item);
    const ct = cfg?.table && byTable.get(cfg.table);
    if (!cfg || !ct) {
      guard(statementOf(item).sql);
      continue;
    }
    if (is(item, SQLiteInsertBase)) {
      if (!cfg.values || cfg.select) throw new Error(`an insert into ${ct.name} from a select cannot be committed to: insert the values`);
      const text = statementOf(item).sql;
      if (/\bdo\s+update\b/i.test(text)) throw new Error(`an upsert of ${ct.name} without its content digest: use auditedUpsert (src/services/audit-rows.ts)`);
      const ifNew = /\bon\s+conflict\b[\s\S]*\bdo\s+nothing\b/i.test(text);
      for (const v of cfg.values) {
        const js: Record<string, unknown> = {};
        for (const [k, p] of Object.entries(v)) js[k] = plain(ct, k, p);
        const row = withDefaults(ct, js);
        if (ifNew) await insertIfNew(ct, row);
        else put(ct, row);
      }
      continue;
    }
    if (is(item, SQLiteUpdateBase) || is(item, SQLiteDeleteBase)) {
      if (cfg.from || cfg.joins?.length) throw new Error(`an update of ${ct.name} with a join cannot be committed to`);
      // The rows it changes: those of the database it matches that this write has not touched yet, and those this
      // write has already produced (inserted, or changed by an earlier statement) that it matches as they now are.
      const matched: Record<string, unknown>[] = [];
      for (const r of (await deps.db.orm
        .select()
        .from(ct.table as SQLiteTable)
        .where(cfg.where)) as Record<string, unknown>[]) {
        const stored = toDriver(ct.table, r);
        if (!seen.has(`${ct.name}\u0000${keyOf(ct, stored)}`)) matched.push(stored);
      }
      for (const [k, row] of seen) if (row && k.startsWith(`${ct.name}\u0000`) && (await matchesAsProduced(deps, ct, row, cfg.where))) matched.push(row);
      if (is(item, SQLiteDeleteBase)) {
        for (const r of matched) {
          const k = keyOf(ct, r);
          seen.set(`${ct.name}\u0000${k}`, null);
          out.push(deletedRow(ct, k));
        }
        continue;
      }
      const set: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(cfg.set ?? {})) set[k] = plain(ct, k, p);
      for (const base of matched) put(ct, { ...base, ...toDriver(ct.table, { ...fromDriver(ct.table, base), ...set }) });
      continue;
    }
    guard(statementOf(item).sql);
  }
  return out;
}

/**
 * Does `where` match a row as this write has produced it (not in the database yet)? Asked of SQLite itself, over
 * the row as a one-row table of the same name, so the condition means exactly what it will mean in the batch.
 */
async function matchesAsProduced(deps: Pick<Deps, 'db'>, ct: CoveredTable, row: Record<string, unknown>, where: SQL | undefined): Promise<boolean> {
  if (!where) return true;
  const names = Object.values(getTableColumns(ct.table) as Record<string, Column>).map((c) => c.name);
  const one = sql.join(
    names.map((n) => sql`${row[n] ?? null} as ${sql.identifier(n)}`),
    sql`, `,
  );
  const hit = await deps.db.orm.all(sql`select 1 as hit from (select ${one}) as ${sql.identifier(ct.name)} where ${where}`);
  return hit.length > 0;
}

/** A row in drizzle's JS form, from driver values by SQL name. */
function fromDriver(table: Table, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(getTableColumns(table) as Record<string, Column>)) {
    const v = row[col.name];
    out[k] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
  }
  return out;
}

/** Driver values of an insert's row in JS form, a column left out taking its static default (as drizzle does). */
function withDefaults(ct: CoveredTable, js: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(getTableColumns(ct.table) as Record<string, Column>)) {
    const v = js[k];
    out[col.name] = v === undefined ? defaultOf(ct, col.name) : v === null ? null : col.mapToDriverValue(v);
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
    const page = (await deps.db.orm.all(
      sql.raw(`select rowid as "__rowid", * from "${ct.name}" where rowid > ${after} order by rowid limit ${pageSize}`),
    )) as Record<string, unknown>[];
    if (page.length === 0) return;
    for (const r of page) yield r;
    after = Number(page.at(-1)!.__rowid);
  }
}

export const keyOf = (ct: CoveredTable, row: Record<string, unknown>): string => ct.key.map((k) => String(row[k])).join('/');
export const coveredTable = (name: string): CoveredTable | undefined => byName.get(name);
