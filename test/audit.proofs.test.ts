/**
 * A court holding one receipt checks the public log endpoints with a verifier written from RFC 9162 alone (below:
 * node:crypto SHA-256 and the RFC's algorithms, no project code): its delivery is in today's log (inclusion) and
 * today's log extends the one its receipt committed to (consistency), 10,000 records later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JWK } from 'jose';
import { asc } from 'drizzle-orm';
import { testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';

import * as schema from '../schemas/db/index.js';

// ---- An independent RFC 9162 verifier (§2.1.1 hashing, §2.1.3.2 inclusion, §2.1.4.2 consistency) ----
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);
const hashChildren = (l: Buffer, r: Buffer) => sha(NODE, l, r);
/** MTH(D[n]) straight from the definition (§2.1.1). */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(LEAF, leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function rfcVerifyInclusion(leafIndex: number, treeSize: number, leafHash: Buffer, path: Buffer[], root: Buffer): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}
function rfcVerifyConsistency(first: number, second: number, firstHash: Buffer, secondHash: Buffer, proof: Buffer[]): boolean {
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  let path = proof;
  if ((first & (first - 1)) === 0) path = [firstHash, ...proof];
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && fr.equals(firstHash) && sr.equals(secondHash);
}
const b = (hex: string) => Buffer.from(hex, 'hex');
// ---- end of the independent verifier ----

