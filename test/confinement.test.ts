/**
 * One test per confinement defect of issue 18: a court wrote into another court's case; stored meeting packs
 * showed more than the same caller's live drill-down; a denial of the routing explanation named the case id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki, type CourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import { cases, obligations } from '../schemas/db/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let longyou: CourtPki;
let kecheng: CourtPki;
let intermediate: CourtPki;
let seq = 0;
const LONGYOU = { code: 'court-longyou', name: '浙江省龙游县人民法院' };
const KECHENG = { code: 'court-kecheng', name: '衢州市柯城区人民法院' };
const INTERMEDIATE = { code: 'court-quzhou-intermediate', name: '浙江省衢州市中级人民法院' };
const ZRZY = '衢州市自然资源和规划局柯城分局'; // kc-zrzy
const ZJJ = '衢州市柯城区住房和城乡建设局'; // kc-zjj

type Receipt = { receipt: { documents: { id: string; routing: { caseId: string; rule: string; units: { unitId: string }[] } }[] } };

async function deliver(
  pki: CourtPki,
  court: typeof LONGYOU,
  opts: Parameters<typeof demoManifest>[0] extends infer O ? Partial<O> & { edit?: (m: ReturnType<typeof demoManifest>) => void } : never,
) {
  const { edit, ...rest } = opts;
  const m = demoManifest({ messageId: `cf-${++seq}`, senderCode: court.code, court, issuedAt: T0, ...rest });
  edit?.(m);
  return gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, pki.signer)));
}

let zrzyCase: { caseId: string; documentId: string; caseNumber: string };
let zjjCase: { caseId: string; caseNumber: string };

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  [longyou, kecheng, intermediate] = await Promise.all([makeCourtPki('龙游县人民法院'), makeCourtPki('柯城区人民法院'), makeCourtPki('衢州市中级人民法院')]);
  await registerSender(gw.deps, { code: LONGYOU.code, type: 'court', name: LONGYOU.name, caPem: longyou.ca.certPem });
  await registerSender(gw.deps, { code: KECHENG.code, type: 'court', name: KECHENG.name, caPem: kecheng.ca.certPem });
  await registerSender(gw.deps, { code: INTERMEDIATE.code, type: 'court', name: INTERMEDIATE.name, caPem: intermediate.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const a = (await (await deliver(longyou, LONGYOU, { caseNumber: '(2026)浙0825行初11号', defendant: ZRZY })).json()) as Receipt;
  zrzyCase = { caseId: a.receipt.documents[0]!.routing.caseId, documentId: a.receipt.documents[0]!.id, caseNumber: '(2026)浙0825行初11号' };
  const b = (await (await deliver(longyou, LONGYOU, { caseNumber: '(2026)浙0825行初12号', defendant: ZJJ })).json()) as Receipt;
  zjjCase = { caseId: b.receipt.documents[0]!.routing.caseId, caseNumber: '(2026)浙0825行初12号' };
});
afterAll(() => gw.close());

describe('case ownership by sender', () => {
  it("a court cannot deliver into another court's case: 403, nothing stored, no obligation started there", async () => {
    const before = await gw.counts();
    const obsBefore = await gw.deps.db.orm.select().from(obligations).where(eq(obligations.caseId, zrzyCase.caseId));
    const res = await deliver(kecheng, KECHENG, { type: 'judgment', caseNumber: zrzyCase.caseNumber, defendant: ZRZY });
    expect(res.status).toBe(403);
    const p = (await res.json()) as { type: string; detail: string };
    expect(p.type).toBe('urn:fuyuan:problem:case-of-another-sender');
    expect(p.detail).toContain(zrzyCase.caseNumber);
    expect(p.detail).not.toContain(zrzyCase.caseId);
    expect(await gw.counts()).toEqual(before);
    expect(await gw.deps.db.orm.select().from(obligations).where(eq(obligations.caseId, zrzyCase.caseId))).toEqual(obsBefore);
    const tl = (await (await gw.app.request(`http://gw/v1/cases/${zrzyCase.caseId}/timeline`, { headers: adminHeaders() })).json()) as { entries: unknown[] };
    expect(JSON.stringify(tl)).not.toContain('court-kecheng');
  });

  it("a court cannot create a case in another court's name (case.court.code is not its own code)", async () => {
    const before = await gw.counts();
    const res = await deliver(kecheng, LONGYOU, { caseNumber: '(2026)浙0825行初13号' });
    // signed by court-kecheng's CA but claiming to be court-longyou: the certificate is not trusted for it
    expect(res.status).toBe(403);
    const res2 = await deliver(kecheng, KECHENG, { caseNumber: '(2026)浙0825行初13号', edit: (m) => (m.documents[0]!.case!.court = LONGYOU) });
    expect(res2.status).toBe(403);
    expect(((await res2.json()) as { type: string }).type).toBe('urn:fuyuan:problem:case-of-another-sender');
    expect(await gw.counts()).toEqual(before);
  });

  it('the owning court still extends its own case (R10 B 第九条)', async () => {
    const res = await deliver(longyou, LONGYOU, { type: 'summons', caseNumber: zrzyCase.caseNumber, defendant: ZRZY });
    expect(res.status).toBe(201);
    const r = (await res.json()) as Receipt;
    expect(r.receipt.documents[0]!.routing).toMatchObject({ caseId: zrzyCase.caseId, rule: 'R10' });
  });

  it('an appeal heard by the higher court is a case of its own, linked by 原审案号 and court (R10 B 第九条)', async () => {
    const res = await deliver(intermediate, INTERMEDIATE, {
      type: 'appeal',
      caseNumber: '(2027)浙08行终1号',
      defendant: ZRZY,
      edit: (m) => Object.assign(m.documents[0]!.case!, { instance: 'second', priorCaseNumbers: [zrzyCase.caseNumber], priorCourtCode: LONGYOU.code }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const routing = ((await res.json()) as Receipt).receipt.documents[0]!.routing;
    expect(routing.caseId).not.toBe(zrzyCase.caseId);
    expect(routing.rule).toBe('R10');
    expect(routing.units.map((u) => u.unitId)).toEqual(['kc-zrzy']);
    const [row] = await gw.deps.db.orm.select().from(cases).where(eq(cases.id, routing.caseId));
    expect(row).toMatchObject({ parentCaseId: zrzyCase.caseId, senderCode: INTERMEDIATE.code, courtCode: INTERMEDIATE.code, instance: 'second' });
  });

  it("a link to another court's case without its court, or with the wrong court, is refused (422)", async () => {
    const before = await gw.counts();
    const appeal = (extra: Record<string, unknown>) =>
      deliver(intermediate, INTERMEDIATE, {
        type: 'appeal',
        caseNumber: `(2027)浙08行终${++seq}号`,
        edit: (m) => Object.assign(m.documents[0]!.case!, { instance: 'second', priorCaseNumbers: [zrzyCase.caseNumber], ...extra }),
      });
    const a = await appeal({});
    expect(a.status).toBe(422);
    expect(((await a.json()) as { detail: string }).detail).toMatch(/priorCourtCode/);
    const b = await appeal({ priorCourtCode: KECHENG.code });
    expect(b.status).toBe(422);
    expect(await gw.counts()).toEqual(before);
  });
});

describe('meeting packs show each reader what its live drill-down shows', () => {
  let pack: { id: string; jws: string; contentDigest: string };
  const itemsOf = (content: { figures: { id: string; items: Record<string, unknown>[] }[] }, fig: string) => content.figures.find((f) => f.id === fig)!.items;

  beforeAll(async () => {
    const jb = (await clientToken(gw, 'justice_bureau', '330802')).headers;
    const res = await gw.app.request('http://gw/v1/statistics/packs', {
      method: 'POST',
      headers: jb,
      body: JSON.stringify({ meetingDate: '2026-12-30', period: '2026-Q4' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    pack = (await res.json()) as typeof pack;
  });

  it("a unit reading its region's pack sees its own items only, as in its drill-down", async () => {
    const unit = (await clientToken(gw, 'unit', 'kc-zrzy')).headers;
    const view = (await (await gw.app.request(`http://gw/v1/statistics/packs/${pack.id}`, { headers: unit })).json()) as {
      jws: string;
      content: { figures: { id: string; items: Record<string, unknown>[] }[]; viewOf: { packId: string } };
    };
    const live = (await (await gw.app.request('http://gw/v1/statistics/figures/new_cases/cases?period=2026-Q4', { headers: unit })).json()) as {
      items: { caseId: string }[];
    };
    const seen = itemsOf(view.content, 'new_cases');
    expect(seen.map((i) => i.caseId).sort()).toEqual(live.items.map((i) => i.caseId).sort());
    expect(JSON.stringify(view)).not.toContain(zjjCase.caseId);
    expect(JSON.stringify(view)).not.toContain(zjjCase.caseNumber);
    expect(view.content.viewOf.packId).toBe(pack.id);
    const jwks = (await (await gw.app.request('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    expect((await verifyWithJwks(view.jws, jwks)).payload).toEqual(view.content);
    const page = await (await gw.app.request(`http://gw/v1/statistics/packs/${pack.id}/print`, { headers: unit })).text();
    expect(page).not.toContain(zjjCase.caseNumber);
  });

  it('a court and a liaison get case number and region only: no caseId, no ref, in the pack, its signature or the comparison', async () => {
    for (const [role, scope] of [
      ['court', 'court-longyou'],
      ['liaison', 'court-longyou'],
    ] as const) {
      const h = (await clientToken(gw, role, scope)).headers;
      const view = (await (await gw.app.request(`http://gw/v1/statistics/packs/${pack.id}`, { headers: h })).json()) as {
        jws: string;
        content: { figures: { id: string; items: Record<string, unknown>[] }[] };
      };
      for (const f of view.content.figures) for (const i of f.items) expect(Object.keys(i).sort()).toEqual(['caseNumber', 'inNumerator', 'regionCode']);
      expect(itemsOf(view.content, 'new_cases').length).toBeGreaterThan(0);
      const jwks = (await (await gw.app.request('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
      const payload = JSON.stringify((await verifyWithJwks(view.jws, jwks)).payload);
      for (const id of [zrzyCase.caseId, zjjCase.caseId]) expect(payload).not.toContain(id);
      const cmp = await (await gw.app.request(`http://gw/v1/statistics/packs/${pack.id}/compare/${pack.id}`, { headers: h })).text();
      for (const id of [zrzyCase.caseId, zjjCase.caseId]) expect(cmp).not.toContain(id);
    }
  });

  it('the justice bureau that made it gets the pack whole, with its stored signature', async () => {
    const jb = (await clientToken(gw, 'justice_bureau', '330802')).headers;
    const got = (await (await gw.app.request(`http://gw/v1/statistics/packs/${pack.id}`, { headers: jb })).json()) as { jws: string; contentDigest: string };
    expect(got).toMatchObject({ jws: pack.jws, contentDigest: pack.contentDigest });
  });
});

describe('denials carry no identifiers', () => {
  it('GET /v1/documents/{id}/routing denied: 404 naming only the document asked for, never its case', async () => {
    for (const [role, scope] of [
      ['unit', 'kc-zjj'],
      ['justice_bureau', '330803'],
      ['court', 'court-longyou'],
      ['liaison', 'court-longyou'],
    ] as const) {
      const h = (await clientToken(gw, role, scope)).headers;
      const res = await gw.app.request(`http://gw/v1/documents/${zrzyCase.documentId}/routing`, { headers: h });
      expect([role, res.status]).toEqual([role, 404]);
      const text = await res.text();
      expect(text).not.toContain(zrzyCase.caseId);
      expect(text).not.toContain(zrzyCase.caseNumber);
    }
  });
});
