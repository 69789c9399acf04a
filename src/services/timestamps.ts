/**
 * RFC 3161 trusted time on receipts (issue 22). A receipt never waits for it: intake only records the
 * receipt's digest (SHA-256 of its compact JWS) as pending; the sweep, at most once per `tsaIntervalSeconds`,
 * puts every pending digest as a leaf of one Merkle tree (RFC 6962 §2.1: leaf = SHA-256(0x00 ‖ digest),
 * node = SHA-256(0x01 ‖ left ‖ right)), asks the configured TSA for one token over the tree's root (the data
 * stamped is the 32-byte root, so the token's imprint is SHA-256(root)), and hands each receipt's sender signed
 * `timestamp` evidence: the token, the root and the receipt's audit path, which is all a court needs to check
 * it (`openssl ts -verify -data root.bin`; schemas/wire/README.md §7). So the TSA
 * sees one request per interval, not one per delivery (as X-Road batches its stamps).
 */
import { asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Deps, Stmt } from '../deps.js';
import { receiptTimestamps, timestampBatches } from '../../schemas/db/index.js';
import { fromBase64, sha256HexSync, toBase64, toHex } from '../lib/encoding.js';
import { newId } from '../lib/ids.js';
import { insertRows } from '../lib/raw-insert.js';
import { trustConfig, trustFetch } from '../lib/fetcher.js';
import { evidenceStmts } from './evidence.js';

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';

const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
};

export interface PathStep {
  /** Where the sibling sits: hash it on the left (sibling ‖ current) or on the right (current ‖ sibling). */
  side: 'left' | 'right';
  hash: string; // hex
}

/** RFC 6962 Merkle tree hash over `leaves` (hex digests), with each leaf's audit path, bottom-up. */
export function merkleTree(leaves: string[]): { root: string; paths: PathStep[][] } {
  const rec = (lo: number, hi: number): { hash: Uint8Array; paths: PathStep[][] } => {
    if (hi - lo === 1) return { hash: sha256(cat(new Uint8Array([0]), fromHex(leaves[lo]!))), paths: [[]] };
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    const l = rec(lo, lo + k);
    const r = rec(lo + k, hi);
    return {
      hash: sha256(cat(new Uint8Array([1]), l.hash, r.hash)),
      paths: [
        ...l.paths.map((p) => [...p, { side: 'right' as const, hash: toHex(r.hash) }]),
        ...r.paths.map((p) => [...p, { side: 'left' as const, hash: toHex(l.hash) }]),
      ],
    };
  };
  if (leaves.length === 0) throw new Error('no leaves');
  const t = rec(0, leaves.length);
  return { root: toHex(t.hash), paths: t.paths };
}

/** The root a receipt digest and its audit path lead to (what a court recomputes before asking OpenSSL). */
export function rootFromPath(leafHex: string, path: PathStep[]): string {
  let h = sha256(cat(new Uint8Array([0]), fromHex(leafHex)));
  for (const s of path) h = sha256(s.side === 'left' ? cat(new Uint8Array([1]), fromHex(s.hash), h) : cat(new Uint8Array([1]), h, fromHex(s.hash)));
  return toHex(h);
}

/** The pending row for a new receipt, in the delivery's batch (only when a TSA is configured). */
export function timestampStmts(deps: Deps, r: { deliveryId: string; senderCode: string; receiptId: string; jws: string }, now: Date): Stmt[] {
  if (!trustConfig(deps).tsaUrl) return [];
  return [
    insertRows(receiptTimestamps, [
      { deliveryId: r.deliveryId, senderCode: r.senderCode, receiptId: r.receiptId, receiptSha256: sha256HexSync(r.jws), createdAt: now },
    ]),
  ];
}

/** An RFC 3161 request over a SHA-256 imprint, with a nonce and certReq. */
export function timeStampRequest(imprintHex: string, nonce: Uint8Array): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: fromHex(imprintHex) }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return new Uint8Array(req.toSchema().toBER(false));
}

/** The imprint the TSA stamps for a tree: SHA-256 of the 32 bytes of its root. */
export const imprintOf = (rootHex: string): string => toHex(sha256(fromHex(rootHex)));

/** Read a TSA's answer: granted, a token over exactly SHA-256(root) and our nonce, its signature intact. */
export async function readTimeStampResponse(der: Uint8Array, rootHex: string, nonce: Uint8Array): Promise<{ token: Uint8Array; genTime: Date }> {
  const imprintHex = imprintOf(rootHex);
  const resp = pkijs.TimeStampResp.fromBER(der as Uint8Array<ArrayBuffer>);
  const status = resp.status.status;
  if ((status !== 0 && status !== 1) || !resp.timeStampToken)
    throw new Error(
      `the TSA did not grant the request (status ${status}${resp.status.statusStrings?.length ? `: ${resp.status.statusStrings.map((s) => s.valueBlock.value).join('; ')}` : ''})`,
    );
  const signed = new pkijs.SignedData({ schema: resp.timeStampToken.content });
  if (signed.encapContentInfo.eContentType !== OID_TST_INFO || !signed.encapContentInfo.eContent) throw new Error('the token does not hold a TSTInfo');
  const tst = pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent.getValue() as ArrayBuffer);
  if (
    tst.messageImprint.hashAlgorithm.algorithmId !== OID_SHA256 ||
    toHex(new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView)) !== imprintHex
  ) {
    throw new Error('the token is over another imprint than the one requested');
  }
  const want = BigInt(`0x${toHex(nonce)}`);
  const got = tst.nonce ? BigInt(`0x${toHex(new Uint8Array(tst.nonce.valueBlock.valueHexView)) || '0'}`) : undefined;
  if (got !== want) throw new Error('the token does not carry the nonce of the request');
  // pkijs checks the signature and, for a TSTInfo, that the imprint is the digest of `data` (the root).
  const ok = await signed.verify({ signer: 0, data: fromHex(rootHex).buffer as ArrayBuffer, checkChain: false, extendedMode: true }).then(
    (r) => (typeof r === 'boolean' ? r : r.signatureVerified === true),
    () => false,
  );
  if (!ok) throw new Error("the token's signature does not verify with the TSA certificate it carries");
  return { token: new Uint8Array(resp.timeStampToken.toSchema().toBER(false)), genTime: tst.genTime };
}

