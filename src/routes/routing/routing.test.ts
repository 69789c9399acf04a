/**
 * Routing inside intake, end to end through the HTTP API (docs/domain.md §3): the demo directory (Kecheng 330802
 * and Qujiang 330803, both heard by Longyou court from 2021-04-08 [Q 一(一)]) is loaded through the admin
 * API, deliveries are pushed, and the receipt, the queue, the case and "explain" are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, FixedClock, T0, testGateway } from '../../../test/helpers/gateway.js';
import { makeCourtPki, type CourtPki } from '../../../test/helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../../../adapters/node/court-kit.js';
import { registerSender } from '../../services/senders.js';
import { DEMO_DIRECTORY_DATA } from '../../domain/routing/index.js';
import type { Manifest } from '../../../schemas/api/manifest.js';

let gw: Awaited<ReturnType<typeof testGateway>>;
let court: CourtPki;
let n = 0;

type Routing = {
  status: string;
  rule: string;
  article: string;
  regionCode: string | null;
  units: { unitId: string; role: string }[];
  queueReason?: string;
  caseId: string | null;
};

async function push(m: Manifest): Promise<Routing> {
  const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
  expect(res.status).toBe(201);
  return ((await res.json()) as { receipt: { documents: { routing: Routing }[] } }).receipt.documents[0]!.routing;
}

const base = (over: Partial<Parameters<typeof demoManifest>[0]> = {}) =>
  demoManifest({ messageId: `r-${++n}`, senderCode: 'court-longyou', issuedAt: T0, caseNumber: `(2026)浙0825行初${n}号`, ...over });

/** A complaint whose acting units and defendants are the given written names (no region codes sent). */
function complaint(names: string[], over: Partial<Parameters<typeof demoManifest>[0]> = {}): Manifest {
  const m = base(over);
  const c = m.documents[0]!.case!;
  c.defendants = names.map((name) => ({ name }));
  c.challengedAct.actingUnits = names.map((name) => ({ name }));
  return m;
}

const api = (path: string, init: RequestInit = {}) =>
  gw.app.request(`http://gw${path}`, { ...init, headers: { ...adminHeaders(), ...(init.headers as Record<string, string>) } });

beforeAll(async () => {
  gw = await testGateway({ clock: new FixedClock(T0) });
  court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  const res = await api('/v1/admin/directory', { method: 'PUT', body: JSON.stringify(DEMO_DIRECTORY_DATA) });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ version: 1 });
});
afterAll(() => gw.close());

describe('documents reach their undertaking unit at intake', () => {
  it('R1 B 第三条(一): a Kecheng department, written with its full name and region, is assigned in the receipt', async () => {
    const r = await push(base({ defendant: '衢州市自然资源和规划局柯城分局', regionCode: '330802' }));
    expect(r).toMatchObject({ status: 'assigned', rule: 'R1', regionCode: '330802', units: [{ unitId: 'kc-zrzy', role: 'lead' }] });
  });

  it("a Qujiang unit heard by the same Longyou court goes to Qujiang: the region is the defendant's, not the court's [Q 一(一)]", async () => {
    const r = await push(complaint(['衢州市衢江区住房和城乡建设局']));
    expect(r).toMatchObject({ status: 'assigned', rule: 'R1', regionCode: '330803', units: [{ unitId: 'qj-zjj' }] });
  });

  it('R9 S 二(一): "区自然资源局" is a name both districts use; never guessed, queued with both candidates', async () => {
    const r = await push(complaint(['区自然资源局']));
    expect(r.status).toBe('queued');
    expect(r.rule).toBe('R9');
    expect(r.units).toEqual([]);
    const q = (await (await api('/v1/queue')).json()) as { items: { caseId: string; candidates: { units: { unitId: string }[] }[] }[] };
    const item = q.items.find((i) => i.caseId === r.caseId)!;
    expect(item.candidates.flatMap((c) => c.units.map((u) => u.unitId)).sort()).toEqual(['kc-zrzy', 'qj-zrzy']);
  });

  it('R3 B 第三条(三): an act of an entrusted enforcement team goes to the township that entrusted it', async () => {
    const r = await push(complaint(['航埠镇综合行政执法队']));
    expect(r).toMatchObject({ status: 'assigned', rule: 'R3', units: [{ unitId: 'kc-hangbu' }] });
  });
});

