/**
 * Shared statistics (issue 9; docs/domain.md §7): each figure on hand-built cases pushed through the API, the answer
 * worked out here; drill-down; access for the liaison, the court and the government side; a meeting pack
 * verified with the JWKS alone and compared after one case changes; the ledger opened back with exceljs.
 *
 * The world (Longyou court serves 柯城 330802 and 衢江 330803 [Q 一(一)]; default policy: national rules):
 *   2026-11-23  complaint copies: A B E F (柯城 自然资源分局, 自然资源), C D (柯城 住建局, 住房城乡建设),
 *               G (衢江 住建局); appeal H = second instance of A (R10 → 自然资源分局). Answers due 12-08.
 *   12-01       A and H answer on time; 12-10 B answers late; C D E F G never answer.
 *   hearings    A 12-01 principal appeared; A 12-10 head absent, staff there; B 12-02 deputy appeared;
 *               E 12-03 nobody for the agency.
 *   12-15       A judgment loss revoke; B judgment win; C ruling withdrawal; D mediation; E judgment loss
 *               confirm_illegal; H judgment win (second instance); G judgment loss change.
 *   12-29       figures for 2026-Q4 (today 12-29: the answers due 12-08 have passed); pack 1.
 *   12-30       F judgment loss revoke; pack 2; compare.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import { canonicalJson, sha256HexSync } from '../src/lib/encoding.js';
import { computeFigures, parsePeriod, type Facts } from '../src/domain/statistics/index.js';
import type { Manifest } from '../schemas/api/manifest.js';

type Fig = {
  id: string;
  numerator: number;
  denominator: number | null;
  rate: number | null;
  variant?: string;
  definition: { numerator: { zh: string }; source: string };
  byUnit?: { unitId: string | null; numerator: number; denominator: number | null }[];
};
type Overview = { regions: { code: string }[]; figures: Fig[]; byRegion: { regionCode: string; figures: Fig[] }[] };

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let n = 0;
const ids: Record<string, string> = {};
const numbers: Record<string, string> = {};
let who: Record<'jbKc' | 'jbQj' | 'officeKc' | 'unitZrzy' | 'unitZjj' | 'liaison' | 'liaisonKc' | 'court' | 'procuratorate', Record<string, string>>;

const creds: Record<string, { clientId: string; clientSecret: string }> = {};
/** Move the clock (Beijing wall time) and take fresh access tokens (they expire with the clock). */
async function at(beijing: string) {
  gw.clock.set(new Date(`${beijing}+08:00`));
  for (const [k, c] of Object.entries(creds)) {
    const res = await gw.app.request('http://gw/v1/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }).toString(),
    });
    (who as Record<string, Record<string, string>>)[k] = {
      authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}`,
      'content-type': 'application/json',
    };
  }
}
const KC_ZRZY = '衢州市自然资源和规划局柯城分局';
const KC_ZJJ = '衢州市柯城区住房和城乡建设局';
const QJ_ZJJ = '衢州市衢江区住房和城乡建设局';

async function push(
  key: string,
  type: Manifest['documents'][number]['type'],
  opts: {
    defendant?: string;
    region?: string;
    domain?: string;
    instance?: 'second';
    prior?: string;
    outcome?: NonNullable<Manifest['documents'][number]['outcome']>;
  } = {},
) {
  numbers[key] ??= `(2026)浙0825行${opts.instance === 'second' ? '终' : '初'}${700 + ++n}号`;
  const m = demoManifest({
    messageId: `st-${++n}`,
    senderCode: 'court-longyou',
    issuedAt: gw.clock.now(),
    type,
    caseNumber: numbers[key],
    defendant: opts.defendant ?? KC_ZRZY,
    regionCode: opts.region ?? '330802',
  });
  const d = m.documents[0]!;
  if (opts.domain) d.case!.challengedAct.domain = opts.domain;
  if (opts.instance) d.case!.instance = opts.instance;
  if (opts.prior) d.case!.priorCaseNumbers = [numbers[opts.prior]!];
  if (opts.outcome) d.outcome = opts.outcome;
  else delete d.outcome;
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status, await res.clone().text()).toBe(201);
  const caseId = ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
  ids[key] = caseId;
  return caseId;
}
const step = async (headers: Record<string, string>, key: string, kind: string, body: unknown) => {
  const res = await gw.app.request(`http://gw/v1/cases/${ids[key]}/steps/${kind}`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
};
const get = async (path: string, headers: Record<string, string> = who.jbKc) => gw.app.request(`http://gw${path}`, { headers });
const getJson = async <T>(path: string, headers: Record<string, string> = who.jbKc): Promise<T> => {
  const res = await get(path, headers);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
};
const fig = (o: { figures: Fig[] }, id: string) => o.figures.find((f) => f.id === id)!;
const nd = (f: Fig) => [f.numerator, f.denominator, f.rate];

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const clients = {
    jbKc: ['justice_bureau', '330802', '柯城区司法局'],
    jbQj: ['justice_bureau', '330803', '衢江区司法局'],
    officeKc: ['government_office', '330802', '柯城区政府办'],
    unitZrzy: ['unit', 'kc-zrzy', '自然资源分局'],
    unitZjj: ['unit', 'kc-zjj', '柯城住建局'],
    liaison: ['liaison', 'court-longyou', '龙游法院联络员'],
    liaisonKc: ['liaison', 'court-kecheng', '柯城法院联络员'],
    court: ['court', 'court-longyou', '龙游法院电子送达'],
    procuratorate: ['procuratorate', 'proc-kecheng', '柯城区检察院'],
  } as const;
  who = {} as typeof who;
  for (const [k, [role, scope, name]] of Object.entries(clients)) {
    const t = await clientToken(gw, role, scope, name);
    creds[k] = { clientId: t.clientId, clientSecret: t.clientSecret };
    (who as Record<string, Record<string, string>>)[k] = t.headers;
  }

  await at('2026-11-23T10:00:00');
  for (const k of ['A', 'B', 'E', 'F']) await push(k, 'complaint_copy');
  for (const k of ['C', 'D']) await push(k, 'complaint_copy', { defendant: KC_ZJJ, domain: '住房城乡建设' });
  await push('G', 'complaint_copy', { defendant: QJ_ZJJ, region: '330803', domain: '住房城乡建设' });
  await push('H', 'appeal', { instance: 'second', prior: 'A' });

  await at('2026-12-01T15:00:00');
  await step(who.unitZrzy, 'A', 'answer_filed', { filedOn: '2026-12-01' });
  await step(who.unitZrzy, 'H', 'answer_filed', { filedOn: '2026-12-01' });
  await at('2026-12-10T15:00:00');
  await step(who.unitZrzy, 'B', 'answer_filed', { filedOn: '2026-12-10' });
  await at('2026-12-11T09:00:00');
  await step(who.unitZrzy, 'A', 'hearing_held', {
    heldOn: '2026-12-01',
    headAppeared: true,
    headName: '王局长',
    principal: true,
    spoke: true,
    agents: [{ name: '张科长', kind: 'staff' }],
  });
  await step(who.unitZrzy, 'A', 'hearing_held', { heldOn: '2026-12-10', headAppeared: false, spoke: false, agents: [{ name: '张科长', kind: 'staff' }] });
  await step(who.unitZrzy, 'B', 'hearing_held', { heldOn: '2026-12-02', headAppeared: true, headName: '李副局长', principal: false, spoke: true, agents: [] });
  await step(who.unitZrzy, 'E', 'hearing_held', { heldOn: '2026-12-03', headAppeared: false, spoke: false, agents: [] });

  await at('2026-12-15T10:00:00');
  await push('A', 'judgment', { outcome: { result: 'loss', lossKind: 'revoke', effectiveOn: '2026-12-31' } });
  await push('B', 'judgment', { outcome: { result: 'win' } });
  await push('C', 'ruling', { defendant: KC_ZJJ, domain: '住房城乡建设', outcome: { result: 'withdrawal' } });
  await push('D', 'mediation', { defendant: KC_ZJJ, domain: '住房城乡建设', outcome: { result: 'mediation' } });
  await push('E', 'judgment', { outcome: { result: 'loss', lossKind: 'confirm_illegal' } });
  await push('H', 'judgment', { instance: 'second', prior: 'A', outcome: { result: 'win' } });
  await push('G', 'judgment', { defendant: QJ_ZJJ, region: '330803', domain: '住房城乡建设', outcome: { result: 'loss', lossKind: 'change' } });
  await at('2026-12-29T10:00:00');
});
afterAll(() => gw.close());

