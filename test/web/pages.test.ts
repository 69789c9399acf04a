/**
 * The pages in-process (app.request), for what a browser test would make slow: sign-in failures, cookie
 * attributes, safe redirects, CSRF, rights across regions and roles, friendly error pages, security headers,
 * and the SVG charts.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { listQueue } from '../../src/services/assignments.js';
import { revokeClient } from '../../src/services/clients.js';
import { assignments, caseSteps, documents, evidence, obligations, queueItems } from '../../schemas/db/index.js';
import { BarChart, LineChart, niceCeil } from '../../src/web/charts.js';
import { weekOf } from '../../src/web/data.js';
import { safeNext } from '../../src/web/session.js';
import { waited } from '../../src/web/pages/queue.js';
import { CASES, LATER, webWorld, type WebWorld } from './world.js';
import { clientToken } from '../helpers/gateway.js';
import { demoManifest, joseRequest, signManifest } from '../../adapters/node/court-kit.js';

let w: WebWorld;
const ORIGIN = 'http://gw';
const form = (body: Record<string, string | string[]>, headers: Record<string, string> = {}): RequestInit => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...headers }, body: p.toString() };
};
const req = (path: string, init: RequestInit = {}) => w.gw.app.request(`${ORIGIN}${path}`, init);
const text = async (res: Response) => (await res.text()).replace(/<style>[\s\S]*?<\/style>/, '');

async function signIn(who: { clientId: string; clientSecret: string }, person = ''): Promise<string> {
  const res = await req('/web/login', form({ client_id: who.clientId, client_secret: who.clientSecret, person, next: '/web' }));
  expect(res.status).toBe(303);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

beforeAll(async () => {
  w = await webWorld();
});
afterAll(() => w.gw.close());

describe('sign-in', () => {
  it('a page without a session redirects to sign-in, keeping where it was going', async () => {
    const res = await req('/web/board?region=330802');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/web/login?next=${encodeURIComponent('/web/board?region=330802')}`);
  });

  it('a wrong secret answers the sign-in page again (401), in Chinese, with no cookie', async () => {
    const res = await req('/web/login', form({ client_id: w.who.bureau.clientId, client_secret: 'wrong', next: '/web' }));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await text(res)).toContain('账号或密钥不正确');
  });

  it('keeps the token in an HttpOnly, SameSite=Strict cookie on /web, Secure over https', async () => {
    const res = await req(
      '/web/login',
      form({ client_id: w.who.bureau.clientId, client_secret: w.who.bureau.clientSecret, person: '王某', next: '/web/queue' }),
    );
    expect(res.headers.get('location')).toBe('/web/queue');
    const session = res.headers.getSetCookie().find((c) => c.startsWith('fuyuan_web='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Path=\/web/);
    expect(session).not.toMatch(/Secure/);
    const https = await w.gw.app.request(
      'https://gw/web/login',
      form({ client_id: w.who.bureau.clientId, client_secret: w.who.bureau.clientSecret }, { origin: 'https://gw' }),
    );
    expect(https.headers.getSetCookie().find((c) => c.startsWith('fuyuan_web='))).toMatch(/; Secure/);
  });

  it('refuses an oversized form with a Chinese page', async () => {
    const res = await req('/web/login', form({ client_id: 'x', client_secret: 'y'.repeat(70_000) }));
    expect(res.status).toBe(413);
    expect(await text(res)).toContain('提交的内容过长');
  });

  it('follows only a path of these pages after sign-in', () => {
    expect(safeNext('/web/cases/1')).toBe('/web/cases/1');
    for (const bad of ['https://evil.example/', '//evil.example', '/web\\@evil', '/webx', '/web/login?next=/web', '', null]) expect(safeNext(bad)).toBe('/web');
  });

  it('a revoked client is sent back to sign-in on its next page', async () => {
    const { registerClient } = await import('../../src/services/clients.js');
    const c = await registerClient(w.gw.deps, { name: '临时账号', role: 'justice_bureau', scope: '330802' }, 'test');
    const cookie = await signIn({ clientId: c.clientId, clientSecret: c.clientSecret! });
    expect((await req('/web', { headers: { cookie } })).status).toBe(200);
    await revokeClient(w.gw.deps, c.clientId, 'test');
    const res = await req('/web', { headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/web\/login\?expired=1/);
    expect(res.headers.getSetCookie().join()).toMatch(/fuyuan_web=;/);
  });
});

describe('forms and rights', () => {
  let bureau: string;
  let itemId: string;
  beforeAll(async () => {
    bureau = await signIn(w.who.bureau, '王某');
    itemId = (await listQueue(w.gw.deps, { regionCode: '330802' }))[0]!.id;
  });
  const stillOpen = async () => (await w.gw.deps.db.orm.select().from(queueItems).where(eq(queueItems.id, itemId)))[0]!.status === 'open';
  const assign = (cookie: string, body: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    req(`/web/queue/${itemId}/assign`, { ...form(body, headers), headers: { ...form(body, headers).headers, cookie } });

  it('refuses a form posted from another site, or without Origin / Sec-Fetch-Site (CSRF), changing nothing', async () => {
    const good = { lead: 'kc-zrzy', cooperating: ['kc-zrzy', 'kc-zhzf'], reason: '跨站' };
    const attempts: Record<string, string>[] = [{ origin: 'http://evil.example' }, { origin: 'null' }, { origin: '', 'sec-fetch-site': 'cross-site' }];
    for (const headers of attempts) {
      const res = await assign(bureau, good, headers);
      expect(res.status).toBe(403);
      expect(await text(res)).toContain('请求来源校验失败');
    }
    expect(await stillOpen()).toBe(true);
  });

  it("another region's bureau cannot see or decide Kecheng's queue: the page answers 403 as the API does, with no data", async () => {
    const qj = await signIn(w.who.qujiangBureau);
    const page = await text(await req('/web/queue', { headers: { cookie: qj } }));
    expect(page).toContain('目前没有待分办的文书');
    expect((await req('/web/queue?region=330802', { headers: { cookie: qj } })).status).toBe(403);
    const res = await assign(qj, { lead: 'kc-zrzy', reason: '越权' });
    expect(res.status).toBe(403);
    const body = await text(res);
    expect(body).toContain('无权操作');
    expect(body).not.toContain(CASES.joint);
    expect(body).not.toContain(w.caseIds.joint);
    // The API, with the same client's token, gives the same answer for the same item.
    const { headers } = await clientToken(w.gw, 'justice_bureau', '330803');
    const api = await req(`/v1/queue/${itemId}/assign`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ assignments: [{ unitId: 'kc-zrzy', role: 'lead' }], reason: '越权' }),
    });
    expect(api.status).toBe(403);
    expect(JSON.stringify(await api.json())).not.toContain(w.caseIds.joint);
    // Even an empty form is refused as a denial, not as bad input: the item's existence is all it learns.
    expect((await assign(qj, { lead: '', reason: '' })).status).toBe(403);
    expect(await stillOpen()).toBe(true);
  });

  it('a unit cannot use the queue form', async () => {
    const unit = await signIn(w.who.unit);
    const res = await assign(unit, { lead: 'kc-zrzy', reason: '自行认领' });
    expect(res.status).toBe(403);
    expect(await text(res)).toContain('无权操作');
    expect(await stillOpen()).toBe(true);
  });

  it('a form without a reason, or naming a unit of another region, renders a Chinese error page, not JSON, and changes nothing', async () => {
    const noReason = await assign(bureau, { lead: 'kc-zrzy', reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.headers.get('content-type')).toContain('text/html');
    const body = await text(noReason);
    expect(body).toContain('提交的内容不符合要求');
    expect(body).toContain('href="/web/queue"');
    const crossRegion = await assign(bureau, { lead_other: 'qj-zrzy', lead: 'kc-zrzy', cooperating: ['kc-zhzf'], reason: '跨区' });
    expect(crossRegion.status).toBe(400);
    expect(await text(crossRegion)).toMatch(/different regions|belongs to region/);
    expect(await stillOpen()).toBe(true);
  });

  it('the lead chosen from the directory list wins over the radio; the others cooperate; then the item is closed (409 again)', async () => {
    const res = await assign(bureau, { lead: 'kc-zrzy', lead_other: 'kc-zhzf', cooperating: ['kc-zrzy', 'kc-zhzf'], reason: '综合执法局为主' });
    expect(res.status).toBe(303);
    const flash = await text(await req(res.headers.get('location')!, { headers: { cookie: bureau } }));
    expect(flash).toContain('主办 衢州市柯城区综合行政执法局，协办 衢州市自然资源和规划局柯城分局');
    expect(await stillOpen()).toBe(false);
    const again = await assign(bureau, { lead: 'kc-zrzy', reason: '再次' });
    expect(again.status).toBe(409);
  });

  it('a court client sees no government pages, only the shared statistics of the regions it serves', async () => {
    const court = await signIn(w.who.court);
    expect((await req('/web/board', { headers: { cookie: court } })).status).toBe(403);
    expect((await req('/web/queue', { headers: { cookie: court } })).status).toBe(403);
    expect((await req(`/web/cases/${w.caseIds.old1}`, { headers: { cookie: court } })).status).toBe(404);
    const overview = await req('/web/overview?region=330802', { headers: { cookie: court } });
    expect(overview.status).toBe(200);
    expect(await text(overview)).toContain('区域概况 · 柯城区');
    expect((await req('/web/suggestions', { headers: { cookie: court } })).status).toBe(403);
    expect((await req('/web/reports/ledger?region=330802&month=2026-11&format=xlsx', { headers: { cookie: court } })).status).toBe(403);
  });

  it('every page is sent with no-store, a CSP whose scripts come from this origin only, and no framing', async () => {
    const res = await req('/web/board', { headers: { cookie: bureau } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(/script-src[^;]*/.exec(res.headers.get('content-security-policy')!)![0]).toBe("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    // One script, from this origin, and no inline script at all.
    expect([...(await res.text()).matchAll(/<script\b[^>]*>/gi)].map((m) => m[0])).toEqual([
      expect.stringMatching(/^<script src="\/web\/assets\/workbench-[0-9a-f]{16}\.js" defer(="")?>$/),
    ]);
  });

  it('the style sheet reaches the browser as written (quotes unescaped: fonts, stacked-table labels)', async () => {
    const html = await (await req('/web/login')).text();
    const css = html.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    expect(css).not.toContain('&quot;');
    expect(css).toContain('font-family:"PingFang SC"');
    expect(css).toContain('content:attr(data-label) "："');
  });

  it('an unknown page is a Chinese 404 page', async () => {
    const res = await req('/web/nothing-here', { headers: { cookie: bureau } });
    expect(res.status).toBe(404);
    expect(await text(res)).toContain('未找到');
  });
});

