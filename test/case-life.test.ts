/**
 * The full life of a case, from the complaint copy to performance, under two presets (Putian Chengxiang and
 * Sishui), walked by a court client, a unit client, a justice bureau client and a government office client,
 * each with its own credentials (issue 5). Every obligation the documents start is discharged by a step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/services/audit.js';
import { adminHeaders, clientToken, FixedClock, T0, testGateway } from './helpers/gateway.js';
import { makeCourtPki } from './helpers/pki.js';
import { demoManifest, joseRequest, signManifest } from '../adapters/node/court-kit.js';
import { registerSender } from '../src/services/senders.js';
import { saveDirectory } from '../src/services/directory.js';
import { DEMO_DIRECTORY_DATA } from '../src/domain/routing/index.js';
import { verifyWithJwks } from '../src/lib/signing.js';
import type { Manifest } from '../schemas/api/manifest.js';

type Ob = { kind: string; status: string; dueOn: string };

async function world(preset: string, opts: { governmentDefendant?: boolean } = {}) {
  const gw = await testGateway({ clock: new FixedClock(T0) });
  const court = await makeCourtPki('龙游县人民法院');
  await registerSender(gw.deps, { code: 'court-longyou', type: 'court', name: '浙江省龙游县人民法院', caPem: court.ca.certPem });
  await saveDirectory(gw.deps, DEMO_DIRECTORY_DATA, 'test', 'demo');
  const put = await gw.app.request('http://gw/v1/admin/regions/330802/policy', {
    method: 'PUT',
    headers: adminHeaders(),
    body: JSON.stringify({ presetId: preset }),
  });
  expect(put.status).toBe(200);
  const who = {
    unit: (await clientToken(gw, 'unit', 'kc-zrzy', '柯城自然资源分局 法制科')).headers,
    jb: (await clientToken(gw, 'justice_bureau', '330802', '柯城区司法局')).headers,
    office: (await clientToken(gw, 'government_office', '330802', '柯城区政府办')).headers,
    court: (await clientToken(gw, 'court', 'court-longyou', '龙游法院电子送达')).headers,
  };
  let n = 0;
  const push = async (type: Manifest['documents'][number]['type'], extra: (m: Manifest) => void = () => {}) => {
    const m = demoManifest({
      messageId: `life-${++n}`,
      senderCode: 'court-longyou',
      issuedAt: gw.clock.now(),
      type,
      caseNumber: '(2026)浙0825行初88号',
      defendant: '衢州市自然资源和规划局柯城分局',
      regionCode: '330802',
    });
    // P 第十条 and its 阅办单 procedure govern cases where the district government is a defendant.
    if (opts.governmentDefendant) m.documents[0]!.case!.defendants.push({ name: '衢州市柯城区人民政府', regionCode: '330802' });
    extra(m);
    const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', await signManifest(m, court.signer)));
    expect(res.status).toBe(201);
    const d = ((await res.json()) as { receipt: { documents: { id: string; routing: { caseId: string } }[] } }).receipt.documents[0]!;
    return { documentId: d.id, caseId: d.routing.caseId };
  };
  const step = async (as: keyof typeof who, caseId: string, kind: string, body: unknown, expected = 201) => {
    const res = await gw.app.request(`http://gw/v1/cases/${caseId}/steps/${kind}`, { method: 'POST', headers: who[as], body: JSON.stringify(body) });
    expect(res.status, `${as} ${kind}: ${await res.clone().text()}`).toBe(expected);
    return res.json() as Promise<{ closed: { kind: string }[]; detail?: string }>;
  };
  const obligations = async (caseId: string): Promise<Ob[]> =>
    ((await (await gw.app.request(`http://gw/v1/obligations?case=${caseId}&limit=1000`, { headers: who.jb })).json()) as { items: Ob[] }).items;
  const open = async (caseId: string) =>
    (await obligations(caseId))
      .filter((o) => o.status === 'open' || o.status === 'overdue')
      .map((o) => o.kind)
      .sort();
  return { gw, who, push, step, obligations, open };
}

describe('Putian Chengxiang: complaint → answer → hearing → lost judgment → no appeal → loss report → plan → performance', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world('putian-chengxiang', { governmentDefendant: true });
  });
  afterAll(() => w.gw.close());

  it('walks the case to its end; every obligation is discharged by the right role', async () => {
    const { caseId, documentId } = await w.push('complaint_copy');
    expect(await w.open(caseId)).toEqual(['answer_and_evidence', 'defence_draft', 'leader_instructions_feedback', 'unit_determination']);

    // 签收 by the bureau; the unit opens the filing (retrieval evidence).
    expect((await w.gw.app.request(`http://gw/v1/filings/${documentId}/confirm`, { method: 'POST', headers: w.who.jb })).status).toBe(201);
    expect((await w.gw.app.request(`http://gw/v1/filings/${documentId}`, { headers: w.who.unit })).status).toBe(200);

    // Wrong role: a unit cannot issue the routing slip.
    await w.step('unit', caseId, 'routing_slip_issued', {}, 403);
    await w.step('jb', caseId, 'routing_slip_issued', { note: '阅办单已送区政府办' }); // P 第十条
    await w.step('office', caseId, 'leader_instructions', { leader: '李副区长', instructions: '依法应诉，做好举证' }); // P 第七条(一)
    await w.step('unit', caseId, 'defence_draft_submitted', { summary: '处罚决定事实清楚、程序合法' }); // P 第十一条
    await w.step('jb', caseId, 'defence_reviewed', { result: 'passed' });
    await w.step('unit', caseId, 'appearance_registered', {
      required: true,
      requiredBecause: '本年度首例开庭案件',
      head: { name: '王局长', post: '分局局长', principal: true },
    });
    const answered = await w.step('unit', caseId, 'answer_filed', { filedOn: '2026-12-01' });
    expect(answered.closed.map((c) => c.kind)).toEqual(['answer_and_evidence']);
    expect(await w.open(caseId)).toEqual([]);

    // Putian has no must-appear rule of its own: required only once the court asks in writing.
    const before = (await (await w.gw.app.request(`http://gw/v1/cases/${caseId}`, { headers: w.who.jb })).json()) as { headAppearance: { required: boolean } };
    expect(before.headAppearance.required).toBe(false);
    await w.push('summons', (m) => (m.documents[0]!.hearing = { at: '2026-12-15T09:30:00+08:00', headAppearanceRequired: true }));
    expect(await w.open(caseId)).toContain('hearing');
    const after = (await (await w.gw.app.request(`http://gw/v1/cases/${caseId}`, { headers: w.who.jb })).json()) as {
      headAppearance: { required: boolean; reasons: { source: string }[] };
    };
    expect(after.headAppearance).toMatchObject({ required: true, reasons: [{ source: '行诉解释 第129条; 法释〔2020〕3号 第5条' }] });
    await w.step('unit', caseId, 'hearing_held', {
      heldOn: '2026-12-15',
      headAppeared: true,
      headName: '王局长',
      principal: true,
      spoke: true,
      agents: [{ name: '张科长', kind: 'staff' }],
    });

    await w.push(
      'judgment',
      (m) => (m.documents[0]!.outcome = { result: 'loss', lossKind: 'revoke', effectiveOn: '2026-12-10', performanceDueOn: '2027-02-10' }),
    );
    const afterJudgment = await w.open(caseId);
    expect(afterJudgment).toEqual(expect.arrayContaining(['appeal', 'no_appeal_reasons', 'three_ones_plan', 'loss_analysis_report', 'performance']));

    await w.step('jb', caseId, 'routing_slip_issued', {});
    await w.step('office', caseId, 'leader_instructions', { leader: '李副区长', instructions: '认真分析败诉原因' });
    await w.step('unit', caseId, 'appeal_opinion', { appeal: false, reasons: '判决认定事实清楚' });
    await w.step('office', caseId, 'appeal_decision', { appeal: false, decidedBy: '区政府常务会议' });
    const noAppeal = await w.step('unit', caseId, 'no_appeal_reasons', { reasons: '执法程序存在瑕疵，不再上诉' }); // P 第十三条(三)
    expect(noAppeal.closed.map((c) => c.kind).sort()).toEqual(['appeal', 'no_appeal_reasons']);
    // A loss report without its required parts is refused [P 第十六条].
    const bad = await w.step('unit', caseId, 'loss_report', { facts: '……', result: '撤销' }, 400);
    expect(bad.detail).toMatch(/recommendations/);
    await w.step('unit', caseId, 'loss_report', {
      facts: '未履行告知程序',
      result: '判决撤销处罚决定',
      recommendations: '完善执法程序，开展培训',
      other: '无',
    });
    await w.step('unit', caseId, 'three_ones_plan', { leader: '王局长', team: '法制科、执法大队', plan: '一个月内完成整改' });
    await w.step('unit', caseId, 'performance_done', { doneOn: '2027-01-20', evidence: '已重新作出处理决定并送达' });
    await w.step('jb', caseId, 'archived', {});
    expect(await w.open(caseId)).toEqual([]);

    // The timeline shows it all in order, with who.
    const tl = (await (await w.gw.app.request(`http://w/v1/cases/${caseId}/timeline`, { headers: w.who.jb })).json()) as {
      entries: { at: string; kind: string; who: string; what: string }[];
    };
    const ats = tl.entries.map((e) => e.at);
    expect(ats).toEqual([...ats].sort());
    expect(tl.entries.filter((e) => e.kind === 'document')).toHaveLength(3);
    expect(tl.entries.some((e) => e.kind === 'step' && e.who.includes('柯城区政府办'))).toBe(true);
    expect(tl.entries.filter((e) => e.kind === 'evidence').map((e) => e.what)).toEqual(
      expect.arrayContaining([expect.stringContaining('confirmation'), expect.stringContaining('retrieval')]),
    );

    // The court holds signed evidence: three receipts, the retrieval and the confirmation.
    const ev = (await (await w.gw.app.request('http://gw/v1/evidence', { headers: w.who.court })).json()) as { items: { type: string; jws: string }[] };
    expect(ev.items.map((e) => e.type).sort()).toEqual(['confirmation', 'receipt', 'receipt', 'receipt', 'retrieval']);
    const jwks = (await (await w.gw.app.request('http://gw/.well-known/jwks.json')).json()) as { keys: never[] };
    for (const e of ev.items) await verifyWithJwks(e.jws, jwks);
  });

  it('leaves an audit log that verifies: the case, its steps, routing, deadlines and reminders as committed', async () => {
    const r = await verifyAuditChain(w.gw.deps);
    expect(r.problems).toEqual([]);
  });
});

describe('Sishui: report and head-appearance registration within 2 days; agents never only lawyers; appeal opinion in 3 days; loss report in 10', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world('sishui');
  });
  afterAll(() => w.gw.close());

  it('walks the case with the head unable to appear', async () => {
    const { caseId } = await w.push('complaint_copy');
    expect(await w.open(caseId)).toEqual(['answer_and_evidence', 'head_appearance_registration', 'report_to_justice_bureau']);
    const view = (await (await w.gw.app.request(`http://gw/v1/cases/${caseId}`, { headers: w.who.jb })).json()) as {
      headAppearance: { required: boolean; reasons: { source: string }[] };
    };
    expect(view.headAppearance).toMatchObject({ required: true, reasons: [{ source: 'S 四' }] }); // 100% appearance
    await w.step('unit', caseId, 'report_filed', {}); // S 五(三)
    const lawyersOnly = await w.step(
      'unit',
      caseId,
      'appearance_registered',
      { required: true, cannotAppear: { reason: '外出参加省级会议', agents: [{ name: '赵律师', kind: 'lawyer' }] } },
      400,
    );
    expect(lawyersOnly.detail).toMatch(/never only lawyers/); // B 第十六条, S 四(三)
    // The legal adviser is chosen from the region's roster (法律顾问团队库, Q 一(三)).
    const notOnRoster = await w.step(
      'unit',
      caseId,
      'appearance_registered',
      {
        required: true,
        cannotAppear: {
          reason: '外出参加省级会议',
          agents: [
            { name: '张科长', kind: 'staff' },
            { name: '钱顾问', kind: 'legal_adviser', adviserId: 'nobody' },
          ],
        },
      },
      400,
    );
    expect(notOnRoster.detail).toMatch(/roster/);
    const adviser = (await (
      await w.gw.app.request('http://gw/v1/admin/regions/330802/advisers', {
        method: 'POST',
        headers: adminHeaders(),
        body: JSON.stringify({ name: '钱顾问', organisation: '浙江某律师事务所' }),
      })
    ).json()) as { id: string };
    const roster = (await (await w.gw.app.request('http://gw/v1/advisers?region=330802', { headers: w.who.unit })).json()) as { items: { id: string }[] };
    expect(roster.items.map((a) => a.id)).toEqual([adviser.id]);
    await w.step('unit', caseId, 'appearance_registered', {
      required: true,
      requiredBecause: 'S 四: 100% 出庭',
      cannotAppear: {
        reason: '外出参加省级会议',
        agents: [
          { name: '张科长', kind: 'staff' },
          { name: '钱顾问', kind: 'legal_adviser', adviserId: adviser.id },
        ],
      },
    });
    await w.step('unit', caseId, 'answer_filed', { filedOn: '2026-11-30' });
    expect(await w.open(caseId)).toEqual([]);

    await w.push('judgment', (m) => (m.documents[0]!.outcome = { result: 'loss', lossKind: 'confirm_illegal', effectiveOn: '2026-12-20' }));
    const obs = await w.obligations(caseId);
    const byKind = Object.fromEntries(obs.filter((o) => o.status === 'open').map((o) => [o.kind, o.dueOn]));
    expect(byKind.appeal_opinion).toBe('2026-11-26'); // S 五(四): 3 days from service on 11-23
    expect(byKind.loss_analysis_report).toBe('2026-12-30'); // S 五(五): 10 days from effect on 12-20
    await w.step('unit', caseId, 'report_filed', {});
    await w.step('unit', caseId, 'appeal_opinion', { appeal: false, reasons: '服判' });
    await w.step('unit', caseId, 'no_appeal_reasons', { reasons: '服判息诉' });
    await w.step('unit', caseId, 'loss_report', { facts: '程序违法', result: '确认违法', recommendations: '规范程序', other: '无' });
    // The retrial window (行诉解释 第110条) stays watched until it lapses or the case is archived.
    expect(await w.open(caseId)).toEqual(['retrial_application']);
    await w.step('jb', caseId, 'archived', {});
    expect(await w.open(caseId)).toEqual([]);
  });
  it('leaves an audit log that verifies: the case, its steps, routing, deadlines and reminders as committed', async () => {
    const r = await verifyAuditChain(w.gw.deps);
    expect(r.problems).toEqual([]);
  });
});
