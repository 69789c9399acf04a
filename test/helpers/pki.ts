import 'reflect-metadata';
/**
 * The test PKI, made at test time: RSA CAs and signers by node-forge (adapters/node/court-kit), an EC CA and
 * EC signer by @peculiar/x509, so ES256 is tested with a real EC chain. Generated once per test file.
 */
import * as x509 from '@peculiar/x509';
import { createCa, issueSigner, rsaSigner, type IssuedCert, type Signer } from '../../adapters/node/court-kit.js';
import { toBase64 } from '../../src/lib/encoding.js';

x509.cryptoProvider.set(globalThis.crypto);

export const VALID_FROM = new Date('2026-01-01T00:00:00Z');
export const VALID_TO = new Date('2028-01-01T00:00:00Z');

export interface EcPki {
  caPem: string;
  signer: Signer;
}

export async function makeEcPki(cn: string): Promise<EcPki> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const caKeys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${cn}`,
    notBefore: VALID_FROM,
    notAfter: VALID_TO,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leafKeys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${cn} 签章`,
    issuer: ca.subject,
    notBefore: VALID_FROM,
    notAfter: VALID_TO,
    signingKey: caKeys.privateKey,
    publicKey: leafKeys.publicKey,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return {
    caPem: ca.toString('pem'),
    signer: { alg: 'ES256', privateKey: leafKeys.privateKey, x5c: [toBase64(new Uint8Array(leaf.rawData))] },
  };
}

export interface CourtPki {
  ca: IssuedCert;
  signer: Signer;
  leaf: IssuedCert;
}

export async function makeCourtPki(cn: string, leafOpts: Partial<Parameters<typeof issueSigner>[2]> = {}, alg: 'RS256' | 'PS256' = 'RS256'): Promise<CourtPki> {
  const ca = createCa(`${cn} CA`, { notBefore: VALID_FROM, notAfter: VALID_TO });
  const leaf = issueSigner(ca, `${cn} 电子送达签章`, { notBefore: VALID_FROM, notAfter: VALID_TO, ...leafOpts });
  return { ca, leaf, signer: await rsaSigner(leaf, [], alg) };
}
