/**
 * Secrets at rest (issue 18): the DingTalk / WeCom / webhook channel secrets are stored sealed with AES-256-GCM
 * (WebCrypto), under a key that is never in the database: a configured key (SECRETS_KEY) or one the runtime
 * keeps beside its signing keys (Node: DATA_DIR/secrets-key, 0600; Workers: derived with HKDF from the
 * GATEWAY_KEY secret when SECRETS_KEY is not set). The row id is the additional data, so a sealed secret
 * copied into another row does not open. Stored form: "enc:v1:" + base64url(12-byte IV ‖ ciphertext ‖ tag).
 */
import { base64url } from 'jose';

export interface SecretBox {
  seal(plain: string, context: string): Promise<string>;
  /** A sealed value opened; a value stored before sealing existed (no prefix) is returned as it is. */
  open(stored: string, context: string): Promise<string>;
}

export const SEALED_PREFIX = 'enc:v1:';
export const isSealed = (s: string) => s.startsWith(SEALED_PREFIX);

const enc = new TextEncoder();

async function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== 32) throw new Error(`the secrets key must be 32 bytes (256 bits), got ${raw.length}`);
  return crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

export function secretBox(rawKey: Uint8Array): SecretBox {
  const key = aesKey(rawKey);
  return {
    async seal(plain, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(context) }, await key, enc.encode(plain)));
      const out = new Uint8Array(iv.length + ct.length);
      out.set(iv);
      out.set(ct, iv.length);
      return SEALED_PREFIX + base64url.encode(out);
    },
    async open(stored, context) {
      if (!isSealed(stored)) return stored;
      const bytes = base64url.decode(stored.slice(SEALED_PREFIX.length));
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: enc.encode(context) }, await key, bytes.slice(12));
      return new TextDecoder().decode(plain);
    },
  };
}

/** A key from configuration: base64url (or standard base64) of 32 bytes. */
export function parseSecretsKey(text: string): Uint8Array {
  const bytes = base64url.decode(text.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  if (bytes.length !== 32) throw new Error(`SECRETS_KEY must be 32 bytes in base64url (got ${bytes.length})`);
  return bytes;
}

/** A key derived from the gateway's private signing JWK (its `d`) with HKDF-SHA-256, for a runtime without SECRETS_KEY. */
export async function deriveSecretsKey(privateJwk: { d?: string }): Promise<Uint8Array> {
  if (!privateJwk.d) throw new Error('the gateway key has no private part to derive the secrets key from');
  const ikm = await crypto.subtle.importKey('raw', base64url.decode(privateJwk.d) as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: enc.encode('fuyuan'), info: enc.encode('fuyuan channel secrets v1') },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}
