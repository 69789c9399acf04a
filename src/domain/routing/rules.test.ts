/**
 * One test per rule R1–R10 (docs/domain.md §3), each named with its article, then compositions and edge cases.
 * Directory: schemas/directory/demo-quzhou.json (Kecheng 330802, Qujiang 330803, Longyou court from 2021-04-08).
 */
import { describe, expect, it } from 'vitest';
import { demoDirectory } from './demo-directory.js';
import { buildDirectoryIndex, type DirectoryData, type Unit } from './directory.js';
import { caseOf, INTERMEDIATE } from './fixtures.js';
import { route, RULES } from './rules.js';
import type { RoutingFact } from './types.js';

const dir = demoDirectory();
const DAY = '2022-05-10';

const roles = (d: { assignments: readonly { unitId: string; role: string }[] }) => d.assignments.map((a) => `${a.unitId}:${a.role}`);
const factsOf = <K extends RoutingFact['kind']>(d: { facts: readonly RoutingFact[] }, kind: K) =>
  d.facts.filter((f): f is Extract<RoutingFact, { kind: K }> => f.kind === kind);

describe('rules R1–R10 (one per rule, named by article)', () => {
  it('R1 B 第三条(一), P 第九条(一): an act made by one unit, without administrative review, is answered by that unit (谁主管、谁负责、谁应诉)', () => {
    const d = route(caseOf({ acting: ['柯城区市场监督管理局'] }), dir, DAY);
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R1');
    expect(d.article).toBe('B 第三条(一), P 第九条(一)');
    expect(d.regionCode).toBe('330802');
    expect(roles(d)).toEqual(['kc-scjg:lead']);
    expect(d.reason.zh).toContain('衢州市柯城区市场监督管理局');
    expect(d.reason.en).toContain('without administrative review');
  });

  it('R1 P 第九条(一): for a challenged inaction, the specific unit that failed to act (被诉行政不作为的具体单位) answers', () => {
    const d = route(caseOf({ acting: ['衢江区人力社保局'], kind: 'inaction' }), dir, DAY);
    expect(d.rule).toBe('R1');
    expect(roles(d)).toEqual(['qj-rsj:lead']);
    expect(d.reason.zh).toContain('被诉不作为');
  });

  it('R2 B 第三条(二), S 二(二): an act made jointly by two units goes to both; the justice bureau designates one lead (主办) and the others cooperate (协办)', () => {
    const d = route(caseOf({ acting: ['柯城区住房和城乡建设局', '柯城区综合行政执法局'], defendants: ['柯城区住建局', '柯城区综合执法局'] }), dir, DAY);
    expect(d.status).toBe('queued');
    expect(d.queueReason).toBe('designate_lead');
    expect(d.rule).toBe('R2');
    expect(d.article).toBe('B 第三条(二), S 二(二)');
    expect(roles(d)).toEqual(['kc-zjj:cooperating', 'kc-zhzf:cooperating']);
    expect(d.queueUnit?.unitId).toBe('kc-sfj');
    expect(d.regionCode).toBe('330802');
  });

  it('R3 B 第三条(三): an act by an organisation entrusted by a unit (委托的组织) goes to the entrusting unit', () => {
    const d = route(caseOf({ acting: ['航埠镇综合执法队'], defendants: ['衢州市柯城区航埠镇人民政府'] }), dir, DAY);
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R3');
    expect(d.article).toBe('B 第三条(三)');
    expect(roles(d)).toEqual(['kc-hangbu:lead']);
    expect(factsOf(d, 'entrusted')).toEqual([
      expect.objectContaining({ rule: 'R3', orgId: 'kc-hangbu-zfd', entrustingId: 'kc-hangbu', article: 'B 第三条(三)' }),
    ]);
  });

  it('R4 B 第三条(四): when the unit was abolished, the unit that continues to exercise its powers answers, following the chain', () => {
    // 柯城区城市管理行政执法局 (abolished 2016-03-01) → 柯城区城市管理局 (abolished 2019-03-29) → 综合行政执法局
    const d = route(caseOf({ acting: ['柯城区城管执法局'], defendants: ['柯城区综合行政执法局'] }), dir, DAY);
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R4');
    expect(d.article).toBe('B 第三条(四)');
    expect(roles(d)).toEqual(['kc-zhzf:lead']);
    expect(factsOf(d, 'succeeded').map((f) => `${f.fromId}→${f.toId}@${f.abolishedOn}`)).toEqual(['kc-cgzf→kc-cgj@2016-03-01', 'kc-cgj→kc-zhzf@2019-03-29']);
  });

  it('R5 B 第三条, S 二(三), P 第九条(三): review maintained the act; the original unit answers for the act (lead) and the justice bureau for the review part', () => {
    const d = route(
      caseOf({
        acting: ['柯城区住建局'],
        defendants: ['柯城区住建局', '衢州市柯城区人民政府'],
        review: { organ: '衢州市柯城区人民政府', outcome: 'maintained' },
      }),
      dir,
      DAY,
    );
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R5');
    expect(d.article).toBe('B 第三条, S 二(三), P 第九条(三)');
    expect(roles(d)).toEqual(['kc-zjj:lead', 'kc-sfj:review_part']);
  });

  it('R6 B 第三条, S 二(三): review changed the act; the justice bureau answers and the original unit assists (配合、协助)', () => {
    const d = route(
      caseOf({ acting: ['衢江区市场监管局'], defendants: ['衢江区人民政府'], review: { organ: '衢江区人民政府', outcome: 'changed' } }),
      dir,
      DAY,
    );
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R6');
    expect(d.article).toBe('B 第三条, S 二(三)');
    expect(roles(d)).toEqual(['qj-sfj:lead', 'qj-scjg:assisting']);
    expect(d.regionCode).toBe('330803');
  });

  it('R7 S 二(三): the review organ sued alone because it did not act on the review (复议机关不作为) is answered by the justice bureau', () => {
    const d = route(
      caseOf({ acting: ['柯城区卫健局'], defendants: ['衢州市柯城区人民政府'], review: { organ: '衢州市柯城区人民政府', outcome: 'not_acted' } }),
      dir,
      DAY,
    );
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R7');
    expect(d.article).toBe('S 二(三)');
    expect(roles(d)).toEqual(['kc-sfj:lead']);
  });

  it('R8 P 第九条(二): the review organ sued alone for its review decision answers (through the justice bureau); the original unit cooperates', () => {
    const d = route(
      caseOf({ acting: ['柯城区交通运输局'], defendants: ['衢州市柯城区人民政府'], review: { organ: '衢州市柯城区人民政府', outcome: 'rejected' } }),
      dir,
      DAY,
    );
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R8');
    expect(d.article).toBe('P 第九条(二)');
    expect(roles(d)).toEqual(['kc-sfj:lead', 'kc-jtj:assisting']);
  });

  it('R9 S 二(一): when the responsible unit is unclear (应诉责任主体不明确) the case goes to the justice bureau queue with a reason', () => {
    const d = route(caseOf({ acting: ['柯城区文化广电旅游体育局'], defendants: ['衢州市柯城区人民政府'] }), dir, DAY);
    expect(d.status).toBe('queued');
    expect(d.rule).toBe('R9');
    expect(d.article).toBe('S 二(一)');
    expect(d.queueReason).toBe('unknown_unit');
    expect(d.assignments).toEqual([]);
    // the region still comes from the resolved defendant, so the right justice bureau sees it
    expect(d.regionCode).toBe('330802');
    expect(d.queueUnit?.unitId).toBe('kc-sfj');
    expect(d.reason.zh).toContain('柯城区文化广电旅游体育局');
    expect(d.reason.zh).toContain('由司法局确定应诉承办单位');
  });

  it('R10 B 第九条: on appeal the first-instance undertaking unit answers the appeal case', () => {
    const prior = [{ unitId: 'kc-zjj', unitName: '衢州市柯城区住房和城乡建设局', role: 'lead' as const }];
    const facts = caseOf({ acting: ['区住建局'], instance: 'second', court: INTERMEDIATE, caseNumber: '(2023)浙08行终7号' });
    const d = route(facts, dir, '2023-02-01', { priorAssignment: prior, documentType: 'appeal' });
    expect(d.status).toBe('assigned');
    expect(d.rule).toBe('R10');
    expect(d.article).toBe('B 第九条');
    expect(roles(d)).toEqual(['kc-zjj:lead']);
    expect(d.regionCode).toBe('330802');
  });
});

