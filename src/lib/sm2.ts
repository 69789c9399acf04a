/**
 * 国密 SM2 signatures over SM3 (GB/T 32918.2, GB/T 32905) with the Z value of GM/T 0009's default signer ID
 * "1234567812345678", on sm-crypto-v2 (pure JS on @noble/curves, so it runs the same on Node and in workerd,
 * whose WebCrypto has no SM2). node:crypto's sign('sm3') leaves the Z value out and is not used (TOOLCHAIN.md).
 * The curve arithmetic is the library's; this file only checks encodings and ranges around it.
 */
import { sm2, sm3 } from 'sm-crypto-v2';

/** SM2-with-SM3 signature algorithm (GM/T 0006): certificates, CRLs and OCSP responses. */
export const OID_SM2_WITH_SM3 = '1.2.156.10197.1.501';
/** The SM2 curve, as the namedCurve parameter of an id-ecPublicKey SubjectPublicKeyInfo. */
export const OID_SM2_CURVE = '1.2.156.10197.1.301';
/** GM/T 0009-2012 §10 default user ID, ENTL = 128 bits. */
export const SM2_DEFAULT_ID = '1234567812345678';

/** The order n of the SM2 curve (GB/T 32918.5): r and s must lie in [1, n-1]. */
const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

const hex = (u: Uint8Array) => Array.from(u, (b) => b.toString(16).padStart(2, '0')).join('');

/** An uncompressed SM2 public point (04 || x || y) as hex; throws when it is not one. */
export function sm2PublicKeyHex(point: Uint8Array): string {
  if (point.length !== 65 || point[0] !== 4) throw new Error('not an uncompressed SM2 point');
  const h = hex(point);
  if (!sm2.verifyPublicKey(h)) throw new Error('the point is not on the SM2 curve');
  return h;
}

/** A public key with the library's precomputed multiples: about 7× faster to verify with (bench/intake). */
export type Sm2PublicPoint = ReturnType<typeof sm2.precomputePublicKey>;
export const sm2Precompute = (publicKeyHex: string): Sm2PublicPoint => sm2.precomputePublicKey(publicKeyHex);

/** r || s (32 bytes each, big-endian): JWS and XMLDSig carry SM2 signatures this way, as for ECDSA. */
export function sm2VerifyRaw(data: Uint8Array, rs: Uint8Array, publicKey: string | Sm2PublicPoint): boolean {
  if (rs.length !== 64) return false;
  const r = BigInt(`0x${hex(rs.subarray(0, 32))}`);
  const s = BigInt(`0x${hex(rs.subarray(32))}`);
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  try {
    return sm2.doVerifySignature(data, hex(rs), publicKey, { hash: true, der: false, userId: SM2_DEFAULT_ID });
  } catch {
    return false;
  }
}

/** DER SEQUENCE { r INTEGER, s INTEGER } → r || s; undefined when it is not that. */
export function sm2DerToRaw(der: Uint8Array): Uint8Array | undefined {
  // 30 len 02 lr r 02 ls s, short lengths only (an SM2 signature is at most 72 bytes).
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const out = new Uint8Array(64);
  let i = 2;
  for (const at of [0, 32]) {
    if (der[i] !== 0x02) return undefined;
    const len = der[i + 1]!;
    let v = der.subarray(i + 2, i + 2 + len);
    if (v.length !== len || len === 0) return undefined;
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (v.length > 32) return undefined;
    out.set(v, at + 32 - v.length);
    i += 2 + len;
  }
  return i === der.length ? out : undefined;
}

/** A DER-encoded SM2 signature (certificates, CRLs, OCSP). */
export function sm2VerifyDer(data: Uint8Array, der: Uint8Array, publicKeyHex: string): boolean {
  const raw = sm2DerToRaw(der);
  return raw ? sm2VerifyRaw(data, raw, publicKeyHex) : false;
}

/** Sign (r || s) with the default signer ID: the gateway's own SM2 key, and the tests' second signer. */
export function sm2SignRaw(data: Uint8Array, privateKeyHex: string, publicKeyHex: string): Uint8Array {
  const sig = sm2.doSignature(data, privateKeyHex, { hash: true, der: false, publicKey: publicKeyHex, userId: SM2_DEFAULT_ID });
  return Uint8Array.from(sig.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** SM3 digest (GB/T 32905). */
export function sm3Digest(data: Uint8Array): Uint8Array {
  const h = sm3(data);
  return Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
}
