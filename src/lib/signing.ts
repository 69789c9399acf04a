/** Gateway signatures (receipts, evidence, audit checkpoints): compact JWS over the JCS form of a JSON value. */
import { base64url, CompactSign, compactVerify, createLocalJWKSet, type JWK } from 'jose';
import type { KeyStore } from '../deps.js';
import { canonicalJson, utf8 } from './encoding.js';
import { sm2SignRaw } from './sm2.js';

/**
 * A runtime's own synchronous signature primitive for the JWS algorithms the gateway signs and verifies (RS256,
 * PS256, ES256), over a key WebCrypto imported; bound once at start (adapters/node/crypto.ts binds node:crypto).
 * Each returns undefined for an algorithm or key it does not take, and the caller uses jose (WebCrypto) instead,
 * which is also what runs where nothing is bound (Workers). Why: in a profile of `npm run bench -- intake`,
 * WebCrypto's jobs cost the event loop about 0.3 ms per ES256 signature and per RS256 verification, where
 * node:crypto signs or verifies in 0.04–0.1 ms.
 */
export interface NativeJws {
  sign(alg: string, key: CryptoKey, input: Uint8Array): Uint8Array | undefined;
  verify(alg: string, key: CryptoKey, input: Uint8Array, signature: Uint8Array): boolean | undefined;
  /**
   * base64url without padding (RFC 7515 §2), as jose's base64url.encode gives it: a receipt's payload is a few KB,
   * and jose's portable encoder took about 25 µs for 2.5 KB where the runtime's takes about 1.
   */
  base64url(bytes: Uint8Array): string;
}

let native: NativeJws | undefined;

export function bindNativeJws(impl: NativeJws): void {
  native = impl;
}

export const nativeJws = (): NativeJws | undefined => native;

export async function signJson(keys: KeyStore, value: unknown, typ: string): Promise<{ jws: string; kid: string }> {
  const k = await keys.current();
  const payload = utf8(canonicalJson(value));
  if (native) {
    const sign = native.sign.bind(native, k.alg, k.privateKey);
    const jws = compactJws({ alg: k.alg, kid: k.kid, typ }, payload, sign);
    if (jws) return { jws, kid: k.kid };
  }
  const jws = await new CompactSign(payload).setProtectedHeader({ alg: k.alg, kid: k.kid, typ }).sign(k.privateKey);
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
  return compactJws({ alg: 'SM2SM3', kid: k.kid, typ }, utf8(canonicalJson(value)), (input) => sm2SignRaw(input, k.privateKeyHex, k.publicKeyHex))!;
}

/**
 * A compact JWS (RFC 7515 §7.1) as jose's CompactSign makes it: the protected header as JSON.stringify writes it,
 * base64url by the runtime's encoder where one is bound (nodeJws), else jose's. undefined if `sign` gives nothing.
 */
function compactJws(header: object, payload: Uint8Array, sign: (input: Uint8Array) => Uint8Array | undefined): string | undefined {
  const b64u = native?.base64url ?? base64url.encode;
  const input = `${b64u(utf8(JSON.stringify(header)))}.${b64u(payload)}`;
  const signature = sign(utf8(input));
  return signature && `${input}.${b64u(signature)}`;
}
