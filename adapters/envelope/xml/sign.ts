/**
 * The court side of the XML envelope, for the examples (schemas/wire/xml/generate.ts), the tests and the
 * benchmark: build an envelope for a JSON manifest and sign it with xml-crypto (enveloped XMLDSig, exclusive
 * C14N, SHA-256, RSA-SHA256 or ECDSA-SHA256, the chain in KeyInfo/X509Data), or build the unsigned template
 * that an independent signer (xmlsec1) fills in. Encodes to UTF-8, GBK or GB18030.
 */
import { toBase64 } from '../../../src/lib/encoding.js';
import { manifestToXml, WIRE_NS } from './mapping.js';
import { DSIG_NS, METHOD_OF, restrictedSignedXml, XML_ALGS } from './dsig.js';
import type { XmlEncoding } from './encoding.js';

export interface XmlSigner {
  alg: 'RS256' | 'ES256';
  /** PKCS#8 PEM of the signer's private key. */
  keyPem: string;
  /** The chain, DER, leaf first: it goes into KeyInfo/X509Data. */
  chain: Uint8Array[];
}

export interface EnvelopeOptions {
  encoding?: XmlEncoding;
  /** Pretty-print the Manifest with this many spaces (0: one line). */
  indent?: number;
  /** The Manifest's Id (default "manifest"). */
  id?: string;
}

const declaration = (enc: XmlEncoding) => `<?xml version="1.0" encoding="${enc}"?>\n`;

/** The unsigned document: <Delivery> with the Manifest only. */
export function unsignedEnvelope(manifest: unknown, opts: EnvelopeOptions = {}): string {
  const nl = opts.indent ? '\n' : '';
  const pad = opts.indent ? ' '.repeat(opts.indent) : '';
  const m = manifestToXml(manifest, { id: opts.id ?? 'manifest', xmlns: false, ...(opts.indent ? { indent: opts.indent } : {}) });
  // Re-indent the Manifest one level inside Delivery.
  const body = opts.indent ? m.replace(/\n/g, `\n${pad}`) : m;
  return `${declaration(opts.encoding ?? 'UTF-8')}<Delivery xmlns="${WIRE_NS}">${nl}${pad}${body}${nl}</Delivery>\n`;
}

/** Sign with xml-crypto; returns the document text (its declaration names opts.encoding). */
export function signXmlEnvelope(manifest: unknown, signer: XmlSigner, opts: EnvelopeOptions = {}): string {
  const id = opts.id ?? 'manifest';
  const doc = unsignedEnvelope(manifest, opts);
  const sx = restrictedSignedXml({
    privateKey: signer.keyPem,
    signatureAlgorithm: METHOD_OF[signer.alg],
    canonicalizationAlgorithm: XML_ALGS.excC14n,
    getKeyInfoContent: ({ prefix } = {}) => {
      const p = prefix ? `${prefix}:` : '';
      return `<${p}X509Data>${signer.chain.map((d) => `<${p}X509Certificate>${toBase64(d)}</${p}X509Certificate>`).join('')}</${p}X509Data>`;
    },
  });
  sx.addReference({ xpath: `/*/*[local-name(.)='Manifest']`, transforms: [XML_ALGS.excC14n], digestAlgorithm: XML_ALGS.sha256, uri: `#${id}` });
  sx.computeSignature(doc, { location: { reference: '/*', action: 'append' }, prefix: 'ds' });
  return sx.getSignedXml();
}

/** The same document with an empty ds:Signature template, for `xmlsec1 --sign`. */
export function xmlsecTemplate(manifest: unknown, alg: 'RS256' | 'ES256', opts: EnvelopeOptions = {}): string {
  const id = opts.id ?? 'manifest';
  const sig =
    `<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="${XML_ALGS.excC14n}"/><ds:SignatureMethod Algorithm="${METHOD_OF[alg]}"/>` +
    `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${XML_ALGS.excC14n}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${XML_ALGS.sha256}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>` +
    `<ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>`;
  return unsignedEnvelope(manifest, opts).replace(/<\/Delivery>\n$/, `${sig}</Delivery>\n`);
}

// ------------------------------------------------------------------ text → bytes in the declared encoding

let gbkTable: Map<string, [number, number]> | undefined;

/** Unicode → GBK two-byte codes, built once by inverting the WHATWG decoder (no GBK encoder is built in). */
function gbk(): Map<string, [number, number]> {
  if (gbkTable) return gbkTable;
  const table = new Map<string, [number, number]>();
  const dec = new TextDecoder('gbk', { fatal: true });
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      let ch: string;
      try {
        ch = dec.decode(pair);
      } catch {
        continue;
      }
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  gbkTable = table;
  return table;
}

/** Encode text as GBK (also valid GB18030 for these characters); throws for a character GBK lacks. */
export function encodeGbk(text: string): Uint8Array {
  const table = gbk();
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      out.push(c);
      continue;
    }
    const code = table.get(ch);
    if (!code) throw new RangeError(`U+${c.toString(16).toUpperCase()} has no GBK code`);
    out.push(code[0], code[1]);
  }
  return Uint8Array.from(out);
}

/** The document's bytes in the encoding its declaration names. */
export function encodeXml(text: string, encoding: XmlEncoding = 'UTF-8'): Uint8Array {
  return encoding === 'UTF-8' ? new TextEncoder().encode(text) : encodeGbk(text);
}