describe('each figure, worked out by hand (柯城 330802, 2026-Q4)', () => {
  let o: Overview;
  beforeAll(async () => {
    o = await getJson<Overview>('/v1/statistics?period=2026-Q4');
  });

  it('a justice bureau sees its own region only', () => {
    expect(o.regions.map((r) => r.code)).toEqual(['330802']);
  });
  it('发案数: first-instance cases received in the period (A–F; H is second instance) [docs/domain.md §7]', () => {
    expect(nd(fig(o, 'new_cases'))).toEqual([6, null, null]);
    expect(fig(o, 'new_cases').byUnit).toEqual(
      expect.arrayContaining([expect.objectContaining({ unitId: 'kc-zrzy', numerator: 4 }), expect.objectContaining({ unitId: 'kc-zjj', numerator: 2 })]),
    );
  });
  it('败诉率: losses A E over judgments on the merits A B E H = 2/4; over all concluded (variant) 2/6', async () => {
    expect(nd(fig(o, 'loss_rate'))).toEqual([2, 4, 0.5]);
    expect(fig(o, 'loss_rate').variant).toBe('merits');
    expect(fig(o, 'loss_rate').definition.source).toMatch(/P 第十六条/);
    const all = await getJson<Overview>('/v1/statistics?period=2026-Q4&variant=loss_rate:all_concluded');
    expect(nd(fig(all, 'loss_rate'))).toEqual([2, 6, 0.3333]);
  });
  it('调撤率: C (withdrawal) and D (mediation) over the six concluded = 2/6', () => {
    expect(nd(fig(o, 'mediation_withdrawal_rate'))).toEqual([2, 6, 0.3333]);
  });
  it('撤改率: A revoked (E only confirmed illegal) = 1/6', () => {
    expect(nd(fig(o, 'revoke_change_rate'))).toEqual([1, 6, 0.1667]);
  });
  it('负责人出庭率: first hearing per instance A1 B E, heads at A1 and B = 2/3; principal only A1 = 1/3; every hearing 2/4 [S 四]', async () => {
    expect(nd(fig(o, 'head_appearance_rate'))).toEqual([2, 3, 0.6667]);
    expect(nd(fig(o, 'principal_appearance_rate'))).toEqual([1, 3, 0.3333]);
    const every = await getJson<Overview>('/v1/statistics?period=2026-Q4&variant=head_appearance_rate:every_hearing');
    expect(nd(fig(every, 'head_appearance_rate'))).toEqual([2, 4, 0.5]);
    expect(fig(every, 'head_appearance_rate').variant).toBe('every_hearing');
  });
  it('答辩按时率: A and H on time of seven answers due (A–F, H) = 2/7', () => {
    expect(nd(fig(o, 'on_time_answer'))).toEqual([2, 7, 0.2857]);
  });
  it('四不 per unit: not answering B E F at 自然资源分局 (of 5), C D at 住建局 (of 2); nobody at E’s hearing', () => {
    const f = fig(o, 'failure_no_answer');
    expect(f.numerator).toBe(5);
    expect(f.byUnit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unitId: 'kc-zrzy', numerator: 3, denominator: 5 }),
        expect.objectContaining({ unitId: 'kc-zjj', numerator: 2, denominator: 2 }),
      ]),
    );
    expect(fig(o, 'failure_no_evidence').numerator).toBe(5);
    expect(nd(fig(o, 'failure_no_appearance'))).toEqual([1, 4, null]);
  });
  it('filters: instance, domain (执法领域), unit; period month', async () => {
    const first = await getJson<Overview>('/v1/statistics?period=2026-Q4&instance=first');
    expect(nd(fig(first, 'loss_rate'))).toEqual([2, 3, 0.6667]);
    const housing = await getJson<Overview>(`/v1/statistics?period=2026-Q4&domain=${encodeURIComponent('住房城乡建设')}`);
    expect(nd(fig(housing, 'new_cases'))).toEqual([2, null, null]);
    expect(nd(fig(housing, 'loss_rate'))).toEqual([0, 0, null]);
    expect(nd(fig(housing, 'mediation_withdrawal_rate'))).toEqual([2, 2, 1]);
    const unit = await getJson<Overview>('/v1/statistics?period=2026-Q4&unit=kc-zrzy');
    expect(nd(fig(unit, 'new_cases'))).toEqual([4, null, null]);
    const october = await getJson<Overview>('/v1/statistics?period=2026-10');
    expect(fig(october, 'new_cases').numerator).toBe(0);
    const range = await getJson<Overview>('/v1/statistics?period=2026-11-23..2026-11-23');
    expect(fig(range, 'new_cases').numerator).toBe(6);
  });
  it('drill-down: the loss rate’s numerator is A and E, with case ids for the bureau', async () => {
    const d = await getJson<{ items: { caseId: string; caseNumber: string; inNumerator: boolean }[] }>(
      '/v1/statistics/figures/loss_rate/cases?period=2026-Q4&part=numerator',
    );
    expect(d.items.map((i) => i.caseNumber).sort()).toEqual([numbers.A, numbers.E].sort());
    expect(d.items.map((i) => i.caseId).sort()).toEqual([ids.A, ids.E].sort());
    expect((await get('/v1/statistics/figures/nonsense/cases?period=2026')).status).toBe(404);
    expect((await get('/v1/statistics?period=2026-Q5')).status).toBe(400);
    expect((await get('/v1/statistics?period=2026&variant=loss_rate:sometimes')).status).toBe(400);
  });
});

