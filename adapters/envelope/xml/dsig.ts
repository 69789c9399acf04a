/**
 * XMLDSig for the XML envelope, on xml-crypto (canonicalisation, digests and the signature check are its
 * work, never ours). This file decides WHAT may be verified and with WHICH key:
 *
 * - the document shape is fixed: <Delivery> holds exactly <Manifest Id="…"> then <ds:Signature>; one
 *   Signature, one Manifest, and no other element carries an Id/ID/id of the same value, so every signature
 *   wrapping arrangement (a second Manifest, a Manifest moved into Signature/Object or a wrapper, a duplicate
 *   Id, a reference to another element) is refused before any verification;
 * - SignedInfo: exclusive C14N (no comments); SignatureMethod rsa-sha256 (RS256), ecdsa-sha256 (ES256) or
 *   the gateway's SM2-SM3 URI (国密, r || s with the GM/T 0009 default signer ID; schemas/wire/README.md §5);
 *   exactly one Reference, URI="#<the Manifest's Id>", transforms only [enveloped-signature,] exc-c14n,
 *   DigestMethod sha256 (SM3 with SM2-SM3); KeyInfo/X509Data/X509Certificate = the chain, leaf first;
 * - after ds:Signature, optionally <Revocation> with the sender's stapled OCSP responses (unsigned here:
 *   each is signed by its responder and checked by the pipeline);
 * - the xml-crypto instance knows only those algorithms, takes its key from us (never from KeyInfo:
 *   getCertFromKeyInfo returns null) and what is read afterwards is getSignedReferences(): the canonical
 *   form of exactly what the signature covers.
 */
import { createSign, createVerify, KeyObject, X509Certificate, type BinaryLike, type KeyLike } from 'node:crypto';
import { createOptionalCallbackFunction, ExclusiveCanonicalization, SignedXml, type SignatureAlgorithm } from 'xml-crypto';
import { Problem } from '../../../src/lib/problem.js';
import { fromBase64, toBase64, utf8 } from '../../../src/lib/encoding.js';
import { sm2PointOf } from '../../../src/lib/pki.js';
import { sm2SignRaw, sm2VerifyRaw, sm3Digest } from '../../../src/lib/sm2.js';
import * as pkijs from 'pkijs';
import { WIRE_NS } from './mapping.js';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const XML_ALGS = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  /** 国密: no W3C URI exists for SM2 or SM3; these are the gateway's (schemas/wire/README.md §5). */
  sm2Sm3: 'urn:fuyuan:wire:xmldsig:sm2-sm3',
  sm3: 'urn:fuyuan:wire:xmldsig:sm3',
} as const;

export type XmlAlg = 'RS256' | 'ES256' | 'SM2SM3';
/** SignatureMethod → the JOSE name the pipeline's allow-list speaks. */
export const SIGNATURE_METHODS: Record<string, XmlAlg> = { [XML_ALGS.rsaSha256]: 'RS256', [XML_ALGS.ecdsaSha256]: 'ES256', [XML_ALGS.sm2Sm3]: 'SM2SM3' };
export const METHOD_OF: Record<XmlAlg, string> = { RS256: XML_ALGS.rsaSha256, ES256: XML_ALGS.ecdsaSha256, SM2SM3: XML_ALGS.sm2Sm3 };
/** The one DigestMethod each SignatureMethod goes with. */
export const DIGEST_OF: Record<XmlAlg, string> = { RS256: XML_ALGS.sha256, ES256: XML_ALGS.sha256, SM2SM3: XML_ALGS.sm3 };

/** SM3 (GB/T 32905) as an xml-crypto digest: sm-crypto-v2 over the canonical form's UTF-8 bytes. */
export class Sm3Digest {
  getHash = (xml: string): string => toBase64(sm3Digest(utf8(xml)));
  getAlgorithmName = () => XML_ALGS.sm3;
}

