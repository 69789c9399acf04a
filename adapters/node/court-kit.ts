/**
 * A court-side toolkit for the demo, the benchmarks and the tests: a CA made with node-forge (RSA), signer
 * certificates it issues, manifests signed as compact JWS with x5c (jose), and the two request forms of
 * POST /v1/deliveries. It is what a court engineer's integration does, written down.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import forge from 'node-forge';
import { CompactSign, importPKCS8, type JWK } from 'jose';
import type { Manifest } from '../../schemas/api/manifest.js';
import { sha256Hex, toBase64 } from '../../src/lib/encoding.js';

export interface IssuedCert {
  certPem: string;
  der: Uint8Array;
  keyPem: string; // PKCS#8
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

const utf8Attr = (name: string, value: string): forge.pki.CertificateField => ({
  name,
  value,
  valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
});

const subject = (cn: string, o?: string): forge.pki.CertificateField[] => [
  utf8Attr('commonName', cn),
  ...(o ? [utf8Attr('organizationName', o)] : []),
  { name: 'countryName', value: 'CN' },
];

function derOf(cert: forge.pki.Certificate): Uint8Array {
  const bin = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

const pkcs8 = (key: forge.pki.rsa.PrivateKey) => forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)));

const serial = () => '01' + forge.util.bytesToHex(forge.random.getBytesSync(12));

export function createCa(cn: string, opts: { notBefore: Date; notAfter: Date; org?: string }): IssuedCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = opts.notBefore;
  cert.validity.notAfter = opts.notAfter;
  cert.setSubject(subject(cn, opts.org));
  cert.setIssuer(subject(cn, opts.org));
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), der: derOf(cert), keyPem: pkcs8(keys.privateKey), cert, key: keys.privateKey };
}

export function issueSigner(
  ca: IssuedCert,
  cn: string,
  opts: { notBefore: Date; notAfter: Date; org?: string; keyUsage?: 'sign' | 'encipher-only'; isCa?: boolean },
): IssuedCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = opts.notBefore;
  cert.validity.notAfter = opts.notAfter;
  cert.setSubject(subject(cn, opts.org));
  cert.setIssuer(ca.cert.subject.attributes);
  const usage = opts.isCa
    ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
    : opts.keyUsage === 'encipher-only'
      ? { name: 'keyUsage', keyEncipherment: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true };
  cert.setExtensions([{ name: 'basicConstraints', cA: !!opts.isCa, critical: true }, usage, { name: 'subjectKeyIdentifier' }]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), der: derOf(cert), keyPem: pkcs8(keys.privateKey), cert, key: keys.privateKey };
}

export interface Signer {
  alg: 'RS256' | 'PS256' | 'ES256';
  privateKey: CryptoKey;
  /** x5c entries: base64 DER, leaf first. */
  x5c: string[];
}

export async function rsaSigner(leaf: IssuedCert, chain: IssuedCert[] = [], alg: 'RS256' | 'PS256' = 'RS256'): Promise<Signer> {
  return { alg, privateKey: (await importPKCS8(leaf.keyPem, alg)) as CryptoKey, x5c: [leaf, ...chain].map((c) => toBase64(c.der)) };
}

export async function signManifest(manifest: unknown, signer: Signer, header: Record<string, unknown> = {}): Promise<string> {
  const payload = typeof manifest === 'string' ? new TextEncoder().encode(manifest) : new TextEncoder().encode(JSON.stringify(manifest));
  return new CompactSign(payload).setProtectedHeader({ alg: signer.alg, x5c: signer.x5c, ...header }).sign(signer.privateKey);
}

export interface FileInput {
  id: string;
  filename: string;
  mediaType: string;
  bytes: Uint8Array;
}

/** The manifest's attachment entry for some bytes (size and SHA-256 computed, as a court system would). */
export async function attachmentEntry(f: FileInput, inline: boolean) {
  return {
    id: f.id,
    filename: f.filename,
    mediaType: f.mediaType,
    size: f.bytes.length,
    sha256: await sha256Hex(f.bytes),
    ...(inline ? { content: toBase64(f.bytes) } : {}),
  };
}

/** multipart/form-data body: part `envelope` = the JWS; one part per attachment, named by its id. */
export function multipartBody(jws: string, files: FileInput[]): FormData {
  const form = new FormData();
  form.append('envelope', jws);
  for (const f of files) form.append(f.id, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.mediaType }), f.filename);
  return form;
}

