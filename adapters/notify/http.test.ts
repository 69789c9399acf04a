/**
 * What the notify adapters read of an endpoint's answer (adapters/notify/http.ts): at most MAX_ANSWER_BYTES, so an
 * endpoint that answers without end cannot fill the gateway's memory nor hold the send for the whole timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ANSWER_BYTES, postJson } from './http.js';
import { NotifyError, type NotifyContext } from '../../src/services/notifications.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server answering `status` with a body that never ends (64 KiB of `x` at a time); resolves when its client lets go. */
async function endless(status: number): Promise<{ url: string; gone: Promise<number> }> {
  let resolveGone: (bytes: number) => void = () => undefined;
  const gone = new Promise<number>((resolve) => (resolveGone = resolve));
  server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let sent = 0;
    const pump = () => {
      while (!res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) break;
      }
    };
    res.on('drain', pump);
    res.on('close', () => resolveGone(sent));
    pump();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, gone };
}

// No timeout here: an answer read to its end would keep the test waiting until vitest's own timeout.
const ctx = { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) } as unknown as NotifyContext;

describe("an endpoint's answer is read up to MAX_ANSWER_BYTES", () => {
  it('a 2xx answer without end: its first MAX_ANSWER_BYTES are the text, and the connection is let go', async () => {
    const { url, gone } = await endless(200);
    const r = await postJson(ctx, url, '{}');
    expect(r.status).toBe(200);
    expect(r.text).toHaveLength(MAX_ANSWER_BYTES);
    expect(r.text).toMatch(/^x+$/);
    await gone;
  });

  it('a refusal without end: NotifyError quoting its beginning, and the connection is let go', async () => {
    const { url, gone } = await endless(500);
    const e = await postJson(ctx, url, '{}').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotifyError);
    expect((e as NotifyError).message).toMatch(/HTTP 500 x{300}$/);
    await gone;
  });

  it('a short answer is read whole', async () => {
    server = createServer((_req, res) => res.end('{"errcode":0,"errmsg":"ok"}'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const r = await postJson(ctx, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, '{}');
    expect(r).toEqual({ status: 200, text: '{"errcode":0,"errmsg":"ok"}' });
  });
});
