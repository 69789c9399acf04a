/**
 * Verification per delivery with the trust of issue 22, in process (no server), each beside a bare
 * OpenSSL-backed node:crypto verification of the same signature:
 *
 * - RS256, revocation checked from cache: the sender's CA has an uploaded CRL (1,000 revoked serials), so every
 *   delivery's leaf is looked up in the stored CRL (memoised lookup + parsed serial map) as well;
 * - SM2SM3: a JWS signed by OpenSSL (`openssl dgst -sm3 -sigopt distid:1234567812345678`), verified by the
 *   pipeline through sm-crypto-v2 (pure JS, the same code as in workerd). node:crypto cannot verify a GM/T 0009
 *   signature (it leaves the Z value out), so its bare line verifies node's own SM2 signature over the same
 *   signing input: the same curve work in OpenSSL, without the one SM3 of Z.
 *
 * `npm run bench -- intake` prints these lines after the load test; `npx tsx bench/intake/trust.ts` alone.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { parseCompactJws } from '../../adapters/envelope/jws.js';
import { attachmentEntry, demoManifest, signManifest } from '../../adapters/node/court-kit.js';
import { verifyEnvelope } from '../../src/intake/pipeline.js';
import { registerSender } from '../../src/services/senders.js';
import { uploadCrl } from '../../src/services/revocation.js';
import { makeOpensslCa, opensslRsaSigner, opensslSm2Jws } from '../../test/helpers/openssl.js';
import { round } from '../types.js';

async function timeAsync(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}
function timeSync(n: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

export interface TrustVerification {
  rs256: { pipeline: number; bare: number };
  rs256Revocation: { pipeline: number; crlEntries: number };
  sm2: { pipeline: number; bareNodeSm2: number };
  iterations: number;
}

export async function trustVerificationCost(iterations = 1000): Promise<TrustVerification> {
  const dir = mkdtempSync(join(tmpdir(), 'fuyuan-bench-trust-'));
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const from = new Date(now.getTime() - 86_400_000);
  const to = new Date(now.getTime() + 365 * 86_400_000);
  const rsa = makeOpensslCa('基准测试法院 CA', { notBefore: from, notAfter: to });
  const sm2 = makeOpensslCa('基准测试法院 国密CA', { kind: 'sm2', notBefore: from, notAfter: to });
  const cfg = parseNodeConfig({ DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'trust.db')}`, LOG_LEVEL: 'warn' });
  const { deps, client } = await nodeDeps(cfg);
  try {
    const rsaLeaf = rsa.issue('基准签章 RSA');
    const sm2Leaf = sm2.issue('基准签章 SM2');
    await registerSender(deps, { code: 'bench-rsa', type: 'court', name: 'bench RSA', caPem: rsa.certPem }, 'bench');
    await registerSender(deps, { code: 'bench-rsa-crl', type: 'court', name: 'bench RSA + CRL', caPem: rsa.certPem, revocationPolicy: 'hard' }, 'bench');
    await registerSender(deps, { code: 'bench-sm2', type: 'court', name: 'bench SM2', caPem: sm2.certPem, sm2: true }, 'bench');
    const manifest = async (sender: string) =>
      demoManifest({
        messageId: `bench-${sender}`,
        senderCode: sender,
        issuedAt: now,
        regionCode: '330802',
        attachments: [
          await attachmentEntry({ id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4 bench') }, true),
        ],
      });

    // RS256 without a CRL (soft-fail, status unknown) and with one (hard-fail, the leaf found good in it).
    const signer = await opensslRsaSigner(rsaLeaf);
    const rsEnv = parseCompactJws(await signManifest(await manifest('bench-rsa'), signer));
    const rsCrlEnv = parseCompactJws(await signManifest(await manifest('bench-rsa-crl'), signer));
    // 1,000 other certificates revoked: a CRL of realistic size.
    for (let i = 0; i < 1000; i++)
      rsa.issued.push({ ...rsaLeaf, serial: (0x100000 + i).toString(16).toUpperCase(), revokedAt: new Date(now.getTime() - 86_400_000) });
    await uploadCrl(deps, 'bench-rsa-crl', rsa.crlPem(new Date(now.getTime() - 60_000), new Date(now.getTime() + 86_400_000), 1), 'bench');
    const check = await verifyEnvelope(deps, rsCrlEnv, now);
    if (check.revocation.evidence.status !== 'good') throw new Error('the CRL did not decide the bench leaf');
    const rsPipeline = await timeAsync(iterations, () => verifyEnvelope(deps, rsEnv, now));
    const rsCrlPipeline = await timeAsync(iterations, () => verifyEnvelope(deps, rsCrlEnv, now));
    const dot = rsEnv.raw.lastIndexOf('.');
    const rsInput = Buffer.from(rsEnv.raw.slice(0, dot), 'ascii');
    const rsSig = Buffer.from(rsEnv.raw.slice(dot + 1), 'base64url');
    const rsKey = new X509Certificate(Buffer.from(rsaLeaf.der)).publicKey;
    if (!nodeVerify('sha256', rsInput, rsKey, rsSig)) throw new Error('bare RS256 failed');
    const rsBare = timeSync(iterations, () => nodeVerify('sha256', rsInput, rsKey, rsSig));

    // SM2SM3 signed by OpenSSL.
    const smEnv = parseCompactJws(opensslSm2Jws(await manifest('bench-sm2'), sm2Leaf));
    await verifyEnvelope(deps, smEnv, now);
    const smPipeline = await timeAsync(iterations, () => verifyEnvelope(deps, smEnv, now));
    const smDot = smEnv.raw.lastIndexOf('.');
    const smInput = Buffer.from(smEnv.raw.slice(0, smDot), 'ascii');
    const smPriv = createPrivateKey(readFileSync(sm2Leaf.keyPath));
    const smPub = createPublicKey(smPriv);
    const nodeSig = nodeSign('sm3', smInput, smPriv);
    if (!nodeVerify('sm3', smInput, smPub, nodeSig)) throw new Error('bare node SM2 failed');
    const smBare = timeSync(iterations, () => nodeVerify('sm3', smInput, smPub, nodeSig));
    return {
      rs256: { pipeline: rsPipeline, bare: rsBare },
      rs256Revocation: { pipeline: rsCrlPipeline, crlEntries: 1000 },
      sm2: { pipeline: smPipeline, bareNodeSm2: smBare },
      iterations,
    };
  } finally {
    client.close();
    rsa.close();
    sm2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function trustLines(t: TrustVerification): string[] {
  const ms = (x: number) => `${round(x, 3).toFixed(3)} ms`;
  return [
    `  trust (in process, ${t.iterations} iterations each, small manifest; verifyEnvelope with the chain cache warm):`,
    `    RS256                                  ${ms(t.rs256.pipeline)}   bare node:crypto RS256 verify of the same JWS ${ms(t.rs256.bare)}`,
    `    RS256 + revocation checked from cache  ${ms(t.rs256Revocation.pipeline)}   (the sender's CA has a stored CRL of ${t.rs256Revocation.crlEntries} revoked serials)`,
    `    SM2SM3 (sm-crypto-v2, OpenSSL-signed)   ${ms(t.sm2.pipeline)}   bare node:crypto SM2/SM3 verify (OpenSSL, no Z value) of the same input ${ms(t.sm2.bareNodeSm2)}`,
  ];
}

export function trustJson(t: TrustVerification) {
  return {
    rs256VerifyEnvelopeMs: round(t.rs256.pipeline, 4),
    rs256BareNodeMs: round(t.rs256.bare, 4),
    rs256RevocationFromCacheMs: round(t.rs256Revocation.pipeline, 4),
    sm2VerifyEnvelopeMs: round(t.sm2.pipeline, 4),
    sm2BareNodeMs: round(t.sm2.bareNodeSm2, 4),
    crlEntries: t.rs256Revocation.crlEntries,
    iterations: t.iterations,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  trustVerificationCost(Number(process.env.BENCH_INTAKE_VERIFY_ITERATIONS) || 1000).then((t) => {
    for (const l of trustLines(t)) process.stdout.write(`${l}\n`);
    process.stdout.write(`BENCH ${JSON.stringify({ bench: 'intake-trust', ...trustJson(t) })}\n`);
  });
}
