/**
 * Agencies pull their filings, the justice bureau confirms receipt (签收), the court pulls signed evidence
 * (docs/domain.md §1, §2; issue 5 items 2–3). Every denial answers without data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken, FixedClock, T0, testGateway } from '../../../test/helpers/gateway.js';
import { makeCourtPki, type CourtPki } from '../../../test/helpers/pki.js';
import { attachmentEntry, demoManifest, multipartRequest, signManifest, type FileInput } from '../../../adapters/node/court-kit.js';
import { registerSender } from '../../services/senders.js';
import { saveDirectory } from '../../services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../../domain/routing/index.js';
import { verifyWithJwks } from '../../lib/signing.js';
import { sha256Hex } from '../../lib/encoding.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let H: Record<string, Record<string, string>>;
const ids: string[] = [];
const pdf: FileInput = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff) };

const get = (path: string, who: string) => gw.app.request(`http://gw${path}`, { headers: H[who] });

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  H = {
    zrzy: (await clientToken(gw, 'unit', 'kc-zrzy')).headers,
    zjj: (await clientToken(gw, 'unit', 'kc-zjj')).headers,
    kcJB: (await clientToken(gw, 'justice_bureau', '330802')).headers,
    qjJB: (await clientToken(gw, 'justice_bureau', '330803')).headers,
    court: (await clientToken(gw, 'court', 'court-longyou')).headers,
    liaison: (await clientToken(gw, 'liaison', 'court-longyou')).headers,
  };
  for (let i = 1; i <= 5; i++) {
    gw.clock.set(new Date(T0.getTime() + i * 60_000));
    const m = demoManifest({
      messageId: `f-${i}`,
      senderCode: 'court-longyou',
      issuedAt: gw.clock.now(),
      caseNumber: `(2026)浙0825行初${300 + i}号`,
      defendant: '衢州市自然资源和规划局柯城分局',
      regionCode: '330802',
      attachments: [await attachmentEntry(pdf, false)],
    });
    const res = await gw.app.request(multipartRequest('http://gw/v1/deliveries', await signManifest(m, court.signer), [pdf]));
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { receipt: { documents: { id: string }[] } }).receipt.documents[0]!.id);
  }
});
afterAll(() => gw.close());

describe('a unit pulls its filings', () => {
  it('lists what is assigned to it, newest first, page by page with a cursor', async () => {
    const p1 = (await (await get('/v1/filings?limit=2', 'zrzy')).json()) as { items: { id: string; status: string; nextDue: string }[]; nextCursor: string };
    expect(p1.items.map((i) => i.id)).toEqual([ids[4], ids[3]]);
    expect(p1.items[0]).toMatchObject({ status: 'new', nextDue: '2026-12-08' });
    const p2 = (await (await get(`/v1/filings?limit=2&cursor=${p1.nextCursor}`, 'zrzy')).json()) as { items: { id: string }[]; nextCursor: string };
    expect(p2.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const p3 = (await (await get(`/v1/filings?limit=2&cursor=${p2.nextCursor}`, 'zrzy')).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(p3.items.map((i) => i.id)).toEqual([ids[0]]);
    expect(p3.nextCursor).toBeNull();
  });

  it('another unit sees none of them, and a filing it asks for does not exist for it', async () => {
    expect(((await (await get('/v1/filings', 'zjj')).json()) as { items: unknown[] }).items).toEqual([]);
    const res = await get(`/v1/filings/${ids[0]}`, 'zjj');
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).not.toContain('衢州');
  });

  it('opens a filing with its case and obligations; the first look is signed retrieval evidence, once', async () => {
    const res = await get(`/v1/filings/${ids[0]}`, 'zrzy');
    expect(res.status).toBe(200);
    const f = (await res.json()) as {
      case: { caseNumber: string };
      obligations: { kind: string; dueOn: string; derivation: unknown }[];
      attachments: { href: string; sha256: string }[];
    };
    expect(f.case.caseNumber).toBe('(2026)浙0825行初301号');
    expect(f.obligations.find((o) => o.kind === 'answer_and_evidence')).toMatchObject({ dueOn: '2026-12-08' });
    await get(`/v1/filings/${ids[0]}`, 'zrzy'); // a second look adds nothing
    const ev = (await (await get('/v1/evidence', 'court')).json()) as { items: { type: string; documentId: string | null }[] };
    expect(ev.items.filter((e) => e.type === 'retrieval' && e.documentId === ids[0])).toHaveLength(1);
    const listed = (await (await get('/v1/filings?status=retrieved', 'zrzy')).json()) as { items: { id: string }[] };
    expect(listed.items.map((i) => i.id)).toEqual([ids[0]]);
  });

  it('downloads an attachment with its digest', async () => {
    const res = await get(`/v1/filings/${ids[0]}/attachments/a1`, 'zrzy');
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes).toEqual(pdf.bytes);
    expect(res.headers.get('x-content-sha256')).toBe(await sha256Hex(pdf.bytes));
    expect(res.headers.get('repr-digest')).toMatch(/^sha-256=:[A-Za-z0-9+/]+=*:$/);
    expect((await get(`/v1/filings/${ids[0]}/attachments/a1`, 'zjj')).status).toBe(404);
  });
});

describe('the justice bureau confirms receipt and the court holds the evidence', () => {
  it('the bureau of the region confirms; again returns the same evidence; another region cannot', async () => {
    expect((await gw.app.request(`http://gw/v1/filings/${ids[1]}/confirm`, { method: 'POST', headers: H.qjJB })).status).toBe(404);
    expect((await gw.app.request(`http://gw/v1/filings/${ids[1]}/confirm`, { method: 'POST', headers: H.zrzy })).status).toBe(403);
    const first = await gw.app.request(`http://gw/v1/filings/${ids[1]}/confirm`, { method: 'POST', headers: H.kcJB });
    expect(first.status).toBe(201);
    const again = await gw.app.request(`http://gw/v1/filings/${ids[1]}/confirm`, { method: 'POST', headers: H.kcJB });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
  });

  it('the court pulls its evidence by cursor: receipts, the retrieval and the confirmation, each verifiable with the JWKS alone', async () => {
    const jwks = (await (await gw.app.request('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    const all: { id: string; type: string; jws: string; payload: unknown }[] = [];
    let since = '';
    for (;;) {
      const page = (await (await get(`/v1/evidence?limit=3${since ? `&since=${since}` : ''}`, 'court')).json()) as { items: typeof all; next: string | null };
      if (!page.items.length) break;
      all.push(...page.items);
      since = page.next!;
    }
    expect(all.map((e) => e.type).sort()).toEqual(['confirmation', 'receipt', 'receipt', 'receipt', 'receipt', 'receipt', 'retrieval']);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    for (const e of all) expect((await verifyWithJwks(e.jws, jwks)).payload).toEqual(e.payload);
    const conf = all.find((e) => e.type === 'confirmation')!.payload as { confirmedAt: string; arrivedAt: string };
    expect(conf.arrivedAt).toBe(new Date(T0.getTime() + 2 * 60_000).toISOString());
    // Every item carries a signed commitment to the audit log up to its own record (issue #19): seq, chain hash, root.
    const proofsOf = async (head: { seq: number; hash: string; root: string }) => {
      const r = (await (await gw.app.request(`http://gw/v1/audit/proofs/consistency?first=${head.seq}`)).json()) as { firstRootHash: string };
      return r.firstRootHash;
    };
    for (const e of all) {
      const head = (e.payload as { auditHead: { seq: number; hash: string; root: string } }).auditHead;
      expect(head.root).toBe(await proofsOf(head));
    }
  });

  it('courts and liaisons do not pull government filings; units and bureaus do not pull court evidence', async () => {
    expect((await get('/v1/filings', 'court')).status).toBe(403);
    expect((await get('/v1/filings', 'liaison')).status).toBe(403);
    expect((await get('/v1/evidence', 'zrzy')).status).toBe(403);
    expect((await get('/v1/evidence', 'kcJB')).status).toBe(403);
  });
});