let gw: Awaited<ReturnType<typeof testGateway>>;
let receipt: { auditHead: { seq: number; hash: string; root: string } };
let receiptJws: string;
const get = async (path: string) => {
  const res = await gw.app.request(`http://gw${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  gw = await testGateway();
  const court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  const res = await gw.app.request(
    joseRequest(
      'http://gw/v1/deliveries',
      await signManifest(demoManifest({ messageId: 'early-1', senderCode: 'court-longyou', issuedAt: gw.clock.now() }), court.signer),
    ),
  );
  expect(res.status).toBe(201);
  ({ receipt, jws: receiptJws } = (await res.json()) as { receipt: typeof receipt; jws: string });
  // 10,000 more records, through the same audited writes as everything else (100 writes of 100 records).
  for (let w = 0; w < 100; w++) {
    const entries = Array.from({ length: 100 }, (_, i) => ({ actor: 'test', action: 'test.record', subject: `w:${w}`, data: { w, i } }));
    await gw.deps.writer.audited(entries, async () => ({ items: [], result: null }));
  }
}, 120_000);
afterAll(() => gw.close());

describe('a court checks its receipt against the public log endpoints', () => {
  it('the signed tree head verifies with the JWKS alone, and is 10,000 records past the receipt', async () => {
    const jwks = (await get('/.well-known/jwks.json')).body as { keys: JWK[] };
    const sth = (await get('/v1/audit/tree-head')).body as { treeSize: number; rootHash: string; jws: string };
    const { payload } = await compactVerify(sth.jws, createLocalJWKSet(jwks));
    const signed = JSON.parse(new TextDecoder().decode(payload)) as { type: string; treeSize: number; rootHash: string };
    expect(signed).toMatchObject({ type: 'audit-tree-head', treeSize: sth.treeSize, rootHash: sth.rootHash });
    expect(sth.treeSize).toBeGreaterThanOrEqual(receipt.auditHead.seq + 10_000);
    // The receipt is itself signed by the gateway: its auditHead is a signed head of the tree of auditHead.seq records.
    const r = await compactVerify(receiptJws, createLocalJWKSet(jwks));
    expect(JSON.parse(new TextDecoder().decode(r.payload)).auditHead).toEqual(receipt.auditHead);
  });

  it("its delivery's record is in today's log (inclusion proof)", async () => {
    const sth = (await get('/v1/audit/tree-head')).body as { treeSize: number; rootHash: string };
    const p = (await get(`/v1/audit/proofs/inclusion?seq=${receipt.auditHead.seq}&treeSize=${sth.treeSize}`)).body as {
      leafIndex: number;
      treeSize: number;
      leafHash: string;
      auditPath: string[];
    };
    // The court derives the leaf itself from its receipt: SHA-256(0x00 || record hash).
    const leaf = sha(LEAF, b(receipt.auditHead.hash));
    expect(p.leafHash).toBe(leaf.toString('hex'));
    expect(rfcVerifyInclusion(receipt.auditHead.seq - 1, sth.treeSize, leaf, p.auditPath.map(b), b(sth.rootHash))).toBe(true);
    // And a single changed hash in the path fails.
    const bad = p.auditPath.map(b);
    bad[3] = sha(bad[3]!);
    expect(rfcVerifyInclusion(receipt.auditHead.seq - 1, sth.treeSize, leaf, bad, b(sth.rootHash))).toBe(false);
  });

  it("today's log extends the one its receipt committed to (consistency proof)", async () => {
    const sth = (await get('/v1/audit/tree-head')).body as { treeSize: number; rootHash: string };
    const p = (await get(`/v1/audit/proofs/consistency?first=${receipt.auditHead.seq}&second=${sth.treeSize}`)).body as { consistency: string[] };
    expect(rfcVerifyConsistency(receipt.auditHead.seq, sth.treeSize, b(receipt.auditHead.root), b(sth.rootHash), p.consistency.map(b))).toBe(true);
    // A receipt root from a different history is not consistent with today's.
    expect(rfcVerifyConsistency(receipt.auditHead.seq, sth.treeSize, sha(b(receipt.auditHead.root)), b(sth.rootHash), p.consistency.map(b))).toBe(false);
  });

  it('every inclusion and consistency proof among the first 40 tree sizes verifies against roots recomputed from the records', async () => {
    const recs = await gw.deps.db.orm.select({ hash: schema.auditLog.hash }).from(schema.auditLog).orderBy(asc(schema.auditLog.seq)).limit(40);
    const data = recs.map((r) => b(r.hash));
    const roots = [sha(), ...data.map((_, i) => mth(data.slice(0, i + 1)))];
    for (let n = 1; n <= 40; n++) {
      for (let m = 1; m <= n; m++) {
        const inc = (await get(`/v1/audit/proofs/inclusion?seq=${m}&treeSize=${n}`)).body as { auditPath: string[] };
        expect(rfcVerifyInclusion(m - 1, n, sha(LEAF, data[m - 1]!), inc.auditPath.map(b), roots[n]!), `inclusion ${m} in ${n}`).toBe(true);
        const con = (await get(`/v1/audit/proofs/consistency?first=${m}&second=${n}`)).body as { consistency: string[] };
        expect(rfcVerifyConsistency(m, n, roots[m]!, roots[n]!, con.consistency.map(b)), `consistency ${m} → ${n}`).toBe(true);
      }
    }
  }, 120_000);
});

describe('bad requests', () => {
  it('refuses a malformed or impossible proof request with a problem, and a size beyond the log with 404', async () => {
    for (const q of ['inclusion?seq=0', 'inclusion?seq=abc', 'inclusion?seq=5&treeSize=3', 'consistency?first=9&second=2']) {
      const r = await get(`/v1/audit/proofs/${q}`);
      expect(r.status, q).toBe(400);
      expect(r.type).toContain('application/problem+json');
    }
    const beyond = await get('/v1/audit/proofs/consistency?first=1&second=99999999');
    expect(beyond.status).toBe(404);
    expect(beyond.type).toContain('application/problem+json');
  });
});

describe('the worked example of schemas/wire/audit-proofs.md', () => {
  it('states the hashes and proofs the RFC 9162 definitions give for its seven records', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../schemas/wire/audit-proofs.md', import.meta.url), 'utf8');
    const recs = Array.from({ length: 7 }, (_, i) => sha(Buffer.from(`fuyuan example record ${i + 1}`)));
    const leaves = recs.map((h) => sha(LEAF, h));
    for (const [i, h] of recs.entries()) expect(doc).toContain(`| ${i + 1} | \`${h.toString('hex')}\` | \`${leaves[i]!.toString('hex')}\` |`);
    const root3 = mth(recs.slice(0, 3));
    const root7 = mth(recs);
    expect(doc).toContain(root3.toString('hex'));
    expect(doc).toContain(root7.toString('hex'));
    const h = (s: string) => Buffer.from(doc.match(new RegExp(`\`(${s}[0-9a-f]{60})\``))![1]!, 'hex');
    const path = ['91f7', 'f42d', 'ea34'].map(h);
    expect(rfcVerifyInclusion(2, 7, leaves[2]!, path, root7)).toBe(true);
    expect(rfcVerifyConsistency(3, 7, root3, root7, ['6063', '91f7', 'f42d', 'ea34'].map(h))).toBe(true);
  });
});
