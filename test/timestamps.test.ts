/**
 * RFC 3161 trusted time on receipts (issue 22), against a TSA made with `openssl ts -reply` behind a loopback
 * HTTP server the test starts on port 0: a receipt never waits for the TSA; the sweep asks once per interval
 * for one token over the Merkle root of every pending receipt; each court pulls `timestamp` evidence holding
 * the token and its receipt's audit path; the token verifies with `openssl ts -verify`; a TSA that is down
 * leaves the receipts pending and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/services/audit.js';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { FixedClock, adminHeaders, clientToken, testGateway } from './helpers/gateway.js';
import { loopbackServer, makeOpensslTsa, type LoopbackServer, type OsslTsa } from './helpers/openssl.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { attachmentEntry, demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { sweep } from '../src/jobs/sweep.js';
import { merkleTree, rootFromPath, type PathStep } from '../src/services/timestamps.js';
import { verifyWithJwks } from '../src/lib/signing.js';

const T = new Date('2026-11-23T02:00:00.000Z');
const URL_ = 'http://gw/v1/deliveries';

let gw: Awaited<ReturnType<typeof testGateway>>;
let tsa: OsslTsa;
let server: LoopbackServer;
let court: CourtPki;
let n = 0;
/** What the gateway warned of: said with a failed expectation, so a TSA request that failed says why. */
const logged: string[] = [];

async function deliver() {
  const m = demoManifest({
    messageId: `ts-${++n}`,
    senderCode: 'court-ts',
    // The sending court's own case (a sender may only create and extend its own cases).
    court: { code: 'court-ts', name: '测试法院' },
    caseNumber: `(2026)浙08行初${8000 + n}号`,
    issuedAt: gw.clock.now(),
    regionCode: '330802',
    attachments: [
      await attachmentEntry({ id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode(`%PDF-1.4 ${n}`) }, true),
    ],
  });
  const res = await gw.app.request(joseRequest(URL_, await signManifest(m, court.signer)));
  expect(res.status).toBe(201);
  return (await res.json()) as { receipt: { deliveryId: string; receiptId: string }; jws: string };
}

interface TimestampEvidence {
  type: string;
  deliveryId: string;
  payload: {
    receiptId: string;
    receiptSha256: string;
    timestamp: { token: string; root: string; treeSize: number; leafIndex: number; path: PathStep[]; genTime: string };
  };
  jws: string;
}

async function timestampEvidence(): Promise<TimestampEvidence[]> {
  const { headers } = await clientToken(gw, 'court', 'court-ts', `court-ts-${n}`);
  const res = await gw.app.request('/v1/evidence', { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: TimestampEvidence[] }).items.filter((i) => i.type === 'timestamp');
}

beforeAll(async () => {
  gw = await testGateway({
    clock: new FixedClock(T),
    log: { log: (level, msg, fields) => level !== 'debug' && level !== 'info' && logged.push(`${msg} ${JSON.stringify(fields ?? {})}`) },
  });
  tsa = makeOpensslTsa(new Date('2026-01-01T00:00:00Z'), new Date('2028-01-01T00:00:00Z'));
  server = await loopbackServer((q) => ({ type: 'application/timestamp-reply', body: tsa.reply(q) }));
  gw.deps.config.trust = { fetchAllowHosts: [new URL(server.url).host], tsaUrl: `${server.url}/tsa`, tsaIntervalSeconds: 60, fetchRetries: 0 };
  court = await makeCourtPki('衢州市柯城区人民法院');
  const dir = JSON.parse(readFileSync('schemas/directory/demo-quzhou.json', 'utf8'));
  expect((await gw.app.request('/v1/admin/directory', { method: 'PUT', headers: adminHeaders(), body: JSON.stringify(dir) })).status).toBe(200);
  await registerSender(gw.deps, { code: 'court-ts', type: 'court', name: '衢州市柯城区人民法院', caPem: court.ca.certPem });
});
afterAll(async () => {
  await server.close();
  tsa.close();
  await gw.close();
});

