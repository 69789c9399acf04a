/**
 * A JWS delivery's header and manifest are counted before they are parsed (src/lib/json-size.ts): a body within the
 * body limit whose JSON holds millions of values (which JSON.parse would build one by one, with the event loop held)
 * is refused with a problem that says so, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { testGateway } from './helpers/gateway.js';
import { MAX_MANIFEST_TOKENS } from '../schemas/api/manifest.js';

const example = readFileSync('schemas/wire/examples/jose/delivery.jws', 'utf8').trim();
const [header, payload] = example.split('.') as [string, string, string];
const manifest = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

let gw: Awaited<ReturnType<typeof testGateway>>;
beforeAll(async () => {
  gw = await testGateway({ bodyLimitBytes: 50 * 1024 * 1024 }); // the default of BODY_LIMIT_BYTES
});
afterAll(() => gw.close());

async function post(jws: string) {
  const before = await gw.counts();
  const res = await gw.app.request('/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const problem = (await res.json()) as { type: string; detail: string };
  expect(await gw.counts()).toEqual(before);
  return { status: res.status, ...problem };
}

describe('JSON counted before it is parsed', () => {
  it(`a manifest of more than ${MAX_MANIFEST_TOKENS} JSON values (a million small objects under a key of its own) → 413 saying so`, async () => {
    const hostile = { ...manifest, extra: Array.from({ length: 1_000_000 }, (_, i) => ({ i })) };
    const r = await post(`${header}.${b64(hostile)}.c2ln`);
    expect(r.status).toBe(413);
    expect(r.type).toBe('urn:fuyuan:problem:payload-too-large');
    expect(r.detail).toContain('500,000 JSON values');
  });

  it('a protected header of thousands of members → 400 malformed-envelope saying so', async () => {
    const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
    const padded = { ...h, ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) };
    const r = await post(`${b64(padded)}.${payload}.c2ln`);
    expect(r.status).toBe(400);
    expect(r.type).toBe('urn:fuyuan:problem:malformed-envelope');
    expect(r.detail).toContain('protected header holds more than');
  });

  it('a protected header that is not a JSON object (an array, a string, bytes that are not UTF-8) → 400 malformed-envelope', async () => {
    for (const h of [b64([1, 2]), b64('RS256'), Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url')]) {
      const r = await post(`${h}.${payload}.c2ln`);
      expect(r.status).toBe(400);
      expect(r.detail).toBe('the JWS protected header is not base64url-encoded JSON');
    }
  });

  it('the example delivery is counted, passes, and is refused only for its forged signature', async () => {
    const r = await post(`${header}.${payload}.c2ln`);
    expect(r.type).not.toBe('urn:fuyuan:problem:payload-too-large');
    expect(r.detail).not.toContain('JSON values');
  });
});
