/**
 * Certificates and chains. Path validation (RFC 5280: signatures, name chaining, validity, CA basic
 * constraints, keyCertSign) is done by pkijs over WebCrypto, so RSA and EC chains work on Node and in
 * Workers alike. (node-forge, the first choice, cannot parse EC certificates: "OID is not RSA"; it makes
 * the RSA test and demo CAs instead, an independent implementation from the one that verifies.)
 *
 * Verified chains are cached by the fingerprint of the chain and the sender's trust-store version, so the
 * hot path does not parse certificates again; the cached entry keeps the chain's validity window so that
 * each arrival is still checked against it.
 *
 * 国密 (issue 22): the pkijs engine is extended with SM2-with-SM3 (OID 1.2.156.10197.1.501) through
 * sm-crypto-v2 (src/lib/sm2.ts), so SM2 chains, and CRLs and OCSP responses signed with SM2, are validated by
 * the same path validation; WebCrypto has no SM2. The validated path (leaf … anchor) is kept with each
 * certificate's serial, CRL distribution points and OCSP responders for the revocation check
 * (src/services/revocation.ts).
 */
import * as pkijs from 'pkijs';
import { importX509, type CryptoKey as JoseKey } from 'jose';
import { Problem } from './problem.js';
import { sha256Hex, toBase64 } from './encoding.js';
import { OID_SM2_CURVE, OID_SM2_WITH_SM3, sm2Precompute, sm2PublicKeyHex, sm2VerifyDer, type Sm2PublicPoint } from './sm2.js';
import { slot } from './process-state.js';

/** WebCrypto for RSA and ECDSA; SM2-with-SM3 signatures (certificates, CRLs, OCSP) through sm-crypto-v2. */
class GatewayCryptoEngine extends pkijs.CryptoEngine {
  override async verifyWithPublicKey(
    data: BufferSource,
    signature: Parameters<pkijs.CryptoEngine['verifyWithPublicKey']>[1],
    publicKeyInfo: pkijs.PublicKeyInfo,
    signatureAlgorithm: pkijs.AlgorithmIdentifier,
    shaAlgorithm?: string | null,
  ): Promise<boolean> {
    if (signatureAlgorithm.algorithmId === OID_SM2_WITH_SM3) {
      const point = sm2PointOf(publicKeyInfo);
      if (!point) return false;
      const bytes =
        data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      return sm2VerifyDer(bytes, new Uint8Array(signature.valueBlock.valueHexView), point);
    }
    return super.verifyWithPublicKey(data, signature, publicKeyInfo, signatureAlgorithm, shaAlgorithm ?? undefined);
  }
}

pkijs.setEngine('webcrypto', new GatewayCryptoEngine({ name: 'webcrypto', crypto: globalThis.crypto }));

/** The SM2 public point of a SubjectPublicKeyInfo (id-ecPublicKey on the SM2 curve), hex; undefined otherwise. */
export function sm2PointOf(spki: pkijs.PublicKeyInfo): string | undefined {
  const params = spki.algorithm.algorithmParams as { valueBlock?: { toString(): string } } | undefined;
  if (spki.algorithm.algorithmId !== '1.2.840.10045.2.1' || params?.valueBlock?.toString() !== OID_SM2_CURVE) return undefined;
  try {
    return sm2PublicKeyHex(new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView));
  } catch {
    return undefined;
  }
}

/**
 * JWS algorithms accepted. `SM2SM3` is this gateway's name for SM2 over SM3 with the GM/T 0009 default signer
 * ID (no JOSE identifier is registered; schemas/wire/README.md §1), accepted only from senders registered for SM2.
 */
export const ALLOWED_ALGS = ['RS256', 'PS256', 'ES256', 'SM2SM3'] as const;
export type AllowedAlg = (typeof ALLOWED_ALGS)[number];
export const isAllowedAlg = (alg: unknown): alg is AllowedAlg => typeof alg === 'string' && (ALLOWED_ALGS as readonly string[]).includes(alg);

