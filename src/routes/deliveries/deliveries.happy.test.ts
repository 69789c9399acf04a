/** POST /v1/deliveries — happy paths: both content types, all three algorithms, receipts verified with the JWKS alone. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { FixedClock, T0, testGateway } from '../../../test/helpers/gateway.js';
import { makeCourtPki, makeEcPki, type CourtPki, type EcPki } from '../../../test/helpers/pki.js';
import { attachmentEntry, demoManifest, joseRequest, multipartRequest, signManifest, rsaSigner, type FileInput } from '../../../adapters/node/court-kit.js';
import { registerSender } from '../../services/senders.js';
import { verifyWithJwks } from '../../lib/signing.js';
import { sha256Hex } from '../../lib/encoding.js';
import * as schema from '../../../schemas/db/index.js';

const URL_ = 'http://gateway.test/v1/deliveries';
const pdf = (n: number, seed = 1): FileInput => ({
  id: `att-${seed}`,
  filename: `起诉状-${seed}.pdf`,
  mediaType: 'application/pdf',
  bytes: Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff),
});

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let ec: EcPki;

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  ec = await makeEcPki('柯城区人民检察院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await registerSender(gw.deps, { code: 'proc-kecheng', type: 'procuratorate', name: '衢州市柯城区人民检察院', caPem: ec.caPem });
});
afterAll(() => gw.close());

describe('a court pushes a signed delivery', () => {
  it('application/jose with an inline attachment: 201, a receipt that verifies with the JWKS alone, everything stored', async () => {
    const file = pdf(4096, 1);
    const manifest = demoManifest({ messageId: 'msg-jose-1', senderCode: 'court-longyou', issuedAt: T0, attachments: [await attachmentEntry(file, true)] });
    const jws = await signManifest(manifest, court.signer);
    const res = await gw.app.request(joseRequest(URL_, jws));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { receipt: Record<string, any>; jws: string };
    expect(body.receipt.messageId).toBe('msg-jose-1');
    expect(body.receipt.sender).toEqual({ type: 'court', code: 'court-longyou' });
    // The arrival time is the gateway's clock, not the court's issuedAt: the legal moment of service.
    expect(body.receipt.arrivedAt).toBe(T0.toISOString());
    expect(body.receipt.arrivedAtBeijing).toBe('2026-11-23T10:00:00.000+08:00');
    expect(body.receipt.documents[0].attachments).toEqual([{ id: 'att-1', sha256: await sha256Hex(file.bytes), size: 4096 }]);
    expect(body.receipt.envelope.sha256).toBe(await sha256Hex(jws));

    // A court needs nothing but the published JWKS to check the receipt.
    const jwks = (await (await gw.app.request('/.well-known/jwks.json')).json()) as { keys: never[] };
    const verified = await verifyWithJwks(body.jws, jwks);
    expect(verified.payload).toEqual(body.receipt);
    expect(verified.typ).toBe('fuyuan-receipt+jws');

    // Stored: the delivery with the envelope as evidence, the document, and the bytes by digest.
    const [row] = await gw.deps.db.orm.select().from(schema.deliveries).where(eq(schema.deliveries.messageId, 'msg-jose-1'));
    expect(row?.envelope).toBe(jws);
    expect(row?.arrivedAt.toISOString()).toBe(T0.toISOString());
    expect(await gw.deps.blobs.get(await sha256Hex(file.bytes))).toEqual(file.bytes);
    // The stored manifest entry drops the inline base64 (the bytes live once, in the blob store).
    const [doc] = await gw.deps.db.orm.select().from(schema.documents).where(eq(schema.documents.deliveryId, row!.id));
    expect(JSON.parse(doc!.entryJson).attachments[0].content).toBeUndefined();
    expect(doc!.caseNumber).toBe('(2026)浙0825行初123号');
  });

  it('multipart/form-data with two attachment parts: 201 and both blobs stored', async () => {
    const files = [pdf(70_000, 2), pdf(1234, 3)];
    const manifest = demoManifest({
      messageId: 'msg-multi-1',
      senderCode: 'court-longyou',
      issuedAt: T0,
      attachments: await Promise.all(files.map((f) => attachmentEntry(f, false))),
    });
    const res = await gw.app.request(multipartRequest(URL_, await signManifest(manifest, court.signer), files));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { receipt: { documents: { attachments: { id: string; size: number }[] }[] } };
    expect(body.receipt.documents[0]!.attachments.map((a) => [a.id, a.size])).toEqual([
      ['att-2', 70_000],
      ['att-3', 1234],
    ]);
    for (const f of files) expect(await gw.deps.blobs.get(await sha256Hex(f.bytes))).toEqual(f.bytes);
  });

  it('PS256 from an RSA signer is accepted', async () => {
    const signer = await rsaSigner(court.leaf, [], 'PS256');
    const manifest = demoManifest({ messageId: 'msg-ps256', senderCode: 'court-longyou', issuedAt: T0 });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest, signer)));
    expect(res.status).toBe(201);
  });

  it('ES256 from a procuratorate with an EC certificate chain is accepted', async () => {
    const manifest = {
      messageId: 'jy-2026-001',
      sender: { type: 'procuratorate', code: 'proc-kecheng' },
      issuedAt: T0.toISOString(),
      documents: [{ documentId: 'jy-2026-001-1', type: 'procuratorial_suggestion', title: '检察建议书', replyDueOn: '2027-01-23', attachments: [] }],
    };
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest, ec.signer)));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { receipt: { sender: unknown; signer: { subject: string } } };
    expect(body.receipt.sender).toEqual({ type: 'procuratorate', code: 'proc-kecheng' });
    expect(body.receipt.signer.subject).toContain('柯城区人民检察院');
  });

  it('the same message again returns the original receipt (200) and stores nothing new', async () => {
    const manifest = demoManifest({ messageId: 'msg-dup', senderCode: 'court-longyou', issuedAt: T0 });
    const first = await gw.app.request(joseRequest(URL_, await signManifest(manifest, court.signer)));
    expect(first.status).toBe(201);
    const before = await gw.counts();
    gw.clock.advance(3600_000); // the court retries an hour later, even past the freshness window
    // Re-signed (new signature bytes) but the same manifest: still the same message.
    const again = await gw.app.request(joseRequest(URL_, await signManifest(manifest, court.signer)));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    expect(await gw.counts()).toEqual(before);
    gw.clock.set(T0);
  });

  it('concurrent pushes of one message store it once: one 201, the rest 200 with the same receipt', async () => {
    const manifest = demoManifest({ messageId: 'msg-race', senderCode: 'court-longyou', issuedAt: T0 });
    const jws = await signManifest(manifest, court.signer);
    const before = await gw.counts();
    const results = await Promise.all(Array.from({ length: 8 }, () => gw.app.request(joseRequest(URL_, jws))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as { receipt: { receiptId: string } }).receipt.receiptId)));
    expect(ids.size).toBe(1);
    const after = await gw.counts();
    expect(after.deliveries).toBe(before.deliveries + 1);
  });

  it('concurrent deliveries committed together each keep their own receipt and audit records; a clash among them fails alone', async () => {
    const first = demoManifest({ messageId: 'msg-group-0', senderCode: 'court-longyou', issuedAt: T0, caseNumber: '(2026)浙0825行初600号' });
    expect((await gw.app.request(joseRequest(URL_, await signManifest(first, court.signer)))).status).toBe(201);
    const before = await gw.counts();
    const fresh = await Promise.all(
      Array.from({ length: 6 }, async (_, i) =>
        signManifest(
          demoManifest({ messageId: `msg-group-${i + 1}`, senderCode: 'court-longyou', issuedAt: T0, caseNumber: `(2026)浙0825行初${601 + i}号` }),
          court.signer,
        ),
      ),
    );
    // The same messageId as the first, other content: refused with 409 whatever it is committed with.
    const clash = await signManifest(
      demoManifest({ messageId: 'msg-group-0', senderCode: 'court-longyou', issuedAt: T0, caseNumber: '(2026)浙0825行初699号' }),
      court.signer,
    );
    const results = await Promise.all([...fresh.slice(0, 3), clash, ...fresh.slice(3)].map((jws) => gw.app.request(joseRequest(URL_, jws))));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 409, 201, 201, 201]);
    const jwks = (await (await gw.app.request('/.well-known/jwks.json')).json()) as { keys: never[] };
    const receipts = await Promise.all(
      results
        .filter((r) => r.status === 201)
        .map(async (r) => {
          const body = (await r.json()) as { receipt: { messageId: string; auditHead: { seq: number; hash: string } }; jws: string };
          expect((await verifyWithJwks(body.jws, jwks)).payload).toEqual(body.receipt);
          return body.receipt;
        }),
    );
    expect(receipts.map((r) => r.messageId).sort()).toEqual(['msg-group-1', 'msg-group-2', 'msg-group-3', 'msg-group-4', 'msg-group-5', 'msg-group-6']);
    // Each receipt names the audit head after its own records: six different points of one chain.
    expect(new Set(receipts.map((r) => r.auditHead.seq)).size).toBe(6);
    const after = await gw.counts();
    expect(after.deliveries).toBe(before.deliveries + 6);
    const { verifyAuditChain } = await import('../../services/audit.js');
    const audit = await verifyAuditChain(gw.deps);
    expect(audit.ok).toBe(true);
    expect(receipts.every((r) => r.auditHead.seq <= audit.head.seq)).toBe(true);
    for (const r of receipts) {
      const [rec] = await gw.deps.db.orm.select().from(schema.auditLog).where(eq(schema.auditLog.seq, r.auditHead.seq));
      expect(rec?.hash).toBe(r.auditHead.hash);
    }
  });
});