describe('compositions and edge cases', () => {
  it('R10 B 第九条 + R4: a first-instance unit abolished before the appeal is replaced by its successor', () => {
    const prior = [{ unitId: 'qj-nyj', unitName: '衢州市衢江区农业局', role: 'lead' as const }];
    const d = route(caseOf({ acting: ['衢江区农业局'], instance: 'retrial' }), dir, '2019-06-10', { priorAssignment: prior });
    expect(d.rule).toBe('R10');
    expect(d.rulesApplied).toEqual(['R10', 'R4']);
    expect(d.article).toBe('B 第九条; B 第三条(四)');
    expect(roles(d)).toEqual(['qj-nync:lead']);
    expect(d.reason.zh).toContain('再审');
  });

  it('R10 B 第九条: an appeal petition (documentType appeal) in a first-instance case keeps the R5 split', () => {
    const prior = [
      { unitId: 'kc-zjj', unitName: '衢州市柯城区住房和城乡建设局', role: 'lead' as const },
      { unitId: 'kc-sfj', unitName: '衢州市柯城区司法局', role: 'review_part' as const },
    ];
    const d = route(caseOf({ acting: ['区住建局'] }), dir, DAY, { priorAssignment: prior, documentType: 'appeal' });
    expect(roles(d)).toEqual(['kc-zjj:lead', 'kc-sfj:review_part']);
  });

  it('R10 B 第九条: an appeal whose first instance still awaits the lead designation stays queued for it', () => {
    const prior = [
      { unitId: 'kc-zjj', unitName: '衢州市柯城区住房和城乡建设局', role: 'cooperating' as const },
      { unitId: 'kc-zhzf', unitName: '衢州市柯城区综合行政执法局', role: 'cooperating' as const },
    ];
    const d = route(caseOf({ acting: ['区住建局'], instance: 'second' }), dir, DAY, { priorAssignment: prior });
    expect(d.status).toBe('queued');
    expect(d.queueReason).toBe('designate_lead');
    expect(d.rule).toBe('R10');
  });

  it('R10 B 第九条: an appeal without a prior assignment is routed by the first-instance rules, noted in facts', () => {
    const d = route(caseOf({ acting: ['柯城区市场监管局'], instance: 'second', court: INTERMEDIATE }), dir, DAY);
    expect(d.rule).toBe('R1');
    expect(factsOf(d, 'note').some((f) => f.note.zh.includes('B 第九条'))).toBe(true);
  });

  it('R10 B 第九条: a prior assignment naming an unknown unit id is queued, not trusted', () => {
    const prior = [{ unitId: 'no-such-unit', unitName: '某局', role: 'lead' as const }];
    const d = route(caseOf({ acting: ['区住建局'], instance: 'second' }), dir, DAY, { priorAssignment: prior });
    expect(d.status).toBe('queued');
    expect(d.queueReason).toBe('prior_assignment_invalid');
    expect(d.rulesApplied).toEqual(['R9', 'R10']);
  });

  it('R3 B 第三条(三) + R4 B 第三条(四): an entrusted organisation whose entrusting unit was since abolished goes to the successor', () => {
    const data: DirectoryData = {
      regions: [{ code: '330802', name: '柯城区' }],
      units: [
        { id: 'jb', regionCode: '330802', name: '柯城区司法局', aliases: [], kind: 'justice_bureau' },
        { id: 'old', regionCode: '330802', name: '柯城区城市管理局', aliases: [], kind: 'department', abolishedOn: '2019-03-29', successorId: 'new' },
        { id: 'new', regionCode: '330802', name: '柯城区综合行政执法局', aliases: [], kind: 'department' },
        { id: 'team', regionCode: '330802', name: '柯城区城管执法一中队', aliases: [], kind: 'entrusted_org', entrustedBy: 'old', abolishedOn: '2019-03-29' },
      ],
      courts: [{ code: 'c', name: '法院', kind: 'court', servedRegions: [{ regionCode: '330802', from: '2000-01-01' }] }],
    };
    const d = route(caseOf({ acting: ['柯城区城管执法一中队'], court: { code: 'c', name: '法院' } }), buildDirectoryIndex(data), '2020-01-02');
    expect(d.rule).toBe('R3');
    expect(d.rulesApplied).toEqual(['R3', 'R4']);
    expect(d.article).toBe('B 第三条(三); B 第三条(四)');
    expect(roles(d)).toEqual(['new:lead']);
  });

  it('R5 行诉解释 第22条: a review that rejected the request, with both as co-defendants, counts as maintaining', () => {
    const d = route(
      caseOf({
        acting: ['柯城区住建局'],
        defendants: ['柯城区住建局', '柯城区人民政府'],
        review: { organ: '衢州市柯城区人民政府', outcome: 'rejected' },
      }),
      dir,
      DAY,
    );
    expect(d.rule).toBe('R5');
    expect(roles(d)).toEqual(['kc-zjj:lead', 'kc-sfj:review_part']);
  });

  it('R5 + R2: a maintained joint act waits for the justice bureau to designate the lead for the act', () => {
    const d = route(
      caseOf({
        acting: ['柯城区住建局', '柯城区自然资源局'],
        defendants: ['柯城区住建局', '柯城区自然资源局', '柯城区人民政府'],
        review: { organ: '柯城区人民政府', outcome: 'maintained' },
      }),
      dir,
      DAY,
    );
    expect(d.status).toBe('queued');
    expect(d.rule).toBe('R5');
    expect(d.queueReason).toBe('designate_lead');
    expect(roles(d)).toEqual(['kc-zjj:cooperating', 'kc-zrzy:cooperating', 'kc-sfj:review_part']);
  });

  it('S 二(三): after a review, the original unit sued alone answers for its own act (R1)', () => {
    const d = route(caseOf({ acting: ['柯城区住建局'], defendants: ['柯城区住建局'], review: { organ: '柯城区人民政府', outcome: 'not_acted' } }), dir, DAY);
    expect(d.rule).toBe('R1');
    expect(roles(d)).toEqual(['kc-zjj:lead']);
  });

  it('R9: a review organ outside the directory (衢州市人民政府) cannot be routed by rule', () => {
    const d = route(
      caseOf({ acting: ['柯城区人民政府'], defendants: ['柯城区人民政府', '衢州市人民政府'], review: { organ: '衢州市人民政府', outcome: 'maintained' } }),
      dir,
      DAY,
    );
    expect(d.status).toBe('queued');
    expect(d.rule).toBe('R9');
    expect(d.queueReason).toBe('unknown_unit');
    expect(d.regionCode).toBe('330802');
  });

  it('R9: a review organ that is a department, not the government or justice bureau, is queued', () => {
    const d = route(caseOf({ acting: ['航埠镇'], defendants: ['柯城区公安分局'], review: { organ: '柯城区公安分局', outcome: 'changed' } }), dir, DAY);
    expect(d.queueReason).toBe('review_organ_outside');
  });

  it('R9: review not acted with both the review organ and the original unit sued fits no rule', () => {
    const d = route(
      caseOf({ acting: ['柯城区住建局'], defendants: ['柯城区住建局', '柯城区人民政府'], review: { organ: '柯城区人民政府', outcome: 'not_acted' } }),
      dir,
      DAY,
    );
    expect(d.queueReason).toBe('unclear_review');
  });

  it('R9 S 二(一): an act of the district government itself is queued for the justice bureau to name the department in charge', () => {
    const d = route(caseOf({ acting: ['衢州市柯城区人民政府'] }), dir, DAY);
    expect(d.status).toBe('queued');
    expect(d.queueReason).toBe('government_act');
    expect(d.queueUnit?.unitId).toBe('kc-sfj');
  });

  it('R9: acting units in two different regions are never assigned together', () => {
    const d = route(caseOf({ acting: ['柯城区住建局', '衢江区住建局'] }), dir, DAY);
    expect(d.status).toBe('queued');
    expect(d.queueReason).toBe('cross_region');
    expect(d.regionCode).toBeUndefined();
    expect(d.candidateRegions).toEqual(['330802', '330803']);
    expect(d.assignments).toEqual([]);
  });

  it('R9: a defendant in another region than the acting unit is a conflict', () => {
    const d = route(caseOf({ acting: ['柯城区住建局'], defendants: ['衢江区人民政府'] }), dir, DAY);
    expect(d.queueReason).toBe('cross_region');
  });

  it('R9: a unit code that contradicts the region code is not silently overridden', () => {
    const d = route(caseOf({ acting: [{ name: '区司法局', unitCode: '11330802002621484G', regionCode: '330803' }] }), dir, DAY);
    expect(d.queueReason).toBe('conflicting_unit_code');
  });

  it('a unit code (统一社会信用代码) identifies the unit whatever name is written', () => {
    const d = route(caseOf({ acting: [{ name: '司法局', unitCode: '11330802002621484G' }] }), dir, DAY);
    expect(roles(d)).toEqual(['kc-sfj:lead']);
    expect(factsOf(d, 'resolved')[0]).toMatchObject({ via: 'unit_code', scope: 'unit_code' });
  });

  it('R2 without a justice bureau in the region cannot be designated: R9 with R2 recorded', () => {
    const data: DirectoryData = {
      regions: [{ code: '110101', name: '东城区' }],
      units: [
        { id: 'a', regionCode: '110101', name: '东城区甲局', aliases: [], kind: 'department' },
        { id: 'b', regionCode: '110101', name: '东城区乙局', aliases: [], kind: 'department' },
      ],
      courts: [],
    };
    const d = route(caseOf({ acting: ['东城区甲局', '东城区乙局'], court: { code: 'x', name: 'x' } }), buildDirectoryIndex(data), DAY);
    expect(d.rule).toBe('R9');
    expect(d.queueReason).toBe('no_justice_bureau');
    expect(d.rulesApplied).toEqual(['R9', 'R2']);
  });

  it('R4: an abolished unit without successor, and a succession loop, are queued', () => {
    const units: Unit[] = [
      { id: 'jb', regionCode: '110101', name: '东城区司法局', aliases: [], kind: 'justice_bureau' },
      { id: 'gone', regionCode: '110101', name: '东城区甲局', aliases: [], kind: 'department', abolishedOn: '2020-01-01' },
      { id: 'p', regionCode: '110101', name: '东城区乙局', aliases: [], kind: 'department', abolishedOn: '2020-01-01', successorId: 'q' },
      { id: 'q', regionCode: '110101', name: '东城区丙局', aliases: [], kind: 'department', abolishedOn: '2020-06-01', successorId: 'p' },
    ];
    const idx = buildDirectoryIndex({ regions: [{ code: '110101', name: '东城区' }], units, courts: [] });
    const court = { code: 'x', name: 'x' };
    expect(route(caseOf({ acting: ['东城区甲局'], court }), idx, DAY).queueReason).toBe('no_successor');
    const loop = route(caseOf({ acting: ['东城区乙局'], court }), idx, DAY);
    expect(loop.queueReason).toBe('chain_cycle');
    expect(loop.rulesApplied).toEqual(['R9', 'R4']);
    // before the second abolition the chain ends at 丙局
    expect(roles(route(caseOf({ acting: ['东城区乙局'], court }), idx, '2020-03-01'))).toEqual(['q:lead']);
  });

  it('an ambiguous old name whose candidates all lead to the same unit today is not a choice (区城管局)', () => {
    const d = route(caseOf({ acting: ['区城管局'], defendants: ['区城管局'], court: { code: 'court-kecheng', name: '柯城区人民法院' } }), dir, '2021-01-05');
    expect(d.status).toBe('assigned');
    expect(roles(d)).toEqual(['kc-zhzf:lead']);
    expect(d.rule).toBe('R4');
  });

  it('every decision states its primary article first and lists every rule applied', () => {
    const d = route(caseOf({ acting: ['航埠镇综合执法队'] }), dir, DAY);
    expect(d.article.startsWith(RULES[d.rule].article)).toBe(true);
    expect(d.rulesApplied[0]).toBe(d.rule);
  });

  it('rejects a malformed routing date', () => {
    expect(() => route(caseOf({ acting: ['区住建局'] }), dir, '2022-13-01')).toThrow(RangeError);
  });
});
