import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { atobDecoder, fromBase64, nobleSha256Hex, sha256Hex, sha256HexSync, toBase64 } from '../../src/lib/encoding.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, CompactSign, compactVerify } from 'jose';
import { bindNodeCrypto, nodeJws, nodeSha256, nodeSha256Hex } from './crypto.js';
import { bufferBase64Decoder, bufferBase64urlDecoder } from '../base64.js';

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

describe('JWS signatures by node:crypto (nodeJws): what jose makes and checks, both ways', () => {
  const input = new TextEncoder().encode('eyJhbGciOiJFUzI1NiJ9.eyLpgIHovr4iOiLlm57miacifQ');
  const cases = [
    { alg: 'ES256', params: { name: 'ECDSA', namedCurve: 'P-256' } },
    { alg: 'RS256', params: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } },
    { alg: 'PS256', params: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } },
  ] as const;
  for (const { alg, params } of cases) {
    it(`${alg}: a native signature verifies with jose, a jose signature verifies natively, a changed byte does not`, async () => {
      const { privateKey, publicKey } = (await crypto.subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;
      const header = base64url.encode(JSON.stringify({ alg, kid: 'k1', typ: 'test' }));
      const payload = base64url.encode('{"送达":"回执"}');
      const signingInput = new TextEncoder().encode(`${header}.${payload}`);
      const native = nodeJws.sign(alg, privateKey, signingInput)!;
      await expect(compactVerify(`${header}.${payload}.${base64url.encode(native)}`, publicKey, { algorithms: [alg] })).resolves.toBeTruthy();
      const byJose = (
        await new CompactSign(new TextEncoder().encode('{"送达":"回执"}')).setProtectedHeader({ alg, kid: 'k1', typ: 'test' }).sign(privateKey)
      ).split('.')[2]!;
      expect(nodeJws.verify(alg, publicKey, signingInput, base64url.decode(byJose))).toBe(true);
      const changed = Uint8Array.from(signingInput);
      changed[changed.length - 1] = changed.at(-1)! ^ 1;
      expect(nodeJws.verify(alg, publicKey, changed, native)).toBe(false);
      expect(nodeJws.verify(alg, publicKey, signingInput, native.subarray(1))).toBe(false);
    });
  }
  it('base64url: what jose writes, for any bytes, views into a larger buffer included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        expect(nodeJws.base64url(view)).toBe(base64url.encode(view));
      }),
    );
  });
  it('a key not imported for the alg is left to jose (undefined), never used for another algorithm', async () => {
    const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    expect(nodeJws.sign('ES256', ec.privateKey, input)).toBeUndefined();
    const p256 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    expect(nodeJws.verify('RS256', p256.publicKey, input, new Uint8Array(64))).toBeUndefined();
    expect(nodeJws.sign('HS256', p256.privateKey, input)).toBeUndefined();
  });
});

describe('base64: the native decoder gives what the portable one gives', () => {
  it('for any bytes, as a Uint8Array whose .buffer is exactly its bytes (small results come from a shared pool); base64url too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        const text = toBase64(bytes);
        const native = bufferBase64Decoder(text);
        expect(native).toEqual(atobDecoder(text));
        expect(native.byteOffset).toBe(0);
        expect(native.buffer.byteLength).toBe(bytes.length);
        // The base64url one (a JWS's segments) gives what jose's decoder gives, as bytes of its own too.
        const url = bufferBase64urlDecoder(base64url.encode(bytes));
        expect(url).toEqual(base64url.decode(base64url.encode(bytes)));
        expect(url.buffer.byteLength).toBe(bytes.length);
      }),
    );
  });
  it('once bound, fromBase64 uses it and still refuses what is not standard base64', () => {
    bindNodeCrypto();
    expect(Array.from(fromBase64('AAEC/w=='))).toEqual([0, 1, 2, 255]);
    for (const bad of ['AAEC_w==', 'AAE', 'A===', 'AA=A']) expect(() => fromBase64(bad)).toThrow(/not standard base64/);
  });
});
