/**
 * XML wire format of POST /v1/deliveries (schemas/wire/README.md §5, schemas/wire/xml/delivery.xsd):
 * - `application/xml`: the body is the envelope; attachments inline (base64 in Attachment/Content);
 * - `multipart/form-data`: part `envelope` = the envelope; one part per attachment, named by its id
 *   (adapters/envelope/multipart.ts dispatches on the part's type, or on its first character `<`).
 *
 *   <Delivery xmlns="urn:fuyuan:wire:delivery:v1">
 *     <Manifest Id="manifest">…the manifest, element by element…</Manifest>
 *     <ds:Signature>…one Reference URI="#manifest", exc-c14n, sha256, rsa-sha256 | ecdsa-sha256,
 *       KeyInfo/X509Data = the signer chain, leaf first…</ds:Signature>
 *   </Delivery>
 *
 * Order of work, each step refusing before the next one can be made to work hard:
 * 1. bytes → text: encoding from the XML declaration (UTF-8 default, GBK, GB18030), strict (xml/encoding.ts);
 * 2. the guard: no DTD / entities / PIs, limits on depth, elements, attributes, text (xml/guard.ts);
 * 3. DOM parse (@xmldom/xmldom), the one accepted arrangement checked (xml/dsig.ts checkShape);
 * 4. the signature verified by xml-crypto with the key of KeyInfo's first certificate, so that the manifest
 *    can be read from what the signature covers (getSignedReferences) and nothing else; the pipeline then
 *    validates that certificate's chain against the sender's registered CAs and calls verifySignature with
 *    the leaf key it trusts, which must be that same key (or the signature is checked again with it);
 * 5. the signed Manifest (canonical XML) → the JSON manifest with xml2js (xml/mapping.ts).
 */
import { DOMParser } from '@xmldom/xmldom';
import { KeyObject } from 'node:crypto';
import { isSm2Key, type LeafKey } from '../../src/lib/pki.js';
import type { EnvelopeFormat } from '../../src/deps.js';
import type { SignedEnvelope } from '../../src/intake/envelope.js';
import { Problem } from '../../src/lib/problem.js';
import { utf8 } from '../../src/lib/encoding.js';
import { decodeXml } from './xml/encoding.js';
import { DEFAULT_XML_LIMITS, guardXml, type XmlLimits } from './xml/guard.js';
import { checkShape, leafPublicKey, verifyWithKey } from './xml/dsig.js';
import { manifestFromXml } from './xml/mapping.js';
import type { MultipartCapable } from './multipart.js';

export const XML_MEDIA_TYPES = ['application/xml', 'text/xml'];

export interface XmlParseOptions {
  limits?: Partial<XmlLimits>;
}

function parseDom(text: string): Document {
  try {
    return new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'application/xml') as unknown as Document;
  } catch (e) {
    throw new Problem('malformed-envelope', `the envelope is not well-formed XML: ${String((e as Error).message).split('\n')[0]}`);
  }
}

/** Parse and check an XML envelope (its bytes as sent); `parts` are multipart attachment parts by id. */
export async function parseXmlEnvelope(bytes: Uint8Array, parts = new Map<string, Uint8Array>(), opts: XmlParseOptions = {}): Promise<SignedEnvelope> {
  const { text } = decodeXml(bytes);
  guardXml(text, { ...DEFAULT_XML_LIMITS, ...opts.limits });
  const doc = parseDom(text);
  const shape = checkShape(doc);
  const leaf = leafPublicKey(shape.x5c[0]!, shape.alg);
  const signedXml = verifyWithKey(text, shape.signature, leaf);
  const { id, manifest } = await manifestFromXml(signedXml);
  if (id !== shape.manifestId) throw new Problem('bad-signature', 'the signed element is not the Manifest the envelope names');
  return {
    format: 'xml',
    raw: text,
    signedBytes: utf8(signedXml),
    manifest,
    alg: shape.alg,
    x5c: shape.x5c,
    x5cB64: shape.x5cB64,
    ocsp: shape.ocsp,
    parts,
    async verifySignature(key: LeafKey) {
      if (isSm2Key(key) || typeof leaf === 'string') {
        if (!isSm2Key(key) || typeof leaf !== 'string') throw new Problem('unsupported-algorithm', `SignatureMethod ${shape.alg} does not fit the trusted key`);
        if (key.publicKeyHex === leaf) return;
        if (verifyWithKey(text, shape.signature, key.publicKeyHex) !== signedXml)
          throw new Problem('bad-signature', 'the signature covers other content under the trusted key');
        return;
      }
      let given: KeyObject;
      try {
        given = KeyObject.from(key as unknown as CryptoKey);
      } catch {
        throw new Problem('bad-signature', 'the key the signature is to be checked with is not usable');
      }
      // Already verified with exactly this key when the envelope was read: nothing more to do.
      if (given.equals(leaf)) return;
      // Another key (the pipeline's trusted leaf differs from ds:X509Certificate[0]): check again with it.
      const again = verifyWithKey(text, shape.signature, given);
      if (again !== signedXml) throw new Problem('bad-signature', 'the signature covers other content under the trusted key');
    },
  };
}

export const xmlEnvelope: MultipartCapable = {
  mediaTypes: XML_MEDIA_TYPES,
  async parse(req, { maxBytes }) {
    const bytes = new Uint8Array(await req.arrayBuffer());
    return parseXmlEnvelope(bytes, new Map(), { limits: { maxContentChars: Math.min(maxBytes, DEFAULT_XML_LIMITS.maxContentChars) } });
  },
  multipart: {
    partTypes: XML_MEDIA_TYPES,
    sniff: (first) => first === '<',
    parsePart: (bytes, parts, { maxBytes }) =>
      parseXmlEnvelope(bytes, parts, { limits: { maxContentChars: Math.min(maxBytes, DEFAULT_XML_LIMITS.maxContentChars) } }),
  },
};

export type { EnvelopeFormat };
