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
import { COVERED, deletedRow, rowDigest, rowsWrittenJson, type RowDigest } from './audit-rows.js';
import { canonicalJson } from '../lib/encoding.js';

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

/** A value as the header defines it, before its JCS form. */
const committed = (v: unknown): unknown =>
  v === null || v === undefined ? null : v instanceof Uint8Array ? { sha256: sha(v) } : typeof v === 'boolean' ? (v ? 1 : 0) : v;

/** The commitment from its definition: the canonicaliser orders the members, whatever order they come in. */
function byDefinition(columns: string[], row: Record<string, unknown>): { d: string; c: string[] } {
  const perColumn = columns.map((col) => [col, sha(canonicalize(committed(row[col]))!)] as const);
  const content = Object.fromEntries([...perColumn].reverse());
  return { d: sha(canonicalize(content)!), c: perColumn.map(([, d]) => d.slice(0, 12)) };
}

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
    for (const ct of COVERED) expect(ct.columns, ct.name).toEqual([...ct.columns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
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
