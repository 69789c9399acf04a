/**
 * Must the head appear (docs/domain.md §5)? Guangzhou: the unit's first first-instance case of the year that goes to
 * hearing [G]. Baotou Shiguai, where the district government is the defendant [B 第十三条]: from the facts (a
 * loss at first instance heard at second instance, procuratorial public-interest litigation) and as the justice
 * bureau sets the others. Agents: one or two (ALL 第31条), never only lawyers (B 第十六条, S 四(三)).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
});
afterAll(() => gw.close());

describe('head appearance under the Guangzhou preset', () => {
  it("the unit's first case of the year to reach a hearing requires the head; the next one does not", async () => {
    const court = await makeCourtPki('龙游县人民法院');
    await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
    await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ presetId: 'guangzhou' }),
    });
    const summons = async (i: number) => {
      gw.clock.advance(60_000);
      const m = demoManifest({
        messageId: `ha-${i}`,
        senderCode: 'court-longyou',
        issuedAt: gw.clock.now(),
        type: 'summons',
        caseNumber: `(2026)浙0825行初${950 + i}号`,
        regionCode: '330802',
      });
      m.documents[0]!.hearing = { at: '2026-12-20T09:30:00+08:00' };
      const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
      return ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
    };
    const first = await summons(1);
    const second = await summons(2);
    const view = async (id: string) =>
      (
        (await (await gw.app.request(`http://gw/v1/cases/${id}`, { headers: adminHeaders() })).json()) as {
          headAppearance: { required: boolean; reasons: { source: string }[] };
        }
      ).headAppearance;
    expect(await view(first)).toMatchObject({
      required: true,
      reasons: [expect.objectContaining({ source: 'G 负责人出庭', situation: 'first_hearing_of_year', via: 'fact' })],
    });
    expect(await view(second)).toMatchObject({ required: false, reasons: [] });
  });
});

describe('head appearance under Baotou Shiguai, the district government as defendant (B 第十三条)', () => {
  const GOV = '衢州市柯城区人民政府';
  let court: Awaited<ReturnType<typeof makeCourtPki>>;
  let appeals: Awaited<ReturnType<typeof makeCourtPki>>;
  let i = 0;
  type View = {
    required: boolean;
    reasons: { source: string; situation: string; via: string }[];
    settable: { situation: string; source: string; set: boolean }[];
  };
  const view = async (id: string) =>
    ((await (await gw.app.request(`http://gw/v1/cases/${id}`, { headers: adminHeaders() })).json()) as { headAppearance: View }).headAppearance;
  const deliver = async (m: ReturnType<typeof demoManifest>, signer = court.signer) => {
    const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, signer)));
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { receipt: { documents: { routing: { caseId: string } }[] } }).receipt.documents[0]!.routing.caseId;
  };
  const govCase = (type: 'complaint_copy' | 'judgment' | 'summons', caseNumber: string, o: { plaintiff?: string } = {}) => {
    gw.clock.advance(60_000);
    const m = demoManifest({
      messageId: `hb-${++i}`,
      senderCode: 'court-longyou',
      issuedAt: gw.clock.now(),
      type,
      caseNumber,
      defendant: GOV,
      regionCode: '330802',
    });
    if (o.plaintiff) m.documents[0]!.case!.plaintiffs = [{ name: o.plaintiff }];
    return m;
  };

  beforeAll(async () => {
    court = await makeCourtPki('龙游县人民法院 B');
    appeals = await makeCourtPki('衢州市中级人民法院');
    await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem }); // a second CA for the sender
    await registerSender(gw.deps, { code: 'court-quzhou-intermediate', type: 'court', name: '浙江省衢州市中级人民法院', caPem: appeals.ca.certPem });
    const res = await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ presetId: 'baotou-shiguai' }),
    });
    expect(res.status).toBe(200);
  });

  it('B 第十三条(五): public-interest litigation brought by the procuratorate requires the head, from the case facts', async () => {
    const id = await deliver(govCase('complaint_copy', '(2026)浙0825行初1801号', { plaintiff: '衢州市柯城区人民检察院' }));
    expect(await view(id)).toMatchObject({ required: true, reasons: [{ situation: 'public_interest_litigation', source: 'B 第十三条(五)', via: 'fact' }] });
  });

  it('B 第十三条(一): lost at first instance and heard at second instance requires the head', async () => {
    const first = await deliver(govCase('complaint_copy', '(2026)浙0825行初1802号'));
    expect((await view(first)).required).toBe(false);
    await deliver(govCase('judgment', '(2026)浙0825行初1802号')); // a loss (revoke)
    gw.clock.advance(60_000);
    const m = demoManifest({
      messageId: `hb-${++i}`,
      senderCode: 'court-quzhou-intermediate',
      issuedAt: gw.clock.now(),
      type: 'summons',
      caseNumber: '(2026)浙08行终1802号',
      defendant: GOV,
      regionCode: '330802',
    });
    const c = m.documents[0]!.case!;
    c.court = { code: 'court-quzhou-intermediate', name: '浙江省衢州市中级人民法院' };
    c.instance = 'second';
    c.priorCaseNumbers = ['(2026)浙0825行初1802号'];
    c.priorCourtCode = 'court-longyou'; // 原审法院: the lower court's case is linked through it (issue 18)
    const second = await deliver(m, appeals.signer);
    expect(await view(second)).toMatchObject({
      required: true,
      reasons: [{ situation: 'loss_first_instance_second_hearing', source: 'B 第十三条(一)', via: 'fact' }],
    });
  });

  it('B 第十三条(六): a situation no document states is set by the justice bureau; one the documents decide cannot be set', async () => {
    const id = await deliver(govCase('complaint_copy', '(2026)浙0825行初1803号'));
    const before = await view(id);
    expect(before.required).toBe(false);
    expect(before.settable.map((s) => s.source)).toEqual(
      expect.arrayContaining(['法释〔2020〕3号 第4条', 'B 第十三条(二)', 'B 第十三条(四)', 'B 第十三条(六)', 'B 第十三条(七)', 'B 第十三条(八)']),
    );
    const kc = (await clientToken(gw, 'justice_bureau', '330802')).headers;
    const step = (headers: Record<string, string>, body: unknown) =>
      gw.app.request(`http://gw/v1/cases/${id}/steps/appearance_situations`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect((await step(kc, { situations: ['first_hearing_of_year'], note: '试图设定事实情形' })).status).toBe(400);
    expect((await step((await clientToken(gw, 'justice_bureau', '330803')).headers, { situations: ['large_compensation'], note: '跨区' })).status).toBe(404);
    expect((await step(kc, { situations: ['large_compensation'], note: '原告请求赔偿1200万元' })).status).toBe(201);
    expect(await view(id)).toMatchObject({ required: true, reasons: [{ situation: 'large_compensation', source: 'B 第十三条(六)', via: 'bureau' }] });
    expect((await view(id)).settable.find((s) => s.situation === 'large_compensation')).toMatchObject({ set: true });
    expect((await step(kc, { situations: [], note: '经核实赔偿数额不大' })).status).toBe(201);
    expect((await view(id)).required).toBe(false);
  });

  it('B 第十三条 applies only where the district government is the defendant: a department case is not required', async () => {
    gw.clock.advance(60_000);
    const m = demoManifest({
      messageId: `hb-${++i}`,
      senderCode: 'court-longyou',
      issuedAt: gw.clock.now(),
      caseNumber: '(2026)浙0825行初1804号',
      regionCode: '330802',
    });
    m.documents[0]!.case!.plaintiffs = [{ name: '衢州市柯城区人民检察院' }];
    const id = await deliver(m);
    const v = await view(id);
    expect(v.required).toBe(false);
    expect(v.settable.map((s) => s.source)).toEqual(['法释〔2020〕3号 第4条']);
  });

  it('ALL 第31条: one or two agents, never three; B 第十六条, S 四(三): never lawyers alone', async () => {
    const id = await deliver(govCase('complaint_copy', '(2026)浙0825行初1805号'));
    const post = (kind: string, body: unknown) =>
      gw.app.request(`http://gw/v1/cases/${id}/steps/${kind}`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify(body) });
    const three = [
      { name: '张科长', kind: 'staff' },
      { name: '李科员', kind: 'staff' },
      { name: '赵律师', kind: 'lawyer' },
    ];
    const r1 = await post('appearance_registered', { required: false, cannotAppear: { reason: '外出', agents: three } });
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { detail: string }).detail).toContain('ALL 第31条');
    expect((await post('hearing_held', { heldOn: '2026-12-20', headAppeared: false, spoke: false, agents: three })).status).toBe(400);
    expect((await post('hearing_held', { heldOn: '2026-12-20', headAppeared: false, spoke: false, agents: [{ name: '赵律师', kind: 'lawyer' }] })).status).toBe(
      400,
    );
    expect((await post('appearance_registered', { required: false, cannotAppear: { reason: '外出', agents: three.slice(0, 2) } })).status).toBe(201);
  });
});
