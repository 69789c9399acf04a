/**
 * The two-day routing window (issue 17; docs/domain.md §3): every document reaches its unit, or the right justice
 * bureau, with the clock in view. Through the API with two regions (Kecheng 330802, Qujiang 330803) and a court
 * serving both (Longyou, collective jurisdiction [Q 一(一)]):
 *   - region before unit: an unknown unit with the court's stated region is the Kecheng bureau's alone, which
 *     sees the complaint, its attachment (retrieval evidence) and every deadline already running; Qujiang can
 *     neither see, claim nor assign it (403), and Kecheng cannot give it to a Qujiang unit (422) [S 二(一)];
 *   - a case whose region nothing names is seen by every candidate bureau until one claims it;
 *   - assignment re-plans every open obligation under the region's policy for the unit, in the same write;
 *   - the routing window (2 days; P 第十条 3 days) is reminded and escalated to the government office by the
 *     sweep, and counted in the on-time routing rate;
 *   - a region a court serves from a date changes routing from that date only, and a liaison's figures for a
 *     period count only the regions its court served then [Q 一(一)].
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { attachmentEntry, demoManifest, multipartRequest, signManifest, type FileInput } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { registerChannel } from '../src/services/notifications.js';
import { demoDirectoryData } from '../src/domain/routing/index.js';
import { sweep } from '../src/jobs/sweep.js';
import type { Manifest } from '../schemas/api/manifest.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let longyou: CourtPki;
let courtX: CourtPki;
let server: Server;
let base = '';
const received: { path: string; title: string }[] = [];
const pdf: FileInput = { id: 'a1', filename: '起诉状.pdf', mediaType: 'application/pdf', bytes: Uint8Array.from({ length: 3000 }, (_, i) => (i * 11) & 0xff) };
const UNKNOWN = '某某管理办公室';

type QueueItem = {
  id: string;
  caseId: string;
  documentId: string;
  regionCode: string | null;
  candidateRegions: string[];
  dueOn: string | null;
  overdue: boolean;
  reason: string;
};
type Obligation = {
  id: string;
  caseId: string;
  kind: string;
  ruleId: string;
  regionCode: string | null;
  unitId: string | null;
  dueOn: string;
  status: string;
  party: string;
};

/** A fresh token (they expire with the fixed clock). */
const as = async (role: 'justice_bureau' | 'court' | 'liaison' | 'unit', scope: string) => (await clientToken(gw, role, scope)).headers;
const get = async (path: string, headers: Record<string, string>) => gw.app.request(`http://gw${path}`, { headers });
const post = async (path: string, headers: Record<string, string>, body: unknown) =>
  gw.app.request(`http://gw${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

let n = 0;
/** A complaint copy from a court (Longyou unless told), with one PDF attachment. */
async function complain(o: { caseNumber: string; defendant: { name: string; regionCode?: string }; court?: { pki: CourtPki; code: string; name: string } }) {
  const court = o.court ?? { pki: longyou, code: 'court-longyou', name: '浙江省龙游县人民法院' };
  const m: Manifest = demoManifest({
    messageId: `rw-${++n}`,
    senderCode: court.code,
    issuedAt: gw.clock.now(),
    caseNumber: o.caseNumber,
    attachments: [await attachmentEntry(pdf, false)],
  });
  const c = m.documents[0]!.case!;
  c.court = { code: court.code, name: court.name };
  c.defendants = [o.defendant];
  c.challengedAct.actingUnits = [{ name: o.defendant.name }];
  const res = await gw.app.request(multipartRequest('http://gw/v1/deliveries', await signManifest(m, court.pki.signer), [pdf]));
  expect(res.status, await res.clone().text()).toBe(201);
  const r = (await res.json()) as { receipt: { documents: { id: string; routing: { status: string; regionCode: string | null; caseId: string } }[] } };
  return r.receipt.documents[0]!;
}

const queueOf = async (region: string) => (await json<{ items: QueueItem[] }>(get('/v1/queue', await as('justice_bureau', region)))).items;
const obligationsOf = async (region: string, caseId: string) =>
  (await json<{ items: Obligation[] }>(get(`/v1/obligations?case=${caseId}`, await as('justice_bureau', region)))).items;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', title: String((JSON.parse(body) as { title?: string }).title ?? '') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  gw = await testGateway({ clock: new FixedClock(T0) }); // Monday 2026-11-23 10:00 Beijing
  longyou = await makeCourtPki('龙游县人民法院');
  courtX = await makeCourtPki('某某人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: longyou.ca.certPem });
  await registerSender(gw.deps, { code: 'court-x', type: 'court', name: '某某人民法院', caPem: courtX.ca.certPem });
  // The demo directory, and a court serving Kecheng alone (Qujiang is announced later, in a test).
  const data = demoDirectoryData();
  await saveDirectory(
    gw.deps,
    {
      ...data,
      courts: [...data.courts, { code: 'court-x', name: '某某人民法院', kind: 'court', servedRegions: [{ regionCode: '330802', from: '2000-01-01' }] }],
    },
    'test',
    'demo + court-x',
  );
  for (const unitId of ['kc-sfj', 'kc-gov-office', 'qj-sfj'])
    await registerChannel(gw.deps, { unitId, kind: 'webhook', url: `${base}/${unitId}`, secret: 'webhook-secret-0123456789' }, 'test');
});
afterAll(async () => {
  await gw.close();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('an unknown unit with the court’s stated region (R9 S 二(一), region before unit)', () => {
  let doc: Awaited<ReturnType<typeof complain>>;
  let item: QueueItem;

  beforeAll(async () => {
    doc = await complain({ caseNumber: '(2026)浙0825行初1701号', defendant: { name: UNKNOWN, regionCode: '330802' } });
  });

  it('is queued for Kecheng alone, with its routing window of two days', async () => {
    expect(doc.routing).toMatchObject({ status: 'queued', regionCode: '330802' });
    item = (await queueOf('330802')).find((i) => i.documentId === doc.id)!;
    expect(item).toMatchObject({ regionCode: '330802', candidateRegions: ['330802'], reason: 'unknown_unit', dueOn: '2026-11-25', overdue: false });
    expect((await queueOf('330803')).map((i) => i.documentId)).not.toContain(doc.id);
  });

  it('is a filing of the Kecheng bureau: the body, the attachment (with retrieval evidence) and every deadline already running', async () => {
    const kc = await as('justice_bureau', '330802');
    expect((await json<{ items: { id: string }[] }>(get('/v1/filings', kc))).items.map((i) => i.id)).toContain(doc.id);
    const f = await json<{ case: { caseNumber: string }; attachments: { href: string; sha256: string }[]; obligations: Obligation[] }>(
      get(`/v1/filings/${doc.id}`, kc),
    );
    expect(f.case.caseNumber).toBe('(2026)浙0825行初1701号');
    expect(f.obligations.find((o) => o.kind === 'answer_and_evidence')).toMatchObject({ dueOn: '2026-12-08', regionCode: '330802', unitId: null });
    expect(f.obligations.find((o) => o.kind === 'unit_determination')).toMatchObject({ dueOn: '2026-11-25', party: 'justice_bureau', status: 'open' });
    const att = await get(f.attachments[0]!.href, kc);
    expect(att.status).toBe(200);
    expect(new Uint8Array(await att.arrayBuffer())).toEqual(pdf.bytes);
    const ev = await json<{ items: { type: string; documentId: string; payload: { retrievedBy: { regionCode?: string } } }[] }>(
      get('/v1/evidence', await as('court', 'court-longyou')),
    );
    expect(ev.items.filter((e) => e.type === 'retrieval' && e.documentId === doc.id).map((e) => e.payload.retrievedBy.regionCode)).toEqual(['330802']);
    // GET /v1/obligations: the answer already running, region set, unit empty (the bureau answers for it).
    const obs = await obligationsOf('330802', doc.routing.caseId);
    expect(obs.find((o) => o.kind === 'answer_and_evidence')).toMatchObject({ regionCode: '330802', unitId: null, status: 'open' });
  });

  it('Qujiang’s bureau can neither see, claim nor assign it (403), and the case does not move', async () => {
    const qj = await as('justice_bureau', '330803');
    expect((await get(`/v1/filings/${doc.id}`, qj)).status).toBe(404);
    expect((await get(`/v1/cases/${doc.routing.caseId}`, qj)).status).toBe(404);
    expect(await obligationsOf('330803', doc.routing.caseId)).toEqual([]);
    const assign = await post(`/v1/queue/${item.id}/assign`, qj, { assignments: [{ unitId: 'qj-zrzy', role: 'lead' }], reason: '试图跨区分办' });
    expect(assign.status).toBe(403);
    expect(assign.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await assign.json())).not.toContain(doc.routing.caseId);
    expect((await post(`/v1/queue/${item.id}/claim`, qj, { reason: '试图认领' })).status).toBe(403);
    const c = await json<{ routingStatus: string; regionCode: string }>(get(`/v1/cases/${doc.routing.caseId}`, await as('justice_bureau', '330802')));
    expect(c).toMatchObject({ routingStatus: 'queued', regionCode: '330802' });
  });

  it('Kecheng cannot give it to a Qujiang unit (422), and assigning a Kecheng unit re-plans the obligations for it, in the same write', async () => {
    const kc = await as('justice_bureau', '330802');
    const wrong = await post(`/v1/queue/${item.id}/assign`, kc, { assignments: [{ unitId: 'qj-zrzy', role: 'lead' }], reason: '误选衢江单位' });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { detail: string }).detail).toContain('330802');
    expect((await obligationsOf('330802', doc.routing.caseId)).find((o) => o.kind === 'answer_and_evidence')!.unitId).toBeNull();

    const ok = await post(`/v1/queue/${item.id}/assign`, kc, {
      assignments: [{ unitId: 'kc-zrzy', role: 'lead' }],
      reason: '某某管理办公室系自然资源分局内设机构',
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const obs = await obligationsOf('330802', doc.routing.caseId);
    expect(obs.find((o) => o.kind === 'answer_and_evidence')).toMatchObject({ unitId: 'kc-zrzy', regionCode: '330802', dueOn: '2026-12-08' });
    expect(obs.find((o) => o.kind === 'unit_determination')).toMatchObject({ status: 'done' });
    // The unit now has the filing and its deadline.
    const unit = await as('unit', 'kc-zrzy');
    expect((await json<{ items: Obligation[] }>(get('/v1/obligations', unit))).items.map((o) => o.caseId)).toContain(doc.routing.caseId);
  });
});

describe('a case whose region nothing names (candidate regions, Q 一(一))', () => {
  let doc: Awaited<ReturnType<typeof complain>>;

  beforeAll(async () => {
    // Kecheng runs Putian's profile here: re-planning on claim and assignment must bring its rules in.
    const res = await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ presetId: 'putian-chengxiang' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    gw.clock.set(new Date(T0.getTime() + 60_000));
    doc = await complain({ caseNumber: '(2026)浙0825行初1702号', defendant: { name: UNKNOWN } });
  });

  it('is seen by each candidate bureau, filing and deadlines, until one claims it; then by that one alone', async () => {
    expect(doc.routing).toMatchObject({ status: 'queued', regionCode: null });
    for (const region of ['330802', '330803']) {
      const item = (await queueOf(region)).find((i) => i.documentId === doc.id);
      expect(item, region).toMatchObject({ regionCode: null, candidateRegions: ['330802', '330803', '330825'], dueOn: '2026-11-25' });
      expect((await get(`/v1/filings/${doc.id}`, await as('justice_bureau', region))).status, region).toBe(200);
      expect(
        (await obligationsOf(region, doc.routing.caseId)).map((o) => o.kind),
        region,
      ).toContain('answer_and_evidence');
    }
    const item = (await queueOf('330802')).find((i) => i.documentId === doc.id)!;
    const claim = await post(`/v1/queue/${item.id}/claim`, await as('justice_bureau', '330802'), { reason: '经核实系柯城区单位' });
    expect(claim.status, await claim.clone().text()).toBe(200);
    expect((await queueOf('330803')).map((i) => i.documentId)).not.toContain(doc.id);
    expect((await get(`/v1/filings/${doc.id}`, await as('justice_bureau', '330803'))).status).toBe(404);
    expect(await obligationsOf('330803', doc.routing.caseId)).toEqual([]);
    // Claimed: the case's deadlines now run in Kecheng (unit still empty); P 第十条's 3 days govern only cases
    // against the district government, so the default two-day window stays.
    const obs = await obligationsOf('330802', doc.routing.caseId);
    expect(obs.find((o) => o.ruleId === 'routing-window')).toMatchObject({
      dueOn: '2026-11-25',
      regionCode: '330802',
      party: 'justice_bureau',
      status: 'open',
    });
    expect(obs.find((o) => o.ruleId === 'unit-determination')).toBeUndefined();
    expect((await queueOf('330802')).find((i) => i.documentId === doc.id)).toMatchObject({ regionCode: '330802', dueOn: '2026-11-25' });
  });

  it('assignment re-plans every open obligation under the region’s policy for the unit (P 第十一条 defence draft 5 days before the answer)', async () => {
    const item = (await queueOf('330802')).find((i) => i.documentId === doc.id)!;
    const res = await post(`/v1/queue/${item.id}/assign`, await as('justice_bureau', '330802'), {
      assignments: [{ unitId: 'kc-zjj', role: 'lead' }],
      reason: '涉案行为系住建局作出',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const obs = await obligationsOf('330802', doc.routing.caseId);
    expect(obs.find((o) => o.kind === 'answer_and_evidence')).toMatchObject({ unitId: 'kc-zjj', regionCode: '330802', dueOn: '2026-12-08' });
    expect(obs.find((o) => o.kind === 'defence_draft')).toMatchObject({ unitId: 'kc-zjj', regionCode: '330802', dueOn: '2026-12-03', status: 'open' });
    expect(obs.find((o) => o.ruleId === 'routing-window')).toMatchObject({ status: 'done' });
  });
});

describe('P 第十条: under Putian’s profile, a case against the district government is routed within 3 days (阅办单)', () => {
  it('queues with the region’s own 3 days, and no second window', async () => {
    const res = await gw.app.request('http://gw/v1/admin/regions/330803/policy', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ presetId: 'putian-chengxiang' }),
    });
    expect(res.status).toBe(200);
    gw.clock.set(new Date(T0.getTime() + 90_000));
    // The district government itself made the act: the department in charge is designated by the bureau (R9).
    const doc = await complain({ caseNumber: '(2026)浙0825行初1710号', defendant: { name: '衢州市衢江区人民政府', regionCode: '330803' } });
    expect((await queueOf('330803')).find((i) => i.documentId === doc.id)).toMatchObject({ regionCode: '330803', dueOn: '2026-11-26' });
    const obs = await obligationsOf('330803', doc.routing.caseId);
    expect(obs.filter((o) => o.kind === 'unit_determination').map((o) => [o.ruleId, o.dueOn])).toEqual([['unit-determination', '2026-11-26']]);
    await gw.app.request('http://gw/v1/admin/regions/330803/policy', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ presetId: 'quzhou-kecheng' }),
    });
  });
});

describe('the routing window is reminded and escalated by the sweep', () => {
  let doc: Awaited<ReturnType<typeof complain>>;

  beforeAll(async () => {
    await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ presetId: 'quzhou-kecheng' }),
    });
    gw.clock.set(new Date(T0.getTime() + 120_000));
    doc = await complain({ caseNumber: '(2026)浙0825行初1703号', defendant: { name: `衢州市柯城区${UNKNOWN}` } }); // region from the name's prefix
  });

  it('reminds the bureau the day before, escalates to the government office when missed; the late assignment counts as late', async () => {
    expect(doc.routing).toMatchObject({ status: 'queued', regionCode: '330802' });
    received.length = 0;
    gw.clock.set(new Date('2026-11-24T01:30:00Z')); // 09:30 Beijing, the day before the window ends
    await sweep(gw.deps, gw.clock.now());
    expect(received.filter((r) => r.path === '/kc-sfj' && r.title.includes('【提醒】确定承办单位'))).toHaveLength(1);
    expect(received.filter((r) => r.path === '/kc-gov-office')).toHaveLength(0);
    expect(received.filter((r) => r.path === '/qj-sfj')).toHaveLength(0);

    gw.clock.set(new Date('2026-11-26T01:30:00Z')); // the window ended on 11-25
    await sweep(gw.deps, gw.clock.now());
    expect(received.filter((r) => r.path === '/kc-gov-office' && r.title.includes('【逾期通知】确定承办单位'))).toHaveLength(1);
    expect(received.filter((r) => r.path === '/kc-sfj' && r.title.includes('【逾期通知】确定承办单位'))).toHaveLength(1);
    await sweep(gw.deps, gw.clock.now()); // once only
    expect(received.filter((r) => r.path === '/kc-gov-office')).toHaveLength(1);
    const item = (await queueOf('330802')).find((i) => i.documentId === doc.id)!;
    expect(item).toMatchObject({ dueOn: '2026-11-25', overdue: true });

    const kc = await as('justice_bureau', '330802');
    expect((await post(`/v1/queue/${item.id}/assign`, kc, { assignments: [{ unitId: 'kc-scjg', role: 'lead' }], reason: '逾期后确定' })).status).toBe(200);
    expect((await obligationsOf('330802', doc.routing.caseId)).find((o) => o.ruleId === 'routing-window')).toMatchObject({ status: 'remedied' });

    // The on-time routing rate for November in Kecheng: the two routed in time, this one late.
    const stats = await json<{ figures: { id: string; numerator: number; denominator: number }[] }>(get('/v1/statistics?period=2026-11', kc));
    expect(stats.figures.find((f) => f.id === 'on_time_routing')).toMatchObject({ numerator: 2, denominator: 3 });
  });
});

describe('jurisdiction over time (Q 一(一))', () => {
  it('a region a court serves from a date changes routing from that date only', async () => {
    const res = await post('/v1/admin/directory/bodies/court-x/served-regions', adminHeaders(), { regionCode: '330803', from: '2026-12-01' });
    expect(res.status, await res.clone().text()).toBe(200);
    const court = { pki: courtX, code: 'court-x', name: '某某人民法院' };
    gw.clock.set(new Date('2026-11-30T02:00:00Z'));
    const before = await complain({ caseNumber: '(2026)X行初1号', defendant: { name: UNKNOWN }, court });
    expect(before.routing).toMatchObject({ status: 'queued', regionCode: '330802' });
    gw.clock.set(new Date('2026-12-01T02:00:00Z'));
    const after = await complain({ caseNumber: '(2026)X行初2号', defendant: { name: UNKNOWN }, court });
    expect(after.routing).toMatchObject({ status: 'queued', regionCode: null });
    expect((await queueOf('330803')).find((i) => i.documentId === after.id)).toMatchObject({ candidateRegions: ['330802', '330803'] });
    expect((await queueOf('330803')).map((i) => i.documentId)).not.toContain(before.id);
  });

  it('the liaison’s figures for an earlier period count only the regions the court served then', async () => {
    const liaison = await as('liaison', 'court-x');
    const nov = await json<{ regions: { code: string }[] }>(get('/v1/statistics?period=2026-11', liaison));
    expect(nov.regions.map((r) => r.code)).toEqual(['330802']);
    expect((await get('/v1/statistics?period=2026-11&region=330803', liaison)).status).toBe(403);
    const dec = await json<{ regions: { code: string }[] }>(get('/v1/statistics?period=2026-12', liaison));
    expect(dec.regions.map((r) => r.code)).toEqual(['330802', '330803']);
  });
});