describe("the justice bureau's queue: a joint act (R2) designated, later documents follow, reassignment", () => {
  let caseId: string;
  let complaintDocId: string;

  it('R2 B 第三条(二): a joint act of two Kecheng units waits for the justice bureau to name the lead', async () => {
    const r = await push(complaint(['柯城区自然资源局', '柯城区综合行政执法局']));
    expect(r).toMatchObject({ status: 'queued', rule: 'R2', queueReason: 'designate_lead', regionCode: '330802' });
    caseId = r.caseId!;
    const q = (await (await api('/v1/queue?region=330802')).json()) as {
      items: { id: string; caseId: string; reason: string; documentId: string; proposed: { unitId: string }[] }[];
    };
    const item = q.items.find((i) => i.caseId === caseId)!;
    expect(item.reason).toBe('designate_lead');
    expect(item.proposed.map((u) => u.unitId).sort()).toEqual(['kc-zhzf', 'kc-zrzy']);
    complaintDocId = item.documentId;
    // Another region's bureau does not see it.
    const other = (await (await api('/v1/queue?region=330803')).json()) as { items: { caseId: string }[] };
    expect(other.items.some((i) => i.caseId === caseId)).toBe(false);
  });

  it('a summons of the queued case waits with it (no second queue item)', async () => {
    const m = complaint(['柯城区自然资源局', '柯城区综合行政执法局'], { type: 'summons' });
    m.documents[0]!.case!.caseNumber = ((await (await api(`/v1/cases/${caseId}`)).json()) as { caseNumber: string }).caseNumber;
    const r = await push(m);
    expect(r).toMatchObject({ status: 'queued', caseId });
    const q = (await (await api('/v1/queue?region=330802')).json()) as { items: { caseId: string }[] };
    expect(q.items.filter((i) => i.caseId === caseId)).toHaveLength(1);
  });

  it('refuses assignments that break the rules, changing nothing', async () => {
    const item = ((await (await api('/v1/queue?region=330802')).json()) as { items: { id: string; caseId: string }[] }).items.find((i) => i.caseId === caseId)!;
    const before = await gw.counts();
    const tryAssign = async (body: unknown, headers: Record<string, string> = {}) =>
      api(`/v1/queue/${item.id}/assign`, { method: 'POST', body: JSON.stringify(body), headers });
    const cases: [unknown, number, RegExp][] = [
      [
        {
          assignments: [
            { unitId: 'kc-zrzy', role: 'lead' },
            { unitId: 'qj-zhzf', role: 'cooperating' },
          ],
          reason: '跨区',
        },
        400,
        /different regions/,
      ],
      [
        {
          assignments: [
            { unitId: 'kc-zrzy', role: 'lead' },
            { unitId: 'kc-zhzf', role: 'lead' },
          ],
          reason: '两个主办',
        },
        400,
        /exactly one lead/,
      ],
      [{ assignments: [{ unitId: 'kc-nowhere', role: 'lead' }], reason: '未知' }, 400, /not in the directory/],
      [{ assignments: [{ unitId: 'kc-cgj', role: 'lead' }], reason: '已撤销' }, 400, /abolished/],
      [{ assignments: [{ unitId: 'kc-zrzy', role: 'lead' }], reason: '' }, 400, /reason|Too small|>=1/i],
    ];
    for (const [body, status, detail] of cases) {
      const res = await tryAssign(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    }
    expect((await gw.app.request(`http://gw/v1/queue/${item.id}/assign`, { method: 'POST', body: '{}' })).status).toBe(401);
    const noActor = await gw.app.request(`http://gw/v1/queue/${item.id}/assign`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: adminHeaders().authorization! },
    });
    expect(noActor.status).toBe(400);
    expect(await gw.counts()).toEqual(before);
  });

  it('the bureau designates the lead with a reason; the case is assigned and the queue item closed', async () => {
    const item = ((await (await api('/v1/queue?region=330802')).json()) as { items: { id: string; caseId: string }[] }).items.find((i) => i.caseId === caseId)!;
    const res = await api(`/v1/queue/${item.id}/assign`, {
      method: 'POST',
      body: JSON.stringify({
        assignments: [
          { unitId: 'kc-zrzy', role: 'lead' },
          { unitId: 'kc-zhzf', role: 'cooperating' },
        ],
        reason: '土地执法以自然资源分局为主',
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      rule: 'R2',
      regionCode: '330802',
      units: [
        { unitId: 'kc-zrzy', role: 'lead' },
        { unitId: 'kc-zhzf', role: 'cooperating' },
      ],
    });
    const again = await api(`/v1/queue/${item.id}/assign`, {
      method: 'POST',
      body: JSON.stringify({ assignments: [{ unitId: 'kc-zrzy', role: 'lead' }], reason: 'x' }),
    });
    expect(again.status).toBe(409);
    const open = (await (await api('/v1/queue?region=330802')).json()) as { items: { caseId: string }[] };
    expect(open.items.some((i) => i.caseId === caseId)).toBe(false);
  });

  it('R10 B 第九条: a later judgment of the case follows the designated units', async () => {
    const view = (await (await api(`/v1/cases/${caseId}`)).json()) as { caseNumber: string };
    const m = complaint(['柯城区自然资源局'], { type: 'judgment' });
    m.documents[0]!.case!.caseNumber = view.caseNumber;
    const r = await push(m);
    expect(r).toMatchObject({
      status: 'assigned',
      rule: 'R10',
      article: 'B 第九条',
      caseId,
      units: [
        { unitId: 'kc-zrzy', role: 'lead' },
        { unitId: 'kc-zhzf', role: 'cooperating' },
      ],
    });
  });

  it('R10 B 第九条: an appeal case naming the first-instance case number goes to the same units', async () => {
    const view = (await (await api(`/v1/cases/${caseId}`)).json()) as { caseNumber: string };
    const m = complaint(['衢州市柯城区人民政府'], { type: 'appeal', caseNumber: '(2027)浙08行终9号' });
    m.documents[0]!.case!.instance = 'second';
    m.documents[0]!.case!.priorCaseNumbers = [view.caseNumber];
    const r = await push(m);
    expect(r.rule).toBe('R10');
    expect(r.units.map((u) => u.unitId)).toEqual(['kc-zrzy', 'kc-zhzf']);
  });

  it('reassignment needs a reason and keeps the history', async () => {
    const res = await api(`/v1/cases/${caseId}/reassign`, {
      method: 'POST',
      body: JSON.stringify({ assignments: [{ unitId: 'kc-zhzf', role: 'lead' }], reason: '经协调改由综合执法局主办' }),
    });
    expect(res.status).toBe(200);
    const view = (await (await api(`/v1/cases/${caseId}`)).json()) as {
      assignments: { unitId: string; decidedBy: string; actor: string; reason: string }[];
      history: { supersededAt: string | null }[];
    };
    expect(view.assignments).toEqual([
      expect.objectContaining({ unitId: 'kc-zhzf', decidedBy: 'justice_bureau', actor: '柯城区司法局 王某', reason: '经协调改由综合执法局主办' }),
    ]);
    expect(view.history.filter((h) => h.supersededAt !== null)).toHaveLength(2);
  });

  it('explain: the complaint shows R2, its article, the facts it used in Chinese and English, and who answers now', async () => {
    const res = await api(`/v1/documents/${complaintDocId}/routing`);
    expect(res.status).toBe(200);
    const e = (await res.json()) as { rule: string; article: string; explanation: { zh: string[]; en: string[] }; currentAssignments: { unitId: string }[] };
    expect(e.rule).toBe('R2');
    expect(e.article).toContain('B 第三条(二)');
    expect(e.explanation.zh.join('\n')).toContain('柯城区自然资源局');
    expect(e.explanation.en.join('\n')).toMatch(/resolved to 衢州市自然资源和规划局柯城分局/);
    expect(e.currentAssignments.map((a) => a.unitId)).toEqual(['kc-zhzf']);
  });

  it('every decision is in the audit log', async () => {
    const rows = await gw.deps.db.orm.query.auditLog.findMany();
    const actions = rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['directory.saved', 'document.routed', 'document.queued', 'case.assigned', 'case.reassigned']));
  });
});

