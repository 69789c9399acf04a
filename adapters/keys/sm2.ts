/**
 * The gateway's optional SM2 signing key (issue 22): when configured (GATEWAY_SM2_KEY), each receipt is also
 * signed SM2SM3 (GM/T 0009 default signer ID) and the JWKS publishes the key as { kty: "EC", crv: "SM2" }.
 * Accepted forms: PKCS#8 PEM ("PRIVATE KEY", as `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2`
 * writes it), SEC 1 PEM ("EC PRIVATE KEY"), or the 32-byte private scalar as 64 hex digits. Runtime-neutral.
 */
import * as asn1js from 'asn1js';
import { base64url, calculateJwkThumbprint, type JWK } from 'jose';
import { sm2 } from 'sm-crypto-v2';
import { fromBase64, toHex } from '../../src/lib/encoding.js';
import type { Sm2SigningKey } from '../../src/deps.js';

function scalarOfEcPrivateKey(der: Uint8Array): string {
  const seq = asn1js.fromBER(der as Uint8Array<ArrayBuffer>).result as asn1js.Sequence;
  const key = seq.valueBlock.value[1] as asn1js.OctetString | undefined;
  if (!(key instanceof asn1js.OctetString)) throw new Error('not an ECPrivateKey');
  return toHex(new Uint8Array(key.valueBlock.valueHexView)).padStart(64, '0');
}

export async function sm2KeyFromConfig(text: string): Promise<Sm2SigningKey> {
  let d: string;
  const t = text.trim();
  try {
    if (/^[0-9a-fA-F]{64}$/.test(t)) d = t.toLowerCase();
    else {
      const m = /-----BEGIN (PRIVATE KEY|EC PRIVATE KEY)-----([\s\S]*?)-----END \1-----/.exec(t);
      if (!m) throw new Error('no PEM block');
      const der = fromBase64((m[2] ?? '').replace(/\s+/g, ''));
      if (m[1] === 'EC PRIVATE KEY') d = scalarOfEcPrivateKey(der);
      else {
        const seq = asn1js.fromBER(der as Uint8Array<ArrayBuffer>).result as asn1js.Sequence;
        const alg = seq.valueBlock.value[1] as asn1js.Sequence;
        const curve = (alg.valueBlock.value[1] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString();
        if (curve !== '1.2.156.10197.1.301') throw new Error(`the key is not on the SM2 curve (${curve ?? 'no curve'})`);
        d = scalarOfEcPrivateKey(new Uint8Array((seq.valueBlock.value[2] as asn1js.OctetString).valueBlock.valueHexView));
      }
    }
  } catch (e) {
    throw new Error(`GATEWAY_SM2_KEY must be an SM2 private key (PKCS#8 or EC PRIVATE KEY PEM, or 64 hex digits): ${(e as Error).message}`, { cause: e });
  }
  const publicKeyHex = sm2.getPublicKeyFromPrivateKey(d);
  const point = Uint8Array.from(publicKeyHex.match(/../g)!.map((b) => parseInt(b, 16)));
  const jwk: JWK = { kty: 'EC', crv: 'SM2', x: base64url.encode(point.subarray(1, 33)), y: base64url.encode(point.subarray(33, 65)) };
  // RFC 7638 thumbprint over the required EC members, as for the ES256 keys.
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKeyHex: d, publicKeyHex, publicJwk: { ...jwk, kid, alg: 'SM2SM3', use: 'sig' } };
}
