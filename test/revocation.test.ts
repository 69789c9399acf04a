/**
 * Revocation (issue 22), against a test PKI made by OpenSSL at test time: CRLs served from the certificate's
 * distribution point and fetched by the sweep (never by intake), OCSP from the AIA responder (`openssl ocsp`
 * behind a loopback server) and stapled in the envelope, CRLs uploaded by an administrator, hard- and
 * soft-fail senders, a responder that is down, and the soft-fail re-check that raises an alert.
 *
 * The clock is fixed for the whole file at the instant the PKI is made (OpenSSL's OCSP responder stamps its
 * responses with the real time, so the gateway's fixed clock must sit near it); every date the tests choose
 * (revocations, CRL thisUpdate) is relative to that instant.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/services/audit.js';
import { eq } from 'drizzle-orm';
import { FixedClock, adminHeaders, testGateway } from './helpers/gateway.js';
import { loopbackServer, makeOpensslCa, opensslRsaSigner, type LoopbackServer, type OsslCa, type OsslCert } from './helpers/openssl.js';
import { attachmentEntry, demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { sweep } from '../src/jobs/sweep.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import { auditLog, revocationCrls, revocationRechecks } from '../schemas/db/index.js';
import { signXmlEnvelope } from '../adapters/envelope/xml/sign.js';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
const URL_ = 'http://gw/v1/deliveries';

let gw: Awaited<ReturnType<typeof testGateway>>;
let ca: OsslCa; // CRL tests: its leaves name a distribution point
let ocspCa: OsslCa; // OCSP tests: no CRL is held for it, so OCSP alone decides
let other: OsslCa;
let crlServer: LoopbackServer;
let ocspServer: LoopbackServer;
let forgedCrl = false;
// CRL-only leaves (distribution point), OCSP-only leaves (AIA), and leaves with neither.
let crlGood: OsslCert, crlRevoked: OsslCert, crlRevokedLater: OsslCert;
let ocspGood: OsslCert, ocspRevoked: OsslCert;
let bare: OsslCert, bareRevoked: OsslCert;

let n = 0;
/** A case of the sending court's own (a sender may only create and extend its own cases, issue 18). */
function ownCase(m: ReturnType<typeof demoManifest>, sender: string) {
  const c = m.documents[0]!.case!;
  c.court = { ...c.court, code: sender };
  c.caseNumber = `(2026)浙08行初${9000 + n}号`;
}

