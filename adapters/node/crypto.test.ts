import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nobleSha256Hex, sha256Hex, sha256HexSync } from '../../src/lib/encoding.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bindNodeCrypto, nodeSha256, nodeSha256Hex } from './crypto.js';

describe('SHA-256 in the calling thread: the native binding gives what the portable one gives', () => {
  it('matches the FIPS 180-2 test vector (abc) either way', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(nobleSha256Hex('abc')).toBe(abc);
    expect(nodeSha256Hex('abc')).toBe(abc);
    expect(nodeSha256Hex(new TextEncoder().encode('abc'))).toBe(abc);
  });

  it('agrees on any bytes (hex, and as bytes for the Merkle tree of the audit log)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => nodeSha256Hex(b) === nobleSha256Hex(b)));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => Buffer.from(nodeSha256(b)).equals(Buffer.from(sha256(b)))));
  });

  it('agrees on any string, lone surrogates included (both hash its UTF-8 form, U+FFFD for a lone surrogate)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => nodeSha256Hex(s) === nobleSha256Hex(s)));
    expect(nodeSha256Hex('\ud800x')).toBe(createHash('sha256').update(Buffer.from('\ufffdx', 'utf8')).digest('hex'));
  });

  it('once bound, sha256HexSync and the small-input path of sha256Hex use it and still give the same digests', async () => {
    bindNodeCrypto();
    const s = '送达回执 delivery receipt';
    expect(sha256HexSync(s)).toBe(nobleSha256Hex(s));
    expect(await sha256Hex(s)).toBe(nobleSha256Hex(s));
    const big = new Uint8Array(64 * 1024).map((_, i) => i * 7);
    expect(await sha256Hex(big)).toBe(nobleSha256Hex(big)); // WebCrypto path
  });
});
