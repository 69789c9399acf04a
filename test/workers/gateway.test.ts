/**
 * The gateway inside workerd: the Worker entry with D1 and R2, the same signed delivery as on Node, a receipt
 * that verifies with the Worker's JWKS, duplicates, refusals with nothing stored, bytes in R2, the scheduled
 * sweep removing orphan bytes, and a clear error for a bad binding.
 */
import { describe, expect, it } from 'vitest';
import { env, SELF, createScheduledController, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { compactVerify, createLocalJWKSet } from 'jose';
import worker, { buildWorker } from '../../adapters/workers/worker.js';
import { parseWorkerEnv } from '../../adapters/workers/bindings.js';
import { verifyAuditChain } from '../../src/services/audit.js';
import { MAX_PARTS } from '../../adapters/envelope/multipart.js';

interface Fixtures {
  caPem: string;
  jose: string;
  untrusted: string;
  tampered: string;
  tamperedSha256: string;
  second: string;
  attachmentSha256: string;
  attachmentBase64: string;
}
const E = env as unknown as { DB: D1Database; BLOBS: R2Bucket; FIXTURES: string; ADMIN_TOKEN: string; DEMO_DIRECTORY: string };
const F = JSON.parse(E.FIXTURES) as Fixtures;
const count = async (table: string) => (await E.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>())?.n ?? 0;

const admin = { authorization: `Bearer ${E.ADMIN_TOKEN}`, 'x-actor': encodeURIComponent('测试管理员'), 'content-type': 'application/json' };

/** Set the gateway up through its admin API, as on Node: the demo directory and the court with its CA. */
async function registerCourt() {
  const dir = await SELF.fetch('http://gw/v1/admin/directory', { method: 'PUT', headers: admin, body: E.DEMO_DIRECTORY });
  expect(dir.status).toBe(200);
  const res = await SELF.fetch('http://gw/v1/admin/senders', {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: F.caPem }),
  });
  expect(res.status).toBe(200);
}