export function joseRequest(url: string, jws: string): Request {
  return new Request(url, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
}

export function multipartRequest(url: string, jws: string, files: FileInput[]): Request {
  return new Request(url, { method: 'POST', body: multipartBody(jws, files) });
}

/** A realistic manifest for the Kecheng/Qujiang demo setting (Longyou court, collective jurisdiction). */
export function demoManifest(opts: {
  messageId: string;
  senderCode: string;
  issuedAt: Date;
  type?: Manifest['documents'][number]['type'];
  caseNumber?: string;
  defendant?: string;
  regionCode?: string;
  attachments?: Record<string, unknown>[];
  /** The court hearing the case (default 龙游县人民法院, court-longyou); a court sender creates only its own cases. */
  court?: { code: string; name: string };
}): Manifest {
  const type = opts.type ?? 'complaint_copy';
  const titles: Record<string, string> = {
    complaint_copy: '行政起诉状副本及应诉通知书、举证通知书',
    summons: '传票',
    judgment: '行政判决书',
    ruling: '行政裁定书',
    head_appearance_notice: '行政机关负责人出庭应诉通知书',
    effectiveness_certificate: '生效证明书',
  };
  const defendant = opts.defendant ?? '衢州市自然资源和规划局柯城分局';
  return {
    messageId: opts.messageId,
    sender: { type: 'court', code: opts.senderCode },
    issuedAt: opts.issuedAt.toISOString(),
    documents: [
      {
        documentId: `${opts.messageId}-1`,
        type,
        title: titles[type] ?? '法律文书',
        case: {
          caseNumber: opts.caseNumber ?? '(2026)浙0825行初123号',
          court: opts.court ?? { code: 'court-longyou', name: '浙江省龙游县人民法院' },
          instance: 'first',
          plaintiffs: [{ name: '张某某' }],
          defendants: [{ name: defendant, regionCode: opts.regionCode ?? '330802' }],
          challengedAct: {
            description: '作出的衢柯自然资罚〔2026〕15号行政处罚决定',
            actingUnits: [{ name: defendant, regionCode: opts.regionCode ?? '330802' }],
            kind: 'act',
            actedOn: '2026-06-10',
            domain: '自然资源',
          },
        },
        ...(type === 'summons' ? { hearing: { at: '2026-12-15T09:30:00+08:00', place: '龙游县人民法院第三法庭' } } : {}),
        ...(type === 'judgment' ? { outcome: { result: 'loss' as const, lossKind: 'revoke' as const } } : {}),
        attachments: (opts.attachments ?? []) as Manifest['documents'][number]['attachments'],
      },
    ],
  };
}

export type { JWK };

/**
 * A court's test PKI kept in `dir` (pki.json, and ca.pem to register): loaded when it exists, else made (a CA
 * valid five years, a signing certificate two). Used by `npm run demo` and `npm run simulate`.
 */
export function loadOrMakeCourtPki(dir: string, caName: string, org: string): { ca: IssuedCert; leaf: IssuedCert } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = join(dir, 'pki.json');
  if (existsSync(f)) {
    const saved = JSON.parse(readFileSync(f, 'utf8')) as Record<'caCert' | 'caKey' | 'leafCert' | 'leafKey', string>;
    const load = (certPem: string, keyPem: string): IssuedCert => {
      const cert = forge.pki.certificateFromPem(certPem);
      // The DER as issued (re-encoding with forge may change the name's string types and break the chain).
      const der = Uint8Array.from(Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
      return { certPem, keyPem, cert, der, key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey };
    };
    return { ca: load(saved.caCert, saved.caKey), leaf: load(saved.leafCert, saved.leafKey) };
  }
  const now = Date.now();
  const ca = createCa(caName, { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 5 * 365 * 86_400_000), org });
  const leaf = issueSigner(ca, `${org} 电子送达平台签章`, { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 2 * 365 * 86_400_000), org });
  writeFileSync(f, JSON.stringify({ caCert: ca.certPem, caKey: ca.keyPem, leafCert: leaf.certPem, leafKey: leaf.keyPem }), { mode: 0o600 });
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  return { ca, leaf };
}

/** The running gateway a demo court talks to (FUYUAN_URL, default http://127.0.0.1:8787); exits with a hint when it is down. */
export async function reachGateway(say: (s: string) => void): Promise<string> {
  const base = (process.env.FUYUAN_URL ?? 'http://127.0.0.1:8787').replace(/\/$/, '');
  try {
    const h = await fetch(`${base}/readyz`);
    if (!h.ok) throw new Error(`readyz answered ${h.status}`);
  } catch (e) {
    say(`无法连接网关 cannot reach the gateway at ${base} (${(e as Error).message}).`);
    say(`  Start it first (npm start), or point at the one that runs: FUYUAN_URL=http://127.0.0.1:PORT with the same DATA_DIR as the gateway.`);
    process.exit(1);
  }
  return base;
}

/**
 * The demo and the simulator register their court's CA in the database of DATA_DIR (or DATABASE_URL) and the
 * gateway at FUYUAN_URL must read the same one, or every push is refused as an untrusted chain. The gateway's
 * published keys tell: they are kept in the same DATA_DIR. Null when both agree, else what to do.
 */
export async function sameGatewayProblem(base: string, localJwks: { keys: { kid?: unknown }[] }, dataDir: string): Promise<string | null> {
  const remote = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: { kid?: unknown }[] };
  const kids = new Set(remote.keys.map((k) => k.kid));
  if (localJwks.keys.some((k) => kids.has(k.kid))) return null;
  return hintDataDir(base, dataDir);
}

export const hintDataDir = (base: string, dataDir: string) =>
  `the gateway at ${base} does not use this DATA_DIR (${resolve(dataDir)}): its signing keys differ, so it keeps another database, ` +
  `and the court registered here is unknown to it (its pushes are refused as 403 untrusted-certificate). ` +
  `Run with the gateway's DATA_DIR (and DATABASE_URL, if it sets one), e.g. DATA_DIR=/path/of/the/gateway npm run demo.`;
