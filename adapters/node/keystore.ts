/**
 * Node KeyStore: the gateway's ES256 keys in <dataDir>/gateway-keys.json, owner-only (0600), created on first
 * start; or one key given by configuration (GATEWAY_KEY). Rotation adds a key and retires the previous one,
 * which stays in the JWKS so earlier receipts still verify.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { KeyStore } from '../../src/deps.js';
import { parseSecretsKey } from '../../src/lib/secret-box.js';
import { jwkKeyStore, newStoredKey, storedKeyFromJwk, type StoredKey } from '../keys/jwk.js';
import type { Sm2SigningKey } from '../../src/deps.js';

export const keyFile = (dataDir: string) => join(dataDir, 'gateway-keys.json');
export const adminTokenFile = (dataDir: string) => join(dataDir, 'admin-token');
export const secretsKeyFile = (dataDir: string) => join(dataDir, 'secrets-key');

/**
 * The key that seals channel secrets in the database (src/lib/secret-box.ts): configured (SECRETS_KEY), or
 * created once in the data directory (owner-only), never in the database.
 */
export function secretsKey(dataDir: string, configured?: string, readOnly = false): Uint8Array {
  if (configured) return parseSecretsKey(configured);
  const path = secretsKeyFile(dataDir);
  // A command that writes nothing seals nothing: without the file, a key of its own that is never stored.
  if (readOnly) return existsSync(path) ? parseSecretsKey(readFileSync(path, 'utf8')) : new Uint8Array(randomBytes(32));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return parseSecretsKey(readFileSync(path, 'utf8'));
}

/** The admin bearer token: configured, or created once in the data directory (owner-only). */
export function adminToken(dataDir: string, configured: string | undefined, readOnly: true): string | undefined;
export function adminToken(dataDir: string, configured?: string, readOnly?: false): string;
export function adminToken(dataDir: string, configured?: string, readOnly = false): string | undefined {
  if (configured) return configured;
  const path = adminTokenFile(dataDir);
  if (readOnly) return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) writeFileSync(path, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

function write(path: string, keys: StoredKey[]) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export async function fileKeyStore(
  dataDir: string,
  now: Date,
  configuredJwk?: string,
  sm2Key?: Sm2SigningKey,
  readOnly = false,
): Promise<KeyStore & { rotate(now: Date): Promise<string> }> {
  if (!readOnly) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = keyFile(dataDir);
  let keys: StoredKey[];
  if (configuredJwk) {
    keys = [await storedKeyFromJwk(configuredJwk, now)];
  } else if (existsSync(path)) {
    keys = (JSON.parse(readFileSync(path, 'utf8')) as { keys: StoredKey[] }).keys;
    if (!readOnly) chmodSync(path, 0o600);
  } else if (readOnly) {
    // Nothing to verify with: a key that is never stored, so what the gateway signed fails to verify, as it should.
    keys = [await newStoredKey(now)];
  } else {
    keys = [await newStoredKey(now)];
    write(path, keys);
  }
  const store = jwkKeyStore(() => keys, sm2Key);
  return {
    ...store,
    async rotate(at: Date) {
      if (configuredJwk) throw new Error('the signing key is given by GATEWAY_KEY: rotate it there');
      const fresh = await newStoredKey(at);
      keys = [...keys.map((k) => (k.retiredAt ? k : { ...k, retiredAt: at.toISOString() })), fresh];
      write(path, keys);
      return fresh.kid;
    },
  };
}