describe('the Worker', () => {
  it('serves the pages with their one same-origin script (upload and export progress), as on Node', async () => {
    const login = await SELF.fetch('http://gw/web/login');
    expect(login.status).toBe(200);
    expect(/script-src[^;]*/.exec(login.headers.get('content-security-policy') ?? '')?.[0]).toBe("script-src 'self'");
    const src = /<script src="(\/web\/assets\/workbench-[0-9a-f]{16}\.js)"/.exec(await login.text())?.[1];
    expect(src).toBeDefined();
    const js = await SELF.fetch(`http://gw${src!}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('上传进度');
  });

  it('is ready on D1 with the migrations applied', async () => {
    const res = await SELF.fetch('http://gw/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', database: 'ok', migrations: { current: true } });
  });

  it("serves /docs with Scalar's script from the Worker itself: one same-origin script, answered 200 as JavaScript", async () => {
    const res = await SELF.fetch('http://gw/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*?\bsrc="([^"]+)"/g)].map((m) => new URL(m[1]!, 'http://gw/docs'));
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!.origin).toBe('http://gw');
    expect(res.headers.get('content-security-policy')).not.toMatch(/https?:/);
    const js = await SELF.fetch(scripts[0]!.href);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toContain('createApiReference');
  });

  it('accepts a signed delivery: 201, a receipt that verifies with its JWKS, the bytes in R2; the same message again → 200', async () => {
    await registerCourt();
    const res = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.jose });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      receipt: { documents: { routing: { status: string; rule: string; units: { unitId: string }[]; caseId: string } }[] };
      jws: string;
    };
    // The same routing and deadlines as on Node (src/routes/routing, src/routes/deadlines tests).
    expect(body.receipt.documents[0]!.routing).toMatchObject({ status: 'assigned', rule: 'R1', units: [{ unitId: 'kc-zrzy' }] });
    const obs = (await (await SELF.fetch(`http://gw/v1/obligations?case=${body.receipt.documents[0]!.routing.caseId}`, { headers: admin })).json()) as {
      items: { kind: string; source: string }[];
    };
    expect(obs.items.map((o) => [o.kind, o.source])).toEqual([['answer_and_evidence', 'ALL 第67条']]);
    const jwks = (await (await SELF.fetch('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    const { payload } = await compactVerify(body.jws, createLocalJWKSet(jwks));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(body.receipt);
    expect(await E.BLOBS.head(`blobs/${F.attachmentSha256}`)).not.toBeNull();
    const again = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.jose });
    expect(again.status).toBe(200);
    expect(await count('deliveries')).toBe(1);
  });

  it('parses multipart as on Node: the same message as a multipart part → 200; more parts than a delivery may have → 400', async () => {
    const B = 'wkr-b0undary';
    const headers = { 'content-type': `multipart/form-data; boundary=${B}` };
    const envelopePart = `--${B}\r\nContent-Disposition: form-data; name="envelope"\r\nContent-Type: application/jose\r\n\r\n${F.jose}\r\n`;
    const again = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers, body: `${envelopePart}--${B}--\r\n` });
    expect(again.status, await again.clone().text()).toBe(200);
    const before = await count('deliveries');
    let parts = envelopePart;
    for (let i = 0; i < MAX_PARTS; i++) parts += `--${B}\r\nContent-Disposition: form-data; name="att-${i}"\r\n\r\nx\r\n`;
    const tooMany = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers, body: `${parts}--${B}--\r\n` });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { detail: string }).detail).toContain(`more than ${MAX_PARTS} parts`);
    expect(await count('deliveries')).toBe(before);
  });

  it('stores the attachment bytes in R2 and serves them back unchanged', async () => {
    const filings = (await (await SELF.fetch('http://gw/v1/filings', { headers: admin })).json()) as { items: { id: string }[] };
    expect(filings.items).toHaveLength(1);
    const filing = (await (await SELF.fetch(`http://gw/v1/filings/${filings.items[0]!.id}`, { headers: admin })).json()) as {
      attachments: { id: string; sha256: string }[];
    };
    const att = filing.attachments[0]!;
    expect(att.sha256).toBe(F.attachmentSha256);
    const expected = Uint8Array.from(atob(F.attachmentBase64), (ch) => ch.charCodeAt(0));
    const res = await SELF.fetch(`http://gw/v1/filings/${filings.items[0]!.id}/attachments/${att.id}`, { headers: admin });
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(expected);
    // In R2, not in D1 (D1 rows stay small).
    const obj = await E.BLOBS.get(`blobs/${F.attachmentSha256}`);
    expect(new Uint8Array(await obj!.arrayBuffer())).toEqual(expected);
    expect(obj!.httpMetadata?.contentType).toBe('application/pdf');
    expect(await count('blobs')).toBe(0);
  });

  it('refuses a tampered delivery with 403 problem+json: nothing in D1, its bytes not in R2', async () => {
    const tables = ['deliveries', 'documents', 'document_attachments', 'cases', 'obligations', 'audit_log', 'outbox'];
    const before = await Promise.all(tables.map(count));
    const res = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.tampered });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:bad-signature');
    expect(await Promise.all(tables.map(count))).toEqual(before);
    expect(await E.BLOBS.head(`blobs/${F.tamperedSha256}`)).toBeNull();
  });

  it('refuses a chain from an unregistered CA with problem+json, storing nothing', async () => {
    const before = [await count('deliveries'), await count('documents'), await count('audit_log')];
    const res = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.untrusted });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:untrusted-certificate');
    expect([await count('deliveries'), await count('documents'), await count('audit_log')]).toEqual(before);
  });

  it('another isolate appending to the audit chain meanwhile: the stale head is refused, the delivery retried, the chain intact', async () => {
    const parsed = parseWorkerEnv(env as never);
    if (!parsed.ok) throw new Error(parsed.message);
    const other = await buildWorker(parsed.env);
    // Deterministic first: A caches its head, B appends, A appends on its stale head (seq clash on D1 → retried).
    const a = await buildWorker(parsed.env);
    const sender = (code: string) => ({ method: 'POST', headers: admin, body: JSON.stringify({ code, type: 'court', name: code, caPem: F.caPem }) });
    expect((await a.app.request('http://gw/v1/admin/senders', sender('court-a1'))).status).toBe(200);
    expect((await other.app.request('http://gw/v1/admin/senders', sender('court-b1'))).status).toBe(200);
    expect((await a.app.request('http://gw/v1/admin/senders', sender('court-a2'))).status).toBe(200);
    expect(await verifyAuditChain(other.deps)).toMatchObject({ ok: true });
    // The second isolate writes (an audited admin action) while the first still holds its cached head.
    const reg = await other.app.request('http://gw/v1/admin/senders', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ code: 'court-kecheng', type: 'court', name: '衢州市柯城区人民法院', caPem: F.caPem }),
    });
    expect(reg.status).toBe(200);
    const res = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.second });
    expect(res.status).toBe(201);
    expect(await verifyAuditChain(other.deps)).toMatchObject({ ok: true });
  });

  it('audit verify reads each attachment back from R2: one byte changed there, or the object gone, is named by its SHA-256', async () => {
    const parsed = parseWorkerEnv(env as never);
    if (!parsed.ok) throw new Error(parsed.message);
    const w = await buildWorker(parsed.env);
    const untouched = await verifyAuditChain(w.deps);
    expect(untouched.problems).toEqual([]);
    const key = `blobs/${F.attachmentSha256}`;
    const obj = await E.BLOBS.get(key);
    const original = new Uint8Array(await obj!.arrayBuffer());
    // An insider with write access to the bucket: the last byte flipped, stored without a digest for R2 to check.
    const changed = original.slice();
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 1;
    await E.BLOBS.put(key, changed, { httpMetadata: obj!.httpMetadata });
    let r = await verifyAuditChain(w.deps);
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual({
      table: 'blobs',
      id: F.attachmentSha256,
      reason: expect.stringMatching(
        new RegExp(`^blobs ${F.attachmentSha256}: its bytes in the external blob store differ from their SHA-256 \\(referred to by document_attachments `),
      ),
    });
    await E.BLOBS.delete(key);
    r = await verifyAuditChain(w.deps);
    expect(r.problems).toContainEqual({
      table: 'blobs',
      id: F.attachmentSha256,
      reason: expect.stringMatching(new RegExp(`^blobs ${F.attachmentSha256}: missing from the external blob store`)),
    });
    // The original bytes back: intact again.
    await E.BLOBS.put(key, original, { httpMetadata: obj!.httpMetadata, sha256: F.attachmentSha256 });
    expect((await verifyAuditChain(w.deps)).problems).toEqual([]);
  });

  it('the cron sweep runs the same sweep: orphan bytes older than the grace period go, referenced or young ones stay', async () => {
    // 150 orphans: more than D1's 100 bound parameters in one query.
    const orphans = Array.from({ length: 150 }, (_, i) => i.toString(16).padStart(64, 'f'));
    for (const o of orphans) await E.BLOBS.put(`blobs/${o}`, new Uint8Array([1, 2, 3]));
    const ctl = createScheduledController({ scheduledTime: Date.now() + 2 * 3600_000, cron: '* * * * *' });
    const ctx = createExecutionContext();
    await worker.scheduled(ctl as never, env as never, ctx as never);
    await waitOnExecutionContext(ctx);
    for (const o of orphans) expect(await E.BLOBS.head(`blobs/${o}`)).toBeNull();
    expect(await E.BLOBS.head(`blobs/${F.attachmentSha256}`)).not.toBeNull(); // referenced: kept
    // A young orphan (its delivery's batch may still be on its way) stays.
    await E.BLOBS.put('blobs/' + 'e'.repeat(64), new Uint8Array([4]));
    const ctx2 = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }) as never, env as never, ctx2 as never);
    await waitOnExecutionContext(ctx2);
    expect(await E.BLOBS.head('blobs/' + 'e'.repeat(64))).not.toBeNull();
  });

  it('DATABASE = "libsql" uses the libSQL web client: an unreachable server is "not ready", not a crash', async () => {
    const res = await worker.fetch(
      new Request('http://gw/readyz') as never,
      { ...(env as object), DATABASE: 'libsql', LIBSQL_URL: 'http://127.0.0.1:9' } as never,
      createExecutionContext() as never,
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'not_ready', database: 'unreachable' });
  });

  it('a missing binding is a clear 503 naming it, not a crash', async () => {
    const res = await worker.fetch(new Request('http://gw/healthz') as never, { DATABASE: 'd1' } as never, createExecutionContext() as never);
    expect(res.status).toBe(503);
    const p = (await res.json()) as { type: string; detail: string };
    expect(p.type).toBe('urn:fuyuan:problem:service-misconfigured');
    expect(p.detail).toMatch(/GATEWAY_KEY/);
    expect(p.detail).toMatch(/DB/);
    const libsql = await worker.fetch(
      new Request('http://gw/healthz') as never,
      { ...(env as object), DATABASE: 'libsql' } as never,
      createExecutionContext() as never,
    );
    expect(libsql.status).toBe(503);
    expect(((await libsql.json()) as { detail: string }).detail).toMatch(/LIBSQL_URL/);
  });

  it('a GATEWAY_KEY that is not a private ES256 JWK is a clear 503 too', async () => {
    const res = await worker.fetch(
      new Request('http://gw/healthz') as never,
      { ...(env as object), GATEWAY_KEY: '{"kty":"RSA","n":"xxxxxxxxxxxxxxxxxxxx"}' } as never,
      createExecutionContext() as never,
    );
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/GATEWAY_KEY must be a private EC P-256 JWK/);
  });
});
