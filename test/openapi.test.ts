/**
 * The published OpenAPI document passes Redocly's recommended rules (`npx @redocly/cli lint`, run here as a
 * process with its telemetry off), names an operation for every route, says which are public, and puts what
 * courts call first; /docs renders it with Scalar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Script } from 'node:vm';
import { testGateway } from './helpers/gateway.js';

const ROOT = resolve(import.meta.dirname, '..');
type Op = { operationId?: string; security?: Record<string, string[]>[]; tags?: string[] };
type Doc = {
  openapi: string;
  info: { license?: { name: string } };
  servers?: { url: string }[];
  tags?: { name: string }[];
  paths: Record<string, Record<string, Op>>;
  components: { securitySchemes: Record<string, unknown> };
};

let gw: Awaited<ReturnType<typeof testGateway>>;
let doc: Doc;
beforeAll(async () => {
  gw = await testGateway();
  doc = (await (await gw.app.request('/openapi.json')).json()) as Doc;
});
afterAll(() => gw.close());

const ops = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

describe('OpenAPI document', () => {
  it('passes `redocly lint` (recommended rules) with no errors', async () => {
    const file = join(gw.dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const run = await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'redocly'), ['lint', file, '--format', 'json'], {
      cwd: gw.dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', DO_NOT_TRACK: '1' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; message: string }[];
    };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
    // What is left are warnings that health checks and the JWKS have no 4xx answer.
    expect(report.problems.filter((p) => p.ruleId !== 'operation-4xx-response')).toEqual([]);
  }, 120_000);

  it('every operation has a unique operationId and states its security; public ones say security: []', () => {
    const ids = ops().map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const byKey = Object.fromEntries(ops().map((o) => [`${o.method} ${o.path}`, o.op]));
    expect(byKey['post /v1/deliveries']!.security).toEqual([]);
    expect(byKey['get /.well-known/jwks.json']!.security).toEqual([]);
    expect(byKey['post /v1/oauth/token']!.security).toEqual([]);
    expect(byKey['get /v1/filings']!.security).toEqual([{ clientToken: [] }]);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['clientToken']);
  });

  it('has servers and a licence, and lists the court-facing tags first', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license?.name).toBe('Apache-2.0');
    expect(doc.tags!.slice(0, 4).map((t) => t.name)).toEqual(['Deliveries 送达', 'Keys 密钥', 'Evidence 证据', 'Access 认证']);
    const tagged = new Set(ops().flatMap((o) => o.op.tags ?? []));
    expect(new Set(doc.tags!.map((t) => t.name))).toEqual(tagged);
  });

  it('/docs is the Scalar reference over /openapi.json, with every script from the gateway itself (works offline)', async () => {
    const res = await gw.app.request('http://gw.test/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>府院通 Fuyuan · API 参考</title>');
    expect(html).toContain('/openapi.json');
    // Every <script src> and <link href> resolves to this origin; the policy allows no other host.
    const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, 'http://gw.test/docs'));
    const scripts = [...html.matchAll(/<script\b[^>]*?\bsrc="([^"]+)"/g)].map((m) => new URL(m[1]!, 'http://gw.test/docs'));
    expect(scripts).toHaveLength(1);
    expect(refs.every((u) => u.origin === 'http://gw.test')).toBe(true);
    expect(html).not.toMatch(/cdn\.jsdelivr|fonts\.scalar|https?:\/\/(?!gw\.test)[a-z]/i);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'unsafe-inline';/);
    expect(csp).not.toMatch(/https?:/);

    const js = await gw.app.request(scripts[0]!.href);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await js.text();
    // It is JavaScript (it compiles), and it is Scalar's bundle (it defines the Scalar global the page calls).
    expect(() => new Script(code)).not.toThrow();
    expect(code).toContain('createApiReference');
    expect(html).toContain('Scalar.createApiReference');
  });
});
