/**
 * trustFetch (src/lib/fetcher.ts) reads a CRL, OCSP or timestamp response no further than its limit, whatever the
 * server says of its length: a chunked body without end is refused once past the limit, not read until the timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchRefused, trustFetch, TRUST_FETCH_MAX_BYTES } from '../src/lib/fetcher.js';
import type { Deps } from '../src/deps.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('trustFetch reads no further than its limit', () => {
  it('a chunked answer without end is refused past the limit, and the connection let go', async () => {
    let sent = 0;
    const gone = new Promise<void>((resolve) => {
      server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/pkix-crl' });
        const chunk = Buffer.alloc(256 * 1024, 0x30);
        const pump = () => {
          while (!res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) break;
          }
        };
        res.on('drain', pump);
        res.on('close', () => resolve());
        pump();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/ca.crl`;
    // A minute's timeout: were the body read to its end, the test would wait for it.
    const deps = { config: { trust: { fetchAllowHosts: ['127.0.0.1'], fetchTimeoutMs: 60_000, fetchRetries: 0 } } } as unknown as Deps;
    const e = await trustFetch(deps, url, { accept: 'application/pkix-crl' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FetchRefused);
    expect((e as Error).message).toContain(`over the ${TRUST_FETCH_MAX_BYTES} byte limit`);
    await gone;
    // The server did offer more than the limit: that, not the end of its body, is what ended the read.
    expect(sent).toBeGreaterThan(TRUST_FETCH_MAX_BYTES);
  });
});
