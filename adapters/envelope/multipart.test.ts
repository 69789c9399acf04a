/**
 * A multipart delivery's parts are counted as its body arrives (adapters/envelope/multipart.ts MAX_PARTS): past the
 * bound the body is refused before the platform's FormData parser runs over it, wherever the chunks of the body
 * happen to split a delimiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PARTS, readMultipart } from './multipart.js';
import { Problem } from '../../src/lib/problem.js';
import { testGateway } from '../../test/helpers/gateway.js';

const BOUNDARY = 'b0undary-7e1';

/** A multipart body: the envelope part, then `attachments` parts of one byte each. */
function body(attachments: number): Uint8Array<ArrayBuffer> {
  let s = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="envelope"\r\n\r\neyJhbGciOiJSUzI1NiJ9.e30.c2ln\r\n`;
  for (let i = 0; i < attachments; i++) s += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="att-${i}"; filename="a${i}.pdf"\r\n\r\n${i % 10}\r\n`;
  return new TextEncoder().encode(`${s}--${BOUNDARY}--\r\n`);
}

/** The body as a request whose stream yields chunks of `size` bytes (a delimiter may be cut anywhere). */
function request(bytes: Uint8Array, size: number): Request {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return new Request('http://gw/v1/deliveries', {
    method: 'POST',
    body: stream,
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    duplex: 'half',
  } as RequestInit);
}

describe('the parts of a multipart body are counted as it arrives', () => {
  for (const size of [1, 2, 5, 13, 64, 1 << 20]) {
    it(`chunks of ${size} bytes: three parts pass a bound of three, four are refused`, async () => {
      const ok = await readMultipart(request(body(2), size), 3);
      expect([...ok.parts.keys()]).toEqual(['att-0', 'att-1']);
      expect(new TextDecoder().decode(ok.envelope.bytes)).toBe('eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
      const refused = await readMultipart(request(body(3), size), 3).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(Problem);
      expect((refused as Problem).slug).toBe('malformed-envelope');
      expect((refused as Problem).message).toMatch(/more than 3 parts/);
    });
  }

  it('a body without a boundary parameter is malformed, not a 500', async () => {
    const req = new Request('http://gw/v1/deliveries', { method: 'POST', body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    await expect(readMultipart(req)).rejects.toMatchObject({ slug: 'malformed-envelope' });
  });
});

describe('through the gateway', () => {
  let gw: Awaited<ReturnType<typeof testGateway>>;
  beforeAll(async () => {
    gw = await testGateway();
  });
  afterAll(() => gw.close());

  it(`a delivery of more parts than a manifest may name (${MAX_PARTS + 1}) → 400 saying the bound, and nothing stored`, async () => {
    const before = await gw.counts();
    const bytes = body(MAX_PARTS);
    const res = await gw.app.request('/v1/deliveries', {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(bytes.length) },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { type: string; detail: string };
    expect(problem.type).toBe('urn:fuyuan:problem:malformed-envelope');
    expect(problem.detail).toContain(`more than ${MAX_PARTS} parts`);
    expect(await gw.counts()).toEqual(before);
  });

  it(`${MAX_PARTS} parts are not refused for their number (this unsigned envelope fails on its signer instead)`, async () => {
    const bytes = body(MAX_PARTS - 1);
    const res = await gw.app.request('/v1/deliveries', {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(bytes.length) },
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { type: string; detail: string };
    expect(problem.detail).not.toContain('parts');
    expect(problem.type).toBe('urn:fuyuan:problem:missing-certificate-chain');
  });
});
