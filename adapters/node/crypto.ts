/**
 * Node's native SHA-256 for the in-thread digests of src/lib/encoding.ts (audit records, JCS digests, small
 * envelopes). src/ stays free of node:* and uses @noble/hashes by default; the Node entry points bind this once.
 * Same bytes in, same hex out (adapters/node/crypto.test.ts); only cheaper per call on the intake hot path.
 */
import { createHash } from 'node:crypto';
import { bindSyncSha256Hex } from '../../src/lib/encoding.js';

export const nodeSha256Hex = (data: Uint8Array | string): string =>
  (typeof data === 'string' ? createHash('sha256').update(data, 'utf8') : createHash('sha256').update(data)).digest('hex');

export function bindNodeCrypto(): void {
  bindSyncSha256Hex(nodeSha256Hex);
}
