/** Gateway signatures (receipts, evidence, audit checkpoints): compact JWS over the JCS form of a JSON value. */
import { CompactSign, compactVerify, createLocalJWKSet, type JWK } from 'jose';
import type { KeyStore } from '../deps.js';
import { canonicalJson, utf8 } from './encoding.js';

export async function signJson(keys: KeyStore, value: unknown, typ: string): Promise<{ jws: string; kid: string }> {
  const k = await keys.current();
  const jws = await new CompactSign(utf8(canonicalJson(value)))
    .setProtectedHeader({ alg: k.alg, kid: k.kid, typ })
    .sign(k.privateKey);
  return { jws, kid: k.kid };
}

/** Verify a gateway JWS with a JWKS alone (what a court does); returns the payload. */
export async function verifyWithJwks(jws: string, jwks: { keys: JWK[] }): Promise<{ payload: unknown; kid?: string; typ?: string }> {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['ES256'] });
  return { payload: JSON.parse(new TextDecoder().decode(payload)), kid: protectedHeader.kid, typ: protectedHeader.typ };
}