const OID_CN = '2.5.4.3';
const OID_KEY_USAGE = '2.5.29.15';
const OID_CRL_DP = '2.5.29.31';
const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';

export interface ParsedCert {
  der: Uint8Array;
  cert: pkijs.Certificate;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string; // SHA-256 of DER, hex
}

function nameOf(rdn: pkijs.RelativeDistinguishedNames): string {
  const parts = rdn.typesAndValues.map((tv) => {
    const short = tv.type === OID_CN ? 'CN' : tv.type === '2.5.4.10' ? 'O' : tv.type === '2.5.4.6' ? 'C' : tv.type === '2.5.4.11' ? 'OU' : tv.type;
    return `${short}=${tv.value.valueBlock.value}`;
  });
  return parts.join(', ');
}

export async function parseCertificate(der: Uint8Array): Promise<ParsedCert> {
  const cert = pkijs.Certificate.fromBER(der as Uint8Array<ArrayBuffer>);
  return {
    der,
    cert,
    subject: nameOf(cert.subject),
    issuer: nameOf(cert.issuer),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    fingerprint: await sha256Hex(der),
  };
}

/** PEM bundle (one or more CERTIFICATE blocks) → DER certificates. */
export function pemToDers(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    const b64 = (m[1] ?? '').replace(/\s+/g, '');
    const bin = atob(b64);
    const der = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) der[i] = bin.charCodeAt(i);
    out.push(der);
  }
  return out;
}

export function derToPem(der: Uint8Array): string {
  const b64 = toBase64(der)
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** keyUsage bits: digitalSignature (0) or nonRepudiation (1) allow a leaf to sign documents. */
function leafMaySign(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === OID_KEY_USAGE);
  if (!ext) return true; // no keyUsage extension: unrestricted (RFC 5280 §4.2.1.3)
  const bits = ext.parsedValue as { valueBlock: { valueHexView: Uint8Array; unusedBits: number } } | undefined;
  const first = bits?.valueBlock.valueHexView[0] ?? 0;
  return (first & 0x80) !== 0 || (first & 0x40) !== 0;
}

export interface TrustAnchor {
  der: Uint8Array;
  fingerprint: string;
}

/** One certificate of a validated path, with what its revocation check needs. */
export interface PathCert {
  der: Uint8Array;
  subject: string;
  fingerprint: string;
  /** Serial number, lowercase hex without leading zeros. */
  serial: string;
  /** http(s) URIs of its CRL distribution points. */
  crlUrls: string[];
  /** http(s) URIs of its OCSP responders (authorityInfoAccess). */
  ocspUrls: string[];
}

