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
  const bytes = new TextEncoder().encode('%PDF-1.4 行政起诉状（测试）\n%%EOF\n');
  const file = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes };
  const m = demoManifest({ messageId: `w-${Date.now()}`, senderCode: 'court-longyou', issuedAt: new Date(), regionCode: '330802', attachments: [await attachmentEntry(file, true)] });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    caPem: ca.certPem,
    jose: await signManifest(m, signer),
    untrusted: await signManifest({ ...m, messageId: `${m.messageId}-x` }, await rsaSigner(strangerLeaf)),
    attachmentSha256: m.documents[0]!.attachments[0]!.sha256,
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
