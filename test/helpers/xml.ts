/** Test helpers for the XML envelope: signers from the test PKI, requests, and the independent implementation xmldsigjs. */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { X509Certificate } from '@peculiar/x509';
import { encodeXml } from '../../adapters/envelope/xml/sign.js';
import type { XmlSigner } from '../../adapters/envelope/xml/sign.js';
import type { CourtPki, EcPki } from './pki.js';
import { fromBase64, toBase64 } from '../../src/lib/encoding.js';
import type { FileInput } from '../../adapters/node/court-kit.js';

export const xmlSignerOf = (pki: CourtPki): XmlSigner => ({ alg: 'RS256', keyPem: pki.leaf.keyPem, chain: [pki.leaf.der] });

export async function ecXmlSigner(pki: EcPki): Promise<XmlSigner> {
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pki.signer.privateKey));
  return { alg: 'ES256', keyPem: pem('PRIVATE KEY', pkcs8), chain: pki.signer.x5c.map((b) => fromBase64(b)) };
}

export const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${toBase64(der)
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

export function xmlRequest(url: string, body: string | Uint8Array, contentType = 'application/xml'): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : (body as Uint8Array<ArrayBuffer>),
  });
}

/** multipart/form-data: part `envelope` = the XML envelope (a file part, so its bytes arrive as sent), then the attachments. */
export function xmlMultipartRequest(url: string, envelope: Uint8Array, files: FileInput[], opts: { asField?: boolean; type?: string } = {}): Request {
  const form = new FormData();
  if (opts.asField) form.append('envelope', new TextDecoder().decode(envelope));
  else form.append('envelope', new Blob([envelope as Uint8Array<ArrayBuffer>], { type: opts.type ?? 'application/xml' }), 'envelope.xml');
  for (const f of files) form.append(f.id, new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.mediaType }), f.filename);
  return new Request(url, { method: 'POST', body: form });
}

// ------------------------------------------------------------------ the independent implementation: xmldsigjs
// xmldsigjs (PeculiarVentures, on WebCrypto) shares no code with xml-crypto, which the gateway uses: it signs
// envelopes the gateway must accept and verifies the gateway's own. It comes with `npm ci` (a devDependency).

type IndependentAlg = 'RS256' | 'ES256';
const SIGN_PARAMS: Record<IndependentAlg, { import: RsaHashedImportParams | EcKeyImportParams; sign: Algorithm | EcdsaParams }> = {
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
  ES256: { import: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams },
};

async function xmldsig(): Promise<typeof import('xmldsigjs')> {
  let lib: typeof import('xmldsigjs');
  try {
    lib = await import('xmldsigjs');
    // On Node, xml-core (under xmldsigjs) takes its DOM and XPath as the package documents: @xmldom/xmldom and xpath.
    const [{ setNodeDependencies }, xpath] = await Promise.all([import('xml-core'), import('xpath')]);
    setNodeDependencies({ DOMParser, XMLSerializer, xpath });
  } catch (e) {
    throw new Error(
      `xmldsigjs (the independent XMLDSig implementation the XML tests use) or its xml-core/xpath is missing: run \`npm ci\` (they are devDependencies). ${String(e)}`,
      { cause: e },
    );
  }
  lib.Application.setEngine('WebCrypto', globalThis.crypto);
  return lib;
}

const derOfPem = (text: string) => fromBase64(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
const decodeIn = (bytes: Uint8Array, encoding: 'UTF-8' | 'GBK') => new TextDecoder(encoding === 'GBK' ? 'gbk' : 'utf-8').decode(bytes);

/**
 * Sign an unsigned envelope (bytes in its declared encoding) with xmldsigjs: an enveloped ds:Signature, the last
 * child of Delivery, referring to the Manifest by its Id with exclusive C14N and SHA-256. Returns the signed bytes.
 */
export async function independentSign(
  unsigned: Uint8Array,
  encoding: 'UTF-8' | 'GBK',
  alg: IndependentAlg,
  keyPem: string,
  certPem: string,
): Promise<Uint8Array> {
  const x = await xmldsig();
  const doc = new DOMParser().parseFromString(decodeIn(unsigned, encoding), 'application/xml');
  const key = await crypto.subtle.importKey('pkcs8', derOfPem(keyPem) as Uint8Array<ArrayBuffer>, SIGN_PARAMS[alg].import, false, ['sign']);
  const signer = new x.SignedXml();
  // SignedInfo canonicalised with exclusive C14N, as the wire format requires (xmldsigjs defaults to inclusive C14N).
  signer.XmlSignature.SignedInfo.CanonicalizationMethod.Algorithm = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const signature = await signer.Sign(SIGN_PARAMS[alg].sign, key, doc as unknown as Document, {
    x509: [toBase64(derOfPem(certPem))],
    references: [{ uri: '#manifest', hash: 'SHA-256', transforms: ['exc-c14n'] }],
  });
  doc.documentElement!.appendChild(signature.GetXml() as unknown as Parameters<typeof doc.appendChild>[0]);
  return encodeXml(new XMLSerializer().serializeToString(doc), encoding);
}

/**
 * Verify a signed envelope with xmldsigjs (the signature over the referenced Manifest), then its certificate chain
 * up to a trusted CA at a given time with @peculiar/x509 (also independent of the gateway's pkijs path).
 */
export async function independentVerify(
  signed: Uint8Array,
  caPem: string,
  at: Date,
  encoding: 'UTF-8' | 'GBK' = 'UTF-8',
): Promise<{ ok: boolean; reason?: string }> {
  const x = await xmldsig();
  const doc = new DOMParser().parseFromString(decodeIn(signed, encoding), 'application/xml');
  const sigs = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature');
  if (sigs.length !== 1) return { ok: false, reason: `${sigs.length} signatures` };
  const verifier = new x.SignedXml(doc as unknown as Document);
  verifier.LoadXml(sigs[0] as unknown as Element);
  let valid: boolean;
  try {
    valid = await verifier.Verify();
  } catch (e) {
    return { ok: false, reason: String(e) };
  }
  if (!valid) return { ok: false, reason: 'signature does not verify' };
  const certs = Array.from(sigs[0]!.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'X509Certificate')).map(
    (n) => new X509Certificate(derOfPem(n.textContent ?? '') as Uint8Array<ArrayBuffer>),
  );
  const ca = new X509Certificate(derOfPem(caPem) as Uint8Array<ArrayBuffer>);
  let cert = certs[0];
  for (let depth = 0; cert && depth < 8; depth++) {
    const issuer = cert.issuer === ca.subject ? ca : certs.find((c) => c.subject === cert!.issuer && c !== cert);
    if (!issuer) return { ok: false, reason: `no issuer for ${cert.subject}` };
    if (!(await cert.verify({ publicKey: issuer.publicKey, date: at }))) return { ok: false, reason: `${cert.subject} does not verify at ${at.toISOString()}` };
    if (issuer === ca) return (await ca.verify({ date: at })) ? { ok: true } : { ok: false, reason: 'trusted CA not valid at that time' };
    cert = issuer;
  }
  return { ok: false, reason: 'no chain to the trusted CA' };
}
