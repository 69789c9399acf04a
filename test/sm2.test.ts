/**
 * 国密 SM2/SM3 (issue 22; GB/T 32918, GB/T 32905, GM/T 0009): a court whose CA and signer certificate are SM2
 * keys signed SM2-with-SM3, made by OpenSSL; JWS (alg SM2SM3) and XMLDSig (SM2-SM3, SM3 digest) envelopes
 * signed by OpenSSL with the default signer ID 1234567812345678, accepted; one byte changed, refused; the
 * algorithm only from a sender registered for SM2; an SM2-signed CRL that revokes an SM2 leaf.
 */
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock, adminHeaders, testGateway } from './helpers/gateway.js';
import { makeOpensslCa, opensslSm2Jws, opensslSm2XmlEnvelope, type OsslCa, type OsslCert } from './helpers/openssl.js';
import { attachmentEntry, demoManifest, joseRequest } from '../adapters/node/court-kit.js';
import { manifestToXml } from '../adapters/envelope/xml/mapping.js';
import { XML_ALGS } from '../adapters/envelope/xml/dsig.js';
import { registerSender } from '../src/services/senders.js';

const NOW = new Date('2026-11-23T02:00:00.000Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
const URL_ = 'http://gw/v1/deliveries';

let gw: Awaited<ReturnType<typeof testGateway>>;
let ca: OsslCa;
let leaf: OsslCert;
let revokedLeaf: OsslCert;
let n = 0;

async function manifest(sender = 'court-sm2') {
  return demoManifest({
    messageId: `sm2-${++n}`,
    senderCode: sender,
    // The sending court's own case (a sender may only create and extend its own cases).
    court: { code: sender, name: '浙江省衢州市中级人民法院' },
    caseNumber: `(2026)浙08行初${7000 + n}号`,
    issuedAt: NOW,
    regionCode: '330802',
    attachments: [
      await attachmentEntry(
        { id: 'a1', filename: '行政起诉状.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode(`%PDF-1.4 国密 ${n}`) },
        true,
      ),
    ],
  });
}

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(NOW) });
  ca = makeOpensslCa('浙江省衢州市中级人民法院 国密CA', { kind: 'sm2', notBefore: at(-86_400), notAfter: at(365 * 86_400) });
  leaf = ca.issue('衢州中院 电子签章 SM2');
  revokedLeaf = ca.issue('衢州中院 已吊销签章 SM2');
  const dir = JSON.parse(readFileSync('schemas/directory/demo-quzhou.json', 'utf8'));
  expect((await gw.app.request('/v1/admin/directory', { method: 'PUT', headers: adminHeaders(), body: JSON.stringify(dir) })).status).toBe(200);
  await registerSender(gw.deps, { code: 'court-sm2', type: 'court', name: '浙江省衢州市中级人民法院', caPem: ca.certPem, sm2: true });
  await registerSender(gw.deps, { code: 'court-not-sm2', type: 'court', name: '衢州市柯城区人民法院', caPem: ca.certPem });
});
afterAll(async () => {
  ca.close();
  await gw.close();
});