async function deliver(leaf: OsslCert, sender: string, opts: { issuedAt?: Date; header?: Record<string, unknown> } = {}) {
  const m = demoManifest({
    messageId: `rev-${++n}`,
    senderCode: sender,
    issuedAt: opts.issuedAt ?? NOW,
    regionCode: '330802',
    attachments: [
      await attachmentEntry({ id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode(`%PDF-1.4 ${n}`) }, true),
    ],
  });
  ownCase(m, sender);
  const jws = await signManifest(m, await opensslRsaSigner(leaf), opts.header);
  const res = await gw.app.request(joseRequest(URL_, jws));
  return { res, body: (await res.json()) as Record<string, any>, jws, manifest: m };
}

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(NOW) });
  crlServer = await loopbackServer(() => ({ type: 'application/pkix-crl', body: forgedCrl ? other.crl(at(-60), at(3600)) : ca.crl(at(-60), at(3600), 7) }));
  ocspServer = await loopbackServer((req) => ({ type: 'application/ocsp-response', body: ocspCa.ocspRespond(req) }));
  gw.deps.config.trust = { fetchAllowHosts: [new URL(crlServer.url).host, new URL(ocspServer.url).host], fetchRetries: 0, fetchTimeoutMs: 5000 };
  ca = makeOpensslCa('衢州市中级人民法院 测试CA', { notBefore: at(-86_400), notAfter: at(365 * 86_400) });
  ocspCa = makeOpensslCa('衢州市中级人民法院 OCSP测试CA', { notBefore: at(-86_400), notAfter: at(365 * 86_400) });
  other = makeOpensslCa('伪造CA', { notBefore: at(-86_400), notAfter: at(365 * 86_400) });
  const crlUrl = `${crlServer.url}/ca.crl`;
  const ocspUrl = `${ocspServer.url}/ocsp`;
  crlGood = ca.issue('签章 CRL 有效', { crlUrl });
  crlRevoked = ca.issue('签章 CRL 已吊销', { crlUrl });
  crlRevokedLater = ca.issue('签章 签名后吊销', { crlUrl });
  ocspGood = ocspCa.issue('签章 OCSP 有效', { ocspUrl });
  ocspRevoked = ocspCa.issue('签章 OCSP 已吊销', { ocspUrl });
  bare = ocspCa.issue('签章 无吊销信息');
  bareRevoked = ocspCa.issue('签章 无吊销信息 已吊销');
  crlRevoked.revokedAt = at(-3600);
  crlRevokedLater.revokedAt = at(-60); // signed at -120 s, revoked at -60 s, arrives now
  ocspRevoked.revokedAt = at(-7200);
  ca.writeIndex();
  ocspCa.writeIndex();
  const dir = JSON.parse(readFileSync('schemas/directory/demo-quzhou.json', 'utf8'));
  const put = await gw.app.request('/v1/admin/directory', { method: 'PUT', headers: adminHeaders(), body: JSON.stringify(dir) });
  expect(put.status).toBe(200);
  await registerSender(gw.deps, {
    code: 'court-hard',
    type: 'court',
    name: '衢州市中级人民法院',
    caPem: ca.certPem + ocspCa.certPem,
    revocationPolicy: 'hard',
  });
  await registerSender(gw.deps, {
    code: 'court-soft',
    type: 'court',
    name: '衢州市柯城区人民法院',
    caPem: ca.certPem + ocspCa.certPem,
    revocationPolicy: 'soft',
  });
});
afterAll(async () => {
  await crlServer.close();
  await ocspServer.close();
  ca.close();
  ocspCa.close();
  other.close();
  await gw.close();
});

