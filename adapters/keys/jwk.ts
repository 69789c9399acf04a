/** KeyStore over a list of ES256 JWKs (the newest unretired one signs; all are published). Runtime-neutral. */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { KeyStore, Sm2SigningKey } from '../../src/deps.js';

export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: string;
  retiredAt?: string;
}

export async function newStoredKey(now: Date): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
    createdAt: now.toISOString(),
  };
}

/** A key given as configuration (one private JWK, e.g. from a secret). */
export async function storedKeyFromJwk(jwkText: string, now: Date): Promise<StoredKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(jwkText) as JWK;
  } catch {
    throw new Error('GATEWAY_KEY is not JSON (expected a private ES256 JWK)');
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new Error('GATEWAY_KEY must be a private EC P-256 JWK (kty EC, crv P-256, with d)');
  const { d: _d, ...pub } = jwk;
  const publicJwk = { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y } as JWK;
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  return { kid, privateJwk: { ...jwk, kid, alg: 'ES256' }, publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' }, createdAt: now.toISOString() };
}

export function jwkKeyStore(keys: () => StoredKey[], sm2?: Sm2SigningKey): KeyStore {
  const imported = new Map<string, CryptoKey>();
  return {
    ...(sm2 ? { sm2 } : {}),
    async current() {
      const active = keys().filter((k) => !k.retiredAt);
      const k = active.at(-1);
      if (!k) throw new Error('no active gateway signing key');
      let key = imported.get(k.kid);
      if (!key) {
        key = (await importJWK(k.privateJwk, 'ES256')) as CryptoKey;
        imported.set(k.kid, key);
      }
      return { kid: k.kid, privateKey: key, alg: 'ES256' as const };
    },
    async jwks() {
      return { keys: [...keys().map((k) => k.publicJwk), ...(sm2 ? [sm2.publicJwk] : [])] };
    },
  };
}