/**
 * SM2 over SM3 with the GM/T 0009 default signer ID; SignatureValue = r || s (32 bytes each), as XMLDSig 1.1
 * does for ECDSA. The key is the SM2 public point (hex) to verify; to sign, `{ privateKeyHex, publicKeyHex }`.
 */
export class Sm2Sm3 implements SignatureAlgorithm {
  getSignature = createOptionalCallbackFunction((signedInfo: BinaryLike, privateKey: KeyLike): string => {
    const k = privateKey as unknown as { privateKeyHex: string; publicKeyHex: string };
    return toBase64(sm2SignRaw(utf8(String(signedInfo)), k.privateKeyHex, k.publicKeyHex));
  });
  verifySignature = createOptionalCallbackFunction((material: string, key: KeyLike, signatureValue: string): boolean => {
    if (typeof key !== 'string') return false;
    let sig: Uint8Array;
    try {
      sig = fromBase64(signatureValue.replace(/\s+/g, ''));
    } catch {
      return false;
    }
    return sm2VerifyRaw(utf8(material), sig, key);
  });
  getAlgorithmName = () => XML_ALGS.sm2Sm3;
}

/**
 * ECDSA-SHA256 (RFC 6931 §2.3.6; XMLDSig 1.1 §6.4.3: SignatureValue = r || s, each the size of the curve),
 * which xml-crypto 6 does not ship: node:crypto with the IEEE P1363 encoding, nothing else.
 */
export class EcdsaSha256 implements SignatureAlgorithm {
  getSignature = createOptionalCallbackFunction((signedInfo: BinaryLike, privateKey: KeyLike): string =>
    createSign('sha256')
      .update(signedInfo)
      .sign({ key: privateKey, dsaEncoding: 'ieee-p1363' } as Parameters<ReturnType<typeof createSign>['sign']>[0], 'base64'),
  );
  verifySignature = createOptionalCallbackFunction((material: string, key: KeyLike, signatureValue: string): boolean =>
    createVerify('sha256')
      .update(material)
      .verify({ key, dsaEncoding: 'ieee-p1363' } as Parameters<ReturnType<typeof createVerify>['verify']>[0], signatureValue, 'base64'),
  );
  getAlgorithmName = () => XML_ALGS.ecdsaSha256;
}

const stock = new SignedXml();

/** An xml-crypto instance that knows only the envelope's algorithms. */
export function restrictedSignedXml(opts: ConstructorParameters<typeof SignedXml>[0] = {}): SignedXml {
  const sx = new SignedXml({ getCertFromKeyInfo: () => null, ...opts });
  sx.CanonicalizationAlgorithms = {
    [XML_ALGS.excC14n]: ExclusiveCanonicalization,
    [XML_ALGS.enveloped]: stock.CanonicalizationAlgorithms[XML_ALGS.enveloped]!,
  };
  sx.HashAlgorithms = { [XML_ALGS.sha256]: stock.HashAlgorithms[XML_ALGS.sha256]!, [XML_ALGS.sm3]: Sm3Digest };
  sx.SignatureAlgorithms = {
    [XML_ALGS.rsaSha256]: stock.SignatureAlgorithms[XML_ALGS.rsaSha256]!,
    [XML_ALGS.ecdsaSha256]: EcdsaSha256,
    [XML_ALGS.sm2Sm3]: Sm2Sm3,
  };
  return sx;
}

// ------------------------------------------------------------------ the envelope's shape

const malformed = (detail: string) => new Problem('malformed-envelope', detail);
const ID_NAMES = new Set(['Id', 'ID', 'id']);

function elementChildren(el: Element, where: string, textAllowed = false): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) out.push(n as Element);
    else if (n.nodeType === 3 || n.nodeType === 4) {
      if (!textAllowed && (n.nodeValue ?? '').trim() !== '') throw malformed(`text where only elements belong, in <${where}>`);
    } else if (n.nodeType !== 8) throw malformed(`unexpected node in <${where}>`);
  }
  return out;
}