describe('concurrent deliveries of one new case', () => {
  it('create the case once; the others follow it (planning runs outside the write lock and is redone on conflict)', async () => {
    const cn = '(2026)浙0825行初7777号';
    const ms = Array.from({ length: 4 }, (_, i) =>
      base({ caseNumber: cn, defendant: '衢州市柯城区市场监督管理局', regionCode: '330802', type: i === 0 ? 'complaint_copy' : 'summons' }),
    );
    const rs = await Promise.all(ms.map((m) => push(m)));
    expect(new Set(rs.map((r) => r.caseId)).size).toBe(1);
    expect(rs.every((r) => r.status === 'assigned' && r.units[0]?.unitId === 'kc-scjg')).toBe(true);
    expect(rs.map((r) => r.rule).sort()).toEqual(['R1', 'R10', 'R10', 'R10']);
  });
});

describe('directory administration', () => {
  it('R4 B 第三条(四): a unit abolished through the API routes new cases to its successor', async () => {
    const save = await api('/v1/admin/directory/units/kc-nync/abolish', { method: 'POST', body: JSON.stringify({ on: '2026-10-01', successorId: 'kc-zrzy' }) });
    expect(save.status).toBe(200);
    const r = await push(complaint(['柯城区农业农村局']));
    expect(r).toMatchObject({ status: 'assigned', rule: 'R4', units: [{ unitId: 'kc-zrzy' }] });
  });

  it('a new alias added through the API is recognised at once', async () => {
    const dir = (await (await api('/v1/admin/directory')).json()) as { data: { units: { id: string; aliases: string[] }[] } };
    const unit = dir.data.units.find((u) => u.id === 'kc-jtj')! as Record<string, unknown> & { aliases: string[] };
    const { id: _id, ...body } = unit;
    const res = await api('/v1/admin/directory/units/kc-jtj', { method: 'PUT', body: JSON.stringify({ ...body, aliases: [...unit.aliases, '柯城交通局'] }) });
    expect(res.status).toBe(200);
    const r = await push(complaint(['柯城交通局']));
    expect(r).toMatchObject({ status: 'assigned', units: [{ unitId: 'kc-jtj' }] });
  });

  it('an invalid directory is refused with the paths at fault and the version stays', async () => {
    const before = ((await (await api('/v1/admin/directory')).json()) as { version: number }).version;
    const bad = structuredClone(DEMO_DIRECTORY_DATA) as { units: { successorId?: string }[] };
    bad.units[0]!.successorId = 'nobody';
    const res = await api('/v1/admin/directory', { method: 'PUT', body: JSON.stringify(bad) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { type: string }).type).toBe('urn:fuyuan:problem:invalid-directory');
    expect(((await (await api('/v1/admin/directory')).json()) as { version: number }).version).toBe(before);
  });
});
