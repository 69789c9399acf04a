/**
 * A row's commitment is what the header of audit-rows.ts says it is: SHA-256 of the JCS form (RFC 8785) of
 * { column name: SHA-256 of the JCS form of its value }, bytes as { sha256 }, booleans as 0/1. Computed here from
 * that definition with the canonicaliser itself, for random rows of every covered table, and compared with what
 * the write path stores.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { COVERED, deletedRow, rowDiffers, rowDigest, rowsWrittenJson, type CoveredTable, type RowDigest } from './audit-rows.js';
import { canonicalJson } from '../lib/encoding.js';
import baseline from '../../migrations/meta/0022_snapshot.json' with { type: 'json' };

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

/** A value as the header defines it, before its JCS form. */
const committed = (v: unknown): unknown =>
  v === null || v === undefined ? null : v instanceof Uint8Array ? { sha256: sha(v) } : typeof v === 'boolean' ? (v ? 1 : 0) : v;

/**
 * The commitment from its definition: the canonicaliser orders the members, whatever order they come in; NULL
 * columns are left out of the content and keep their short digest.
 */
function byDefinition(columns: string[], row: Record<string, unknown>): { d: string; c: string[] } {
  const perColumn = columns.map((col) => [col, sha(canonicalize(committed(row[col]))!)] as const);
  const content = Object.fromEntries([...perColumn].filter(([col]) => committed(row[col]) !== null).reverse());
  return { d: sha(canonicalize(content)!), c: perColumn.map(([, d]) => d.slice(0, 12)) };
}

