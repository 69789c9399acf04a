/**
 * One test per cause of a 5xx found by the hostile-input run of issue 18: each is now a 4xx problem+json
 * that says what is wrong, and changes nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { adminHeaders, ADMIN_TOKEN, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { Manifest } from '../schemas/api/manifest.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let seq = 0;
let before: Awaited<ReturnType<typeof gw.counts>>;

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0), bodyLimitBytes: 64 * 1024 });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterAll(() => gw.close());
beforeEach(async () => {
  before = await gw.counts();
});

async function expectProblem(res: Response | Promise<Response>, status: number, slug: string, detail?: RegExp) {
  const r = await res;
  const text = await r.clone().text();
  expect(r.status, text).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  const body = (await r.json()) as { type: string; detail: string; status: number };
  expect(body.type).toBe(`urn:fuyuan:problem:${slug}`);
  if (detail) expect(body.detail).toMatch(detail);
  expect(await gw.counts()).toEqual(before);
  return body;
}

const req = (path: string, init: RequestInit = {}) => gw.app.request(`http://gw${path}`, init);

describe('headers', () => {
  it('a malformed X-Actor (%E0%A4%A) → 400 naming X-Actor, on every authenticated endpoint', async () => {
    for (const path of ['/v1/queue', '/v1/filings', '/v1/admin/directory', '/v1/statistics/definitions']) {
      await expectProblem(req(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-actor': '%E0%A4%A' } }), 400, 'bad-request', /X-Actor/);
    }
  });
  it('HTTP Basic credentials that are not base64, or not percent-encoded, → 401 invalid-client', async () => {
    const token = (authorization: string) =>
      req('/v1/oauth/token', {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    await expectProblem(token('Basic %%%%'), 401, 'invalid-client', /base64/);
    await expectProblem(token(`Basic ${btoa('%E0%A4%A:x')}`), 401, 'invalid-client', /form-urlencoded/);
    await expectProblem(token(`Basic ${btoa('no-colon')}`), 401, 'invalid-client', /client_id:client_secret/);
  });
});

describe('bodies', () => {
  it('a body that is not JSON on a JSON endpoint → 400 saying so', async () => {
    await expectProblem(req('/v1/admin/clients', { method: 'POST', headers: adminHeaders(), body: '{"name":' }), 400, 'bad-request', /not valid JSON/);
  });
  it('another Content-Type, or none with a body, on a JSON endpoint → 415', async () => {
    await expectProblem(
      req('/v1/admin/clients', { method: 'POST', headers: { ...adminHeaders(), 'content-type': 'text/plain' }, body: '{}' }),
      415,
      'unsupported-media-type',
      /text\/plain/,
    );
    const { 'content-type': _, ...noType } = adminHeaders();
    await expectProblem(req('/v1/admin/clients', { method: 'POST', headers: noType, body: '{}' }), 415, 'unsupported-media-type');
  });
  it('a JSON endpoint has its own body limit (1 MiB by default) → 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), role: 'unit', scope: 'kc-zrzy' });
    await expectProblem(req('/v1/admin/clients', { method: 'POST', headers: adminHeaders(), body: big }), 413, 'payload-too-large', /limit/);
  });
  it('a lone surrogate in a JSON body (audited as JCS) → 400, not a 500 from the canonicaliser', async () => {
    await expectProblem(
      req('/v1/admin/clients', { method: 'POST', headers: adminHeaders(), body: '{"name":"\\ud800","role":"unit","scope":"kc-zrzy"}' }),
      400,
      'bad-request',
      /canonicalised|Unicode/,
    );
  });
  it('a sign-in posted as multipart/form-data with a broken body → 400 page, not a 500', async () => {
    const r = await req('/web/login', { method: 'POST', headers: { origin: 'http://gw', 'content-type': 'multipart/form-data; boundary=x' }, body: 'garbage' });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('请求格式错误');
  });
});

describe('parameters', () => {
  it('a bad period on GET /v1/statistics/reports/{period} → 400 naming the forms a period takes', async () => {
    for (const p of ['xx', '2026-13', '2026-01-01..2025-01-01'])
      await expectProblem(req(`/v1/statistics/reports/${p}`, { headers: adminHeaders() }), 400, 'bad-request');
  });
  it('an unknown figure variant → 400, not a 500', async () => {
    await expectProblem(req('/v1/statistics?period=2026-Q4&variant=nope:x', { headers: adminHeaders() }), 400, 'bad-request', /variants/);
  });
});

describe('intake: what the published JSON Schema and the gateway agree to refuse', () => {
  const deliver = async (edit: (m: ReturnType<typeof demoManifest>) => void) => {
    const m = demoManifest({
      messageId: `hi-${++seq}`,
      senderCode: 'court-longyou',
      issuedAt: T0,
      type: 'judgment',
      caseNumber: `(2026)浙0825行初${800 + seq}号`,
    });
    edit(m);
    return gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  };
  it('a lone surrogate in a string of a validly signed manifest → 422 naming the field', async () => {
    const body = await expectProblem(
      deliver((m) => (m.documents[0]!.title = '\ud800')),
      422,
      'invalid-manifest',
      /documents\.0\.title.*lone surrogate/,
    );
    expect(body.status).toBe(422);
  });
  it('outcome.effectiveOn 0001-01-01 (or 9999-12-31) → 422, not a RangeError in the plan', async () => {
    await expectProblem(
      deliver((m) => (m.documents[0]!.outcome = { result: 'loss', lossKind: 'revoke', effectiveOn: '0001-01-01' })),
      422,
      'invalid-manifest',
      /effectiveOn/,
    );
    await expectProblem(
      deliver((m) => (m.documents[0]!.outcome = { result: 'loss', lossKind: 'revoke', performanceDueOn: '9999-12-31' })),
      422,
      'invalid-manifest',
      /performanceDueOn/,
    );
  });
  it('the JSON Schema and zod agree on blank strings and dates out of range (ajv against Manifest)', () => {
    const schema = JSON.parse(readFileSync(new URL('../schemas/wire/manifest.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const validate = new Ajv2020({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
    const cases: [string, (m: ReturnType<typeof demoManifest>) => void][] = [
      ['blank title', (m) => (m.documents[0]!.title = '   ')],
      ['blank case number', (m) => (m.documents[0]!.case!.caseNumber = '\t \n')],
      ['effectiveOn 0001-01-01', (m) => (m.documents[0]!.outcome = { result: 'loss', effectiveOn: '0001-01-01' })],
      ['issuedAt 9999', (m) => (m.issuedAt = '9999-12-31T00:00:00Z')],
      ['a valid manifest', () => {}],
    ];
    for (const [name, edit] of cases) {
      const m = demoManifest({ messageId: 'agree-1', senderCode: 'court-longyou', issuedAt: T0 });
      edit(m);
      expect([name, validate(m)]).toEqual([name, Manifest.safeParse(m).success]);
    }
  });
});

describe('throttling of failed sign-ins', () => {
  it('per client id: the 11th wrong secret in 5 minutes → 429 with Retry-After, even with the right secret; after the window, in again', async () => {
    const { registerClient } = await import('../src/services/clients.js');
    const { clientId, clientSecret } = await registerClient(gw.deps, { name: '节流测试', role: 'unit', scope: 'kc-zrzy' }, 'test');
    const token = (secret: string, address = '198.51.100.7') =>
      req('/v1/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': address },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).toString(),
      });
    for (let i = 0; i < 10; i++) expect((await token(`wrong-${i}`, `198.51.100.${i}`)).status).toBe(401);
    const refused = await token(clientSecret!, '198.51.100.99');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { type: string }).type).toBe('urn:fuyuan:problem:too-many-requests');
    gw.clock.advance(5 * 60_000 + 1000);
    expect((await token(clientSecret!, '198.51.100.99')).status).toBe(200);
    gw.clock.set(T0);
  });

  it('per source address: 50 failures from one address with invented client ids → 429 for that address only', async () => {
    const token = (id: string, address: string) =>
      req('/v1/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': address },
        body: `grant_type=client_credentials&client_id=${id}&client_secret=x`,
      });
    gw.clock.advance(60 * 60_000);
    for (let i = 0; i < 50; i++) expect((await token(`nobody-${i}`, '203.0.113.5')).status).toBe(401);
    const r = await token('nobody-x', '203.0.113.5');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await token('nobody-y', '203.0.113.6')).status).toBe(401);
    gw.clock.set(T0);
  });

  it('the sign-in page is throttled the same way: 429 page with Retry-After', async () => {
    gw.clock.advance(2 * 60 * 60_000);
    const login = () =>
      req('/web/login', {
        method: 'POST',
        headers: { origin: 'http://gw', 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': '192.0.2.44' },
        body: 'client_id=web-victim&client_secret=guess',
      });
    for (let i = 0; i < 10; i++) expect((await login()).status).toBe(401);
    const r = await login();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await r.text()).toContain('登录失败次数过多');
    gw.clock.set(T0);
  });
});

describe('pages outside /web carry the pages’ security headers', () => {
  const expectHeaders = (r: Response) => {
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toBe('no-store');
  };
  it('/docs', async () => {
    const r = await req('/docs');
    expect(r.status).toBe(200);
    expectHeaders(r);
  });
  it('the printable meeting pack', async () => {
    const made = await req('/v1/statistics/packs', {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ meetingDate: '2026-12-30', period: '2026-Q4', regions: ['330802'] }),
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const r = await req(`/v1/statistics/packs/${id}/print`, { headers: adminHeaders() });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expectHeaders(r);
  });
});
