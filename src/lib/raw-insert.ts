/**
 * Inserts for the hot write path (intake, audit) without drizzle's query builder: the statement text is made
 * once per table and column set and kept, and each value goes through its column's own mapToDriverValue, the
 * same mapping drizzle's insert applies (Date → epoch ms, boolean → 0/1, json → text). The Db adapters run a
 * RawStmt in the same batch as drizzle builders (adapters/db/libsql.ts, adapters/db/d1.ts).
 *
 * Why: building ~12 inserts per delivery with drizzle costs ~0.4 ms of the event loop plus the garbage it
 * leaves (bench/intake); the text of those inserts never changes.
 */
import { getTableColumns, getTableName, is, SQL, type Column, type InferInsertModel, type Table } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';

/** What an insert wrote, for the audit log's content digests (src/services/audit-rows.ts). */
export interface InsertedRows {
  table: Table;
  /** SQL names of the columns the statement sets; `args` holds the rows one after another in this order. */
  names: string[];
  onConflictDoNothing: boolean;
}

export class RawStmt {
  constructor(
    readonly sql: string,
    readonly args: unknown[],
    readonly inserted?: InsertedRows,
  ) {}
}

interface Shape {
  head: string;
  row: string;
  columns: Column[];
  keys: string[];
  names: string[];
  /** Per column: the value a row that leaves it out takes (its static schema default, else null). */
  defaults: unknown[];
}
const shapes = new WeakMap<Table, Map<string, Shape>>();

function shapeOf(table: Table, keys: string[]): Shape {
  let byKeys = shapes.get(table);
  if (!byKeys) shapes.set(table, (byKeys = new Map()));
  const id = keys.join(',');
  let s = byKeys.get(id);
  if (!s) {
    const all = getTableColumns(table) as Record<string, Column>;
    const columns = keys.map((k) => {
      const c = all[k];
      if (!c) throw new Error(`${getTableName(table)} has no column ${k}`);
      return c;
    });
    s = {
      head: `insert into "${getTableName(table)}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values `,
      row: `(${columns.map(() => '?').join(', ')})`,
      columns,
      keys,
      names: columns.map((c) => c.name),
      defaults: columns.map((c) => (c.default !== undefined && !is(c.default, SQL) ? c.default : null)),
    };
    byKeys.set(id, s);
  }
  return s;
}

/**
 * `insert into table (…) values (…), (…)` [`on conflict do nothing`] for rows that all name the same columns
 * (a column left out takes its schema default, as with drizzle).
 */
export function insertRows<T extends Table>(table: T, rows: InferInsertModel<T>[], opts: { onConflictDoNothing?: boolean } = {}): RawStmt {
  if (rows.length === 0) throw new Error('insertRows: no rows');
  const all = getTableColumns(table) as Record<string, Column>;
  const keys = Object.keys(all).filter((k) => rows.some((r) => (r as Record<string, unknown>)[k] !== undefined));
  const s = shapeOf(table, keys);
  const args: unknown[] = [];
  const { keys: names, columns, defaults } = s;
  for (const r of rows as Record<string, unknown>[]) {
    for (let i = 0; i < names.length; i++) {
      let v = r[names[i]!];
      if (v === undefined) v = defaults[i];
      args.push(v === null ? null : columns[i]!.mapToDriverValue(v));
    }
  }
  const text = s.head + Array.from({ length: rows.length }, () => s.row).join(', ') + (opts.onConflictDoNothing ? ' on conflict do nothing' : '');
  return new RawStmt(text, args, { table, names: s.names, onConflictDoNothing: !!opts.onConflictDoNothing });
}

/**
 * The SQL text and parameters of a batch item: a RawStmt as it is, a drizzle builder as drizzle's own batch
 * builds it (`_prepare().getQuery()`, drizzle-orm/libsql and drizzle-orm/d1 session.batch). For the adapters that
 * run builders and RawStmts in one batch.
 */
export function statementOf(item: BatchItem<'sqlite'> | RawStmt): { sql: string; args: unknown[] } {
  if (item instanceof RawStmt) return { sql: item.sql, args: item.args };
  const q = (item as unknown as { _prepare(): { getQuery(): { sql: string; params: unknown[] } } })._prepare().getQuery();
  return { sql: q.sql, args: q.params };
}