describe('JWS signed SM2 over SM3 by OpenSSL', () => {
  it('an OpenSSL-made SM2 court (SM2-with-SM3 chain): 201, the receipt names the SM2 signer', async () => {
    const jws = opensslSm2Jws(await manifest(), leaf);
    const res = await gw.app.request(joseRequest(URL_, jws));
    const body = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(201);
    expect(body.receipt.signer.subject).toBe('CN=衢州中院 电子签章 SM2');
    expect(body.receipt.envelope.format).toBe('jws');
  });

  it('one byte of the payload changed after signing: 403 bad-signature, nothing stored', async () => {
    const jws = opensslSm2Jws(await manifest(), leaf);
    const [h, p, s] = jws.split('.') as [string, string, string];
    // One character of the attachment's filename changed (the JSON stays valid).
    const text = Buffer.from(p, 'base64url').toString('utf8').replace('行政起诉状', '行政起诉壮');
    const before = await gw.counts();
    const res = await gw.app.request(joseRequest(URL_, `${h}.${Buffer.from(text).toString('base64url')}.${s}`));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:bad-signature');
    // One bit of the signature flipped.
    const sig = Buffer.from(s, 'base64url');
    sig[10] = sig[10]! ^ 1;
    const res2 = await gw.app.request(joseRequest(URL_, `${h}.${p}.${sig.toString('base64url')}`));
    expect(((await res2.json()) as { type: string }).type).toBe('urn:fuyuan:problem:bad-signature');
    expect(await gw.counts()).toEqual(before);
  });

  it("node:crypto's sign('sm3') (no GM/T 0009 Z value) is not a conformant signature: refused", async () => {
    const m = JSON.stringify(await manifest());
    const h = Buffer.from(JSON.stringify({ alg: 'SM2SM3', x5c: [leaf.b64] })).toString('base64url');
    const p = Buffer.from(m).toString('base64url');
    const der = nodeSign('sm3', Buffer.from(`${h}.${p}`), createPrivateKey(readFileSync(leaf.keyPath)));
    const { derToRaw } = await import('./helpers/openssl.js');
    const res = await gw.app.request(joseRequest(URL_, `${h}.${p}.${Buffer.from(derToRaw(der)).toString('base64url')}`));
    expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:bad-signature');
  });

  it('SM2SM3 from a sender not registered for SM2: 400 unsupported-algorithm; ES256 claimed over an SM2 key: 400', async () => {
    const res = await gw.app.request(joseRequest(URL_, opensslSm2Jws(await manifest('court-not-sm2'), leaf)));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toBe('urn:fuyuan:problem:unsupported-algorithm');
    expect(body.detail).toContain('registered for SM2');
    const es = opensslSm2Jws(await manifest(), leaf, { alg: 'ES256' });
    const res2 = await gw.app.request(joseRequest(URL_, es));
    expect(res2.status).toBe(400);
    expect(((await res2.json()) as { type: string }).type).toBe('urn:fuyuan:problem:unsupported-algorithm');
  });

  it('an SM2 leaf under another SM2 CA: 403 untrusted-certificate', async () => {
    const stranger = makeOpensslCa('伪造 国密CA', { kind: 'sm2', notBefore: at(-86_400), notAfter: at(365 * 86_400) });
    try {
      const res = await gw.app.request(joseRequest(URL_, opensslSm2Jws(await manifest(), stranger.issue('伪造签章'))));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:untrusted-certificate');
    } finally {
      stranger.close();
    }
  });
});

describe('XMLDSig signed SM2-SM3 with an SM3 digest by OpenSSL', () => {
  it(`SignatureMethod ${XML_ALGS.sm2Sm3}, DigestMethod ${XML_ALGS.sm3}: 201; one byte changed: 403`, async () => {
    const m = await manifest();
    const xml = opensslSm2XmlEnvelope(manifestToXml(m, { id: 'manifest', xmlns: false }), leaf, { sm2Uri: XML_ALGS.sm2Sm3, sm3Uri: XML_ALGS.sm3 });
    const res = await gw.app.request(xmlRequest(URL_, xml));
    const body = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(201);
    expect(body.receipt).toMatchObject({ messageId: m.messageId, envelope: { format: 'xml' }, signer: { subject: 'CN=衢州中院 电子签章 SM2' } });
    const m2 = await manifest();
    const xml2 = opensslSm2XmlEnvelope(manifestToXml(m2, { id: 'manifest', xmlns: false }), leaf, { sm2Uri: XML_ALGS.sm2Sm3, sm3Uri: XML_ALGS.sm3 });
    const changed = await gw.app.request(xmlRequest(URL_, xml2.replace('行政起诉状', '行政起诉壮')));
    expect(changed.status).toBe(403);
    expect(((await changed.json()) as { type: string }).type).toBe('urn:fuyuan:problem:bad-signature');
  });

  it('SM2-SM3 with a SHA-256 digest, or RSA-SHA256 claimed over an SM2 key: refused', async () => {
    const m = await manifest();
    const sha = opensslSm2XmlEnvelope(manifestToXml(m, { id: 'manifest', xmlns: false }), leaf, { sm2Uri: XML_ALGS.sm2Sm3, sm3Uri: XML_ALGS.sha256 });
    const res = await gw.app.request(xmlRequest(URL_, sha));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain(XML_ALGS.sm3);
    const rsa = opensslSm2XmlEnvelope(manifestToXml(await manifest(), { id: 'manifest', xmlns: false }), leaf, {
      sm2Uri: XML_ALGS.rsaSha256,
      sm3Uri: XML_ALGS.sha256,
    });
    const res2 = await gw.app.request(xmlRequest(URL_, rsa));
    expect(((await res2.json()) as { type: string }).type).toBe('urn:fuyuan:problem:unsupported-algorithm');
  });
});