describe('the workbench forms: the same rights as the API, Chinese pages for bad input, nothing changed', () => {
  let bureau: string;
  let unit: string;
  let otherUnit: string;
  beforeAll(async () => {
    bureau = await signIn(w.who.bureau, '王某');
    unit = await signIn(w.who.unit, '李某');
    otherUnit = await signIn(w.who.otherUnit);
  });
  const post = (path: string, cookie: string, body: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
    const init = form(body, headers);
    return req(path, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
  };
  const steps = async (caseId: string) => (await w.gw.deps.db.orm.select().from(caseSteps).where(eq(caseSteps.caseId, caseId))).length;

  it('a unit records a step of its case through the form; the body is the one the API takes', async () => {
    const res = await post(`/web/cases/${w.caseIds.new1}/steps/answer_filed`, unit, { filedOn: '2026-11-23' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/web/cases/${w.caseIds.new1}?recorded=answer_filed#timeline`);
    const page = await text(await req(res.headers.get('location')!, { headers: { cookie: unit } }));
    expect(page).toContain('已记录答辩举证');
    expect(page).toContain('提交答辩状、证据和依据：已办结');
  });

  it('an appearance form naming neither the head nor the reason is refused with a Chinese reason, and records nothing', async () => {
    const before = await steps(w.caseIds.new1);
    const res = await post(`/web/cases/${w.caseIds.new1}/steps/appearance_registered`, unit, { required: 'yes' });
    expect(res.status).toBe(400);
    const body = await text(res);
    expect(body).toContain('请填写出庭负责人，或写明负责人不能出庭的理由和委托代理人');
    expect(body).toContain(`href="/web/cases/${w.caseIds.new1}"`);
    // Agents must include staff (B 第十六条): the schema's rule holds for the form too.
    const onlyLawyer = await post(`/web/cases/${w.caseIds.new1}/steps/appearance_registered`, unit, {
      required: 'yes',
      cannotReason: '出差',
      agent_kind_1: 'lawyer',
      agent_name_1: '赵律师',
    });
    expect(onlyLawyer.status).toBe(400);
    expect(await steps(w.caseIds.new1)).toBe(before);
  });

  it("a unit cannot record the bureau's steps, nor any step on another unit's case", async () => {
    const before = await steps(w.caseIds.new1);
    expect((await post(`/web/cases/${w.caseIds.new1}/steps/routing_slip_issued`, unit, { note: '越权' })).status).toBe(403);
    expect((await post(`/web/cases/${w.caseIds.new1}/steps/answer_filed`, otherUnit, { filedOn: '2026-11-23' })).status).toBe(404);
    expect(await steps(w.caseIds.new1)).toBe(before);
  });

  it('the case list shows each caller only what the API would: its unit’s, its region’s', async () => {
    const rows = (html: string) => [...html.matchAll(/data-case="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(rows(await text(await req('/web/cases', { headers: { cookie: unit } })))).toEqual([CASES.old1, CASES.joint, CASES.new1].sort());
    const all = rows(await text(await req('/web/cases', { headers: { cookie: bureau } })));
    expect(all).toContain(CASES.old2);
    expect(all).not.toContain(CASES.qujiang);
    expect(rows(await text(await req(`/web/cases?unit=kc-zjj`, { headers: { cookie: bureau } })))).toEqual([CASES.old2]);
    const bad = await req('/web/cases?dueBefore=tomorrow', { headers: { cookie: bureau } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('text/html');
    const court = await signIn(w.who.court);
    expect((await req('/web/cases', { headers: { cookie: court } })).status).toBe(403);
  });

  it('only the justice bureau confirms receipt; a cross-site confirm is refused; a confirmation is evidence once', async () => {
    const filing = (await w.gw.deps.db.orm.select().from(documents).where(eq(documents.caseNumber, CASES.new1)))[0]!;
    expect((await post(`/web/filings/${filing.id}/confirm`, unit, {})).status).toBe(403);
    expect((await post(`/web/filings/${filing.id}/confirm`, bureau, {}, { origin: 'http://evil.example' })).status).toBe(403);
    const confirmations = async () =>
      (await w.gw.deps.db.orm.select().from(evidence).where(eq(evidence.documentId, filing.id))).filter((e) => e.type === 'confirmation').length;
    expect(await confirmations()).toBe(0);
    expect((await post(`/web/filings/${filing.id}/confirm`, bureau, {})).status).toBe(303);
    expect((await post(`/web/filings/${filing.id}/confirm`, bureau, {})).status).toBe(303);
    expect(await confirmations()).toBe(1);
  });

  it('the bureau sets the head-appearance situations no document states from the case page (法释〔2020〕3号 第4条), and clears them', async () => {
    const page = await text(await req(`/web/cases/${w.caseIds.old1}`, { headers: { cookie: bureau } }));
    expect(page).toContain('data-step-form="appearance_situations"');
    expect(page).toMatch(/<input type="checkbox" name="situations" value="major_public_interest"\/> 涉及食品药品安全/);
    const set = await post(`/web/cases/${w.caseIds.old1}/steps/appearance_situations`, bureau, { situations: ['major_public_interest'], note: '社会高度关注' });
    expect(set.status).toBe(303);
    const after = await text(await req(`/web/cases/${w.caseIds.old1}`, { headers: { cookie: bureau } }));
    expect(after).toMatch(/data-testid="head-appearance">须出庭：涉及食品药品安全[^<]*法释〔2020〕3号 第4条/);
    // A unit may not set them; nothing is recorded.
    expect((await post(`/web/cases/${w.caseIds.old1}/steps/appearance_situations`, unit, { situations: ['helps_resolve'], note: '自定' })).status).toBe(403);
    // None ticked: the earlier set is cleared.
    expect((await post(`/web/cases/${w.caseIds.old1}/steps/appearance_situations`, bureau, { note: '经复核不属于上述情形' })).status).toBe(303);
    expect(await text(await req(`/web/cases/${w.caseIds.old1}`, { headers: { cookie: bureau } }))).toContain('data-testid="head-appearance">未要求负责人出庭');
  });

  it('the bureau reassigns a case with a reason; a unit may not; without a reason nothing changes', async () => {
    const lead = async () =>
      (await w.gw.deps.db.orm.select().from(assignments).where(eq(assignments.caseId, w.caseIds.old2)))
        .filter((a) => !a.supersededAt)
        .map((a) => `${a.unitId}:${a.role}`);
    expect(await lead()).toEqual(['kc-zjj:lead']);
    expect((await post(`/web/cases/${w.caseIds.old2}/reassign`, otherUnit, { lead: 'kc-zrzy', reason: '自行转交' })).status).toBe(403);
    const noReason = await post(`/web/cases/${w.caseIds.old2}/reassign`, bureau, { lead: 'kc-zrzy', reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(await text(noReason)).toContain('请填写变更理由');
    expect(await lead()).toEqual(['kc-zjj:lead']);
    const ok = await post(`/web/cases/${w.caseIds.old2}/reassign`, bureau, {
      lead: 'kc-zrzy',
      cooperating: ['kc-zjj'],
      reason: '涉及土地，改由自然资源分局主办',
    });
    expect(ok.status).toBe(303);
    expect((await lead()).sort()).toEqual(['kc-zjj:cooperating', 'kc-zrzy:lead']);
    expect(await text(await req(ok.headers.get('location')!, { headers: { cookie: bureau } }))).toContain('理由：涉及土地，改由自然资源分局主办');
  });

  it('an obligation is waived only with a reason, and only by whom the API allows', async () => {
    const [o] = await w.gw.deps.db.orm
      .select()
      .from(obligations)
      .where(and(eq(obligations.caseId, w.caseIds.old1), eq(obligations.status, 'open')));
    const status = async () => (await w.gw.deps.db.orm.select().from(obligations).where(eq(obligations.id, o!.id)))[0]!.status;
    const back = `/web/cases/${w.caseIds.old1}`;
    expect((await post(`/web/obligations/${o!.id}/close`, bureau, { status: 'waived', reason: '', back })).status).toBe(400);
    expect((await post(`/web/obligations/${o!.id}/close`, otherUnit, { status: 'done', back })).status).toBe(404);
    expect(await status()).toBe('open');
    const res = await post(`/web/obligations/${o!.id}/close`, bureau, { status: 'waived', reason: '原告已撤诉', back: 'https://evil.example/' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/web/board');
    expect(await status()).toBe('waived');
  });

  it('the ledger is not the liaison’s; a ledger without a month is a Chinese 400', async () => {
    const liaison = await signIn(w.who.liaison);
    expect((await req('/web/reports/ledger?region=330802&month=2026-11&format=xlsx', { headers: { cookie: liaison } })).status).toBe(403);
    const res = await req('/web/reports/ledger?region=330802&month=&format=xlsx', { headers: { cookie: bureau } });
    expect(res.status).toBe(400);
    expect(await text(res)).toContain('请选择月份');
    const csv = await req('/web/reports/ledger?region=330802&month=2026-11&format=csv-pending', { headers: { cookie: bureau } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain(CASES.old1);
  });
});

describe("the statistics drill-down: from a figure to the cases behind it, with the API's access rules", () => {
  let bureau: string;
  let liaison: string;
  beforeAll(async () => {
    bureau = await signIn(w.who.bureau);
    liaison = await signIn(w.who.liaison);
  });
  const page = async (path: string, cookie: string) => {
    const res = await req(path, { headers: { cookie } });
    return { status: res.status, body: await text(res) };
  };
  const testid = (body: string, id: string) => new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(body)?.[1]?.trim();
  const hrefOf = (body: string, marker: string) => {
    const m = new RegExp(`<a[^>]*${marker}[^>]*>`).exec(body)?.[0] ?? '';
    return (/href="([^"]+)"/.exec(m)?.[1] ?? '').replace(/&amp;/g, '&');
  };
  const rows = (body: string) => [...body.matchAll(/<tr data-in-numerator="(yes|no)"/g)].map((m) => m[1]);

  it("the year's new cases and the month's: the drill-down lists as many cases as the figure clicked says (docs/domain.md §7)", async () => {
    const ov = await page('/web/overview?region=330802&year=2026', bureau);
    expect(ov.status).toBe(200);
    const total = Number(testid(ov.body, 'new-cases'));
    expect(total).toBe(4); // 101, 102, 201 and 202 in Kecheng; 203 is Qujiang's
    const year = await page(hrefOf(ov.body, 'data-testid="new-cases"'), bureau);
    expect(year.status).toBe(200);
    expect(Number(testid(year.body, 'drill-count'))).toBe(total);
    expect(year.body).toContain(CASES.old1);
    expect(year.body).not.toContain(CASES.qujiang);
    expect(year.body).toContain('首份文书'); // the definition, in the product's words
    const nov = /data-month="11"[^>]*>(\d+) 月 (\d+) 件</.exec(ov.body)!;
    const month = await page(hrefOf(ov.body, 'data-month="11"'), bureau);
    expect(month.body).toContain('2026 年 11 月');
    expect(Number(testid(month.body, 'drill-count'))).toBe(Number(nov[2]));
    expect(Number(testid(month.body, 'drill-count'))).toBe(4);
  });

  it('a rate: the numerator and denominator shown on the overview are the rows behind it', async () => {
    // Two weeks on, the answers of 101 and 102 (due 2026-11-24) have fallen due: they are in the denominator.
    const was = w.clock.now();
    w.clock.set(LATER);
    onTestFinished(() => w.clock.set(was));
    const bureau = await signIn(w.who.bureau);
    const ov = await page('/web/overview?region=330802&year=2026', bureau);
    // The on-time answer bar: "n/d" beside it; its label leads to the drill-down.
    const li = /<li class="bar" data-label="答辩举证[^"]*"[\s\S]*?<\/li>/.exec(ov.body)![0];
    const [, n, d] = /（(\d+)\/(\d+)）/.exec(li)!;
    expect(Number(d)).toBeGreaterThan(0);
    const drill = await page((/href="([^"]+)"/.exec(li)![1] ?? '').replace(/&amp;/g, '&'), bureau);
    expect(drill.status).toBe(200);
    expect(testid(drill.body, 'figure-numerator')).toBe(n);
    expect(testid(drill.body, 'figure-denominator')).toBe(d);
    expect(rows(drill.body).length).toBe(Number(d));
    expect(rows(drill.body).filter((x) => x === 'yes').length).toBe(Number(n));
    const numerator = await page(hrefOf(drill.body, 'href="[^"]*part=numerator'), bureau);
    expect(Number(testid(numerator.body, 'drill-count'))).toBe(Number(n));
  });

  it("another region's figures are refused, by URL tampering too: a Chinese 403 page with no case number", async () => {
    const other = await page('/web/overview/figures/new_cases?region=330803&period=2026', bureau);
    expect(other.status).toBe(403);
    expect(other.body).not.toContain(CASES.qujiang);
    expect(other.body).not.toContain('drill-items');
    // A unit of another region under one's own region, and an unknown figure, are no page either.
    const unit = await page('/web/overview/figures/new_cases?region=330802&period=2026&unit=qj-zjj', bureau);
    expect(unit.status).toBe(404);
    expect(unit.body).not.toContain(CASES.qujiang);
    expect((await page('/web/overview/figures/no_such_figure?region=330802&period=2026', bureau)).status).toBe(404);
    expect((await page('/web/overview/figures/new_cases?region=330802&period=2026-13', bureau)).status).toBe(400);
    // A unit client sees no statistics pages at all (as the overview).
    const unitCookie = await signIn(w.who.unit);
    expect((await page('/web/overview/figures/new_cases?region=330802&period=2026', unitCookie)).status).toBe(403);
  });

  it('a liaison drills into the regions its court serves and sees case numbers only, never a link into a case', async () => {
    const kc = await page('/web/overview/figures/new_cases?region=330802&period=2026', liaison);
    expect(kc.status).toBe(200);
    expect(Number(testid(kc.body, 'drill-count'))).toBe(4);
    expect(kc.body).toContain(CASES.old1);
    expect(kc.body).not.toMatch(/href="\/web\/cases\//);
    expect(kc.body).not.toContain(w.caseIds.old1);
    const qj = await page('/web/overview/figures/new_cases?region=330803&period=2026', liaison);
    expect(Number(testid(qj.body, 'drill-count'))).toBe(1);
    expect((await page('/web/overview/figures/new_cases?region=330899&period=2026', liaison)).status).toBe(403);
  });
});

describe('charts and dates', () => {
  it('axis tops are 1, 2 or 5 × 10^n', () => {
    expect([0, 1, 3, 7, 11, 26, 480].map(niceCeil)).toEqual([1, 1, 5, 10, 20, 50, 500]);
  });

  it('a line chart carries each month and value; bars carry rate and fraction, and the whole unit name (never cut)', () => {
    const line = String(
      LineChart({
        title: '每月新收',
        points: [
          { label: '1月', value: 3 },
          { label: '2月', value: 0 },
          { label: '3月', value: 7 },
        ],
      }),
    );
    expect(line).toContain('role="img"');
    expect(line).toContain('<title>每月新收</title>');
    expect(line.match(/class="point"/g)).toHaveLength(3);
    expect(line).toContain('data-value="7"');
    const bars = String(
      BarChart({
        title: '败诉率',
        items: [
          { label: '衢州市自然资源和规划局柯城分局', value: 0.25, note: '1/4' },
          { label: '无审结', value: null },
        ],
      }),
    );
    expect(bars).toContain('25.0%（1/4）');
    expect(bars).toContain('—');
    expect(bars).toContain('<span class="label">衢州市自然资源和规划局柯城分局</span>');
    expect(bars).toContain('width:25.0%');
  });

  it('the queue says how long an item has waited, in words', () => {
    expect([0.5, 5, 24, 53].map((h) => waited(h * 3600_000))).toEqual(['不到 1 小时', '5 小时', '1 天', '2 天 5 小时']);
  });

  it('the week runs Monday to Sunday (Beijing dates)', () => {
    expect(weekOf('2026-11-23')).toEqual({ monday: '2026-11-23', sunday: '2026-11-29' });
    expect(weekOf('2026-11-29')).toEqual({ monday: '2026-11-23', sunday: '2026-11-29' });
    expect(weekOf('2026-12-01')).toEqual({ monday: '2026-11-30', sunday: '2026-12-06' });
  });
});

describe('the queue page, for a case whose region nothing names (Q 一(一))', () => {
  it("a candidate region's bureau assigns it from the page: the item is claimed for its region, the other bureau no longer sees it", async () => {
    const m = demoManifest({ messageId: 'web-unsettled', senderCode: 'court-longyou', issuedAt: w.clock.now(), caseNumber: '(2026)浙0825行初401号' });
    const c = m.documents[0]!.case!;
    c.defendants = [{ name: '某某管理办公室' }];
    c.challengedAct.actingUnits = [{ name: '某某管理办公室' }];
    expect((await w.gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, w.court.signer)))).status).toBe(201);
    const [item] = (await listQueue(w.gw.deps, {})).filter((i) => i.caseNumber === '(2026)浙0825行初401号');
    expect(item).toMatchObject({ regionCode: null });
    const kecheng = await signIn(w.who.bureau);
    const qujiang = await signIn(w.who.qujiangBureau);
    expect(await text(await req('/web/queue', { headers: { cookie: qujiang } }))).toContain('行初401号');
    const res = await req(`/web/queue/${item!.id}/assign`, form({ lead: 'kc-zjj', reason: '经核实系柯城区住建局作出' }, { cookie: kecheng }));
    expect(res.status, await res.clone().text()).toBe(303);
    expect(await text(await req('/web/queue', { headers: { cookie: qujiang } }))).not.toContain('行初401号');
    const [row] = await w.gw.deps.db.orm
      .select({ status: queueItems.status, regionCode: queueItems.regionCode })
      .from(queueItems)
      .where(eq(queueItems.id, item!.id));
    expect(row).toEqual({ status: 'assigned', regionCode: '330802' });
  });
});
