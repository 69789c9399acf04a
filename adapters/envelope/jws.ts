/**
 * JWS wire format of POST /v1/deliveries (schemas/wire/README.md):
 * - `application/jose`: the body is a compact JWS; attachments inline (base64 `content` in the manifest);
 * - `multipart/form-data`: part `envelope` = the compact JWS; one part per attachment, named by its id
 *   (read by adapters/envelope/multipart.ts, which the XML format shares).
 * Protected header: `alg` (RS256 | PS256 | ES256 | SM2SM3), `x5c` (signer chain, leaf first), optionally
 * `ocsp` (stapled OCSP responses, standard base64 DER, one per certificate checked). Payload: the manifest.
 * SM2SM3 (国密; no JOSE identifier is registered) is verified by src/lib/sm2.ts: the signature is r || s over
 * the JWS signing input, SM3 with the Z value of the GM/T 0009 default signer ID.
 */
import { base64url, compactVerify, errors } from 'jose';
import { isSm2Key, type LeafKey } from '../../src/lib/pki.js';
import { sm2VerifyRaw } from '../../src/lib/sm2.js';
import type { MultipartCapable } from './multipart.js';
import type { SignedEnvelope } from '../../src/intake/envelope.js';
import { Problem } from '../../src/lib/problem.js';
import { fromBase64 } from '../../src/lib/encoding.js';
import { nativeJws } from '../../src/lib/signing.js';
import { jsonTokens } from '../../src/lib/json-size.js';
import { bufferBase64urlDecoder } from '../base64.js';
import { MAX_MANIFEST_TOKENS } from '../../schemas/api/manifest.js';

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** JSON values a protected header may hold (alg, typ, at most 8 x5c and 8 ocsp entries need a few dozen). */
const MAX_HEADER_TOKENS = 1000;

/**
 * A base64url segment's bytes (its alphabet was checked by COMPACT), or the Problem `bad()` makes for a length no
 * base64url text has; decoded by Buffer (adapters/base64.ts).
 */
function decodeSegment(segment: string, bad: () => Problem): Uint8Array {
  if (segment.length % 4 === 1) throw bad();
  return bufferBase64urlDecoder(segment);
}

const badSignature = () =>
  new Problem(
    'bad-signature',
    'the JWS signature does not verify with the public key of x5c[0]: the payload or header was changed after signing, or another key signed it',
  );