const is = (el: Element | undefined, ns: string, local: string): el is Element => !!el && el.namespaceURI === ns && el.localName === local;

function expectChildren(el: Element, names: string[], where: string): Element[] {
  const kids = elementChildren(el, where);
  if (kids.length !== names.length || !kids.every((k, i) => is(k, DSIG_NS, names[i]!))) {
    throw malformed(
      `<${where}> must hold exactly ${names.map((n) => `ds:${n}`).join(', ')} (in that order); found ${kids.map((k) => k.tagName).join(', ') || 'nothing'}`,
    );
  }
  return kids;
}

function onlyAttributes(el: Element, allowed: string[], where: string) {
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
    if (!a.namespaceURI && allowed.includes(a.localName ?? a.name)) continue;
    throw malformed(`attribute ${a.name} is not accepted on <${where}>`);
  }
}

function algorithmOf(el: Element, where: string): string {
  const alg = el.getAttribute('Algorithm');
  if (!alg) throw malformed(`<${where}> has no Algorithm`);
  return alg;
}

export interface EnvelopeShape {
  manifest: Element;
  signature: Element;
  manifestId: string;
  alg: XmlAlg;
  x5cB64: string[];
  x5c: Uint8Array[];
  /** Stapled OCSP responses (DER) from <Revocation>, if any. */
  ocsp: Uint8Array[];
}

/** <Revocation><OcspResponse>base64 DER</OcspResponse>…</Revocation>: 1–8 stapled OCSP responses. */
function readRevocation(el: Element): Uint8Array[] {
  onlyAttributes(el, [], 'Revocation');
  const kids = elementChildren(el, 'Revocation');
  if (kids.length === 0 || kids.length > 8 || !kids.every((k) => is(k, WIRE_NS, 'OcspResponse'))) {
    throw malformed('<Revocation> must hold 1–8 <OcspResponse> elements (standard base64 DER OCSP responses)');
  }
  try {
    return kids.map((k) => {
      onlyAttributes(k, [], 'OcspResponse');
      if (elementChildren(k, 'OcspResponse', true).length) throw new Error('elements inside');
      return fromBase64((k.textContent ?? '').replace(/\s+/g, ''));
    });
  } catch {
    throw malformed('<OcspResponse> must hold standard base64 DER, nothing else');
  }
}

