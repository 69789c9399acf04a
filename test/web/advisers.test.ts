/**
 * 法律顾问团队库 (Q 一(三)): the justice bureau keeps its region's roster of legal advisers from a page, with the
 * API's rules; units choose agents from it for an appearance; another region and other roles are refused with no data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { caseSteps, legalAdvisers } from '../../schemas/db/index.js';
import { verifyAuditChain } from '../../src/services/audit.js';
import { clientToken } from '../helpers/gateway.js';
import { webWorld, type WebWorld } from './world.js';

let w: WebWorld;
const ORIGIN = 'http://gw';
const req = (path: string, init: RequestInit = {}) => w.gw.app.request(`${ORIGIN}${path}`, init);
const text = async (res: Response) => (await res.text()).replace(/<style>[\s\S]*?<\/style>/, '');
const post = (path: string, cookie: string, body: Record<string, string>) =>
  req(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie },
    body: new URLSearchParams(body).toString(),
  });
async function signIn(who: { clientId: string; clientSecret: string }, person = ''): Promise<string> {
  const res = await post('/web/login', '', { client_id: who.clientId, client_secret: who.clientSecret, person, next: '/web' });
  expect(res.status).toBe(303);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}
/** The appearance form of a head who cannot appear, with a staff member and the roster's adviser as agents. */
const withAdviser = (id: string) => ({ required: 'yes', cannotReason: '出差', agent_kind_1: 'staff', agent_name_1: '孙科长', agent_kind_2: `adviser:${id}` });
const roster = async () => w.gw.deps.db.orm.select().from(legalAdvisers).where(eq(legalAdvisers.regionCode, '330802'));

let bureau: string;
let unit: string;
let office: string;
let qujiang: string;
beforeAll(async () => {
  w = await webWorld();
  bureau = await signIn(w.who.bureau, '王某');
  unit = await signIn(w.who.unit, '李某');
  office = await signIn(w.who.office);
  qujiang = await signIn(w.who.qujiangBureau);
});
afterAll(() => w.gw.close());