export function parseCompactJws(raw: string, parts = new Map<string, Uint8Array>()): SignedEnvelope {
  const compact = raw.trim();
  if (!COMPACT.test(compact)) throw new Problem('malformed-envelope', 'the envelope is not a compact JWS (three base64url segments separated by dots)');
  const [headerB64, payloadB64] = compact.split('.') as [string, string, string];
  // Both are counted before they are parsed: JSON.parse costs by the values it builds (src/lib/json-size.ts).
  const notPayload = () => new Problem('malformed-envelope', 'the JWS payload is not base64url-encoded UTF-8 JSON (the manifest)');
  const headerBytes = decodeSegment(headerB64, () => new Problem('malformed-envelope', 'the JWS protected header is not base64url-encoded JSON'));
  if (jsonTokens(headerBytes, MAX_HEADER_TOKENS) > MAX_HEADER_TOKENS) {
    throw new Problem('malformed-envelope', `the JWS protected header holds more than ${MAX_HEADER_TOKENS} JSON values; it carries alg, x5c and ocsp`);
  }
  let header: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    header = parsed as Record<string, unknown>;
  } catch {
    throw new Problem('malformed-envelope', 'the JWS protected header is not base64url-encoded JSON');
  }
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const x5cRaw = header.x5c;
  const signedBytes = decodeSegment(payloadB64, notPayload);
  if (jsonTokens(signedBytes, MAX_MANIFEST_TOKENS) > MAX_MANIFEST_TOKENS) {
    throw new Problem(
      'payload-too-large',
      `the manifest holds more than ${MAX_MANIFEST_TOKENS.toLocaleString('en')} JSON values (strings, objects, arrays and their members); the most a delivery needs is far fewer (50 documents of 100 attachments each are about 93,000)`,
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(signedBytes));
  } catch {
    throw notPayload();
  }
  let x5c: Uint8Array[] = [];
  let x5cB64: string[] = [];
  if (x5cRaw !== undefined) {
    if (!Array.isArray(x5cRaw) || x5cRaw.length === 0 || x5cRaw.length > 8 || !x5cRaw.every((s) => typeof s === 'string')) {
      throw new Problem('missing-certificate-chain', 'x5c must be an array of 1–8 base64 DER certificates, leaf first');
    }
    x5cB64 = x5cRaw as string[];
    try {
      x5c = x5cB64.map((s) => fromBase64(s));
    } catch {
      throw new Problem('malformed-envelope', 'x5c entries must be standard base64 (not base64url) DER certificates');
    }
  } else if (alg && !alg.startsWith('HS') && alg !== 'none') {
    throw new Problem('missing-certificate-chain', 'the JWS protected header has no x5c: put the signer certificate chain there, leaf first');
  }
  let ocsp: Uint8Array[] = [];
  if (header.ocsp !== undefined) {
    if (!Array.isArray(header.ocsp) || header.ocsp.length > 8 || !header.ocsp.every((s) => typeof s === 'string')) {
      throw new Problem('malformed-envelope', 'the ocsp header parameter must be an array of at most 8 standard base64 DER OCSP responses');
    }
    try {
      ocsp = (header.ocsp as string[]).map((s) => fromBase64(s));
    } catch {
      throw new Problem('malformed-envelope', 'ocsp entries must be standard base64 (not base64url) DER OCSP responses');
    }
  }
  return {
    format: 'jws',
    raw: compact,
    ocsp,
    signedBytes,
    manifest,
    alg,
    x5c,
    x5cB64,
    parts,
    async verifySignature(key: LeafKey) {
      /** The signing input and the signature's bytes, for a verification made here rather than by jose. */
      const split = () => {
        const [h, p, s] = compact.split('.') as [string, string, string];
        try {
          return { input: new TextEncoder().encode(`${h}.${p}`), sig: base64url.decode(s) };
        } catch {
          throw new Problem('malformed-envelope', 'the JWS signature is not base64url');
        }
      };
      if (isSm2Key(key)) {
        if (alg !== 'SM2SM3') throw new Problem('unsupported-algorithm', `alg ${alg} does not fit an SM2 key`);
        const { input, sig } = split();
        if (!sm2VerifyRaw(input, sig, key.point ?? key.publicKeyHex)) {
          throw new Problem(
            'bad-signature',
            'the SM2SM3 signature does not verify with the SM2 key of x5c[0] (SM3 with the GM/T 0009 default signer ID, r || s): the payload or header was changed after signing, or another key signed it',
          );
        }
        return;
      }
      const bound = nativeJws();
      // A header with crit or b64 (RFC 7797) is left to jose, which knows what they change.
      if (bound && header.crit === undefined && header.b64 === undefined) {
        const { input, sig } = split();
        const ok = bound.verify(alg, key, input, sig);
        if (ok === true) return;
        if (ok === false) throw badSignature();
      }
      try {
        await compactVerify(compact, key, { algorithms: [alg] });
      } catch (e) {
        if (e instanceof errors.JWSSignatureVerificationFailed) throw badSignature();
        throw new Problem('malformed-envelope', `the JWS could not be verified: ${(e as Error).message}`);
      }
    },
  };
}

export const jwsEnvelope: MultipartCapable = {
  mediaTypes: ['application/jose'],
  async parse(req) {
    // Read as bytes, then UTF-8 (a compact JWS is ASCII; workerd warns when a non-text type is read with text()).
    return parseCompactJws(new TextDecoder('utf-8', { fatal: false }).decode(await req.arrayBuffer()));
  },
  // multipart/form-data (part `envelope` = the compact JWS): adapters/envelope/multipart.ts, shared with XML.
  multipart: {
    partTypes: ['application/jose'],
    sniff: (first) => /^[A-Za-z0-9_-]$/.test(first),
    parsePart: async (bytes, parts) => parseCompactJws(new TextDecoder().decode(bytes), parts),
  },
};
