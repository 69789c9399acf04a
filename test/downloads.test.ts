/**
 * Attachment downloads hold a place in a budget of bytes being sent (src/http/downloads.ts, issue 20: memory stays
 * bounded under any offered load): until the body has been read, cancelled, or cut at its deadline. Past the
 * address's share 429, past the budget in all 503, both with Retry-After, and nothing sent or recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { attachmentEntry, demoManifest, multipartRequest, signManifest, type FileInput } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import type { GatewayConfig } from '../src/deps.js';
import { evidence } from '../schemas/db/index.js';
import { and, eq } from 'drizzle-orm';

const SIZE = 100_000;
const pdf: FileInput = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: Uint8Array.from({ length: SIZE }, (_, i) => (i * 13) & 0xff) };
let gw: Awaited<ReturnType<typeof testGateway>>;
let unit: Record<string, string>;
let filing: string;
let court: Awaited<ReturnType<typeof makeCourtPki>>;

beforeAll(async () => {
  // Room for one download from an address (two would be 200,000 bytes), two in all.
  gw = await testGateway({ clock: new FixedClock(T0), config: { maxDownloadBytes: 250_000, maxDownloadBytesPerAddress: 150_000 } });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  unit = (await clientToken(gw, 'unit', 'kc-zrzy')).headers;
  filing = await deliver('dl-1', '(2026)浙0825行初401号');
});
afterAll(() => gw.close());

/** The court delivers a complaint copy with `pdf` attached, for 柯城区自然资源局 (kc-zrzy): its document's id. */
async function deliver(messageId: string, caseNumber: string): Promise<string> {
  const m = demoManifest({
    messageId,
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    caseNumber,
    defendant: '衢州市自然资源和规划局柯城分局',
    regionCode: '330802',
    attachments: [await attachmentEntry(pdf, false)],
  });
  const res = await gw.app.request(multipartRequest('http://gw/v1/deliveries', await signManifest(m, court.signer), [pdf]));
  expect(res.status).toBe(201);
  return ((await res.json()) as { receipt: { documents: { id: string }[] } }).receipt.documents[0]!.id;
}

/** Ask for the attachment from `address` (the source address a Worker reads, cf-connecting-ip), by API or page path. */
const download = (address: string, method = 'GET') =>
  gw.app.request(`http://gw/v1/filings/${filing}/attachments/a1`, { method, headers: { ...unit, 'cf-connecting-ip': address } });

const setConfig = (c: Partial<GatewayConfig>) => Object.assign(gw.deps.config, c);

describe('a download holds its place in the budget until its body is taken', () => {
  it('past the address share the next is 429 with Retry-After, nothing recorded; once the first is read, the next is let in', async () => {
    const first = await download('10.0.0.1');
    expect(first.status).toBe(200);
    const before = await gw.counts();
    const second = await download('10.0.0.1');
    expect(second.status).toBe(429);
    expect(second.headers.get('content-type')).toBe('application/problem+json');
    expect(second.headers.get('retry-after')).toBe('2');
    expect(await second.json()).toMatchObject({ type: 'urn:fuyuan:problem:too-many-in-progress', status: 429 });
    expect(await gw.counts()).toEqual(before);
    // Another address has a share of its own.
    const other = await download('10.0.0.2');
    expect(other.status).toBe(200);
    expect(new Uint8Array(await other.arrayBuffer())).toEqual(pdf.bytes);
    // The first, read to its end, gives its place back.
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(pdf.bytes);
    const third = await download('10.0.0.1');
    expect(third.status).toBe(200);
    expect(new Uint8Array(await third.arrayBuffer())).toEqual(pdf.bytes);
  });

  it('a download whose client goes away (the body cancelled) gives its place back', async () => {
    const first = await download('10.0.0.3');
    expect(first.status).toBe(200);
    expect((await download('10.0.0.3')).status).toBe(429);
    await first.body!.cancel();
    const next = await download('10.0.0.3');
    expect(next.status).toBe(200);
    await next.body!.cancel();
  });

  it('past the bytes in all, any address is answered 503 overloaded with Retry-After', async () => {
    const a = await download('10.0.0.4');
    const b = await download('10.0.0.5');
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await download('10.0.0.6');
    expect(c.status).toBe(503);
    expect(c.headers.get('retry-after')).toBe('2');
    expect(await c.json()).toMatchObject({ type: 'urn:fuyuan:problem:overloaded' });
    await a.body!.cancel();
    const d = await download('10.0.0.6');
    expect(d.status).toBe(200);
    await Promise.all([b.body!.cancel(), d.body!.cancel()]);
  });

  it('a download not taken before its deadline is cut, and its place is given back', async () => {
    // The deadline is the upload deadline's rule with the size known: grace plus a second per minimum rate's bytes.
    setConfig({ uploadGraceSeconds: 0.05, uploadMinBytesPerSecond: 1e9 });
    try {
      const slow = await download('10.0.0.7');
      expect(slow.status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      await expect(slow.arrayBuffer()).rejects.toThrow(/not taken within/);
      const next = await download('10.0.0.7');
      expect(next.status).toBe(200);
      await next.body!.cancel();
    } finally {
      setConfig({ uploadGraceSeconds: undefined, uploadMinBytesPerSecond: undefined });
    }
  });

  it("a unit's HEAD is not a retrieval: no evidence until it GETs the bytes", async () => {
    const doc = await deliver('dl-2', '(2026)浙0825行初402号');
    const retrievals = async () =>
      (
        await gw.deps.db.orm
          .select()
          .from(evidence)
          .where(and(eq(evidence.documentId, doc), eq(evidence.type, 'retrieval')))
      ).length;
    const url = `http://gw/v1/filings/${doc}/attachments/a1`;
    const head = await gw.app.request(url, { method: 'HEAD', headers: unit });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(SIZE));
    expect(await retrievals()).toBe(0);
    const got = await gw.app.request(url, { headers: unit });
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(pdf.bytes);
    expect(await retrievals()).toBe(1);
  });

  it('HEAD answers the headers alone and holds no place', async () => {
    for (let i = 0; i < 3; i++) {
      const h = await download('10.0.0.8', 'HEAD');
      expect(h.status).toBe(200);
      expect(h.headers.get('content-length')).toBe(String(SIZE));
      expect((await h.arrayBuffer()).byteLength).toBe(0);
    }
    const got = await download('10.0.0.8');
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(pdf.bytes);
  });
});
