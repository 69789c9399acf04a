/**
 * The gateway inside workerd: the Worker entry with D1 and R2, the same signed delivery as on Node, a receipt
 * that verifies with the Worker's JWKS, duplicates, refusals with nothing stored, bytes in R2, the scheduled
 * sweep removing orphan bytes, and a clear error for a bad binding.
 */
import { describe, expect, it } from 'vitest';
import { env, SELF, createScheduledController, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { compactVerify, createLocalJWKSet } from 'jose';
import worker from '../../adapters/workers/worker.js';

interface Fixtures {
  caPem: string;
  jose: string;
  untrusted: string;
  attachmentSha256: string;
}
const E = env as unknown as { DB: D1Database; BLOBS: R2Bucket; FIXTURES: string; ADMIN_TOKEN: string; DEMO_DIRECTORY: string };
const F = JSON.parse(E.FIXTURES) as Fixtures;
const count = async (table: string) => ((await E.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>())?.n ?? 0);

const admin = { authorization: `Bearer ${E.ADMIN_TOKEN}`, 'x-actor': encodeURIComponent('测试管理员'), 'content-type': 'application/json' };

/** Set the gateway up through its admin API, as on Node: the demo directory and the court with its CA. */
async function registerCourt() {
  const dir = await SELF.fetch('http://gw/v1/admin/directory', { method: 'PUT', headers: admin, body: E.DEMO_DIRECTORY });
  expect(dir.status).toBe(200);
  const res = await SELF.fetch('http://gw/v1/admin/senders', { method: 'POST', headers: admin, body: JSON.stringify({ code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: F.caPem }) });
  expect(res.status).toBe(200);
}

describe('the Worker', () => {
  it('is ready on D1 with the migrations applied', async () => {
    const res = await SELF.fetch('http://gw/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', database: 'ok', migrations: { current: true } });
  });

  it('accepts a signed delivery: 201, a receipt that verifies with its JWKS, the bytes in R2; the same message again → 200', async () => {
    await registerCourt();
    const res = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.jose });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { receipt: { documents: { routing: { status: string; rule: string; units: { unitId: string }[]; caseId: string } }[] }; jws: string };
    // The same routing and deadlines as on Node (src/routes/routing, src/routes/deadlines tests).
    expect(body.receipt.documents[0]!.routing).toMatchObject({ status: 'assigned', rule: 'R1', units: [{ unitId: 'kc-zrzy' }] });
    const obs = (await (await SELF.fetch(`http://gw/v1/obligations?case=${body.receipt.documents[0]!.routing.caseId}`, { headers: admin })).json()) as { items: { kind: string; source: string }[] };
    expect(obs.items.map((o) => [o.kind, o.source])).toEqual([['answer_and_evidence', 'ALL 第67条']]);
    const jwks = (await (await SELF.fetch('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    const { payload } = await compactVerify(body.jws, createLocalJWKSet(jwks));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(body.receipt);
    expect(await E.BLOBS.head(`blobs/${F.attachmentSha256}`)).not.toBeNull();
    const again = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.jose });
    expect(again.status).toBe(200);
    expect(await count('deliveries')).toBe(1);
  });

  it('refuses a chain from an unregistered CA with problem+json, storing nothing', async () => {
    const before = [await count('deliveries'), await count('documents'), await count('audit_log')];
    const res = await SELF.fetch('http://gw/v1/deliveries', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: F.untrusted });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:untrusted-certificate');
    expect([await count('deliveries'), await count('documents'), await count('audit_log')]).toEqual(before);
  });

  it('the cron sweep runs the same sweep and removes orphan bytes from R2 after the grace period', async () => {
    await E.BLOBS.put('blobs/' + 'f'.repeat(64), new Uint8Array([1, 2, 3]));
    const ctl = createScheduledController({ scheduledTime: Date.now() + 2 * 3600_000, cron: '* * * * *' });
    const ctx = createExecutionContext();
    await worker.scheduled(ctl as never, env as never, ctx as never);
    await waitOnExecutionContext(ctx);
    expect(await E.BLOBS.head('blobs/' + 'f'.repeat(64))).toBeNull();
    expect(await E.BLOBS.head(`blobs/${F.attachmentSha256}`)).not.toBeNull(); // referenced: kept
  });

  it('a missing binding is a clear 503 naming it, not a crash', async () => {
    const res = await worker.fetch(new Request('http://gw/healthz') as never, { DATABASE: 'd1' } as never, createExecutionContext() as never);
    expect(res.status).toBe(503);
    const p = (await res.json()) as { type: string; detail: string };
    expect(p.type).toBe('urn:fuyuan:problem:service-misconfigured');
    expect(p.detail).toMatch(/GATEWAY_KEY/);
    expect(p.detail).toMatch(/DB/);
  });
});
