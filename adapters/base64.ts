/**
 * Standard base64 decoded by Buffer (node:buffer: Node's own, and Workers' under nodejs_compat), bound at start by
 * each runtime's entry (adapters/node/crypto.ts, adapters/workers/worker.ts) in place of src/lib/encoding.ts's atob
 * and byte loop: 22 ms against 205 for 36 MB, an attachment sent inline in a delivery's manifest.
 */
import { Buffer } from 'node:buffer';
import type { Base64Decoder } from '../src/lib/encoding.js';

/** A small Buffer is a view into a shared pool: copied, so that its .buffer is its own (pkijs and WebCrypto get .buffer). */
export const bufferBase64Decoder: Base64Decoder = (base64) => {
  const b = Buffer.from(base64, 'base64');
  return b.byteOffset === 0 && b.buffer.byteLength === b.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b);
};
