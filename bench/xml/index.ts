/**
 * bench/xml: verify-and-parse time per envelope, XML (XMLDSig) beside JSON/JWS for the same content, at two
 * sizes: about 10 KB and about 1 MB of envelope (the size comes from one inline attachment, base64).
 *
 * Per envelope, in-process, chain cache warm (as on the hot path):
 *   XML  parseXmlEnvelope(bytes)  = decode + guard + DOM parse + shape + xml-crypto verify + xml2js mapping,
 *        then verifyEnvelope(deps, env) = schema, sender, chain (cached), key check, attachment digest;
 *   JWS  parseCompactJws(text) then verifyEnvelope(deps, env) (jose verify inside).
 * The XML steps are also timed one by one. Knobs: BENCH_XML_ITERATIONS_SMALL (400), BENCH_XML_ITERATIONS_LARGE (30).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { attachmentEntry, createCa, demoManifest, issueSigner, rsaSigner, signManifest } from '../../adapters/node/court-kit.js';
import { parseNodeConfig } from '../../adapters/node/config.js';
import { nodeDeps } from '../../adapters/node/deps.js';
import { parseCompactJws } from '../../adapters/envelope/jws.js';
import { parseXmlEnvelope } from '../../adapters/envelope/xml.js';
import { decodeXml } from '../../adapters/envelope/xml/encoding.js';
import { guardXml } from '../../adapters/envelope/xml/guard.js';
import { checkShape, leafPublicKey, verifyWithKey } from '../../adapters/envelope/xml/dsig.js';
import { manifestFromXml } from '../../adapters/envelope/xml/mapping.js';
import { encodeXml, signXmlEnvelope } from '../../adapters/envelope/xml/sign.js';
import { verifyEnvelope } from '../../src/intake/pipeline.js';
import { registerSender } from '../../src/services/senders.js';
import { percentile, round, type BenchContext, type BenchResult } from '../types.js';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
};
const SENDER = 'court-bench';

interface Timing {
  p50: number;
  mean: number;
}

async function time(n: number, fn: () => Promise<unknown> | unknown): Promise<Timing> {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return { p50: percentile(xs, 50), mean: xs.reduce((s, x) => s + x, 0) / xs.length };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'fuyuan-bench-xml-'));
  const cfg = parseNodeConfig({ DATA_DIR: tmp, DATABASE_URL: `file:${join(tmp, 'bench.db')}`, LOG_LEVEL: 'warn' });
  const { deps, client } = await nodeDeps(cfg);
  try {
    const now = Date.now();
    const validity = { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 365 * 86_400_000) };
    const ca = createCa('基准测试法院 CA', validity);
    const leaf = issueSigner(ca, '基准测试法院 电子送达签章', validity);
    const jwsSigner = await rsaSigner(leaf);
    const xmlSigner = { alg: 'RS256' as const, keyPem: leaf.keyPem, chain: [leaf.der] };
    await registerSender(deps, { code: SENDER, type: 'court', name: '基准测试法院 (bench court)', caPem: ca.certPem }, 'bench');

    const sizes = [
      { label: '10 KB', target: 10 * 1024, n: num('BENCH_XML_ITERATIONS_SMALL', 400) },
      { label: '1 MB', target: 1024 * 1024, n: num('BENCH_XML_ITERATIONS_LARGE', 30) },
    ];
    const lines: string[] = ['xml: verify-and-parse per envelope, in-process, RSA-2048 (RS256 / rsa-sha256), chain cache warm, one inline attachment'];
    const json: Record<string, unknown> = { iterations: Object.fromEntries(sizes.map((s) => [s.label, s.n])) };
    for (const size of sizes) {
      // Size the attachment so that the XML envelope is about the target size.
      const make = async (bytes: number) => {
        const file = {
          id: 'att-1',
          filename: '行政起诉状副本.pdf',
          mediaType: 'application/pdf',
          bytes: Uint8Array.from({ length: bytes }, (_, i) => (i * 131 + 7) & 0xff),
        };
        const m = demoManifest({
          messageId: `bench-xml-${size.label.replace(' ', '')}`,
          senderCode: SENDER,
          issuedAt: new Date(),
          attachments: [await attachmentEntry(file, true)],
        });
        return { m, xml: encodeXml(signXmlEnvelope(m, xmlSigner)) };
      };
      const probe = await make(1000);
      const perByte = 4 / 3;
      const fixed = probe.xml.length - 1000 * perByte;
      const { m, xml } = await make(Math.max(100, Math.round((size.target - fixed) / perByte)));
      const jws = await signManifest(m, jwsSigner);
      ctx.log(`${size.label}: XML ${xml.length} bytes, JWS ${jws.length} bytes, ${size.n} iterations`);

      const at = new Date();
      const xmlEnv = await parseXmlEnvelope(xml);
      await verifyEnvelope(deps, xmlEnv, at); // warms the chain cache
      const jwsEnv = parseCompactJws(jws);
      await verifyEnvelope(deps, jwsEnv, at);

      const xmlTotal = await time(size.n, async () => verifyEnvelope(deps, await parseXmlEnvelope(xml), at));
      const jwsTotal = await time(size.n, async () => verifyEnvelope(deps, parseCompactJws(jws), at));

      // The XML steps one by one.
      const text = decodeXml(xml).text;
      const doc = new DOMParser().parseFromString(text, 'application/xml') as unknown as Document;
      const shape = checkShape(doc);
      const key = leafPublicKey(shape.x5c[0]!, shape.alg);
      const signedXml = verifyWithKey(text, shape.signature, key);
      const steps = {
        decode: await time(size.n, () => decodeXml(xml)),
        guard: await time(size.n, () => guardXml(text)),
        domAndShape: await time(size.n, () => checkShape(new DOMParser().parseFromString(text, 'application/xml') as unknown as Document)),
        xmlCrypto: await time(size.n, () => verifyWithKey(text, shape.signature, key)),
        xml2jsMapping: await time(size.n, () => manifestFromXml(signedXml)),
        pipeline: await time(size.n, () => verifyEnvelope(deps, xmlEnv, at)),
      };
      const ms = (t: Timing) => `${round(t.p50, 3).toFixed(3)} ms`;
      lines.push(
        `  ${size.label.padEnd(5)}  XML ${String(xml.length).padStart(8)} B  ${ms(xmlTotal).padStart(11)} p50 (mean ${round(xmlTotal.mean, 3).toFixed(3)})   ` +
          `JWS ${String(jws.length).padStart(8)} B  ${ms(jwsTotal).padStart(11)} p50 (mean ${round(jwsTotal.mean, 3).toFixed(3)})   XML/JWS ${round(xmlTotal.p50 / jwsTotal.p50, 1)}×`,
        `         XML steps (p50): decode ${ms(steps.decode)}, guard ${ms(steps.guard)}, DOM + shape ${ms(steps.domAndShape)}, xml-crypto c14n + digest + verify ${ms(steps.xmlCrypto)}, ` +
          `xml2js mapping ${ms(steps.xml2jsMapping)}, verifyEnvelope (schema, sender, chain cached, attachment SHA-256) ${ms(steps.pipeline)}`,
      );
      json[size.label] = {
        xmlBytes: xml.length,
        jwsBytes: jws.length,
        xmlMs: { p50: round(xmlTotal.p50, 4), mean: round(xmlTotal.mean, 4) },
        jwsMs: { p50: round(jwsTotal.p50, 4), mean: round(jwsTotal.mean, 4) },
        ratio: round(xmlTotal.p50 / jwsTotal.p50, 2),
        xmlStepsP50Ms: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, round(v.p50, 4)])),
      };
    }
    return { lines, json };
  } finally {
    client.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