/** Code-unit order, as JS's default sort and SQLite's BINARY collation order names. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const value = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }).filter((s) => !/\p{Cs}/u.test(s)), // RFC 8785 takes well-formed strings only
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
  fc.boolean(),
  fc.uint8Array({ maxLength: 64 }),
);

describe('row commitments', () => {
  it('every covered table: the stored digest is the JCS digest of the column digests, for any row', () => {
    for (const ct of COVERED) {
      fc.assert(
        fc.property(fc.array(value, { minLength: ct.columns.length, maxLength: ct.columns.length }), (values) => {
          const row = Object.fromEntries(ct.columns.map((col, i) => [col, values[i]]));
          const got = rowDigest(ct, row);
          const want = byDefinition(ct.columns, row);
          expect(got.d, ct.name).toBe(want.d);
          expect(got.c, ct.name).toEqual(want.c);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('columns are committed in the canonical order of their names', () => {
    for (const ct of COVERED) expect(ct.columns, ct.name).toEqual([...ct.columns].sort(byCodeUnit));
  });

  it('a "rows.written" record holds its rows in JCS form, inserts, inserts-if-new and deletions alike', () => {
    const key = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }).filter((s) => !/\p{Cs}/u.test(s)),
    );
    const one = fc.tuple(
      fc.integer({ min: 0, max: COVERED.length - 1 }),
      fc.array(value, { minLength: 40, maxLength: 40 }),
      key,
      fc.constantFrom('put', 'new', 'gone'),
    );
    fc.assert(
      fc.property(fc.array(one, { maxLength: 12 }), (specs) => {
        const rows: RowDigest[] = specs.map(([t, values, k, kind]) => {
          const ct = COVERED[t]!;
          const row = Object.fromEntries(ct.columns.map((col, i) => [col, values[i]]));
          for (const kc of ct.key) row[kc] = k;
          return kind === 'gone' ? deletedRow(ct, rowDigest(ct, row).k) : rowDigest(ct, row, kind === 'new');
        });
        expect(rowsWrittenJson(rows)).toBe(canonicalJson({ rows }));
      }),
      { numRuns: 200 },
    );
  });

  it('a key with a lone surrogate is refused as the canonicaliser refuses it', () => {
    const ct = COVERED[0]!;
    const row = Object.fromEntries(ct.columns.map((col) => [col, 'x']));
    row[ct.key[0]!] = 'a\ud800b';
    expect(() => rowsWrittenJson([rowDigest(ct, row)])).toThrow(/canonicalised/);
  });
});

describe('row commitments as the schema grows', () => {
  /** ct with one more covered column, `name`, in its canonical place (as a migration adding it would make it). */
  const widened = (ct: CoveredTable, name: string): CoveredTable => ({ ...ct, columns: [...ct.columns, name].sort(byCodeUnit) });

  it('a nullable column added later: rows stored before it keep their commitment; a value put in it is reported', () => {
    for (const ct of COVERED) {
      fc.assert(
        fc.property(
          fc.array(value, { minLength: ct.columns.length, maxLength: ct.columns.length }),
          fc.constantFrom('a_added', 'm_added', 'zz_added'),
          (values, added) => {
            const row = Object.fromEntries(ct.columns.map((col, i) => [col, values[i]]));
            const before = rowDigest(ct, row);
            const after = widened(ct, added);
            // The row as the database holds it after the migration: the new column NULL.
            expect(rowDiffers(after, { ...row, [added]: null }, before), ct.name).toEqual({ differs: false, columns: [] });
            // Someone fills it: the row no longer matches (named as a whole: the commitment predates the column).
            expect(rowDiffers(after, { ...row, [added]: 'x' }, before), ct.name).toEqual({ differs: true, columns: [] });
          },
        ),
        { numRuns: 20 },
      );
    }
  });

  it('a column that changes is named, NULL to a value and back alike', () => {
    for (const ct of COVERED) {
      const col = ct.columns.find((c) => !ct.key.includes(c))!;
      const row = Object.fromEntries(ct.columns.map((c) => [c, ct.key.includes(c) ? 'k-1' : null]));
      const empty = rowDigest(ct, row);
      expect(rowDiffers(ct, { ...row, [col]: 'x' }, empty), ct.name).toEqual({ differs: true, columns: [col] });
      const filled = rowDigest(ct, { ...row, [col]: 'x' });
      expect(rowDiffers(ct, row, filled), ct.name).toEqual({ differs: true, columns: [col] });
      // The text "null" is not NULL.
      expect(rowDiffers(ct, { ...row, [col]: 'null' }, empty).differs, ct.name).toBe(true);
    }
  });

  /**
   * The schema content commitments were first released with (migrations/meta/0022_snapshot.json), and the tables
   * covered then. Rows stored under it hold commitments over those columns; a later migration keeps them valid only
   * by adding nullable columns without a default (NULL is left out of a row's digest).
   */
  const COVERED_AT_BASELINE = [
    'assignments',
    'blobs',
    'calendar_data_versions',
    'calendar_feed_tokens',
    'calendar_overrides',
    'calendar_published_years',
    'case_steps',
    'cases',
    'clients',
    'deliveries',
    'directory_snapshots',
    'document_attachments',
    'documents',
    'evidence',
    'legal_advisers',
    'meeting_packs',
    'notification_channels',
    'obligations',
    'outbox',
    'periodic_runs',
    'queue_items',
    'receipt_timestamps',
    'region_policies',
    'reminders',
    'remediation_items',
    'revocation_rechecks',
    'routing_decisions',
    'sender_cas',
    'senders',
    'suggestion_steps',
    'suggestions',
    'timestamp_batches',
  ];
  const baselineTables = (baseline as { tables: Record<string, { columns: Record<string, unknown> }> }).tables;

  it('a column added to a covered table since that schema is nullable, with no default', () => {
    const wrong: string[] = [];
    for (const ct of COVERED) {
      const was = baselineTables[ct.name];
      if (!was) continue; // a table created since: no row predates its columns
      for (const col of getTableConfig(ct.table).columns)
        if (ct.columns.includes(col.name) && !(col.name in was.columns) && (col.notNull || col.hasDefault)) wrong.push(`${ct.name}.${col.name}`);
    }
    // Such a column changes the digest of every row stored before it, and audit verify would report them all.
    expect(
      wrong,
      'covered columns added NOT NULL or with a default: make them nullable without a default, or commit the rows the migration changes in an audited step',
    ).toEqual([]);
  });

  it('a table that existed then is covered only if it was covered then', () => {
    const added = COVERED.filter((ct) => baselineTables[ct.name] && !COVERED_AT_BASELINE.includes(ct.name)).map((ct) => ct.name);
    // Its rows stored before would be reported as outside the log: cover it with an audited step that commits them.
    expect(added, 'tables newly covered that hold rows from before').toEqual([]);
    expect(COVERED_AT_BASELINE.filter((name) => !COVERED.some((ct) => ct.name === name))).toEqual([]);
  });
});
