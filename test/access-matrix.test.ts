/**
 * The access matrix (issue 5, issue 18): every role × every protected endpoint × own / other unit / other
 * region / other sender, asserting allow or deny; a denial carries no data (only the problem's own fields).
 * Meeting packs, the ledger and report exports, the routing explanation and the queue included; and what an
 * allowed reader gets of a pack is never more than its own live drill-down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, clientToken, testGateway } from './helpers/gateway.js';
import { deliverJointAct, deliveredWorld } from './helpers/world.js';
import type { FileInput } from '../adapters/node/court-kit.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
const H: Record<string, Record<string, string>> = {};
let doc = ''; // a Kecheng document assigned to kc-zrzy
let caseId = '';
let queuedItem = ''; // a Kecheng joint act waiting for its lead
let obligationId = '';
let packId = '';
let queuedDoc = ''; // the joint act's document, in the queue

/** Callers: each is a role acting on its own scope, or on someone else's. */
const CALLERS = [
  'admin',
  'unit_own',
  'unit_other',
  'unit_other_region',
  'jb_own',
  'jb_other_region',
  'office_own',
  'office_other_region',
  'court_own',
  'court_other',
  'procuratorate',
  'liaison',
] as const;
type Caller = (typeof CALLERS)[number];

interface Endpoint {
  name: string;
  call: (h: Record<string, string>) => Promise<Response>;
  allow: Caller[];
}

