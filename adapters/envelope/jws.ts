/**
 * JWS wire format of POST /v1/deliveries (schemas/wire/README.md):
 * - `application/jose`: the body is a compact JWS; attachments inline (base64 `content` in the manifest);
 * - `multipart/form-data`: part `envelope` = the compact JWS; one part per attachment, named by its id
 *   (read by adapters/envelope/multipart.ts, which the XML format shares).
 * Protected header: `alg` (RS256 | PS256 | ES256), `x5c` (signer chain, leaf first). Payload: the manifest.
 */
import { base64url, compactVerify, decodeProtectedHeader, errors, type CryptoKey as JoseKey } from 'jose';
import type { MultipartCapable } from './multipart.js';
import type { SignedEnvelope } from '../../src/intake/envelope.js';
import { Problem } from '../../src/lib/problem.js';
import { fromBase64 } from '../../src/lib/encoding.js';

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

export function parseCompactJws(raw: string, parts = new Map<string, Uint8Array>()): SignedEnvelope {
  const compact = raw.trim();
  if (!COMPACT.test(compact)) throw new Problem('malformed-envelope', 'the envelope is not a compact JWS (three base64url segments separated by dots)');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(compact) as Record<string, unknown>;
  } catch {
    throw new Problem('malformed-envelope', 'the JWS protected header is not base64url-encoded JSON');
  }
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const x5cRaw = header.x5c;
  const [, payloadB64] = compact.split('.') as [string, string, string];
  let signedBytes: Uint8Array;
  let manifest: unknown;
  try {
    signedBytes = base64url.decode(payloadB64);
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(signedBytes));
  } catch {
    throw new Problem('malformed-envelope', 'the JWS payload is not base64url-encoded UTF-8 JSON (the manifest)');
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
  return {
    format: 'jws',
    raw: compact,
    signedBytes,
    manifest,
    alg,
    x5c,
    x5cB64,
    parts,
    async verifySignature(key: JoseKey) {
      try {
        await compactVerify(compact, key, { algorithms: [alg] });
      } catch (e) {
        if (e instanceof errors.JWSSignatureVerificationFailed) {
          throw new Problem('bad-signature', 'the JWS signature does not verify with the public key of x5c[0]: the payload or header was changed after signing, or another key signed it');
        }
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