/** Check the document against the one accepted arrangement; returns what the verification needs. */
export function checkShape(doc: Document): EnvelopeShape {
  if (doc.doctype) throw new Problem('hostile-xml', 'the envelope has a document type declaration: DTDs are not accepted');
  const root = doc.documentElement;
  if (!is(root ?? undefined, WIRE_NS, 'Delivery')) {
    throw malformed(
      `the root element must be <Delivery xmlns="${WIRE_NS}">; found <${root?.tagName ?? '?'}>${root?.namespaceURI ? ` in ${root.namespaceURI}` : ''}`,
    );
  }
  onlyAttributes(root!, [], 'Delivery');
  const top = elementChildren(root!, 'Delivery');
  const [manifest, signature, revocation] = top;
  if (
    (top.length !== 2 && top.length !== 3) ||
    !is(manifest, WIRE_NS, 'Manifest') ||
    !is(signature, DSIG_NS, 'Signature') ||
    (top.length === 3 && !is(revocation, WIRE_NS, 'Revocation'))
  ) {
    throw malformed(
      `<Delivery> must hold exactly <Manifest Id="…">, then one <ds:Signature>, then optionally <Revocation>; found ${top.map((e) => `<${e.tagName}>`).join(', ') || 'nothing'}`,
    );
  }
  const ocsp = revocation ? readRevocation(revocation) : [];
  if (doc.getElementsByTagNameNS(DSIG_NS, 'Signature').length !== 1) throw malformed('the envelope must carry exactly one ds:Signature');
  if (doc.getElementsByTagNameNS(WIRE_NS, 'Manifest').length !== 1) throw malformed('the envelope must carry exactly one <Manifest>');
  const manifestId = manifest.getAttribute('Id') ?? '';
  if (!/^[A-Za-z_][A-Za-z0-9._-]{0,63}$/.test(manifestId))
    throw malformed('<Manifest> needs an Id attribute (an XML name, e.g. Id="manifest"): the signature refers to it');
  onlyAttributes(manifest, ['Id'], 'Manifest');
  // Exactly one element may answer to the Manifest's Id, whatever its attribute is called (Id, ID, id, wsu:Id…).
  let holders = 0;
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const el = all.item(i)!;
    for (let j = 0; j < el.attributes.length; j++) {
      const a = el.attributes.item(j)!;
      if (ID_NAMES.has(a.localName ?? a.name) && a.value === manifestId) holders++;
    }
  }
  if (holders !== 1) throw malformed(`${holders} elements carry the Id "${manifestId}": an Id must name exactly one element`);

  onlyAttributes(signature, ['Id'], 'ds:Signature');
  const [signedInfo, , keyInfo] = expectChildren(signature, ['SignedInfo', 'SignatureValue', 'KeyInfo'], 'ds:Signature') as [Element, Element, Element];
  const [c14n, method, reference] = expectChildren(signedInfo, ['CanonicalizationMethod', 'SignatureMethod', 'Reference'], 'ds:SignedInfo') as [
    Element,
    Element,
    Element,
  ];
  if (algorithmOf(c14n, 'ds:CanonicalizationMethod') !== XML_ALGS.excC14n || elementChildren(c14n, 'ds:CanonicalizationMethod').length) {
    throw malformed(`ds:CanonicalizationMethod must be ${XML_ALGS.excC14n} (exclusive C14N without comments)`);
  }
  const methodUri = algorithmOf(method, 'ds:SignatureMethod');
  const alg = SIGNATURE_METHODS[methodUri];
  if (!alg)
    throw new Problem(
      'unsupported-algorithm',
      `SignatureMethod ${methodUri} is not accepted; use ${XML_ALGS.rsaSha256}, ${XML_ALGS.ecdsaSha256} or ${XML_ALGS.sm2Sm3}`,
    );
  if (elementChildren(method, 'ds:SignatureMethod').length) throw malformed('ds:SignatureMethod takes no parameters');

  onlyAttributes(reference, ['URI', 'Id', 'Type'], 'ds:Reference');
  if (reference.getAttribute('URI') !== `#${manifestId}`) {
    throw malformed(`the ds:Reference must point at the Manifest: URI="#${manifestId}" (found URI="${reference.getAttribute('URI') ?? ''}")`);
  }
  const [transforms, digestMethod] = expectChildren(reference, ['Transforms', 'DigestMethod', 'DigestValue'], 'ds:Reference') as [Element, Element, Element];
  const steps = elementChildren(transforms, 'ds:Transforms');
  const stepAlgs = steps.map((t) => (is(t, DSIG_NS, 'Transform') ? algorithmOf(t, 'ds:Transform') : ''));
  const okSteps =
    (stepAlgs.length === 1 && stepAlgs[0] === XML_ALGS.excC14n) ||
    (stepAlgs.length === 2 && stepAlgs[0] === XML_ALGS.enveloped && stepAlgs[1] === XML_ALGS.excC14n);
  if (!okSteps)
    throw malformed(
      `the ds:Reference transforms must be exc-c14n (${XML_ALGS.excC14n}), optionally after enveloped-signature; found ${stepAlgs.join(', ') || 'none'}`,
    );
  for (const t of steps) {
    for (const c of elementChildren(t, 'ds:Transform')) {
      if (!(c.namespaceURI === XML_ALGS.excC14n && c.localName === 'InclusiveNamespaces'))
        throw malformed(`<${c.tagName}> is not accepted inside ds:Transform`);
    }
  }
  if (algorithmOf(digestMethod, 'ds:DigestMethod') !== DIGEST_OF[alg])
    throw malformed(`ds:DigestMethod must be ${DIGEST_OF[alg]} with SignatureMethod ${methodUri}`);

  const keyData = elementChildren(keyInfo, 'ds:KeyInfo');
  if (keyData.length !== 1 || !is(keyData[0], DSIG_NS, 'X509Data')) {
    throw new Problem('missing-certificate-chain', 'ds:KeyInfo must hold exactly one ds:X509Data with the signer chain (ds:X509Certificate, leaf first)');
  }
  const certEls = elementChildren(keyData[0]!, 'ds:X509Data').filter((e) => is(e, DSIG_NS, 'X509Certificate'));
  if (certEls.length === 0 || certEls.length > 8) {
    throw new Problem('missing-certificate-chain', 'ds:X509Data must hold 1–8 ds:X509Certificate elements: the signer certificate first, then its issuers');
  }
  const x5cB64 = certEls.map((e) => (e.textContent ?? '').replace(/\s+/g, ''));
  let x5c: Uint8Array[];
  try {
    x5c = x5cB64.map((s) => fromBase64(s));
  } catch {
    throw malformed('ds:X509Certificate must be standard base64 DER');
  }
  return { manifest, signature, manifestId, alg, x5cB64, x5c, ocsp };
}

