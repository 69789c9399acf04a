/** Counting JSON text before it is parsed (src/lib/json-size.ts): what counts, where it stops, what a delivery needs. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { jsonTokens } from './json-size.js';
import { MAX_ATTACHMENTS_PER_DOCUMENT, MAX_DOCUMENTS, MAX_MANIFEST_TOKENS } from '../../schemas/api/manifest.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const count = (s: string, max = 1e9) => jsonTokens(bytes(s), max);

describe('jsonTokens', () => {
  it('counts every string, and every {, [ and , outside strings', () => {
    expect(count('{}')).toBe(1);
    expect(count('[1,2,3]')).toBe(3);
    expect(count('{"a":1,"b":[true,null]}')).toBe(6); // { "a" , "b" [ ,
    expect(count('  42  ')).toBe(0);
  });

  it('skips what is inside strings, escaped quotes and backslashes included', () => {
    expect(count(JSON.stringify({ a: '{[,],}' }))).toBe(3);
    expect(count(JSON.stringify({ a: 'x"y', b: '\\', c: '\\"{' }))).toBe(9);
    // A long string is one token, however long.
    expect(count(JSON.stringify(['A'.repeat(1_000_000)]))).toBe(2);
  });

  it('stops once past the bound: max + 1', () => {
    const big = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ i })));
    expect(count(big)).toBe(1 + 10_000 * 2 + 9_999);
    expect(count(big, 100)).toBe(101);
  });

  it('text that is not JSON is counted as far as it goes (JSON.parse then says what is wrong)', () => {
    expect(count('{"a')).toBe(2);
    expect(count('[,,,')).toBe(4);
  });

  it(`the largest manifest the schema's bounds allow (${MAX_DOCUMENTS} documents of ${MAX_ATTACHMENTS_PER_DOCUMENT} attachments, the example's fields) is well within MAX_MANIFEST_TOKENS`, () => {
    const jws = readFileSync(new URL('../../schemas/wire/examples/jose/delivery.jws', import.meta.url), 'utf8').trim();
    const m = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as { documents: { attachments: { id: string }[] }[] };
    const doc = m.documents[0]!;
    const attachments = Array.from({ length: MAX_ATTACHMENTS_PER_DOCUMENT }, (_, i) => ({ ...doc.attachments[0]!, id: `att-${i}` }));
    const largest = { ...m, documents: Array.from({ length: MAX_DOCUMENTS }, () => ({ ...doc, attachments })) };
    const n = count(JSON.stringify(largest));
    expect(n).toBeGreaterThan(50_000);
    expect(n * 5).toBeLessThan(MAX_MANIFEST_TOKENS);
  });
});