describe('法律顾问团队库 from the pages (Q 一(三))', () => {
  let id: string;

  it("the bureau's navigation leads to its roster; it adds an adviser through the labelled form", async () => {
    const home = await text(await req('/web', { headers: { cookie: bureau } }));
    expect(home).toContain('href="/web/advisers"');
    const empty = await text(await req('/web/advisers', { headers: { cookie: bureau } }));
    expect(empty).toContain('团队库中还没有法律顾问');
    expect(empty).toMatch(/<label for="adv-name">\s*姓名/);
    expect(empty).toMatch(/<label for="adv-org">\s*执业机构/);
    const res = await post('/web/advisers', bureau, { name: ' 钱顾问 ', organisation: '浙江衢州某某律师事务所', region: '330803' });
    expect(res.status).toBe(303);
    // A bureau adds to its own region, whatever the form says.
    expect(res.headers.get('location')).toBe('/web/advisers?region=330802&done=added');
    const after = await text(await req(res.headers.get('location')!, { headers: { cookie: bureau } }));
    expect(after).toContain('已添加到团队库');
    expect(after).toContain('钱顾问');
    expect(after).toContain('浙江衢州某某律师事务所');
    const rows = await roster();
    expect(rows.map((r) => [r.name, r.active])).toEqual([['钱顾问', true]]);
    id = rows[0]!.id;
  });

  it('empty or over-long fields are a Chinese 400 page, and change nothing', async () => {
    const blank = await post('/web/advisers', bureau, { name: '  ', organisation: '某所' });
    expect(blank.status).toBe(400);
    expect(await text(blank)).toContain('请填写法律顾问姓名');
    const long = await post(`/web/advisers/${id}`, bureau, { name: '钱'.repeat(101), organisation: '某所' });
    expect(long.status).toBe(400);
    expect(await text(long)).toContain('姓名不能超过 100 字');
    expect((await roster()).map((r) => r.name)).toEqual(['钱顾问']);
  });

  it('the bureau corrects, retires and restores an adviser; a retired one is no longer offered to units', async () => {
    expect((await post(`/web/advisers/${id}`, bureau, { name: '钱某某', organisation: '浙江衢州某某律师事务所' })).headers.get('location')).toBe(
      '/web/advisers?region=330802&done=changed',
    );
    expect((await roster())[0]!.name).toBe('钱某某');
    const retire = await post(`/web/advisers/${id}/retire`, bureau, {});
    expect(retire.status).toBe(303);
    const page = await text(await req(retire.headers.get('location')!, { headers: { cookie: bureau } }));
    expect(page).toContain('已移出团队库');
    expect(page).toContain('已移出（1 人）');
    expect(page).toContain('恢复入库');
    const unitCase = await text(await req(`/web/cases/${w.caseIds.new1}`, { headers: { cookie: unit } }));
    expect(unitCase).not.toContain('法律顾问：钱某某');
    // Posting the retired adviser anyway is refused; nothing is recorded.
    const steps = async () => (await w.gw.deps.db.orm.select().from(caseSteps).where(eq(caseSteps.caseId, w.caseIds.new1))).length;
    const before = await steps();
    const refused = await post(`/web/cases/${w.caseIds.new1}/steps/appearance_registered`, unit, withAdviser(id));
    expect(refused.status).toBe(400);
    expect(await text(refused)).toContain('所选法律顾问不在本区法律顾问团队库中');
    expect(await steps()).toBe(before);
    expect((await post(`/web/advisers/${id}/restore`, bureau, {})).headers.get('location')).toBe('/web/advisers?region=330802&done=restored');
    expect((await roster())[0]!.active).toBe(true);
  });

  it('a unit chooses the adviser as agent for the head appearance; the unit and the office read the roster without its forms', async () => {
    const unitCase = await text(await req(`/web/cases/${w.caseIds.new1}`, { headers: { cookie: unit } }));
    expect(unitCase).toContain('法律顾问：钱某某（浙江衢州某某律师事务所）');
    const res = await post(`/web/cases/${w.caseIds.new1}/steps/appearance_registered`, unit, withAdviser(id));
    expect(res.status).toBe(303);
    const [step] = await w.gw.deps.db.orm.select().from(caseSteps).where(eq(caseSteps.kind, 'appearance_registered'));
    expect(JSON.parse(step!.dataJson).cannotAppear.agents).toContainEqual({ name: '钱某某', kind: 'legal_adviser', adviserId: id });
    for (const cookie of [unit, office]) {
      const page = await text(await req('/web/advisers', { headers: { cookie } }));
      expect(page).toContain('钱某某');
      expect(page).not.toContain('添加法律顾问');
      expect(page).not.toContain('移出团队库');
    }
  });

  it("a unit, the office and another region's bureau cannot change the roster, by page or by API; the denial names nothing", async () => {
    const before = JSON.stringify(await roster());
    for (const cookie of [unit, office, qujiang]) {
      for (const [path, body] of [
        [`/web/advisers/${id}/retire`, {}],
        [`/web/advisers/${id}`, { name: '改名', organisation: '某所' }],
      ] as const) {
        const res = await post(path, cookie, body);
        expect(res.status).toBe(403);
        const page = await text(res);
        expect(page).not.toContain('钱某某');
        expect(page).not.toContain(id);
      }
    }
    expect((await post('/web/advisers', unit, { name: '自荐', organisation: '某所' })).status).toBe(403);
    expect((await req('/web/advisers?region=330802', { headers: { cookie: qujiang } })).status).toBe(403);
    const qjApi = await clientToken(w.gw, 'justice_bureau', '330803');
    const patched = await req(`/v1/advisers/${id}`, { method: 'PATCH', headers: qjApi.headers, body: JSON.stringify({ active: false }) });
    expect(patched.status).toBe(403);
    expect(await patched.text()).not.toContain('钱某某');
    const unitApi = await clientToken(w.gw, 'unit', 'kc-zrzy');
    expect(
      (await req('/v1/advisers', { method: 'POST', headers: unitApi.headers, body: JSON.stringify({ region: '330802', name: 'x', organisation: 'y' }) }))
        .status,
    ).toBe(403);
    expect((await req(`/v1/advisers?region=330802&retired=true`, { headers: unitApi.headers })).status).toBe(403);
    expect(JSON.stringify(await roster())).toBe(before);
  });

  it('the API gives the bureau the same roster the page shows, and the page and API changes are in the audit log', async () => {
    const api = await clientToken(w.gw, 'justice_bureau', '330802');
    const added = await req('/v1/advisers', {
      method: 'POST',
      headers: api.headers,
      body: JSON.stringify({ region: '330802', name: '赵顾问', organisation: '衢州某律师事务所' }),
    });
    expect(added.status).toBe(201);
    const other = await req('/v1/advisers', { method: 'POST', headers: api.headers, body: JSON.stringify({ region: '330803', name: 'x', organisation: 'y' }) });
    expect(other.status).toBe(403);
    const { items } = (await (await req('/v1/advisers?region=330802&retired=true', { headers: api.headers })).json()) as { items: { name: string }[] };
    expect(items.map((a) => a.name)).toEqual(['赵顾问', '钱某某']);
    const page = await text(await req('/web/advisers', { headers: { cookie: bureau } }));
    expect(page.indexOf('赵顾问')).toBeGreaterThan(0);
    expect(page.indexOf('赵顾问')).toBeLessThan(page.indexOf('钱某某'));
    expect((await verifyAuditChain(w.gw.deps)).ok).toBe(true);
  });
});