// ------------------------------------------------------------------ verification

/**
 * The leaf's public key, checked against the claimed algorithm: as node:crypto sees it (RSA, ECDSA), or the
 * SM2 public point (hex) read by pkijs (workerd's node:crypto has no SM2 curve).
 */
export function leafPublicKey(der: Uint8Array, alg: XmlAlg): KeyObject | string {
  if (alg === 'SM2SM3') {
    let point: string | undefined;
    try {
      point = sm2PointOf(pkijs.Certificate.fromBER(der as Uint8Array<ArrayBuffer>).subjectPublicKeyInfo);
    } catch {
      throw malformed('ds:X509Certificate[0] is not a DER X.509 certificate');
    }
    if (!point) throw new Problem('unsupported-algorithm', `SignatureMethod ${METHOD_OF[alg]} does not fit the signer certificate's key: it is not an SM2 key`);
    return point;
  }
  let key: KeyObject;
  try {
    key = new X509Certificate(der).publicKey;
  } catch {
    throw malformed('ds:X509Certificate[0] is not a DER X.509 certificate');
  }
  const fits = alg === 'RS256' ? key.asymmetricKeyType === 'rsa' : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  if (!fits) throw new Problem('unsupported-algorithm', `SignatureMethod ${METHOD_OF[alg]} does not fit the signer certificate's ${key.asymmetricKeyType} key`);
  return key;
}

/**
 * Verify with the given key; returns the canonical form of the one signed reference (the Manifest).
 * `text` is the decoded document (xml-crypto parses it again itself), `signature` its ds:Signature element.
 */
export function verifyWithKey(text: string, signature: Element, key: KeyObject | string): string {
  const sx = restrictedSignedXml({ publicCert: key as KeyObject });
  let ok: boolean;
  try {
    sx.loadSignature(signature as unknown as Node);
    ok = sx.checkSignature(text);
  } catch (e) {
    throw new Problem(
      'bad-signature',
      `the XML signature does not verify with the key of ds:X509Certificate[0]: the signed part or the signature was changed, or another key signed it (${(e as Error).message.slice(0, 120)})`,
    );
  }
  if (!ok) throw new Problem('bad-signature', 'the digest of the Manifest does not match ds:DigestValue: the Manifest was changed after signing');
  const refs = sx.getSignedReferences();
  if (refs.length !== 1 || !refs[0]) throw new Problem('bad-signature', 'the signature must cover exactly one reference, the Manifest');
  return refs[0];
}