describe('who sees what', () => {
  it('a liaison sees every region its court serves, side by side, and case numbers only', async () => {
    const o = await getJson<Overview>('/v1/statistics?period=2026-Q4', who.liaison);
    expect(o.regions.map((r) => r.code)).toEqual(['330802', '330803', '330825']);
    expect(
      nd(
        fig(
          o.byRegion.find((r) => r.regionCode === '330803')!,
          'revoke_change_rate',
        ),
      ),
    ).toEqual([1, 1, 1]);
    expect(nd(fig(o, 'loss_rate'))).toEqual([3, 5, 0.6]); // 柯城 2/4 + 衢江 1/1
    const d = await getJson<{ items: Record<string, unknown>[] }>('/v1/statistics/figures/loss_rate/cases?period=2026-Q4&part=numerator', who.liaison);
    expect(d.items.map((i) => i.caseNumber).sort()).toEqual([numbers.A, numbers.E, numbers.G].sort());
    for (const i of d.items) expect(Object.keys(i).sort()).toEqual(['caseNumber', 'inNumerator', 'regionCode']);
  });
  it('a liaison gets no document bodies, no cases, no obligations, no ledger', async () => {
    expect((await get('/v1/filings', who.liaison)).status).toBe(403);
    expect([403, 404]).toContain((await get(`/v1/cases/${ids.A}`, who.liaison)).status);
    expect((await get('/v1/obligations', who.liaison)).status).toBe(403);
    expect((await get('/v1/statistics/ledger?region=330802&month=2026-12', who.liaison)).status).toBe(403);
  });
  it('a liaison of a court serving no region today sees nothing; none outside its court’s regions', async () => {
    expect((await get('/v1/statistics?period=2026', who.liaisonKc)).status).toBe(403);
    expect((await get('/v1/statistics?period=2026&region=110101', who.liaison)).status).toBe(403);
  });
  it('a court client sees the figures of the regions it serves, like its liaison', async () => {
    const o = await getJson<Overview>('/v1/statistics?period=2026-Q4&region=330803', who.court);
    expect(nd(fig(o, 'loss_rate'))).toEqual([1, 1, 1]);
  });
  it('a justice bureau or government office only its region; a unit only itself; a procuratorate nothing', async () => {
    expect((await get('/v1/statistics?period=2026&region=330802', who.jbQj)).status).toBe(403);
    const qj = await getJson<Overview>('/v1/statistics?period=2026-Q4', who.jbQj);
    expect(qj.regions.map((r) => r.code)).toEqual(['330803']);
    expect(fig(await getJson<Overview>('/v1/statistics?period=2026-Q4', who.officeKc), 'new_cases').numerator).toBe(6);
    const zjj = await getJson<Overview>('/v1/statistics?period=2026-Q4', who.unitZjj);
    expect(nd(fig(zjj, 'new_cases'))).toEqual([2, null, null]);
    expect((await get('/v1/statistics?period=2026&unit=kc-zrzy', who.unitZjj)).status).toBe(403);
    expect((await get('/v1/statistics?period=2026', who.procuratorate)).status).toBe(403);
    expect((await gw.app.request('http://gw/v1/statistics?period=2026')).status).toBe(401);
  });
});