export interface VerifiedChain {
  /** The validated path, leaf first, the registered CA (trust anchor) last. */
  path: PathCert[];
  /** The leaf's SM2 public point (hex) when its key is SM2, and its precomputed form once used. */
  sm2PublicKey?: string;
  sm2Point?: Sm2PublicPoint;
  leafSubject: string;
  leafFingerprint: string;
  anchorFingerprint: string;
  notBefore: number; // latest notBefore in the path, ms
  notAfter: number; // earliest notAfter in the path, ms
  keys: Map<string, JoseKey>; // imported leaf public key per alg
  leafPem: string;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

const within = (at: Date, c: ParsedCert) => c.notBefore.getTime() <= at.getTime() && at.getTime() <= c.notAfter.getTime();

/**
 * Validate x5c (leaf first) against the CAs registered for the sender, at the arrival instant.
 * Throws a Problem naming the certificate at fault.
 */
export async function validateChain(x5c: Uint8Array[], anchors: TrustAnchor[], at: Date, senderCode: string): Promise<VerifiedChain> {
  if (x5c.length === 0) throw new Problem('missing-certificate-chain', 'x5c is empty: put the signer certificate first, then its issuers');
  let parsed: ParsedCert[];
  try {
    parsed = await Promise.all(x5c.map((d) => parseCertificate(d)));
  } catch {
    throw new Problem('malformed-envelope', 'x5c contains something that is not a DER X.509 certificate');
  }
  const registered = await Promise.all(anchors.map((a) => parseCertificate(a.der)));
  const notValid = (which: string, c: ParsedCert) =>
    new Problem(
      'certificate-not-valid',
      `${which} is valid from ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()}, not at arrival ${at.toISOString()}`,
      {
        certificate: c.subject,
        fingerprint: c.fingerprint,
      },
    );
  // Validity first, so the message names the certificate at fault (path validation would only say "expired").
  for (const [i, c] of parsed.entries()) if (!within(at, c)) throw notValid(`x5c[${i}] (${c.subject})`, c);
  const leaf = parsed[0] as ParsedCert;
  if (registered.length === 0) throw new Problem('untrusted-certificate', `no CA certificate is registered for sender ${senderCode}`);
  // A sender may have several CAs (a new one beside an old one, or one per platform): only those valid at arrival
  // are anchors. One that is not valid then never stops a chain to another that is.
  const anchorCerts = registered.filter((c) => within(at, c));
  if (anchorCerts.length === 0) throw notValid(`registered CA (${registered[0]!.subject})`, registered[0]!);
  const unused = registered.filter((c) => !within(at, c));
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchorCerts.map((c) => c.cert),
    // pkijs takes the LAST entry of `certs` as the end-entity certificate: x5c is leaf first, so reverse it.
    certs: parsed.map((c) => c.cert).reverse(),
    checkDate: at,
  });
  const res = await engine.verify();
  const pathLeaf = res.certificatePath?.[0];
  if (res.result && (!pathLeaf || !sameBytes(new Uint8Array(pathLeaf.tbsView), new Uint8Array(leaf.cert.tbsView)))) {
    throw new Problem('untrusted-certificate', `the validated path does not start at x5c[0] (${leaf.subject}); put the signer certificate first`);
  }
  if (!res.result) {
    const top = parsed[parsed.length - 1] as ParsedCert;
    throw new Problem(
      'untrusted-certificate',
      `the chain of ${leaf.subject} does not build to a CA registered for sender ${senderCode} (top of x5c: ${top.subject}, issued by ${top.issuer}): ${res.resultMessage}` +
        unused
          .map(
            (c) =>
              `; registered CA (${c.subject}) is valid from ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()}, not at arrival ${at.toISOString()}`,
          )
          .join(''),
      { certificate: leaf.subject, fingerprint: leaf.fingerprint },
    );
  }
  if (!leafMaySign(leaf.cert)) {
    throw new Problem('certificate-usage', `x5c[0] (${leaf.subject}) has keyUsage without digitalSignature or nonRepudiation`, {
      certificate: leaf.subject,
    });
  }
  const path = res.certificatePath ?? [];
  const anchorDer = path.length ? new Uint8Array(path[path.length - 1]!.toSchema().toBER(false)) : anchorCerts[0]!.der;
  // The validity window of this path: the x5c and the anchor it reached, not every CA of the sender.
  const pathParsed = [...parsed, anchorCerts.find((c) => sameBytes(c.der, anchorDer)) ?? anchorCerts[0]!];
  const sm2Key = sm2PointOf(leaf.cert.subjectPublicKeyInfo);
  return {
    path: await Promise.all(path.map((c) => pathCert(c))),
    ...(sm2Key ? { sm2PublicKey: sm2Key } : {}),
    leafSubject: leaf.subject,
    leafFingerprint: leaf.fingerprint,
    anchorFingerprint: await sha256Hex(anchorDer),
    notBefore: Math.max(...pathParsed.map((c) => c.notBefore.getTime())),
    notAfter: Math.min(...pathParsed.map((c) => c.notAfter.getTime())),
    keys: new Map(),
    leafPem: derToPem(leaf.der),
  };
}

