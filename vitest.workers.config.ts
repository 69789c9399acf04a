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

async function fixtures() {
  const from = new Date(Date.now() - 86_400_000);
  const to = new Date(Date.now() + 365 * 86_400_000);
  const ca = createCa('龙游县人民法院 测试CA', { notBefore: from, notAfter: to });
  const leaf = issueSigner(ca, '龙游县人民法院 签章', { notBefore: from, notAfter: to });
  const stranger = createCa('伪造CA', { notBefore: from, notAfter: to });
  const strangerLeaf = issueSigner(stranger, '伪造签章', { notBefore: from, notAfter: to });
  const signer = await rsaSigner(leaf);
  const file = (name: string, text: string) => ({ id: 'a1', filename: name, mediaType: 'application/pdf', bytes: new TextEncoder().encode(`%PDF-1.4 ${text}\n%%EOF\n`) });
  const delivery = async (messageId: string, f: ReturnType<typeof file>, caseNumber?: string) =>
    demoManifest({ messageId, senderCode: 'court-longyou', issuedAt: new Date(), regionCode: '330802', attachments: [await attachmentEntry(f, true)], ...(caseNumber ? { caseNumber } : {}) });
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
      return {
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            GATEWAY_KEY: f.gatewayKey,
            ADMIN_TOKEN: 'workers-test-admin-token-0123',
            LOG_LEVEL: 'warn',
            TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url))),
            FIXTURES: JSON.stringify(f),
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