describe('meeting packs', () => {
  let first: {
    id: string;
    jws: string;
    contentDigest: string;
    content: { figures: { id: string; numerator: number; items: { caseId: string; digest: string }[] }[] };
  };
  let second: typeof first;

  it('freezes figures, definitions and the cases behind each; signed, verifiable with the JWKS alone; audited', async () => {
    const res = await gw.app.request('http://gw/v1/statistics/packs', {
      method: 'POST',
      headers: who.jbKc,
      body: JSON.stringify({ meetingDate: '2026-12-30', period: '2026-Q4', agendaNotes: '第四季度府院联席会议' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    first = (await res.json()) as typeof first;
    const jwks = (await (await gw.app.request('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    const v = await verifyWithJwks(first.jws, jwks);
    expect(v.typ).toBe('fuyuan-meeting-pack+jws');
    expect(v.payload).toEqual(first.content);
    expect(sha256HexSync(canonicalJson(v.payload))).toBe(first.contentDigest);
    const loss = first.content.figures.find((f) => f.id === 'loss_rate')!;
    expect(loss.items.map((i) => i.caseId).sort()).toEqual([ids.A, ids.B, ids.E, ids.H].sort());
    expect((v.payload as { definitions: { id: string }[] }).definitions.map((d) => d.id)).toContain('loss_rate');
    const audit = await gw.deps.db.orm.query.auditLog.findMany({ where: (a, { eq }) => eq(a.action, 'meeting_pack.created') });
    expect(audit.map((a) => a.subject)).toEqual([`meeting_pack:${first.id}`]);
    // The court's liaison reads the same pack as its drill-down would show it (case number and region only, no
    // ids), signed by the gateway over that view and naming the pack's digest; a bureau of another region does not.
    const asCourt = await getJson<{
      jws: string;
      contentDigest: string;
      content: { figures: { id: string; items: Record<string, unknown>[] }[]; viewOf: unknown };
    }>(`/v1/statistics/packs/${first.id}`, who.liaison);
    expect(asCourt.jws).not.toBe(first.jws);
    const seen = await verifyWithJwks(asCourt.jws, jwks);
    expect(seen.typ).toBe('fuyuan-meeting-pack-view+jws');
    expect(seen.payload).toEqual(asCourt.content);
    expect(asCourt.content.viewOf).toEqual({ packId: first.id, contentDigest: first.contentDigest, reader: 'liaison' });
    const courtLoss = asCourt.content.figures.find((f) => f.id === 'loss_rate')!;
    expect(courtLoss.items.map((i) => i.caseNumber).sort()).toEqual([numbers.A, numbers.B, numbers.E, numbers.H].sort());
    for (const i of courtLoss.items) expect(Object.keys(i).sort()).toEqual(['caseNumber', 'inNumerator', 'regionCode']);
    for (const id of [ids.A, ids.B, ids.E, ids.H]) expect(JSON.stringify(seen.payload)).not.toContain(id!); // no case id, in the view or its signature
    expect((await get(`/v1/statistics/packs/${first.id}`, who.jbQj)).status).toBe(404);
  });

  it('changes when one case changes: F lost on 12-30 shows in the comparison', async () => {
    await at('2026-12-30T10:00:00');
    await push('F', 'judgment', { outcome: { result: 'loss', lossKind: 'revoke' } });
    const res = await gw.app.request('http://gw/v1/statistics/packs', {
      method: 'POST',
      headers: who.jbKc,
      body: JSON.stringify({ meetingDate: '2026-12-31', period: '2026-Q4' }),
    });
    second = (await res.json()) as typeof first;
    expect(second.contentDigest).not.toBe(first.contentDigest);
    type Cmp = {
      figures: {
        id: string;
        delta: { numerator: number; denominator: number | null; rate: number | null };
        added: { caseNumber: string }[];
        removed: unknown[];
        changed: { caseNumber: string }[];
      }[];
    };
    const cmp = await getJson<Cmp>(`/v1/statistics/packs/${second.id}/compare/${first.id}`);
    const by = (id: string) => cmp.figures.find((f) => f.id === id)!;
    expect(by('loss_rate').delta).toEqual({ numerator: 1, denominator: 1, rate: 0.1 }); // 2/4 → 3/5
    expect(by('loss_rate').added.map((a) => a.caseNumber)).toEqual([numbers.F]);
    expect(by('loss_rate').removed).toEqual([]);
    expect(by('revoke_change_rate').delta).toMatchObject({ numerator: 1, denominator: 1 });
    expect(by('new_cases').delta.numerator).toBe(0);
    expect(by('new_cases').changed.map((c) => c.caseNumber)).toEqual([numbers.F]); // same case, its facts changed
    expect(by('head_appearance_rate').added).toEqual([]);
    const html = await get(`/v1/statistics/packs/${second.id}/print`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const page = await html.text();
    expect(page).toContain('败诉率');
    expect(page).toContain(numbers.F);
    const list = await getJson<{ items: { id: string }[] }>('/v1/statistics/packs');
    expect(list.items.map((i) => i.id)).toEqual([second.id, first.id]);
  });
});

describe('exports', () => {
  it('the November ledger as XLSX, opened back with exceljs: one sheet per kind, Chinese headers', async () => {
    const res = await get('/v1/statistics/ledger?region=330802&month=2026-11&format=xlsx');
    expect(res.status, await res.clone().text()).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['未结案件', '败诉案件', '本月新收案件']);
    const pending = wb.getWorksheet('未结案件')!;
    expect((pending.getRow(2).values as unknown[]).slice(1, 4)).toEqual(['案号', '审级', '收案日期']);
    const col = (ws: ExcelJS.Worksheet) => ws.getColumn(1).values.slice(3).map(String).sort();
    expect(col(pending)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'H'].map((k) => numbers[k]!).sort()); // as of 11-30 nothing is judged
    expect(col(wb.getWorksheet('败诉案件')!)).toEqual([]);
    expect(col(wb.getWorksheet('本月新收案件')!)).toEqual(['A', 'B', 'C', 'D', 'E', 'F'].map((k) => numbers[k]!).sort());
  });
  it('the ledger XLSX has real dates (Excel date cells, yyyy-mm-dd), a filter on the header row and columns wide enough', async () => {
    const res = await get('/v1/statistics/ledger?region=330802&month=2026-11&format=xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as never);
    const ws = wb.getWorksheet('未结案件')!;
    const headers = (ws.getRow(2).values as unknown[]).slice(1) as string[];
    const received = headers.indexOf('收案日期') + 1;
    const json = await getJson<{ sheets: { kind: string; rows: { caseNumber: string; receivedOn: string }[] }[] }>(
      '/v1/statistics/ledger?region=330802&month=2026-11',
    );
    const want = new Map(json.sheets.find((s) => s.kind === 'pending')!.rows.map((r) => [r.caseNumber, r.receivedOn]));
    expect(ws.rowCount).toBe(2 + want.size);
    for (let r = 3; r <= ws.rowCount; r++) {
      const cell = ws.getRow(r).getCell(received);
      expect(cell.type).toBe(ExcelJS.ValueType.Date);
      expect(cell.numFmt).toBe('yyyy-mm-dd');
      expect((cell.value as Date).toISOString().slice(0, 10)).toBe(want.get(String(ws.getRow(r).getCell(1).value)));
    }
    expect(ws.getRow(3).getCell(1).type).toBe(ExcelJS.ValueType.String); // a case number stays text
    expect(ws.autoFilter).toBe(`A2:${String.fromCharCode(64 + headers.length)}${ws.rowCount}`); // as read back: the header row through the last row
    headers.forEach((h, i) => {
      const longest = Math.max(
        ...ws
          .getColumn(i + 1)
          .values.slice(2)
          .map((v) => (v instanceof Date ? 10 : [...String(v ?? '')].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e7f ? 2 : 1), 0))),
      );
      expect(ws.getColumn(i + 1).width, h).toBeGreaterThanOrEqual(Math.min(60, longest));
    });
  });
  it('the December ledger: lost cases roll until settled (P 第十五条(一)); CSV with a BOM', async () => {
    const data = await getJson<{ sheets: { kind: string; rows: { caseNumber: string; lossKind?: string }[] }[] }>(
      '/v1/statistics/ledger?region=330802&month=2026-12',
    );
    const lost = data.sheets.find((s) => s.kind === 'lost')!;
    expect(lost.rows.map((r) => [r.caseNumber, r.lossKind])).toEqual(
      [
        [numbers.A, '撤销'],
        [numbers.E, '确认违法'],
        [numbers.F, '撤销'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!, 'zh')),
    );
    expect(data.sheets.find((s) => s.kind === 'pending')!.rows).toEqual([]);
    const csv = await get('/v1/statistics/ledger?region=330802&month=2026-12&format=csv&sheet=lost');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text.split('\r\n')[0]).toMatch(/^案号,审级,收案日期/);
    expect(text).toContain(numbers.E);
  });
  it('half-year and annual report data as JSON; a month is refused', async () => {
    const r = await getJson<{ kind: string; figures: Fig[]; byDomain: { domain: string }[] }>('/v1/statistics/reports/2026-H2');
    expect(r.kind).toBe('half_year_report');
    expect(fig(r, 'new_cases').numerator).toBe(6);
    expect(r.byDomain.map((d) => d.domain).sort()).toEqual(['住房城乡建设', '自然资源']);
    expect((await getJson<{ kind: string }>('/v1/statistics/reports/2026')).kind).toBe('annual_report');
    expect((await get('/v1/statistics/reports/2026-11')).status).toBe(400);
  });
});

describe('on-time rates: due, passed, waived, remedied (pure, on hand-built facts)', () => {
  const facts: Facts = {
    cases: [
      {
        caseId: 'c1',
        caseNumber: 'N1',
        regionCode: '330802',
        courtCode: 'x',
        instance: 'first',
        createdAt: Date.parse('2026-03-01T02:00:00Z'),
        domain: null,
        unitId: 'u1',
        unitName: '单位一',
        conclusion: null,
      },
    ],
    hearings: [],
    obligations: [
      // S 五(三) report due 03-03: done 03-03 (on time), done 03-05 (late, remedied), open past due, waived, due after today.
      {
        id: 'o1',
        caseId: 'c1',
        kind: 'report_to_justice_bureau',
        dueOn: '2026-03-03',
        status: 'done',
        doneAt: Date.parse('2026-03-03T15:59:00Z'),
        unitId: 'u1',
        regionCode: '330802',
      },
      {
        id: 'o2',
        caseId: 'c1',
        kind: 'report_to_justice_bureau',
        dueOn: '2026-03-03',
        status: 'remedied',
        doneAt: Date.parse('2026-03-05T02:00:00Z'),
        unitId: 'u1',
        regionCode: '330802',
      },
      { id: 'o3', caseId: 'c1', kind: 'report_to_justice_bureau', dueOn: '2026-03-03', status: 'overdue', doneAt: null, unitId: 'u1', regionCode: '330802' },
      {
        id: 'o4',
        caseId: 'c1',
        kind: 'report_to_justice_bureau',
        dueOn: '2026-03-03',
        status: 'waived',
        doneAt: Date.parse('2026-03-02T02:00:00Z'),
        unitId: 'u1',
        regionCode: '330802',
      },
      { id: 'o5', caseId: 'c1', kind: 'report_to_justice_bureau', dueOn: '2026-03-20', status: 'open', doneAt: null, unitId: 'u1', regionCode: '330802' },
      // A stand-alone suggestion reply (no case), done on its due date; a performance missed.
      {
        id: 'o6',
        caseId: null,
        kind: 'suggestion_reply',
        dueOn: '2026-03-10',
        status: 'done',
        doneAt: Date.parse('2026-03-10T09:00:00Z'),
        unitId: 'u2',
        regionCode: '330802',
      },
      { id: 'o7', caseId: 'c1', kind: 'performance', dueOn: '2026-03-10', status: 'overdue', doneAt: null, unitId: 'u1', regionCode: '330802' },
      {
        id: 'o8',
        caseId: 'c1',
        kind: 'loss_analysis_report',
        dueOn: '2026-03-11',
        status: 'done',
        doneAt: Date.parse('2026-03-12T01:00:00Z'),
        unitId: 'u1',
        regionCode: '330802',
      },
    ],
  };
  const figures = computeFigures(facts, { period: parsePeriod('2026-03'), today: '2026-03-15' });
  const f = (id: string) => figures.find((x) => x.id === id)!;

  it('report: o1 on time (03-03 23:59 Beijing) of o1 o2 o3 (o4 waived, o5 not yet due) = 1/3 [S 五(三)]', () => {
    expect([f('on_time_report').numerator, f('on_time_report').denominator]).toEqual([1, 3]);
    expect(f('on_time_report').items.map((i) => i.ref)).toEqual(['o1', 'o2', 'o3']);
  });
  it('a suggestion reply without a case counts in its region; done on the due date is on time [S 五(七)]', () => {
    expect([f('on_time_suggestion_reply').numerator, f('on_time_suggestion_reply').denominator]).toEqual([1, 1]);
  });
  it('loss report done a day late = 0/1; performance missed = one 不履行 for the unit [P 第十五条(三)]', () => {
    expect([f('on_time_loss_report').numerator, f('on_time_loss_report').denominator]).toEqual([0, 1]);
    expect(f('failure_no_performance').byUnit).toEqual([{ unitId: 'u1', unitName: '单位一', numerator: 1, denominator: 1, rate: null }]);
  });
  it('a domain or instance filter leaves out obligations without a case', () => {
    const d = computeFigures(facts, { period: parsePeriod('2026-03'), today: '2026-03-15', filters: { instance: 'first' } });
    expect(d.find((x) => x.id === 'on_time_suggestion_reply')!.denominator).toBe(0);
  });
  it('periods: year, half, quarter, month, range', () => {
    expect(parsePeriod('2026-H2')).toMatchObject({ from: '2026-07-01', to: '2026-12-31' });
    expect(parsePeriod('2024-Q1')).toMatchObject({ from: '2024-01-01', to: '2024-03-31' });
    expect(parsePeriod('2024-02')).toMatchObject({ from: '2024-02-01', to: '2024-02-29' });
    expect(() => parsePeriod('2026-02-30..2026-03-01')).toThrow();
  });
});