describe('CRL from the distribution point, fetched by the sweep', () => {
  it('hard-fail with no CRL held yet: 403 revocation-unknown naming the certificate and where the status will come from; intake fetched nothing, stored nothing', async () => {
    const before = await gw.counts();
    const { res, body } = await deliver(crlGood, 'court-hard');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(body.type).toBe('urn:fuyuan:problem:revocation-unknown');
    expect(body.detail).toContain('签章 CRL 有效');
    expect(body.detail).toContain(`${crlServer.url}/ca.crl`);
    expect(crlServer.hits).toBe(0); // nothing on the intake path waits for the network
    expect(await gw.counts()).toEqual(before);
  });

  it('the sweep fetches the CRL and checks its signature against the issuing CA; a CRL signed by another CA is refused and not kept', async () => {
    forgedCrl = true;
    let r = await sweep(gw.deps, gw.clock.now());
    expect(r.steps.revocation).toMatchObject({ ok: true, report: { crlsFetched: 0, crlsFailed: 1 } });
    expect(await gw.deps.db.orm.select().from(revocationCrls)).toHaveLength(0);
    forgedCrl = false;
    // The failed source is retried after its back-off.
    gw.clock.set(at(600));
    r = await sweep(gw.deps, gw.clock.now());
    gw.clock.set(NOW);
    expect(r.steps.revocation).toMatchObject({ ok: true, report: { crlsFetched: 1, crlsFailed: 0 } });
    const [row] = await gw.deps.db.orm.select().from(revocationCrls);
    expect(row).toMatchObject({ crlNumber: '7', issuerSubject: 'CN=衢州市中级人民法院 测试CA' });
  });

  it('a good certificate: 201, and the receipt records the CRL number used', async () => {
    const { res, body } = await deliver(crlGood, 'court-hard');
    expect(res.status).toBe(201);
    expect(body.receipt.revocation).toMatchObject({
      policy: 'hard',
      status: 'good',
      checks: [{ certificate: 'CN=签章 CRL 有效', status: 'good', source: 'crl', crlNumber: '7', thisUpdate: at(-60).toISOString() }],
    });
    // The receipt, evidence included, is what the gateway signed.
    const jwks = (await (await gw.app.request('/.well-known/jwks.json')).json()) as { keys: never[] };
    expect((await verifyWithJwks(body.jws, jwks)).payload).toEqual(body.receipt);
  });

  it('a certificate revoked before signing: 403 certificate-revoked naming the certificate and the revocation time; nothing stored', async () => {
    const before = await gw.counts();
    const { res, body } = await deliver(crlRevoked, 'court-hard');
    expect(res.status).toBe(403);
    expect(body.type).toBe('urn:fuyuan:problem:certificate-revoked');
    expect(body.certificate).toBe('CN=签章 CRL 已吊销');
    expect(body.revokedAt).toBe(at(-3600).toISOString());
    expect(body.detail).toContain(at(-3600).toISOString());
    expect(body.detail).toContain('CRL number 7');
    expect(await gw.counts()).toEqual(before);
    // Soft-fail changes nothing for a certificate known to be revoked.
    expect((await deliver(crlRevoked, 'court-soft')).res.status).toBe(403);
  });

  it('a certificate revoked after signing is accepted: the receipt says revoked-after-signing with the revocation time', async () => {
    const { res, body } = await deliver(crlRevokedLater, 'court-hard', { issuedAt: at(-120) });
    expect(res.status).toBe(201);
    expect(body.receipt.revocation.checks[0]).toMatchObject({ status: 'revoked-after-signing', revokedAt: at(-60).toISOString(), source: 'crl' });
    // Signed after its revocation: refused.
    expect((await deliver(crlRevokedLater, 'court-hard', { issuedAt: at(-30) })).body.type).toBe('urn:fuyuan:problem:certificate-revoked');
  });

  it('a CRL past its nextUpdate no longer counts: hard-fail answers revocation-unknown again', async () => {
    gw.clock.set(at(3700));
    try {
      const { body } = await deliver(crlGood, 'court-hard', { issuedAt: at(3700) });
      expect(body.type).toBe('urn:fuyuan:problem:revocation-unknown');
    } finally {
      gw.clock.set(NOW);
    }
  });
});

describe('OCSP from the AIA responder (openssl ocsp), cached by the sweep', () => {
  it('no response yet → 403 under hard-fail; the sweep asks the responder; then good → 201 with producedAt, revoked → 403', async () => {
    expect((await deliver(ocspGood, 'court-hard')).body.type).toBe('urn:fuyuan:problem:revocation-unknown');
    expect((await deliver(ocspRevoked, 'court-hard')).body.type).toBe('urn:fuyuan:problem:revocation-unknown');
    expect(ocspServer.hits).toBe(0);
    const r = await sweep(gw.deps, gw.clock.now());
    expect(r.steps.revocation?.report).toMatchObject({ ocspFetched: 2, ocspFailed: 0 });
    expect(ocspServer.hits).toBe(2);
    const good = await deliver(ocspGood, 'court-hard');
    expect(good.res.status).toBe(201);
    expect(good.body.receipt.revocation.checks[0]).toMatchObject({ status: 'good', source: 'ocsp' });
    expect(Date.parse(good.body.receipt.revocation.checks[0].producedAt)).toBeGreaterThan(NOW.getTime() - 60_000);
    const revoked = await deliver(ocspRevoked, 'court-hard');
    expect(revoked.res.status).toBe(403);
    expect(revoked.body).toMatchObject({
      type: 'urn:fuyuan:problem:certificate-revoked',
      certificate: 'CN=签章 OCSP 已吊销',
      revokedAt: at(-7200).toISOString(),
    });
    expect(revoked.body.detail).toContain('OCSP response produced at');
    // Served from the cache: intake asked nobody.
    expect(ocspServer.hits).toBe(2);
  });

  it('an OCSP response older than the freshness window (3,600 s by default) no longer counts', async () => {
    gw.clock.set(at(3601 + 120));
    try {
      expect((await deliver(ocspGood, 'court-hard', { issuedAt: at(3601 + 120) })).body.type).toBe('urn:fuyuan:problem:revocation-unknown');
    } finally {
      gw.clock.set(NOW);
    }
  });
});

