/**
 * computeFiguresByRegion (src/domain/statistics/compute.ts): the figures of each region, taken from the items of
 * the whole, are those computeFigures gives for the facts of that region alone (factsOfRegion): its cases, their
 * hearings and obligations, its stand-alone obligations. Pure, on hand-built facts of two regions, with the
 * awkward cases: an obligation carrying another region than its case's, a stand-alone obligation, a unit named
 * differently in the two regions, a hearing of a case outside the facts.
 */
import { describe, expect, it } from 'vitest';
import { computeFigures, computeFiguresByRegion, type CaseFact, type Facts } from '../src/domain/statistics/index.js';
import { factsOfRegion } from '../src/services/statistics.js';

const at = (iso: string) => Date.parse(`${iso}+08:00`);
const kase = (id: string, region: string, over: Partial<CaseFact> = {}): CaseFact => ({
  caseId: id,
  caseNumber: `N-${id}`,
  regionCode: region,
  courtCode: 'court',
  instance: 'first',
  createdAt: at('2026-03-02T10:00:00'),
  domain: '自然资源',
  unitId: 'u1',
  unitName: '一局',
  conclusion: null,
  ...over,
});

const facts: Facts = {
  cases: [
    kase('a1', '330802', {
      conclusion: { documentId: 'd1', type: 'judgment', arrivedAt: at('2026-03-20T10:00:00'), outcome: { result: 'loss', lossKind: 'revoke' } },
    }),
    kase('a2', '330802', {
      unitId: 'u2',
      unitName: '二局',
      conclusion: { documentId: 'd2', type: 'mediation', arrivedAt: at('2026-03-21T10:00:00'), outcome: { result: 'mediation' } },
    }),
    kase('b1', '330803', {
      unitName: '一局（衢江）',
      instance: 'second',
      conclusion: { documentId: 'd3', type: 'judgment', arrivedAt: at('2026-03-22T10:00:00'), outcome: { result: 'win' } },
    }),
    kase('b2', '330803', { domain: '公安', unitName: '一局（衢江）' }),
  ],
  hearings: [
    { stepId: 's1', caseId: 'a1', heldOn: '2026-03-10', headAppeared: true, principal: true, spoke: true, agents: 1, at: at('2026-03-10T18:00:00') },
    { stepId: 's2', caseId: 'a1', heldOn: '2026-03-12', headAppeared: false, principal: false, spoke: false, agents: 0, at: at('2026-03-12T18:00:00') },
    { stepId: 's3', caseId: 'b1', heldOn: '2026-03-11', headAppeared: false, principal: false, spoke: false, agents: 0, at: at('2026-03-11T18:00:00') },
    { stepId: 's4', caseId: 'zz', heldOn: '2026-03-11', headAppeared: true, principal: true, spoke: true, agents: 0, at: at('2026-03-11T18:00:00') },
  ],
  obligations: [
    {
      id: 'o1',
      caseId: 'a1',
      kind: 'answer_and_evidence',
      dueOn: '2026-03-17',
      status: 'done',
      doneAt: at('2026-03-16T10:00:00'),
      unitId: 'u1',
      regionCode: '330802',
    },
    // Its case is in 330803; the obligation says 330802: it is 330803's (factsOfRegion goes by the case).
    { id: 'o2', caseId: 'b2', kind: 'answer_and_evidence', dueOn: '2026-03-17', status: 'overdue', doneAt: null, unitId: 'u1', regionCode: '330802' },
    {
      id: 'o3',
      caseId: null,
      kind: 'suggestion_reply',
      dueOn: '2026-03-25',
      status: 'done',
      doneAt: at('2026-03-26T10:00:00'),
      unitId: 'u2',
      regionCode: '330803',
    },
    { id: 'o4', caseId: 'a2', kind: 'answer_and_evidence', dueOn: '2026-03-18', status: 'waived', doneAt: null, unitId: 'u2', regionCode: '330802' },
  ],
};
const period = { from: '2026-03-01', to: '2026-03-31' };
const regions = ['330802', '330803', '330825'];

describe('figures per region from the items of the whole', () => {
  for (const [name, extra] of [
    ['no filter', {}],
    ['unit u1', { filters: { unitId: 'u1' } }],
    ['domain 自然资源', { filters: { domain: '自然资源' } }],
    ['every hearing, all concluded', { variants: { head_appearance_rate: 'every_hearing', loss_rate: 'all_concluded' } }],
    ['only two figures', { only: ['loss_rate', 'on_time_answer'] as const }],
  ] as const) {
    it(`equal those of each region's facts alone (${name})`, () => {
      const opts = { period, today: '2026-04-01', ...extra };
      const r = computeFiguresByRegion(facts, regions, opts);
      expect(r.total).toEqual(computeFigures(facts, opts));
      regions.forEach((code, i) => expect(r.byRegion[i]).toEqual(computeFigures(factsOfRegion(facts, code), opts)));
    });
  }

  it('worked out by hand: 330803 answers for o2 (its case b2), not 330802; the unit keeps each region’s name', () => {
    const r = computeFiguresByRegion(facts, regions, { period, today: '2026-04-01' });
    const fig = (k: number, id: string) => r.byRegion[k]!.find((f) => f.id === id)!;
    expect([fig(0, 'on_time_answer').numerator, fig(0, 'on_time_answer').denominator]).toEqual([1, 1]); // o1 (o4 waived)
    expect([fig(1, 'on_time_answer').numerator, fig(1, 'on_time_answer').denominator]).toEqual([0, 1]); // o2
    expect([fig(1, 'on_time_suggestion_reply').numerator, fig(1, 'on_time_suggestion_reply').denominator]).toEqual([0, 1]); // o3, a day late
    expect(fig(1, 'failure_no_answer').byUnit).toEqual([{ unitId: 'u1', unitName: '一局（衢江）', numerator: 1, denominator: 1, rate: null }]);
    expect(fig(0, 'new_cases').byUnit?.find((u) => u.unitId === 'u1')?.unitName).toBe('一局');
    expect(r.byRegion[2]!.every((f) => f.items.length === 0)).toBe(true);
  });
});
