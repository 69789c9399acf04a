/**
 * Node's native SHA-256 for the in-thread digests of src/lib/encoding.ts (audit records, JCS digests, small
 * envelopes). src/ stays free of node:* and uses @noble/hashes by default; the Node entry points bind this once.
 * Same bytes in, same hex out (adapters/node/crypto.test.ts); only cheaper per call on the intake hot path.
 */
import { createHash } from 'node:crypto';
import { bindSyncSha256Hex } from '../../src/lib/encoding.js';
import { bindMerkleSha256 } from '../../src/lib/merkle.js';

export const nodeSha256Hex = (data: Uint8Array | string): string =>
  (typeof data === 'string' ? createHash('sha256').update(data, 'utf8') : createHash('sha256').update(data)).digest('hex');

/** SHA-256 of bytes, as bytes (the Merkle tree's leaf and node hashes). */
export const nodeSha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();

export function bindNodeCrypto(): void {
  bindSyncSha256Hex(nodeSha256Hex);
  bindMerkleSha256(nodeSha256);
}
