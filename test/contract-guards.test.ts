/**
 * The published contract and the server agree on who may call what (issue 21): walking /openapi.json itself, not
 * a hand-kept list, every operation that declares a security requirement answers a request without credentials
 * with 401 problem+json, and one from a role its `x-roles` does not admit with 403 problem+json carrying nothing
 * but the problem's own fields; every operation that declares itself public (`security: []`) does not ask for a
 * token. A route added without a guard, or a guard that drifts from the document, fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { ROLES, type Role } from '../src/services/clients.js';

type Op = { operationId: string; security?: Record<string, string[]>[]; 'x-roles'?: Role[] };
type Doc = { paths: Record<string, Record<string, Op>> };

let gw: Awaited<ReturnType<typeof testGateway>>;
let doc: Doc;
const headersOf: Partial<Record<Role, Record<string, string>>> = {};
/** A scope each role can plausibly hold in the demo region (who they are does not matter to a role guard). */
const SCOPE: Record<Role, string> = {
  unit: 'kc-zrzy',
  justice_bureau: '330802',
  government_office: '330802',
  court: 'court-longyou',
  procuratorate: 'proc-kecheng',
  liaison: 'court-longyou',
  admin: '*',
};
const PROBLEM_FIELDS = ['type', 'title', 'titleZh', 'titleEn', 'status', 'detail', 'instance'];

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  doc = (await (await gw.app.request('/openapi.json')).json()) as Doc;
  for (const role of ROLES) headersOf[role] = (await clientToken(gw, role, SCOPE[role])).headers;
});
afterAll(() => gw.close());

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op, url: `http://gw${path.replace(/\{[^}]+\}/g, 'x1')}` })),
  );
const isProtected = (op: Op) => (op.security ?? []).length > 0;

async function expectProblem(res: Response, status: number, where: string) {
  expect(res.status, where).toBe(status);
  expect(res.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(
    Object.keys(body).filter((k) => !PROBLEM_FIELDS.includes(k)),
    `${where}: a denial carries no data`,
  ).toEqual([]);
  expect(body.status, where).toBe(status);
}

describe('every operation in /openapi.json is guarded as it declares', () => {
  it('the document has protected and public operations, and every protected one names the bearer scheme', () => {
    const ops = operations();
    expect(ops.filter((o) => isProtected(o.op)).length).toBeGreaterThan(40);
    expect(ops.filter((o) => !isProtected(o.op)).length).toBeGreaterThan(5);
    for (const { method, path, op } of ops.filter((o) => isProtected(o.op))) expect(op.security, `${method} ${path}`).toEqual([{ clientToken: [] }]);
  });

  it('a protected operation without credentials → 401 problem+json, with nothing else said', async () => {
    for (const { method, path, url, op } of operations().filter((o) => isProtected(o.op))) {
      await expectProblem(
        await gw.app.request(url, { method, headers: { 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body: '{}' }) }),
        401,
        `${method} ${path} (${op.operationId})`,
      );
    }
  });

  it('a protected operation with a token of a role its x-roles does not admit → 403 problem+json, no data', async () => {
    let checked = 0;
    for (const { method, path, url, op } of operations().filter((o) => isProtected(o.op) && o.op['x-roles'])) {
      const admitted = op['x-roles']!;
      for (const role of ROLES.filter((r) => !admitted.includes(r))) {
        await expectProblem(
          await gw.app.request(url, { method, headers: headersOf[role]!, ...(method === 'GET' ? {} : { body: '{}' }) }),
          403,
          `${method} ${path} as ${role}`,
        );
        checked++;
      }
    }
    // Administration, the queue, filings, evidence, obligations: most of the contract is role-bound.
    expect(checked).toBeGreaterThan(100);
  });

  it('each role x-roles admits gets past the guard (placeholder ids then answer 400 or 404, never 401, nor a 5xx)', async () => {
    for (const { method, path, url, op } of operations().filter((o) => isProtected(o.op) && o.op['x-roles'])) {
      for (const role of op['x-roles']!) {
        const res = await gw.app.request(url, { method, headers: headersOf[role]!, ...(method === 'GET' ? {} : { body: '{}' }) });
        expect(res.status, `${method} ${path} as ${role}`).not.toBe(401);
        expect(res.status, `${method} ${path} as ${role}`).toBeLessThan(500);
        if (res.status === 403)
          expect(((await res.json()) as { detail: string }).detail, `${method} ${path} as ${role}: refused by scope, not role`).not.toMatch(/needs the role/);
      }
    }
  });

  it('a public operation (security: []) does not ask for a token', async () => {
    const open = operations().filter((o) => !isProtected(o.op));
    expect(open.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/deliveries', 'POST /v1/oauth/token', 'GET /.well-known/jwks.json', 'GET /healthz']),
    );
    for (const { method, path, url } of open) {
      const res = await gw.app.request(url, { method, ...(method === 'GET' ? {} : { body: '' }) });
      expect(res.status, `${method} ${path}`).not.toBe(401);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });
});
