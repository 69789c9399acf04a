/**
 * Byte helpers on web standards only (runtime-neutral). Digests are never computed by hand: large inputs go to
 * WebCrypto, small ones on the hot path to an audited library in the calling thread (@noble/hashes, or the native
 * one a runtime binds with bindSyncSha256Hex).
 */
import canonicalizeJson from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidInput } from '../domain/invalid-input.js';

const enc = new TextEncoder();

export const utf8 = (s: string): Uint8Array => enc.encode(s);

export function toHex(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] as number).toString(16).padStart(2, '0');
  return s;
}

/** Below this size a digest is computed in the calling thread: cheaper than a WebCrypto round trip. */
const SYNC_DIGEST_MAX = 16 * 1024;

/** SHA-256, lowercase hex: WebCrypto for large inputs (attachments), in-thread for small ones. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? utf8(data) : data;
  if (bytes.length <= SYNC_DIGEST_MAX) return sha256HexSync(bytes);
  return toHex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** SHA-256 in the calling thread, lowercase hex; a string is hashed as its UTF-8 bytes. */
export type SyncSha256Hex = (data: Uint8Array | string) => string;

/** The portable implementation: @noble/hashes (audited, pure JS). Workers and browsers keep this one. */
export const nobleSha256Hex: SyncSha256Hex = (data) => toHex(sha256(typeof data === 'string' ? utf8(data) : data));

let syncSha256Hex: SyncSha256Hex = nobleSha256Hex;

/**
 * A runtime with a native SHA-256 binds it here once at start (adapters/node/deps.ts binds node:crypto: 1.1 µs
 * against @noble's 3.6 µs for 200 bytes, 4.5 against 47 µs for 6 KB, on the 2-core bench machine). It must give
 * exactly what nobleSha256Hex gives (adapters/node/crypto.test.ts checks node:crypto against it).
 */
export function bindSyncSha256Hex(impl: SyncSha256Hex): void {
  syncSha256Hex = impl;
}

/**
 * SHA-256 in the calling thread, for small inputs on the hot path (audit records, JCS digests): no thread-pool
 * round trip and no await inside the write lock. Large inputs use sha256Hex.
 */
export function sha256HexSync(data: Uint8Array | string): string {
  return syncSha256Hex(data);
}

/**
 * RFC 8785 JSON Canonicalization Scheme (the `canonicalize` package by the RFC's author). Version 5 declares Node ≥ 22
 * but needs only String.prototype.isWellFormed (Node 20 has it; the lone-surrogate tests fail without it). Why 5: on
 * the values intake canonicalises (receipts, tree heads, audit entries and records), it took 0.25–0.28 ms per delivery
 * of the event loop where 4.0 took 0.40–0.43: a temporary timer inside this function, `BENCH_INTAKE_ROUNDS=2 npm run
 * bench -- intake`, the two versions alternated twice.
 */
export function canonicalJson(value: unknown): string {
  let s: string | undefined;
  try {
    s = canonicalizeJson(value);
  } catch (e) {
    // A lone surrogate (RFC 8785 §3.2.2.2 requires well-formed Unicode), NaN or Infinity: the input's fault.
    if (/lone surrogate|NaN|Infinity/i.test(String((e as Error)?.message)))
      throw new InvalidInput(`the JSON cannot be canonicalised (RFC 8785): ${(e as Error).message}; strings must be well-formed Unicode`);
    throw e;
  }
  if (s === undefined) throw new InvalidInput('the value cannot be canonicalised (RFC 8785)');
  return s;
}

/** SHA-256 of the JCS form of a JSON value. */
export const jsonDigest = (value: unknown): Promise<string> => Promise.resolve(sha256HexSync(canonicalJson(value)));

/** Standard base64 text, already checked to be it, → bytes: a Uint8Array of its own (its .buffer is exactly its bytes). */
export type Base64Decoder = (base64: string) => Uint8Array;

/** The portable decoder (atob, then a byte loop), for a runtime that binds none. */
export const atobDecoder: Base64Decoder = (base64) => {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};

let base64Decoder: Base64Decoder = atobDecoder;

/**
 * A runtime with a native decoder binds it here once at start (Node and Workers bind Buffer's, adapters/base64.ts:
 * fromBase64 of a 36 MB attachment sent inline took 72 ms instead of 202). It must give exactly what atobDecoder gives
 * (adapters/node/crypto.test.ts checks).
 */
export function bindBase64Decoder(impl: Base64Decoder): void {
  base64Decoder = impl;
}

/** Strict standard base64 (RFC 4648 §4) → bytes; throws on anything else. */
export function fromBase64(s: string): Uint8Array {
  const clean = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new Error('not standard base64');
  return base64Decoder(clean);
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

/** Lowercase hex digest → standard base64 (the form RFC 9530 Repr-Digest uses). */
export function hexToBase64(hex: string): string {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return toBase64(out);
}
