/**
 * What the main operations answer is what their contract declares (issue 21): after a real delivery, each
 * operation is called as its users call it, and its JSON body is parsed with the zod schema its route registered
 * for that status and media type (the schema /openapi.json is generated from). The parse must succeed and lose
 * nothing: a field the handler returns but the contract does not declare would be stripped, and fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { adminHeaders, clientToken, testGateway } from './helpers/gateway.js';
import { deliverJointAct, deliveredWorld } from './helpers/world.js';
import type { FileInput } from '../adapters/node/court-kit.js';

type Route = { method: string; path: string; responses: Record<string, { content?: Record<string, { schema: ZodType }> }> };

let gw: Awaited<ReturnType<typeof testGateway>>;
let routes: Route[] = [];
const H: Record<string, Record<string, string>> = {};
let doc = '';
let caseId = '';
let queuedDoc = '';
let packId = '';
let delivered: { status: number; body: unknown } = { status: 0, body: null };

beforeAll(async () => {
  const file: FileInput = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: new Uint8Array(100).fill(1) };
  const world = await deliveredWorld({ messageId: 'm-1', caseNumber: '(2026)浙0825行初1号', file });
  gw = world.gw;
  const { court, first: r1 } = world;
  routes = gw.app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [d.route as unknown as Route] : []));
  delivered = { status: r1.status, body: await r1.clone().json() };
  const d = ((await r1.json()) as { receipt: { documents: { id: string; routing: { caseId: string } }[] } }).receipt.documents[0]!;
  doc = d.id;
  caseId = d.routing.caseId;
  queuedDoc = await deliverJointAct(gw, court, 'm-2', '(2026)浙0825行初2号');
  H.admin = adminHeaders();
  H.unit = (await clientToken(gw, 'unit', 'kc-zrzy')).headers;
  H.jb = (await clientToken(gw, 'justice_bureau', '330802')).headers;
  H.court = (await clientToken(gw, 'court', 'court-longyou')).headers;
  H.liaison = (await clientToken(gw, 'liaison', 'court-longyou')).headers;
});
afterAll(() => gw.close());

/** The route whose path template matches this request path. */
function routeOf(method: string, path: string): Route {
  const found = routes.find(
    (r) => r.method === method.toLowerCase() && new RegExp(`^${r.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  );
  if (!found) throw new Error(`no registered route for ${method} ${path}`);
  return found;
}

/** The declared schema for this answer, and the parse of the body with it. */
function checkAgainstContract(method: string, path: string, status: number, body: unknown) {
  const declared = routeOf(method, path).responses[String(status)]?.content?.['application/json']?.schema;
  expect(declared, `${method} ${path} → ${status} is declared`).toBeDefined();
  const parsed = declared!.safeParse(body);
  expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), `${method} ${path} → ${status} matches its schema`).toEqual(
    [],
  );
  // Nothing stripped: every field the handler sent is one the contract names.
  expect(parsed.data, `${method} ${path} → ${status}: no undeclared field`).toEqual(body);
}

async function call(method: string, pathAndQuery: string, headers: Record<string, string>, body?: unknown) {
  const res = await gw.app.request(`http://gw${pathAndQuery}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  expect(res.headers.get('content-type'), `${method} ${pathAndQuery}`).toMatch(/^application\/json/);
  const json = (await res.json()) as unknown;
  expect(res.status, `${method} ${pathAndQuery}: ${JSON.stringify(json).slice(0, 300)}`).toBeLessThan(300);
  checkAgainstContract(method, pathAndQuery.split('?')[0]!, res.status, json);
  return json as Record<string, unknown>;
}

describe('main operations answer what their route declares', () => {
  it('intake: the receipt of a delivery', () => {
    expect(delivered.status).toBe(201);
    checkAgainstContract('POST', '/v1/deliveries', delivered.status, delivered.body);
  });

  it('filings, the case, its timeline, the routing explanation and the queue', async () => {
    await call('GET', '/v1/filings', H.unit!);
    await call('GET', `/v1/filings/${doc}`, H.unit!);
    await call('GET', `/v1/cases/${caseId}`, H.jb!);
    await call('GET', `/v1/cases/${caseId}/timeline`, H.jb!);
    await call('GET', `/v1/documents/${doc}/routing`, H.jb!);
    await call('GET', `/v1/documents/${queuedDoc}/routing`, H.jb!);
    await call('GET', '/v1/queue', H.jb!);
    await call('POST', `/v1/filings/${doc}/confirm`, H.jb!);
    await call('GET', '/v1/evidence', H.court!);
  });

  it('deadlines: obligations, the calculator, the calendar and the region policy', async () => {
    await call('GET', `/v1/obligations?case=${caseId}`, H.jb!);
    await call('GET', '/v1/deadlines/compute?start=2026-11-23&period=15d', {});
    await call('GET', '/v1/deadlines/compute?start=2026-12-30&period=5wd', {});
    await call('GET', '/v1/calendar/2026', {});
    await call('GET', '/v1/calendar/2027', {});
    await call('GET', '/v1/admin/regions/330802/policy', H.admin!);
  });

  it('statistics: figures, definitions, drill-down, meeting packs and their comparison, ledger, report', async () => {
    await call('GET', '/v1/statistics?period=2026-Q4', H.jb!);
    await call('GET', '/v1/statistics/definitions', H.jb!);
    await call('GET', '/v1/statistics/figures/new_cases/cases?period=2026-Q4', H.jb!);
    await call('GET', '/v1/statistics/figures/new_cases/cases?period=2026-Q4', H.liaison!);
    packId = String((await call('POST', '/v1/statistics/packs', H.jb!, { meetingDate: '2026-12-30', period: '2026-Q4' })).id);
    await call('GET', '/v1/statistics/packs', H.jb!);
    await call('GET', `/v1/statistics/packs/${packId}`, H.jb!);
    await call('GET', `/v1/statistics/packs/${packId}`, H.liaison!);
    await call('GET', `/v1/statistics/packs/${packId}/compare/${packId}`, H.jb!);
    await call('GET', '/v1/statistics/ledger?region=330802&month=2026-11', H.jb!);
    await call('GET', '/v1/statistics/reports/2026-H2?region=330802', H.jb!);
  });

  it('administration, suggestions, advisers, keys, health and the audit log', async () => {
    await call('GET', '/v1/admin/senders', H.admin!);
    await call('GET', '/v1/admin/revocation', H.admin!);
    await call('GET', '/v1/admin/directory', H.admin!);
    await call('GET', '/v1/suggestions', H.jb!);
    await call('POST', '/v1/admin/regions/330802/advisers', H.admin!, { name: '张律师', organisation: '浙江某律师事务所' });
    await call('GET', '/v1/advisers?region=330802', H.jb!);
    await call('GET', '/.well-known/jwks.json', {});
    await call('GET', '/healthz', {});
    await call('GET', '/readyz', {});
    await call('GET', '/v1/audit/tree-head', {});
  });
});
