/**
 * POST /v1/deliveries — every refusal: a 4xx application/problem+json with a stable type and a detail
 * that names what to fix, and NOTHING stored (row counts of deliveries, documents, blobs and audit unchanged).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { base64url, CompactSign, SignJWT } from 'jose';
import { FixedClock, T0, testGateway } from '../../../test/helpers/gateway.js';
import { makeCourtPki, VALID_FROM, type CourtPki } from '../../../test/helpers/pki.js';
import {
  attachmentEntry,
  createCa,
  demoManifest,
  issueSigner,
  joseRequest,
  multipartRequest,
  rsaSigner,
  signManifest,
  type FileInput,
} from '../../../adapters/node/court-kit.js';
import { registerSender } from '../../services/senders.js';

const URL_ = 'http://gateway.test/v1/deliveries';
const file: FileInput = { id: 'att-1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff) };

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki; // registered for court-longyou
let other: CourtPki; // registered for court-kecheng only
let stranger: CourtPki; // registered for nobody
let seq = 0;
const nextId = () => `msg-err-${++seq}`;

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0), bodyLimitBytes: 64 * 1024 });
  [court, other, stranger] = await Promise.all([makeCourtPki('龙游县人民法院'), makeCourtPki('柯城区人民法院'), makeCourtPki('伪造法院')]);
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await registerSender(gw.deps, { code: 'court-kecheng', type: 'court', name: '衢州市柯城区人民法院', caPem: other.ca.certPem });
});
afterAll(() => gw.close());

let before: Awaited<ReturnType<typeof gw.counts>>;
beforeEach(async () => {
  gw.clock.set(T0);
  before = await gw.counts();
});

async function expectProblem(res: Response, status: number, slug: string, detail?: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = (await res.json()) as { type: string; title: string; titleZh: string; titleEn: string; detail: string; status: number };
  expect(body.type).toBe(`urn:fuyuan:problem:${slug}`);
  expect(body.status).toBe(status);
  expect(body.titleZh).toMatch(/[\u4e00-\u9fff]/);
  expect(body.titleEn).toMatch(/[a-z]/i);
  if (detail) expect(body.detail).toMatch(detail);
  expect(await gw.counts()).toEqual(before); // nothing stored
  return body;
}

const manifest = (extra: Partial<Parameters<typeof demoManifest>[0]> = {}) =>
  demoManifest({ messageId: nextId(), senderCode: 'court-longyou', issuedAt: T0, ...extra });

describe('trust: the chain must build to a CA registered for that sender', () => {
  it('a chain from a CA nobody registered is refused (403 untrusted-certificate)', async () => {
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest(), stranger.signer)));
    await expectProblem(res, 403, 'untrusted-certificate', /伪造法院.*court-longyou/);
  });

  it("a chain from another court's registered CA is refused: trust is per sender", async () => {
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest(), other.signer)));
    await expectProblem(res, 403, 'untrusted-certificate', /court-longyou/);
  });

  it('an expired signer certificate is refused, naming the certificate and its validity', async () => {
    const expired = issueSigner(court.ca, '龙游县人民法院 旧签章', { notBefore: VALID_FROM, notAfter: new Date('2026-06-30T00:00:00Z') });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest(), await rsaSigner(expired))));
    await expectProblem(res, 403, 'certificate-not-valid', /x5c\[0\].*旧签章.*2026-06-30/);
  });

  it('a signer certificate whose key usage does not allow signing is refused', async () => {
    const enc = issueSigner(court.ca, '龙游县人民法院 加密证书', {
      notBefore: VALID_FROM,
      notAfter: new Date('2027-12-01T00:00:00Z'),
      keyUsage: 'encipher-only',
    });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest(), await rsaSigner(enc))));
    await expectProblem(res, 403, 'certificate-usage', /digitalSignature/);
  });

  it('a leaf that is not a CA cannot act as an intermediate', async () => {
    const fakeCa = issueSigner(court.ca, '龙游县人民法院 普通证书', { notBefore: VALID_FROM, notAfter: new Date('2027-12-01T00:00:00Z') });
    const underIt = issueSigner(fakeCa, '冒充签章', { notBefore: VALID_FROM, notAfter: new Date('2027-12-01T00:00:00Z') });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest(), await rsaSigner(underIt, [fakeCa]))));
    await expectProblem(res, 403, 'untrusted-certificate');
  });

  it('an unregistered sender code is refused (403 unknown-sender)', async () => {
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest({ senderCode: 'court-nowhere' }), court.signer)));
    await expectProblem(res, 403, 'unknown-sender', /court-nowhere/);
  });

  it('an intermediate CA in x5c that chains to the registered root is accepted (control)', async () => {
    const inter = issueSigner(court.ca, '龙游县人民法院 二级CA', { notBefore: VALID_FROM, notAfter: new Date('2027-12-01T00:00:00Z'), isCa: true });
    const leaf = issueSigner(inter, '龙游县人民法院 签章2', { notBefore: VALID_FROM, notAfter: new Date('2027-12-01T00:00:00Z') });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(manifest(), await rsaSigner(leaf, [inter]))));
    expect(res.status).toBe(201);
  });
});

describe('algorithms: RS256, PS256, ES256 only', () => {
  it('alg "none" (unsigned) is refused', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', x5c: court.signer.x5c }));
    const payload = base64url.encode(JSON.stringify(manifest()));
    const res = await gw.app.request(joseRequest(URL_, `${header}.${payload}.`));
    await expectProblem(res, 400, 'unsupported-algorithm', /"none"/);
  });

  it('HS256 (an HMAC with a shared secret) is refused', async () => {
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(manifest())))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a-shared-secret-of-enough-length-000'));
    const res = await gw.app.request(joseRequest(URL_, jws));
    await expectProblem(res, 400, 'unsupported-algorithm', /HS256/);
  });

  it('a JWS without x5c is refused (the signer must present its chain)', async () => {
    const jws = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).sign(court.signer.privateKey);
    const res = await gw.app.request(joseRequest(URL_, jws));
    await expectProblem(res, 400, 'missing-certificate-chain', /x5c/);
  });
});

describe('integrity: what was signed is what arrives', () => {
  it('a tampered payload (defendant changed after signing) fails the signature', async () => {
    const jws = await signManifest(manifest(), court.signer);
    const [h, p, s] = jws.split('.') as [string, string, string];
    const m = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    m.documents[0].case.defendants[0].name = '衢州市柯城区人民政府';
    const res = await gw.app.request(joseRequest(URL_, `${h}.${base64url.encode(JSON.stringify(m))}.${s}`));
    await expectProblem(res, 403, 'bad-signature', /x5c\[0\]/);
  });

  it('a tampered attachment part (one byte changed) is refused, naming the digest', async () => {
    const m = manifest({ attachments: [await attachmentEntry(file, false)] });
    const jws = await signManifest(m, court.signer);
    const bytes = file.bytes.slice();
    bytes[100] = bytes[100]! ^ 0xff;
    const res = await gw.app.request(multipartRequest(URL_, jws, [{ ...file, bytes }]));
    await expectProblem(res, 422, 'attachment-mismatch', /att-1.*SHA-256/);
  });

  it('a truncated attachment is refused, naming the sizes', async () => {
    const m = manifest({ attachments: [await attachmentEntry(file, false)] });
    const res = await gw.app.request(multipartRequest(URL_, await signManifest(m, court.signer), [{ ...file, bytes: file.bytes.slice(0, 2999) }]));
    await expectProblem(res, 422, 'attachment-mismatch', /3000 bytes, received 2999/);
  });

  it('a missing attachment part is refused, naming the attachment id', async () => {
    const m = manifest({ attachments: [await attachmentEntry(file, false)] });
    const res = await gw.app.request(multipartRequest(URL_, await signManifest(m, court.signer), []));
    await expectProblem(res, 422, 'attachment-missing', /att-1/);
  });

  it('a part the manifest does not name is refused', async () => {
    const res = await gw.app.request(multipartRequest(URL_, await signManifest(manifest(), court.signer), [file]));
    await expectProblem(res, 400, 'malformed-envelope', /att-1/);
  });
});

describe('freshness and form', () => {
  it('a stale issuedAt (an hour before arrival) is refused', async () => {
    const m = manifest({ issuedAt: new Date(T0.getTime() - 3600_000) });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(m, court.signer)));
    await expectProblem(res, 422, 'stale-message', /300 s/);
  });

  it('an issuedAt inside the window is accepted (control: 4 minutes early)', async () => {
    const m = manifest({ issuedAt: new Date(T0.getTime() - 240_000) });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(m, court.signer)));
    expect(res.status).toBe(201);
  });

  it('a malformed JWS is refused', async () => {
    const res = await gw.app.request(joseRequest(URL_, 'this.is-not-a.jws!'));
    await expectProblem(res, 400, 'malformed-envelope', /compact JWS/);
  });

  it('a payload that is not JSON is refused', async () => {
    const res = await gw.app.request(joseRequest(URL_, await signManifest('not json at all', court.signer)));
    await expectProblem(res, 400, 'malformed-envelope', /manifest/);
  });

  it('a manifest that breaks the schema is refused with the paths at fault', async () => {
    const m = manifest() as any;
    m.documents[0].type = 'love_letter';
    delete m.documents[0].case.caseNumber;
    const res = await gw.app.request(joseRequest(URL_, await signManifest(m, court.signer)));
    const body = (await expectProblem(res, 422, 'invalid-manifest')) as unknown as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['documents.0.type', 'documents.0.case.caseNumber']));
  });

  it('an oversized body is refused with 413 before it is stored', async () => {
    const big: FileInput = { ...file, bytes: new Uint8Array(100 * 1024) };
    const m = manifest({ attachments: [await attachmentEntry(big, false)] });
    const res = await gw.app.request(multipartRequest(URL_, await signManifest(m, court.signer), [big]));
    await expectProblem(res, 413, 'payload-too-large', /65536 bytes/);
  });

  it('an unsupported content type is refused with 415', async () => {
    const res = await gw.app.request(new Request(URL_, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }));
    await expectProblem(res, 415, 'unsupported-media-type', /application\/jose/);
  });

  it('multipart without an envelope part is refused', async () => {
    const form = new FormData();
    form.append('att-1', new Blob([file.bytes as Uint8Array<ArrayBuffer>]), 'x.pdf');
    const res = await gw.app.request(new Request(URL_, { method: 'POST', body: form }));
    await expectProblem(res, 400, 'malformed-envelope', /envelope/);
  });
});

describe('exactly once', () => {
  it('the same messageId with other content is 409 and changes nothing', async () => {
    const m = manifest();
    const first = await gw.app.request(joseRequest(URL_, await signManifest(m, court.signer)));
    expect(first.status).toBe(201);
    before = await gw.counts();
    const changed = { ...m, documents: [{ ...m.documents[0]!, title: '另一份文书' }] };
    const res = await gw.app.request(joseRequest(URL_, await signManifest(changed, court.signer)));
    await expectProblem(res, 409, 'message-id-conflict', new RegExp(m.messageId));
  });

  it('two senders may use the same messageId independently', async () => {
    await registerSender(gw.deps, { code: 'court-qujiang', type: 'court', name: '衢州市衢江区人民法院', caPem: stranger.ca.certPem });
    const id = nextId();
    const a = await gw.app.request(joseRequest(URL_, await signManifest(manifest({ messageId: id }), court.signer)));
    const b = await gw.app.request(
      joseRequest(
        URL_,
        await signManifest(
          manifest({
            messageId: id,
            senderCode: 'court-qujiang',
            court: { code: 'court-qujiang', name: '衢州市衢江区人民法院' },
            caseNumber: '(2026)浙0803行初1号',
          }),
          stranger.signer,
        ),
      ),
    );
    expect([a.status, b.status]).toEqual([201, 201]);
  });
});

describe('the CA itself', () => {
  it('a delivery after the registered CA expired is refused, naming the CA', async () => {
    const shortCa = createCa('短期CA', { notBefore: VALID_FROM, notAfter: new Date('2026-12-01T00:00:00Z') });
    const leaf = issueSigner(shortCa, '短期签章', { notBefore: VALID_FROM, notAfter: new Date('2026-12-01T00:00:00Z') });
    await registerSender(gw.deps, { code: 'court-short', type: 'court', name: '短期法院', caPem: shortCa.certPem });
    gw.clock.set(new Date('2026-12-02T00:00:00Z'));
    before = await gw.counts();
    const m = demoManifest({ messageId: nextId(), senderCode: 'court-short', issuedAt: gw.clock.now() });
    const res = await gw.app.request(joseRequest(URL_, await signManifest(m, await rsaSigner(leaf))));
    await expectProblem(res, 403, 'certificate-not-valid', /短期/);
  });
});
