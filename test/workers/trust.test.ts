/**
 * Trust inside workerd (issue 22): an SM2 court made by OpenSSL (SM2-with-SM3 chain) sends JWS (SM2SM3) and
 * XMLDSig (SM2-SM3, SM3) envelopes signed by OpenSSL: accepted on D1 as on Node; one character changed:
 * refused. An SM2-signed CRL uploaded through the admin API revokes a leaf; a stapled OCSP response made by
 * `openssl ocsp` decides an RSA leaf. WebCrypto in workerd has no SM2: sm-crypto-v2 does the work here too.
 */
import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';

interface TrustFixtures {
  sm2CaPem: string;
  sm2Jose: string;
  sm2Tampered: string;
  sm2Xml: string;
  sm2Revoked: string;
  sm2CrlPem: string;
  revokedAt: string;
  rsaCaPem: string;
  stapledGood: string;
  stapledRevoked: string;
  rsaRevokedAt: string;
}
const E = env as unknown as { TRUST_FIXTURES: string; ADMIN_TOKEN: string; DEMO_DIRECTORY: string; DB: D1Database };
const F = JSON.parse(E.TRUST_FIXTURES) as TrustFixtures;
const admin = { authorization: `Bearer ${E.ADMIN_TOKEN}`, 'x-actor': encodeURIComponent('测试管理员'), 'content-type': 'application/json' };
const post = (body: string, type = 'application/jose') => SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': type }, body });
const count = async (table: string) => (await E.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>())?.n ?? 0;

async function setUp() {
  expect((await SELF.fetch('http://gw/v1/admin/directory', { method: 'PUT', headers: admin, body: E.DEMO_DIRECTORY })).status).toBe(200);
  const sm2 = await SELF.fetch('http://gw/v1/admin/senders', {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ code: 'court-sm2', type: 'court', name: '浙江省衢州市中级人民法院', caPem: F.sm2CaPem, sm2: true }),
  });
  expect(sm2.status).toBe(200);
  const kc = await SELF.fetch('http://gw/v1/admin/senders', {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ code: 'court-kc', type: 'court', name: '衢州市柯城区人民法院', caPem: F.rsaCaPem, revocationPolicy: 'hard' }),
  });
  expect(kc.status).toBe(200);
}

describe('国密 SM2/SM3 in workerd', () => {
  it('a JWS signed SM2SM3 by OpenSSL: 201; the same with one character changed: 403, nothing stored', async () => {
    await setUp();
    const ok = await post(F.sm2Jose);
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { receipt: { signer: { subject: string } } }).receipt.signer.subject).toBe('CN=衢州中院 电子签章 SM2');
    const before = await count('deliveries');
    const bad = await post(F.sm2Tampered);
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { type: string }).type).toBe('urn:fuyuan:problem:bad-signature');
    expect(await count('deliveries')).toBe(before);
  });

  it('an XMLDSig envelope signed SM2-SM3 with an SM3 digest by OpenSSL: 201', async () => {
    const res = await post(F.sm2Xml, 'application/xml');
    expect(res.status).toBe(201);
    expect(((await res.json()) as { receipt: { envelope: { format: string } } }).receipt.envelope.format).toBe('xml');
  });

  it('an SM2-signed CRL uploaded through the admin API: the revoked SM2 leaf is refused with its revocation time', async () => {
    const up = await SELF.fetch('http://gw/v1/admin/senders/court-sm2/crls', { method: 'POST', headers: admin, body: JSON.stringify({ crlPem: F.sm2CrlPem }) });
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ crlNumber: '5', stored: true });
    const res = await post(F.sm2Revoked);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      type: 'urn:fuyuan:problem:certificate-revoked',
      certificate: 'CN=衢州中院 已吊销签章 SM2',
      revokedAt: F.revokedAt,
    });
  });
});

describe('stapled OCSP in workerd', () => {
  it('a hard-fail sender: good stapled status → 201 recorded in the receipt; revoked → 403 naming the time', async () => {
    const ok = await post(F.stapledGood);
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { receipt: { revocation: unknown } }).receipt.revocation).toMatchObject({
      policy: 'hard',
      status: 'good',
      checks: [{ source: 'ocsp-stapled', status: 'good' }],
    });
    const bad = await post(F.stapledRevoked);
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ type: 'urn:fuyuan:problem:certificate-revoked', revokedAt: F.rsaRevokedAt });
  });
});