const serialHex = (c: pkijs.Certificate) => {
  const h = Array.from(c.serialNumber.valueBlock.valueHexView, (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .replace(/^0+(?=.)/, '');
  return h || '0';
};

function uris(names: { type: number; value: unknown }[] | undefined): string[] {
  return (names ?? []).filter((n) => n.type === 6 && typeof n.value === 'string' && /^https?:\/\//i.test(n.value)).map((n) => n.value as string);
}

/** CRL distribution points (fullName URIs) of a certificate. */
export function crlUrlsOf(c: pkijs.Certificate): string[] {
  const ext = c.extensions?.find((e) => e.extnID === OID_CRL_DP)?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  return (ext?.distributionPoints ?? []).flatMap((dp) =>
    Array.isArray(dp.distributionPoint) ? uris(dp.distributionPoint as { type: number; value: unknown }[]) : [],
  );
}

/** OCSP responders named in a certificate's authorityInfoAccess. */
export function ocspUrlsOf(c: pkijs.Certificate): string[] {
  const ext = c.extensions?.find((e) => e.extnID === OID_AIA)?.parsedValue as pkijs.InfoAccess | undefined;
  return uris((ext?.accessDescriptions ?? []).filter((d) => d.accessMethod === OID_AD_OCSP).map((d) => d.accessLocation as { type: number; value: unknown }));
}

async function pathCert(c: pkijs.Certificate): Promise<PathCert> {
  const der = new Uint8Array(c.toSchema().toBER(false));
  return { der, subject: nameOf(c.subject), fingerprint: await sha256Hex(der), serial: serialHex(c), crlUrls: crlUrlsOf(c), ocspUrls: ocspUrlsOf(c) };
}

/** The key a signature is checked with: a WebCrypto key (RSA, ECDSA) or an SM2 public point. */
export type Sm2LeafKey = { kind: 'sm2'; publicKeyHex: string; point?: Sm2PublicPoint };
export type LeafKey = JoseKey | Sm2LeafKey;
export const isSm2Key = (k: LeafKey): k is Sm2LeafKey => (k as { kind?: string }).kind === 'sm2';

/** The leaf's public key for one algorithm, imported once per chain and kept in the cache entry. */
export async function leafKey(chain: VerifiedChain, alg: AllowedAlg): Promise<LeafKey> {
  if (alg === 'SM2SM3') {
    if (!chain.sm2PublicKey) throw new Problem('unsupported-algorithm', `alg SM2SM3 does not fit the key of ${chain.leafSubject}: it is not an SM2 key`);
    chain.sm2Point ??= sm2Precompute(chain.sm2PublicKey);
    return { kind: 'sm2', publicKeyHex: chain.sm2PublicKey, point: chain.sm2Point };
  }
  if (chain.sm2PublicKey) throw new Problem('unsupported-algorithm', `alg ${alg} does not fit the SM2 key of ${chain.leafSubject}; sign with SM2SM3`);
  const hit = chain.keys.get(alg);
  if (hit) return hit;
  try {
    const key = await importX509(chain.leafPem, alg);
    chain.keys.set(alg, key);
    return key;
  } catch {
    throw new Problem('unsupported-algorithm', `alg ${alg} does not fit the key of ${chain.leafSubject}`);
  }
}

/** Cache of verified chains: key = sender, trust-store version and SHA-256 over the x5c entries. */
/** Verified chains of this process (see ChainCache). */
export const CHAINS = slot('chains', () => new ChainCache());

export class ChainCache {
  private readonly entries = new Map<string, VerifiedChain>();
  constructor(private readonly max = 1000) {}

  static async key(senderCode: string, trustVersion: string, x5cB64: string[]): Promise<string> {
    return `${senderCode}|${trustVersion}|${await sha256Hex(x5cB64.join('.'))}`;
  }

  get(key: string, at: Date): VerifiedChain | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    const t = at.getTime();
    return t >= hit.notBefore && t <= hit.notAfter ? hit : undefined; // out of window: re-validate for the precise error
  }

  set(key: string, chain: VerifiedChain): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, chain);
  }
}
