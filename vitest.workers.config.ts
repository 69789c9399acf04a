/**
 * The integration tests inside the Workers runtime (workerd, via @cloudflare/vitest-pool-workers): the Worker
 * entry (adapters/workers/worker.ts) with a local D1 (the same migrations/) and R2. Signed fixtures are made
 * here, on the Node side, because RSA key generation is Node's job; they reach the tests as a binding.
 */
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import { createCa, demoManifest, issueSigner, rsaSigner, signManifest, attachmentEntry } from './adapters/node/court-kit.js';
import { makeOpensslCa, opensslRsaSigner, opensslSm2Jws, opensslSm2XmlEnvelope } from './test/helpers/openssl.js';
import { manifestToXml } from './adapters/envelope/xml/mapping.js';
import { XML_ALGS } from './adapters/envelope/xml/dsig.js';

/**
 * 国密 and revocation inside workerd (issue 22): an SM2 court made by OpenSSL (SM2-with-SM3 CA and leaf),
 * JWS and XML envelopes signed by OpenSSL with the GM/T 0009 default signer ID, an SM2-signed CRL revoking a
 * second leaf, and an RSA leaf with an OCSP response stapled (made by `openssl ocsp`).
 */
async function trustFixtures() {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const from = new Date(now.getTime() - 86_400_000);
  const to = new Date(now.getTime() + 365 * 86_400_000);
  const sm2 = makeOpensslCa('浙江省衢州市中级人民法院 国密CA', { kind: 'sm2', notBefore: from, notAfter: to });
  const rsa = makeOpensslCa('衢州市柯城区人民法院 CA', { notBefore: from, notAfter: to });
  try {
    const leaf = sm2.issue('衢州中院 电子签章 SM2');
    const revoked = sm2.issue('衢州中院 已吊销签章 SM2');
    revoked.revokedAt = new Date(now.getTime() - 3_600_000);
    const rsaLeaf = rsa.issue('柯城法院 签章');
    const rsaRevoked = rsa.issue('柯城法院 已吊销签章');
    rsaRevoked.revokedAt = new Date(now.getTime() - 600_000);
    const run = Date.now();
    const m = async (id: string, sender: string) =>
      demoManifest({
        messageId: `w-trust-${run}-${id}`,
        senderCode: sender,
        // The sending court's own case (a sender may only create and extend its own cases): one number per court.
        court: { code: sender, name: sender },
        caseNumber: sender === 'court-sm2' ? '(2026)浙08行初501号' : '(2026)浙0802行初502号',
        issuedAt: now,
        regionCode: '330802',
        attachments: [
          await attachmentEntry(
            { id: 'a1', filename: '行政起诉状.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode(`%PDF-1.4 ${id}`) },
            true,
          ),
        ],
      });
    const jose = opensslSm2Jws(await m('sm2', 'court-sm2'), leaf);
    const [h, p, sig] = jose.split('.') as [string, string, string];
    const tamperedPayload = Buffer.from(Buffer.from(p, 'base64url').toString('utf8').replace('行政起诉状', '行政起诉壮')).toString('base64url');
    return {
      sm2CaPem: sm2.certPem,
      sm2Jose: jose,
      sm2Tampered: `${h}.${tamperedPayload}.${sig}`,
      sm2Xml: opensslSm2XmlEnvelope(manifestToXml(await m('sm2-xml', 'court-sm2'), { id: 'manifest', xmlns: false }), leaf, {
        sm2Uri: XML_ALGS.sm2Sm3,
        sm3Uri: XML_ALGS.sm3,
      }),
      sm2Revoked: opensslSm2Jws(await m('sm2-revoked', 'court-sm2'), revoked),
      sm2CrlPem: sm2.crlPem(new Date(now.getTime() - 60_000), new Date(now.getTime() + 86_400_000), 5),
      revokedAt: revoked.revokedAt.toISOString(),
      rsaCaPem: rsa.certPem,
      stapledGood: await signManifest(await m('stapled-good', 'court-kc'), await opensslRsaSigner(rsaLeaf), {
        ocsp: [Buffer.from(rsa.ocspFor(rsaLeaf)).toString('base64')],
      }),
      stapledRevoked: await signManifest(await m('stapled-revoked', 'court-kc'), await opensslRsaSigner(rsaRevoked), {
        ocsp: [Buffer.from(rsa.ocspFor(rsaRevoked)).toString('base64')],
      }),
      rsaRevokedAt: rsaRevoked.revokedAt.toISOString(),
    };
  } finally {
    sm2.close();
    rsa.close();
  }
}

async function fixtures() {
  const from = new Date(Date.now() - 86_400_000);
  const to = new Date(Date.now() + 365 * 86_400_000);
  const ca = createCa('龙游县人民法院 测试CA', { notBefore: from, notAfter: to });
  const leaf = issueSigner(ca, '龙游县人民法院 签章', { notBefore: from, notAfter: to });
  const stranger = createCa('伪造CA', { notBefore: from, notAfter: to });
  const strangerLeaf = issueSigner(stranger, '伪造签章', { notBefore: from, notAfter: to });
  const signer = await rsaSigner(leaf);
  const file = (name: string, text: string) => ({
    id: 'a1',
    filename: name,
    mediaType: 'application/pdf',
    bytes: new TextEncoder().encode(`%PDF-1.4 ${text}\n%%EOF\n`),
  });
  const delivery = async (messageId: string, f: ReturnType<typeof file>, caseNumber?: string) =>
    demoManifest({
      messageId,
      senderCode: 'court-longyou',
      issuedAt: new Date(),
      regionCode: '330802',
      attachments: [await attachmentEntry(f, true)],
      ...(caseNumber ? { caseNumber } : {}),
    });
  const run = Date.now();
  const first = file('起诉状.pdf', '行政起诉状（测试）');
  const m = await delivery(`w-${run}`, first);
  // Another message with its own bytes, its payload changed after signing (the signature no longer verifies).
  const tamperedFile = file('起诉状.pdf', '被篡改的起诉状');
  const t = await delivery(`w-${run}-t`, tamperedFile);
  const [h, p, s] = (await signManifest(t, signer)).split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { documents: { title: string }[] };
  payload.documents[0]!.title += '（改）';
  const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  const second = await delivery(`w-${run}-2`, file('起诉状2.pdf', '另一份起诉状'), '(2026)浙0825行初99号');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    caPem: ca.certPem,
    jose: await signManifest(m, signer),
    untrusted: await signManifest({ ...m, messageId: `${m.messageId}-x` }, await rsaSigner(strangerLeaf)),
    tampered,
    tamperedSha256: t.documents[0]!.attachments[0]!.sha256,
    second: await signManifest(second, signer),
    attachmentSha256: m.documents[0]!.attachments[0]!.sha256,
    attachmentBase64: Buffer.from(first.bytes).toString('base64'),
    gatewayKey: JSON.stringify(await exportJWK(privateKey)),
  };
}

export default defineConfig({
  plugins: [
    cloudflareTest(async () => {
      const f = await fixtures();
      const trust = await trustFixtures();
      return {
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            GATEWAY_KEY: f.gatewayKey,
            ADMIN_TOKEN: 'workers-test-admin-token-0123',
            LOG_LEVEL: 'warn',
            TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url))),
            FIXTURES: JSON.stringify(f),
            TRUST_FIXTURES: JSON.stringify(trust),
            DEMO_DIRECTORY: readFileSync(fileURLToPath(new URL('./schemas/directory/demo-quzhou.json', import.meta.url)), 'utf8'),
          },
        },
      };
    }),
  ],
  test: {
    // CI (.ci/run) sets VITEST_JSON_DIR to total the results on one closing line.
    reporters: process.env.VITEST_JSON_DIR ? ['default', ['json', { outputFile: `${process.env.VITEST_JSON_DIR}/workers.json` }]] : ['default'],
    include: ['test/workers/**/*.test.ts'],
    setupFiles: ['./test/workers/apply-migrations.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