describe('OCSP stapled by the court in the envelope', () => {
  it('JWS header "ocsp" with a response made by OpenSSL: good → 201 (ocsp-stapled); revoked → 403; nothing fetched', async () => {
    const hits = ocspServer.hits;
    const good = await deliver(bare, 'court-hard', { header: { ocsp: [Buffer.from(ocspCa.ocspFor(bare)).toString('base64')] } });
    expect(good.res.status).toBe(201);
    expect(good.body.receipt.revocation.checks[0]).toMatchObject({ status: 'good', source: 'ocsp-stapled' });
    bareRevoked.revokedAt = at(-600);
    const revoked = await deliver(bareRevoked, 'court-hard', { header: { ocsp: [Buffer.from(ocspCa.ocspFor(bareRevoked)).toString('base64')] } });
    expect(revoked.body).toMatchObject({ type: 'urn:fuyuan:problem:certificate-revoked', revokedAt: at(-600).toISOString() });
    expect(revoked.body.detail).toContain('stapled OCSP response');
    expect(ocspServer.hits).toBe(hits);
  });

  it('a stapled response signed by another CA is refused (403 bad-signature); a stapled response that is not OCSP is 400', async () => {
    // The forger's responder answers for our certificate (same CertID) and signs with its own key.
    const forged = other.ocspRespond(ocspRequestFor(bare));
    const res = await deliver(bare, 'court-hard', { header: { ocsp: [Buffer.from(forged).toString('base64')] } });
    expect(res.res.status).toBe(403);
    expect(res.body.type).toBe('urn:fuyuan:problem:bad-signature');
    const junk = await deliver(bare, 'court-hard', { header: { ocsp: ['AAAA'] } });
    expect(junk.res.status).toBe(400);
    expect(junk.body.type).toBe('urn:fuyuan:problem:malformed-envelope');
  });

  it('XML envelope with <Revocation><OcspResponse>: 201 with the stapled status', async () => {
    const m = demoManifest({
      messageId: `rev-xml-${++n}`,
      senderCode: 'court-hard',
      issuedAt: NOW,
      regionCode: '330802',
      attachments: [
        await attachmentEntry({ id: 'a1', filename: 'x.pdf', mediaType: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4 xml') }, true),
      ],
    });
    ownCase(m, 'court-hard');
    const signed = signXmlEnvelope(m, { alg: 'RS256', keyPem: readFileSync(bare.keyPath, 'utf8'), chain: [bare.der] });
    const stapled = signed.replace(
      '</Delivery>',
      `<Revocation><OcspResponse>${Buffer.from(ocspCa.ocspFor(bare)).toString('base64')}</OcspResponse></Revocation></Delivery>`,
    );
    const res = await gw.app.request(xmlRequest(URL_, stapled));
    const body = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(201);
    expect(body.receipt.revocation.checks[0]).toMatchObject({ status: 'good', source: 'ocsp-stapled' });
  });
});

describe('a responder that is down, under each policy; the soft-fail re-check', () => {
  let downLeaf: OsslCert;
  let downRevoked: OsslCert;
  let badJws = '';
  let badReceipt: unknown;
  beforeAll(() => {
    downLeaf = ocspCa.issue('签章 应答器停机', { ocspUrl: `${ocspServer.url}/ocsp` });
    downRevoked = ocspCa.issue('签章 应答器停机 已吊销', { ocspUrl: `${ocspServer.url}/ocsp` });
    ocspServer.down = true;
  });
  afterAll(() => {
    ocspServer.down = false;
  });

  it('hard-fail: 403 revocation-unknown, whatever the sweep tried', async () => {
    const r = await sweep(gw.deps, gw.clock.now());
    expect(r.steps.revocation?.ok).toBe(true);
    expect((await deliver(downLeaf, 'court-hard')).body.type).toBe('urn:fuyuan:problem:revocation-unknown');
    const r2 = await sweep(gw.deps, gw.clock.now());
    expect(r2.steps.revocation?.report?.ocspFailed).toBeGreaterThanOrEqual(1);
    const status = (await (await gw.app.request('/v1/admin/revocation', { headers: adminHeaders() })).json()) as {
      ocsp: { certificate: string; lastError: string | null }[];
    };
    expect(status.ocsp.find((o) => o.certificate === 'CN=签章 应答器停机')?.lastError).toContain('HTTP 503');
  });

  it('soft-fail: 201, the receipt says status unknown; once the responder is back the sweep settles it, and raises an alert for a certificate revoked before signing', async () => {
    const ok = await deliver(downLeaf, 'court-soft');
    expect(ok.res.status).toBe(201);
    expect(ok.body.receipt.revocation).toMatchObject({ policy: 'soft', status: 'unknown', checks: [{ certificate: 'CN=签章 应答器停机', status: 'unknown' }] });
    const bad = await deliver(downRevoked, 'court-soft');
    expect(bad.res.status).toBe(201);
    // The responder comes back; the certificate turns out to have been revoked an hour before signing.
    downRevoked.revokedAt = at(-3600);
    ocspCa.writeIndex();
    badJws = bad.jws;
    badReceipt = bad.body.receipt;
    ocspServer.down = false;
    gw.clock.set(at(3600)); // past the failures' back-off
    let r;
    try {
      r = await sweep(gw.deps, gw.clock.now());
    } finally {
      gw.clock.set(NOW);
    }
    expect(r.steps.revocation?.report).toMatchObject({ alerts: 1, recheckedGood: 1 });
    const rows = await gw.deps.db.orm.select().from(revocationRechecks);
    expect(rows.find((x) => x.deliveryId === ok.body.receipt.deliveryId)?.status).toBe('good');
    const alert = rows.find((x) => x.deliveryId === bad.body.receipt.deliveryId)!;
    expect(alert.status).toBe('revoked');
    expect(alert.outcome).toContain(at(-3600).toISOString());
    const audit = await gw.deps.db.orm.select().from(auditLog).where(eq(auditLog.action, 'revocation.alert'));
    expect(audit.map((a) => a.subject)).toEqual([`delivery:${bad.body.receipt.deliveryId}`]);
    const status = (await (await gw.app.request('/v1/admin/revocation', { headers: adminHeaders() })).json()) as { alerts: { deliveryId: string }[] };
    expect(status.alerts.map((a) => a.deliveryId)).toEqual([bad.body.receipt.deliveryId]);
  });

  it('a retry of a message accepted under soft-fail gets its original receipt, even once the certificate is known to be revoked', async () => {
    const again = await gw.app.request(joseRequest(URL_, badJws));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { receipt: unknown }).receipt).toEqual(badReceipt);
    // A new message signed with it now: refused, naming the revocation.
    expect((await deliver(downRevoked, 'court-soft')).body.type).toBe('urn:fuyuan:problem:certificate-revoked');
  });
});