const req = (method: string, path: string, body?: unknown) => (h: Record<string, string>) =>
  Promise.resolve(gw.app.request(`http://gw${path}`, { method, headers: h, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));

let ENDPOINTS: Endpoint[] = [];

beforeAll(async () => {
  const file: FileInput = { id: 'a1', filename: 'x.pdf', mediaType: 'application/pdf', bytes: new Uint8Array(100).fill(1) };
  const world = await deliveredWorld({ messageId: 'm-1', caseNumber: '(2026)浙0825行初1号', file });
  gw = world.gw;
  const { court, first: r1 } = world;
  const d = ((await r1.json()) as { receipt: { documents: { id: string; routing: { caseId: string } }[] } }).receipt.documents[0]!;
  doc = d.id;
  caseId = d.routing.caseId;
  queuedDoc = await deliverJointAct(gw, court, 'm-2', '(2026)浙0825行初2号');
  const q = (await (await gw.app.request('http://gw/v1/queue', { headers: adminHeaders() })).json()) as { items: { id: string }[] };
  queuedItem = q.items[0]!.id;
  const obs = (await (await gw.app.request(`http://gw/v1/obligations?case=${caseId}`, { headers: adminHeaders() })).json()) as { items: { id: string }[] };
  obligationId = obs.items[0]!.id;

  H.admin = adminHeaders();
  H.unit_own = (await clientToken(gw, 'unit', 'kc-zrzy')).headers;
  H.unit_other = (await clientToken(gw, 'unit', 'kc-zjj')).headers;
  H.unit_other_region = (await clientToken(gw, 'unit', 'qj-zrzy')).headers;
  H.jb_own = (await clientToken(gw, 'justice_bureau', '330802')).headers;
  H.jb_other_region = (await clientToken(gw, 'justice_bureau', '330803')).headers;
  H.office_own = (await clientToken(gw, 'government_office', '330802')).headers;
  H.office_other_region = (await clientToken(gw, 'government_office', '330803')).headers;
  H.court_own = (await clientToken(gw, 'court', 'court-longyou')).headers;
  H.court_other = (await clientToken(gw, 'court', 'court-kecheng')).headers;
  H.procuratorate = (await clientToken(gw, 'procuratorate', 'procuratorate-kecheng')).headers;
  H.liaison = (await clientToken(gw, 'liaison', 'court-longyou')).headers;
  const made = await gw.app.request('http://gw/v1/statistics/packs', {
    method: 'POST',
    headers: H.jb_own,
    body: JSON.stringify({ meetingDate: '2026-12-30', period: '2026-Q4' }),
  });
  packId = ((await made.json()) as { id: string }).id;
  const PACK_READERS: Caller[] = ['admin', 'unit_own', 'unit_other', 'jb_own', 'office_own', 'court_own', 'liaison'];

  ENDPOINTS = [
    { name: 'GET /v1/filings/{id}', call: req('GET', `/v1/filings/${doc}`), allow: ['admin', 'unit_own', 'jb_own', 'office_own'] },
    { name: 'GET attachment', call: req('GET', `/v1/filings/${doc}/attachments/a1`), allow: ['admin', 'unit_own', 'jb_own', 'office_own'] },
    { name: 'POST confirm', call: req('POST', `/v1/filings/${doc}/confirm`), allow: ['admin', 'jb_own'] },
    { name: 'GET /v1/cases/{id}', call: req('GET', `/v1/cases/${caseId}`), allow: ['admin', 'unit_own', 'jb_own', 'office_own'] },
    { name: 'GET timeline', call: req('GET', `/v1/cases/${caseId}/timeline`), allow: ['admin', 'unit_own', 'jb_own', 'office_own'] },
    { name: 'GET explain', call: req('GET', `/v1/documents/${doc}/routing`), allow: ['admin', 'unit_own', 'jb_own', 'office_own'] },
    { name: 'GET /v1/queue', call: req('GET', '/v1/queue'), allow: ['admin', 'jb_own', 'jb_other_region'] },
    {
      name: 'POST reassign',
      call: req('POST', `/v1/cases/${caseId}/reassign`, { assignments: [{ unitId: 'kc-zrzy', role: 'lead' }], reason: '矩阵测试' }),
      allow: ['admin', 'jb_own'],
    },
    {
      name: 'GET /v1/obligations',
      call: req('GET', '/v1/obligations'),
      allow: ['admin', 'unit_own', 'unit_other', 'unit_other_region', 'jb_own', 'jb_other_region', 'office_own', 'office_other_region'],
    },
    {
      name: 'POST step defence_draft_submitted',
      call: req('POST', `/v1/cases/${caseId}/steps/defence_draft_submitted`, { summary: '矩阵测试' }),
      allow: ['admin', 'unit_own'],
    },
    { name: 'GET /v1/evidence', call: req('GET', '/v1/evidence'), allow: ['court_own', 'court_other', 'procuratorate'] },
    { name: 'GET /v1/admin/directory', call: req('GET', '/v1/admin/directory'), allow: ['admin'] },
    { name: 'POST /v1/admin/clients', call: req('POST', '/v1/admin/clients', { name: 'x', role: 'unit', scope: 'kc-zrzy' }), allow: ['admin'] },
    { name: 'GET /v1/admin/regions/{code}/policy', call: req('GET', '/v1/admin/regions/330802/policy'), allow: ['admin'] },
    { name: 'GET /v1/statistics/packs/{id}', call: req('GET', `/v1/statistics/packs/${packId}`), allow: PACK_READERS },
    { name: 'GET pack print', call: req('GET', `/v1/statistics/packs/${packId}/print`), allow: PACK_READERS },
    { name: 'GET pack compare', call: req('GET', `/v1/statistics/packs/${packId}/compare/${packId}`), allow: PACK_READERS },
    {
      name: 'POST /v1/statistics/packs (other region)',
      call: req('POST', '/v1/statistics/packs', { meetingDate: '2026-12-30', period: '2026-Q4', regions: ['330803'] }),
      allow: ['admin', 'jb_other_region', 'office_other_region', 'court_own', 'liaison'],
    },
    {
      name: 'GET ledger 330802',
      call: req('GET', '/v1/statistics/ledger?region=330802&month=2026-11'),
      allow: ['admin', 'unit_own', 'unit_other', 'jb_own', 'office_own'],
    },
    {
      name: 'GET ledger csv 330802',
      call: req('GET', '/v1/statistics/ledger?region=330802&month=2026-11&format=csv'),
      allow: ['admin', 'unit_own', 'unit_other', 'jb_own', 'office_own'],
    },
    {
      name: 'GET report 2026-H2',
      call: req('GET', '/v1/statistics/reports/2026-H2?region=330802'),
      allow: ['admin', 'unit_own', 'unit_other', 'jb_own', 'office_own', 'court_own', 'liaison'],
    },
    {
      name: 'GET drill-down 330802',
      call: req('GET', '/v1/statistics/figures/new_cases/cases?period=2026-Q4&region=330802'),
      allow: ['admin', 'unit_own', 'unit_other', 'jb_own', 'office_own', 'court_own', 'liaison'],
    },
    { name: 'GET explain (queued case)', call: req('GET', `/v1/documents/${queuedDoc}/routing`), allow: ['admin', 'jb_own', 'office_own'] },
    { name: 'GET /v1/queue?region=330803', call: req('GET', '/v1/queue?region=330803'), allow: ['admin', 'jb_other_region'] },
  ];
});
afterAll(() => gw.close());

const PROBLEM_KEYS = ['detail', 'instance', 'status', 'title', 'titleEn', 'titleZh', 'type'];

describe('access matrix', () => {
  it('every role × endpoint × scope: allowed where it should be, denied with no data elsewhere', async () => {
    const results: string[] = [];
    let cells = 0;
    for (const e of ENDPOINTS) {
      for (const who of CALLERS) {
        cells++;
        const res = await e.call(H[who]!);
        const allowed = res.status < 400;
        const want = e.allow.includes(who);
        if (allowed !== want) results.push(`${e.name} as ${who}: ${res.status} (wanted ${want ? 'allow' : 'deny'}) ${await res.text()}`);
        if (!allowed) {
          expect([401, 403, 404]).toContain(res.status);
          const body = (await res.json()) as Record<string, unknown>;
          expect(Object.keys(body).sort()).toEqual(PROBLEM_KEYS);
          expect(JSON.stringify(body)).not.toMatch(/衢州|柯城分局|行初/); // nothing of the case leaks
        }
      }
    }
    expect(results).toEqual([]);
    expect(cells).toBe(ENDPOINTS.length * CALLERS.length);
  });

  it("lists are scoped: each caller's filings and obligations are its own", async () => {
    const count = async (path: string, who: Caller) =>
      ((await (await gw.app.request(`http://gw${path}`, { headers: H[who] })).json()) as { items: unknown[] }).items.length;
    expect(await count('/v1/filings', 'unit_own')).toBe(1);
    expect(await count('/v1/filings', 'unit_other')).toBe(0);
    expect(await count('/v1/filings', 'jb_own')).toBe(2);
    expect(await count('/v1/filings', 'jb_other_region')).toBe(0);
    expect(await count('/v1/obligations', 'unit_other_region')).toBe(0);
    expect(await count('/v1/queue', 'jb_other_region')).toBe(0);
    expect(await count('/v1/queue', 'jb_own')).toBe(1);
    expect(queuedItem).toBeTruthy();
    expect(obligationId).toBeTruthy();
  });

  it('a meeting pack shows every caller no more than its live drill-down: the same items, the same fields', async () => {
    const FIGS = ['new_cases', 'loss_rate', 'head_appearance_rate'];
    let compared = 0;
    for (const who of CALLERS) {
      const res = await gw.app.request(`http://gw/v1/statistics/packs/${packId}`, { headers: H[who] });
      if (res.status !== 200) continue;
      const pack = (await res.json()) as { content: { figures: { id: string; items: Record<string, unknown>[] }[] } };
      for (const fig of FIGS) {
        const live = (await (await gw.app.request(`http://gw/v1/statistics/figures/${fig}/cases?period=2026-Q4`, { headers: H[who] })).json()) as {
          items: Record<string, unknown>[];
        };
        const liveNumbers = new Set(live.items.map((i) => i.caseNumber));
        const liveKeys = new Set(live.items.flatMap((i) => Object.keys(i)));
        for (const item of pack.content.figures.find((f) => f.id === fig)!.items) {
          compared++;
          expect([who, fig, liveNumbers.has(item.caseNumber)]).toEqual([who, fig, true]);
          // No field the drill-down does not give this caller (the pack adds only its digest of the facts).
          for (const k of Object.keys(item)) if (k !== 'digest') expect([who, k, liveKeys.has(k)]).toEqual([who, k, true]);
        }
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it("evidence is per sender: a court never sees another sender's receipts", async () => {
    const own = (await (await gw.app.request('http://gw/v1/evidence', { headers: H.court_own })).json()) as { items: unknown[] };
    const other = (await (await gw.app.request('http://gw/v1/evidence', { headers: H.court_other })).json()) as { items: unknown[] };
    const proc = (await (await gw.app.request('http://gw/v1/evidence', { headers: H.procuratorate })).json()) as { items: unknown[] };
    expect(own.items.length).toBeGreaterThan(0);
    expect(other.items).toEqual([]);
    expect(proc.items).toEqual([]);
  });
});