describe('revocation with SM2', () => {
  it('a CRL signed SM2-with-SM3 by the SM2 CA (openssl ca -gencrl) is accepted and revokes the SM2 leaf', async () => {
    revokedLeaf.revokedAt = at(-3600);
    const res = await gw.app.request('/v1/admin/senders/court-sm2/crls', {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ crlPem: ca.crlPem(at(-60), at(86_400), 3) }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ crlNumber: '3', stored: true, revoked: 1 });
    const refused = await gw.app.request(joseRequest(URL_, opensslSm2Jws(await manifest(), revokedLeaf)));
    expect(await refused.json()).toMatchObject({
      type: 'urn:fuyuan:problem:certificate-revoked',
      certificate: 'CN=衢州中院 已吊销签章 SM2',
      revokedAt: at(-3600).toISOString(),
    });
    const ok = await gw.app.request(joseRequest(URL_, opensslSm2Jws(await manifest(), leaf)));
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as Record<string, any>).receipt.revocation.checks[0]).toMatchObject({ status: 'good', source: 'crl', crlNumber: '3' });
  });
});

describe('receipts signed SM2 by the gateway (optional), verified by OpenSSL', () => {
  it('with GATEWAY_SM2_KEY: the response carries jwsSm2, the JWKS publishes the SM2 key, and openssl dgst -sm3 -verify accepts the signature', async () => {
    const { sm2KeyFromConfig } = await import('../adapters/keys/sm2.js');
    const { jwkKeyStore } = await import('../adapters/keys/jwk.js');
    const { openssl, rawToDer, opensslSm2Verify } = await import('./helpers/openssl.js');
    const keyPem = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2']).toString();
    const sm2Key = await sm2KeyFromConfig(keyPem);
    gw.deps.keys = jwkKeyStore(() => gw.keys, sm2Key);
    try {
      const res = await gw.app.request(joseRequest(URL_, opensslSm2Jws(await manifest(), leaf)));
      expect(res.status).toBe(201);
      const body = (await res.json()) as { receipt: unknown; jws: string; jwsSm2: string };
      const [h, p, s] = body.jwsSm2.split('.') as [string, string, string];
      expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'SM2SM3', kid: sm2Key.kid, typ: 'fuyuan-receipt+jws' });
      expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual(body.receipt);
      // The public key as a court gets it: from the JWKS (crv SM2), turned into an SPKI PEM for OpenSSL.
      const jwks = (await (await gw.app.request('/.well-known/jwks.json')).json()) as { keys: { kid: string; crv: string; x: string; y: string }[] };
      const jwk = jwks.keys.find((k) => k.kid === sm2Key.kid)!;
      expect(jwk.crv).toBe('SM2');
      const spki = Buffer.concat([
        Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d03420004', 'hex'),
        Buffer.from(jwk.x, 'base64url'),
        Buffer.from(jwk.y, 'base64url'),
      ]);
      const pubPem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`;
      const sig = rawToDer(Buffer.from(s, 'base64url'));
      expect(opensslSm2Verify(Buffer.from(`${h}.${p}`), sig, pubPem)).toBe(true);
      // The same public key as OpenSSL derives it from the private key.
      expect(openssl(['pkey', '-pubout', '-outform', 'DER'], { input: keyPem }).equals(spki)).toBe(true);
      // One byte of the payload changed: OpenSSL refuses.
      expect(opensslSm2Verify(Buffer.from(`${h}.${p}x`), sig, pubPem)).toBe(false);
    } finally {
      gw.deps.keys = jwkKeyStore(() => gw.keys);
    }
  });
});

/** POST an XML envelope (test/helpers/xml.ts has the same, but pulls in xmldsigjs, which this file does not need). */
function xmlRequest(url: string, body: string): Request {
  return new Request(url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
}