describe('timestamped receipts', () => {
  const receipts: { deliveryId: string; jws: string }[] = [];

  it('receipts come back at once, before any TSA request; the sweep then makes ONE request for all of them', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await deliver();
      receipts.push({ deliveryId: r.receipt.deliveryId, jws: r.jws });
    }
    expect(server.hits).toBe(0);
    const report = await sweep(gw.deps, gw.clock.now());
    expect(report.steps.timestamps, logged.join('\n')).toMatchObject({ ok: true, report: { stamped: 5, requests: 1 } });
    expect(server.hits).toBe(1);
  });

  it('each receipt has signed timestamp evidence whose token verifies with openssl ts -verify over the root its path leads to', async () => {
    const items = await timestampEvidence();
    expect(items.map((i) => i.deliveryId).sort()).toEqual(receipts.map((r) => r.deliveryId).sort());
    const jwks = (await (await gw.app.request('/.well-known/jwks.json')).json()) as { keys: never[] };
    for (const item of items) {
      const receipt = receipts.find((r) => r.deliveryId === item.deliveryId)!;
      const digest = createHash('sha256').update(receipt.jws).digest('hex');
      expect(item.payload.receiptSha256).toBe(digest);
      const root = rootFromPath(digest, item.payload.timestamp.path);
      expect(root).toBe(item.payload.timestamp.root);
      expect(item.payload.timestamp.treeSize).toBe(5);
      // The data stamped is the 32-byte root: openssl ts -verify -data root.bin.
      const v = tsa.verifyToken(Buffer.from(item.payload.timestamp.token, 'base64'), Buffer.from(root, 'hex'));
      expect(v.output).toContain('Verification: OK');
      expect(v.ok).toBe(true);
      // The evidence itself is signed by the gateway.
      expect(((await verifyWithJwks(item.jws, jwks)).payload as { type: string }).type).toBe('timestamp');
    }
    // Another root (one receipt digest changed) does not verify.
    const bad = createHash('sha256').update(`${receipts[0]!.jws}x`).digest('hex');
    const first = items[0]!;
    expect(tsa.verifyToken(Buffer.from(first.payload.timestamp.token, 'base64'), Buffer.from(rootFromPath(bad, first.payload.timestamp.path), 'hex')).ok).toBe(
      false,
    );
  });

  it('within the interval no new request is made; after it, the new receipts get their own token', async () => {
    const r = await deliver();
    gw.clock.advance(30_000);
    expect((await sweep(gw.deps, gw.clock.now())).steps.timestamps?.report, logged.join('\n')).toEqual({ waiting: 1 });
    expect(server.hits).toBe(1);
    gw.clock.advance(31_000);
    expect((await sweep(gw.deps, gw.clock.now())).steps.timestamps?.report, logged.join('\n')).toEqual({ stamped: 1, requests: 1 });
    expect(server.hits).toBe(2);
    const item = (await timestampEvidence()).find((i) => i.deliveryId === r.receipt.deliveryId)!;
    expect(item.payload.timestamp.treeSize).toBe(1);
    const digest = createHash('sha256').update(r.jws).digest('hex');
    expect(tsa.verifyToken(Buffer.from(item.payload.timestamp.token, 'base64'), Buffer.from(rootFromPath(digest, []), 'hex')).ok).toBe(true);
  });

  it('a TSA that is down: receipts are still 201 at once and stay pending; stamped once it is back', async () => {
    server.down = true;
    const r = await deliver();
    gw.clock.advance(61_000);
    expect((await sweep(gw.deps, gw.clock.now())).steps.timestamps?.report, logged.join('\n')).toEqual({ pending: 1, failed: 1 });
    server.down = false;
    expect((await sweep(gw.deps, gw.clock.now())).steps.timestamps?.report, logged.join('\n')).toEqual({ stamped: 1, requests: 1 });
    expect((await timestampEvidence()).some((i) => i.deliveryId === r.receipt.deliveryId)).toBe(true);
  });

  it('the Merkle tree follows RFC 6962 §2.1: every audit path of trees of 1–9 leaves leads to the root', () => {
    for (let size = 1; size <= 9; size++) {
      const leaves = Array.from({ length: size }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest('hex'));
      const { root, paths } = merkleTree(leaves);
      leaves.forEach((l, i) => expect(rootFromPath(l, paths[i]!)).toBe(root));
    }
    // Three leaves by hand: root = H(1 ‖ H(1 ‖ H(0‖a) ‖ H(0‖b)) ‖ H(0‖c)).
    const h = (...b: Buffer[]) => createHash('sha256').update(Buffer.concat(b)).digest();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => createHash('sha256').update(x).digest());
    const byHand = h(Buffer.from([1]), h(Buffer.from([1]), h(Buffer.from([0]), a!), h(Buffer.from([0]), b!)), h(Buffer.from([0]), c!)).toString('hex');
    expect(merkleTree([a!, b!, c!].map((x) => x.toString('hex'))).root).toBe(byHand);
  });
});

describe('the audit log after everything above (issue #19)', () => {
  it('verifies: every stored fact these tests wrote or changed went through an audited record', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBeGreaterThan(0);
  });
});