/** The sweep step: one TSA request per interval over every pending receipt; signed evidence for each. */
export async function timestampReceipts(deps: Deps, now: Date): Promise<Record<string, number>> {
  const cfg = trustConfig(deps);
  if (!cfg.tsaUrl) return { pending: 0 };
  const [last] = await deps.db.orm.select({ createdAt: timestampBatches.createdAt }).from(timestampBatches).orderBy(desc(timestampBatches.createdAt)).limit(1);
  if (last && now.getTime() - last.createdAt.getTime() < cfg.tsaIntervalSeconds * 1000) return { waiting: 1 };
  const pending = await deps.db.orm
    .select()
    .from(receiptTimestamps)
    .where(isNull(receiptTimestamps.batchId))
    .orderBy(asc(receiptTimestamps.createdAt), asc(receiptTimestamps.deliveryId))
    .limit(50_000);
  if (pending.length === 0) return { pending: 0 };
  const leaves = pending.map((p) => p.receiptSha256);
  const { root, paths } = merkleTree(leaves);
  const nonce = crypto.getRandomValues(new Uint8Array(8));
  nonce[0]! &= 0x7f; // a positive INTEGER
  let token: Uint8Array;
  let genTime: Date;
  try {
    const der = await trustFetch(deps, cfg.tsaUrl, {
      method: 'POST',
      body: timeStampRequest(imprintOf(root), nonce),
      contentType: 'application/timestamp-query',
      accept: 'application/timestamp-reply',
    });
    ({ token, genTime } = await readTimeStampResponse(der, root, nonce));
  } catch (e) {
    deps.log.log('warn', 'timestamp request failed; the receipts stay pending', {
      tsa: cfg.tsaUrl,
      pending: pending.length,
      error: String((e as Error).message),
    });
    return { pending: pending.length, failed: 1 };
  }
  const batchId = newId();
  const tokenB64 = toBase64(token);
  const items: Stmt[] = [
    insertRows(timestampBatches, [
      { id: batchId, tsaUrl: cfg.tsaUrl, leavesJson: JSON.stringify(leaves), imprint: imprintOf(root), token: tokenB64, genTime, createdAt: now },
    ]),
  ];
  for (const [i, p] of pending.entries()) {
    items.push(deps.db.orm.update(receiptTimestamps).set({ batchId, position: i }).where(eq(receiptTimestamps.deliveryId, p.deliveryId)));
    const ev = await evidenceStmts(
      deps,
      {
        senderCode: p.senderCode,
        type: 'timestamp',
        deliveryId: p.deliveryId,
        uniqueKey: `timestamp:${p.deliveryId}`,
        payload: {
          receiptId: p.receiptId,
          deliveryId: p.deliveryId,
          receiptSha256: p.receiptSha256,
          timestamp: {
            standard: 'RFC 3161',
            tsa: cfg.tsaUrl,
            genTime: genTime.toISOString(),
            token: tokenB64,
            tree: 'RFC 6962 §2.1 Merkle tree hash, SHA-256',
            root,
            imprint: imprintOf(root),
            treeSize: leaves.length,
            leafIndex: i,
            path: paths[i]!,
          },
        },
      },
      now,
    );
    items.push(...ev.items);
  }
  // The batch, the receipts' places in it and their evidence are stored facts: one audited write.
  await deps.writer.audited(
    [
      {
        actor: 'system:timestamps',
        action: 'timestamp.batch',
        subject: `timestamp:${batchId}`,
        data: { batchId, tsa: cfg.tsaUrl, imprint: imprintOf(root), deliveries: pending.map((p) => p.deliveryId) },
      },
    ],
    async () => ({ items, result: null }),
    now,
  );
  return { stamped: pending.length, requests: 1 };
}

/** A receipt's timestamp, for GET /v1/deliveries/… and the CLI: the token and the audit path to the root. */
export async function receiptTimestamp(deps: Deps, deliveryId: string) {
  const [row] = await deps.db.orm.select().from(receiptTimestamps).where(eq(receiptTimestamps.deliveryId, deliveryId));
  if (!row?.batchId) return row ? { status: 'pending' as const } : undefined;
  const [batch] = await deps.db.orm
    .select()
    .from(timestampBatches)
    .where(inArray(timestampBatches.id, [row.batchId]));
  const leaves = JSON.parse(batch!.leavesJson) as string[];
  const { paths } = merkleTree(leaves);
  return {
    status: 'stamped' as const,
    token: fromBase64(batch!.token),
    imprint: batch!.imprint,
    genTime: batch!.genTime,
    path: paths[row.position!]!,
    receiptSha256: row.receiptSha256,
  };
}
