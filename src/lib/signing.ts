/** Gateway signatures (receipts, evidence, audit checkpoints): compact JWS over the JCS form of a JSON value. */
import { base64url, CompactSign, compactVerify, createLocalJWKSet, type JWK } from 'jose';
import type { KeyStore } from '../deps.js';
import { canonicalJson, utf8 } from './encoding.js';
import { sm2SignRaw } from './sm2.js';

export async function signJson(keys: KeyStore, value: unknown, typ: string): Promise<{ jws: string; kid: string }> {
  const k = await keys.current();
  const jws = await new CompactSign(utf8(canonicalJson(value))).setProtectedHeader({ alg: k.alg, kid: k.kid, typ }).sign(k.privateKey);
  return { jws, kid: k.kid };
}

/** Verify a gateway JWS with a JWKS alone (what a court does); returns the payload. */
export async function verifyWithJwks(jws: string, jwks: { keys: JWK[] }): Promise<{ payload: unknown; kid?: string; typ?: string }> {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['ES256'] });
  return { payload: JSON.parse(new TextDecoder().decode(payload)), kid: protectedHeader.kid, typ: protectedHeader.typ };
}

/**
 * The same JCS payload signed SM2SM3 with the gateway's SM2 key (schemas/wire/README.md §3), when one is
 * configured; undefined otherwise. SM2 signatures are randomised: each call gives another valid signature.
 */
export function signJsonSm2(keys: KeyStore, value: unknown, typ: string): string | undefined {
  const k = keys.sm2;
  if (!k) return undefined;
  const input = `${base64url.encode(JSON.stringify({ alg: 'SM2SM3', kid: k.kid, typ }))}.${base64url.encode(utf8(canonicalJson(value)))}`;
  return `${input}.${base64url.encode(sm2SignRaw(utf8(input), k.privateKeyHex, k.publicKeyHex))}`;
}