describe('administration: policies and uploaded CRLs', () => {
  it('POST /v1/admin/senders/{code}/crls takes a PEM CRL of a registered CA; then that CRL decides', async () => {
    bareRevoked.revokedAt = at(-900);
    const pem = ocspCa.crlPem(at(-30), at(7200), 9);
    const res = await gw.app.request('/v1/admin/senders/court-hard/crls', { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ crlPem: pem }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ crlNumber: '9', stored: true, issuer: 'CN=衢州市中级人民法院 OCSP测试CA' });
    const { body } = await deliver(bareRevoked, 'court-hard');
    expect(body).toMatchObject({ type: 'urn:fuyuan:problem:certificate-revoked', revokedAt: at(-900).toISOString() });
    expect(body.detail).toContain('CRL number 9');
    // An older CRL does not replace a newer one.
    const old = await gw.app.request('/v1/admin/senders/court-hard/crls', {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ crlPem: ocspCa.crlPem(at(-40), at(7200), 8) }),
    });
    expect(await old.json()).toMatchObject({ crlNumber: '8', stored: false });
  });

  it('a CRL from a CA not registered for the sender: 400 problem+json, nothing stored; the DER in base64 works too', async () => {
    const before = await gw.deps.db.orm.select().from(revocationCrls);
    const res = await gw.app.request('/v1/admin/senders/court-hard/crls', {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ crlPem: other.crlPem(at(-30), at(7200)) }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('court-hard');
    expect(await gw.deps.db.orm.select().from(revocationCrls)).toEqual(before);
    const der = await gw.app.request('/v1/admin/senders/court-hard/crls', {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ crlPem: Buffer.from(ocspCa.crl(at(-20), at(7200), 10)).toString('base64') }),
    });
    expect(der.status).toBe(200);
    expect(await der.json()).toMatchObject({ crlNumber: '10', stored: true });
  });

  it('PUT /v1/admin/senders/{code}/trust switches the policy; only administrators may', async () => {
    const res = await gw.app.request('/v1/admin/senders/court-soft/trust', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ revocationPolicy: 'hard' }),
    });
    expect(await res.json()).toEqual({ code: 'court-soft', revocationPolicy: 'hard', sm2: false });
    const none = await gw.app.request('/v1/admin/senders/court-soft/trust', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ revocationPolicy: 'soft' }),
    });
    expect(none.status).toBe(401);
    const bad = await gw.app.request('/v1/admin/senders/court-soft/trust', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ revocationPolicy: 'maybe' }),
    });
    expect(bad.status).toBe(400);
  });

  it('the fetcher only reaches allow-listed hosts: a distribution point elsewhere is not fetched, and says why', async () => {
    const elsewhere = ca.issue('签章 外部CRL', { crlUrl: 'http://crl.example.invalid/ca.crl' });
    await deliver(elsewhere, 'court-soft');
    await sweep(gw.deps, gw.clock.now());
    const status = (await (await gw.app.request('/v1/admin/revocation', { headers: adminHeaders() })).json()) as {
      crlSources: { url: string; lastError: string | null }[];
    };
    expect(status.crlSources.find((s) => s.url === 'http://crl.example.invalid/ca.crl')?.lastError).toContain('allow-list');
  });
});

/** An OCSP request for `cert` as OpenSSL makes it (issuer = the OCSP test CA). */
function ocspRequestFor(cert: OsslCert): Uint8Array {
  const path = join(ca.dir, `forge-${cert.serial}.der`);
  execFileSync('openssl', ['ocsp', '-issuer', ocspCa.certPath, '-cert', cert.certPath, '-no_nonce', '-reqout', path], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Uint8Array(readFileSync(path));
}

/** POST an XML envelope (test/helpers/xml.ts has the same, but pulls in xmldsigjs, which this file does not need). */
function xmlRequest(url: string, body: string): Request {
  return new Request(url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
}

describe('the audit log after everything above (issue #19)', () => {
  it('verifies: every stored fact these tests wrote or changed went through an audited record', async () => {
    const r = await verifyAuditChain(gw.deps);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBeGreaterThan(0);
  });
});
